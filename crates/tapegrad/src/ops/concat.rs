//! `cat` and `stack`: any number of inputs, kept in the tape's `links`.
//!
//! Both lay the inputs' blocks side by side along one axis of the output:
//! per outer position, input `i` contributes `numel(xᵢ) / outer` elements.
//! `cat` joins along an existing axis, `stack` along a new one of length
//! 1 per input; the gradient of each input is its window of the upstream
//! gradient.

use super::{Acc, Inputs, Link, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Shape, Tape, Var};
use smallvec::SmallVec;

/// Calls `f(input, out_range, in_range)` for every block: `outer` outer
/// positions, each holding every input's block in input order.
fn blocks(sizes: &[usize], outer: usize, mut f: impl FnMut(usize, usize, usize, usize)) {
    if outer == 0 {
        return;
    }
    let row: usize = sizes.iter().sum::<usize>() / outer;
    let mut start = 0;
    for (k, &n) in sizes.iter().enumerate() {
        let block = n / outer;
        for o in 0..outer {
            f(k, o * row + start, o * block, block);
        }
        start += block;
    }
}

fn sizes<T: Float>(ids: &[NodeId], v: &Values<'_, T>) -> SmallVec<[usize; 8]> {
    ids.iter().map(|&i| v.shape(i).numel()).collect()
}

#[track_caller]
fn join<'t, T: Float>(xs: &[Var<'t, T>], axis: isize, stacked: bool) -> Var<'t, T> {
    let op = if stacked { "stack" } else { "cat" };
    let Some(first) = xs.first() else {
        panic!(
            "tapegrad: {op}: needs at least one input (at {})",
            std::panic::Location::caller()
        )
    };
    let s0 = first.shape();
    let rank = s0.rank() + usize::from(stacked);
    // `cat` joins along an axis of the inputs, `stack` along an axis of
    // the output.
    let joined = if stacked {
        Shape::ones(rank).axis(axis)
    } else {
        s0.axis(axis)
    };
    let Some(a) = joined else {
        panic!(
            "tapegrad: {op}: axis {axis} out of range for inputs of shape {s0} (at {})",
            std::panic::Location::caller()
        )
    };
    let mut total = 0;
    for x in xs {
        x.same_tape(first, op);
        let s = x.shape();
        let fits = s.rank() == s0.rank()
            && (0..s.rank()).all(|d| (!stacked && d == a) || s.dims()[d] == s0.dims()[d]);
        if !fits {
            panic!(
                "tapegrad: {op}: shapes {s0} and {s} do not fit together along axis {axis} (at {})",
                std::panic::Location::caller()
            );
        }
        total += if stacked { 1 } else { s.dims()[a] };
    }
    let mut out: Vec<usize> = s0.dims().to_vec();
    if stacked {
        out.insert(a, total);
    } else {
        out[a] = total;
    }
    let outer: usize = out[..a].iter().product();
    let ids: SmallVec<[NodeId; 8]> = xs.iter().map(|x| x.id).collect();
    let tape = first.tape;
    let link = tape.link(&ids);
    let cat = Cat {
        link,
        axis: a as u32,
        stacked,
    };
    tape.record(cat.into(), out.into(), |v, o| {
        let ids = link.get(v.links);
        blocks(&sizes(ids, v), outer, |k, at, from, n| {
            o[at..at + n].copy_from_slice(&v.val(ids[k])[from..from + n]);
        });
    })
}

/// The inputs joined along an existing `axis` (negative counts from the
/// end); they must agree on every other axis and may be empty along it:
/// `torch.cat`. Each input's gradient is its window of the upstream one.
///
/// # Panics
/// When `xs` is empty, the inputs belong to different tapes, the axis is
/// out of range, or the shapes differ off the axis.
///
/// ```
/// use tapegrad::{cat, Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let a = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2, 1]));
/// let b = tape.param(Tensor::from_vec(vec![3.0, 4.0, 5.0, 6.0], [2, 2]));
/// let y = cat(&[a, b], -1);
/// assert_eq!(y.value().data(), &[1.0, 3.0, 4.0, 2.0, 5.0, 6.0]);
/// assert_eq!(y.sum().backward()[b].data(), &[1.0; 4]);
/// ```
#[must_use]
#[track_caller]
pub fn cat<'t, T: Float>(xs: &[Var<'t, T>], axis: isize) -> Var<'t, T> {
    join(xs, axis, false)
}

/// The inputs (all of one shape) stacked along a new `axis` in
/// `[−(r+1), r]`: `torch.stack`. 0-d inputs give a 1-d result.
///
/// # Panics
/// When `xs` is empty, the inputs belong to different tapes, the axis is
/// out of range, or the shapes differ.
///
/// ```
/// use tapegrad::{stack, Tape};
/// let tape = Tape::<f64>::new();
/// let (a, b) = (tape.scalar(1.0), tape.scalar(2.0));
/// let y = stack(&[a, b], 0);
/// assert_eq!(y.shape().dims(), &[2]);
/// assert_eq!((y * y).sum().backward()[b].item(), 4.0);
/// ```
#[must_use]
#[track_caller]
pub fn stack<'t, T: Float>(xs: &[Var<'t, T>], axis: isize) -> Var<'t, T> {
    join(xs, axis, true)
}

/// The linked inputs joined along `axis` (a new one when `stacked`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Cat {
    link: Link,
    axis: u32,
    stacked: bool,
}

impl Rule for Cat {
    fn name(&self) -> &'static str {
        if self.stacked {
            "stack"
        } else {
            "cat"
        }
    }
    fn inputs<'a>(&'a self, links: &'a [NodeId]) -> Inputs<'a> {
        Inputs::Linked(self.link.get(links))
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let ids = self.link.get(v.links);
        let outer: usize = v.shape(id).dims()[..self.axis as usize].iter().product();
        blocks(&sizes(ids, v), outer, |k, at, from, n| {
            if let Some(gx) = gb.acc(v, ids[k]) {
                for (a, &b) in gx[from..from + n].iter_mut().zip(&g[at..at + n]) {
                    *a += b;
                }
            }
        });
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let ids: SmallVec<[NodeId; 8]> =
            SmallVec::from_slice(self.link.get(&tape.inner.borrow().links));
        let mut start = 0;
        for id in ids {
            let s = tape.shape_of(id);
            let len = if self.stacked {
                1
            } else {
                s.dims()[self.axis as usize]
            };
            let window = g.narrow(self.axis as isize, start as isize, len).reshape(s);
            acc(id, window);
            start += len;
        }
    }
}
