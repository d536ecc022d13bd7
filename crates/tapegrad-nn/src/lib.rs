//! # tapegrad-nn
//!
//! Neural networks on top of [`tapegrad`]: a [`Module`] trait that layers
//! and user models implement, [`Model`]s built in a [`Scope`] that names
//! parameters as PyTorch does, [`Sequential`], the layers ([`Linear`],
//! [`Conv1d`], [`Conv2d`], [`MaxPool2d`], [`AvgPool2d`], [`Flatten`],
//! [`LayerNorm`], [`BatchNorm`] with running statistics, [`Embedding`],
//! dropout, every activation), state dicts of any model that PyTorch reads
//! and writes, and a [`Trainer`] that takes any model and any
//! [`Objective`] ([`LossFn`]: custom losses, regularizers, gradient
//! penalties) with metrics by [`Task`] and gradient clipping.
//!
//! The multilayer perceptron came first: parameters owned outside
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
//! See `docs/nn.md` (in the repository's `docs/` folder) for the design,
//! the PyTorch name mapping and measured figures, and `docs/tutorial.md`
//! for a walk from one scalar to a trained network.
//!
//! ## Cargo features
//!
//! | feature | default | adds |
//! |---|---|---|
//! | `safetensors` | on | [`Mlp::save`], [`Mlp::load`] and the `io` module: safetensors files PyTorch reads |
//! | `progress` | on | the progress bar of [`Trainer::progress`] (indicatif), drawn on stderr only when it is a terminal |
//! | `csv-gz` | on | gzip-compressed CSV in [`data::load_csv`] and the embedded [`data::digits`] set (flate2) |
//! | `serde` | off | `Serialize`/`Deserialize` for `Tensor`, [`History`], [`EpochRecord`], [`Evaluation`], [`Activation`], [`data::Standardizer`], [`Diagnostics`] |
//! | `ndarray` | off | tapegrad's `Tensor` ⇄ `ndarray` conversions |
//!
//! `--no-default-features` leaves a pure-compute crate (no file formats, no
//! terminal, no gzip). The crates that appear in the API are re-exported:
//! [`tapegrad`], [`indexmap`] (state dicts) and [`rand`] (initializers).

#![warn(missing_docs)]

mod activation;
mod context;
pub mod data;
mod diagnostics;
mod evaluate;
mod history;
mod history_export;
mod init;
#[cfg(feature = "safetensors")]
pub mod io;
mod layers;
mod loss;
mod metrics;
mod mlp;
mod model;
mod module;
mod network;
mod objective;
mod optim;
mod params;
#[cfg(feature = "plots")]
pub mod plots;
mod progress;
#[cfg(feature = "plots")]
pub mod report;
mod schedule;
mod scope;
mod sequential;
mod state_dict;
mod train_error;
mod trainer;

/// The core crate: `Tensor`, `Tape`, `Var` of this crate's API.
pub use tapegrad;

/// The `indexmap` crate of [`Mlp::state_dict`] and [`Params::load_state_dict`].
pub use indexmap;

/// The `rand` crate whose generators [`Linear::new`] and [`Init`] take.
pub use rand;

pub use activation::Activation;
pub use context::ForwardCtx;
pub use diagnostics::{ActivationStats, Diagnostics, LayerDiagnostics, SATURATED_SHARE};
pub use evaluate::{count_correct, evaluate, evaluate_with, Evaluation};
pub use history::{EpochRecord, History, StopReason};
pub use init::Init;
pub use layers::{
    ActivationLayer, AvgPool2d, BatchNorm, Conv1d, Conv2d, Dropout, Embedding, Flatten, LayerNorm,
    Linear, MaxPool2d, Unflatten,
};
pub use loss::{bce_with_logits, cross_entropy, loss_of, mse, Loss};
pub use metrics::RegressionMetrics;
pub use mlp::{Layer, Mlp, MlpBuilder};
pub use model::Model;
pub use module::{Cx, Module};
pub use network::{Network, ParamGroup};
pub use objective::{LossFn, Objective, StepVars, Task};
pub use optim::{Adam, Optimizer, Sgd};
pub use params::{Bound, ParamId, ParamInfo, Params};
pub use schedule::LrSchedule;
pub use scope::Scope;
pub use sequential::{Sequential, SequentialBuilder};
#[cfg(feature = "safetensors")]
pub use state_dict::ModelIoError;
pub use state_dict::StateDictError;
pub use train_error::{NonFinite, TrainError};
pub use trainer::{BatchMode, EarlyStopping, Metric, Trainer};

/// The tutorial's snippets run as doctests here, where both crates are in
/// scope, so the guide cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/tutorial.md")]
struct TutorialDoctests;
/// The crate README's example runs as a doctest.
#[cfg(all(doctest, feature = "csv-gz"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
