//! Elementwise math of two broadcast tensors, both differentiable:
//! `pow(x, y)` = xʸ and `atan2(y, x)`, with PyTorch's conventions at their
//! singular points (masks written as branches, so the side not taken may
//! be inf or NaN without reaching the result).

use super::binary::binary_family;
use crate::Var;

binary_family! {
    /// `pow` and `atan2`.
    enum BinaryMathFn;

    /// xʸ with a tensor exponent, broadcasting (`torch.pow(x, y)`); for a
    /// plain number use [`powi`](Var::powi) or [`powf`](Var::powf).
    ///
    /// ∂/∂x = y·x^(y−1), but **0 where y == 0**; ∂/∂y = xʸ·ln x, but **0
    /// where x == 0** (PyTorch's masks): so 0⁰ = 1 with both partials 0, and
    /// 0¹ has ∂/∂x = 1. Negative bases give NaN for ∂/∂y (as PyTorch).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (x, y) = (tape.scalar(2.0), tape.scalar(3.0));
    /// let z = x.pow(y);
    /// let g = z.backward();
    /// assert_eq!((z.item(), g[x].item()), (8.0, 12.0));
    /// assert!((g[y].item() - 8.0 * 2f64.ln()).abs() < 1e-15);
    /// ```
    pub fn pow(self, exponent: Var<'t, T>) -> Var<'t, T> {
        self.binary(BinaryMathFn::Pow {}, exponent)
    }
    Pow {} = "pow",
    forward |x, e| x.powf(e),
    vjp_a |g, x, e, y| e.select(g * e * x.pow(e.shift(-1.0)), g.scale(0.0)),
    vjp_b |g, x, e, y| x.select(g * y * x.ln(), g.scale(0.0));

    /// atan2(y, x) ∈ (−π, π], the angle of the point (x, y), broadcasting;
    /// `self` is y (first, as `torch.atan2`).
    ///
    /// ∂/∂y = x/(x² + y²), ∂/∂x = −y/(x² + y²); **both 0 at the origin**
    /// (PyTorch), where the value is 0.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (y, x) = (tape.scalar(1.0), tape.scalar(1.0));
    /// let a = y.atan2(x);
    /// let g = a.backward();
    /// assert_eq!((a.item(), g[y].item(), g[x].item()), (std::f64::consts::FRAC_PI_4, 0.5, -0.5));
    /// ```
    pub fn atan2(self, x: Var<'t, T>) -> Var<'t, T> {
        self.binary(BinaryMathFn::Atan2 {}, x)
    }
    Atan2 {} = "atan2",
    forward |y, x| y.atan2(x),
    vjp_a |g, y, x, out| {
        let r2 = x * x + y * y;
        r2.select(g * x / r2, g.scale(0.0))
    },
    vjp_b |g, y, x, out| {
        let r2 = x * x + y * y;
        r2.select(-(g * y) / r2, g.scale(0.0))
    };
}
