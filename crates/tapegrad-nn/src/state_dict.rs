//! State dicts: the parameters as named tensors, with PyTorch's names and
//! layouts, and their safetensors files (through [`crate::io`]).
//!
//! Loading checks every name and shape before it changes anything, so a bad
//! file leaves the model as it was.

use crate::io::{load_safetensors_with, save_safetensors, IoError, LoadOptions};
use crate::{Mlp, Params};
use indexmap::IndexMap;
use std::path::Path;
use tapegrad::{Float, Tensor};

/// Why a state dict does not fit a model. Every variant names the tensor.
///
/// ```
/// use tapegrad_nn::{Activation, Mlp, StateDictError};
/// let mut mlp: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Relu).output(1);
/// let mut sd = mlp.state_dict();
/// sd.shift_remove("0.bias");
/// let err = mlp.load_state_dict(&sd).unwrap_err();
/// assert_eq!(err, StateDictError::Missing { name: "0.bias".into(), expected: vec![3] });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StateDictError {
    /// The state dict has a tensor the model does not.
    #[error("unknown tensor `{name}`: the model has no parameter of that name (it has {known})")]
    Unknown {
        /// The tensor.
        name: String,
        /// The model's parameter names, comma-separated.
        known: String,
    },
    /// The model has a parameter the state dict lacks.
    #[error("missing tensor `{name}`: the model needs it, shape {expected:?}")]
    Missing {
        /// The parameter.
        name: String,
        /// Its shape in the model.
        expected: Vec<usize>,
    },
    /// A tensor's shape differs from the parameter's.
    #[error("tensor `{name}` has shape {found:?}, the model's parameter has shape {expected:?}")]
    Shape {
        /// The tensor.
        name: String,
        /// The model's shape.
        expected: Vec<usize>,
        /// The state dict's shape.
        found: Vec<usize>,
    },
}

/// Why a model could not be saved or loaded.
///
/// ```
/// use tapegrad_nn::{Activation, Mlp, ModelIoError};
/// let mut mlp: Mlp<f32> = Mlp::new(2).output(1);
/// let err = mlp.load("/nonexistent/model.safetensors").unwrap_err();
/// assert!(matches!(err, ModelIoError::Io(_)));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ModelIoError {
    /// Reading, writing or decoding the file failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The file's tensors do not fit the model.
    #[error(transparent)]
    StateDict(#[from] StateDictError),
}

impl<T: Float> Params<T> {
    /// Every tensor by name, in store order.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let mut p = tapegrad_nn::Params::<f32>::new();
    /// p.push("0.weight", Tensor::ones([2, 2]));
    /// assert_eq!(p.state_dict()["0.weight"], Tensor::ones([2, 2]));
    /// ```
    #[must_use]
    pub fn state_dict(&self) -> IndexMap<String, Tensor<T>> {
        self.iter()
            .map(|(name, info)| {
                (
                    name.to_string(),
                    Tensor::from_slice(&self.values()[info.range()], info.shape.clone()),
                )
            })
            .collect()
    }

    /// Copies every tensor of `state` into the parameter of the same name.
    /// The names must match exactly (no missing, no unknown tensor) and each
    /// shape must equal the parameter's; nothing changes unless all do.
    ///
    /// # Errors
    /// [`StateDictError`] naming the first tensor that is unknown, missing or
    /// of the wrong shape.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::{Params, StateDictError};
    /// let mut p = Params::<f64>::new();
    /// p.push("w", Tensor::zeros([2]));
    /// let mut sd = indexmap::IndexMap::new();
    /// sd.insert("w".to_string(), Tensor::zeros([3]));
    /// assert!(matches!(p.load_state_dict(&sd), Err(StateDictError::Shape { .. })));
    /// sd.insert("w".to_string(), Tensor::ones([2]));
    /// p.load_state_dict(&sd)?;
    /// assert_eq!(p.values(), &[1.0, 1.0]);
    /// # Ok::<(), StateDictError>(())
    /// ```
    pub fn load_state_dict(
        &mut self,
        state: &IndexMap<String, Tensor<T>>,
    ) -> Result<(), StateDictError> {
        for (name, t) in state {
            let Some(id) = self.id(name) else {
                let known: Vec<&str> = self.iter().map(|(n, _)| n).collect();
                return Err(StateDictError::Unknown {
                    name: name.clone(),
                    known: known.join(", "),
                });
            };
            let expected = &self.info(id).shape;
            if t.shape() != expected {
                return Err(StateDictError::Shape {
                    name: name.clone(),
                    expected: expected.dims().to_vec(),
                    found: t.shape().dims().to_vec(),
                });
            }
        }
        if let Some((name, info)) = self.iter().find(|(n, _)| !state.contains_key(*n)) {
            return Err(StateDictError::Missing {
                name: name.to_string(),
                expected: info.shape.dims().to_vec(),
            });
        }
        for (name, t) in state {
            if let Some(id) = self.id(name) {
                self.value_mut(id).copy_from_slice(t.data());
            }
        }
        Ok(())
    }
}

