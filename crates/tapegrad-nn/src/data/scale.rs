//! Feature scaling: a fixed factor, or standardization with statistics
//! fitted on the training rows only (so the test rows stay unseen).

use super::Dataset;
use tapegrad::Float;

impl<T: Float> Dataset<T> {
    /// Multiplies every feature by `factor` (digits pixels `0..=16` become
    /// `0..=1` with `factor = 1/16`).
    ///
    /// ```
    /// let mut ds = tapegrad_nn::data::digits::<f32>();
    /// ds.scale_features(1.0 / 16.0);
    /// assert!(ds.features().data().iter().all(|&x| (0.0..=1.0).contains(&x)));
    /// ```
    pub fn scale_features(&mut self, factor: T) {
        self.features_mut().iter_mut().for_each(|x| *x *= factor);
    }
}

/// Per-feature mean and standard deviation, fitted on one data set and
/// applied to any data set with the same features: `x ← (x − mean) / std`.
///
/// A feature that is constant in the fitted data (std 0, like the always-blank
/// corner pixels of digits) is only centred, not divided, so it stays finite.
///
/// ```
/// use tapegrad_nn::data::{digits, Standardizer};
/// let (mut train, mut test) = digits::<f64>().stratified_split(0.2, 0);
/// let st = Standardizer::fit(&train);
/// st.apply(&mut train);
/// st.apply(&mut test);
/// let col0: f64 = (0..train.len()).map(|i| train.features()[[i, 20]]).sum();
/// assert!(col0.abs() < 1e-9);
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<T: Float> {
    mean: Vec<T>,
    std: Vec<T>,
}

impl<T: Float> Standardizer<T> {
    /// Fits means and (population) standard deviations of every feature of `ds`.
    ///
    /// An empty data set gives means 0 and standard deviations 1.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::{Dataset, Standardizer};
    /// let x = Tensor::from_vec(vec![1.0f64, 5.0, 3.0, 5.0], [2, 2]);
    /// let st = Standardizer::fit(&Dataset::classification(x, vec![0, 1], 2)?);
    /// assert_eq!((st.mean(), st.std()), (&[2.0, 5.0][..], &[1.0, 0.0][..]));
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    #[must_use]
    pub fn fit(ds: &Dataset<T>) -> Self {
        let (n, d) = (ds.len(), ds.n_features());
        let x = ds.features().data();
        let mut mean = vec![T::zero(); d];
        let mut var = vec![T::zero(); d];
        if n > 0 && d > 0 {
            for row in x.chunks_exact(d) {
                mean.iter_mut().zip(row).for_each(|(m, &v)| *m += v);
            }
            let nf = T::from_f64(n as f64);
            mean.iter_mut().for_each(|m| *m /= nf);
            for row in x.chunks_exact(d) {
                for ((s, &m), &v) in var.iter_mut().zip(&mean).zip(row) {
                    *s += (v - m) * (v - m);
                }
            }
            var.iter_mut().for_each(|s| *s = (*s / nf).sqrt());
        } else {
            var.iter_mut().for_each(|s| *s = T::one());
        }
        Standardizer { mean, std: var }
    }

    /// A standardizer from saved statistics, such as the `mean` and `std`
    /// tensors the digits example writes beside its model.
    ///
    /// # Panics
    /// When the lengths differ, or a standard deviation is negative or not
    /// finite.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::{digits, Standardizer};
    /// use tapegrad_nn::io::{load_safetensors, save_safetensors};
    /// let fitted = Standardizer::fit(&digits::<f32>());
    /// // What the digits example saves:
    /// let path = std::env::temp_dir().join(format!("tapegrad-scaler-doc-{}.safetensors", std::process::id()));
    /// let (mean, std) = (Tensor::from(fitted.mean().to_vec()), Tensor::from(fitted.std().to_vec()));
    /// save_safetensors(&path, &[("mean", &mean), ("std", &std)])?;
    /// // ... and how to rebuild the scaler from it:
    /// let saved = load_safetensors::<f32>(&path)?;
    /// let rebuilt = Standardizer::new(saved["mean"].to_vec(), saved["std"].to_vec());
    /// assert_eq!(rebuilt, fitted);
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    #[track_caller]
    pub fn new(mean: Vec<T>, std: Vec<T>) -> Self {
        assert!(
            mean.len() == std.len(),
            "tapegrad-nn: Standardizer::new: {} means but {} standard deviations",
            mean.len(),
            std.len()
        );
        if let Some((i, s)) = std
            .iter()
            .enumerate()
            .find(|(_, s)| !(s.is_finite() && **s >= T::zero()))
        {
            panic!("tapegrad-nn: Standardizer::new: standard deviation {s} of feature {i} is not a finite number ≥ 0");
        }
        Standardizer { mean, std }
    }

    /// The fitted per-feature means.
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Standardizer};
    /// let st = Standardizer::fit(&digits::<f64>());
    /// assert_eq!((st.mean().len(), st.std().len()), (64, 64));
    /// assert_eq!((st.mean()[0], st.std()[0]), (0.0, 0.0)); // a blank corner pixel
    /// ```
    #[must_use]
    pub fn mean(&self) -> &[T] {
        &self.mean
    }

    /// The fitted per-feature standard deviations (0 for constant features).
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Standardizer};
    /// let st = Standardizer::fit(&digits::<f64>());
    /// assert_eq!((st.mean().len(), st.std().len()), (64, 64));
    /// assert_eq!((st.mean()[0], st.std()[0]), (0.0, 0.0)); // a blank corner pixel
    /// ```
    #[must_use]
    pub fn std(&self) -> &[T] {
        &self.std
    }

    /// Standardizes the features of `ds` in place.
    ///
    /// # Panics
    /// When `ds` has a different number of features than the fitted data.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::{Dataset, Standardizer};
    /// let x = Tensor::from_vec(vec![1.0f64, 3.0], [2, 1]);
    /// let mut ds = Dataset::classification(x, vec![0, 1], 2)?;
    /// Standardizer::fit(&ds).apply(&mut ds);
    /// assert_eq!(ds.features().data(), &[-1.0, 1.0]);
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    #[track_caller]
    pub fn apply(&self, ds: &mut Dataset<T>) {
        let d = self.mean.len();
        assert!(
            ds.n_features() == d,
            "tapegrad-nn: Standardizer fitted on {d} features applied to {}",
            ds.n_features()
        );
        if d == 0 {
            return;
        }
        for row in ds.features_mut().chunks_exact_mut(d) {
            for ((v, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v -= m;
                if s > T::zero() {
                    *v /= s;
                }
            }
        }
    }
}
