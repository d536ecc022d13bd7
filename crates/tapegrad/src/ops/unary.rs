//! Elementwise functions `y = f(x)`: arithmetic with a plain number, exp,
//! log, powers, and the activations. The rule is the same for all of them,
//! `∂L/∂x = ∂L/∂y · f'(x)`, so each function is one `apply` arm (the
//! forward) and one `deriv` arm (its derivative) next to each other, plus a
//! recorded form of `f'` for gradients of gradients.
//!
//! Conventions at kinks are PyTorch's left derivatives: relu'(0) = 0,
//! leaky_relu'(0) = α, elu'(0) = α, selu'(0) = λα, abs'(0) = 0. Branches
//! that call `exp` only ever see the side of the kink where the result is
//! used (the "double where"), so ±100 in f32 gives finite gradients.

use super::Op;
use crate::tape::GradBuffers;
use crate::tape::{NodeId, Values};
use crate::{Float, Var};
use std::ops::{Add, Div, Mul, Sub};

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

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum UnaryOp {
    Neg,
    AddC(f64),
    MulC(f64),
    DivC(f64),
    RSubC(f64),
    RDivC(f64),
    Powi(i32),
    Powf(f64),
    Exp,
    Log,
    Sqrt,
    Abs,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu(f64),
    Elu(f64),
    Selu,
    Softplus,
    Mish,
    /// `1` where x > 0, else `0`; derivative 0. The mask of relu's rule.
    Step,
    /// sign(x) with sign(0) = 0; derivative 0. The mask of abs's rule.
    Sign,
}

#[inline(always)]
fn c<T: Float>(x: f64) -> T {
    T::from_f64(x)
}

/// σ(x) without overflow: `exp` only of a non-positive number.
#[inline(always)]
pub(crate) fn sigmoid<T: Float>(x: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), never overflowing.
#[inline(always)]
pub(crate) fn softplus<T: Float>(x: T) -> T {
    x.max(T::zero()) + (-x.abs()).exp().ln_1p()
}

