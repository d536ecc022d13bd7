//! Indexing along an axis: `gather`, `index_select` (a gather whose index
//! repeats one list across the other axes) and their adjoint
//! `scatter_add`.
//!
//! Indices are integers from end to end: they are checked against the axis
//! and kept as `u32` words in the tape's side buffer (`links`), which a
//! node references by range, so the node stays small and no index ever
//! passes through a float.

use super::along::{constant_from, resolve_axis};
use super::{Acc, Inputs, Link, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::tensor::{for_each_broadcast2, Indices};
use crate::{Float, Shape, Tape, Var};
use smallvec::SmallVec;

impl<T: Float> Tape<T> {
    /// Stores `n` indices computed by `f` in the side buffer.
    pub(crate) fn link_indices(&self, n: usize, f: impl Fn(usize) -> usize) -> Link {
        let mut inner = self.inner.borrow_mut();
        let start = inner.links.len() as u32;
        // The caller has checked every index against an axis length, and
        // an axis of more than u32::MAX elements does not fit a node's
        // shape bookkeeping either.
        inner.links.extend((0..n).map(|k| f(k) as u32));
        Link {
            start,
            len: n as u32,
        }
    }
}

/// Calls `f(pos, x_offset)` for every position of the index (shape
/// `index_shape`), where `x_offset` is the element of `x` (shape `xs`) it
/// selects along `axis`.
fn selected(
    xs: &Shape,
    index_shape: &Shape,
    axis: u32,
    index: &[NodeId],
    mut f: impl FnMut(usize, usize),
) {
    let mut strides = xs.strides();
    let along = strides[axis as usize];
    strides[axis as usize] = 0;
    let own = index_shape.strides();
    for_each_broadcast2(index_shape, &strides, &own, |p, base, _| {
        f(p, base + index[p] as usize * along);
    });
}

/// Checks an index against `x` for `op`: same rank, no larger off the axis,
/// every entry inside the axis.
#[track_caller]
fn check_index(op: &str, xs: &Shape, index: &Indices, axis: usize) {
    let is = index.shape();
    let fits =
        is.rank() == xs.rank() && (0..xs.rank()).all(|d| d == axis || is.dims()[d] <= xs.dims()[d]);
    if !fits {
        panic!(
            "tapegrad: {op}: index of shape {is} does not fit input of shape {xs} along axis {axis} (at {})",
            std::panic::Location::caller()
        );
    }
    let n = xs.dims()[axis];
    if let Some(&bad) = index.data().iter().find(|&&i| i >= n) {
        panic!(
            "tapegrad: {op}: index {bad} out of range for axis {axis} of shape {xs} (at {})",
            std::panic::Location::caller()
        );
    }
}

impl<'t, T: Float> Var<'t, T> {
    #[track_caller]
    fn gather_linked(self, axis: u32, index: Link, out: Shape) -> Var<'t, T> {
        let x = self.id;
        let xs = self.shape();
        let op = Gather { x, axis, index };
        self.tape.record(op.into(), out.clone(), |v, o| {
            let xv = v.val(x);
            selected(&xs, &out, axis, index.get(v.links), |p, k| o[p] = xv[k]);
        })
    }

    #[track_caller]
    fn scatter_linked(self, axis: u32, index: Link, src: Var<'t, T>) -> Var<'t, T> {
        let (x, s) = (self.id, src.id);
        let (xs, ss) = (self.shape(), src.shape());
        let op = ScatterAdd {
            x,
            src: s,
            axis,
            index,
        };
        self.tape.record(op.into(), xs.clone(), |v, o| {
            o.copy_from_slice(v.val(x));
            let sv = v.val(s);
            selected(&xs, &ss, axis, index.get(v.links), |p, k| o[k] += sv[p]);
        })
    }

    /// Picks along `axis` by an index of the same rank: for axis 1 of a 3-d
    /// value, `out[i][j][k] = x[i][index[i][j][k]][k]`: `torch.gather`. The
    /// output has the index's shape; off the axis the index may be smaller
    /// than `x`, along it longer. The gradient scatters the upstream
    /// gradient back, adding where an element was picked more than once
    /// (0 where it was never picked).
    ///
    /// # Panics
    /// When the axis is out of range, the ranks differ, the index is
    /// larger than `x` off the axis, or an index is out of range.
    ///
    /// ```
    /// use tapegrad::{Indices, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// let idx = Indices::new(vec![1, 1, 0, 1], [2, 2]);
    /// let y = x.gather(1, &idx);
    /// assert_eq!(y.value().data(), &[2.0, 2.0, 3.0, 4.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.0, 2.0, 1.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn gather(self, axis: isize, index: &Indices) -> Var<'t, T> {
        let xs = self.shape();
        let a = resolve_axis(&xs, axis, "gather");
        check_index("gather", &xs, index, a);
        let data = index.data();
        let link = self.tape.link_indices(data.len(), |k| data[k]);
        self.gather_linked(a as u32, link, index.shape().clone())
    }

    /// The slices at `indices` along `axis`, in that order (repeats
    /// allowed, none at all gives an empty axis): `torch.index_select`.
    /// The gradient adds each upstream slice back to the slice it came
    /// from.
    ///
    /// # Panics
    /// When the axis is out of range or an index is.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [3, 2]));
    /// let y = x.index_select(0, &[2, 0, 2]);
    /// assert_eq!(y.value().data(), &[5.0, 6.0, 1.0, 2.0, 5.0, 6.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[1.0, 1.0, 0.0, 0.0, 2.0, 2.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn index_select(self, axis: isize, indices: &[usize]) -> Var<'t, T> {
        let xs = self.shape();
        let a = resolve_axis(&xs, axis, "index_select");
        let n = xs.dims()[a];
        if let Some(&bad) = indices.iter().find(|&&i| i >= n) {
            panic!(
                "tapegrad: index_select: index {bad} out of range for axis {axis} of shape {xs} (at {})",
                std::panic::Location::caller()
            );
        }
        let mut out: SmallVec<[usize; 4]> = SmallVec::from_slice(xs.dims());
        out[a] = indices.len();
        let inner: usize = out[a + 1..].iter().product();
        let k = indices.len();
        // The gather index of output element p is the index list's entry
        // at p's position along the axis.
        let link = self.tape.link_indices(out.iter().product(), |p| {
            indices[(p / inner.max(1)) % k.max(1)]
        });
        self.gather_linked(a as u32, link, Shape::from(out.as_slice()))
    }

    /// `x` with `src` added at the positions `index` names along `axis`:
    /// for axis 1, `out[i][index[i][j][k]][k] += src[i][j][k]`:
    /// `torch.scatter_add`. `index` has `src`'s shape and may be smaller
    /// than `x` off the axis. Gradients: the upstream gradient for `x`, and
    /// for `src` the upstream gradient gathered at `index`.
    ///
    /// # Panics
    /// When the axis is out of range, `index` and `src` differ in shape,
    /// the index does not fit `x`, or an index is out of range.
    ///
    /// ```
    /// use tapegrad::{Indices, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::zeros([3]));
    /// let src = tape.param(Tensor::from_vec(vec![1.0, 2.0, 4.0], [3]));
    /// let y = x.scatter_add(0, &Indices::from(vec![2, 0, 2]), src);
    /// assert_eq!(y.value().data(), &[2.0, 0.0, 5.0]);
    /// let g = (y * y).sum().backward();
    /// assert_eq!(g[src].data(), &[10.0, 4.0, 10.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn scatter_add(self, axis: isize, index: &Indices, src: Var<'t, T>) -> Var<'t, T> {
        self.same_tape(&src, "scatter_add");
        let xs = self.shape();
        let a = resolve_axis(&xs, axis, "scatter_add");
        if *index.shape() != src.shape() {
            panic!(
                "tapegrad: scatter_add: index of shape {} differs from src of shape {} (at {})",
                index.shape(),
                src.shape(),
                std::panic::Location::caller()
            );
        }
        check_index("scatter_add", &xs, index, a);
        let data = index.data();
        let link = self.tape.link_indices(data.len(), |k| data[k]);
        self.scatter_linked(a as u32, link, src)
    }
}

