//! `Tensor<T>`: an owned, contiguous, row-major n-d array. Tensors know
//! nothing of autodiff; the tape copies them in and hands results back out.

use crate::{Float, Shape};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal, Uniform};
use std::fmt;
use std::ops::{Index, IndexMut};

/// An owned n-dimensional array, row-major (C order), of `f32` or `f64`.
///
/// ```
/// use tapegrad::Tensor;
/// let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
/// assert_eq!(t[[1, 2]], 6.0);
/// assert_eq!(t.shape().dims(), &[2, 3]);
/// assert_eq!(t.to_string(), "[[1. 2. 3.]\n [4. 5. 6.]]");
/// ```
///
/// Tensors are values too: the operators, reductions and `matmul` run the
/// tape's own ops (same broadcasting, same rounding, same errors).
///
/// ```
/// use tapegrad::Tensor;
/// let x = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], [2, 2]);
/// let b = Tensor::from(vec![10.0, 20.0]);
/// let y = (&x * 2.0 + &b) / 2.0;            // broadcasts b over the rows
/// assert_eq!(y.to_vec2(), vec![vec![6.0, 12.0], vec![8.0, 14.0]]);
/// assert_eq!(y.sum_axis(0, false).data(), &[14.0, 26.0]);
/// assert_eq!((-&x).max().item(), -1.0);
/// assert_eq!(x.matmul(&Tensor::eye(2)), x);
/// ```
#[derive(Clone, PartialEq)]
pub struct Tensor<T: Float> {
    data: Vec<T>,
    shape: Shape,
}

