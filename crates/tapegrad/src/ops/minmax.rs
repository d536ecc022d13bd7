//! `maximum` and `minimum` of two broadcast tensors. At a tie (a == b,
//! also +0 against −0) each side gets half of the gradient, as PyTorch.
//! NaN in either operand gives NaN.

use super::binary::binary_family;
use crate::Var;

binary_family! {
    /// Elementwise maximum and minimum.
    enum MinMaxFn;

    /// Elementwise max(a, b), broadcasting. ∂/∂a = 1 where a > b, ½ where
    /// a == b, else 0 (and ∂/∂b alike), each summed back to its operand's
    /// shape; the half-split at ties is PyTorch's rule.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let b = tape.param(Tensor::from_vec(vec![2.0, 2.0, 2.0], [3]));
    /// let y = a.maximum(b);
    /// assert_eq!(y.value().data(), &[2.0, 2.0, 3.0]);
    /// let g = y.sum().backward();
    /// assert_eq!(g[a].data(), &[0.0, 0.5, 1.0]);
    /// assert_eq!(g[b].data(), &[1.0, 0.5, 0.0]);
    /// ```
    pub fn maximum(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(MinMaxFn::Maximum {}, rhs)
    }
    Maximum {} = "maximum",
    forward |a, b| if a > b || a.is_nan() { a } else { b },
    // (1 + sign(a − b))/2 is 1, ½ or 0; a − b is 0 exactly at a tie.
    vjp_a |g, a, b, y| g * (a - b).sign().shift(1.0).scale(0.5),
    vjp_b |g, a, b, y| g * (b - a).sign().shift(1.0).scale(0.5);

    /// Elementwise min(a, b), broadcasting. ∂/∂a = 1 where a < b, ½ where
    /// a == b, else 0 (and ∂/∂b alike).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let b = tape.param(Tensor::from_vec(vec![2.0], [1]));
    /// let y = a.minimum(b);
    /// assert_eq!(y.value().data(), &[1.0, 2.0, 2.0]);
    /// assert_eq!(y.sum().backward()[b].data(), &[1.5]);
    /// ```
    pub fn minimum(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(MinMaxFn::Minimum {}, rhs)
    }
    Minimum {} = "minimum",
    forward |a, b| if a < b || a.is_nan() { a } else { b },
    vjp_a |g, a, b, y| g * (b - a).sign().shift(1.0).scale(0.5),
    vjp_b |g, a, b, y| g * (a - b).sign().shift(1.0).scale(0.5);
}
