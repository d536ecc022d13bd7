//! Conversions between `Tensor` and `ndarray` arrays, both ways, with the
//! `ndarray` feature (`tapegrad::ndarray` re-exports the matching version).

use crate::{Float, Tensor};
use ndarray::{ArrayBase, ArrayD, ArrayViewD, Data, Dimension, IxDyn};

impl<T: Float> From<Tensor<T>> for ArrayD<T> {
    /// Moves the elements into an array of the same shape (no copy).
    ///
    /// ```
    /// use tapegrad::{ndarray::ArrayD, Tensor};
    /// let a = ArrayD::from(Tensor::<f32>::arange(6).reshape([2, 3]));
    /// assert_eq!(a[[1, 2]], 5.0);
    /// ```
    fn from(t: Tensor<T>) -> Self {
        let dims = t.shape().dims().to_vec();
        ArrayD::from_shape_vec(IxDyn(&dims), t.into_vec())
            .expect("a tensor's data always fills its shape")
    }
}

impl<T: Float, S: Data<Elem = T>, D: Dimension> From<&ArrayBase<S, D>> for Tensor<T> {
    /// Copies any array (any dimension, any memory order or slicing) into a
    /// row-major tensor of the same shape.
    ///
    /// ```
    /// use tapegrad::{ndarray, Tensor};
    /// let a = ndarray::arr2(&[[1.0f64, 2.0], [3.0, 4.0]]);
    /// let t = Tensor::from(&a.t()); // a transposed view
    /// assert_eq!(t.to_vec2(), vec![vec![1.0, 3.0], vec![2.0, 4.0]]);
    /// ```
    fn from(a: &ArrayBase<S, D>) -> Self {
        Tensor::from_vec(a.iter().copied().collect(), a.shape())
    }
}

impl<T: Float, D: Dimension> From<ndarray::Array<T, D>> for Tensor<T> {
    /// Takes an owned array, without a copy when it is row-major.
    ///
    /// ```
    /// use tapegrad::{ndarray, Tensor};
    /// let t = Tensor::from(ndarray::Array2::<f32>::eye(2));
    /// assert_eq!(t, Tensor::eye(2));
    /// ```
    fn from(a: ndarray::Array<T, D>) -> Self {
        if !a.is_standard_layout() {
            return Tensor::from(&a);
        }
        let dims = a.shape().to_vec();
        let n = dims.iter().product::<usize>();
        match a.into_raw_vec_and_offset() {
            (data, Some(0) | None) if data.len() == n => Tensor::from_vec(data, dims),
            // Sliced: the row-major elements are `n` from the offset on.
            (data, offset) => {
                let start = offset.unwrap_or(0);
                Tensor::from_slice(&data[start..start + n], dims)
            }
        }
    }
}

impl<T: Float> Tensor<T> {
    /// A read-only `ndarray` view of the elements (no copy).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::<f64>::arange(6).reshape([3, 2]);
    /// let col_sums = t.as_ndarray().sum_axis(tapegrad::ndarray::Axis(0));
    /// assert_eq!(col_sums.as_slice(), Some(&[6.0, 9.0][..]));
    /// ```
    #[must_use]
    pub fn as_ndarray(&self) -> ArrayViewD<'_, T> {
        ArrayViewD::from_shape(IxDyn(self.shape().dims()), self.data())
            .expect("a tensor's data always fills its shape")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{s, Array3};

    #[test]
    fn round_trips_keep_shape_and_row_major_order() {
        let t = Tensor::<f64>::arange(24).reshape([2, 3, 4]);
        let a = ArrayD::from(t.clone());
        assert_eq!(a.shape(), &[2, 3, 4]);
        assert_eq!(a[[1, 2, 3]], 23.0);
        assert_eq!(Tensor::from(a), t);
    }

    #[test]
    fn slices_and_column_major_arrays_are_read_in_logical_order() {
        let a = Array3::<f32>::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 100 + j * 10 + k) as f32);
        let sliced = a.slice(s![.., 1.., ..;2]);
        let t = Tensor::from(&sliced);
        assert_eq!(t.shape().dims(), &[2, 2, 2]);
        assert_eq!(
            t.data(),
            &[10.0, 12.0, 20.0, 22.0, 110.0, 112.0, 120.0, 122.0]
        );
        let fortran = a.clone().reversed_axes(); // [4, 3, 2], not row-major
        let t = Tensor::from(fortran.clone());
        assert_eq!(t.shape().dims(), &[4, 3, 2]);
        assert_eq!(t[[3, 2, 1]], fortran[[3, 2, 1]]);
        assert_eq!(t[[1, 0, 1]], 101.0);
        // An owned array whose data starts past an offset.
        let mut owned = a.clone();
        owned.slice_collapse(s![1.., .., ..]);
        let t = Tensor::from(owned);
        assert_eq!(t.shape().dims(), &[1, 3, 4]);
        assert_eq!(t[[0, 0, 0]], 100.0);
    }
}
