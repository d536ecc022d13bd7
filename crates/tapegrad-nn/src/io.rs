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

use indexmap::IndexMap;
use safetensors::tensor::TensorInfo;
use safetensors::{Dtype, SafeTensorError, SafeTensors, View};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use tapegrad::{Float, Tensor};

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
    /// A tensor's element type is neither `F32` nor `F64`.
    #[error("tensor `{name}`: dtype {dtype} is not supported (only F32 and F64)")]
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
    /// Two tensors to save have the same name.
    #[error("tensor name `{name}` appears twice")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
}

/// A tensor seen by the safetensors writer: little-endian bytes of `T`.
struct LeBytes<'a, T: Float>(&'a Tensor<T>);

fn dtype_of<T: Float>() -> Dtype {
    if T::NAME == "f32" {
        Dtype::F32
    } else {
        Dtype::F64
    }
}

impl<T: Float> View for LeBytes<'_, T> {
    fn dtype(&self) -> Dtype {
        dtype_of::<T>()
    }

    fn shape(&self) -> &[usize] {
        self.0.shape().dims()
    }

    fn data(&self) -> Cow<'_, [u8]> {
        let xs = self.0.data();
        let bytes: Vec<u8> = match dtype_of::<T>() {
            // `T` is f32 here, so widening to f64 and back is exact.
            Dtype::F32 => xs
                .iter()
                .flat_map(|&x| (<T as Float>::to_f64(x) as f32).to_le_bytes())
                .collect(),
            _ => xs
                .iter()
                .flat_map(|&x| <T as Float>::to_f64(x).to_le_bytes())
                .collect(),
        };
        Cow::Owned(bytes)
    }

    fn data_len(&self) -> usize {
        self.0.numel() * std::mem::size_of::<T>()
    }
}

/// Encodes named tensors as the bytes of a safetensors file (`F32` for
/// `f32`, `F64` for `f64`). The file lists tensors sorted by name.
///
/// # Errors
/// [`IoError::DuplicateName`] when a name repeats.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::io::{deserialize_safetensors, serialize_safetensors};
/// let t = Tensor::from_vec(vec![1.0f64, 2.0], [2]);
/// let bytes = serialize_safetensors(&[("t", &t)])?;
/// assert_eq!(deserialize_safetensors::<f64>(&bytes)?["t"], t);
/// # Ok::<(), tapegrad_nn::io::IoError>(())
/// ```
pub fn serialize_safetensors<T: Float>(tensors: &[(&str, &Tensor<T>)]) -> Result<Vec<u8>, IoError> {
    serialize_safetensors_with_metadata(tensors, &[])
}

/// Like [`serialize_safetensors`], with extra `(key, value)` entries in the
/// file's `__metadata__` (beside `"format": "pt"`).
///
/// # Errors
/// [`IoError::DuplicateName`] when a tensor name repeats.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::io::{read_safetensors_metadata, serialize_safetensors_with_metadata};
/// let t = Tensor::<f32>::ones([2]);
/// let bytes = serialize_safetensors_with_metadata(&[("t", &t)], &[("note", "hello")])?;
/// assert_eq!(read_safetensors_metadata(&bytes)?["note"], "hello");
/// # Ok::<(), tapegrad_nn::io::IoError>(())
/// ```
pub fn serialize_safetensors_with_metadata<T: Float>(
    tensors: &[(&str, &Tensor<T>)],
    extra: &[(&str, &str)],
) -> Result<Vec<u8>, IoError> {
    let mut seen = HashSet::new();
    if let Some((name, _)) = tensors.iter().find(|(name, _)| !seen.insert(*name)) {
        return Err(IoError::DuplicateName {
            name: (*name).to_string(),
        });
    }
    let mut metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    metadata.extend(extra.iter().map(|&(k, v)| (k.to_string(), v.to_string())));
    let views = tensors.iter().map(|&(name, t)| (name, LeBytes(t)));
    Ok(safetensors::serialize(views, Some(metadata))?)
}

