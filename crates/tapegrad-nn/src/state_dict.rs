//! State dicts: the parameters as named tensors, with PyTorch's names and
//! layouts, and their safetensors files (through [`crate::io`]).
//!
//! Loading checks every name and shape before it changes anything, so a bad
//! file leaves the model as it was.

#[cfg(feature = "safetensors")]
use crate::io::{
    deserialize_safetensors_with, read_safetensors_file, read_safetensors_metadata,
    save_safetensors_with_metadata, IoError, LoadOptions,
};
use crate::{Mlp, Model, Module, Params};
use indexmap::IndexMap;
#[cfg(feature = "safetensors")]
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
#[cfg(feature = "safetensors")]
#[derive(Debug, thiserror::Error)]
pub enum ModelIoError {
    /// Reading, writing or decoding the file failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The file's tensors do not fit the model.
    #[error(transparent)]
    StateDict(#[from] StateDictError),
    /// The file was saved from a model with other activations (its
    /// metadata names them); the parameters would fit but compute
    /// something else.
    #[error("the file's layers use activations [{file}], the model's use [{model}]")]
    Activations {
        /// The activations the file's metadata names, one per layer.
        file: String,
        /// The model's, in the same form.
        model: String,
    },
}

/// The metadata key under which [`Mlp::save`] names the activations.
#[cfg(feature = "safetensors")]
const ACTIVATIONS_KEY: &str = "tapegrad.activations";

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
    /// let mut sd = tapegrad_nn::indexmap::IndexMap::new();
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
}

/// Model files, with the `safetensors` feature (on by default).
#[cfg(feature = "safetensors")]
impl<T: Float> Mlp<T> {
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
        let acts = self.activation_names();
        save_safetensors_with_metadata(path, &named, &[(ACTIVATIONS_KEY, &acts)])?;
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
    /// tensor and element); [`ModelIoError::Activations`] when the file's
    /// metadata names other activations than the model's (files saved by
    /// [`save`](Mlp::save); PyTorch's carry none and are not checked);
    /// [`ModelIoError::StateDict`] for unknown, missing or wrongly shaped
    /// tensors. The model is unchanged on error.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Mlp, ModelIoError, StateDictError};
    /// let path = std::env::temp_dir().join(format!("tapegrad-load-doc-{}.safetensors", std::process::id()));
    /// let a: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Tanh).seed(1).output(1);
    /// a.save(&path)?;
    /// let mut wrong: Mlp<f32> = Mlp::new(2).hidden(4, Activation::Tanh).output(1);
    /// let err = wrong.load(&path).unwrap_err();
    /// assert!(matches!(err, ModelIoError::StateDict(StateDictError::Shape { .. })), "{err}");
    /// let mut other_act: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Relu).output(1);
    /// let err = other_act.load(&path).unwrap_err();
    /// assert_eq!(err.to_string(), "the file's layers use activations [tanh, none], the model's use [relu, none]");
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
        let bytes = read_safetensors_file(path)?;
        let sd = deserialize_safetensors_with::<T>(&bytes, options)?;
        // Files from PyTorch carry no activation names: nothing to check.
        if let Some(file) = read_safetensors_metadata(&bytes)?.remove(ACTIVATIONS_KEY) {
            let model = self.activation_names();
            if file != model {
                return Err(ModelIoError::Activations { file, model });
            }
        }
        self.load_state_dict(&sd)?;
        Ok(())
    }

    /// One name per layer (`none` for a layer without activation), comma-separated.
    fn activation_names(&self) -> String {
        let names: Vec<String> = self
            .layers()
            .iter()
            .map(|l| {
                l.activation()
                    .map_or_else(|| "none".to_string(), |a| a.name())
            })
            .collect();
        names.join(", ")
    }
}

/// State dicts of any [`Model`]: parameters then buffers, under PyTorch's
/// names and layouts, so that `torch.nn.Module.load_state_dict` takes what
/// [`Model::save`] writes and the other way round.
impl<T: Float, M: Module<T>> Model<T, M> {
    /// Every parameter and buffer by name (parameters first, each in
    /// registration order), as PyTorch's `model.state_dict()` holds them.
    ///
    /// ```
    /// use tapegrad_nn::{BatchNorm, Model};
    /// let m = Model::<f32, _>::build(0, |s| BatchNorm::new_1d(s, 3));
    /// let sd = m.state_dict();
    /// let names: Vec<&String> = sd.keys().collect();
    /// assert_eq!(names, ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    /// ```
    #[must_use]
    pub fn state_dict(&self) -> IndexMap<String, Tensor<T>> {
        let mut sd = self.params().state_dict();
        sd.extend(self.buffers().state_dict());
        sd
    }

