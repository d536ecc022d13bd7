//! Arithmetic with a plain number (`x + c`, `c / x`, …) and powers: the
//! operators between a `Var` and an `f32`/`f64`.

use super::unary::unary_family;
use crate::Var;
use std::ops::{Add, Div, Mul, Sub};

unary_family! {
    /// Arithmetic with a plain number, and powers.
    enum ArithFn;

    /// −x. Also the unary `-` operator. d/dx = −1.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// assert_eq!((-x).item(), -2.0);
    /// ```
    #[allow(clippy::should_implement_trait)] // `Neg` is implemented too; this is for method chains
    pub fn neg(self) -> Var<'t, T> {
        self.unary(ArithFn::Neg {})
    }
    Neg {} = "neg",
    forward |x| -x,
    vjp |g, x, y| -g;

    /// x + c for a plain number c. Also `x + c` and `c + x`. d/dx = 1.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// assert_eq!(tape.scalar(2.0).add_scalar(1.5).item(), 3.5);
    /// ```
    pub fn add_scalar(self, c: T) -> Var<'t, T> {
        self.unary(ArithFn::AddC { c: c.to_f64() })
    }
    AddC { c: f64 } = "add_scalar",
    forward |x| x + T::from_f64(c),
    vjp |g, x, y| g;

    /// x · c for a plain number c. Also `x * c` and `c * x`. d/dx = c.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// assert_eq!(x.mul_scalar(3.0).backward()[x].item(), 3.0);
    /// ```
    pub fn mul_scalar(self, c: T) -> Var<'t, T> {
        self.unary(ArithFn::MulC { c: c.to_f64() })
    }
    MulC { c: f64 } = "mul_scalar",
    forward |x| x * T::from_f64(c),
    vjp |g, x, y| g.scale(c);

    /// x / c for a plain number c. Also `x / c`. d/dx = 1/c.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// assert_eq!(tape.scalar(3.0).div_scalar(2.0).item(), 1.5);
    /// ```
    pub fn div_scalar(self, c: T) -> Var<'t, T> {
        self.unary(ArithFn::DivC { c: c.to_f64() })
    }
    DivC { c: f64 } = "div_scalar",
    forward |x| x / T::from_f64(c),
    vjp |g, x, y| g.div_c(c);

    /// c − x for a plain number c. Also `c - x`. d/dx = −1.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// assert_eq!(tape.scalar(3.0).rsub_scalar(1.0).item(), -2.0);
    /// ```
    pub fn rsub_scalar(self, c: T) -> Var<'t, T> {
        self.unary(ArithFn::RSubC { c: c.to_f64() })
    }
    RSubC { c: f64 } = "scalar_sub",
    forward |x| T::from_f64(c) - x,
    vjp |g, x, y| -g;

    /// c / x for a plain number c. Also `c / x`. d/dx = −c/x².
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// assert_eq!(x.rdiv_scalar(1.0).backward()[x].item(), -0.25);
    /// ```
    pub fn rdiv_scalar(self, c: T) -> Var<'t, T> {
        self.unary(ArithFn::RDivC { c: c.to_f64() })
    }
    RDivC { c: f64 } = "scalar_div",
    forward |x| T::from_f64(c) / x,
    vjp |g, x, y| g * -(y / x);

    /// xⁿ for an integer n. d/dx = n·xⁿ⁻¹ (defined for every x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(-2.0);
    /// let y = x.powi(3);
    /// assert_eq!((y.item(), y.backward()[x].item()), (-8.0, 12.0));
    /// ```
    pub fn powi(self, n: i32) -> Var<'t, T> {
        self.unary(ArithFn::Powi { n })
    }
    Powi { n: i32 } = "powi",
    forward |x| x.powi(n),
    vjp |g, x, y| match n {
        // The chain x² → x¹ → x⁰ must end in exact constants, or the next
        // order is 0·x⁻¹ = NaN at x = 0.
        0 => g.scale(0.0),
        1 => g,
        _ => g * x.powi(n - 1).scale(f64::from(n)),
    };

    /// xᵖ for a real p (x > 0 unless p is whole). d/dx = p·xᵖ⁻¹.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(4.0);
    /// assert_eq!(x.powf(1.5).backward()[x].item(), 3.0);
    /// ```
    pub fn powf(self, p: f64) -> Var<'t, T> {
        self.unary(ArithFn::Powf { p })
    }
    Powf { p: f64 } = "powf",
    forward |x| x.powf(T::from_f64(p)),
    vjp |g, x, y| if p == 0.0 {
        // x⁰ is constant: 0, not 0·x⁻¹ (NaN at x = 0), as in PyTorch.
        g.scale(0.0)
    } else if p == 1.0 {
        g
    } else {
        g * x.powf(p - 1.0).scale(p)
    };
}

macro_rules! scalar_operators {
    ($t:ty) => {
        impl<'t> Add<$t> for Var<'t, $t> {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn add(self, c: $t) -> Var<'t, $t> {
                self.add_scalar(c)
            }
        }
        impl<'t> Sub<$t> for Var<'t, $t> {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn sub(self, c: $t) -> Var<'t, $t> {
                self.add_scalar(-c)
            }
        }
        impl<'t> Mul<$t> for Var<'t, $t> {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn mul(self, c: $t) -> Var<'t, $t> {
                self.mul_scalar(c)
            }
        }
        impl<'t> Div<$t> for Var<'t, $t> {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn div(self, c: $t) -> Var<'t, $t> {
                self.div_scalar(c)
            }
        }
        impl<'t> Add<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn add(self, x: Var<'t, $t>) -> Var<'t, $t> {
                x.add_scalar(self)
            }
        }
        impl<'t> Sub<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn sub(self, x: Var<'t, $t>) -> Var<'t, $t> {
                x.rsub_scalar(self)
            }
        }
        impl<'t> Mul<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn mul(self, x: Var<'t, $t>) -> Var<'t, $t> {
                x.mul_scalar(self)
            }
        }
        impl<'t> Div<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn div(self, x: Var<'t, $t>) -> Var<'t, $t> {
                x.rdiv_scalar(self)
            }
        }
    };
}
scalar_operators!(f32);
scalar_operators!(f64);
