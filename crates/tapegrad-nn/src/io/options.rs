//! What a load accepts besides well-formed, finite values.

/// How strict a safetensors load is about the values it reads.
///
/// The default rejects NaN and infinity ([`IoError::NonFinite`](super::IoError::NonFinite),
/// naming the tensor and element): a model file holding them is almost
/// always the result of a diverged run. An `F64` value too large for an
/// `f32` model is always an error ([`IoError::Overflow`](super::IoError::Overflow)),
/// whatever the options.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::io::{deserialize_safetensors_with, serialize_safetensors, IoError, LoadOptions};
/// let bytes = serialize_safetensors(&[("w", &Tensor::from_vec(vec![1.0f32, f32::NAN], [2]))])?;
/// let err = deserialize_safetensors_with::<f32>(&bytes, &LoadOptions::default()).unwrap_err();
/// assert!(matches!(err, IoError::NonFinite { index: 1, .. }), "{err}");
/// let lax = LoadOptions::default().allow_non_finite(true);
/// assert!(deserialize_safetensors_with::<f32>(&bytes, &lax)?["w"].data()[1].is_nan());
/// # Ok::<(), IoError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct LoadOptions {
    pub(super) allow_non_finite: bool,
}

impl LoadOptions {
    /// Whether NaN and ±infinity are loaded as they are (default `false`:
    /// they are an error).
    ///
    /// ```
    /// let opts = tapegrad_nn::io::LoadOptions::default().allow_non_finite(true);
    /// assert!(opts.allows_non_finite());
    /// ```
    pub fn allow_non_finite(mut self, yes: bool) -> Self {
        self.allow_non_finite = yes;
        self
    }

    /// Whether NaN and ±infinity are accepted.
    ///
    /// ```
    /// assert!(!tapegrad_nn::io::LoadOptions::default().allows_non_finite());
    /// ```
    #[must_use]
    pub fn allows_non_finite(&self) -> bool {
        self.allow_non_finite
    }
}
