//! Reductions (sum, mean over everything or one axis) and their duals,
//! `sum_to` and `broadcast_to`: the backward of a reduction is a broadcast,
//! and the backward of a broadcast is a sum, which is also how every
//! broadcasting op returns gradients to its operands' shapes.

use super::along::reduction;
use super::{Acc, Inputs, Rule};
use crate::tape::GradBuffers;
use crate::tape::{NodeId, Values};
use crate::tensor::for_each_broadcast2;
use crate::tensor::Axes;
use crate::Tape;
use crate::{Float, Shape, Var};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReduceOp {
    Sum,
    Mean,
}

impl ReduceOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Mean => "mean",
        }
    }
}

/// The input's shape with the reduced axis (or all axes) kept as 1: the
/// layout in which the output's elements line up with the input's.
fn keep_shape(x: &Shape, axis: Option<u32>) -> Shape {
    match axis {
        Some(a) => x.reduced(a as usize, true),
        None => Shape::ones(x.rank()),
    }
}

/// Number of input elements that fold into one output element.
fn count(x: &Shape, axis: Option<u32>) -> usize {
    match axis {
        Some(a) => x.dims()[a as usize],
        None => x.numel(),
    }
}

impl<'t, T: Float> Var<'t, T> {
    #[track_caller]
    fn reduce(self, op: ReduceOp, axis: Option<isize>, keepdim: bool) -> Var<'t, T> {
        let xs = self.shape();
        // A `match` rather than a closure: a closure would report its own
        // line instead of the caller's.
        let axis = match axis {
            None => None,
            Some(a) => match xs.axis(a) {
                Some(resolved) => Some(resolved as u32),
                None => panic!(
                    "tapegrad: {}: axis {a} out of range for shape {xs} (at {})",
                    op.name(),
                    std::panic::Location::caller()
                ),
            },
        };
        let out = match axis {
            Some(a) => xs.reduced(a as usize, keepdim),
            None if keepdim => keep_shape(&xs, None),
            None => Shape::scalar(),
        };
        let keep = keep_shape(&xs, axis);
        let n = T::from_f64(count(&xs, axis) as f64);
        let x = self.id;
        self.tape
            .record(Reduce { op, x, axis }.into(), out, |v, o| {
                let xv = v.val(x);
                if axis.is_none() {
                    o[0] = xv.iter().copied().sum::<T>();
                } else {
                    let ks = keep.broadcast_strides(&xs);
                    for_each_broadcast2(&xs, &xs.strides(), &ks, |_, i, k| o[k] += xv[i]);
                }
                // Divide, as PyTorch does, rather than multiply by 1/n: the
                // mean is then the correctly rounded quotient of the sum.
                if op == ReduceOp::Mean {
                    o.iter_mut().for_each(|e| *e /= n);
                }
            })
    }

    /// Sum of all elements, a 0-d scalar. Its gradient is 1 for every
    /// element.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let s = x.sum();
    /// assert_eq!(s.item(), 6.0);
    /// assert_eq!(s.backward()[x].data(), &[1.0, 1.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn sum(self) -> Var<'t, T> {
        self.reduce(ReduceOp::Sum, None, false)
    }

    /// Mean of all elements, a 0-d scalar. Gradient 1/n for every element.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 6.0], [2, 2]));
    /// assert_eq!(x.mean().item(), 3.0);
    /// assert_eq!(x.mean().backward()[x].data(), &[0.25; 4]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn mean(self) -> Var<'t, T> {
        self.reduce(ReduceOp::Mean, None, false)
    }

    /// Sum over one axis (negative counts from the end), keeping it as size
    /// 1 when `keepdim`. The gradient broadcasts back along that axis.
    ///
    /// # Panics
    /// When the axis is out of range.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]));
    /// assert_eq!(x.sum_axis(0, false).value().data(), &[5.0, 7.0, 9.0]);
    /// assert_eq!(x.sum_axis(-1, true).shape().dims(), &[2, 1]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn sum_axis(self, axis: isize, keepdim: bool) -> Var<'t, T> {
        self.reduce(ReduceOp::Sum, Some(axis), keepdim)
    }

    /// Mean over one axis; see [`sum_axis`](Var::sum_axis).
    ///
    /// # Panics
    /// When the axis is out of range.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// assert_eq!(x.mean_axis(1, false).value().data(), &[1.5, 3.5]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn mean_axis(self, axis: isize, keepdim: bool) -> Var<'t, T> {
        self.reduce(ReduceOp::Mean, Some(axis), keepdim)
    }

    /// Sum over `axes` (one axis, a list, or [`Axes::All`]; negative axes
    /// count from the end), keeping them as 1 when `keepdim`. Over an empty
    /// axis the sum is 0.
    ///
    /// # Panics
    /// When an axis is out of range or repeated.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant(Tensor::arange(24).reshape([2, 3, 4]));
    /// assert_eq!(x.sum_axes([0, 2], false).value().data(), &[60.0, 92.0, 124.0]);
    /// assert_eq!(x.sum_axes([-1], true).shape().dims(), &[2, 3, 1]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn sum_axes(self, axes: impl Into<Axes>, keepdim: bool) -> Var<'t, T> {
        let r = reduction(self, &axes.into(), keepdim, "sum");
        r.x.reduce(ReduceOp::Sum, r.axis.map(|a| a as isize), true)
            .reshape(r.out)
    }

    /// Mean over `axes`; see [`sum_axes`](Var::sum_axes). Over an empty
    /// axis the mean is NaN (0/0), as in PyTorch.
    ///
    /// # Panics
    /// When an axis is out of range or repeated.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0, 6.0], [2, 2]));
    /// assert_eq!(x.mean_axes([0, 1], false).item(), 3.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn mean_axes(self, axes: impl Into<Axes>, keepdim: bool) -> Var<'t, T> {
        let r = reduction(self, &axes.into(), keepdim, "mean");
        r.x.reduce(ReduceOp::Mean, r.axis.map(|a| a as isize), true)
            .reshape(r.out)
    }

    /// Sums a value over the axes along which `shape` would be broadcast to
    /// it: the inverse of [`broadcast_to`](Var::broadcast_to), and the step
    /// that returns a broadcast operand's gradient to its own shape.
    /// Returns `self` unchanged when the shapes are equal.
    ///
    /// # Panics
    /// When `shape` does not broadcast to this value's shape.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::ones([2, 3]));
    /// assert_eq!(x.sum_to([3]).value().data(), &[2.0, 2.0, 2.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn sum_to(self, shape: impl Into<Shape>) -> Var<'t, T> {
        let (target, xs) = (shape.into(), self.shape());
        if target == xs {
            return self;
        }
        assert!(
            target.broadcasts_to(&xs),
            "tapegrad: sum_to: shape {target} does not broadcast to {xs} (at {})",
            std::panic::Location::caller()
        );
        let x = self.id;
        let ts = target.broadcast_strides(&xs);
        self.tape
            .record(SumTo { x }.into(), target.clone(), |v, o| {
                let xv = v.val(x);
                if target.is_trailing_of(&xs) && !o.is_empty() {
                    // Row by row, in the same order as the walk below.
                    for row in xv.chunks_exact(o.len()) {
                        o.iter_mut().zip(row).for_each(|(e, &r)| *e += r);
                    }
                } else {
                    for_each_broadcast2(&xs, &xs.strides(), &ts, |_, i, k| o[k] += xv[i]);
                }
            })
    }

    /// Repeats a value along stretched axes to `shape` (NumPy rules). Its
    /// gradient is [`sum_to`](Var::sum_to) the original shape. Returns
    /// `self` unchanged when the shapes are equal.
    ///
    /// # Panics
    /// When this value's shape does not broadcast to `shape`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let b = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    /// let y = b.broadcast_to([3, 2]);
    /// assert_eq!(y.value().data(), &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0]);
    /// assert_eq!(y.sum().backward()[b].data(), &[3.0, 3.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn broadcast_to(self, shape: impl Into<Shape>) -> Var<'t, T> {
        let (target, xs) = (shape.into(), self.shape());
        if target == xs {
            return self;
        }
        assert!(
            xs.broadcasts_to(&target),
            "tapegrad: broadcast_to: shape {xs} does not broadcast to {target} (at {})",
            std::panic::Location::caller()
        );
        let x = self.id;
        let xstr = xs.broadcast_strides(&target);
        self.tape
            .record(BroadcastTo { x }.into(), target.clone(), |v, o| {
                let xv = v.val(x);
                for_each_broadcast2(&target, &target.strides(), &xstr, |i, _, k| o[i] = xv[k]);
            })
    }
}