/// Saves named tensors to `path` as safetensors (see [`serialize_safetensors`]).
///
/// The bytes go to `<path>.tmp` first, are flushed to disk, and the file is
/// then renamed over `path`: a crash leaves either the old file or the new
/// one, never a half-written model.
///
/// # Errors
/// [`IoError::DuplicateName`] when a name repeats, [`IoError::Write`] when
/// the file cannot be written or renamed.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::io::save_safetensors;
/// let dir = std::env::temp_dir();
/// let path = dir.join(format!("tapegrad-save-doc-{}.safetensors", std::process::id()));
/// save_safetensors(&path, &[("w", &Tensor::<f32>::eye(3))])?;
/// assert!(path.exists());
/// std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn save_safetensors<T: Float>(
    path: impl AsRef<Path>,
    tensors: &[(&str, &Tensor<T>)],
) -> Result<(), IoError> {
    save_safetensors_with_metadata(path, tensors, &[])
}

/// Like [`save_safetensors`], with extra `__metadata__` entries (see
/// [`serialize_safetensors_with_metadata`]).
///
/// # Errors
/// As [`save_safetensors`].
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::io::{read_safetensors_metadata, save_safetensors_with_metadata};
/// let path = std::env::temp_dir().join(format!("tapegrad-meta-doc-{}.safetensors", std::process::id()));
/// save_safetensors_with_metadata(&path, &[("w", &Tensor::<f64>::eye(2))], &[("k", "v")])?;
/// assert_eq!(read_safetensors_metadata(&std::fs::read(&path)?)?["k"], "v");
/// std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn save_safetensors_with_metadata<T: Float>(
    path: impl AsRef<Path>,
    tensors: &[(&str, &Tensor<T>)],
    extra: &[(&str, &str)],
) -> Result<(), IoError> {
    let path = path.as_ref();
    let bytes = serialize_safetensors_with_metadata(tensors, extra)?;
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let written = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&bytes).and_then(|()| f.sync_all()))
        .map_err(|source| IoError::Write {
            path: tmp.clone(),
            source,
        })
        .and_then(|()| {
            fs::rename(&tmp, path).map_err(|source| IoError::Write {
                path: path.to_path_buf(),
                source,
            })
        });
    if written.is_err() {
        // Best effort: the write already failed and that error is the one to report.
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Loads every tensor of a safetensors file, converted to `T`, keyed by
/// name in file order (by data offset). See [`deserialize_safetensors`].
///
/// # Errors
/// [`IoError::Read`] when the file cannot be read, otherwise as
/// [`deserialize_safetensors`].
///
/// ```
/// use tapegrad_nn::io::{load_safetensors, IoError};
/// let err = load_safetensors::<f32>("/no/such/model.safetensors").unwrap_err();
/// assert!(matches!(err, IoError::Read { .. }));
/// ```
pub fn load_safetensors<T: Float>(
    path: impl AsRef<Path>,
) -> Result<IndexMap<String, Tensor<T>>, IoError> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    deserialize_safetensors(&bytes)
}

/// Decodes the bytes of a safetensors file into tensors of `T`, keyed by
/// name in file order (by data offset).
///
/// Both `F32` and `F64` tensors are accepted and converted to `T`: `F32` →
/// `f64` is exact, `F64` → `f32` rounds to nearest. Malformed or truncated
/// input is an error, never a panic.
///
/// # Errors
/// [`IoError::Format`] when the header or layout is invalid,
/// [`IoError::DataLength`] (naming the tensor) when a tensor's byte range
/// does not match its shape, [`IoError::UnsupportedDtype`] (naming the
/// tensor) for any dtype other than `F32`/`F64`, including dtypes
/// safetensors itself does not know.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::io::{deserialize_safetensors, serialize_safetensors};
/// let bytes = serialize_safetensors(&[("w", &Tensor::from_vec(vec![0.1f64, 0.2], [1, 2]))])?;
/// let as_f32 = deserialize_safetensors::<f32>(&bytes)?;
/// assert_eq!(as_f32["w"].data(), &[0.1f32, 0.2]);
/// assert!(deserialize_safetensors::<f32>(&bytes[..bytes.len() - 1]).is_err());
/// # Ok::<(), tapegrad_nn::io::IoError>(())
/// ```
pub fn deserialize_safetensors<T: Float>(
    bytes: &[u8],
) -> Result<IndexMap<String, Tensor<T>>, IoError> {
    let (header_len, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| match e {
        SafeTensorError::TensorInvalidInfo | SafeTensorError::InvalidHeaderDeserialization(_) => {
            name_bad_tensor(bytes).unwrap_or(IoError::Format(e))
        }
        e => IoError::Format(e),
    })?;
    let data = bytes.get(8 + header_len..).unwrap_or_default();
    let names = metadata.offset_keys();
    let mut out = IndexMap::with_capacity(names.len());
    for name in names {
        let Some(info) = metadata.info(&name) else {
            continue;
        };
        let tensor = decode(&name, info, data)?;
        out.insert(name, tensor);
    }
    Ok(out)
}

