//! Elementwise add, sub, mul, div of two tensors with NumPy broadcasting.
//!
//! Each operand's gradient is the elementwise rule summed back over the axes
//! it was stretched along, so it always has the operand's own shape.
//!
//! | op | forward | ∂/∂a | ∂/∂b |
//! |---|---|---|---|
//! | add | a + b | 1 | 1 |
//! | sub | a − b | 1 | −1 |
//! | mul | a · b | b | a |
//! | div | a / b | 1/b | −a/b² |

use super::Op;
use crate::tape::GradBuffers;
use crate::tape::{NodeId, Values};
use crate::tensor::for_each_broadcast2;
use crate::{Float, Shape, Var};
use std::ops::{Add, Div, Mul, Neg, Sub};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
        }
    }

    #[inline(always)]
    fn apply<T: Float>(self, a: T, b: T) -> T {
        match self {
            BinaryOp::Add => a + b,
            BinaryOp::Sub => a - b,
            BinaryOp::Mul => a * b,
            BinaryOp::Div => a / b,
        }
    }

    /// ∂(a∘b)/∂a at one element.
    #[inline(always)]
    fn da<T: Float>(self, _a: T, b: T) -> T {
        match self {
            BinaryOp::Add | BinaryOp::Sub => T::one(),
            BinaryOp::Mul => b,
            BinaryOp::Div => T::one() / b,
        }
    }

    /// ∂(a∘b)/∂b at one element.
    #[inline(always)]
    fn db<T: Float>(self, a: T, b: T) -> T {
        match self {
            BinaryOp::Add => T::one(),
            BinaryOp::Sub => -T::one(),
            BinaryOp::Mul => a,
            BinaryOp::Div => -a / (b * b),
        }
    }
}

// The operators `+ - * /` are implemented below too; these named methods
// exist for method chains (`x.matmul(w).add(b).relu()`) and for docs.
#[allow(clippy::should_implement_trait)]
impl<'t, T: Float> Var<'t, T> {
    #[track_caller]
    fn binary(self, op: BinaryOp, rhs: Var<'t, T>) -> Var<'t, T> {
        self.same_tape(&rhs, op.name());
        let (sa, sb) = (self.shape(), rhs.shape());
        let same = sa == sb;
        let broadcast = if same {
            Some(sa.clone())
        } else {
            Shape::broadcast(&sa, &sb)
        };
        // `let … else` rather than a closure: a closure would report its own
        // line instead of the caller's.
        let Some(out) = broadcast else {
            panic!(
                "tapegrad: {}: shapes {sa} and {sb} cannot be broadcast together (at {})",
                op.name(),
                std::panic::Location::caller()
            )
        };
        let (a, b) = (self.id, rhs.id);
        self.tape.record(Op::Binary(op, a, b), out.clone(), |v, o| {
            let (xa, xb) = (v.val(a), v.val(b));
            if same {
                for ((o, &x), &y) in o.iter_mut().zip(xa).zip(xb) {
                    *o = op.apply(x, y);
                }
            } else if xb.len() == 1 && sa == out {
                let y = xb[0];
                for (o, &x) in o.iter_mut().zip(xa) {
                    *o = op.apply(x, y);
                }
            } else {
                let (ta, tb) = (sa.broadcast_strides(&out), sb.broadcast_strides(&out));
                for_each_broadcast2(&out, &ta, &tb, |i, ia, ib| o[i] = op.apply(xa[ia], xb[ib]));
            }
        })
    }

    /// Elementwise `self + rhs`, broadcasting. Also the `+` operator.
    ///
    /// ∂/∂a = 1, ∂/∂b = 1, each summed back to its operand's shape.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together; the message names both
    /// shapes and the caller's line.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let a = tape.param(Tensor::zeros([2, 3]));
    /// let b = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let g = a.add(b).sum().backward();
    /// assert_eq!(g[b].data(), &[2.0, 2.0, 2.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn add(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(BinaryOp::Add, rhs)
    }