/// Every input element receives the gradient of the output element it
/// folded into (divided by n for a mean).
fn reduce_backward<T: Float>(
    op: ReduceOp,
    x: NodeId,
    axis: Option<u32>,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let xs = v.shape(x);
    let n = T::from_f64(count(xs, axis) as f64);
    let share = |gk: T| match op {
        ReduceOp::Sum => gk,
        ReduceOp::Mean => gk / n,
    };
    if let Some(gx) = gb.acc(v, x) {
        if axis.is_none() {
            let gs = share(g[0]);
            gx.iter_mut().for_each(|e| *e += gs);
            return;
        }
        let ks = keep_shape(xs, axis).broadcast_strides(xs);
        for_each_broadcast2(xs, &xs.strides(), &ks, |_, i, k| gx[i] += share(g[k]));
    }
}

/// Recorded form: reshape `g` to the kept-dims layout and broadcast it.
fn reduce_backward_graph<'t, T: Float>(
    op: ReduceOp,
    x: Var<'t, T>,
    axis: Option<u32>,
    g: Var<'t, T>,
) -> Var<'t, T> {
    let xs = x.shape();
    let spread = g.reshape(keep_shape(&xs, axis)).broadcast_to(xs.clone());
    match op {
        ReduceOp::Sum => spread,
        ReduceOp::Mean => spread.div_scalar(T::from_f64(count(&xs, axis) as f64)),
    }
}

