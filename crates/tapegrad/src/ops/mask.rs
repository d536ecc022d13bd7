//! Masks and rounding: `step`, `sign`, `floor`, `ceil`, `round`, piecewise
//! constant, derivative zero (PyTorch's gradient for all of them, also at
//! their jumps). `step` and `sign` are the recorded form of relu's and
//! abs's derivatives: constants of the graph, so second derivatives are
//! exact away from the kinks.

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

    /// ⌊x⌋, with derivative zero everywhere (as PyTorch).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-1.5, 0.0, 2.7], [3]));
    /// let y = x.floor();
    /// assert_eq!(y.value().data(), &[-2.0, 0.0, 2.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.0, 0.0, 0.0]);
    /// ```
    pub fn floor(self) -> Var<'t, T> {
        self.unary(MaskFn::Floor {})
    }
    Floor {} = "floor",
    forward |x| x.floor(),
    vjp |g, x, y| g.scale(0.0);

    /// ⌈x⌉, with derivative zero everywhere.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![-1.5, 0.0, 2.2], [3]));
    /// assert_eq!(x.ceil().value().data(), &[-1.0, 0.0, 3.0]);
    /// ```
    pub fn ceil(self) -> Var<'t, T> {
        self.unary(MaskFn::Ceil {})
    }
    Ceil {} = "ceil",
    forward |x| x.ceil(),
    vjp |g, x, y| g.scale(0.0);

    /// x rounded to the nearest integer, **halves to even** (as
    /// `torch.round`: 0.5 → 0, 1.5 → 2, 2.5 → 2, −0.5 → −0), with derivative
    /// zero everywhere.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![0.5, 1.5, 2.5, -2.5, 0.49999999999999994], [5]));
    /// assert_eq!(x.round().value().data(), &[0.0, 2.0, 2.0, -2.0, 0.0]);
    /// ```
    pub fn round(self) -> Var<'t, T> {
        self.unary(MaskFn::Round {})
    }
    Round {} = "round",
    forward |x| {
        // `round` takes halves away from zero (and is exact elsewhere,
        // unlike floor(x + 0.5)); an exact half goes to the even neighbour
        // 2·round(x/2) instead (x/2 is then a quarter: no tie).
        let r = x.round();
        let half = T::from_f64(0.5);
        if (r - x).abs() == half {
            (x * half).round() * T::from_f64(2.0)
        } else {
            r
        }
    },
    vjp |g, x, y| g.scale(0.0);
}
