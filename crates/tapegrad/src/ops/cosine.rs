//! Cosine similarity along an axis, from products, sums and 2-norms.

use crate::{Float, Shape, Var};

impl<'t, T: Float> Var<'t, T> {
    /// Cosine similarity of `self` and `x2` along `axis`, which is removed:
    /// `F.cosine_similarity(x1, x2, dim=axis, eps=eps)`. The operands
    /// broadcast together first; then
    /// `cos = Σ x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps))`.
    ///
    /// Derivative, where both norms exceed eps:
    /// `∂cos/∂x1 = x2/(‖x1‖‖x2‖) − cos·x1/‖x1‖²` (symmetric for x2), summed
    /// over the broadcast axes of an operand. A norm at or below eps is a
    /// constant eps (gradient 0 through it).
    ///
    /// # Panics
    /// When the shapes do not broadcast, or `axis` is out of range of the
    /// broadcast shape (a 0-d pair has no axis).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.param(Tensor::from_vec(vec![1.0, 0.0, 3.0, 4.0], [2, 2]));
    /// let b = tape.param(Tensor::from_vec(vec![2.0, 0.0], [2]));
    /// let c = a.cosine_similarity(b, -1, 1e-8);
    /// assert_eq!(c.value().data(), &[1.0, 0.6]);
    /// let g = c.sum().backward();
    /// assert!(g[a].data()[..2].iter().all(|d| d.abs() < 1e-15)); // parallel: a maximum
    /// ```
    #[must_use]
    #[track_caller]
    pub fn cosine_similarity(self, x2: Var<'t, T>, axis: isize, eps: f64) -> Var<'t, T> {
        self.same_tape(&x2, "cosine_similarity");
        let (s1, s2) = (self.shape(), x2.shape());
        let Some(s) = Shape::broadcast(&s1, &s2) else {
            panic!(
                "tapegrad: cosine_similarity: shapes {s1} and {s2} do not broadcast (at {})",
                std::panic::Location::caller()
            );
        };
        assert!(
            s.axis(axis).is_some(),
            "tapegrad: cosine_similarity: axis {axis} is out of range for shapes {s1} and {s2} (broadcast {s}) (at {})",
            std::panic::Location::caller()
        );
        let widen = |x: Var<'t, T>| {
            if x.shape() == s {
                x
            } else {
                x.broadcast_to(s.clone())
            }
        };
        let (a, b) = (widen(self), widen(x2));
        let dot = (a * b).sum_axis(axis, false);
        let n1 = a.norm(2.0, axis, false).clamp_min(eps);
        let n2 = b.norm(2.0, axis, false).clamp_min(eps);
        dot / (n1 * n2)
    }
}
