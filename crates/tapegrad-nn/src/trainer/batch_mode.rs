//! When the parameters are updated: after every sample, every mini-batch,
//! or once per epoch.

/// When the parameters are updated.
///
/// ```
/// use tapegrad_nn::BatchMode;
/// assert_eq!(BatchMode::Online.batch_size(100), 1);
/// assert_eq!(BatchMode::MiniBatch(32).batch_size(100), 32);
/// assert_eq!(BatchMode::FullBatch.batch_size(100), 100);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchMode {
    /// After every sample ("online" or stochastic learning).
    Online,
    /// After every `n` samples.
    MiniBatch(usize),
    /// Once per epoch, from the gradient of the whole training set ("batch"
    /// learning in the classic texts).
    FullBatch,
}

impl BatchMode {
    /// Rows per step for a training set of `n` rows.
    ///
    /// ```
    /// assert_eq!(tapegrad_nn::BatchMode::MiniBatch(0).batch_size(10), 1);
    /// ```
    #[must_use]
    pub fn batch_size(self, n: usize) -> usize {
        match self {
            BatchMode::Online => 1,
            BatchMode::MiniBatch(b) => b.max(1),
            BatchMode::FullBatch => n.max(1),
        }
    }
}
