//! Writing named tensors as safetensors bytes and files.

use super::IoError;
use safetensors::{Dtype, View};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use tapegrad::{Float, Tensor};

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
    let mut seen = HashSet::new();
    if let Some((name, _)) = tensors.iter().find(|(name, _)| !seen.insert(*name)) {
        return Err(IoError::DuplicateName {
            name: (*name).to_string(),
        });
    }
    let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
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
    let path = path.as_ref();
    let bytes = serialize_safetensors(tensors)?;
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
