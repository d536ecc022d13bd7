//! `Linear`: a fully connected layer in PyTorch's `[out, in]` weight
//! layout.

use crate::module::{Cx, Module};
use crate::params::{Bound, ParamId, Params};
use crate::scope::Scope;
use crate::Init;
use rand::Rng;
use tapegrad::{Act, Float, Tensor, Var};

/// A fully connected layer `y = x·Wᵀ + b` whose weight is stored `[out, in]`
/// as in PyTorch, and applied through a transposed view (no copy).
///
/// ```
/// use rand::SeedableRng;
/// use tapegrad::{Tape, Tensor};
/// use tapegrad_nn::{Init, Linear, Params};
/// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
/// let mut params = Params::<f64>::new();
/// let lin = Linear::new(&mut params, "0.", 3, 2, Init::Constant(1.0), 0.5, &mut rng);
/// assert_eq!(params.tensor("0.weight").unwrap().shape().dims(), &[2, 3]);
/// let tape = Tape::new();
/// let p = params.bind(&tape);
/// let x = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0], [1, 3]));
/// assert_eq!(lin.forward(&p, x).value().data(), &[6.5, 6.5]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Linear {
    in_features: usize,
    out_features: usize,
    weight: ParamId,
    bias: ParamId,
}

impl Linear {
    /// Adds `{prefix}weight` `[out, in]` drawn from `init` and `{prefix}bias`
    /// `[out]` set to the constant `bias` to `params`.
    ///
    /// # Panics
    /// When the names are already taken, or `init` has an invalid scale.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use tapegrad_nn::{Init, Linear, Params};
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    /// let mut params = Params::<f32>::new();
    /// let lin = Linear::new(&mut params, "0.", 3, 2, Init::HeNormal, 0.0, &mut rng);
    /// assert_eq!(params.numel(), 2 * 3 + 2);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn new<T: Float, R: Rng + ?Sized>(
        params: &mut Params<T>,
        prefix: &str,
        in_features: usize,
        out_features: usize,
        init: Init,
        bias: f64,
        rng: &mut R,
    ) -> Self {
        let weight = params.push(
            format!("{prefix}weight"),
            init.weight(out_features, in_features, rng),
        );
        let bias = params.push(
            format!("{prefix}bias"),
            Tensor::full([out_features], T::from_f64(bias)),
        );
        Linear {
            in_features,
            out_features,
            weight,
            bias,
        }
    }

    /// Input width.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use tapegrad_nn::{Init, Linear, Params};
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    /// let mut params = Params::<f32>::new();
    /// let lin = Linear::new(&mut params, "0.", 3, 2, Init::HeNormal, 0.0, &mut rng);
    /// assert_eq!(lin.in_features(), 3);
    /// ```
    #[must_use]
    pub fn in_features(&self) -> usize {
        self.in_features
    }

    /// Output width.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use tapegrad_nn::{Init, Linear, Params};
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    /// let mut params = Params::<f32>::new();
    /// let lin = Linear::new(&mut params, "0.", 3, 2, Init::HeNormal, 0.0, &mut rng);
    /// assert_eq!(lin.out_features(), 2);
    /// ```
    #[must_use]
    pub fn out_features(&self) -> usize {
        self.out_features
    }

    /// The weight's handle.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use tapegrad_nn::{Init, Linear, Params};
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    /// let mut params = Params::<f32>::new();
    /// let lin = Linear::new(&mut params, "0.", 3, 2, Init::HeNormal, 0.0, &mut rng);
    /// assert_eq!(params.name(lin.weight()), "0.weight");
    /// ```
    #[must_use]
    pub fn weight(&self) -> ParamId {
        self.weight
    }

    /// The bias's handle.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use tapegrad_nn::{Init, Linear, Params};
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    /// let mut params = Params::<f32>::new();
    /// let lin = Linear::new(&mut params, "0.", 3, 2, Init::HeNormal, 0.0, &mut rng);
    /// assert_eq!(params.value(lin.bias()), &[0.0, 0.0]);
    /// ```
    #[must_use]
    pub fn bias(&self) -> ParamId {
        self.bias
    }

    /// `x·Wᵀ + b` for `x` of shape `[N, in]`.
    ///
    /// # Panics
    /// When `x` is not `[N, in]`.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use tapegrad_nn::{Init, Linear, Params};
    /// let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    /// let mut params = Params::<f32>::new();
    /// let lin = Linear::new(&mut params, "0.", 3, 2, Init::HeNormal, 0.0, &mut rng);
    /// let tape = tapegrad::Tape::new();
    /// let p = params.bind(&tape);
    /// let y = lin.forward(&p, tape.constant(tapegrad::Tensor::zeros([5, 3])));
    /// assert_eq!(y.shape().dims(), &[5, 2]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn forward<'t, T: Float>(&self, p: &Bound<'t, T>, x: Var<'t, T>) -> Var<'t, T> {
        x.matmul_t(p[self.weight], false, true) + p[self.bias]
    }

    /// A Linear layer in `scope` with PyTorch's default initialization:
    /// weight and bias from U(−1/√in, 1/√in) (`nn.Linear`'s
    /// `kaiming_uniform_(a=√5)` and bias rule).
    ///
    /// ```
    /// use tapegrad_nn::{Linear, Model};
    /// let m = Model::<f64, _>::build(0, |s| Linear::build(s, 4, 2));
    /// let w = m.params().tensor("weight").unwrap();
    /// assert_eq!(w.shape().dims(), &[2, 4]);
    /// assert!(w.data().iter().all(|v| v.abs() <= 0.5));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn build<T: Float>(
        mut scope: Scope<'_, T>,
        in_features: usize,
        out_features: usize,
    ) -> Self {
        let bound = 1.0 / (in_features.max(1) as f64).sqrt();
        let w = scope.uniform([out_features, in_features], bound);
        let b = scope.uniform([out_features], bound);
        let weight = scope.param("weight", w);
        let bias = scope.param("bias", b);
        Linear {
            in_features,
            out_features,
            weight,
            bias,
        }
    }
}

impl Linear {
    /// `act(x·Wᵀ + b)` with the bias and the activation as one node
    /// ([`bias_act`](tapegrad::Var::bias_act)).
    #[must_use]
    #[track_caller]
    pub(crate) fn call_act<'t, T: Float>(
        &self,
        x: Var<'t, T>,
        cx: &mut Cx<'_, 't, T>,
        act: Act,
    ) -> Var<'t, T> {
        x.matmul_t(cx.param(self.weight), false, true)
            .bias_act(cx.param(self.bias), act)
    }
}

/// `x·Wᵀ + b` for `x` of shape `[N, in]` (the derivative is the matmul's:
/// ∂/∂x = g·W, ∂/∂W = gᵀ·x, ∂/∂b = Σₙ g).
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{Linear, Model};
/// let mut m = Model::<f64, _>::build(0, |s| Linear::build(s, 2, 1));
/// m.params_mut().values_mut().copy_from_slice(&[1.0, 2.0, 0.5]);
/// assert_eq!(m.predict(&Tensor::from_vec(vec![1.0, 1.0], [1, 2])).data(), &[3.5]);
/// ```
impl<T: Float> Module<T> for Linear {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        x.matmul_t(cx.param(self.weight), false, true) + cx.param(self.bias)
    }

    fn torch(&self) -> String {
        format!("nn.Linear({}, {})", self.in_features, self.out_features)
    }
}