    /// Elementwise `self − rhs`, broadcasting. Also the `-` operator.
    ///
    /// ∂/∂a = 1, ∂/∂b = −1.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (a, b) = (tape.scalar(5.0), tape.scalar(2.0));
    /// let g = a.sub(b).backward();
    /// assert_eq!((g[a].item(), g[b].item()), (1.0, -1.0));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn sub(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(BinaryOp::Sub, rhs)
    }

    /// Elementwise `self · rhs`, broadcasting. Also the `*` operator.
    ///
    /// ∂/∂a = b, ∂/∂b = a.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (a, b) = (tape.scalar(3.0), tape.scalar(4.0));
    /// let g = a.mul(b).backward();
    /// assert_eq!((g[a].item(), g[b].item()), (4.0, 3.0));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn mul(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(BinaryOp::Mul, rhs)
    }

    /// Elementwise `self / rhs`, broadcasting. Also the `/` operator.
    ///
    /// ∂/∂a = 1/b, ∂/∂b = −a/b².
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (a, b) = (tape.scalar(3.0), tape.scalar(2.0));
    /// let g = a.div(b).backward();
    /// assert_eq!((g[a].item(), g[b].item()), (0.5, -0.75));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn div(self, rhs: Var<'t, T>) -> Var<'t, T> {
        self.binary(BinaryOp::Div, rhs)
    }
}

/// Adds `g · ∂out/∂(operand)` into the operand's gradient, reducing over
/// broadcast axes by accumulating into the same element.
pub(crate) fn backward<T: Float>(
    op: BinaryOp,
    id: NodeId,
    a: NodeId,
    b: NodeId,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let (xa, xb) = (v.val(a), v.val(b));
    let (sa, sb, out) = (v.shape(a), v.shape(b), v.shape(id));
    let same = sa == sb;
    let (ta, tb) = if same {
        Default::default()
    } else {
        (sa.broadcast_strides(out), sb.broadcast_strides(out))
    };
    if let Some(ga) = gb.acc(v, a) {
        if same {
            for i in 0..g.len() {
                ga[i] += g[i] * op.da(xa[i], xb[i]);
            }
        } else {
            for_each_broadcast2(out, &ta, &tb, |i, ia, ib| {
                ga[ia] += g[i] * op.da(xa[ia], xb[ib])
            });
        }
    }
    if let Some(gbuf) = gb.acc(v, b) {
        if same {
            for i in 0..g.len() {
                gbuf[i] += g[i] * op.db(xa[i], xb[i]);
            }
        } else {
            for_each_broadcast2(out, &ta, &tb, |i, ia, ib| {
                gbuf[ib] += g[i] * op.db(xa[ia], xb[ib])
            });
        }
    }
}

/// The rule above with recorded ops: `sum_to(g · ∂out/∂x, shape(x))`.
pub(crate) fn backward_graph<'t, T: Float>(
    op: BinaryOp,
    a: Var<'t, T>,
    b: Var<'t, T>,
    _y: Var<'t, T>,
    g: Var<'t, T>,
    acc: &mut dyn FnMut(NodeId, Var<'t, T>),
) {
    if a.requires_grad() {
        let da = match op {
            BinaryOp::Add | BinaryOp::Sub => g,
            BinaryOp::Mul => g * b,
            BinaryOp::Div => g / b,
        };
        acc(a.id, da.sum_to(a.shape()));
    }
    if b.requires_grad() {
        let db = match op {
            BinaryOp::Add => g,
            BinaryOp::Sub => -g,
            BinaryOp::Mul => g * a,
            BinaryOp::Div => -(g * a / (b * b)),
        };
        acc(b.id, db.sum_to(b.shape()));
    }
}

macro_rules! var_operator {
    ($trait:ident, $method:ident) => {
        impl<'t, T: Float> $trait<Var<'t, T>> for Var<'t, T> {
            type Output = Var<'t, T>;
            #[track_caller]
            fn $method(self, rhs: Var<'t, T>) -> Var<'t, T> {
                Var::$method(self, rhs)
            }
        }
    };
}
var_operator!(Add, add);
var_operator!(Sub, sub);
var_operator!(Mul, mul);
var_operator!(Div, div);

impl<'t, T: Float> Neg for Var<'t, T> {
    type Output = Var<'t, T>;
    #[track_caller]
    fn neg(self) -> Var<'t, T> {
        Var::neg(self)
    }
}
