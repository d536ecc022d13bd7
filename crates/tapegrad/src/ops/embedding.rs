//! Embedding lookup: rows of a table picked by integer indices of any
//! shape, built on `index_select` (whose gradient adds repeated picks).

use crate::{Float, Indices, Shape, Var};

impl<'t, T: Float> Var<'t, T> {
    /// Rows of the table `self` (`[V, D]`) at `indices` (any shape, 0-d
    /// and empty included): `F.embedding(indices, weight)`. The output has
    /// shape `indices.shape() + [D]`, with `out[i…] = weight[indices[i…]]`.
    ///
    /// Derivative: the upstream gradient of each picked row is added back
    /// to the row it came from, so a repeated index accumulates and an
    /// unused row gets 0. It is linear in the table: the second derivative
    /// is 0.
    ///
    /// # Panics
    /// When the table is not 2-D or an index is not a row of it.
    ///
    /// ```
    /// use tapegrad::{Indices, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let w = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [3, 2]));
    /// let y = w.embedding(&Indices::new(vec![2, 0, 2], [3]));
    /// assert_eq!(y.shape().dims(), &[3, 2]);
    /// assert_eq!(y.value().data(), &[5.0, 6.0, 1.0, 2.0, 5.0, 6.0]);
    /// assert_eq!(y.sum().backward()[w].data(), &[1.0, 1.0, 0.0, 0.0, 2.0, 2.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn embedding(self, indices: &Indices) -> Var<'t, T> {
        let ws = self.shape();
        assert!(
            ws.rank() == 2,
            "tapegrad: embedding: weight shape {ws} is not a table [V, D] (indices shape {}) (at {})",
            indices.shape(),
            std::panic::Location::caller()
        );
        let (v, d) = (ws.dims()[0], ws.dims()[1]);
        if let Some(&bad) = indices.data().iter().find(|&&i| i >= v) {
            panic!(
                "tapegrad: embedding: index {bad} is not a row of weight shape {ws} (indices shape {}) (at {})",
                indices.shape(),
                std::panic::Location::caller()
            );
        }
        let mut out = indices.shape().dims().to_vec();
        out.push(d);
        self.index_select(0, indices.data())
            .reshape(Shape::from(out))
    }
}