impl<T: Float> Tensor<T> {
    /// Wraps `data` (row-major) as a tensor of `shape`.
    ///
    /// # Panics
    /// When `data.len()` differs from the number of elements of `shape`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from_vec(vec![1.0f64, 2.0], [2]);
    /// assert_eq!(t.data(), &[1.0, 2.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn from_vec(data: Vec<T>, shape: impl Into<Shape>) -> Self {
        let shape = shape.into();
        assert!(
            data.len() == shape.numel(),
            "tapegrad: Tensor::from_vec: {} values do not fill shape {shape} ({} elements)",
            data.len(),
            shape.numel()
        );
        Tensor { data, shape }
    }

    /// Copies `data` into a new tensor of `shape`.
    ///
    /// # Panics
    /// When `data.len()` differs from the number of elements of `shape`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0], [2, 2]);
    /// assert_eq!(t[[1, 0]], 3.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn from_slice(data: &[T], shape: impl Into<Shape>) -> Self {
        Self::from_vec(data.to_vec(), shape)
    }

    /// A tensor of `shape` filled with `value`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::full([2], 7.0f32).data(), &[7.0, 7.0]);
    /// ```
    #[must_use]
    pub fn full(shape: impl Into<Shape>, value: T) -> Self {
        let shape = shape.into();
        Tensor {
            data: vec![value; shape.numel()],
            shape,
        }
    }

    /// A tensor of zeros.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::<f64>::zeros([3]).data(), &[0.0; 3]);
    /// ```
    #[must_use]
    pub fn zeros(shape: impl Into<Shape>) -> Self {
        Self::full(shape, T::zero())
    }

    /// A tensor of ones.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::<f32>::ones([2, 2]).data(), &[1.0; 4]);
    /// ```
    #[must_use]
    pub fn ones(shape: impl Into<Shape>) -> Self {
        Self::full(shape, T::one())
    }

    /// A 0-d tensor holding one value.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let s = Tensor::scalar(3.5f64);
    /// assert_eq!(s.shape().rank(), 0);
    /// assert_eq!(s.item(), 3.5);
    /// ```
    #[must_use]
    pub fn scalar(value: T) -> Self {
        Tensor {
            data: vec![value],
            shape: Shape::scalar(),
        }
    }

    /// The `n × n` identity matrix.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::<f32>::eye(2).data(), &[1.0, 0.0, 0.0, 1.0]);
    /// ```
    #[must_use]
    pub fn eye(n: usize) -> Self {
        let mut t = Self::zeros([n, n]);
        for i in 0..n {
            t.data[i * n + i] = T::one();
        }
        t
    }

    /// `[0, 1, …, n-1]` as a 1-d tensor.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::<f64>::arange(3).data(), &[0.0, 1.0, 2.0]);
    /// ```
    #[must_use]
    pub fn arange(n: usize) -> Self {
        Tensor {
            data: (0..n).map(|i| T::from_f64(i as f64)).collect(),
            shape: Shape::from([n]),
        }
    }

    /// Zeros of `other`'s shape.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::<f32>::ones([2, 3]);
    /// assert_eq!(Tensor::zeros_like(&t), Tensor::zeros([2, 3]));
    /// ```
    #[must_use]
    pub fn zeros_like(other: &Tensor<T>) -> Self {
        Self::zeros(other.shape.clone())
    }

    /// Ones of `other`'s shape.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::ones_like(&Tensor::<f64>::zeros([3])).data(), &[1.0; 3]);
    /// ```
    #[must_use]
    pub fn ones_like(other: &Tensor<T>) -> Self {
        Self::ones(other.shape.clone())
    }

    /// `n` evenly spaced values from `start` to `end`, both included
    /// (NumPy's `linspace`): `[start]` for `n = 1`, empty for `n = 0`. Each
    /// value is `start + i·step`, and the last is exactly `end`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::linspace(0.0f64, 1.0, 5).data(), &[0.0, 0.25, 0.5, 0.75, 1.0]);
    /// ```
    #[must_use]
    pub fn linspace(start: T, end: T, n: usize) -> Self {
        let step = if n > 1 {
            (end - start) / T::from_f64((n - 1) as f64)
        } else {
            T::zero()
        };
        let mut data: Vec<T> = (0..n)
            .map(|i| start + T::from_f64(i as f64) * step)
            .collect();
        if n > 1 {
            data[n - 1] = end;
        }
        Tensor {
            data,
            shape: Shape::from([n]),
        }
    }

    /// Uniform samples in `[0, 1)` from any [`rand::Rng`] (PyTorch's
    /// `torch.rand`).
    ///
    /// ```
    /// use tapegrad::rand::SeedableRng;
    /// use tapegrad::Tensor;
    /// let mut rng = tapegrad::rand::rngs::StdRng::seed_from_u64(3);
    /// let t = Tensor::<f32>::rand([50], &mut rng);
    /// assert!(t.data().iter().all(|&x| (0.0..1.0).contains(&x)));
    /// ```
    #[must_use]
    pub fn rand<R: Rng + ?Sized>(shape: impl Into<Shape>, rng: &mut R) -> Self {
        Self::uniform(shape, T::zero(), T::one(), rng)
    }

    /// Standard normal samples (mean 0, variance 1) from the caller's RNG.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use tapegrad::Tensor;
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    /// let t = Tensor::<f32>::randn([3, 2], &mut rng);
    /// assert_eq!(t.numel(), 6);
    /// ```
    #[must_use]
    pub fn randn<R: Rng + ?Sized>(shape: impl Into<Shape>, rng: &mut R) -> Self {
        let shape = shape.into();
        let data = (0..shape.numel())
            .map(|_| T::from_f64(StandardNormal.sample(rng)))
            .collect();
        Tensor { data, shape }
    }

    /// Uniform samples in `[low, high)` from the caller's RNG.
    ///
    /// # Panics
    /// When `low >= high` or either bound is not finite.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use tapegrad::Tensor;
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    /// let t = Tensor::<f64>::uniform([100], -0.5, 0.5, &mut rng);
    /// assert!(t.data().iter().all(|&x| (-0.5..0.5).contains(&x)));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn uniform<R: Rng + ?Sized>(shape: impl Into<Shape>, low: T, high: T, rng: &mut R) -> Self {
        let shape = shape.into();
        // A `match`, not `unwrap_or_else`: a panic inside a closure would
        // name this line instead of the caller's.
        let dist = match Uniform::new(low.to_f64(), high.to_f64()) {
            Ok(dist) => dist,
            Err(e) => panic!(
                "tapegrad: Tensor::uniform: invalid range [{low}, {high}): {e} (at {})",
                std::panic::Location::caller()
            ),
        };
        let data = (0..shape.numel())
            .map(|_| T::from_f64(dist.sample(rng)))
            .collect();
        Tensor { data, shape }
    }

    /// The shape.
    ///
    /// ```
    /// let t = tapegrad::Tensor::<f32>::zeros([2, 5]);
    /// assert_eq!(t.shape().dims(), &[2, 5]);
    /// ```
    #[must_use]
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// Number of elements.
    ///
    /// ```
    /// assert_eq!(tapegrad::Tensor::<f32>::zeros([2, 5]).numel(), 10);
    /// ```
    #[must_use]
    pub fn numel(&self) -> usize {
        self.data.len()
    }

    /// The elements, row-major.
    ///
    /// ```
    /// let t = tapegrad::Tensor::<f64>::arange(3);
    /// assert_eq!(t.data(), &[0.0, 1.0, 2.0]);
    /// ```
    #[must_use]
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// The elements, row-major, mutable.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let mut t = Tensor::<f32>::zeros([2]);
    /// t.data_mut()[1] = 4.0;
    /// assert_eq!(t.data(), &[0.0, 4.0]);
    /// ```
    #[must_use]
    pub fn data_mut(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// Gives up the tensor, returning its elements.
    ///
    /// ```
    /// let v = tapegrad::Tensor::<f32>::ones([3]).into_vec();
    /// assert_eq!(v, vec![1.0; 3]);
    /// ```
    #[must_use]
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }

    /// The single value of a one-element tensor.
    ///
    /// # Panics
    /// When the tensor does not hold exactly one element.
    ///
    /// ```
    /// assert_eq!(tapegrad::Tensor::from_vec(vec![4.5f32], [1, 1]).item(), 4.5);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn item(&self) -> T {
        assert!(
            self.data.len() == 1,
            "tapegrad: Tensor::item needs one element, shape is {}",
            self.shape
        );
        self.data[0]
    }

    /// The same elements under a new shape with the same element count.
    ///
    /// # Panics
    /// When the element counts differ.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::<f32>::arange(6).reshape([2, 3]);
    /// assert_eq!(t[[1, 0]], 3.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn reshape(self, shape: impl Into<Shape>) -> Self {
        Self::from_vec(self.data, shape)
    }

    /// Converts every element to another float type.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t: Tensor<f64> = Tensor::from_vec(vec![0.5f32], [1]).cast();
    /// assert_eq!(t.data(), &[0.5f64]);
    /// ```
    #[must_use]
    pub fn cast<U: Float>(&self) -> Tensor<U> {
        Tensor {
            data: self.data.iter().map(|&x| U::from_f64(x.to_f64())).collect(),
            shape: self.shape.clone(),
        }
    }

    /// Replaces shape and contents with those of `src`, reusing this
    /// tensor's allocation when it is large enough.
    pub(crate) fn assign_from(&mut self, src: &[T], shape: &Shape) {
        // One element is stored in place: `extend_from_slice` calls
        // `memcpy` for a length it cannot see, the cost of a scalar
        // parameter's whole gradient.
        if let ([x], [d]) = (src, &mut self.data[..]) {
            *d = *x;
        } else {
            self.data.clear();
            self.data.extend_from_slice(src);
        }
        if &self.shape != shape {
            self.shape = shape.clone();
        }
    }

    /// Exchanges this tensor's storage with `data`, which holds
    /// `shape.numel()` elements, and takes `shape`: a finished buffer
    /// becomes the tensor without a copy, and `data` returns the old storage
    /// for reuse.
    pub(crate) fn swap_data(&mut self, data: &mut Vec<T>, shape: &Shape) {
        debug_assert_eq!(data.len(), shape.numel());
        std::mem::swap(&mut self.data, data);
        if &self.shape != shape {
            self.shape = shape.clone();
        }
    }

    /// Makes this tensor the 0-d value `x`, in place when it is one
    /// already: a scalar parameter's gradient without a shape compare.
    #[inline]
    pub(crate) fn assign_scalar(&mut self, x: T) {
        match (&mut self.data[..], self.shape.rank()) {
            ([d], 0) => *d = x,
            _ => {
                self.data.clear();
                self.data.push(x);
                self.shape = Shape::scalar();
            }
        }
    }

    pub(crate) fn resize_zeroed(&mut self, n: usize) {
        self.data.resize(n, T::zero());
    }

    /// The largest absolute elementwise difference to `other`.
    ///
    /// # Panics
    /// When the shapes differ.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_vec(vec![1.0f64, 2.0], [2]);
    /// let b = Tensor::from_vec(vec![1.5f64, 2.0], [2]);
    /// assert_eq!(a.max_abs_diff(&b), 0.5);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn max_abs_diff(&self, other: &Tensor<T>) -> T {
        assert!(
            self.shape == other.shape,
            "tapegrad: max_abs_diff: shapes {} and {} differ",
            self.shape,
            other.shape
        );
        self.data
            .iter()
            .zip(&other.data)
            .fold(T::zero(), |m, (&a, &b)| m.max((a - b).abs()))
    }

    #[track_caller]
    fn offset(&self, idx: &[usize]) -> usize {
        assert!(
            idx.len() == self.shape.rank(),
            "tapegrad: index {idx:?} has {} axes, tensor shape {} has {}",
            idx.len(),
            self.shape,
            self.shape.rank()
        );
        let mut off = 0;
        for (ax, (&i, &d)) in idx.iter().zip(self.shape.dims()).enumerate() {
            assert!(
                i < d,
                "tapegrad: index {idx:?} out of bounds on axis {ax} of shape {}",
                self.shape
            );
            off = off * d + i;
        }
        off
    }
}

