//! Learning-rate schedules, evaluated once per epoch.

/// How the learning rate changes over epochs (applied by the trainer at the
/// start of each epoch, counted from 0).
///
/// ```
/// use tapegrad_nn::LrSchedule;
/// let step = LrSchedule::Step { every: 10, gamma: 0.5 };
/// assert_eq!(step.lr(0.1, 9), 0.1);
/// assert_eq!(step.lr(0.1, 10), 0.05);
/// let cos = LrSchedule::Cosine { epochs: 10, min_lr: 0.0 };
/// assert_eq!(cos.lr(0.1, 0), 0.1);
/// assert!((cos.lr(0.1, 5) - 0.05).abs() < 1e-12);
/// assert!(cos.lr(0.1, 10).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LrSchedule {
    /// The base rate throughout.
    Constant,
    /// Multiply by `gamma` every `every` epochs (`StepLR`).
    Step {
        /// Epochs between decays.
        every: usize,
        /// Factor per decay.
        gamma: f64,
    },
    /// Half a cosine from the base rate down to `min_lr` over `epochs`
    /// epochs, then `min_lr` (`CosineAnnealingLR`).
    Cosine {
        /// Length of the decay in epochs.
        epochs: usize,
        /// The final rate.
        min_lr: f64,
    },
}

impl LrSchedule {
    /// The rate at `epoch` for base rate `base`.
    ///
    /// ```
    /// use tapegrad_nn::LrSchedule;
    /// assert_eq!(LrSchedule::Step { every: 2, gamma: 0.5 }.lr(1.0, 5), 0.25);
    /// ```
    #[must_use]
    pub fn lr(self, base: f64, epoch: usize) -> f64 {
        match self {
            LrSchedule::Constant => base,
            LrSchedule::Step { every, gamma } => base * gamma.powi((epoch / every.max(1)) as i32),
            LrSchedule::Cosine { epochs, min_lr } => {
                let t = epoch.min(epochs) as f64 / epochs.max(1) as f64;
                min_lr + (base - min_lr) * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
            }
        }
    }
}