fn decode<T: Float>(name: &str, info: &TensorInfo, data: &[u8]) -> Result<Tensor<T>, IoError> {
    let width = match info.dtype {
        Dtype::F32 => 4,
        Dtype::F64 => 8,
        other => {
            return Err(IoError::UnsupportedDtype {
                name: name.to_string(),
                dtype: other.to_string(),
            })
        }
    };
    check_length(name, info)?;
    let (start, end) = info.data_offsets;
    let bytes = data
        .get(start..end)
        .ok_or_else(|| length_error(name, info))?;
    let values: Vec<T> = if width == 4 {
        bytes
            .chunks_exact(4)
            .map(|c| T::from_f64(f64::from(f32::from_le_bytes(le(c)))))
            .collect()
    } else {
        bytes
            .chunks_exact(8)
            .map(|c| T::from_f64(f64::from_le_bytes(le(c))))
            .collect()
    };
    Ok(Tensor::from_vec(values, info.shape.clone()))
}

fn le<const N: usize>(chunk: &[u8]) -> [u8; N] {
    let mut a = [0; N];
    a.copy_from_slice(chunk);
    a
}

/// Bytes the shape needs, `None` on overflow or a sub-byte dtype.
fn needed_bytes(info: &TensorInfo) -> Option<usize> {
    let numel = info
        .shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))?;
    let bits = numel.checked_mul(info.dtype.bitsize())?;
    (bits % 8 == 0).then_some(bits / 8)
}

fn check_length(name: &str, info: &TensorInfo) -> Result<(), IoError> {
    let (start, end) = info.data_offsets;
    match needed_bytes(info) {
        Some(n) if end >= start && end - start == n => Ok(()),
        _ => Err(length_error(name, info)),
    }
}

fn length_error(name: &str, info: &TensorInfo) -> IoError {
    let (start, end) = info.data_offsets;
    IoError::DataLength {
        name: name.to_string(),
        shape: info.shape.clone(),
        dtype: info.dtype.to_string(),
        expected: needed_bytes(info).unwrap_or(usize::MAX),
        found: end.saturating_sub(start),
    }
}

/// safetensors reports a shape/length mismatch or an unknown dtype without
/// the tensor's name; re-reads the header to find which tensor it was.
fn name_bad_tensor(bytes: &[u8]) -> Option<IoError> {
    let n = usize::try_from(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)).ok()?;
    let header = std::str::from_utf8(bytes.get(8..8usize.checked_add(n)?)?).ok()?;
    let entries: BTreeMap<String, Value> = serde_json::from_str(header).ok()?;
    entries
        .into_iter()
        .filter(|(name, _)| name != "__metadata__")
        .find_map(|(name, entry)| {
            let dtype = entry
                .get("dtype")
                .and_then(Value::as_str)
                .map(str::to_owned);
            match serde_json::from_value::<TensorInfo>(entry) {
                Ok(info) => check_length(&name, &info).err(),
                Err(_) => dtype
                    .filter(|d| serde_json::from_value::<Dtype>(Value::String(d.clone())).is_err())
                    .map(|dtype| IoError::UnsupportedDtype { name, dtype }),
            }
        })
}

/// The `__metadata__` entries of a safetensors file's bytes (empty when the
/// file has none).
///
/// # Errors
/// [`IoError::Format`] when the header is invalid.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::io::{read_safetensors_metadata, serialize_safetensors};
/// let bytes = serialize_safetensors(&[("t", &Tensor::<f32>::ones([1]))])?;
/// assert_eq!(read_safetensors_metadata(&bytes)?["format"], "pt");
/// # Ok::<(), tapegrad_nn::io::IoError>(())
/// ```
pub fn read_safetensors_metadata(bytes: &[u8]) -> Result<HashMap<String, String>, IoError> {
    let (_, metadata) = SafeTensors::read_metadata(bytes)?;
    Ok(metadata.metadata().clone().unwrap_or_default())
}
