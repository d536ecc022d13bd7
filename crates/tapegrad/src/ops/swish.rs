//! Swish with a trainable β (Ramachandran et al. 2017): `y = x·σ(βx)`.
//! β is a `Var` of its own — a 0-d scalar, or any shape that broadcasts to
//! x, such as one β per unit — and receives a gradient like any parameter.
//!
//! With s = σ(βx):
//!   ∂y/∂x = s + βx·s(1 − s)
//!   ∂y/∂β = x²·s(1 − s)        (summed back to β's shape)

use super::binary::binary_family;
use crate::Var;

binary_family! {
    /// Swish, the one activation with a trainable parameter.
    enum SwishFn;

    /// `x·σ(β·x)` with `beta` a recorded value that gets a gradient
    /// (β = 1 is SiLU; β → ∞ approaches relu; β = 0 gives x/2).
    ///
    /// # Panics
    /// When β's shape does not broadcast to x's, or β is on another tape.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// let beta = tape.scalar(0.0);
    /// let y = x.swish(beta);
    /// assert_eq!(y.item(), 1.0);                 // 2·σ(0)
    /// let g = y.backward();
    /// assert_eq!(g[x].item(), 0.5);              // σ(0) + 0
    /// assert_eq!(g[beta].item(), 1.0);           // x²·σ(0)·(1−σ(0)) = 4/4
    /// ```
    pub fn swish(self, beta: Var<'t, T>) -> Var<'t, T> {
        self.same_tape(&beta, "swish");
        let (xs, bs) = (self.shape(), beta.shape());
        assert!(
            bs.broadcasts_to(&xs),
            "tapegrad: swish: beta of shape {bs} does not broadcast to x of shape {xs} (at {})",
            std::panic::Location::caller()
        );
        self.binary(SwishFn::Swish {}, beta)
    }
    Swish {} = "swish",
    forward |x, beta| x * super::stable::sigmoid(beta * x),
    vjp_a |g, x, beta, y| {
        let s = (beta * x).sigmoid();
        g * (s + beta * x * (s * s.rsub(1.0)))
    },
    vjp_b |g, x, beta, y| {
        let s = (beta * x).sigmoid();
        g * x * x * (s * s.rsub(1.0))
    };
}
