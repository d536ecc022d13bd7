//! Activation functions. Conventions at kinks are PyTorch's left
//! derivatives: relu'(0) = 0, leaky_relu'(0) = α, elu'(0) = α, selu'(0) = λα.
//! Branches that call `exp` only ever see the side of the kink where the
//! result is used (the "double where"), so ±100 in f32 gives finite
//! gradients.

use super::math::erf;
use super::stable::{sigmoid, softplus};
use super::unary::unary_family;
use crate::{Float, Var};
use std::f64::consts::{FRAC_1_SQRT_2, FRAC_2_SQRT_PI};

/// √(2/π), the constant of GELU's tanh approximation.
const SQRT_2_OVER_PI: f64 = FRAC_2_SQRT_PI * FRAC_1_SQRT_2;
/// The cubic coefficient of GELU's tanh approximation.
const GELU_CUBIC: f64 = 0.044_715;
/// 1/√(2π), the standard normal density at 0.
const NORMAL_PDF_0: f64 = FRAC_2_SQRT_PI * FRAC_1_SQRT_2 * 0.5;

/// SELU's α (Klambauer et al. 2017), to the digits PyTorch uses.
///
/// ```
/// let tape = tapegrad::Tape::<f64>::new();
/// let x = tape.scalar(-1e3);
/// assert_eq!(x.selu().item(), -tapegrad::SELU_SCALE * tapegrad::SELU_ALPHA);
/// ```
pub const SELU_ALPHA: f64 = 1.673_263_242_354_377_284_817_042_991_671_7;
/// SELU's scale λ.
///
/// ```
/// let tape = tapegrad::Tape::<f64>::new();
/// assert_eq!(tape.scalar(2.0).selu().item(), 2.0 * tapegrad::SELU_SCALE);
/// ```
pub const SELU_SCALE: f64 = 1.050_700_987_355_480_493_419_334_985_294_6;

