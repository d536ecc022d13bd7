//! # tapegrad-nn
//!
//! Multilayer perceptrons on top of [`tapegrad`]: parameters owned outside
//! the tape in one flat buffer ([`Params`]), bound onto a reused tape every
//! step; [`Linear`] layers in PyTorch's `[out, in]` layout and an [`Mlp`]
//! whose parameter names are those of the equivalent `nn.Sequential`; every
//! core [`Activation`] plus trainable swish and ACON-C; [`Init`]ializers;
//! [`Dropout`] and alpha dropout; losses; [`Sgd`] and [`Adam`]/AdamW over
//! flat slices with [`LrSchedule`]s; a [`Trainer`] with online, mini-batch
//! and full-batch modes, stopping rules, [`Diagnostics`] (dead and saturated
//! units, gradient norms) and recovery from NaN; safetensors files that
//! PyTorch reads ([`Mlp::save`], [`Mlp::load`]); and the data sets of
//! [`data`].
//!
//! ```
//! use tapegrad_nn::data::{digits, Standardizer};
//! use tapegrad_nn::{evaluate, Activation, Adam, BatchMode, Loss, Mlp, Trainer};
//!
//! let (mut train, mut test) = digits::<f32>().stratified_split(0.2, 0);
//! let scaler = Standardizer::fit(&train);
//! scaler.apply(&mut train);
//! scaler.apply(&mut test);
//! let mut mlp: Mlp<f32> = Mlp::new(64)
//!     .hidden(128, Activation::Relu)
//!     .hidden(64, Activation::Selu)
//!     .output(10);
//! let history = Trainer::new(Loss::CrossEntropy)
//!     .mode(BatchMode::MiniBatch(32))
//!     .epochs(3)
//!     .diagnostics(true)
//!     .fit(&mut mlp, &mut Adam::new(1e-3), &train, Some(&test))?;
//! assert!(history.last().unwrap().val_accuracy.unwrap() > 0.9);
//! assert!(evaluate(&mlp, &test, Loss::CrossEntropy).accuracy > 0.9);
//! # Ok::<(), tapegrad_nn::TrainError>(())
//! ```
//!
//! See `docs/nn.md` for the design, the PyTorch name mapping and measured
//! figures.

#![warn(missing_docs)]

mod activation;
mod context;
pub mod data;
mod diagnostics;
mod evaluate;
mod history;
mod init;
pub mod io;
mod layers;
mod loss;
mod mlp;
mod optim;
mod params;
mod schedule;
mod state_dict;
mod train_error;
mod trainer;

pub use activation::Activation;
pub use context::ForwardCtx;
pub use diagnostics::{ActivationStats, Diagnostics, LayerDiagnostics, SATURATED_SHARE};
pub use evaluate::{count_correct, evaluate, loss_of, Evaluation};
pub use history::{EpochRecord, History, StopReason};
pub use init::Init;
pub use layers::{Dropout, Linear};
pub use loss::{bce_with_logits, cross_entropy, mse, Loss};
pub use mlp::{Layer, Mlp, MlpBuilder};
pub use optim::{Adam, Optimizer, Sgd};
pub use params::{Bound, ParamId, ParamInfo, Params};
pub use schedule::LrSchedule;
pub use state_dict::{ModelIoError, StateDictError};
pub use train_error::{NonFinite, TrainError};
pub use trainer::{BatchMode, EarlyStopping, Metric, Trainer};