impl UnaryOp {
    pub(crate) fn name(self) -> &'static str {
        use UnaryOp::*;
        match self {
            Neg => "neg",
            AddC(_) => "add_scalar",
            MulC(_) => "mul_scalar",
            DivC(_) => "div_scalar",
            RSubC(_) => "scalar_sub",
            RDivC(_) => "scalar_div",
            Powi(_) => "powi",
            Powf(_) => "powf",
            Exp => "exp",
            Log => "log",
            Sqrt => "sqrt",
            Abs => "abs",
            Sigmoid => "sigmoid",
            Tanh => "tanh",
            Relu => "relu",
            LeakyRelu(_) => "leaky_relu",
            Elu(_) => "elu",
            Selu => "selu",
            Softplus => "softplus",
            Mish => "mish",
            Step => "step",
            Sign => "sign",
        }
    }

    /// The forward value `f(x)`.
    #[inline(always)]
    pub(crate) fn apply<T: Float>(self, x: T) -> T {
        use UnaryOp::*;
        let zero = T::zero();
        match self {
            Neg => -x,
            AddC(k) => x + c(k),
            MulC(k) => x * c(k),
            DivC(k) => x / c(k),
            RSubC(k) => c::<T>(k) - x,
            RDivC(k) => c::<T>(k) / x,
            Powi(n) => x.powi(n),
            Powf(p) => x.powf(c(p)),
            Exp => x.exp(),
            Log => x.ln(),
            Sqrt => x.sqrt(),
            Abs => x.abs(),
            Sigmoid => sigmoid(x),
            Tanh => x.tanh(),
            // `x <= 0` rather than `max(x, 0)`: NaN passes through, and no
            // tie at 0 to split a gradient over.
            Relu => {
                if x <= zero {
                    zero
                } else {
                    x
                }
            }
            LeakyRelu(a) => {
                if x > zero {
                    x
                } else {
                    x * c(a)
                }
            }
            Elu(a) => {
                if x > zero {
                    x
                } else {
                    c::<T>(a) * x.exp_m1()
                }
            }
            Selu => {
                let s = c::<T>(SELU_SCALE);
                if x > zero {
                    s * x
                } else {
                    s * c::<T>(SELU_ALPHA) * x.exp_m1()
                }
            }
            Softplus => softplus(x),
            Mish => x * softplus(x).tanh(),
            Step => {
                if x > zero {
                    T::one()
                } else {
                    zero
                }
            }
            Sign => {
                if x > zero {
                    T::one()
                } else if x < zero {
                    -T::one()
                } else {
                    zero
                }
            }
        }
    }

    /// The derivative `f'(x)`, given `x` and `y = f(x)`.
    #[inline(always)]
    pub(crate) fn deriv<T: Float>(self, x: T, y: T) -> T {
        use UnaryOp::*;
        let (zero, one) = (T::zero(), T::one());
        match self {
            Neg | RSubC(_) => -one,
            AddC(_) => one,
            MulC(k) => c(k),
            DivC(k) => one / c(k),
            RDivC(_) => -y / x,
            Powi(0) => zero,
            Powi(n) => c::<T>(f64::from(n)) * x.powi(n - 1),
            // x⁰ is constant: 0, not 0·x⁻¹ (NaN at x = 0), as in PyTorch.
            Powf(0.0) => zero,
            Powf(p) => c::<T>(p) * x.powf(c(p - 1.0)),
            Exp => y,
            Log => one / x,
            Sqrt => c::<T>(0.5) / y,
            Abs => Sign.apply(x),
            Sigmoid => y * (one - y),
            Tanh => one - y * y,
            Relu => Step.apply(x),
            LeakyRelu(a) => {
                if x > zero {
                    one
                } else {
                    c(a)
                }
            }
            Elu(a) => {
                if x > zero {
                    one
                } else {
                    c::<T>(a) * x.exp()
                }
            }
            Selu => {
                if x > zero {
                    c(SELU_SCALE)
                } else {
                    c::<T>(SELU_SCALE * SELU_ALPHA) * x.exp()
                }
            }
            Softplus => sigmoid(x),
            // mish' = tanh(sp) + x·σ(x)·sech²(sp), sp = softplus(x)
            Mish => {
                let t = softplus(x).tanh();
                t + x * sigmoid(x) * (one - t * t)
            }
            Step | Sign => zero,
        }
    }

    /// `g · f'(x)` as recorded ops, so that it can be differentiated again.
    /// Masks (`step`, `sign`) are constants of the graph: second
    /// derivatives are exact away from the kinks.
    pub(crate) fn backward_graph<'t, T: Float>(
        self,
        g: Var<'t, T>,
        x: Var<'t, T>,
        y: Var<'t, T>,
    ) -> Var<'t, T> {
        use UnaryOp::*;
        let k = |v: f64| T::from_f64(v);
        match self {
            Neg | RSubC(_) => -g,
            AddC(_) => g,
            MulC(m) => g.mul_scalar(k(m)),
            DivC(d) => g.div_scalar(k(d)),
            RDivC(_) => -(g * y / x),
            Powi(0) | Step | Sign => g.mul_scalar(T::zero()),
            Powi(1) => g,
            Powi(n) => g * x.powi(n - 1).mul_scalar(k(f64::from(n))),
            // As for powi, the chain x² → x¹ → x⁰ must end in exact
            // constants, or the next order is 0·x⁻¹ = NaN at x = 0.
            Powf(0.0) => g.mul_scalar(T::zero()),
            Powf(1.0) => g,
            Powf(p) => g * x.powf(p - 1.0).mul_scalar(k(p)),
            Exp => g * y,
            Log => g / x,
            Sqrt => g / y.mul_scalar(k(2.0)),
            Abs => g * x.sign(),
            Sigmoid => g * y * y.rsub_scalar(T::one()),
            Tanh => g * (y * y).rsub_scalar(T::one()),
            Relu => g * x.step(),
            LeakyRelu(a) => g * x.step().mul_scalar(k(1.0 - a)).add_scalar(k(a)),
            // f' = m + (1 − m)·α·e^(x·(1 − m)): the exponent is 0 where
            // x > 0, so nothing overflows, and eˣ is computed directly rather
            // than as y + α, which cancels to 0 once eˣ is below the
            // precision of α (x < −17 in f32, −37 in f64).
            Elu(a) => {
                let m = x.step();
                let neg = m.rsub_scalar(T::one());
                g * (m + neg * (x * neg).exp().mul_scalar(k(a)))
            }
            Selu => {
                let m = x.step();
                let neg = m.rsub_scalar(T::one());
                g * (m.mul_scalar(k(SELU_SCALE))
                    + neg * (x * neg).exp().mul_scalar(k(SELU_SCALE * SELU_ALPHA)))
            }
            Softplus => g * x.sigmoid(),
            Mish => {
                let t = x.softplus().tanh();
                g * (t + x * x.sigmoid() * (t * t).rsub_scalar(T::one()))
            }
        }
    }
}

