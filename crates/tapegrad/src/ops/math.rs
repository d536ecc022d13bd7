//! Elementwise mathematical functions. Conventions at kinks are PyTorch's:
//! abs'(0) = 0; `clamp` has gradient 1 strictly inside its bounds and 0 at
//! a bound and outside.

use super::unary::unary_family;
use crate::{Float, Var};

/// The error function, erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, from `libm` in f64
/// (then rounded to `T`, so f32 gets a correctly rounded-from-f64 value).
#[inline(always)]
pub(crate) fn erf<T: Float>(x: T) -> T {
    T::from_f64(libm::erf(x.to_f64()))
}

/// 2/√π, erf's slope at 0.
const TWO_OVER_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;

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

    /// sin x. d/dx = cos x.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// let y = x.sin();
    /// assert_eq!((y.item(), y.backward()[x].item()), (0.0, 1.0));
    /// ```
    pub fn sin(self) -> Var<'t, T> {
        self.unary(MathFn::Sin {})
    }
    Sin {} = "sin",
    forward |x| x.sin(),
    vjp |g, x, y| g * x.cos();

    /// cos x. d/dx = −sin x.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// let y = x.cos();
    /// assert_eq!((y.item(), y.backward()[x].item()), (1.0, 0.0));
    /// ```
    pub fn cos(self) -> Var<'t, T> {
        self.unary(MathFn::Cos {})
    }
    Cos {} = "cos",
    forward |x| x.cos(),
    vjp |g, x, y| -(g * x.sin());

    /// tan x (poles at π/2 + kπ). d/dx = 1 + tan² x.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.tan().backward()[x].item(), 1.0);
    /// ```
    pub fn tan(self) -> Var<'t, T> {
        self.unary(MathFn::Tan {})
    }
    Tan {} = "tan",
    forward |x| x.tan(),
    vjp |g, x, y| g * (y * y).shift(1.0);

    /// atan x ∈ (−π/2, π/2). d/dx = 1/(1 + x²).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(1.0);
    /// assert_eq!(x.atan().backward()[x].item(), 0.5);
    /// ```
    pub fn atan(self) -> Var<'t, T> {
        self.unary(MathFn::Atan {})
    }
    Atan {} = "atan",
    forward |x| x.atan(),
    vjp |g, x, y| g / (x * x).shift(1.0);

    /// sinh x. d/dx = cosh x.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.sinh().backward()[x].item(), 1.0);
    /// ```
    pub fn sinh(self) -> Var<'t, T> {
        self.unary(MathFn::Sinh {})
    }
    Sinh {} = "sinh",
    forward |x| x.sinh(),
    vjp |g, x, y| g * x.cosh();

    /// cosh x. d/dx = sinh x.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// let y = x.cosh();
    /// assert_eq!((y.item(), y.backward()[x].item()), (1.0, 0.0));
    /// ```
    pub fn cosh(self) -> Var<'t, T> {
        self.unary(MathFn::Cosh {})
    }
    Cosh {} = "cosh",
    forward |x| x.cosh(),
    vjp |g, x, y| g * x.sinh();

    /// ln(1 + x), accurate for tiny x (x > −1). d/dx = 1/(1 + x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(1e-20);
    /// let y = x.log1p();
    /// assert_eq!((y.item(), y.backward()[x].item()), (1e-20, 1.0));
    /// ```
    pub fn log1p(self) -> Var<'t, T> {
        self.unary(MathFn::Log1p {})
    }
    Log1p {} = "log1p",
    forward |x| x.ln_1p(),
    vjp |g, x, y| g / x.shift(1.0);

    /// eˣ − 1, accurate for tiny x. d/dx = eˣ, taken directly rather than
    /// as y + 1 (which loses eˣ once it is below an ulp of 1).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(1e-20);
    /// let y = x.expm1();
    /// assert_eq!((y.item(), y.backward()[x].item()), (1e-20, 1.0));
    /// ```
    pub fn expm1(self) -> Var<'t, T> {
        self.unary(MathFn::Expm1 {})
    }
    Expm1 {} = "expm1",
    forward |x| x.exp_m1(),
    vjp |g, x, y| g * x.exp();

    /// The error function erf x = 2/√π ∫₀ˣ e^(−t²) dt. d/dx = 2/√π·e^(−x²).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// let g = x.erf().backward()[x].item();
    /// assert_eq!(g, std::f64::consts::FRAC_2_SQRT_PI);
    /// ```
    pub fn erf(self) -> Var<'t, T> {
        self.unary(MathFn::Erf {})
    }
    Erf {} = "erf",
    forward |x| erf(x),
    vjp |g, x, y| g * (-(x * x)).exp().scale(TWO_OVER_SQRT_PI);

    /// 1/x. d/dx = −1/x² (= −y²).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// let y = x.reciprocal();
    /// assert_eq!((y.item(), y.backward()[x].item()), (0.5, -0.25));
    /// ```
    pub fn reciprocal(self) -> Var<'t, T> {
        self.unary(MathFn::Reciprocal {})
    }
    Reciprocal {} = "reciprocal",
    forward |x| x.recip(),
    vjp |g, x, y| -(g * y * y);

    /// x². d/dx = 2x.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(-3.0);
    /// let y = x.square();
    /// assert_eq!((y.item(), y.backward()[x].item()), (9.0, -6.0));
    /// ```
    pub fn square(self) -> Var<'t, T> {
        self.unary(MathFn::Square {})
    }
    Square {} = "square",
    forward |x| x * x,
    vjp |g, x, y| g * x.scale(2.0);

    /// 1/√x (x > 0). d/dx = −x^(−3/2)/2 (= −y³/2).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(4.0);
    /// let y = x.rsqrt();
    /// assert_eq!((y.item(), y.backward()[x].item()), (0.5, -0.0625));
    /// ```
    pub fn rsqrt(self) -> Var<'t, T> {
        self.unary(MathFn::Rsqrt {})
    }
    Rsqrt {} = "rsqrt",
    forward |x| x.sqrt().recip(),
    vjp |g, x, y| g * (y * y * y).scale(-0.5);

    /// max(x, min): `clamp` with a lower bound only. Gradient 1 where
    /// x > min, **0 at x = min** and below (PyTorch's scalar-bound rule).
    /// NaN passes through.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-1.0, 0.0, 2.0], [3]));
    /// let y = x.clamp_min(0.0);
    /// assert_eq!(y.value().data(), &[0.0, 0.0, 2.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.0, 0.0, 1.0]);
    /// ```
    pub fn clamp_min(self, min: f64) -> Var<'t, T> {
        self.unary(MathFn::ClampMin { min })
    }
    ClampMin { min: f64 } = "clamp_min",
    forward |x| if x < T::from_f64(min) {
        T::from_f64(min)
    } else {
        x
    },
    // x − min > 0 exactly when x > min (a difference of two floats is 0
    // only when they are equal), so the mask is 0 at the bound.
    vjp |g, x, y| g * x.shift(-min).step();

    /// min(x, max): `clamp` with an upper bound only. Gradient 1 where
    /// x < max, **0 at x = max** and above. NaN passes through.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-1.0, 1.0, 2.0], [3]));
    /// let y = x.clamp_max(1.0);
    /// assert_eq!(y.value().data(), &[-1.0, 1.0, 1.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[1.0, 0.0, 0.0]);
    /// ```
    pub fn clamp_max(self, max: f64) -> Var<'t, T> {
        self.unary(MathFn::ClampMax { max })
    }
    ClampMax { max: f64 } = "clamp_max",
    forward |x| if x > T::from_f64(max) {
        T::from_f64(max)
    } else {
        x
    },
    vjp |g, x, y| g * x.rsub(max).step();
}

impl<'t, T: Float> Var<'t, T> {
    /// min(max(x, min), max) with either bound optional, as `torch.clamp`
    /// with scalar bounds: `max` wins where min > max. The gradient is 1
    /// strictly inside (min < x < max) and **0 at a bound and outside**, so
    /// 0 everywhere when min ≥ max. Both bounds: `clamp_min` then
    /// `clamp_max`, whose chained masks give exactly that rule.
    ///
    /// # Panics
    /// When neither bound is given (naming the caller's line).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-2.0, -1.0, 0.5, 1.0, 3.0], [5]));
    /// let y = x.clamp(Some(-1.0), Some(1.0));
    /// assert_eq!(y.value().data(), &[-1.0, -1.0, 0.5, 1.0, 1.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.0, 0.0, 1.0, 0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn clamp(self, min: Option<f64>, max: Option<f64>) -> Var<'t, T> {
        match (min, max) {
            (Some(lo), Some(hi)) => self.clamp_min(lo).clamp_max(hi),
            (Some(lo), None) => self.clamp_min(lo),
            (None, Some(hi)) => self.clamp_max(hi),
            (None, None) => panic!(
                "tapegrad: clamp: give at least one of min and max (at {})",
                std::panic::Location::caller()
            ),
        }
    }
}
