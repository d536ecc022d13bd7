//! Elementwise mathematical functions. Conventions at kinks are PyTorch's:
//! abs'(0) = 0.

use super::unary::unary_family;

unary_family! {
    /// Elementwise mathematical functions.
    enum MathFn;

    /// eˣ. d/dx = eˣ (the output itself).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.exp().backward()[x].item(), 1.0);
    /// ```
    pub fn exp(self) -> Var<'t, T> {
        self.unary(MathFn::Exp {})
    }
    Exp {} = "exp",
    forward |x| x.exp(),
    vjp |g, x, y| g * y;

    /// Natural logarithm. d/dx = 1/x.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(4.0);
    /// assert_eq!(x.log().backward()[x].item(), 0.25);
    /// ```
    pub fn log(self) -> Var<'t, T> {
        self.unary(MathFn::Log {})
    }
    Log {} = "log",
    forward |x| x.ln(),
    vjp |g, x, y| g / x;

    /// √x. d/dx = 1/(2√x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(4.0);
    /// assert_eq!(x.sqrt().backward()[x].item(), 0.25);
    /// ```
    pub fn sqrt(self) -> Var<'t, T> {
        self.unary(MathFn::Sqrt {})
    }
    Sqrt {} = "sqrt",
    forward |x| x.sqrt(),
    vjp |g, x, y| g / y.scale(2.0);

    /// |x|. d/dx = sign(x), and 0 at x = 0 (PyTorch's convention).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(-3.0);
    /// assert_eq!(x.abs().backward()[x].item(), -1.0);
    /// ```
    pub fn abs(self) -> Var<'t, T> {
        self.unary(MathFn::Abs {})
    }
    Abs {} = "abs",
    forward |x| x.abs(),
    vjp |g, x, y| g * x.sign();
}
