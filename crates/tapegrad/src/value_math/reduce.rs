//! Reductions: `sum`/`mean` run the tape's ops on the scratch tape;
//! `max`/`argmax`, which the tape lacks, share one small kernel here that
//! follows PyTorch (the first of tied maxima, NaN wins and propagates).

use super::scratch::Scratch;
use crate::tensor::for_each_broadcast2;
use crate::{Float, Shape, Tensor};
use std::panic::Location;

impl<T: Float> Tensor<T> {
    /// Sum of all elements, a 0-d tensor (as [`Var::sum`](crate::Var::sum)).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::<f32>::arange(4).sum().item(), 6.0);
    /// ```
    #[must_use]
    pub fn sum(&self) -> Tensor<T> {
        let s = Scratch::take();
        let a = s.constant(self);
        s.value(a.sum())
    }

    /// Mean of all elements, a 0-d tensor (the sum divided by the count).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::<f64>::arange(4).mean().item(), 1.5);
    /// ```
    #[must_use]
    pub fn mean(&self) -> Tensor<T> {
        let s = Scratch::take();
        let a = s.constant(self);
        s.value(a.mean())
    }

    /// Sum over one axis (`-1` is the last), kept as size 1 when `keepdim`.
    ///
    /// # Panics
    /// When the axis is out of range; the message names the shape and the
    /// caller's line.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::<f32>::arange(6).reshape([2, 3]);
    /// assert_eq!(t.sum_axis(0, false).data(), &[3.0, 5.0, 7.0]);
    /// assert_eq!(t.sum_axis(-1, true).shape().dims(), &[2, 1]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn sum_axis(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        let s = Scratch::take();
        let a = s.constant(self);
        s.value(a.sum_axis(axis, keepdim))
    }

    /// Mean over one axis, kept as size 1 when `keepdim`.
    ///
    /// # Panics
    /// When the axis is out of range.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::<f64>::arange(6).reshape([2, 3]);
    /// assert_eq!(t.mean_axis(1, false).data(), &[1.0, 4.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn mean_axis(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        let s = Scratch::take();
        let a = s.constant(self);
        s.value(a.mean_axis(axis, keepdim))
    }

    /// The largest element, a 0-d tensor; NaN if any element is NaN
    /// (PyTorch's `max()`).
    ///
    /// # Panics
    /// On an empty tensor.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::from_vec(vec![1.0f32, 5.0, -2.0], [3]).max().item(), 5.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn max(&self) -> Tensor<T> {
        let (values, _, _) = max_along(self, None, "max");
        Tensor::from_vec(values, Shape::scalar())
    }

    /// The flat (row-major) index of the largest element: the first of tied
    /// maxima, or the first NaN (PyTorch's `argmax()`).
    ///
    /// # Panics
    /// On an empty tensor.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from_vec(vec![1.0f64, 7.0, 7.0, 0.0], [2, 2]);
    /// assert_eq!(t.argmax(), 1);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn argmax(&self) -> usize {
        max_along(self, None, "argmax").1[0]
    }

    /// The largest elements along `axis`, kept as size 1 when `keepdim`.
    ///
    /// # Panics
    /// When the axis is out of range or has length 0.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from_vec(vec![1.0f32, 9.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
    /// assert_eq!(t.max_axis(1, false).data(), &[9.0, 6.0]);
    /// assert_eq!(t.max_axis(0, true).to_vec2(), vec![vec![4.0, 9.0, 6.0]]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn max_axis(&self, axis: isize, keepdim: bool) -> Tensor<T> {
        let (values, _, ax) = max_along(self, Some(axis), "max_axis");
        let ax = ax.expect("an axis was given");
        Tensor::from_vec(values, self.shape().reduced(ax, keepdim))
    }

    /// The index along `axis` of the largest element of each slice, in
    /// row-major order of the other axes (the shape with `axis` removed);
    /// ties and NaN as [`argmax`](Tensor::argmax).
    ///
    /// # Panics
    /// When the axis is out of range or has length 0.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let logits = Tensor::from_vec(vec![0.1f32, 2.0, 0.3, 5.0, 1.0, 5.0], [2, 3]);
    /// assert_eq!(logits.argmax_axis(-1), vec![1, 0]); // predicted classes
    /// ```
    #[must_use]
    #[track_caller]
    pub fn argmax_axis(&self, axis: isize) -> Vec<usize> {
        max_along(self, Some(axis), "argmax_axis").1
    }
}

/// Maxima and their indices over everything (`axis` `None`: one value, a
/// flat index) or along one axis; also the resolved axis.
#[track_caller]
fn max_along<T: Float>(
    t: &Tensor<T>,
    axis: Option<isize>,
    op: &str,
) -> (Vec<T>, Vec<usize>, Option<usize>) {
    let xs = t.shape();
    let resolved = match axis {
        None => None,
        Some(a) => match xs.axis(a) {
            Some(r) => Some(r),
            None => panic!(
                "tapegrad: {op}: axis {a} out of range for shape {xs} (at {})",
                Location::caller()
            ),
        },
    };
    let len = resolved.map_or(xs.numel(), |a| xs.dims()[a]);
    if len == 0 {
        panic!(
            "tapegrad: {op}: cannot reduce an empty axis (shape {xs}) (at {})",
            Location::caller()
        );
    }
    let x = t.data();
    // `better` is PyTorch's rule: a strictly larger value, or the first NaN.
    let better = |cand: T, best: T| cand > best || (cand.is_nan() && !best.is_nan());
    let Some(a) = resolved else {
        let mut best = 0;
        for (i, &v) in x.iter().enumerate() {
            if better(v, x[best]) {
                best = i;
            }
        }
        return (vec![x[best]], vec![best], None);
    };
    let keep = xs.reduced(a, true);
    let n_out = keep.numel();
    let (mut values, mut index) = (vec![T::zero(); n_out], vec![usize::MAX; n_out]);
    let stride = xs.strides()[a];
    for_each_broadcast2(xs, &xs.strides(), &keep.broadcast_strides(xs), |_, i, k| {
        if index[k] == usize::MAX || better(x[i], values[k]) {
            values[k] = x[i];
            index[k] = (i / stride) % len;
        }
    });
    (values, index, Some(a))
}
