//! The layers: each a [`Module`](crate::Module) in PyTorch's parameter
//! names, layouts and default initialization.

mod activation;
mod batch_norm;
mod conv;
mod dropout;
mod embedding;
mod flatten;
mod layer_norm;
mod linear;
mod pool;

pub use activation::ActivationLayer;
pub use batch_norm::BatchNorm;
pub use conv::{Conv1d, Conv2d};
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use flatten::{Flatten, Unflatten};
pub use layer_norm::LayerNorm;
pub use linear::Linear;
pub use pool::{AvgPool2d, MaxPool2d};
