//! The training loop: the three update modes of the classic texts (online,
//! mini-batch, full-batch), seeded shuffling, three ways to stop, per-epoch
//! loss and accuracy, diagnostics, and recovery from a non-finite loss.
//!
//! One tape, one gradient store, one batch buffer and one context are
//! reused for every step, so after the first step a step allocates nothing.
//!
//! This file holds the configuration; `fit.rs` the loop, `non_finite.rs`
//! the NaN checks and rollback, `early_stopping.rs` the stopping rule,
//! `grad_norms.rs` the diagnostics and `printing.rs` the output.

mod batch_mode;
mod early_stopping;
mod fit;
mod grad_norms;
mod non_finite;
mod printing;

pub use batch_mode::BatchMode;
pub use early_stopping::{EarlyStopping, Metric};

use crate::{Loss, LrSchedule};

/// Trains an [`Mlp`](crate::Mlp) or any [`Model`](crate::Model) on a
/// [`Dataset`](crate::data::Dataset), minimizing a [`Loss`] or any
/// [`Objective`](crate::Objective) ([`fit_with`](Trainer::fit_with)).
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{Activation, Adam, BatchMode, Loss, Mlp, Trainer};
/// let x = Tensor::from_vec(vec![0.0f64, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], [4, 2]);
/// let xor = Dataset::classification(x, vec![0, 1, 1, 0], 2)?;
/// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(8, Activation::Tanh).seed(1).output(2);
/// let mut opt = Adam::new(0.05);
/// let history = Trainer::new(Loss::CrossEntropy)
///     .mode(BatchMode::FullBatch)
///     .epochs(500)
///     .stop_at_loss(0.01)
///     .fit(&mut mlp, &mut opt, &xor, None)?;
/// assert_eq!(history.last().unwrap().accuracy, 1.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Trainer {
    loss: Loss,
    mode: BatchMode,
    epochs: usize,
    seed: u64,
    shuffle: bool,
    target_loss: Option<f64>,
    early: Option<EarlyStopping>,
    schedule: LrSchedule,
    progress: bool,
    verbose: bool,
    diagnostics: bool,
    print_diagnostics: bool,
    accumulate: usize,
    clip_norm: Option<f64>,
    clip_value: Option<f64>,
}

impl Trainer {
    /// A trainer minimizing `loss`: mini-batches of 32, 10 epochs, seed 0,
    /// shuffled, constant rate, silent, no diagnostics.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    ///
    /// let t = Trainer::new(Loss::CrossEntropy);
    /// let _ = t.mode(BatchMode::Online);
    /// ```
    pub fn new(loss: Loss) -> Self {
        Trainer {
            loss,
            mode: BatchMode::MiniBatch(32),
            epochs: 10,
            seed: 0,
            shuffle: true,
            target_loss: None,
            early: None,
            schedule: LrSchedule::Constant,
            progress: false,
            verbose: false,
            diagnostics: false,
            print_diagnostics: false,
            accumulate: 1,
            clip_norm: None,
            clip_value: None,
        }
    }

    /// Online, mini-batch or full-batch updates.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).mode(BatchMode::FullBatch);
    /// ```
    pub fn mode(mut self, mode: BatchMode) -> Self {
        self.mode = mode;
        self
    }

