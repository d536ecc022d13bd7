//! # tapegrad-nn
//!
//! Multilayer perceptrons on top of [`tapegrad`]: parameters owned outside
//! the tape in flat buffers, layers and activations, initializers, losses,
//! optimizers, a trainer with diagnostics, and safetensors I/O.

#![warn(missing_docs)]

pub mod data;
pub mod io;
