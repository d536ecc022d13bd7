//! The layers: each a [`Module`](crate::Module) in PyTorch's parameter
//! names, layouts and default initialization.

mod activation;
mod dropout;
mod flatten;
mod linear;

pub use activation::ActivationLayer;
pub use dropout::Dropout;
pub use flatten::{Flatten, Unflatten};
pub use linear::Linear;