    /// The maximum number of epochs.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).epochs(100);
    /// ```
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Seed of the shuffling and of dropout masks.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).seed(42);
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether to visit the samples in a new random order every epoch
    /// (default `true`); `false` keeps the data set's order.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).shuffle(false);
    /// ```
    pub fn shuffle(mut self, on: bool) -> Self {
        self.shuffle = on;
        self
    }

    /// Stops after the first epoch whose mean training loss is ≤ `loss`.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).stop_at_loss(1e-3);
    /// ```
    pub fn stop_at_loss(mut self, loss: f64) -> Self {
        self.target_loss = Some(loss);
        self
    }

    /// Stops early on the validation metric (needs a validation set).
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).early_stopping(tapegrad_nn::EarlyStopping::new(tapegrad_nn::Metric::ValLoss, 5));
    /// ```
    pub fn early_stopping(mut self, rule: EarlyStopping) -> Self {
        self.early = Some(rule);
        self
    }

    /// The learning-rate schedule, applied to the optimizer's rate at the
    /// start of `fit`.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).schedule(tapegrad_nn::LrSchedule::Cosine { epochs: 100, min_lr: 0.0 });
    /// ```
    pub fn schedule(mut self, schedule: LrSchedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Shows an indicatif progress bar on stderr (when it is a terminal).
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).progress(true);
    /// ```
    pub fn progress(mut self, on: bool) -> Self {
        self.progress = on;
        self
    }

    /// Prints one line per epoch (loss, accuracy, validation, rate).
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).verbose(true);
    /// ```
    pub fn verbose(mut self, on: bool) -> Self {
        self.verbose = on;
        self
    }

    /// Collects dead-unit, saturation and gradient-norm diagnostics every
    /// epoch (into [`EpochRecord::diagnostics`](crate::EpochRecord::diagnostics)); costs a pass over each
    /// hidden layer's values per step, nothing when off.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).diagnostics(true);
    /// ```
    pub fn diagnostics(mut self, on: bool) -> Self {
        self.diagnostics = on;
        self
    }

    /// Gradient accumulation: each update sums the gradients of `k`
    /// consecutive batches of the [`mode`](Trainer::mode)'s size (one
    /// forward and backward pass each, into one store with
    /// [`Var::backward_with_add_into`](tapegrad::Var::backward_with_add_into)),
    /// each weighted by its share of the rows, so the update equals one
    /// step with a `k`× batch while the tape holds one batch at a time.
    /// The default is 1.
    ///
    /// # Panics
    /// When `k` is 0.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// // updates as with batches of 256, recording 64 rows at a time
    /// let _trainer = Trainer::new(Loss::Mse).mode(BatchMode::MiniBatch(64)).grad_accumulation(4);
    /// ```
    #[track_caller]
    pub fn grad_accumulation(mut self, k: usize) -> Self {
        assert!(
            k > 0,
            "tapegrad-nn: grad_accumulation(0): at least one batch per update (at {})",
            std::panic::Location::caller()
        );
        self.accumulate = k;
        self
    }

    /// Also prints the diagnostics after every epoch's line (implies
    /// [`diagnostics`](Trainer::diagnostics)).
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).print_diagnostics(true);
    /// ```
    pub fn print_diagnostics(mut self, on: bool) -> Self {
        self.print_diagnostics = on;
        self.diagnostics |= on;
        self
    }

    /// Gradient clipping by norm: before each update, when the Euclidean
    /// norm of all gradients together exceeds `max_norm`, scales them by
    /// `max_norm / (norm + 1e-6)` (PyTorch's `clip_grad_norm_`). Applied
    /// after clipping by value when both are set.
    ///
    /// # Panics
    /// When `max_norm` is not positive and finite.
    ///
    /// ```
    /// use tapegrad_nn::{Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).clip_grad_norm(1.0);
    /// ```
    #[track_caller]
    pub fn clip_grad_norm(mut self, max_norm: f64) -> Self {
        assert!(
            max_norm > 0.0 && max_norm.is_finite(),
            "tapegrad-nn: clip_grad_norm({max_norm}): the norm bound must be positive and finite"
        );
        self.clip_norm = Some(max_norm);
        self
    }

    /// Gradient clipping by value: before each update, clamps every
    /// gradient element to `[-value, value]` (PyTorch's `clip_grad_value_`).
    ///
    /// # Panics
    /// When `value` is not positive and finite.
    ///
    /// ```
    /// use tapegrad_nn::{Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).clip_grad_value(0.5);
    /// ```
    #[track_caller]
    pub fn clip_grad_value(mut self, value: f64) -> Self {
        assert!(
            value > 0.0 && value.is_finite(),
            "tapegrad-nn: clip_grad_value({value}): the bound must be positive and finite"
        );
        self.clip_value = Some(value);
        self
    }
}