/// `sum_to`'s gradient is the output gradient broadcast back.
fn sum_to_backward<T: Float>(
    id: NodeId,
    x: NodeId,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let (xs, target) = (v.shape(x), v.shape(id));
    if let Some(gx) = gb.acc(v, x) {
        if target.is_trailing_of(xs) && !g.is_empty() {
            for row in gx.chunks_exact_mut(g.len()) {
                row.iter_mut().zip(g).for_each(|(e, &gk)| *e += gk);
            }
        } else {
            let ts = target.broadcast_strides(xs);
            for_each_broadcast2(xs, &xs.strides(), &ts, |_, i, k| gx[i] += g[k]);
        }
    }
}

/// `broadcast_to`'s gradient is the output gradient summed back.
fn broadcast_to_backward<T: Float>(
    id: NodeId,
    x: NodeId,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let out = v.shape(id);
    let xstr = v.shape(x).broadcast_strides(out);
    if let Some(gx) = gb.acc(v, x) {
        for_each_broadcast2(out, &out.strides(), &xstr, |i, _, k| gx[k] += g[i]);
    }
}

/// A sum or mean of `x` over all elements (`axis: None`) or one axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Reduce {
    op: ReduceOp,
    x: NodeId,
    axis: Option<u32>,
}

impl Rule for Reduce {
    fn name(&self) -> &'static str {
        self.op.name()
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, _: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        reduce_backward(self.op, self.x, self.axis, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        acc(
            self.x,
            reduce_backward_graph(self.op, Var::new(tape, self.x), self.axis, g),
        );
    }
}

/// `x` summed down to this node's shape; its adjoint is [`BroadcastTo`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SumTo {
    x: NodeId,
}

impl Rule for SumTo {
    fn name(&self) -> &'static str {
        "sum_to"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        sum_to_backward(id, self.x, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        acc(self.x, g.broadcast_to(tape.shape_of(self.x)));
    }
}

/// `x` repeated up to this node's shape; its adjoint is [`SumTo`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BroadcastTo {
    x: NodeId,
}

impl Rule for BroadcastTo {
    fn name(&self) -> &'static str {
        "broadcast_to"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        broadcast_to_backward(id, self.x, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        acc(self.x, g.sum_to(tape.shape_of(self.x)));
    }
}
