//! Ops that only move elements: transpose (swap two axes) and reshape,
//! with the reshapes that add, drop or merge axes (unsqueeze, squeeze,
//! flatten).
//! Their gradients move the output gradient back the same way.

use super::along::resolve_axis;
use super::{Acc, Inputs, Rule};
use crate::tape::GradBuffers;
use crate::tape::{NodeId, Values};
use crate::tensor::for_each_broadcast2;
use crate::Tape;
use crate::{Float, Shape, Var};
use smallvec::SmallVec;

/// Strides that read the input in the order of the transposed output.
fn swapped_strides(xs: &Shape, d0: usize, d1: usize) -> SmallVec<[usize; 4]> {
    let mut s = xs.strides();
    s.swap(d0, d1);
    s
}

fn swapped_shape(xs: &Shape, d0: usize, d1: usize) -> Shape {
    let mut d: SmallVec<[usize; 4]> = SmallVec::from_slice(xs.dims());
    d.swap(d0, d1);
    Shape::from(d.as_slice())
}

impl<'t, T: Float> Var<'t, T> {
    /// Swaps axes `dim0` and `dim1` (negative counts from the end); the
    /// result is a new contiguous tensor. The gradient is the output
    /// gradient transposed back.
    ///
    /// # Panics
    /// When an axis is out of range.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]));
    /// let y = x.transpose(0, 1);
    /// assert_eq!(y.shape().dims(), &[3, 2]);
    /// assert_eq!(y.value().data(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn transpose(self, dim0: isize, dim1: isize) -> Var<'t, T> {
        let xs = self.shape();
        // `let … else` rather than a closure: a closure would report its own
        // line instead of the caller's.
        let (Some(d0), Some(d1)) = (xs.axis(dim0), xs.axis(dim1)) else {
            let bad = if xs.axis(dim0).is_none() { dim0 } else { dim1 };
            panic!(
                "tapegrad: transpose: axis {bad} out of range for shape {xs} (at {})",
                std::panic::Location::caller()
            )
        };
        let out = swapped_shape(&xs, d0, d1);
        let src = swapped_strides(&xs, d0, d1);
        let x = self.id;
        self.tape.record(
            Transpose {
                x,
                d0: d0 as u32,
                d1: d1 as u32,
            }
            .into(),
            out.clone(),
            |v, o| {
                let xv = v.val(x);
                for_each_broadcast2(&out, &src, &src, |i, k, _| o[i] = xv[k]);
            },
        )
    }

    /// The transpose of a matrix (the last two axes swapped).
    ///
    /// # Panics
    /// When the value has fewer than two axes.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![1.0, 2.0], [1, 2]));
    /// assert_eq!(x.t().shape().dims(), &[2, 1]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn t(self) -> Var<'t, T> {
        self.transpose(-2, -1)
    }

    /// The same elements (row-major) under a new shape.
    ///
    /// # Panics
    /// When the element counts differ.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.param(Tensor::arange(6));
    /// let y = x.reshape([2, 3]);
    /// assert_eq!(y.shape().dims(), &[2, 3]);
    /// assert_eq!(y.sum().backward()[x].shape().dims(), &[6]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn reshape(self, shape: impl Into<Shape>) -> Var<'t, T> {
        let (out, xs) = (shape.into(), self.shape());
        assert!(
            out.numel() == xs.numel(),
            "tapegrad: reshape: cannot view shape {xs} ({} elements) as {out} ({} elements) (at {})",
            xs.numel(),
            out.numel(),
            std::panic::Location::caller()
        );
        if out == xs {
            return self;
        }
        let x = self.id;
        self.tape.record(Reshape { x }.into(), out, |v, o| {
            o.copy_from_slice(v.val(x))
        })
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// Removes size-1 axes: every one (`None`), or those listed (negative
    /// counts from the end; a listed axis whose size is not 1 stays, as in
    /// PyTorch): `torch.squeeze`. A reshape, so the gradient is reshaped
    /// back.
    ///
    /// # Panics
    /// When a listed axis is out of range.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::zeros([1, 3, 1]));
    /// assert_eq!(x.squeeze(None).shape().dims(), &[3]);
    /// assert_eq!(x.squeeze(Some(&[-1, 1])).shape().dims(), &[1, 3]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn squeeze(self, axes: Option<&[isize]>) -> Var<'t, T> {
        let xs = self.shape();
        let mut drop: SmallVec<[bool; 4]> = SmallVec::from_elem(axes.is_none(), xs.rank());
        for &a in axes.unwrap_or(&[]) {
            drop[resolve_axis(&xs, a, "squeeze")] = true;
        }
        let kept: SmallVec<[usize; 4]> = (0..xs.rank())
            .filter(|&i| !(drop[i] && xs.dims()[i] == 1))
            .map(|i| xs.dims()[i])
            .collect();
        self.reshape(kept.as_slice())
    }

    /// Inserts a size-1 axis at `axis` in `[−(r+1), r]`: `torch.unsqueeze`.
    ///
    /// # Panics
    /// When the axis is out of range.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::zeros([2, 3]));
    /// assert_eq!(x.unsqueeze(-1).shape().dims(), &[2, 3, 1]);
    /// assert_eq!(x.unsqueeze(0).shape().dims(), &[1, 2, 3]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn unsqueeze(self, axis: isize) -> Var<'t, T> {
        let xs = self.shape();
        let a = resolve_axis(&Shape::ones(xs.rank() + 1), axis, "unsqueeze");
        let mut d: SmallVec<[usize; 4]> = SmallVec::from_slice(xs.dims());
        d.insert(a, 1);
        self.reshape(d.as_slice())
    }

    /// Merges axes `start..=end` (negative counts from the end) into one:
    /// `torch.flatten`. A 0-d value becomes `[1]`.
    ///
    /// # Panics
    /// When an axis is out of range or `start` comes after `end`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::zeros([2, 3, 4]));
    /// assert_eq!(x.flatten(1, -1).shape().dims(), &[2, 12]);
    /// assert_eq!(tape.scalar(1.0).flatten(0, -1).shape().dims(), &[1]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn flatten(self, start: isize, end: isize) -> Var<'t, T> {
        let xs = self.shape();
        if xs.rank() == 0 {
            // PyTorch lets a 0-d value take axis 0 / −1 here.
            let _ = resolve_axis(&Shape::ones(1), start, "flatten");
            let _ = resolve_axis(&Shape::ones(1), end, "flatten");
            return self.reshape([1]);
        }
        let (s, e) = (
            resolve_axis(&xs, start, "flatten"),
            resolve_axis(&xs, end, "flatten"),
        );
        if s > e {
            panic!(
                "tapegrad: flatten: start axis {start} comes after end axis {end} for shape {xs} (at {})",
                std::panic::Location::caller()
            );
        }
        let d = xs.dims();
        let mut out: SmallVec<[usize; 4]> = SmallVec::from_slice(&d[..s]);
        out.push(d[s..=e].iter().product());
        out.extend_from_slice(&d[e + 1..]);
        self.reshape(out.as_slice())
    }
}

