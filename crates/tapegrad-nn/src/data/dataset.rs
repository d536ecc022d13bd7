//! `Dataset`: features and targets held in memory, and `Batch`, the reused
//! buffers a training step gathers its rows into.

use super::DataError;
use tapegrad::{Float, Tensor};

/// What a dataset predicts: a class per row, or a real-valued vector per row.
///
/// ```
/// use tapegrad_nn::data::Targets;
/// let t = Targets::<f32>::Classes { labels: vec![0, 2, 1], n_classes: 3 };
/// assert_eq!(t.len(), 3);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Targets<T: Float> {
    /// One class label per row, each below `n_classes`.
    Classes {
        /// The labels, one per row.
        labels: Vec<usize>,
        /// The number of classes (labels are `0..n_classes`).
        n_classes: usize,
    },
    /// A `[n, k]` tensor of real-valued targets.
    Values(Tensor<T>),
}

impl<T: Float> Targets<T> {
    /// Number of rows the targets describe.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Targets;
    /// assert_eq!(Targets::Values(Tensor::<f64>::zeros([4, 2])).len(), 4);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Targets::Classes { labels, .. } => labels.len(),
            Targets::Values(t) => t.shape().dims().first().copied().unwrap_or(0),
        }
    }

    /// Whether there are no rows.
    ///
    /// ```
    /// use tapegrad_nn::data::Targets;
    /// assert!(Targets::<f32>::Classes { labels: vec![], n_classes: 2 }.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An in-memory data set: a `[n, d]` feature tensor and `n` targets.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// let x = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0], [3, 2]);
/// let ds = Dataset::classification(x, vec![1, 0, 1], 2)?;
/// assert_eq!((ds.len(), ds.n_features(), ds.n_classes()), (3, 2, Some(2)));
/// # Ok::<(), tapegrad_nn::data::DataError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<T: Float> {
    features: Tensor<T>,
    targets: Targets<T>,
}

impl<T: Float> Dataset<T> {
    /// Pairs features with targets after checking that they fit together.
    ///
    /// # Errors
    /// [`DataError::FeatureShape`] when `features` is not 2-d (or `Values`
    /// targets are not 2-d), [`DataError::TargetCount`] when the row counts
    /// differ, [`DataError::LabelOutOfRange`] when a label is `>= n_classes`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::{Dataset, Targets};
    /// let x = Tensor::<f64>::zeros([2, 3]);
    /// let bad = Targets::Classes { labels: vec![0, 5], n_classes: 3 };
    /// assert!(Dataset::new(x, bad).is_err());
    /// ```
    pub fn new(features: Tensor<T>, targets: Targets<T>) -> Result<Self, DataError> {
        let dims = features.shape().dims();
        if dims.len() != 2 {
            return Err(DataError::FeatureShape {
                shape: dims.to_vec(),
            });
        }
        let rows = dims[0];
        match &targets {
            Targets::Classes { labels, n_classes } => {
                if let Some((row, &label)) =
                    labels.iter().enumerate().find(|(_, &l)| l >= *n_classes)
                {
                    return Err(DataError::LabelOutOfRange {
                        row,
                        label,
                        n_classes: *n_classes,
                    });
                }
            }
            Targets::Values(t) if t.shape().rank() != 2 => {
                return Err(DataError::FeatureShape {
                    shape: t.shape().dims().to_vec(),
                });
            }
            Targets::Values(_) => {}
        }
        if targets.len() != rows {
            return Err(DataError::TargetCount {
                rows,
                targets: targets.len(),
            });
        }
        Ok(Dataset { features, targets })
    }

    /// A classification data set: `features` `[n, d]`, `labels` in `0..n_classes`.
    ///
    /// # Errors
    /// As [`Dataset::new`].
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::{DataError, Dataset};
    /// let x = Tensor::<f32>::zeros([2, 4]);
    /// let err = Dataset::classification(x, vec![0], 2).unwrap_err();
    /// assert!(matches!(err, DataError::TargetCount { rows: 2, targets: 1 }));
    /// ```
    pub fn classification(
        features: Tensor<T>,
        labels: Vec<usize>,
        n_classes: usize,
    ) -> Result<Self, DataError> {
        Self::new(features, Targets::Classes { labels, n_classes })
    }

