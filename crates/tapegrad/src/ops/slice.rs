//! Strided slices along an axis (`narrow`, `slice`, `split`, `chunk`) and
//! their adjoint, the embedding of a value into a larger one filled with a
//! constant (`pad`, and the gradient of a slice).
//!
//! Along the axis, output position `j` of a slice reads input position
//! `start + j·step`; an embedding writes input position `j` to output
//! position `start + j·step`. Each is the other's adjoint.

use super::along::{resolve_axis, Along};
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Shape, Tape, Var};

/// Calls `f(small, big)` for every element of the strided window: `small`
/// indexes the `[outer, m, inner]` side, `big` the `[outer, n, inner]` one.
fn window(small: Along, big: Along, start: usize, step: usize, mut f: impl FnMut(usize, usize)) {
    let inner = small.inner;
    for o in 0..small.outer {
        for j in 0..small.n {
            let s = (o * small.n + j) * inner;
            let b = (o * big.n + start + j * step) * inner;
            for i in 0..inner {
                f(s + i, b + i);
            }
        }
    }
}

/// Python's `slice(start, stop, step).indices(n)` for a positive step:
/// negative bounds count from the end, out-of-range ones are clipped.
fn python_range(start: isize, stop: isize, n: usize) -> (usize, usize) {
    let clip = |b: isize| -> usize {
        let b = if b < 0 { b + n as isize } else { b };
        b.clamp(0, n as isize) as usize
    };
    (clip(start), clip(stop))
}

impl<'t, T: Float> Var<'t, T> {
    #[track_caller]
    fn slice_raw(self, axis: u32, start: usize, step: usize, len: usize) -> Var<'t, T> {
        let xs = self.shape();
        let out = {
            let mut d = xs.dims().to_vec();
            d[axis as usize] = len;
            Shape::from(d)
        };
        if out == xs {
            return self;
        }
        let x = self.id;
        let (small, big) = (Along::of(&out, Some(axis)), Along::of(&xs, Some(axis)));
        let op = Slice {
            x,
            axis,
            start: start as u32,
            step: step as u32,
        };
        self.tape.record(op.into(), out, |v, o| {
            let xv = v.val(x);
            window(small, big, start, step, |s, b| o[s] = xv[b]);
        })
    }

    #[track_caller]
    fn embed_raw(self, axis: u32, start: usize, step: usize, len: usize, value: f64) -> Var<'t, T> {
        let xs = self.shape();
        let out = {
            let mut d = xs.dims().to_vec();
            d[axis as usize] = len;
            Shape::from(d)
        };
        if out == xs {
            return self;
        }
        let x = self.id;
        let (small, big) = (Along::of(&xs, Some(axis)), Along::of(&out, Some(axis)));
        let op = Embed {
            x,
            axis,
            start: start as u32,
            step: step as u32,
            value,
        };
        self.tape.record(op.into(), out, |v, o| {
            o.fill(T::from_f64(value));
            let xv = v.val(x);
            window(small, big, start, step, |s, b| o[b] = xv[s]);
        })
    }

    /// `length` consecutive elements along `axis` from `start` (negative
    /// counts from the end): `torch.narrow`. The gradient is the upstream
    /// gradient put back in place, 0 elsewhere.
    ///
    /// # Panics
    /// When the axis is out of range or the window does not fit.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::arange(5));
    /// let y = x.narrow(0, -3, 2);
    /// assert_eq!(y.value().data(), &[2.0, 3.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.0, 0.0, 1.0, 1.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn narrow(self, axis: isize, start: isize, length: usize) -> Var<'t, T> {
        let xs = self.shape();
        let a = resolve_axis(&xs, axis, "narrow");
        let n = xs.dims()[a];
        let s = if start < 0 { start + n as isize } else { start };
        if s < 0 || s as usize + length > n {
            panic!(
                "tapegrad: narrow: start {start} with length {length} does not fit axis {axis} of shape {xs} (at {})",
                std::panic::Location::caller()
            );
        }
        self.slice_raw(a as u32, s as usize, 1, length)
    }

    /// The elements `start, start + step, …` before `stop` along `axis`,
    /// with Python's slice rules: negative bounds count from the end,
    /// out-of-range bounds are clipped (use `isize::MAX` for "to the end"),
    /// and `start ≥ stop` gives an empty result. `x[..., start:stop:step]`.
    /// The gradient is the upstream gradient put back in place, 0 elsewhere.
    ///
    /// # Panics
    /// When the axis is out of range or `step` is 0.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::arange(6));
    /// assert_eq!(x.slice(0, 1, isize::MAX, 2).value().data(), &[1.0, 3.0, 5.0]);
    /// assert_eq!(x.slice(0, -2, 100, 1).value().data(), &[4.0, 5.0]);
    /// assert_eq!(x.slice(0, 4, 2, 1).shape().dims(), &[0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn slice(self, axis: isize, start: isize, stop: isize, step: usize) -> Var<'t, T> {
        let xs = self.shape();
        let a = resolve_axis(&xs, axis, "slice");
        if step == 0 {
            panic!(
                "tapegrad: slice: step must be at least 1 (at {})",
                std::panic::Location::caller()
            );
        }
        let (s, e) = python_range(start, stop, xs.dims()[a]);
        let len = if e > s { (e - s).div_ceil(step) } else { 0 };
        self.slice_raw(a as u32, s.min(xs.dims()[a]), step, len)
    }

    /// Pieces of `size` elements along `axis` (the last one shorter when
    /// `size` does not divide the axis): `torch.split(x, size, axis)`.
    ///
    /// # Panics
    /// When the axis is out of range or `size` is 0.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let parts = tape.constant(Tensor::arange(5)).split(2, 0);
    /// let sizes: Vec<usize> = parts.iter().map(|p| p.numel()).collect();
    /// assert_eq!(sizes, [2, 2, 1]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn split(self, size: usize, axis: isize) -> Vec<Var<'t, T>> {
        let xs = self.shape();
        let a = resolve_axis(&xs, axis, "split");
        if size == 0 {
            panic!(
                "tapegrad: split: size must be at least 1 (at {})",
                std::panic::Location::caller()
            );
        }
        let n = xs.dims()[a];
        (0..n.div_ceil(size).max(1))
            .map(|k| {
                let s = (k * size).min(n);
                self.slice_raw(a as u32, s, 1, size.min(n - s))
            })
            .collect()
    }

    /// `chunks` pieces along `axis` of `⌈n / chunks⌉` elements each (fewer
    /// pieces when they run out, as `torch.chunk`).
    ///
    /// # Panics
    /// When the axis is out of range or `chunks` is 0.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let parts = tape.constant(Tensor::arange(6).reshape([2, 3])).chunk(2, 1);
    /// assert_eq!(parts[0].shape().dims(), &[2, 2]);
    /// assert_eq!(parts[1].shape().dims(), &[2, 1]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn chunk(self, chunks: usize, axis: isize) -> Vec<Var<'t, T>> {
        let xs = self.shape();
        let a = resolve_axis(&xs, axis, "chunk");
        if chunks == 0 {
            panic!(
                "tapegrad: chunk: chunks must be at least 1 (at {})",
                std::panic::Location::caller()
            );
        }
        self.split(xs.dims()[a].div_ceil(chunks).max(1), axis)
    }

    /// Constant padding: `pad` holds (before, after) pairs starting at the
    /// **last** axis (`[l, r]` pads axis −1, `[l, r, t, b]` also axis −2),
    /// filled with `value`; negative entries crop instead.
    /// `F.pad(x, pad, mode="constant", value)`. The gradient is the
    /// upstream gradient of the kept elements (0 for cropped ones).
    ///
    /// # Panics
    /// When `pad` has an odd length or more pairs than axes, or a crop
    /// leaves a negative length.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let y = x.pad(&[1, -1], 9.0);
    /// assert_eq!(y.value().data(), &[9.0, 1.0, 2.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[1.0, 1.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn pad(self, pad: &[isize], value: f64) -> Var<'t, T> {
        let xs = self.shape();
        if !pad.len().is_multiple_of(2) || pad.len() / 2 > xs.rank() {
            panic!(
                "tapegrad: pad: {pad:?} is not (before, after) pairs for at most the {} axes of shape {xs} (at {})",
                xs.rank(),
                std::panic::Location::caller()
            );
        }
        let mut y = self;
        for (k, pair) in pad.chunks(2).enumerate() {
            let axis = (xs.rank() - 1 - k) as u32;
            let n = xs.dims()[axis as usize] as isize;
            let (l, r) = (pair[0], pair[1]);
            let kept = n + l.min(0) + r.min(0);
            if kept < 0 || kept + l.max(0) + r.max(0) < 0 {
                panic!(
                    "tapegrad: pad: {pad:?} crops axis {axis} of shape {xs} below length 0 (at {})",
                    std::panic::Location::caller()
                );
            }
            y = y
                .slice_raw(axis, (-l.min(0)) as usize, 1, kept as usize)
                .embed_raw(
                    axis,
                    l.max(0) as usize,
                    1,
                    (kept + l.max(0) + r.max(0)) as usize,
                    value,
                );
        }
        y
    }
}