impl<T: Float, const N: usize> Index<[usize; N]> for Tensor<T> {
    type Output = T;
    #[track_caller]
    fn index(&self, idx: [usize; N]) -> &T {
        &self.data[self.offset(&idx)]
    }
}

impl<T: Float, const N: usize> IndexMut<[usize; N]> for Tensor<T> {
    #[track_caller]
    fn index_mut(&mut self, idx: [usize; N]) -> &mut T {
        let o = self.offset(&idx);
        &mut self.data[o]
    }
}

impl<T: Float> Index<&[usize]> for Tensor<T> {
    type Output = T;
    #[track_caller]
    fn index(&self, idx: &[usize]) -> &T {
        &self.data[self.offset(idx)]
    }
}

impl<T: Float> fmt::Display for Tensor<T> {
    /// NumPy's `str(array)`: nested brackets, one format for all elements
    /// (positional, or scientific for wide ranges), aligned columns, rows
    /// wrapped at 75 characters; a 0-d tensor prints as its scalar. Over
    /// 1,000 elements it summarizes as NumPy does: three items at each end
    /// of every long axis around `...`. The alternate form `{:#}` prints
    /// every element.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::<f32>::arange(2000);
    /// assert_eq!(t.to_string(), "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]");
    /// assert_eq!(format!("{t:#}").matches("e+").count(), 2000);
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summarize = !f.alternate() && self.data.len() > super::numpy_fmt::THRESHOLD;
        f.write_str(&super::numpy_fmt::format_array(
            &self.data,
            self.shape.dims(),
            summarize,
        ))
    }
}

impl<T: Float> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor<{}>{}\n{}", T::NAME, self.shape, self)
    }
}
