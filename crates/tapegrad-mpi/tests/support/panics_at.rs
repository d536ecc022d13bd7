//! An optimizer that panics on cue, for the fault tests.

use tapegrad_nn::{Optimizer, Sgd};

/// Sgd that panics at one step (counted from 1), or never.
pub struct PanicsAt {
    inner: Sgd<f64>,
    step: usize,
    at: Option<usize>,
}

impl PanicsAt {
    /// Sgd with rate `lr` that panics at step `at`.
    pub fn new(lr: f64, at: Option<usize>) -> Self {
        PanicsAt {
            inner: Sgd::new(lr),
            step: 0,
            at,
        }
    }
}

impl Optimizer<f64> for PanicsAt {
    fn step(&mut self, params: &mut [f64], grads: &[f64]) {
        self.step += 1;
        if Some(self.step) == self.at {
            panic!("optimizer exploded at step {}", self.step);
        }
        self.inner.step(params, grads);
    }
    fn lr(&self) -> f64 {
        self.inner.lr()
    }
    fn set_lr(&mut self, lr: f64) {
        self.inner.set_lr(lr);
    }
}
