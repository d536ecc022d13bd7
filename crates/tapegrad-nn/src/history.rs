//! What training returns: one record per epoch and why it stopped.

use crate::diagnostics::Diagnostics;
use crate::RegressionMetrics;

/// Why training ended.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
/// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
/// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
/// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).output(1);
/// let h = Trainer::new(Loss::Mse).epochs(2).fit(&mut mlp, &mut Sgd::new(0.1), &data, None)?;
/// assert_eq!(h.stop, tapegrad_nn::StopReason::MaxEpochs);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The epoch budget ran out.
    MaxEpochs,
    /// The epoch's training loss reached the threshold.
    LossThreshold,
    /// The validation metric stopped improving; parameters are those of
    /// `best_epoch`.
    EarlyStopping {
        /// The epoch whose parameters were restored.
        best_epoch: usize,
    },
}

/// What one epoch measured.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
/// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
/// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
/// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).output(1);
/// let h = Trainer::new(Loss::Mse).epochs(2).fit(&mut mlp, &mut Sgd::new(0.1), &data, None)?;
/// let r = &h.epochs[1];
/// assert_eq!((r.epoch, r.lr, r.val_loss), (1, 0.1, None));
/// assert!(r.to_string().starts_with("epoch   2  loss"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq)]
pub struct EpochRecord {
    /// The epoch, from 0.
    pub epoch: usize,
    /// Mean training loss over the epoch's samples (measured during the
    /// epoch's steps, so before each step's update).
    pub loss: f64,
    /// Training accuracy over the epoch's steps.
    pub accuracy: f64,
    /// Loss on the validation set after the epoch, if one was given.
    pub val_loss: Option<f64>,
    /// Accuracy on the validation set after the epoch, if one was given.
    pub val_accuracy: Option<f64>,
    /// MSE, MAE and R² over the epoch's steps, for a regression objective.
    pub regression: Option<RegressionMetrics>,
    /// MSE, MAE and R² on the validation set, for a regression objective.
    pub val_regression: Option<RegressionMetrics>,
    /// The learning rate used.
    pub lr: f64,
    /// Wall time of the epoch (training and validation).
    pub seconds: f64,
    /// Dead/saturated units and gradient norms, when collected.
    pub diagnostics: Option<Diagnostics>,
}

impl std::fmt::Display for EpochRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "epoch {:>3}  loss {:.4}", self.epoch + 1, self.loss)?;
        // Regression shows its own metrics, not a thresholded "accuracy".
        match self.regression {
            Some(r) => write!(f, "  {r}")?,
            None => write!(f, "  acc {:.4}", self.accuracy)?,
        }
        if let Some(l) = self.val_loss {
            write!(f, "  val loss {l:.4}")?;
            match (self.val_regression, self.val_accuracy) {
                (Some(r), _) => write!(f, "  val {r}")?,
                (None, Some(a)) => write!(f, "  val acc {a:.4}")?,
                (None, None) => {}
            }
        }
        write!(f, "  lr {:.2e}", self.lr)
    }
}

/// Every epoch's record and why training stopped.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
/// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
/// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
/// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).output(1);
/// let h = Trainer::new(Loss::Mse).epochs(3).fit(&mut mlp, &mut Sgd::new(0.1), &data, None)?;
/// assert_eq!(h.epochs.len(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// One record per finished epoch.
    pub epochs: Vec<EpochRecord>,
    /// Why the loop ended.
    pub stop: StopReason,
}

impl History {
    /// The last epoch's record.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Dataset;
    /// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
    /// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
    /// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
    /// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).output(1);
    /// let h = Trainer::new(Loss::Mse).epochs(3).fit(&mut mlp, &mut Sgd::new(0.1), &data, None)?;
    /// assert_eq!(h.last().unwrap().epoch, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }

    /// The first epoch (from 0) whose validation accuracy, or training
    /// accuracy without validation set, reached `level`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Dataset;
    /// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
    /// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
    /// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
    /// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).output(1);
    /// let h = Trainer::new(Loss::Mse).epochs(3).fit(&mut mlp, &mut Sgd::new(0.1), &data, None)?;
    /// assert!(h.epochs_to_accuracy(0.0) == Some(0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn epochs_to_accuracy(&self, level: f64) -> Option<usize> {
        self.epochs
            .iter()
            .find(|r| r.val_accuracy.unwrap_or(r.accuracy) >= level)
            .map(|r| r.epoch)
    }
}
