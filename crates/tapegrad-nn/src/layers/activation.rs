//! Every [`Activation`] as a layer: the parameter-free ones directly, the
//! trainable ones (swish, ACON-C, PReLU) through [`ActivationLayer`].

use crate::activation::{torch_activation, ActParams};
use crate::module::{Cx, Module};
use crate::scope::Scope;
use crate::Activation;
use smallvec::SmallVec;
use tapegrad::{Float, Var};

/// A parameter-free activation is a layer as it is (its formula, derivative
/// and kink conventions are the core op's: see [`Activation`]).
///
/// # Panics
/// In the forward pass, for an activation with trainable parameters
/// (swish, ACON-C, PReLU): build those with [`ActivationLayer::build`].
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{Activation, Model};
/// let m = Model::<f64, _>::build(0, |_| Activation::Relu);
/// assert_eq!(m.predict(&Tensor::from_vec(vec![-1.0, 2.0], [1, 2])).data(), &[0.0, 2.0]);
/// ```
impl<T: Float> Module<T> for Activation {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, _cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        assert!(
            self.param_count() == 0,
            "tapegrad-nn: activation {} has trainable parameters: build it with ActivationLayer::build",
            self.name()
        );
        self.apply(x, &[])
    }

    fn torch(&self) -> String {
        torch_activation(*self, 0)
    }
}

/// An activation with its trainable parameters (swish's β, ACON-C's p1,
/// p2, β, PReLU's slopes) registered in a scope; any other activation works
/// too, with no parameters. Inputs are `[N, units]`.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{Activation, ActivationLayer, Model};
/// let m = Model::<f64, _>::build(0, |s| ActivationLayer::build(s, Activation::Prelu, 2));
/// assert_eq!(m.params().tensor("weight").unwrap().data(), &[0.25, 0.25]);
/// let y = m.predict(&Tensor::from_vec(vec![-4.0, 4.0], [1, 2]));
/// assert_eq!(y.data(), &[-1.0, 4.0]);
/// assert_eq!(m.torch_equivalent(), "nn.PReLU(2)");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ActivationLayer {
    activation: Activation,
    units: usize,
    params: ActParams,
}

impl ActivationLayer {
    /// Registers `activation`'s parameters for `units` units in `scope`
    /// (PReLU's slopes start at 0.25 as in PyTorch, swish's β and ACON-C's
    /// p1 and β at 1, p2 at 0).
    ///
    /// ```
    /// use tapegrad_nn::{Activation, ActivationLayer, Model};
    /// let m = Model::<f32, _>::build(0, |s| ActivationLayer::build(s, Activation::AconC, 3));
    /// assert_eq!(m.params().numel(), 9);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn build<T: Float>(mut scope: Scope<'_, T>, activation: Activation, units: usize) -> Self {
        let (prefix, params) = scope.prefix_and_params();
        let params = activation.push_params(&prefix, units, params);
        ActivationLayer {
            activation,
            units,
            params,
        }
    }

    /// The activation.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, ActivationLayer, Model};
    /// let m = Model::<f32, _>::build(0, |s| ActivationLayer::build(s, Activation::Swish, 3));
    /// assert_eq!(m.module().activation(), Activation::Swish);
    /// ```
    #[must_use]
    pub fn activation(&self) -> Activation {
        self.activation
    }
}

impl<T: Float> Module<T> for ActivationLayer {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        let vars: SmallVec<[Var<'t, T>; 3]> = self.params.iter().map(|&id| cx.param(id)).collect();
        self.activation.apply(x, &vars)
    }

    fn torch(&self) -> String {
        torch_activation(self.activation, self.units)
    }
}
