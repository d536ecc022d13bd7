//! A dense layer's bias and activation as one op: `y = act(x + b)`, with
//! `x + b` broadcast as `+` broadcasts (typically a bias row `b` of shape
//! `[n]` or `[1, n]` against `x = h·W` of shape `[m, n]`).
//!
//! Every activation here has a derivative that is a function of its
//! output, so the node stores only `y` (no `x + b` in between):
//!
//!   z = x + b,  y = act(z),  dz = g ⊙ act'(y)
//!   ∂L/∂x = dz,  ∂L/∂b = dz summed over the axes `b` was broadcast along
//!
//! | act | act'(y) |
//! |---|---|
//! | identity | 1 |
//! | relu | 1 if y > 0 else 0 (0 at z = 0) |
//! | leaky_relu(α), α > 0 | 1 if y > 0 else α (α at z = 0) |
//! | elu(α), α > 0 | 1 if y > 0 else y + α (α at z = 0) |
//! | selu | λ if y > 0 else y + λα (λα at z = 0) |
//! | sigmoid | y(1 − y) |
//! | tanh | 1 − y² |
//!
//! y > 0 ⇔ z > 0 for each of them (α > 0), so the kinks are those of
//! [`activation`](super::activation), PyTorch's. The fused backward of a
//! bias row is one pass over `g` and `y` that writes `∂L/∂x` and
//! accumulates the column sum `∂L/∂b`; the recorded backward is the same
//! `act'(y)` over `Var`s, so gradients of gradients are exact at every
//! order.

use super::activation::ActivationFn;
use super::binary::{backward_loop, forward_loop};
use super::calc::{Calc, E};
use super::unary::UnaryFn;
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Shape, Tape, Var, SELU_ALPHA, SELU_SCALE};

/// The activation of [`bias_act`](Var::bias_act): each one's derivative is
/// a function of its output.
///
/// ```
/// use tapegrad::{Act, Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let x = tape.param(Tensor::from_vec(vec![-1.0, 0.5], [1, 2]));
/// let b = tape.param(Tensor::from_vec(vec![0.5, 0.5], [2]));
/// assert_eq!(x.bias_act(b, Act::Relu).value().data(), &[0.0, 1.0]);
/// assert_eq!(x.bias_act(b, Act::Identity).value().data(), &[-0.5, 1.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Act {
    /// No activation: `x + b`.
    Identity,
    /// [`relu`](Var::relu).
    Relu,
    /// [`leaky_relu`](Var::leaky_relu) with its negative slope, > 0.
    LeakyRelu(f64),
    /// [`elu`](Var::elu) with its α, > 0.
    Elu(f64),
    /// [`selu`](Var::selu).
    Selu,
    /// [`sigmoid`](Var::sigmoid).
    Sigmoid,
    /// [`tanh`](Var::tanh).
    Tanh,
}

/// Runs `$body` with `$act` bound to a fresh copy of `$value`'s variant,
/// so that a loop in `$body` sees a constant activation and the compiler
/// resolves `apply`'s and `vjp`'s `match` outside it (one loop per
/// activation, each vectorized).
macro_rules! per_act {
    ($value:expr, |$act:ident| $body:expr) => {
        match $value {
            Act::Identity => {
                let $act = Act::Identity;
                $body
            }
            Act::Relu => {
                let $act = Act::Relu;
                $body
            }
            Act::LeakyRelu(s) => {
                let $act = Act::LeakyRelu(s);
                $body
            }
            Act::Elu(a) => {
                let $act = Act::Elu(a);
                $body
            }
            Act::Selu => {
                let $act = Act::Selu;
                $body
            }
            Act::Sigmoid => {
                let $act = Act::Sigmoid;
                $body
            }
            Act::Tanh => {
                let $act = Act::Tanh;
                $body
            }
        }
    };
}

impl Act {
    /// The op's name in graphs and anomaly reports.
    fn name(self) -> &'static str {
        match self {
            Act::Identity => "bias_add",
            Act::Relu => "bias_relu",
            Act::LeakyRelu(_) => "bias_leaky_relu",
            Act::Elu(_) => "bias_elu",
            Act::Selu => "bias_selu",
            Act::Sigmoid => "bias_sigmoid",
            Act::Tanh => "bias_tanh",
        }
    }

    /// The elementwise activation with the same forward, if any.
    #[inline(always)]
    fn activation(self) -> Option<ActivationFn> {
        match self {
            Act::Identity => None,
            Act::Relu => Some(ActivationFn::Relu {}),
            Act::LeakyRelu(alpha) => Some(ActivationFn::LeakyRelu { alpha }),
            Act::Elu(alpha) => Some(ActivationFn::Elu { alpha }),
            Act::Selu => Some(ActivationFn::Selu {}),
            Act::Sigmoid => Some(ActivationFn::Sigmoid {}),
            Act::Tanh => Some(ActivationFn::Tanh {}),
        }
    }

    /// `act(z)`: the activation's own forward, so that the result is the
    /// unfused `(x + b).act()` bit for bit.
    #[inline(always)]
    fn apply<T: Float>(self, z: T) -> T {
        match self.activation() {
            None => z,
            Some(f) => f.forward_one(z),
        }
    }

    /// `g ⊙ act'(y)`, from the output alone.
    #[inline(always)]
    fn vjp<T: Float, C: Calc<T>>(self, g: C, y: C) -> C {
        match self {
            Act::Identity => g,
            // These rules read their input only through `step`, and
            // step(y) = step(z): the activations' own rules, given y for z.
            Act::Relu => ActivationFn::Relu {}.vjp(g, y, y),
            Act::LeakyRelu(alpha) => ActivationFn::LeakyRelu { alpha }.vjp(g, y, y),
            Act::Sigmoid => ActivationFn::Sigmoid {}.vjp(g, y, y),
            Act::Tanh => ActivationFn::Tanh {}.vjp(g, y, y),
            // The negative branch's derivative α·e^z is y + α. (The
            // elementwise `elu` takes α·e^z from z, which it keeps.)
            Act::Elu(alpha) => {
                let m = y.step();
                g * (m + m.rsub(1.0) * y.shift(alpha))
            }
            Act::Selu => {
                let m = y.step();
                g * (m.scale(SELU_SCALE) + m.rsub(1.0) * y.shift(SELU_SCALE * SELU_ALPHA))
            }
        }
    }
}