/// Runs `$body` with `$f` bound to `op`, the `match` on the function taken
/// out of the per-element loop for the activations of a training step:
/// each then gets a loop of its own, with its branch resolved at compile
/// time, that the compiler can vectorize (a third off the backward pass of
/// the W2 relu and W4 selu training steps, measured).
macro_rules! per_function {
    ($op:expr, |$f:ident| $body:expr) => {{
        use UnaryOp::*;
        match $op {
            Relu => {
                let $f = Relu;
                $body
            }
            LeakyRelu(a) => {
                let $f = LeakyRelu(a);
                $body
            }
            Elu(a) => {
                let $f = Elu(a);
                $body
            }
            Selu => {
                let $f = Selu;
                $body
            }
            Sigmoid => {
                let $f = Sigmoid;
                $body
            }
            Tanh => {
                let $f = Tanh;
                $body
            }
            Mish => {
                let $f = Mish;
                $body
            }
            other => {
                let $f = other;
                $body
            }
        }
    }};
}

impl<'t, T: Float> Var<'t, T> {
    #[track_caller]
    pub(crate) fn unary(self, op: UnaryOp) -> Var<'t, T> {
        let x = self.id;
        self.tape.record(Op::Unary(op, x), self.shape(), |v, out| {
            per_function!(op, |f| {
                for (o, &xi) in out.iter_mut().zip(v.val(x)) {
                    *o = f.apply(xi);
                }
            })
        })
    }

    /// −x. Also the unary `-` operator. d/dx = −1.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// assert_eq!((-x).item(), -2.0);
    /// ```
    #[must_use]
    #[track_caller]
    #[allow(clippy::should_implement_trait)] // `Neg` is implemented too; this is for method chains
    pub fn neg(self) -> Var<'t, T> {
        self.unary(UnaryOp::Neg)
    }

    /// x + c for a plain number c. Also `x + c` and `c + x`. d/dx = 1.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// assert_eq!(tape.scalar(2.0).add_scalar(1.5).item(), 3.5);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn add_scalar(self, c: T) -> Var<'t, T> {
        self.unary(UnaryOp::AddC(c.to_f64()))
    }

    /// x · c for a plain number c. Also `x * c` and `c * x`. d/dx = c.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// assert_eq!(x.mul_scalar(3.0).backward()[x].item(), 3.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn mul_scalar(self, c: T) -> Var<'t, T> {
        self.unary(UnaryOp::MulC(c.to_f64()))
    }

    /// x / c for a plain number c. Also `x / c`. d/dx = 1/c.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// assert_eq!(tape.scalar(3.0).div_scalar(2.0).item(), 1.5);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn div_scalar(self, c: T) -> Var<'t, T> {
        self.unary(UnaryOp::DivC(c.to_f64()))
    }

    /// c − x for a plain number c. Also `c - x`. d/dx = −1.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// assert_eq!(tape.scalar(3.0).rsub_scalar(1.0).item(), -2.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn rsub_scalar(self, c: T) -> Var<'t, T> {
        self.unary(UnaryOp::RSubC(c.to_f64()))
    }

    /// c / x for a plain number c. Also `c / x`. d/dx = −c/x².
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// assert_eq!(x.rdiv_scalar(1.0).backward()[x].item(), -0.25);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn rdiv_scalar(self, c: T) -> Var<'t, T> {
        self.unary(UnaryOp::RDivC(c.to_f64()))
    }

    /// xⁿ for an integer n. d/dx = n·xⁿ⁻¹ (defined for every x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(-2.0);
    /// let y = x.powi(3);
    /// assert_eq!((y.item(), y.backward()[x].item()), (-8.0, 12.0));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn powi(self, n: i32) -> Var<'t, T> {
        self.unary(UnaryOp::Powi(n))
    }

    /// xᵖ for a real p (x > 0 unless p is whole). d/dx = p·xᵖ⁻¹.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(4.0);
    /// assert_eq!(x.powf(1.5).backward()[x].item(), 3.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn powf(self, p: f64) -> Var<'t, T> {
        self.unary(UnaryOp::Powf(p))
    }

    /// eˣ. d/dx = eˣ (the output itself).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.exp().backward()[x].item(), 1.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn exp(self) -> Var<'t, T> {
        self.unary(UnaryOp::Exp)
    }

    /// Natural logarithm. d/dx = 1/x.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(4.0);
    /// assert_eq!(x.log().backward()[x].item(), 0.25);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn log(self) -> Var<'t, T> {
        self.unary(UnaryOp::Log)
    }

    /// √x. d/dx = 1/(2√x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(4.0);
    /// assert_eq!(x.sqrt().backward()[x].item(), 0.25);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn sqrt(self) -> Var<'t, T> {
        self.unary(UnaryOp::Sqrt)
    }

    /// |x|. d/dx = sign(x), and 0 at x = 0 (PyTorch's convention).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(-3.0);
    /// assert_eq!(x.abs().backward()[x].item(), -1.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn abs(self) -> Var<'t, T> {
        self.unary(UnaryOp::Abs)
    }

    /// The logistic function σ(x) = 1/(1 + e⁻ˣ), computed without overflow.
    /// σ'(x) = σ(x)·(1 − σ(x)), which vanishes as |x| grows (saturation).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// let y = x.sigmoid();
    /// assert_eq!((y.item(), y.backward()[x].item()), (0.5, 0.25));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn sigmoid(self) -> Var<'t, T> {
        self.unary(UnaryOp::Sigmoid)
    }

    /// tanh(x). tanh'(x) = 1 − tanh²(x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.tanh().backward()[x].item(), 1.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn tanh(self) -> Var<'t, T> {
        self.unary(UnaryOp::Tanh)
    }

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
    #[must_use]
    #[track_caller]
    pub fn relu(self) -> Var<'t, T> {
        self.unary(UnaryOp::Relu)
    }

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
    #[must_use]
    #[track_caller]
    pub fn leaky_relu(self, alpha: f64) -> Var<'t, T> {
        self.unary(UnaryOp::LeakyRelu(alpha))
    }

    /// ELU: x for x > 0, else α·(eˣ − 1). Derivative 1 for x > 0, else α·eˣ
    /// (α at 0). `exp` is only evaluated for x ≤ 0.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.elu(1.0).backward()[x].item(), 1.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn elu(self, alpha: f64) -> Var<'t, T> {
        self.unary(UnaryOp::Elu(alpha))
    }

    /// SELU: λ·x for x > 0, else λ·α·(eˣ − 1), with α =
    /// 1.6732632423543772848170429916717 and λ = 1.0507009873554804934193349852946
    /// (Klambauer et al.). Derivative λ for x > 0, else λ·α·eˣ (λα at 0).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(1.0);
    /// assert_eq!(x.selu().backward()[x].item(), tapegrad::SELU_SCALE);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn selu(self) -> Var<'t, T> {
        self.unary(UnaryOp::Selu)
    }

    /// softplus(x) = log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|).
    /// Derivative σ(x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// assert_eq!(x.softplus().backward()[x].item(), 0.5);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn softplus(self) -> Var<'t, T> {
        self.unary(UnaryOp::Softplus)
    }

    /// Mish: x·tanh(softplus(x)) (Misra 2019). Derivative
    /// tanh(sp) + x·σ(x)·(1 − tanh²(sp)) with sp = softplus(x).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(0.0);
    /// let g = x.mish().backward()[x].item();
    /// assert!((g - 2f64.ln().tanh()).abs() < 1e-15); // mish'(0) = tanh(ln 2)
    /// ```
    #[must_use]
    #[track_caller]
    pub fn mish(self) -> Var<'t, T> {
        self.unary(UnaryOp::Mish)
    }

    /// 1 where x > 0, else 0: a mask with derivative zero everywhere (the
    /// recorded form of relu's derivative).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![-1.0, 0.0, 2.0], [3]));
    /// assert_eq!(x.step().value().data(), &[0.0, 0.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn step(self) -> Var<'t, T> {
        self.unary(UnaryOp::Step)
    }

    /// sign(x) ∈ {−1, 0, 1}, with derivative zero everywhere.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![-3.0, 0.0, 2.0], [3]));
    /// assert_eq!(x.sign().value().data(), &[-1.0, 0.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn sign(self) -> Var<'t, T> {
        self.unary(UnaryOp::Sign)
    }
}

/// `∂L/∂x += ∂L/∂y · f'(x)`, one fused pass.
pub(crate) fn backward<T: Float>(
    op: UnaryOp,
    id: NodeId,
    x: NodeId,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let (xs, ys) = (v.val(x), v.val(id));
    if let Some(gx) = gb.acc(v, x) {
        per_function!(op, |f| {
            for (((o, &gi), &xi), &yi) in gx.iter_mut().zip(g).zip(xs).zip(ys) {
                *o += gi * f.deriv(xi, yi);
            }
        })
    }
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
