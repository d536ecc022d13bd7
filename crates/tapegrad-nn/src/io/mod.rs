//! Saving and loading parameters as safetensors, with PyTorch names and layouts.
//!
//! Tensors are stored row-major under the shapes given, as `F32` or `F64`
//! according to the element type, with the metadata `{"format": "pt"}` that
//! PyTorch tooling expects. A PyTorch `Linear` weight is `[out, in]`
//! (`y = x · Wᵀ + b`), which is what `x.matmul_t(w, false, true)` computes.
//!
//! ```
//! use tapegrad::Tensor;
//! use tapegrad_nn::io::{load_safetensors, save_safetensors};
//! let path = std::env::temp_dir().join(format!("tapegrad-io-doc-{}.safetensors", std::process::id()));
//! let w = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
//! let b = Tensor::from_vec(vec![0.5f32, -0.5], [2]);
//! save_safetensors(&path, &[("0.weight", &w), ("0.bias", &b)])?;
//! let loaded = load_safetensors::<f32>(&path)?;
//! assert_eq!(loaded["0.weight"], w);
//! assert_eq!(loaded.keys().collect::<Vec<_>>(), ["0.bias", "0.weight"]); // file order
//! std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod options;
mod read;
mod write;

pub use error::IoError;
pub use options::LoadOptions;
pub use read::{
    deserialize_safetensors, deserialize_safetensors_with, load_safetensors, load_safetensors_with,
};
pub use write::{save_safetensors, serialize_safetensors};