    /// A regression data set: `features` `[n, d]`, `targets` `[n, k]`.
    ///
    /// # Errors
    /// As [`Dataset::new`].
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Dataset;
    /// let ds = Dataset::regression(Tensor::<f64>::zeros([5, 3]), Tensor::zeros([5, 1]))?;
    /// assert_eq!((ds.n_classes(), ds.n_outputs()), (None, 1));
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    pub fn regression(features: Tensor<T>, targets: Tensor<T>) -> Result<Self, DataError> {
        Self::new(features, Targets::Values(targets))
    }

    /// Number of rows.
    ///
    /// ```
    /// assert_eq!(tapegrad_nn::data::digits::<f32>().len(), 1797);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.features.shape().dims()[0]
    }

    /// Whether there are no rows.
    ///
    /// ```
    /// let ds = tapegrad_nn::data::digits::<f32>();
    /// assert!(ds.subset(&[]).is_empty() && !ds.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of features per row, `d`.
    ///
    /// ```
    /// assert_eq!(tapegrad_nn::data::digits::<f64>().n_features(), 64);
    /// ```
    #[must_use]
    pub fn n_features(&self) -> usize {
        self.features.shape().dims()[1]
    }

    /// Number of classes, or `None` for real-valued targets.
    ///
    /// ```
    /// assert_eq!(tapegrad_nn::data::digits::<f64>().n_classes(), Some(10));
    /// ```
    #[must_use]
    pub fn n_classes(&self) -> Option<usize> {
        match self.targets {
            Targets::Classes { n_classes, .. } => Some(n_classes),
            Targets::Values(_) => None,
        }
    }

    /// Width of a model's output for this data: the number of classes (one
    /// logit each), or `k` for `[n, k]` real-valued targets.
    ///
    /// ```
    /// let ds = tapegrad_nn::data::digits::<f32>();
    /// assert_eq!(ds.n_outputs(), 10);
    /// ```
    #[must_use]
    pub fn n_outputs(&self) -> usize {
        match &self.targets {
            Targets::Classes { n_classes, .. } => *n_classes,
            Targets::Values(t) => t.shape().dims()[1],
        }
    }

    /// The `[n, d]` features.
    ///
    /// ```
    /// let ds = tapegrad_nn::data::digits::<f32>();
    /// assert_eq!(ds.features().shape().dims(), &[1797, 64]);
    /// ```
    #[must_use]
    pub fn features(&self) -> &Tensor<T> {
        &self.features
    }

    /// The features, row-major, for in-place preprocessing (the shape is fixed).
    ///
    /// ```
    /// let mut ds = tapegrad_nn::data::digits::<f32>();
    /// ds.features_mut().iter_mut().for_each(|x| *x = x.sqrt());
    /// assert!(ds.features().data().iter().all(|&x| x <= 4.0));
    /// ```
    #[must_use]
    pub fn features_mut(&mut self) -> &mut [T] {
        self.features.data_mut()
    }

    /// The targets.
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Targets};
    /// assert!(matches!(digits::<f32>().targets(), Targets::Classes { n_classes: 10, .. }));
    /// ```
    #[must_use]
    pub fn targets(&self) -> &Targets<T> {
        &self.targets
    }

    /// The class labels, or `None` for real-valued targets.
    ///
    /// ```
    /// let ds = tapegrad_nn::data::digits::<f32>();
    /// assert!(ds.labels().unwrap().iter().all(|&l| l < 10));
    /// ```
    #[must_use]
    pub fn labels(&self) -> Option<&[usize]> {
        match &self.targets {
            Targets::Classes { labels, .. } => Some(labels),
            Targets::Values(_) => None,
        }
    }

    /// How many rows each class has (index = class), or `None` for
    /// real-valued targets.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Dataset;
    /// let ds = Dataset::classification(Tensor::<f32>::zeros([4, 1]), vec![2, 0, 2, 2], 3)?;
    /// assert_eq!(ds.class_counts(), Some(vec![1, 0, 3]));
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    #[must_use]
    pub fn class_counts(&self) -> Option<Vec<usize>> {
        let Targets::Classes { labels, n_classes } = &self.targets else {
            return None;
        };
        let mut counts = vec![0; *n_classes];
        for &l in labels {
            counts[l] += 1;
        }
        Some(counts)
    }

    /// A new data set of the rows `idx`, in that order (repeats allowed).
    /// A classification subset keeps the full `n_classes`.
    ///
    /// # Panics
    /// When an index is `>= self.len()`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Dataset;
    /// let x = Tensor::from_vec(vec![0.0f64, 1.0, 2.0], [3, 1]);
    /// let ds = Dataset::classification(x, vec![0, 1, 2], 3)?;
    /// let sub = ds.subset(&[2, 0]);
    /// assert_eq!(sub.features().data(), &[2.0, 0.0]);
    /// assert_eq!(sub.labels(), Some(&[2, 0][..]));
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    #[must_use]
    #[track_caller]
    pub fn subset(&self, idx: &[usize]) -> Self {
        let d = self.n_features();
        let mut x = Vec::with_capacity(idx.len() * d);
        gather_rows(self.features.data(), d, idx, self.len(), &mut x);
        let targets = match &self.targets {
            Targets::Classes { labels, n_classes } => Targets::Classes {
                labels: idx.iter().map(|&i| labels[i]).collect(),
                n_classes: *n_classes,
            },
            Targets::Values(t) => {
                let k = t.shape().dims()[1];
                let mut y = Vec::with_capacity(idx.len() * k);
                gather_rows(t.data(), k, idx, self.len(), &mut y);
                Targets::Values(Tensor::from_vec(y, [idx.len(), k]))
            }
        };
        Dataset {
            features: Tensor::from_vec(x, [idx.len(), d]),
            targets,
        }
    }

    /// Copies the rows `idx` into `batch`, reusing its buffers: once they have
    /// grown to the largest batch, gathering allocates nothing.
    ///
    /// # Panics
    /// When an index is `>= self.len()`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::{Batch, Dataset};
    /// let x = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0], [3, 2]);
    /// let ds = Dataset::classification(x, vec![0, 1, 0], 2)?;
    /// let mut batch = Batch::new();
    /// ds.fill_batch(&[2, 1], &mut batch);
    /// assert_eq!(batch.features(), &[4.0, 5.0, 2.0, 3.0]);
    /// assert_eq!(batch.feature_shape(), [2, 2]);
    /// assert_eq!(batch.labels(), &[0, 1]);
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    #[track_caller]
    pub fn fill_batch(&self, idx: &[usize], batch: &mut Batch<T>) {
        let d = self.n_features();
        batch.features.clear();
        batch.labels.clear();
        batch.values.clear();
        gather_rows(
            self.features.data(),
            d,
            idx,
            self.len(),
            &mut batch.features,
        );
        batch.rows = idx.len();
        batch.n_features = d;
        match &self.targets {
            Targets::Classes { labels, .. } => {
                batch.labels.extend(idx.iter().map(|&i| labels[i]));
                batch.n_values = 0;
            }
            Targets::Values(t) => {
                let k = t.shape().dims()[1];
                gather_rows(t.data(), k, idx, self.len(), &mut batch.values);
                batch.n_values = k;
            }
        }
    }
}