/// Every `step`-th element of `x` along `axis` from `start`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Slice {
    x: NodeId,
    axis: u32,
    start: u32,
    step: u32,
}

impl Rule for Slice {
    fn name(&self) -> &'static str {
        "slice"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let axis = Some(self.axis);
        let (small, big) = (
            Along::of(v.shape(id), axis),
            Along::of(v.shape(self.x), axis),
        );
        if let Some(gx) = gb.acc(v, self.x) {
            window(
                small,
                big,
                self.start as usize,
                self.step as usize,
                |s, b| gx[b] += g[s],
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
        let n = tape.shape_of(self.x).dims()[self.axis as usize];
        let back = g.embed_raw(self.axis, self.start as usize, self.step as usize, n, 0.0);
        acc(self.x, back);
    }
}

/// `x` written every `step`-th position along `axis` from `start` into a
/// larger value filled with `value` elsewhere.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Embed {
    x: NodeId,
    axis: u32,
    start: u32,
    step: u32,
    value: f64,
}

impl Rule for Embed {
    fn name(&self) -> &'static str {
        "pad"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let axis = Some(self.axis);
        let (small, big) = (
            Along::of(v.shape(self.x), axis),
            Along::of(v.shape(id), axis),
        );
        if let Some(gx) = gb.acc(v, self.x) {
            window(
                small,
                big,
                self.start as usize,
                self.step as usize,
                |s, b| gx[s] += g[b],
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
        let n = tape.shape_of(self.x).dims()[self.axis as usize];
        acc(
            self.x,
            g.slice_raw(self.axis, self.start as usize, self.step as usize, n),
        );
    }
}
