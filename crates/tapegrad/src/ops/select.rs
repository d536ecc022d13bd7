//! `where_(cond, a, b)`: `a` where the mask `cond` is nonzero, else `b`,
//! the three broadcast together (`torch.where`). A branch, not a product,
//! so inf or NaN on the side not taken never reaches the result or the
//! gradient. `a` gets the gradient where `cond` holds, `b` where it does
//! not (each summed back to its own shape); `cond` gets none.

use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Shape, Tape, Var};
use smallvec::SmallVec;

/// The node of `where_(cond, a, b)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Where {
    cond: NodeId,
    a: NodeId,
    b: NodeId,
}

/// Calls `f(i, [ic, ia, ib])` for every element `i` of `out`, with the
/// element each of the three operands (read through its broadcast strides)
/// puts there. Three operands, so `for_each_broadcast2` does not fit.
fn for_each_broadcast3(out: &Shape, strides: [&[usize]; 3], mut f: impl FnMut(usize, [usize; 3])) {
    let dims = out.dims();
    let mut idx: SmallVec<[usize; 4]> = SmallVec::from_elem(0, dims.len());
    let mut at = [0usize; 3];
    for i in 0..out.numel() {
        f(i, at);
        // Odometer: step the last axis, carry into the ones before it.
        for ax in (0..dims.len()).rev() {
            idx[ax] += 1;
            for (o, s) in at.iter_mut().zip(strides) {
                *o += s[ax];
            }
            if idx[ax] < dims[ax] {
                break;
            }
            for (o, s) in at.iter_mut().zip(strides) {
                *o -= s[ax] * dims[ax];
            }
            idx[ax] = 0;
        }
    }
}

impl Where {
    /// Runs `f(i, [ic, ia, ib])` over the elements of `out`, with a plain
    /// index where all three shapes agree.
    fn walk<T: Float>(&self, out: &Shape, v: &Values<'_, T>, mut f: impl FnMut(usize, [usize; 3])) {
        let shapes = [v.shape(self.cond), v.shape(self.a), v.shape(self.b)];
        if shapes.iter().all(|s| *s == out) {
            for i in 0..out.numel() {
                f(i, [i; 3]);
            }
        } else {
            let [c, a, b] = shapes.map(|s| s.broadcast_strides(out));
            for_each_broadcast3(out, [&c, &a, &b], f);
        }
    }
}

impl Rule for Where {
    fn name(&self) -> &'static str {
        "where"
    }

    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.cond, self.a, self.b])
    }

    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let c = v.val(self.cond);
        for (side, input) in [(0, self.a), (1, self.b)] {
            if let Some(acc) = gb.acc(v, input) {
                let take = side == 0;
                self.walk(v.shape(id), v, |i, [ic, ia, ib]| {
                    if (c[ic] != T::zero()) == take {
                        acc[if take { ia } else { ib }] += g[i];
                    }
                });
            }
        }
    }

    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _id: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let cond = Var::new(tape, self.cond);
        let zero = tape.constant_scalar(T::zero());
        for (input, take) in [(self.a, true), (self.b, false)] {
            let x = Var::new(tape, input);
            if x.requires_grad() {
                let share = if take {
                    where_(cond, g, zero)
                } else {
                    where_(cond, zero, g)
                };
                acc(input, share.sum_to(x.shape()));
            }
        }
    }
}

/// `a` where `cond` is nonzero, else `b`, elementwise, with `cond`, `a` and
/// `b` broadcast together (as `torch.where(cond, a, b)`). `cond` is a mask,
/// typically a comparison such as `x.gt(y)`; it gets no gradient. `a`
/// receives the upstream gradient where `cond` holds and `b` where it does
/// not, each summed back to its own shape; the side not taken never enters
/// the result, so it may be inf or NaN.
///
/// # Panics
/// When the three shapes cannot be broadcast together (naming them and the
/// caller's line), or the operands are on different tapes.
///
/// ```
/// use tapegrad::{where_, Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let x = tape.param(Tensor::from_vec(vec![-1.0, 2.0, -3.0], [3]));
/// let zero = tape.constant_scalar(0.0);
/// let y = where_(x.gt(zero), x, x.exp()); // a hand-made ELU
/// assert_eq!(y.value().data()[1], 2.0);
/// let g = y.sum().backward();
/// assert_eq!(g[x].data()[1], 1.0);
/// assert_eq!(g[x].data()[0], (-1f64).exp());
/// ```
#[must_use]
#[track_caller]
pub fn where_<'t, T: Float>(cond: Var<'t, T>, a: Var<'t, T>, b: Var<'t, T>) -> Var<'t, T> {
    cond.same_tape(&a, "where");
    cond.same_tape(&b, "where");
    let (sc, sa, sb) = (cond.shape(), a.shape(), b.shape());
    let out = Shape::broadcast(&sc, &sa).and_then(|ca| Shape::broadcast(&ca, &sb));
    let Some(out) = out else {
        panic!(
            "tapegrad: where: shapes {sc} (cond), {sa} and {sb} cannot be broadcast together (at {})",
            std::panic::Location::caller()
        )
    };
    let op = Where {
        cond: cond.id,
        a: a.id,
        b: b.id,
    };
    cond.tape.record(op.into(), out.clone(), |v, o| {
        let (c, xa, xb) = (v.val(op.cond), v.val(op.a), v.val(op.b));
        op.walk(&out, v, |i, [ic, ia, ib]| {
            o[i] = if c[ic] != T::zero() { xa[ia] } else { xb[ib] };
        });
    })
}