unary_family! {
    /// The activation functions.
    enum ActivationFn;

    /// The logistic function σ(x) = 1/(1 + e⁻ˣ), computed without overflow.
    /// σ'(x) = σ(x)·(1 − σ(x)), which vanishes as |x| grows (saturation).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// let y = x.sigmoid();
    /// assert_eq!((y.item(), y.backward()[x].item()), (0.5, 0.25));
    /// ```
    pub fn sigmoid(self) -> Var<'t, T> {
        self.unary(ActivationFn::Sigmoid {})
    }
    Sigmoid {} = "sigmoid",
    forward |x| sigmoid(x),
    vjp |g, x, y| g * (y * y.rsub(1.0));

    /// tanh(x). tanh'(x) = 1 − tanh²(x). Computed without a libm call as
    /// −m/(m + 2), m = e^(−2|x|) − 1, with the sign of x: within 3 ulp of
    /// the C library's `tanh`, and a loop over a tensor vectorizes.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.tanh().backward()[x].item(), 1.0);
    /// ```
    pub fn tanh(self) -> Var<'t, T> {
        self.unary(ActivationFn::Tanh {})
    }
    Tanh {} = "tanh",
    forward |x| x.poly_tanh(),
    vjp |g, x, y| g * (y * y).rsub(1.0);

    /// max(x, 0), written as a branch (never as `max`, which would split the
    /// gradient at a tie). relu'(x) = 1 for x > 0, else 0 — including
    /// relu'(0) = 0, as in PyTorch and JAX.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-1.0, 0.0, 2.0], [3]));
    /// let g = x.relu().sum().backward();
    /// assert_eq!(g[x].data(), &[0.0, 0.0, 1.0]);
    /// ```
    pub fn relu(self) -> Var<'t, T> {
        self.unary(ActivationFn::Relu {})
    }
    Relu {} = "relu",
    forward |x| {
        // `x <= 0` rather than `max(x, 0)`: NaN passes through, and no
        // tie at 0 to split a gradient over.
        if x <= T::zero() {
            T::zero()
        } else {
            x
        }
    },
    vjp |g, x, y| g * x.step();

    /// x for x > 0, else α·x. Derivative 1 for x > 0, else α (α at 0).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-2.0, 0.0, 3.0], [3]));
    /// let y = x.leaky_relu(0.1);
    /// assert_eq!(y.value().data(), &[-0.2, 0.0, 3.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.1, 0.1, 1.0]);
    /// ```
    pub fn leaky_relu(self, alpha: f64) -> Var<'t, T> {
        self.unary(ActivationFn::LeakyRelu { alpha })
    }
    LeakyRelu { alpha: f64 } = "leaky_relu",
    forward |x| if x > T::zero() {
        x
    } else {
        x * T::from_f64(alpha)
    },
    vjp |g, x, y| g * x.step().scale(1.0 - alpha).shift(alpha);

    /// ELU: x for x > 0, else α·(eˣ − 1). Derivative 1 for x > 0, else α·eˣ
    /// (α at 0). `exp` is only evaluated for x ≤ 0.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.elu(1.0).backward()[x].item(), 1.0);
    /// ```
    pub fn elu(self, alpha: f64) -> Var<'t, T> {
        self.unary(ActivationFn::Elu { alpha })
    }
    Elu { alpha: f64 } = "elu",
    forward |x| if x > T::zero() {
        x
    } else {
        T::from_f64(alpha) * x.poly_exp_m1()
    },
    vjp |g, x, y| {
        // f' = m + (1 − m)·α·e^(x·(1 − m)) with the mask m = step(x): the
        // exponent is 0 where x > 0, so nothing overflows, and eˣ is taken
        // directly rather than as y + α, which cancels to 0 once eˣ is below
        // the precision of α (x < −17 in f32, −37 in f64).
        let m = x.step();
        let neg = m.rsub(1.0);
        g * (m + neg * (x * neg).exp().scale(alpha))
    };

    /// SELU: λ·x for x > 0, else λ·α·(eˣ − 1), with α =
    /// 1.6732632423543772848170429916717 and λ = 1.0507009873554804934193349852946
    /// (Klambauer et al.). Derivative λ for x > 0, else λ·α·eˣ (λα at 0).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(1.0);
    /// assert_eq!(x.selu().backward()[x].item(), tapegrad::SELU_SCALE);
    /// ```
    pub fn selu(self) -> Var<'t, T> {
        self.unary(ActivationFn::Selu {})
    }
    Selu {} = "selu",
    forward |x| {
        let s = T::from_f64(SELU_SCALE);
        if x > T::zero() {
            s * x
        } else {
            s * T::from_f64(SELU_ALPHA) * x.poly_exp_m1()
        }
    },
    vjp |g, x, y| {
        let m = x.step();
        let neg = m.rsub(1.0);
        g * (m.scale(SELU_SCALE) + neg * (x * neg).exp().scale(SELU_SCALE * SELU_ALPHA))
    };

    /// softplus(x) = log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|).
    /// Derivative σ(x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.softplus().backward()[x].item(), 0.5);
    /// ```
    pub fn softplus(self) -> Var<'t, T> {
        self.unary(ActivationFn::Softplus {})
    }
    Softplus {} = "softplus",
    forward |x| softplus(x),
    vjp |g, x, y| g * x.sigmoid();

    /// Mish: x·tanh(softplus(x)) (Misra 2019). Derivative
    /// tanh(sp) + x·σ(x)·(1 − tanh²(sp)) with sp = softplus(x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// let g = x.mish().backward()[x].item();
    /// assert!((g - 2f64.ln().tanh()).abs() < 1e-15); // mish'(0) = tanh(ln 2)
    /// ```
    pub fn mish(self) -> Var<'t, T> {
        self.unary(ActivationFn::Mish {})
    }
    Mish {} = "mish",
    forward |x| x * softplus(x).poly_tanh(),
    vjp |g, x, y| {
        // mish' = tanh(sp) + x·σ(x)·sech²(sp), sp = softplus(x)
        let t = x.softplus().tanh();
        g * (t + x * x.sigmoid() * (t * t).rsub(1.0))
    };

    /// softsign(x) = x/(1 + |x|). Derivative 1/(1 + |x|)², smooth at 0
    /// (softsign'(0) = 1 from both sides, as PyTorch); the second derivative
    /// −2·sign(x)/(1 + |x|)³ jumps there.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(-3.0);
    /// let y = x.softsign();
    /// assert_eq!((y.item(), y.backward()[x].item()), (-0.75, 0.0625));
    /// ```
    pub fn softsign(self) -> Var<'t, T> {
        self.unary(ActivationFn::Softsign {})
    }
    Softsign {} = "softsign",
    forward |x| x / (T::one() + x.abs()),
    vjp |g, x, y| {
        // |x| as x·sign(x): sign is a constant of the graph, so the
        // recorded rule differentiates to the exact second derivative.
        let d = (x * x.sign()).shift(1.0);
        g / (d * d)
    };

    /// GELU, exact: x·Φ(x) = x/2·(1 + erf(x/√2)) (Hendrycks & Gimpel 2016),
    /// PyTorch's `gelu(approximate="none")`. Derivative Φ(x) + x·φ(x) with
    /// φ the standard normal density (gelu'(0) = 1/2).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.gelu().backward()[x].item(), 0.5);
    /// ```
    pub fn gelu(self) -> Var<'t, T> {
        self.unary(ActivationFn::Gelu {})
    }
    Gelu {} = "gelu",
    forward |x| x * T::from_f64(0.5) * (T::one() + erf(x * T::from_f64(FRAC_1_SQRT_2))),
    vjp |g, x, y| {
        let cdf = x.scale(FRAC_1_SQRT_2).erf().shift(1.0).scale(0.5);
        let pdf = (x * x).scale(-0.5).exp().scale(NORMAL_PDF_0);
        g * (cdf + x * pdf)
    };

    /// GELU, tanh approximation: x/2·(1 + tanh(u)), u = √(2/π)(x + 0.044715x³),
    /// PyTorch's `gelu(approximate="tanh")`. Derivative
    /// (1 + t)/2 + x/2·(1 − t²)·√(2/π)(1 + 3·0.044715x²) with t = tanh u.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.gelu_tanh().backward()[x].item(), 0.5);
    /// ```
    pub fn gelu_tanh(self) -> Var<'t, T> {
        self.unary(ActivationFn::GeluTanh {})
    }
    GeluTanh {} = "gelu_tanh",
    forward |x| {
        let u = T::from_f64(SQRT_2_OVER_PI) * (x + T::from_f64(GELU_CUBIC) * x * x * x);
        T::from_f64(0.5) * x * (T::one() + u.poly_tanh())
    },
    vjp |g, x, y| {
        let t = (x + x * x * x.scale(GELU_CUBIC)).scale(SQRT_2_OVER_PI).tanh();
        let du = (x * x).scale(3.0 * GELU_CUBIC).shift(1.0).scale(SQRT_2_OVER_PI);
        g * (t.shift(1.0).scale(0.5) + x.scale(0.5) * (t * t).rsub(1.0) * du)
    };

    /// SiLU: x·σ(x) (swish with β = 1, without a β to train). Derivative
    /// σ(x)·(1 + x·(1 − σ(x))). σ underflows to 0 far left, where the
    /// output is −0 and the gradient 0.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.silu().backward()[x].item(), 0.5);
    /// ```
    pub fn silu(self) -> Var<'t, T> {
        self.unary(ActivationFn::Silu {})
    }
    Silu {} = "silu",
    forward |x| x * sigmoid(x),
    vjp |g, x, y| {
        let s = x.sigmoid();
        g * (s * (x * s.rsub(1.0)).shift(1.0))
    };

    /// Hard sigmoid: relu6(x + 3)/6. Derivative **1/6 where −3 < x < 3**,
    /// else 0 (0 at ±3, PyTorch's rule). The mask tests x itself, so
    /// x = 3 − 1 ulp is inside although x + 3 rounds to 6.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-3.0, 0.0, 3.0], [3]));
    /// let y = x.hardsigmoid();
    /// assert_eq!(y.value().data(), &[0.0, 0.5, 1.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.0, 1.0 / 6.0, 0.0]);
    /// ```
    pub fn hardsigmoid(self) -> Var<'t, T> {
        self.unary(ActivationFn::Hardsigmoid {})
    }
    Hardsigmoid {} = "hardsigmoid",
    forward |x| {
        let s = x + T::from_f64(3.0);
        if s <= T::zero() {
            T::zero()
        } else if s >= T::from_f64(6.0) {
            T::one()
        } else {
            s / T::from_f64(6.0)
        }
    },
    // x + 3 > 0 ⇔ x > −3 and 3 − x > 0 ⇔ x < 3, both exact near the kinks.
    vjp |g, x, y| g * (x.shift(3.0).step() * x.rsub(3.0).step()).div_c(6.0);

    /// Hard swish: x·relu6(x + 3)/6 (Howard et al. 2019). Derivative 0 for
    /// x ≤ −3, x/3 + 1/2 for −3 < x < 3, 1 for x ≥ 3: **0 at −3, 1 at +3**
    /// (PyTorch takes the outer side at both kinks).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-3.0, 0.0, 3.0], [3]));
    /// let y = x.hardswish();
    /// assert_eq!(y.value().data(), &[0.0, 0.0, 3.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.0, 0.5, 1.0]);
    /// ```
    pub fn hardswish(self) -> Var<'t, T> {
        self.unary(ActivationFn::Hardswish {})
    }
    Hardswish {} = "hardswish",
    forward |x| {
        let s = x + T::from_f64(3.0);
        let r = if s <= T::zero() {
            T::zero()
        } else if s >= T::from_f64(6.0) {
            T::from_f64(6.0)
        } else {
            s
        };
        x * r / T::from_f64(6.0)
    },
    vjp |g, x, y| {
        let inside = x.shift(3.0).step() * x.rsub(3.0).step();
        let right = x.rsub(3.0).step().rsub(1.0); // x ≥ 3
        g * (inside * x.div_c(3.0).shift(0.5) + right)
    };

    /// CELU: x for x > 0, else α·(e^(x/α) − 1) (Barron 2017), α ≠ 0.
    /// Derivative 1 for x > 0, else e^(x/α): **1 at 0** from both sides.
    /// `exp` is only evaluated for x ≤ 0.
    ///
    /// # Panics
    /// When α = 0.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.celu(0.5).backward()[x].item(), 1.0);
    /// ```
    pub fn celu(self, alpha: f64) -> Var<'t, T> {
        assert!(
            alpha != 0.0,
            "tapegrad: celu: alpha must not be 0 (at {})",
            std::panic::Location::caller()
        );
        self.unary(ActivationFn::Celu { alpha })
    }
    Celu { alpha: f64 } = "celu",
    forward |x| if x > T::zero() {
        x
    } else {
        T::from_f64(alpha) * (x / T::from_f64(alpha)).poly_exp_m1()
    },
    vjp |g, x, y| {
        // As elu: the exponent is 0 where x > 0, so nothing overflows.
        let m = x.step();
        let neg = m.rsub(1.0);
        g * (m + neg * (x * neg).div_c(alpha).exp())
    };

    /// log σ(x), computed stably as min(x, 0) − log1p(e^(−|x|)) (exact for
    /// x = ±1e4). Derivative σ(−x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(-1e4);
    /// let y = x.logsigmoid();
    /// assert_eq!((y.item(), y.backward()[x].item()), (-1e4, 1.0));
    /// ```
    pub fn logsigmoid(self) -> Var<'t, T> {
        self.unary(ActivationFn::Logsigmoid {})
    }
    Logsigmoid {} = "logsigmoid",
    forward |x| x.min(T::zero()) - (-x.abs()).exp().ln_1p(),
    vjp |g, x, y| g * (-x).sigmoid();
}

impl<'t, T: Float> Var<'t, T> {
    /// Hard tanh: clamp(x, min_val, max_val), PyTorch's `hardtanh`.
    /// Derivative **1 strictly inside, 0 at both bounds** and outside (0
    /// everywhere when min_val ≥ max_val); it is [`clamp`](Var::clamp) with
    /// both bounds.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![-1.0, 0.0, 1.0], [3]));
    /// assert_eq!(x.hardtanh(-1.0, 1.0).sum().backward()[x].data(), &[0.0, 1.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn hardtanh(self, min_val: f64, max_val: f64) -> Var<'t, T> {
        self.clamp(Some(min_val), Some(max_val))
    }

    /// ReLU6: min(max(x, 0), 6) = hardtanh(x, 0, 6). Derivative 1 for
    /// 0 < x < 6, **0 at 0 and at 6**.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![0.0, 3.0, 6.0, 7.0], [4]));
    /// let y = x.relu6();
    /// assert_eq!(y.value().data(), &[0.0, 3.0, 6.0, 6.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.0, 1.0, 0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn relu6(self) -> Var<'t, T> {
        self.hardtanh(0.0, 6.0)
    }
}