    /// Loads every parameter and buffer from `state`. The architecture is
    /// checked first: every name of the model must be present with its
    /// exact shape, and no other name may be; nothing changes unless all
    /// fit.
    ///
    /// # Errors
    /// [`StateDictError`] naming the first tensor that is unknown, missing
    /// or of the wrong shape.
    ///
    /// ```
    /// use tapegrad_nn::{Linear, Model, StateDictError};
    /// let a = Model::<f64, _>::build(1, |s| Linear::build(s, 3, 2));
    /// let mut b = Model::<f64, _>::build(2, |s| Linear::build(s, 3, 2));
    /// b.load_state_dict(&a.state_dict())?;
    /// assert_eq!(a.params().values(), b.params().values());
    /// let mut wider = Model::<f64, _>::build(2, |s| Linear::build(s, 4, 2));
    /// assert!(matches!(wider.load_state_dict(&a.state_dict()), Err(StateDictError::Shape { .. })));
    /// # Ok::<(), StateDictError>(())
    /// ```
    pub fn load_state_dict(
        &mut self,
        state: &IndexMap<String, Tensor<T>>,
    ) -> Result<(), StateDictError> {
        let known = || {
            let names: Vec<&str> = self
                .params()
                .iter()
                .chain(self.buffers().iter())
                .map(|(n, _)| n)
                .collect();
            names.join(", ")
        };
        for (name, t) in state {
            let info = self
                .params()
                .id(name)
                .map(|id| self.params().info(id))
                .or_else(|| self.buffers().id(name).map(|id| self.buffers().info(id)));
            let Some(info) = info else {
                return Err(StateDictError::Unknown {
                    name: name.clone(),
                    known: known(),
                });
            };
            if t.shape() != &info.shape {
                return Err(StateDictError::Shape {
                    name: name.clone(),
                    expected: info.shape.dims().to_vec(),
                    found: t.shape().dims().to_vec(),
                });
            }
        }
        let missing = self
            .params()
            .iter()
            .chain(self.buffers().iter())
            .find(|(n, _)| !state.contains_key(*n));
        if let Some((name, info)) = missing {
            return Err(StateDictError::Missing {
                name: name.to_string(),
                expected: info.shape.dims().to_vec(),
            });
        }
        for (name, t) in state {
            if let Some(id) = self.params().id(name) {
                self.params_mut().value_mut(id).copy_from_slice(t.data());
            } else if let Some(id) = self.buffers().id(name) {
                self.buffers_mut().value_mut(id).copy_from_slice(t.data());
            }
        }
        Ok(())
    }
}

/// Model files, with the `safetensors` feature (on by default).
#[cfg(feature = "safetensors")]
impl<T: Float, M: Module<T>> Model<T, M> {
    /// Writes the state dict as a safetensors file that PyTorch loads with
    /// `model.load_state_dict(safetensors.torch.load_file(path))` (buffers
    /// such as `num_batches_tracked` are stored as floats; PyTorch's
    /// `load_state_dict` copies them into its integer tensor).
    ///
    /// # Errors
    /// [`ModelIoError::Io`] when the file cannot be written.
    ///
    /// ```
    /// use tapegrad_nn::{Linear, Model};
    /// let m = Model::<f64, _>::build(0, |s| Linear::build(s, 3, 2));
    /// let path = std::env::temp_dir().join(format!("tapegrad-model-doc-{}.safetensors", std::process::id()));
    /// m.save(&path)?;
    /// let mut other = Model::<f64, _>::build(9, |s| Linear::build(s, 3, 2));
    /// other.load(&path)?;
    /// assert_eq!(other.params().values(), m.params().values());
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ModelIoError> {
        let sd = self.state_dict();
        let named: Vec<(&str, &Tensor<T>)> = sd.iter().map(|(k, v)| (k.as_str(), v)).collect();
        save_safetensors_with_metadata(path, &named, &[])?;
        Ok(())
    }

    /// Reads a safetensors state dict (saved by [`save`](Model::save) or by
    /// PyTorch's `safetensors.torch.save_file(model.state_dict(), path)`,
    /// in F16, BF16, F32 or F64, with I64 counters), checking the
    /// architecture as [`load_state_dict`](Model::load_state_dict) does.
    /// NaN and infinite values are refused (see [`load_with`](Model::load_with)).
    ///
    /// # Errors
    /// [`ModelIoError::Io`] for unreadable, malformed or truncated files,
    /// unsupported dtypes, non-finite or overflowing values;
    /// [`ModelIoError::StateDict`] for unknown, missing or wrongly shaped
    /// tensors. The model is unchanged on error.
    ///
    /// ```
    /// use tapegrad_nn::{Linear, Model, ModelIoError};
    /// let mut m = Model::<f32, _>::build(0, |s| Linear::build(s, 3, 2));
    /// assert!(matches!(m.load("/nonexistent.safetensors"), Err(ModelIoError::Io(_))));
    /// ```
    pub fn load(&mut self, path: impl AsRef<Path>) -> Result<(), ModelIoError> {
        self.load_with(path, &LoadOptions::default())
    }

    /// [`load`](Model::load) with explicit [`LoadOptions`].
    ///
    /// # Errors
    /// As [`load`](Model::load); non-finite values only when `options`
    /// refuse them.
    ///
    /// ```
    /// use tapegrad_nn::io::LoadOptions;
    /// use tapegrad_nn::{Linear, Model};
    /// let mut m = Model::<f32, _>::build(0, |s| Linear::build(s, 3, 2));
    /// let options = LoadOptions::default().allow_non_finite(true);
    /// assert!(m.load_with("/nonexistent.safetensors", &options).is_err());
    /// ```
    pub fn load_with(
        &mut self,
        path: impl AsRef<Path>,
        options: &LoadOptions,
    ) -> Result<(), ModelIoError> {
        let bytes = read_safetensors_file(path)?;
        let sd = deserialize_safetensors_with::<T>(&bytes, options)?;
        self.load_state_dict(&sd)?;
        Ok(())
    }
}
