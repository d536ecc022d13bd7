//! The error type of safetensors reading and writing; every variant about
//! a tensor names it.

use safetensors::SafeTensorError;
use std::path::PathBuf;

/// Why tensors could not be saved or loaded.
///
/// ```
/// use tapegrad_nn::io::{deserialize_safetensors, IoError};
/// let err = deserialize_safetensors::<f32>(b"not a safetensors file").unwrap_err();
/// assert!(matches!(err, IoError::Format(_)));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file (or its temporary sibling) could not be written or renamed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The bytes are not a valid safetensors file (bad header, truncated, …).
    #[error("invalid safetensors data: {0}")]
    Format(#[from] SafeTensorError),
    /// A tensor's element type is none of `F16`, `BF16`, `F32`, `F64`, `I64`.
    #[error("tensor `{name}`: dtype {dtype} is not supported (only F16, BF16, F32, F64 and I64)")]
    UnsupportedDtype {
        /// The tensor.
        name: String,
        /// Its dtype as safetensors spells it.
        dtype: String,
    },
    /// A tensor's byte range does not hold exactly its shape's elements.
    #[error("tensor `{name}`: shape {shape:?} of {dtype} needs {expected} bytes, the file gives it {found}")]
    DataLength {
        /// The tensor.
        name: String,
        /// Its declared shape.
        shape: Vec<usize>,
        /// Its dtype as safetensors spells it.
        dtype: String,
        /// Bytes the shape needs (`usize::MAX` when that overflows).
        expected: usize,
        /// Bytes the file assigns to it.
        found: usize,
    },
    /// A value is NaN or infinite, and the load was not told to allow
    /// that ([`LoadOptions::allow_non_finite`](super::LoadOptions::allow_non_finite)).
    #[error("tensor `{name}`: element {index} is {value}, not a finite number (LoadOptions::allow_non_finite(true) accepts it)")]
    NonFinite {
        /// The tensor.
        name: String,
        /// The element's position in row-major order.
        index: usize,
        /// The value as stored.
        value: f64,
    },
    /// A finite `F64` value is too large for the `f32` it is loaded into.
    #[error("tensor `{name}`: element {index} = {value:e} overflows f32")]
    Overflow {
        /// The tensor.
        name: String,
        /// The element's position in row-major order.
        index: usize,
        /// The value as stored.
        value: f64,
    },
    /// Two tensors to save have the same name.
    #[error("tensor name `{name}` appears twice")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
}
