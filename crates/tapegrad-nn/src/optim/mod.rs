//! Optimizers over flat slices: the parameters and gradients of a whole
//! model are each one `&[T]`, and each optimizer's state (velocity, Adam's
//! moments) is a flat buffer of the same length, created on the first step.
//! The update rules follow PyTorch's `torch.optim` to the letter, so a
//! step computed here matches one computed there.

use tapegrad::Float;

/// Updates parameters in place from their gradients.
///
/// ```
/// use tapegrad_nn::{Optimizer, Sgd};
/// let mut opt = Sgd::new(0.1);
/// let mut p = [1.0f64, 2.0];
/// opt.step(&mut p, &[1.0, -1.0]);
/// assert_eq!(p, [0.9, 2.1]);
/// opt.set_lr(0.5);
/// assert_eq!(opt.lr(), 0.5);
/// ```
pub trait Optimizer<T: Float> {
    /// One update of `params` from `grads` (same length, same layout).
    ///
    /// # Panics
    /// When the lengths differ, or differ from the previous step's.
    fn step(&mut self, params: &mut [T], grads: &[T]);
    /// The current learning rate.
    fn lr(&self) -> f64;
    /// Sets the learning rate (schedules call this once per epoch).
    fn set_lr(&mut self, lr: f64);
}

#[track_caller]
fn check_len<T>(params: &[T], grads: &[T], state: &mut Vec<T>, zero: T)
where
    T: Copy,
{
    assert!(
        params.len() == grads.len(),
        "tapegrad-nn: optimizer step: {} parameters but {} gradients",
        params.len(),
        grads.len()
    );
    if state.is_empty() {
        state.resize(params.len(), zero);
    }
    assert!(
        state.len() == params.len(),
        "tapegrad-nn: optimizer step: {} parameters, but the state was made for {}",
        params.len(),
        state.len()
    );
}

mod adam;
mod sgd;

pub use adam::Adam;
pub use sgd::Sgd;