/// `x` picked along `axis` at the linked indices (the node's shape is the
/// index's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Gather {
    x: NodeId,
    axis: u32,
    index: Link,
}

impl Rule for Gather {
    fn name(&self) -> &'static str {
        "gather"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let index = self.index.get(v.links);
        if let Some(gx) = gb.acc(v, self.x) {
            selected(v.shape(self.x), v.shape(id), self.axis, index, |p, k| {
                gx[k] += g[p]
            });
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let zeros = constant_from(tape, tape.shape_of(self.x), |_, _| {});
        acc(self.x, zeros.scatter_linked(self.axis, self.index, g));
    }
}

/// `x` plus `src` added at the linked indices along `axis`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ScatterAdd {
    x: NodeId,
    src: NodeId,
    axis: u32,
    index: Link,
}

impl Rule for ScatterAdd {
    fn name(&self) -> &'static str {
        "scatter_add"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x, self.src])
    }
    fn backward<T: Float>(&self, _: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        if let Some(gx) = gb.acc(v, self.x) {
            for (a, &b) in gx.iter_mut().zip(g) {
                *a += b;
            }
        }
        let index = self.index.get(v.links);
        if let Some(gs) = gb.acc(v, self.src) {
            selected(
                v.shape(self.x),
                v.shape(self.src),
                self.axis,
                index,
                |p, k| gs[p] += g[k],
            );
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        acc(self.x, g);
        acc(
            self.src,
            g.gather_linked(self.axis, self.index, tape.shape_of(self.src)),
        );
    }
}