impl<T: Float> Mlp<T> {
    /// The parameters as PyTorch's `model.state_dict()` names them
    /// (`0.weight`, `0.bias`, `2.weight`, …; see `docs/nn.md`).
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Mlp};
    /// let mlp: Mlp<f32> = Mlp::new(4).hidden(8, Activation::Relu).output(3);
    /// let sd = mlp.state_dict();
    /// assert_eq!(sd["2.weight"].shape().dims(), &[3, 8]); // [out, in]
    /// ```
    #[must_use]
    pub fn state_dict(&self) -> IndexMap<String, Tensor<T>> {
        self.params().state_dict()
    }

    /// Loads a state dict (see [`Params::load_state_dict`]).
    ///
    /// # Errors
    /// [`StateDictError`] naming the tensor that is unknown, missing or of
    /// the wrong shape; the model is then unchanged.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Mlp};
    /// let a: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Swish).seed(1).output(1);
    /// let mut b: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Swish).seed(2).output(1);
    /// b.load_state_dict(&a.state_dict())?;
    /// assert_eq!(a.params().values(), b.params().values());
    /// # Ok::<(), tapegrad_nn::StateDictError>(())
    /// ```
    pub fn load_state_dict(
        &mut self,
        state: &IndexMap<String, Tensor<T>>,
    ) -> Result<(), StateDictError> {
        self.params_mut().load_state_dict(state)
    }

    /// Writes the state dict as a safetensors file that PyTorch loads with
    /// `model.load_state_dict(safetensors.torch.load_file(path))`.
    ///
    /// # Errors
    /// [`ModelIoError::Io`] when the file cannot be written.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Mlp};
    /// let mlp: Mlp<f64> = Mlp::new(4).hidden(8, Activation::Selu).output(3);
    /// let path = std::env::temp_dir().join(format!("tapegrad-mlp-doc-{}.safetensors", std::process::id()));
    /// mlp.save(&path)?;
    /// let mut other: Mlp<f64> = Mlp::new(4).hidden(8, Activation::Selu).seed(9).output(3);
    /// other.load(&path)?;
    /// assert_eq!(other.params().values(), mlp.params().values());
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ModelIoError> {
        let sd = self.state_dict();
        let named: Vec<(&str, &Tensor<T>)> = sd.iter().map(|(k, v)| (k.as_str(), v)).collect();
        save_safetensors(path, &named)?;
        Ok(())
    }

    /// Reads a safetensors state dict (saved by [`save`](Mlp::save) or by
    /// PyTorch's `safetensors.torch.save_file(model.state_dict(), path)`).
    ///
    /// NaN and infinite values are refused (see [`Mlp::load_with`] to
    /// accept them), and so is an `F64` value that overflows an `f32` model.
    ///
    /// # Errors
    /// [`ModelIoError::Io`] for unreadable, malformed or truncated files,
    /// unsupported dtypes, non-finite or overflowing values (naming the
    /// tensor and element); [`ModelIoError::StateDict`] for unknown, missing
    /// or wrongly shaped tensors. The model is unchanged on error.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Mlp, ModelIoError, StateDictError};
    /// let path = std::env::temp_dir().join(format!("tapegrad-load-doc-{}.safetensors", std::process::id()));
    /// let a: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Tanh).seed(1).output(1);
    /// a.save(&path)?;
    /// let mut wrong: Mlp<f32> = Mlp::new(2).hidden(4, Activation::Tanh).output(1);
    /// let err = wrong.load(&path).unwrap_err();
    /// assert!(matches!(err, ModelIoError::StateDict(StateDictError::Shape { .. })), "{err}");
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(&mut self, path: impl AsRef<Path>) -> Result<(), ModelIoError> {
        self.load_with(path, &LoadOptions::default())
    }

    /// [`load`](Mlp::load) with explicit [`LoadOptions`], e.g. to inspect
    /// the parameters of a run that diverged.
    ///
    /// # Errors
    /// As [`load`](Mlp::load); non-finite values only when `options`
    /// refuse them. The model is unchanged on error.
    ///
    /// ```
    /// use tapegrad_nn::io::LoadOptions;
    /// use tapegrad_nn::{Activation, Mlp, ModelIoError};
    /// let path = std::env::temp_dir().join(format!("tapegrad-nan-doc-{}.safetensors", std::process::id()));
    /// let mut diverged: Mlp<f32> = Mlp::new(1).output(1);
    /// diverged.params_mut().values_mut()[0] = f32::NAN;
    /// diverged.save(&path)?;
    /// let mut m: Mlp<f32> = Mlp::new(1).output(1);
    /// assert!(matches!(m.load(&path), Err(ModelIoError::Io(_))));
    /// m.load_with(&path, &LoadOptions::default().allow_non_finite(true))?;
    /// assert!(m.params().values()[0].is_nan());
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_with(
        &mut self,
        path: impl AsRef<Path>,
        options: &LoadOptions,
    ) -> Result<(), ModelIoError> {
        let sd = load_safetensors_with::<T>(path, options)?;
        self.load_state_dict(&sd)?;
        Ok(())
    }
}
