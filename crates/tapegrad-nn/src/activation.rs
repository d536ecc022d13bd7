//! Activation functions as one enum: every activation of the core crate,
//! swish with a trainable β, and ACON-C with trainable p1, p2, β per unit.

use crate::params::{ParamId, Params};
use crate::Init;
use smallvec::SmallVec;
use tapegrad::{Act, Float, Tensor, Var};

/// The nonlinearity after a hidden layer.
///
/// | variant | f(x) | trainable parameters (name, shape) |
/// |---|---|---|
/// | `Relu` | max(x, 0) | – |
/// | `LeakyRelu(α)` | x, or αx for x ≤ 0 | – |
/// | `Elu(α)` | x, or α(eˣ − 1) | – |
/// | `Selu` | λx, or λα(eˣ − 1) | – |
/// | `Swish` | x·σ(βx) | `beta` `[1]`, starts at 1 (SiLU) |
/// | `Mish` | x·tanh(softplus(x)) | – |
/// | `Softplus` | log(1 + eˣ) | – |
/// | `Sigmoid` | 1/(1 + e⁻ˣ) | – |
/// | `Tanh` | tanh x | – |
/// | `AconC` | (p1−p2)·x·σ(β(p1−p2)x) + p2·x | `p1`, `p2`, `beta`, each `[units]`; start 1, 0, 1 (= SiLU) |
/// | `Gelu` / `GeluTanh` | x·Φ(x), exact / tanh approximation | – |
/// | `Silu` | x·σ(x) | – |
/// | `Hardtanh(lo, hi)` | clamp(x, lo, hi) | – |
/// | `Relu6` | clamp(x, 0, 6) | – |
/// | `Hardsigmoid` | relu6(x + 3)/6 | – |
/// | `Hardswish` | x·relu6(x + 3)/6 | – |
/// | `Softsign` | x/(1 + \|x\|) | – |
/// | `Celu(α)` | x, or α(e^(x/α) − 1) | – |
/// | `Logsigmoid` | log σ(x) | – |
/// | `Prelu` | x, or w·x for x ≤ 0 | `weight` `[units]`, starts at 0.25 (PyTorch's) |
///
/// ACON-C ("Activate or Not", Ma et al. 2021) learns per unit how far to
/// switch between linear (β → 0 gives (p1+p2)x/2) and a max-like
/// nonlinearity (β → ∞ gives max(p1x, p2x)); it is computed as
/// `swish_β((p1 − p2)·x) + p2·x`, so every parameter gets its exact gradient
/// from the core's ops.
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// use tapegrad_nn::Activation;
/// let tape = Tape::<f64>::new();
/// let x = tape.constant(Tensor::from_vec(vec![-1.0, 2.0], [1, 2]));
/// assert_eq!(Activation::Relu.apply(x, &[]).value().data(), &[0.0, 2.0]);
/// assert_eq!(Activation::Relu.default_init(), tapegrad_nn::Init::HeNormal);
/// assert_eq!(Activation::Selu.default_init(), tapegrad_nn::Init::LecunNormal);
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// Rectified linear unit.
    Relu,
    /// Leaky relu with negative slope α.
    LeakyRelu(f64),
    /// Exponential linear unit with α.
    Elu(f64),
    /// Scaled ELU (self-normalizing; pair with LeCun init and AlphaDropout).
    Selu,
    /// x·σ(βx) with one trainable β per layer.
    Swish,
    /// x·tanh(softplus(x)).
    Mish,
    /// log(1 + eˣ).
    Softplus,
    /// The logistic function.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// ACON-C with trainable p1, p2, β per unit.
    AconC,
    /// GELU, exact (erf-based).
    Gelu,
    /// GELU, tanh approximation.
    GeluTanh,
    /// x·σ(x).
    Silu,
    /// clamp(x, min, max).
    Hardtanh(f64, f64),
    /// clamp(x, 0, 6).
    Relu6,
    /// relu6(x + 3)/6.
    Hardsigmoid,
    /// x·relu6(x + 3)/6.
    Hardswish,
    /// x/(1 + |x|).
    Softsign,
    /// Continuously differentiable ELU with α.
    Celu(f64),
    /// log σ(x).
    Logsigmoid,
    /// Leaky relu with a trainable slope per unit.
    Prelu,
}

/// The trainable parameters of one activation module.
pub(crate) type ActParams = SmallVec<[ParamId; 3]>;

