//! Elementwise regression losses of an input and a target of the same
//! shape (both differentiable): L1, smooth L1 and Huber, written with
//! `abs` and `clamp`, whose gradients carry PyTorch's conventions at the
//! kinks.

use super::reduction::Reduction;
use crate::{Float, Var};

impl<'t, T: Float> Var<'t, T> {
    /// L1 loss `|input − target|`, reduced by `reduction`:
    /// `F.l1_loss(input, target, reduction=…)`.
    ///
    /// Derivative: `sign(d)` for d = input − target (÷ the element count
    /// for the mean), **0 at d = 0** (a tie), and its negative for the
    /// target; the second derivative is 0.
    ///
    /// # Panics
    /// When the shapes differ (no silent broadcasting of a loss).
    ///
    /// ```
    /// use tapegrad::{Reduction, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, -1.0], [3]));
    /// let t = tape.param(Tensor::from_vec(vec![0.0, 2.0, 0.0], [3]));
    /// let l = x.l1_loss(t, Reduction::Sum);
    /// assert_eq!(l.item(), 2.0);
    /// let g = l.backward();
    /// assert_eq!(g[x].data(), &[1.0, 0.0, -1.0]);
    /// assert_eq!(g[t].data(), &[-1.0, 0.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn l1_loss(self, target: Var<'t, T>, reduction: Reduction) -> Var<'t, T> {
        reduction.apply(difference(self, target, "l1_loss").abs())
    }

    /// Smooth L1 loss: `0.5·d²/beta` where `|d| < beta`, else
    /// `|d| − 0.5·beta`, for d = input − target, reduced by `reduction`:
    /// `F.smooth_l1_loss(input, target, reduction=…, beta=…)`. `beta = 0`
    /// is [`l1_loss`](Var::l1_loss). It equals
    /// [`huber_loss`](Var::huber_loss) with delta = beta, divided by beta.
    ///
    /// Derivative: `clamp(d, −beta, beta)/beta`, so `±1` at `|d| = beta`
    /// from both sides (and `sign(d)`, 0 at d = 0, for beta = 0); the
    /// second derivative is `1/beta` strictly inside, 0 outside and at the
    /// bound.
    ///
    /// # Panics
    /// When the shapes differ or `beta < 0`.
    ///
    /// ```
    /// use tapegrad::{Reduction, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![0.25, 1.0, -3.0], [3]));
    /// let t = tape.constant(Tensor::zeros([3]));
    /// let l = x.smooth_l1_loss(t, Reduction::None, 1.0);
    /// assert_eq!(l.value().data(), &[0.03125, 0.5, 2.5]);
    /// assert_eq!(l.sum().backward()[x].data(), &[0.25, 1.0, -1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn smooth_l1_loss(self, target: Var<'t, T>, reduction: Reduction, beta: f64) -> Var<'t, T> {
        assert!(
            beta >= 0.0,
            "tapegrad: smooth_l1_loss: beta = {beta} is negative (input shape {}, target shape {}) (at {})",
            self.shape(),
            target.shape(),
            std::panic::Location::caller()
        );
        let d = difference(self, target, "smooth_l1_loss");
        let terms = if beta == 0.0 {
            d.abs()
        } else {
            huber_terms(d, beta).div_scalar(T::from_f64(beta))
        };
        reduction.apply(terms)
    }

    /// Huber loss: `0.5·d²` where `|d| ≤ delta`, else
    /// `delta·(|d| − 0.5·delta)`, for d = input − target, reduced by
    /// `reduction`: `F.huber_loss(input, target, reduction=…, delta=…)`.
    ///
    /// Derivative: `clamp(d, −delta, delta)`, continuous (`±delta` at the
    /// bound); the second derivative is 1 strictly inside, 0 outside and
    /// at the bound.
    ///
    /// # Panics
    /// When the shapes differ or `delta ≤ 0`.
    ///
    /// ```
    /// use tapegrad::{Reduction, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![0.5, 2.0, -3.0], [3]));
    /// let t = tape.constant(Tensor::zeros([3]));
    /// let l = x.huber_loss(t, Reduction::None, 2.0);
    /// assert_eq!(l.value().data(), &[0.125, 2.0, 4.0]);
    /// assert_eq!(l.sum().backward()[x].data(), &[0.5, 2.0, -2.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn huber_loss(self, target: Var<'t, T>, reduction: Reduction, delta: f64) -> Var<'t, T> {
        assert!(
            delta > 0.0,
            "tapegrad: huber_loss: delta = {delta} is not positive (input shape {}, target shape {}) (at {})",
            self.shape(),
            target.shape(),
            std::panic::Location::caller()
        );
        let d = difference(self, target, "huber_loss");
        reduction.apply(huber_terms(d, delta))
    }
}

/// `input − target`, refusing different shapes.
#[track_caller]
fn difference<'t, T: Float>(input: Var<'t, T>, target: Var<'t, T>, op: &str) -> Var<'t, T> {
    input.same_tape(&target, op);
    let (si, st) = (input.shape(), target.shape());
    assert!(
        si == st,
        "tapegrad: {op}: input shape {si} differs from target shape {st} (at {})",
        std::panic::Location::caller()
    );
    input - target
}

/// The Huber terms as `c·(d − c/2)` with `c = clamp(d, −delta, delta)`:
/// `0.5d²` inside, `delta·|d| − 0.5delta²` outside. Its derivative
/// `c'·(d − c) + c` is exactly `c` everywhere (where c' ≠ 0, d = c), so the
/// clamp's 0 at the bound cannot make the gradient jump.
fn huber_terms<T: Float>(d: Var<'_, T>, delta: f64) -> Var<'_, T> {
    let c = d.clamp(Some(-delta), Some(delta));
    c * (d - c.mul_scalar(T::from_f64(0.5)))
}
