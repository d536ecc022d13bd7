//! Working along one axis: a contiguous tensor seen as `[outer, n, inner]`
//! around that axis, and the reduction of any set of axes to one.
//!
//! Every op over an axis (reductions, cumsum, cat, slice, flip) runs over
//! "lanes": the `n` elements `base + j·inner`, one lane per pair of outer
//! and inner positions. A reduction over several axes moves them next to
//! each other (a reshape when they already are, a permute otherwise) and
//! reduces one merged axis, so that each op's kernel handles one axis only.

use super::leaf::Leaf;
use crate::tape::Values;
use crate::tensor::Axes;
use crate::{Float, Shape, Tape, Var};
use smallvec::SmallVec;

/// A tensor's layout around one axis (or around all: `[1, numel, 1]`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Along {
    pub outer: usize,
    pub n: usize,
    pub inner: usize,
}

impl Along {
    pub(crate) fn of(s: &Shape, axis: Option<u32>) -> Along {
        match axis {
            None => Along {
                outer: 1,
                n: s.numel(),
                inner: 1,
            },
            Some(a) => {
                let d = s.dims();
                let a = a as usize;
                Along {
                    outer: d[..a].iter().product(),
                    n: d[a],
                    inner: d[a + 1..].iter().product(),
                }
            }
        }
    }

    /// Calls `f(lane, base)` for every lane; lane `k` is output element `k`
    /// of a reduction, its elements are `base + j·inner` for `j < n`.
    #[inline]
    pub(crate) fn lanes(self, mut f: impl FnMut(usize, usize)) {
        for o in 0..self.outer {
            for i in 0..self.inner {
                f(o * self.inner + i, o * self.n * self.inner + i);
            }
        }
    }

    /// The element indices of the lane starting at `base`.
    #[inline]
    pub(crate) fn lane(self, base: usize) -> impl DoubleEndedIterator<Item = usize> {
        (0..self.n).map(move |j| base + j * self.inner)
    }

    /// The input's shape with the reduced axis (or every axis) kept as 1.
    pub(crate) fn keep_shape(s: &Shape, axis: Option<u32>) -> Shape {
        match axis {
            Some(a) => s.reduced(a as usize, true),
            None => Shape::ones(s.rank()),
        }
    }
}

/// Resolves one Python-style axis or panics naming the op and the caller.
#[track_caller]
pub(crate) fn resolve_axis(s: &Shape, axis: isize, op: &str) -> usize {
    match s.axis(axis) {
        Some(a) => a,
        None => panic!(
            "tapegrad: {op}: axis {axis} out of range for shape {s} (at {})",
            std::panic::Location::caller()
        ),
    }
}

/// What a reduction over `axes` runs on: the value to reduce (the input,
/// or the input reshaped / permuted so that the reduced axes form one),
/// the one axis of it to reduce (`None`: all), and the shape of the result.
pub(crate) struct Reduction<'t, T: Float> {
    pub x: Var<'t, T>,
    pub axis: Option<u32>,
    pub out: Shape,
    /// Number of elements folded into one output element.
    pub n: usize,
}

/// Which axes of `xs` are reduced.
#[track_caller]
fn axis_mask(xs: &Shape, axes: &Axes, op: &str) -> SmallVec<[bool; 4]> {
    let r = xs.rank();
    let mut mask: SmallVec<[bool; 4]> = SmallVec::from_elem(false, r);
    match axes {
        // An empty list means every axis, as in PyTorch (`dim=()`).
        Axes::All => mask.iter_mut().for_each(|m| *m = true),
        Axes::List(list) if list.is_empty() => mask.iter_mut().for_each(|m| *m = true),
        Axes::List(list) => {
            for &a in list {
                let ra = resolve_axis(xs, a, op);
                if mask[ra] {
                    panic!(
                        "tapegrad: {op}: axis {a} repeated in {list:?} (at {})",
                        std::panic::Location::caller()
                    );
                }
                mask[ra] = true;
            }
        }
    }
    mask
}

/// Number of elements of `xs` that a reduction over `axes` folds into one.
///
/// # Panics
/// When an axis is out of range or repeated.
#[track_caller]
pub(crate) fn reduced_count(xs: &Shape, axes: &Axes, op: &str) -> usize {
    let mask = axis_mask(xs, axes, op);
    (0..xs.rank())
        .filter(|&i| mask[i])
        .map(|i| xs.dims()[i])
        .product()
}

/// Prepares a reduction of `x` over `axes` (see [`Reduction`]).
///
/// # Panics
/// When an axis is out of range or repeated.
#[track_caller]
pub(crate) fn reduction<'t, T: Float>(
    x: Var<'t, T>,
    axes: &Axes,
    keepdim: bool,
    op: &str,
) -> Reduction<'t, T> {
    let xs = x.shape();
    let r = xs.rank();
    let mask = axis_mask(&xs, axes, op);
    let d = xs.dims();
    let out: Shape = if keepdim {
        (0..r)
            .map(|i| if mask[i] { 1 } else { d[i] })
            .collect::<Vec<_>>()
            .into()
    } else {
        (0..r)
            .filter(|&i| !mask[i])
            .map(|i| d[i])
            .collect::<Vec<_>>()
            .into()
    };
    let reduced: SmallVec<[usize; 4]> = (0..r).filter(|&i| mask[i]).collect();
    let n = reduced.iter().map(|&i| d[i]).product();
    let (x, axis) = match reduced.as_slice() {
        _ if reduced.len() == r => (x, None),
        [a] => (x, Some(*a as u32)),
        [first, .., last] if last - first + 1 == reduced.len() => {
            // A contiguous run of axes: merge it into one by a reshape.
            let mut merged: Vec<usize> = d[..*first].to_vec();
            merged.push(n);
            merged.extend_from_slice(&d[last + 1..]);
            (x.reshape(merged), Some(*first as u32))
        }
        _ => {
            // Scattered axes: the kept axes first (in order), the reduced last.
            let perm: Vec<isize> = (0..r)
                .filter(|&i| !mask[i])
                .chain(reduced.iter().copied())
                .map(|i| i as isize)
                .collect();
            let kept: Vec<usize> = (0..r).filter(|&i| !mask[i]).map(|i| d[i]).collect();
            let mut merged = kept.clone();
            merged.push(n);
            (x.permute(&perm).reshape(merged), Some(kept.len() as u32))
        }
    };
    Reduction { x, axis, out, n }
}

/// A constant computed from recorded values (a mask, a share, a shift) for
/// a recorded rule: it carries no gradient, and is written straight into
/// the tape's arena.
#[track_caller]
pub(crate) fn constant_from<'t, T: Float>(
    tape: &'t Tape<T>,
    shape: Shape,
    fill: impl FnOnce(&Values<'_, T>, &mut [T]),
) -> Var<'t, T> {
    tape.record(Leaf.into(), shape, fill)
}

/// The gradient `g` of a reduction of `x` over `axis`, repeated back over
/// the reduced elements (the adjoint of a sum).
pub(crate) fn spread<'t, T: Float>(g: Var<'t, T>, xs: &Shape, axis: Option<u32>) -> Var<'t, T> {
    g.reshape(Along::keep_shape(xs, axis)).broadcast_to(xs)
}
