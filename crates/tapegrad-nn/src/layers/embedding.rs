//! `Embedding`: PyTorch's `nn.Embedding`, a trainable lookup table.

use crate::module::{Cx, Module};
use crate::params::ParamId;
use crate::scope::Scope;
use rand_distr::{Distribution, StandardNormal};
use tapegrad::{Float, Indices, Tensor, Var};

/// A table of `num_embeddings` rows of `dim` values; the input holds row
/// indices (as whole numbers, any shape) and the output appends an axis of
/// `dim`: `out[i…] = weight[x[i…]]` (PyTorch's `nn.Embedding`). The
/// gradient of each picked row is added back to its row (a repeated index
/// accumulates); the input gets no gradient. `weight` starts N(0, 1), as
/// in PyTorch.
///
/// # Panics
/// In the forward pass, when an input value is not a whole number in
/// `0..num_embeddings`, or when the table has more rows than the element
/// type counts exactly (2²⁴ in f32): there a float input cannot name every
/// row, so use [`Var::embedding`] with integer [`Indices`] instead.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{Embedding, Model};
/// let m = Model::<f32, _>::build(0, |s| Embedding::new(s, 10, 3));
/// let y = m.predict(&Tensor::from_vec(vec![1.0, 4.0, 1.0, 9.0], [2, 2]));
/// assert_eq!(y.shape().dims(), &[2, 2, 3]);
/// assert_eq!(y.data()[..3], y.data()[6..9]); // the same row twice
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Embedding {
    num_embeddings: usize,
    dim: usize,
    weight: ParamId,
}

impl Embedding {
    /// `nn.Embedding(num_embeddings, dim)`.
    ///
    /// ```
    /// use tapegrad_nn::{Embedding, Model};
    /// let m = Model::<f64, _>::build(0, |s| Embedding::new(s, 5, 2));
    /// assert_eq!(m.torch_equivalent(), "nn.Embedding(5, 2)");
    /// ```
    #[must_use]
    pub fn new<T: Float>(mut scope: Scope<'_, T>, num_embeddings: usize, dim: usize) -> Self {
        let rng = scope.rng();
        let data = (0..num_embeddings * dim)
            .map(|_| T::from_f64(StandardNormal.sample(rng)))
            .collect();
        let weight = scope.param("weight", Tensor::from_vec(data, [num_embeddings, dim]));
        Embedding {
            num_embeddings,
            dim,
            weight,
        }
    }
}

impl<T: Float> Module<T> for Embedding {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        // Every row index must survive the trip through T: in f32, 2²⁴ + 1
        // rounds to 2²⁴, so a larger table would silently pick other rows.
        let last = self.num_embeddings.saturating_sub(1) as f64;
        if Float::to_f64(T::from_f64(last)) != last
            || Float::to_f64(T::from_f64(last - 1.0)) != last - 1.0
        {
            panic!(
                "tapegrad-nn: Embedding({}, {}): {} rows cannot all be named by {} inputs; use Var::embedding with integer Indices (at {})",
                self.num_embeddings,
                self.dim,
                self.num_embeddings,
                std::any::type_name::<T>(),
                std::panic::Location::caller()
            );
        }
        let (indices, bad) = x.with_data(|d, shape| {
            let bad = d.iter().copied().find(|v| {
                let f = Float::to_f64(*v);
                f.fract() != 0.0 || f < 0.0 || f >= self.num_embeddings as f64
            });
            let idx = d.iter().map(|&v| Float::to_f64(v) as usize).collect();
            (Indices::new(idx, shape.clone()), bad)
        });
        if let Some(v) = bad {
            panic!(
                "tapegrad-nn: Embedding({}, {}): input value {v} is not an index in 0..{} (at {})",
                self.num_embeddings,
                self.dim,
                self.num_embeddings,
                std::panic::Location::caller()
            );
        }
        cx.param(self.weight).embedding(&indices)
    }

    fn torch(&self) -> String {
        format!("nn.Embedding({}, {})", self.num_embeddings, self.dim)
    }
}