/// The node `act(x + b)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BiasAct {
    act: Act,
    x: NodeId,
    b: NodeId,
}

impl Rule for BiasAct {
    fn name(&self) -> &'static str {
        self.act.name()
    }

    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x, self.b])
    }

    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let shapes = [v.shape(self.x), v.shape(self.b), v.shape(id)];
        let xs = [v.val(self.x), v.val(self.b), v.val(id)];
        let [sx, sb, sy] = shapes;
        let (k, ys) = (xs[1].len(), xs[2]);
        if sx == sy && sb.is_trailing_of(sy) && k > 0 {
            if let Some((gx, gbias)) = gb.acc_pair(v, self.x, self.b) {
                per_act!(self.act, |act| bias_row_backward(act, k, g, ys, gx, gbias));
                return;
            }
        }
        // One operand needs a gradient, or a broadcast other than a bias
        // row: `+`'s loops, each side on its own.
        per_act!(self.act, |act| {
            if let Some(gx) = gb.acc(v, self.x) {
                backward_loop::<T, 0>(|g, _, _, y| act.vjp(g, y), shapes, xs, g, gx);
            }
            if let Some(gbias) = gb.acc(v, self.b) {
                backward_loop::<T, 1>(|g, _, _, y| act.vjp(g, y), shapes, xs, g, gbias);
            }
        });
    }

    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        id: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let (x, b, y) = (
            Var::new(tape, self.x),
            Var::new(tape, self.b),
            Var::new(tape, id),
        );
        let dz = self.act.vjp(g, y);
        if x.requires_grad() {
            acc(self.x, dz.sum_to(x.shape()));
        }
        if b.requires_grad() {
            acc(self.b, dz.sum_to(b.shape()));
        }
    }
}

/// The backward of `x` of shape `y` and a bias row of `k` elements, in one
/// pass: `dz = g ⊙ act'(y)` row by row, added to `gx` and to the running
/// column sum `gb` (in `+`'s row order, so the sum rounds as the unfused
/// one).
#[inline(always)]
fn bias_row_backward<T: Float>(act: Act, k: usize, g: &[T], ys: &[T], gx: &mut [T], gb: &mut [T]) {
    let rows = gx
        .chunks_exact_mut(k)
        .zip(g.chunks_exact(k))
        .zip(ys.chunks_exact(k));
    for ((gx, g), ys) in rows {
        for (((ox, ob), &g), &y) in gx.iter_mut().zip(gb.iter_mut()).zip(g).zip(ys) {
            let dz = act.vjp(E(g), E(y)).0;
            *ox += dz;
            *ob += dz;
        }
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// `act(self + bias)` as one op, with `self + bias` broadcast as `+`
    /// broadcasts: a dense layer's `h.matmul(w).bias_act(b, Act::Relu)`
    /// instead of `(h.matmul(w) + b).relu()`. The same values and
    /// gradients as the two ops (bit for bit except `Elu` and `Selu`, whose
    /// left-branch derivative is taken from the output: within about an
    /// ulp of α, or λα, per element), with one node, one forward pass and one backward pass; only the
    /// output is stored. Gradients of gradients are exact.
    ///
    /// # Panics
    /// When the shapes do not broadcast (naming both and the caller's
    /// line), when `bias` is on another tape, or when the slope of
    /// `LeakyRelu` or the α of `Elu` is not > 0 (the derivative is read
    /// from the output's sign).
    ///
    /// ```
    /// use tapegrad::{Act, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![0.0, 1.0, 2.0, 3.0], [2, 2]));
    /// let b = tape.param(Tensor::from_vec(vec![-1.0, 0.0], [2]));
    /// let y = x.bias_act(b, Act::Relu);
    /// assert_eq!(y.value().data(), &[0.0, 1.0, 1.0, 3.0]);
    /// let g = y.sum().backward();
    /// assert_eq!(g[x].data(), &[0.0, 1.0, 1.0, 1.0]);
    /// assert_eq!(g[b].data(), &[1.0, 2.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn bias_act(self, bias: Var<'t, T>, act: Act) -> Var<'t, T> {
        self.same_tape(&bias, "bias_act");
        if let Act::LeakyRelu(a) | Act::Elu(a) = act {
            assert!(
                a > 0.0,
                "tapegrad: bias_act: {act:?} needs a parameter > 0 (at {})",
                std::panic::Location::caller()
            );
        }
        let (x, b) = (self.id, bias.id);
        let op = BiasAct { act, x, b };
        let (sx, sb) = (self.shape(), bias.shape());
        let broadcast = if sx == sb {
            Some(sx.clone())
        } else {
            Shape::broadcast(&sx, &sb)
        };
        let Some(out) = broadcast else {
            panic!(
                "tapegrad: bias_act: shapes {sx} and {sb} cannot be broadcast together (at {})",
                std::panic::Location::caller()
            )
        };
        self.tape.record(op.into(), out.clone(), |v, o| {
            per_act!(act, |act| forward_loop(
                |x, b| act.apply(x + b),
                [&sx, &sb, &out],
                v.val(x),
                v.val(b),
                o
            ))
        })
    }
}
