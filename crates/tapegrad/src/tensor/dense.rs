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
        let dist = Uniform::new(low.to_f64(), high.to_f64()).unwrap_or_else(|e| {
            panic!("tapegrad: Tensor::uniform: invalid range [{low}, {high}): {e}")
        });
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
        self.data.clear();
        self.data.extend_from_slice(src);
        if &self.shape != shape {
            self.shape = shape.clone();
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
    /// wrapped at 75 characters; a 0-d tensor prints as its scalar.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::numpy_fmt::format_array(
            &self.data,
            self.shape.dims(),
        ))
    }
}

impl<T: Float> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor<{}>{}\n{}", T::NAME, self.shape, self)
    }
}
