//! Reading safetensors bytes and files into tensors, with errors that name
//! the tensor.

use super::{IoError, LoadOptions};
use indexmap::IndexMap;
use safetensors::tensor::TensorInfo;
use safetensors::{Dtype, SafeTensorError, SafeTensors};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;
use tapegrad::{Float, Tensor};

/// Loads every tensor of a safetensors file, converted to `T`, keyed by
/// name in file order (by data offset), keeping the values as stored
/// (NaN and infinity included). See [`deserialize_safetensors`]; this is
/// [`load_safetensors_with`] allowing non-finite values.
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
    load_safetensors_with(path, &LoadOptions::default().allow_non_finite(true))
}

/// [`load_safetensors`] with explicit [`LoadOptions`]. The 8-byte header
/// length is checked against the file's size before anything else is
/// read, so a file that is not safetensors is rejected without reading it.
///
/// # Errors
/// [`IoError::Read`] when the file cannot be read, [`IoError::Format`] when
/// its header length does not fit the file, otherwise as
/// [`deserialize_safetensors_with`].
///
/// ```
/// use tapegrad_nn::io::{load_safetensors_with, IoError, LoadOptions};
/// let path = std::env::temp_dir().join(format!("tapegrad-not-st-{}.bin", std::process::id()));
/// std::fs::write(&path, b"PK\x03\x04 this is a zip archive, not a model")?;
/// let err = load_safetensors_with::<f32>(&path, &LoadOptions::default()).unwrap_err();
/// assert!(matches!(err, IoError::Format(_)), "{err}");
/// std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_safetensors_with<T: Float>(
    path: impl AsRef<Path>,
    options: &LoadOptions,
) -> Result<IndexMap<String, Tensor<T>>, IoError> {
    deserialize_safetensors_with(&read_safetensors_file(path)?, options)
}

/// The bytes of a safetensors file, its header length checked against the
/// file's size before the rest is read (a large file that is no
/// safetensors file is rejected after 8 bytes).
pub(crate) fn read_safetensors_file(path: impl AsRef<Path>) -> Result<Vec<u8>, IoError> {
    let path = path.as_ref();
    let read_error = |source| IoError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::File::open(path).map_err(read_error)?;
    let size = file.metadata().map_err(read_error)?.len();
    let mut prefix = [0u8; 8];
    if size < 8 {
        return Err(IoError::Format(SafeTensorError::HeaderTooSmall));
    }
    file.read_exact(&mut prefix).map_err(read_error)?;
    check_header_length(u64::from_le_bytes(prefix), size)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    bytes.extend_from_slice(&prefix);
    file.read_to_end(&mut bytes).map_err(read_error)?;
    Ok(bytes)
}

/// The header must fit in the file after its 8-byte length, and within
/// safetensors' own limit.
fn check_header_length(n: u64, file_size: u64) -> Result<(), IoError> {
    const MAX_HEADER: u64 = 100_000_000;
    if n > MAX_HEADER {
        Err(IoError::Format(SafeTensorError::HeaderTooLarge))
    } else if n.saturating_add(8) > file_size {
        Err(IoError::Format(SafeTensorError::InvalidHeaderLength))
    } else {
        Ok(())
    }
}

/// Decodes the bytes of a safetensors file into tensors of `T`, keyed by
/// name in file order (by data offset), keeping the values as stored (NaN
/// and infinity included); this is [`deserialize_safetensors_with`]
/// allowing non-finite values.
///
/// `F16`, `BF16`, `F32`, `F64` and `I64` tensors are accepted and converted
/// to `T`: `F16` and `BF16` → `f32`/`f64` and `F32` → `f64` are exact (every
/// such value is representable), `I64` (PyTorch's `num_batches_tracked`) is
/// exact up to 2^53 (2^24 in `f32`), `F64` → `f32` rounds to nearest, and a finite value that
/// overflows `f32` is an error. Malformed or truncated input is an error,
/// never a panic.
///
/// # Errors
/// [`IoError::Overflow`] (naming the tensor and element) for an `F64` value
/// beyond `f32`'s range, [`IoError::Format`] when the header or layout is invalid,
/// [`IoError::DataLength`] (naming the tensor) when a tensor's byte range
/// does not match its shape, [`IoError::UnsupportedDtype`] (naming the
/// tensor) for any other dtype, including dtypes
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
    deserialize_safetensors_with(bytes, &LoadOptions::default().allow_non_finite(true))
}

/// [`deserialize_safetensors`] with explicit [`LoadOptions`]: by default a
/// NaN or infinite value is an error naming the tensor and element.
///
/// # Errors
/// [`IoError::NonFinite`] for a NaN or infinite value unless the options
/// allow it, otherwise as [`deserialize_safetensors`].
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::io::{deserialize_safetensors_with, serialize_safetensors, IoError, LoadOptions};
/// let bytes = serialize_safetensors(&[("b", &Tensor::from_vec(vec![f64::INFINITY], [1]))])?;
/// let err = deserialize_safetensors_with::<f64>(&bytes, &LoadOptions::default()).unwrap_err();
/// assert_eq!(err.to_string().split(':').next(), Some("tensor `b`"));
/// # Ok::<(), IoError>(())
/// ```
pub fn deserialize_safetensors_with<T: Float>(
    bytes: &[u8],
    options: &LoadOptions,
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
        let tensor = decode(&name, info, data, options)?;
        out.insert(name, tensor);
    }
    Ok(out)
}

fn decode<T: Float>(
    name: &str,
    info: &TensorInfo,
    data: &[u8],
    options: &LoadOptions,
) -> Result<Tensor<T>, IoError> {
    let width = match info.dtype {
        Dtype::F16 | Dtype::BF16 => 2,
        Dtype::F32 => 4,
        Dtype::F64 | Dtype::I64 => 8,
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
    // Every stored value as f64: exact for the float types; for I64
    // (PyTorch's `num_batches_tracked`) exact up to 2^53.
    let dtype = info.dtype;
    let stored = bytes.chunks_exact(width).map(|c| match dtype {
        Dtype::F16 => f64::from(half::f16::from_le_bytes(le(c))),
        Dtype::BF16 => f64::from(half::bf16::from_le_bytes(le(c))),
        Dtype::F32 => f64::from(f32::from_le_bytes(le(c))),
        Dtype::I64 => i64::from_le_bytes(le(c)) as f64,
        _ => f64::from_le_bytes(le(c)),
    });
    let mut values = Vec::with_capacity(bytes.len() / width);
    for (index, v) in stored.enumerate() {
        let x = T::from_f64(v);
        let fail = |make: fn(String, usize, f64) -> IoError| Err(make(name.to_string(), index, v));
        if !v.is_finite() && !options.allow_non_finite {
            return fail(|name, index, value| IoError::NonFinite { name, index, value });
        }
        if v.is_finite() && !x.is_finite() {
            return fail(|name, index, value| IoError::Overflow { name, index, value });
        }
        values.push(x);
    }
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
pub fn read_safetensors_metadata(
    bytes: &[u8],
) -> Result<std::collections::HashMap<String, String>, IoError> {
    let (_, metadata) = SafeTensors::read_metadata(bytes)?;
    Ok(metadata.metadata().clone().unwrap_or_default())
}