fn transpose_backward<T: Float>(
    id: NodeId,
    x: NodeId,
    d0: u32,
    d1: u32,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let src = swapped_strides(v.shape(x), d0 as usize, d1 as usize);
    let out = v.shape(id);
    if let Some(gx) = gb.acc(v, x) {
        for_each_broadcast2(out, &src, &src, |i, k, _| gx[k] += g[i]);
    }
}

fn reshape_backward<T: Float>(x: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
    if let Some(gx) = gb.acc(v, x) {
        for (a, &b) in gx.iter_mut().zip(g) {
            *a += b;
        }
    }
}

/// `x` with axes `d0` and `d1` swapped; its own adjoint.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Transpose {
    x: NodeId,
    d0: u32,
    d1: u32,
}

impl Rule for Transpose {
    fn name(&self) -> &'static str {
        "transpose"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        transpose_backward(id, self.x, self.d0, self.d1, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        _: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        acc(self.x, g.transpose(self.d0 as isize, self.d1 as isize));
    }
}

/// `x`'s elements in a new shape; the adjoint reshapes back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Reshape {
    x: NodeId,
}

impl Rule for Reshape {
    fn name(&self) -> &'static str {
        "reshape"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, _: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        reshape_backward(self.x, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        acc(self.x, g.reshape(tape.shape_of(self.x)));
    }
}
