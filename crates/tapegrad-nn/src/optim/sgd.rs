//! Stochastic gradient descent with momentum, Nesterov and weight decay.

use super::{check_len, Optimizer};
use tapegrad::Float;

/// Stochastic gradient descent with momentum ("inertia"), Nesterov
/// momentum and L2 weight decay, as `torch.optim.SGD` (dampening 0):
///
/// ```text
/// g ← g + λ·p                      (weight decay λ)
/// v ← μ·v + g                      (momentum μ; v starts at 0)
/// d ← g + μ·v  if Nesterov, else v
/// p ← p − η·d
/// ```
///
/// With a constant η this is the classic "inertia" form
/// `Δp(t) = μ·Δp(t−1) − η·∇E` of the backprop texts.
///
/// ```
/// use tapegrad_nn::{Optimizer, Sgd};
/// let mut opt = Sgd::new(0.1).momentum(0.9);
/// let mut p = [0.0f64];
/// opt.step(&mut p, &[1.0]); // v = 1,   p = −0.1
/// opt.step(&mut p, &[1.0]); // v = 1.9, p = −0.29
/// assert!((p[0] + 0.29).abs() < 1e-15);
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<T: Float> {
    lr: f64,
    momentum: f64,
    nesterov: bool,
    weight_decay: f64,
    velocity: Vec<T>,
}

impl<T: Float> Sgd<T> {
    /// Plain SGD with learning rate `lr`.
    ///
    /// ```
    /// use tapegrad_nn::{Optimizer, Sgd};
    /// assert_eq!(Sgd::<f32>::new(0.1).lr(), 0.1);
    /// ```
    #[must_use]
    pub fn new(lr: f64) -> Self {
        Sgd {
            lr,
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            velocity: Vec::new(),
        }
    }

    /// Sets the momentum coefficient μ (0.9 is usual).
    ///
    /// ```
    /// use tapegrad_nn::{Optimizer, Sgd};
    /// let mut opt = Sgd::new(1.0).momentum(0.5);
    /// let mut p = [0.0f64];
    /// opt.step(&mut p, &[1.0]); // v = 1
    /// opt.step(&mut p, &[0.0]); // v = 0.5: inertia keeps it moving
    /// assert_eq!(p[0], -1.5);
    /// ```
    #[must_use]
    pub fn momentum(mut self, mu: f64) -> Self {
        self.momentum = mu;
        self
    }

    /// Uses Nesterov's look-ahead momentum.
    ///
    /// ```
    /// use tapegrad_nn::{Optimizer, Sgd};
    /// let mut opt = Sgd::new(1.0).momentum(0.5).nesterov(true);
    /// let mut p = [0.0f64];
    /// opt.step(&mut p, &[1.0]); // v = 1, step g + μv = 1.5
    /// assert_eq!(p[0], -1.5);
    /// ```
    #[must_use]
    pub fn nesterov(mut self, on: bool) -> Self {
        self.nesterov = on;
        self
    }

    /// Adds `λ·p` to every gradient (L2 regularization).
    ///
    /// ```
    /// use tapegrad_nn::{Optimizer, Sgd};
    /// let mut opt = Sgd::new(0.5).weight_decay(1.0);
    /// let mut p = [2.0f64];
    /// opt.step(&mut p, &[0.0]); // g = 0 + 1·2
    /// assert_eq!(p[0], 1.0);
    /// ```
    #[must_use]
    pub fn weight_decay(mut self, lambda: f64) -> Self {
        self.weight_decay = lambda;
        self
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    #[track_caller]
    fn step(&mut self, params: &mut [T], grads: &[T]) {
        let (lr, mu, wd) = (
            T::from_f64(self.lr),
            T::from_f64(self.momentum),
            T::from_f64(self.weight_decay),
        );
        if self.momentum == 0.0 {
            assert!(
                params.len() == grads.len(),
                "tapegrad-nn: optimizer step: lengths differ"
            );
            for (p, &g) in params.iter_mut().zip(grads) {
                *p -= lr * (g + wd * *p);
            }
            return;
        }
        check_len(params, grads, &mut self.velocity, T::zero());
        for ((p, &g), v) in params.iter_mut().zip(grads).zip(self.velocity.iter_mut()) {
            let g = g + wd * *p;
            *v = mu * *v + g;
            let d = if self.nesterov { g + mu * *v } else { *v };
            *p -= lr * d;
        }
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
}
