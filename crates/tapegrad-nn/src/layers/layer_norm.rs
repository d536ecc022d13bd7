//! `LayerNorm`: PyTorch's `nn.LayerNorm` with an elementwise affine map.

use crate::module::{Cx, Module};
use crate::params::ParamId;
use crate::scope::Scope;
use tapegrad::{Float, Tensor, Var};

/// Layer normalization over the trailing axes `normalized_shape`:
/// `y = (x − μ)/√(σ² + ε)·weight + bias` with the mean and biased variance
/// of each row over those axes, ε = 1e-5 (PyTorch's `nn.LayerNorm`). Same
/// in training and evaluation mode. The derivative is the core op's
/// [`layer_norm`](tapegrad::Var::layer_norm): with r = (σ² + ε)^(−½) and
/// ĝ = g·weight, ∂L/∂x = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)).
///
/// Parameters `weight` (ones) and `bias` (zeros) of shape
/// `normalized_shape`.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{LayerNorm, Model};
/// let m = Model::<f64, _>::build(0, |s| LayerNorm::new(s, &[2]));
/// let y = m.predict(&Tensor::from_vec(vec![1.0, 3.0], [1, 2]));
/// assert!((y.data()[0] + 1.0).abs() < 1e-5 && (y.data()[1] - 1.0).abs() < 1e-5);
/// assert_eq!(m.torch_equivalent(), "nn.LayerNorm((2,))");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LayerNorm {
    shape: Vec<usize>,
    eps: f64,
    weight: ParamId,
    bias: ParamId,
}

impl LayerNorm {
    /// `nn.LayerNorm(normalized_shape)`.
    ///
    /// ```
    /// use tapegrad_nn::{LayerNorm, Model};
    /// let m = Model::<f32, _>::build(0, |s| LayerNorm::new(s, &[3, 4]));
    /// assert_eq!(m.params().tensor("weight").unwrap().shape().dims(), &[3, 4]);
    /// ```
    #[must_use]
    pub fn new<T: Float>(mut scope: Scope<'_, T>, normalized_shape: &[usize]) -> Self {
        LayerNorm {
            shape: normalized_shape.to_vec(),
            eps: 1e-5,
            weight: scope.param("weight", Tensor::ones(normalized_shape)),
            bias: scope.param("bias", Tensor::zeros(normalized_shape)),
        }
    }

    /// The same layer with another ε.
    ///
    /// ```
    /// use tapegrad_nn::{LayerNorm, Model};
    /// let m = Model::<f32, _>::build(0, |s| LayerNorm::new(s, &[3]).eps(1e-6));
    /// assert_eq!(m.torch_equivalent(), "nn.LayerNorm((3,), eps=0.000001)");
    /// ```
    #[must_use]
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
}

impl<T: Float> Module<T> for LayerNorm {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        x.layer_norm(
            &self.shape,
            Some(cx.param(self.weight)),
            Some(cx.param(self.bias)),
            self.eps,
        )
    }

    fn torch(&self) -> String {
        let dims: Vec<String> = self.shape.iter().map(ToString::to_string).collect();
        let tuple = if dims.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        if self.eps == 1e-5 {
            format!("nn.LayerNorm({tuple})")
        } else {
            format!("nn.LayerNorm({tuple}, eps={:.6})", self.eps)
        }
    }
}
