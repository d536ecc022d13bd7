//! The layers: each a [`Module`](crate::Module) in PyTorch's parameter
//! names, layouts and default initialization.

mod activation;
mod batch_norm;
mod dropout;
mod embedding;
mod flatten;
mod layer_norm;
mod linear;

pub use activation::ActivationLayer;
pub use batch_norm::BatchNorm;
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use flatten::{Flatten, Unflatten};
pub use layer_norm::LayerNorm;
pub use linear::Linear;
