//! Vector norms over any axes: p = 1, 2 and ∞, with PyTorch's gradients
//! at the singular points.

use crate::tensor::Axes;
use crate::{Float, Var};

impl<'t, T: Float> Var<'t, T> {
    /// The vector p-norm over `axes` (one axis, a list, or [`Axes::All`]),
    /// keeping them as 1 when `keepdim`: `torch.linalg.vector_norm(x, p)`
    /// for `p` = 1 (`Σ|x|`), 2 (`√Σx²`) or `f64::INFINITY` (`max|x|`).
    ///
    /// Derivatives, with PyTorch's conventions: p = 1: `sign(x)`, 0 at
    /// x = 0; p = 2: `x/‖x‖`, 0 for the zero vector; p = ∞: `sign(xᵢ)/k` on
    /// the k elements of largest magnitude (ties share, with their sign:
    /// [−3, 3, 1] gets [−½, ½, 0]), 0 for the zero vector.
    ///
    /// # Panics
    /// When `p` is not 1, 2 or ∞, or an axis is out of range or repeated;
    /// for p = ∞ also over an empty axis (as [`amax`](Var::amax)).
    ///
    /// ```
    /// use tapegrad::{Axes, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-3.0, 3.0, 1.0], [3]));
    /// let n = x.norm(f64::INFINITY, Axes::All, false);
    /// assert_eq!(n.item(), 3.0);
    /// assert_eq!(n.backward()[x].data(), &[-0.5, 0.5, 0.0]);
    /// let zero = tape.param(Tensor::zeros([2]));
    /// assert_eq!(zero.norm(2.0, 0, false).backward()[zero].data(), &[0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn norm(self, p: f64, axes: impl Into<Axes>, keepdim: bool) -> Var<'t, T> {
        let axes = axes.into();
        if p == 1.0 {
            self.abs().sum_axes(axes, keepdim)
        } else if p == 2.0 {
            (self * self).sum_axes(axes, keepdim).sqrt_zero_grad()
        } else if p == f64::INFINITY {
            // abs'(0) = 0 and amax's shared ties give sign(xᵢ)/k.
            self.abs().amax(axes, keepdim)
        } else {
            panic!(
                "tapegrad: norm: p = {p} is not 1, 2 or infinity (at {})",
                std::panic::Location::caller()
            )
        }
    }
}
