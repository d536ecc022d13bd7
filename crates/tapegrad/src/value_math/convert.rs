//! Getting elements out as nested `Vec`s, and a `Vec` in as a 1-d tensor.

use crate::{Float, Tensor};

impl<T: Float> Tensor<T> {
    /// A copy of the elements, row-major.
    ///
    /// ```
    /// let t = tapegrad::Tensor::<f32>::arange(3);
    /// assert_eq!(t.to_vec(), vec![0.0, 1.0, 2.0]);
    /// ```
    #[must_use]
    pub fn to_vec(&self) -> Vec<T> {
        self.data().to_vec()
    }

    /// The rows of a 2-d tensor.
    ///
    /// # Panics
    /// When the tensor is not 2-d.
    ///
    /// ```
    /// let t = tapegrad::Tensor::<f64>::arange(6).reshape([2, 3]);
    /// assert_eq!(t.to_vec2(), vec![vec![0.0, 1.0, 2.0], vec![3.0, 4.0, 5.0]]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn to_vec2(&self) -> Vec<Vec<T>> {
        let [r, c] = self.dims_of::<2>("to_vec2");
        rows(self.data(), r, c)
    }

    /// The matrices of a 3-d tensor, each as its rows.
    ///
    /// # Panics
    /// When the tensor is not 3-d.
    ///
    /// ```
    /// let t = tapegrad::Tensor::<f32>::arange(8).reshape([2, 2, 2]);
    /// assert_eq!(t.to_vec3()[1], vec![vec![4.0, 5.0], vec![6.0, 7.0]]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn to_vec3(&self) -> Vec<Vec<Vec<T>>> {
        let [m, r, c] = self.dims_of::<3>("to_vec3");
        (0..m)
            .map(|i| rows(&self.data()[i * r * c..], r, c))
            .collect()
    }

    #[track_caller]
    fn dims_of<const N: usize>(&self, op: &str) -> [usize; N] {
        self.shape().dims().try_into().unwrap_or_else(|_| {
            panic!(
                "tapegrad: {op}: needs a {N}-d tensor, shape is {} (at {})",
                self.shape(),
                std::panic::Location::caller()
            )
        })
    }
}

/// The first `r` rows of `c` elements of `data` (also when `c` is 0).
fn rows<T: Float>(data: &[T], r: usize, c: usize) -> Vec<Vec<T>> {
    (0..r).map(|i| data[i * c..(i + 1) * c].to_vec()).collect()
}

impl<T: Float> From<Vec<T>> for Tensor<T> {
    /// A 1-d tensor of the elements.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from(vec![1.0f32, 2.0]);
    /// assert_eq!(t.shape().dims(), &[2]);
    /// ```
    fn from(data: Vec<T>) -> Self {
        let n = data.len();
        Tensor::from_vec(data, [n])
    }
}

impl<T: Float> From<&[T]> for Tensor<T> {
    /// A 1-d tensor copying the elements.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from(&[1.0f64, 2.0, 3.0][..]);
    /// assert_eq!(t.shape().dims(), &[3]);
    /// ```
    fn from(data: &[T]) -> Self {
        Tensor::from(data.to_vec())
    }
}
