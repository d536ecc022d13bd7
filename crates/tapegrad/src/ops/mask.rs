//! Masks: `step` and `sign`, piecewise constant, derivative zero. They are
//! the recorded form of relu's and abs's derivatives: constants of the
//! graph, so second derivatives are exact away from the kinks.

use super::unary::unary_family;

unary_family! {
    /// Masks: piecewise-constant functions whose derivative is zero.
    enum MaskFn;

    /// 1 where x > 0, else 0: a mask with derivative zero everywhere (the
    /// recorded form of relu's derivative).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![-1.0, 0.0, 2.0], [3]));
    /// assert_eq!(x.step().value().data(), &[0.0, 0.0, 1.0]);
    /// ```
    pub fn step(self) -> Var<'t, T> {
        self.unary(MaskFn::Step {})
    }
    Step {} = "step",
    forward |x| if x > T::zero() {
        T::one()
    } else {
        T::zero()
    },
    vjp |g, x, y| g.scale(0.0);

    /// sign(x) ∈ {−1, 0, 1}, with derivative zero everywhere.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![-3.0, 0.0, 2.0], [3]));
    /// assert_eq!(x.sign().value().data(), &[-1.0, 0.0, 1.0]);
    /// ```
    pub fn sign(self) -> Var<'t, T> {
        self.unary(MaskFn::Sign {})
    }
    Sign {} = "sign",
    forward |x| if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else {
        T::zero()
    },
    vjp |g, x, y| g.scale(0.0);
}
