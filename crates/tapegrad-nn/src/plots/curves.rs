//! An activation and its first two derivatives, from the engine: the
//! recorded backward of `Σ f(x)` is f′ elementwise, and the recorded
//! backward of `Σ f′(x)` is f″.

use crate::Activation;
use tapegrad::{Tape, Tensor};

/// f, f′ and f″ of an activation on a grid of points.
///
/// ```
/// use tapegrad_nn::{plots::ActivationCurves, Activation};
/// let c = ActivationCurves::compute(Activation::Tanh, &[], &[0.0, 1.0]);
/// let t = 1f64.tanh();
/// assert_eq!(c.f, [0.0, t]);
/// assert!((c.d1[1] - (1.0 - t * t)).abs() < 1e-15);
/// assert!((c.d2[1] + 2.0 * t * (1.0 - t * t)).abs() < 1e-15);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ActivationCurves {
    /// The points.
    pub x: Vec<f64>,
    /// f(x).
    pub f: Vec<f64>,
    /// f′(x), from the backward pass.
    pub d1: Vec<f64>,
    /// f″(x), from the backward pass of the recorded backward pass.
    pub d2: Vec<f64>,
}

impl ActivationCurves {
    /// Evaluates `activation` on `xs`, with `params` as the values of its
    /// trainable parameters in [`Activation::param_shapes`] order (β for
    /// swish; p1, p2, β for ACON-C; none for the others).
    ///
    /// # Panics
    /// When `params` does not hold one value per trainable parameter.
    ///
    /// ```
    /// use tapegrad_nn::{plots::ActivationCurves, Activation};
    /// // swish with β = 1 at 0: f = 0, f′ = 1/2, f″ = β/2
    /// let c = ActivationCurves::compute(Activation::Swish, &[1.0], &[0.0]);
    /// assert_eq!((c.f[0], c.d1[0], c.d2[0]), (0.0, 0.5, 0.5));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn compute(activation: Activation, params: &[f64], xs: &[f64]) -> Self {
        let tape = Tape::<f64>::new();
        let x = tape.param(Tensor::from_slice(xs, [xs.len(), 1]));
        let p: Vec<_> = params
            .iter()
            .map(|&v| tape.constant(Tensor::from_vec(vec![v], [1])))
            .collect();
        let f = activation.apply(x, &p);
        let d1 = f.sum().grad_graph(&[x])[0];
        let d2 = d1.sum().grad_graph(&[x])[0];
        ActivationCurves {
            x: xs.to_vec(),
            f: f.value().into_vec(),
            d1: d1.value().into_vec(),
            d2: d2.value().into_vec(),
        }
    }
}