#[track_caller]
fn gather_rows<T: Float>(src: &[T], width: usize, idx: &[usize], rows: usize, out: &mut Vec<T>) {
    for &i in idx {
        assert!(
            i < rows,
            "tapegrad-nn: row index {i} out of range for a data set of {rows} rows"
        );
        out.extend_from_slice(&src[i * width..(i + 1) * width]);
    }
}

/// Reused buffers for one mini-batch, filled by [`Dataset::fill_batch`].
///
/// `features()` is row-major `[rows, d]`, ready for
/// `tape.constant_slice(batch.features(), batch.feature_shape())`; the targets
/// are in `labels()` (classification) or `values()` `[rows, k]` (regression).
///
/// ```
/// use tapegrad::Tape;
/// use tapegrad_nn::data::{digits, Batch};
/// let ds = digits::<f32>();
/// let mut batch = Batch::new();
/// ds.fill_batch(&[0, 1, 2, 3], &mut batch);
/// let tape = Tape::new();
/// let x = tape.constant_slice(batch.features(), batch.feature_shape());
/// let loss = x.matmul(tape.param(tapegrad::Tensor::zeros([64, 10]))).cross_entropy(batch.labels());
/// assert!((loss.item() - 10f32.ln()).abs() < 1e-6);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Batch<T: Float> {
    features: Vec<T>,
    labels: Vec<usize>,
    values: Vec<T>,
    rows: usize,
    n_features: usize,
    n_values: usize,
}

