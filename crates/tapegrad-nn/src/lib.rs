//! # tapegrad-nn
//!
//! Multilayer perceptrons on top of [`tapegrad`]: parameters owned outside
//! the tape in flat buffers, layers and activations, initializers, losses,
//! optimizers, a trainer with diagnostics, and safetensors I/O.
//!
//! ```
//! use tapegrad_nn::{Activation, Mlp};
//! let mlp: Mlp<f32> = Mlp::new(64)
//!     .hidden(128, Activation::Relu)
//!     .hidden(64, Activation::Selu)
//!     .output(10);
//! assert_eq!(mlp.sizes(), vec![64, 128, 64, 10]);
//! ```
//!
//! See `docs/nn.md` for the design, the PyTorch name mapping and measured
//! figures.

#![warn(missing_docs)]

mod activation;
mod context;
pub mod data;
mod diagnostics;
mod init;
pub mod io;
mod layers;
mod loss;
mod mlp;
mod optim;
mod params;
mod state_dict;
mod trainer;

pub use activation::Activation;
pub use context::ForwardCtx;
pub use diagnostics::{ActivationStats, Diagnostics, LayerDiagnostics, SATURATED_SHARE};
pub use init::Init;
pub use layers::{Dropout, Linear};
pub use loss::{bce_with_logits, cross_entropy, mse, Loss};
pub use mlp::{Layer, Mlp, MlpBuilder};
pub use optim::{Adam, LrSchedule, Optimizer, Sgd};
pub use params::{Bound, ParamId, ParamInfo, Params};
pub use state_dict::{ModelIoError, StateDictError};
pub use trainer::{
    evaluate, BatchMode, EarlyStopping, EpochRecord, Evaluation, History, Metric, NonFinite,
    StopReason, TrainError, Trainer,
};
