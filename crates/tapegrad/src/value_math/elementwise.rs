//! `map`, `zip_map` (broadcasting like the binary ops, through the same
//! broadcast iterator) and elementwise comparisons giving 0/1 masks.

use crate::tensor::for_each_broadcast2;
use crate::{Float, Shape, Tensor};
use std::panic::Location;

impl<T: Float> Tensor<T> {
    /// `f` applied to every element.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from_vec(vec![1.0f32, 4.0, 9.0], [3]);
    /// assert_eq!(t.map(f32::sqrt).data(), &[1.0, 2.0, 3.0]);
    /// ```
    #[must_use]
    pub fn map(&self, f: impl Fn(T) -> T) -> Tensor<T> {
        Tensor::from_vec(
            self.data().iter().map(|&x| f(x)).collect(),
            self.shape().clone(),
        )
    }

    /// `f(a, b)` for every pair of elements of `self` and `other`, broadcast
    /// together as `+` broadcasts them.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together; the message names both
    /// shapes and the caller's line.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], [2, 2]);
    /// let b = Tensor::from_vec(vec![10.0f64, 20.0], [2]);
    /// assert_eq!(a.zip_map(&b, f64::max).data(), &[10.0, 20.0, 10.0, 20.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn zip_map(&self, other: &Tensor<T>, f: impl Fn(T, T) -> T) -> Tensor<T> {
        zip_with(self, other, "zip_map", f)
    }

    /// `1` where `self > other`, else `0` (broadcasting; NaN compares false).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from_vec(vec![-1.0f32, 0.0, 2.0], [3]);
    /// assert_eq!(t.gt(&Tensor::scalar(0.0)).data(), &[0.0, 0.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn gt(&self, other: &Tensor<T>) -> Tensor<T> {
        zip_with(self, other, "gt", |a, b| mask(a > b))
    }

    /// `1` where `self >= other`, else `0` (broadcasting).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from_vec(vec![-1.0f32, 0.0, 2.0], [3]);
    /// assert_eq!(t.ge(&Tensor::scalar(0.0)).data(), &[0.0, 1.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn ge(&self, other: &Tensor<T>) -> Tensor<T> {
        zip_with(self, other, "ge", |a, b| mask(a >= b))
    }

    /// `1` where `self < other`, else `0` (broadcasting).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from_vec(vec![-1.0f64, 0.0, 2.0], [3]);
    /// assert_eq!(t.lt(&Tensor::scalar(0.0)).data(), &[1.0, 0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn lt(&self, other: &Tensor<T>) -> Tensor<T> {
        zip_with(self, other, "lt", |a, b| mask(a < b))
    }

    /// `1` where `self <= other`, else `0` (broadcasting).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from_vec(vec![-1.0f64, 0.0, 2.0], [3]);
    /// assert_eq!(t.le(&Tensor::scalar(0.0)).data(), &[1.0, 1.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn le(&self, other: &Tensor<T>) -> Tensor<T> {
        zip_with(self, other, "le", |a, b| mask(a <= b))
    }

    /// `1` where the elements are equal, else `0` (broadcasting; NaN is
    /// equal to nothing). `==` on tensors instead compares whole tensors.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 2.0, f32::NAN], [3]);
    /// assert_eq!(a.eq_elem(&a).data(), &[1.0, 1.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn eq_elem(&self, other: &Tensor<T>) -> Tensor<T> {
        zip_with(self, other, "eq_elem", |a, b| mask(a == b))
    }

    /// `1` where the elements differ, else `0` (broadcasting; NaN differs
    /// from everything).
    ///
    /// # Panics
    /// When the shapes cannot be broadcast together.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f32, 2.0], [2]);
    /// assert_eq!(a.ne_elem(&Tensor::scalar(2.0)).data(), &[1.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn ne_elem(&self, other: &Tensor<T>) -> Tensor<T> {
        zip_with(self, other, "ne_elem", |a, b| mask(a != b))
    }
}

fn mask<T: Float>(yes: bool) -> T {
    if yes {
        T::one()
    } else {
        T::zero()
    }
}

#[track_caller]
fn zip_with<T: Float>(a: &Tensor<T>, b: &Tensor<T>, op: &str, f: impl Fn(T, T) -> T) -> Tensor<T> {
    let (sa, sb) = (a.shape(), b.shape());
    let Some(out) = Shape::broadcast(sa, sb) else {
        panic!(
            "tapegrad: {op}: shapes {sa} and {sb} cannot be broadcast together (at {})",
            Location::caller()
        )
    };
    let (xa, xb) = (a.data(), b.data());
    let mut o = vec![T::zero(); out.numel()];
    let (ta, tb) = (sa.broadcast_strides(&out), sb.broadcast_strides(&out));
    for_each_broadcast2(&out, &ta, &tb, |i, ia, ib| o[i] = f(xa[ia], xb[ib]));
    Tensor::from_vec(o, out)
}