impl<T: Float> Batch<T> {
    /// Empty buffers; they grow on the first [`Dataset::fill_batch`].
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Batch};
    /// let mut batch = Batch::new();
    /// digits::<f32>().fill_batch(&[10, 20, 30], &mut batch);
    /// assert_eq!((batch.len(), batch.is_empty()), (3, false));
    /// assert_eq!((batch.features().len(), batch.feature_shape()), (192, [3, 64]));
    /// assert_eq!(batch.labels(), &[0, 0, 0]);
    /// assert!(batch.values().is_empty() && batch.value_shape() == [3, 0]);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of rows gathered.
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Batch};
    /// let mut batch = Batch::new();
    /// digits::<f32>().fill_batch(&[10, 20, 30], &mut batch);
    /// assert_eq!((batch.len(), batch.is_empty()), (3, false));
    /// assert_eq!((batch.features().len(), batch.feature_shape()), (192, [3, 64]));
    /// assert_eq!(batch.labels(), &[0, 0, 0]);
    /// assert!(batch.values().is_empty() && batch.value_shape() == [3, 0]);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no rows were gathered.
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Batch};
    /// let mut batch = Batch::new();
    /// digits::<f32>().fill_batch(&[10, 20, 30], &mut batch);
    /// assert_eq!((batch.len(), batch.is_empty()), (3, false));
    /// assert_eq!((batch.features().len(), batch.feature_shape()), (192, [3, 64]));
    /// assert_eq!(batch.labels(), &[0, 0, 0]);
    /// assert!(batch.values().is_empty() && batch.value_shape() == [3, 0]);
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The gathered features, row-major `[rows, d]`.
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Batch};
    /// let mut batch = Batch::new();
    /// digits::<f32>().fill_batch(&[10, 20, 30], &mut batch);
    /// assert_eq!((batch.len(), batch.is_empty()), (3, false));
    /// assert_eq!((batch.features().len(), batch.feature_shape()), (192, [3, 64]));
    /// assert_eq!(batch.labels(), &[0, 0, 0]);
    /// assert!(batch.values().is_empty() && batch.value_shape() == [3, 0]);
    /// ```
    #[must_use]
    pub fn features(&self) -> &[T] {
        &self.features
    }

    /// `[rows, d]`.
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Batch};
    /// let mut batch = Batch::new();
    /// digits::<f32>().fill_batch(&[10, 20, 30], &mut batch);
    /// assert_eq!((batch.len(), batch.is_empty()), (3, false));
    /// assert_eq!((batch.features().len(), batch.feature_shape()), (192, [3, 64]));
    /// assert_eq!(batch.labels(), &[0, 0, 0]);
    /// assert!(batch.values().is_empty() && batch.value_shape() == [3, 0]);
    /// ```
    #[must_use]
    pub fn feature_shape(&self) -> [usize; 2] {
        [self.rows, self.n_features]
    }

    /// The gathered class labels (empty for real-valued targets).
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Batch};
    /// let mut batch = Batch::new();
    /// digits::<f32>().fill_batch(&[10, 20, 30], &mut batch);
    /// assert_eq!((batch.len(), batch.is_empty()), (3, false));
    /// assert_eq!((batch.features().len(), batch.feature_shape()), (192, [3, 64]));
    /// assert_eq!(batch.labels(), &[0, 0, 0]);
    /// assert!(batch.values().is_empty() && batch.value_shape() == [3, 0]);
    /// ```
    #[must_use]
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The gathered real-valued targets, row-major `[rows, k]` (empty for
    /// class labels).
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Batch};
    /// let mut batch = Batch::new();
    /// digits::<f32>().fill_batch(&[10, 20, 30], &mut batch);
    /// assert_eq!((batch.len(), batch.is_empty()), (3, false));
    /// assert_eq!((batch.features().len(), batch.feature_shape()), (192, [3, 64]));
    /// assert_eq!(batch.labels(), &[0, 0, 0]);
    /// assert!(batch.values().is_empty() && batch.value_shape() == [3, 0]);
    /// ```
    #[must_use]
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// `[rows, k]` of [`Batch::values`] (`k` is 0 for class labels).
    ///
    /// ```
    /// use tapegrad_nn::data::{digits, Batch};
    /// let mut batch = Batch::new();
    /// digits::<f32>().fill_batch(&[10, 20, 30], &mut batch);
    /// assert_eq!((batch.len(), batch.is_empty()), (3, false));
    /// assert_eq!((batch.features().len(), batch.feature_shape()), (192, [3, 64]));
    /// assert_eq!(batch.labels(), &[0, 0, 0]);
    /// assert!(batch.values().is_empty() && batch.value_shape() == [3, 0]);
    /// ```
    #[must_use]
    pub fn value_shape(&self) -> [usize; 2] {
        [self.rows, self.n_values]
    }
}
