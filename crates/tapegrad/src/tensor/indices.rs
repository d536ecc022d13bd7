//! Integer index tensors: what `argmax` returns and `gather` reads.

use super::Shape;

/// A row-major tensor of `usize` indices, for [`Var::gather`],
/// [`Var::scatter_add`] and the result of [`Var::argmax`]. Indices stay
/// integers end to end: none is ever stored as a float, so every index is
/// exact however large the axis.
///
/// [`Var::gather`]: crate::Var::gather
/// [`Var::scatter_add`]: crate::Var::scatter_add
/// [`Var::argmax`]: crate::Var::argmax
///
/// ```
/// use tapegrad::Indices;
/// let i = Indices::new(vec![2, 0, 1, 1], [2, 2]);
/// assert_eq!(i.shape().dims(), &[2, 2]);
/// assert_eq!(i.data(), &[2, 0, 1, 1]);
/// assert_eq!(Indices::from(vec![3, 4]).shape().dims(), &[2]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indices {
    data: Vec<usize>,
    shape: Shape,
}

impl Indices {
    /// Indices `data` (row-major) of shape `shape`.
    ///
    /// # Panics
    /// When `data.len()` does not fill `shape`.
    ///
    /// ```
    /// let i = tapegrad::Indices::new(vec![1], ());
    /// assert_eq!(i.shape().rank(), 0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn new(data: Vec<usize>, shape: impl Into<Shape>) -> Self {
        let shape = shape.into();
        assert!(
            data.len() == shape.numel(),
            "tapegrad: Indices: {} indices do not fill shape {shape} (at {})",
            data.len(),
            std::panic::Location::caller()
        );
        Indices { data, shape }
    }

    /// The indices, row-major.
    ///
    /// ```
    /// assert_eq!(tapegrad::Indices::from(vec![5, 6]).data(), &[5, 6]);
    /// ```
    #[must_use]
    pub fn data(&self) -> &[usize] {
        &self.data
    }

    /// The shape.
    ///
    /// ```
    /// assert_eq!(tapegrad::Indices::new(vec![0; 6], [2, 3]).shape().numel(), 6);
    /// ```
    #[must_use]
    pub fn shape(&self) -> &Shape {
        &self.shape
    }
}

impl From<Vec<usize>> for Indices {
    /// A 1-d index tensor.
    fn from(data: Vec<usize>) -> Self {
        let n = data.len();
        Indices::new(data, [n])
    }
}
