//! Early stopping: the rule, and the record of the best epoch it keeps.

use tapegrad::Float;

use crate::Network;

/// The validation metric early stopping watches.
///
/// ```
/// use tapegrad_nn::{EarlyStopping, Metric};
/// let rule = EarlyStopping::new(Metric::ValAccuracy, 3);
/// assert_eq!(rule.metric, Metric::ValAccuracy);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Validation loss (lower is better).
    ValLoss,
    /// Validation accuracy (higher is better).
    ValAccuracy,
}

/// Stop when the validation metric has not improved by more than
/// `min_delta` for `patience` epochs, and go back to the parameters (and
/// buffers, such as batch norm's running statistics) of the best epoch.
///
/// ```
/// use tapegrad_nn::{EarlyStopping, Metric};
/// let e = EarlyStopping::new(Metric::ValLoss, 5);
/// assert_eq!((e.patience, e.min_delta), (5, 0.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EarlyStopping {
    /// What to watch.
    pub metric: Metric,
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// The least change that counts as an improvement.
    pub min_delta: f64,
}

impl EarlyStopping {
    /// Watches `metric` with the given patience and `min_delta` 0.
    ///
    /// ```
    /// use tapegrad_nn::{EarlyStopping, Metric};
    /// let rule = EarlyStopping { min_delta: 1e-4, ..EarlyStopping::new(Metric::ValLoss, 10) };
    /// assert_eq!(rule.patience, 10);
    /// ```
    #[must_use]
    pub fn new(metric: Metric, patience: usize) -> Self {
        EarlyStopping {
            metric,
            patience,
            min_delta: 0.0,
        }
    }
}

/// The best epoch so far under an [`EarlyStopping`] rule, with a copy of
/// its parameters and buffers (running statistics) to go back to.
pub(super) struct BestEpoch<T> {
    rule: EarlyStopping,
    best: Option<(f64, usize, Vec<T>, Vec<T>)>,
}

impl<T: Float> BestEpoch<T> {
    pub(super) fn new(rule: EarlyStopping) -> Self {
        BestEpoch { rule, best: None }
    }

    /// Records the end of `epoch`; when the rule's patience has run out,
    /// puts the best epoch's parameters and buffers back into `mlp` and
    /// returns that epoch.
    pub(super) fn after_epoch<N: Network<T> + ?Sized>(
        &mut self,
        epoch: usize,
        val_loss: Option<f64>,
        val_accuracy: Option<f64>,
        mlp: &mut N,
    ) -> Option<usize> {
        // Higher is better for both metrics once the loss is negated.
        let m = match self.rule.metric {
            Metric::ValLoss => -val_loss.unwrap_or(f64::INFINITY),
            Metric::ValAccuracy => val_accuracy.unwrap_or(0.0),
        };
        match &self.best {
            Some((b, ..)) if m <= *b + self.rule.min_delta => {}
            _ => {
                self.best = Some((
                    m,
                    epoch,
                    mlp.params().values().to_vec(),
                    mlp.buffer_values().to_vec(),
                ));
            }
        }
        let (_, best_epoch, params, buffers) = self.best.as_ref()?;
        if epoch - best_epoch < self.rule.patience {
            return None;
        }
        mlp.params_mut().values_mut().copy_from_slice(params);
        mlp.buffer_values_mut().copy_from_slice(buffers);
        Some(*best_epoch)
    }
}