impl Activation {
    /// A short lowercase name (`"relu"`, `"leaky_relu(0.01)"`, …).
    ///
    /// ```
    /// assert_eq!(tapegrad_nn::Activation::Elu(1.0).name(), "elu(1)");
    /// ```
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Activation::Relu => "relu".into(),
            Activation::LeakyRelu(a) => format!("leaky_relu({a})"),
            Activation::Elu(a) => format!("elu({a})"),
            Activation::Selu => "selu".into(),
            Activation::Swish => "swish".into(),
            Activation::Mish => "mish".into(),
            Activation::Softplus => "softplus".into(),
            Activation::Sigmoid => "sigmoid".into(),
            Activation::Tanh => "tanh".into(),
            Activation::AconC => "acon_c".into(),
            Activation::Gelu => "gelu".into(),
            Activation::GeluTanh => "gelu_tanh".into(),
            Activation::Silu => "silu".into(),
            Activation::Hardtanh(lo, hi) => format!("hardtanh({lo}, {hi})"),
            Activation::Relu6 => "relu6".into(),
            Activation::Hardsigmoid => "hardsigmoid".into(),
            Activation::Hardswish => "hardswish".into(),
            Activation::Softsign => "softsign".into(),
            Activation::Celu(a) => format!("celu({a})"),
            Activation::Logsigmoid => "logsigmoid".into(),
            Activation::Prelu => "prelu".into(),
        }
    }

    /// The weight initializer that suits this activation: He for the relu
    /// family and the smooth relu-likes, LeCun normal for SELU, Xavier for
    /// the saturating sigmoid and tanh and their hard and soft variants
    /// (hardtanh, hardsigmoid, softsign).
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init};
    /// assert_eq!(Activation::Tanh.default_init(), Init::XavierUniform);
    /// assert_eq!(Activation::Softsign.default_init(), Init::XavierUniform);
    /// assert_eq!(Activation::Swish.default_init(), Init::HeNormal);
    /// assert_eq!(Activation::Gelu.default_init(), Init::HeNormal);
    /// ```
    #[must_use]
    pub fn default_init(self) -> Init {
        match self {
            Activation::Selu => Init::LecunNormal,
            Activation::Sigmoid
            | Activation::Tanh
            | Activation::Hardtanh(..)
            | Activation::Hardsigmoid
            | Activation::Softsign => Init::XavierUniform,
            _ => Init::HeNormal,
        }
    }

    /// Whether the unit can be "dead": zero or near-zero gradient wherever
    /// its pre-activation is ≤ 0 (relu, leaky relu, elu, selu). The trainer
    /// reports, for these, the units never active over an epoch.
    ///
    /// ```
    /// use tapegrad_nn::Activation;
    /// assert!(Activation::Relu.can_die() && !Activation::Tanh.can_die());
    /// ```
    #[must_use]
    pub fn can_die(self) -> bool {
        matches!(
            self,
            Activation::Relu | Activation::LeakyRelu(_) | Activation::Elu(_) | Activation::Selu
        )
    }

    /// The output bounds beyond which the unit counts as saturated (its
    /// derivative almost 0), for sigmoid (σ < 0.01 or > 0.99) and tanh
    /// (|tanh| > 0.99); `None` for the others.
    ///
    /// ```
    /// use tapegrad_nn::Activation;
    /// assert_eq!(Activation::Sigmoid.saturation_bounds(), Some((0.01, 0.99)));
    /// assert_eq!(Activation::Relu.saturation_bounds(), None);
    /// ```
    #[must_use]
    pub fn saturation_bounds(self) -> Option<(f64, f64)> {
        match self {
            Activation::Sigmoid => Some((0.01, 0.99)),
            Activation::Tanh => Some((-0.99, 0.99)),
            _ => None,
        }
    }

    /// Names and shapes of the trainable parameters, for `units` units.
    ///
    /// ```
    /// use tapegrad_nn::Activation;
    /// let names: Vec<&str> = Activation::AconC.param_shapes(4).iter().map(|p| p.0).collect();
    /// assert_eq!(names, ["p1", "p2", "beta"]);
    /// assert!(Activation::Relu.param_shapes(4).is_empty());
    /// ```
    #[must_use]
    pub fn param_shapes(self, units: usize) -> Vec<(&'static str, [usize; 1])> {
        match self {
            Activation::Swish => vec![("beta", [1])],
            Activation::AconC => vec![("p1", [units]), ("p2", [units]), ("beta", [units])],
            Activation::Prelu => vec![("weight", [units])],
            _ => Vec::new(),
        }
    }

    /// Number of trainable parameter tensors (0, 1 for swish and PReLU, 3
    /// for ACON-C).
    ///
    /// ```
    /// assert_eq!(tapegrad_nn::Activation::AconC.param_count(), 3);
    /// assert_eq!(tapegrad_nn::Activation::Prelu.param_count(), 1);
    /// ```
    #[must_use]
    pub fn param_count(self) -> usize {
        match self {
            Activation::Swish | Activation::Prelu => 1,
            Activation::AconC => 3,
            _ => 0,
        }
    }

    /// Adds this activation's parameters under `prefix` (e.g. `"1."`) with
    /// their starting values.
    pub(crate) fn push_params<T: Float>(
        self,
        prefix: &str,
        units: usize,
        params: &mut Params<T>,
    ) -> ActParams {
        let start = |name: &str| match name {
            "p2" => 0.0,
            "weight" => 0.25, // PReLU's slope, as PyTorch starts it
            _ => 1.0,
        };
        self.param_shapes(units)
            .into_iter()
            .map(|(name, shape)| {
                params.push(
                    format!("{prefix}{name}"),
                    Tensor::full(shape, T::from_f64(start(name))),
                )
            })
            .collect()
    }

    /// The same activation as a [`bias_act`](tapegrad::Var::bias_act) can
    /// fuse with the bias before it, when there is one.
    pub(crate) fn fused(self) -> Option<Act> {
        match self {
            Activation::Relu => Some(Act::Relu),
            Activation::LeakyRelu(a) if a > 0.0 => Some(Act::LeakyRelu(a)),
            Activation::Elu(a) if a > 0.0 => Some(Act::Elu(a)),
            Activation::Selu => Some(Act::Selu),
            Activation::Sigmoid => Some(Act::Sigmoid),
            Activation::Tanh => Some(Act::Tanh),
            _ => None,
        }
    }

    /// Applies the activation to `x` (`[N, units]`); `params` are the bound
    /// trainable parameters in [`param_shapes`](Activation::param_shapes)
    /// order (empty for parameter-free activations).
    ///
    /// # Panics
    /// When `params` does not hold the parameters this activation needs.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::Activation;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![2.0, -1.0], [1, 2]));
    /// let p1 = tape.param(Tensor::ones([2]));
    /// let p2 = tape.param(Tensor::zeros([2]));
    /// let beta = tape.param(Tensor::ones([2]));
    /// let acon = Activation::AconC.apply(x, &[p1, p2, beta]);
    /// let swish = x.swish(tape.scalar(1.0));
    /// assert_eq!(acon.value(), swish.value()); // p1 = 1, p2 = 0: ACON-C is SiLU
    /// ```
    #[must_use]
    #[track_caller]
    pub fn apply<'t, T: Float>(self, x: Var<'t, T>, params: &[Var<'t, T>]) -> Var<'t, T> {
        let need = self.param_count();
        assert!(
            params.len() == need,
            "tapegrad-nn: activation {} needs {need} parameters, got {}",
            self.name(),
            params.len()
        );
        match self {
            Activation::Relu => x.relu(),
            Activation::LeakyRelu(a) => x.leaky_relu(a),
            Activation::Elu(a) => x.elu(a),
            Activation::Selu => x.selu(),
            Activation::Swish => x.swish(params[0]),
            Activation::Mish => x.mish(),
            Activation::Softplus => x.softplus(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Tanh => x.tanh(),
            Activation::AconC => {
                let (p1, p2, beta) = (params[0], params[1], params[2]);
                (x * (p1 - p2)).swish(beta) + x * p2
            }
            Activation::Gelu => x.gelu(),
            Activation::GeluTanh => x.gelu_tanh(),
            Activation::Silu => x.silu(),
            Activation::Hardtanh(lo, hi) => x.hardtanh(lo, hi),
            Activation::Relu6 => x.relu6(),
            Activation::Hardsigmoid => x.hardsigmoid(),
            Activation::Hardswish => x.hardswish(),
            Activation::Softsign => x.softsign(),
            Activation::Celu(a) => x.celu(a),
            Activation::Logsigmoid => x.logsigmoid(),
            Activation::Prelu => x.prelu(params[0]),
        }
    }
}

/// The PyTorch module for an activation; swish and ACON-C are the small
/// custom modules listed in `docs/nn.md`.
pub(crate) fn torch_activation(a: Activation, units: usize) -> String {
    match a {
        Activation::Relu => "nn.ReLU()".into(),
        Activation::LeakyRelu(s) => format!("nn.LeakyReLU({s})"),
        Activation::Elu(s) => format!("nn.ELU({s})"),
        Activation::Selu => "nn.SELU()".into(),
        Activation::Swish => "Swish()".into(),
        Activation::Mish => "nn.Mish()".into(),
        Activation::Softplus => "nn.Softplus()".into(),
        Activation::Sigmoid => "nn.Sigmoid()".into(),
        Activation::Tanh => "nn.Tanh()".into(),
        Activation::AconC => format!("AconC({units})"),
        Activation::Gelu => "nn.GELU()".into(),
        Activation::GeluTanh => "nn.GELU(approximate='tanh')".into(),
        Activation::Silu => "nn.SiLU()".into(),
        Activation::Hardtanh(lo, hi) => format!("nn.Hardtanh({lo}, {hi})"),
        Activation::Relu6 => "nn.ReLU6()".into(),
        Activation::Hardsigmoid => "nn.Hardsigmoid()".into(),
        Activation::Hardswish => "nn.Hardswish()".into(),
        Activation::Softsign => "nn.Softsign()".into(),
        Activation::Celu(a) => format!("nn.CELU({a})"),
        Activation::Logsigmoid => "nn.LogSigmoid()".into(),
        Activation::Prelu => format!("nn.PReLU({units})"),
    }
}
