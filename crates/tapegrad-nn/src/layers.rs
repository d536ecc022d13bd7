//! Layers: `Linear` (PyTorch's `[out, in]` weight layout) and dropout in
//! its two forms, standard and alpha.

use crate::context::ForwardCtx;
use crate::params::{Bound, ParamId, Params};
use crate::Init;
use rand::Rng;
use tapegrad::{Float, Tensor, Var, SELU_ALPHA, SELU_SCALE};

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
}

/// Dropout, active only in training mode (see [`ForwardCtx`]).
///
/// * `Standard(p)`: each unit is zeroed with probability p and the survivors
///   are scaled by 1/(1−p), so the expected value is unchanged (PyTorch's
///   `nn.Dropout`).
/// * `Alpha(p)`: for SELU networks (Klambauer et al. 2017, PyTorch's
///   `nn.AlphaDropout`). A dropped unit is set to SELU's negative
///   saturation α' = −λα instead of 0, then an affine map `a·x + b` with
///   a = ((1−p)(1 + p·α'²))^(−1/2) and b = −a·α'·p restores zero mean and
///   unit variance, so the self-normalizing property survives.
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// use tapegrad_nn::{Dropout, ForwardCtx};
/// let tape = Tape::<f64>::new();
/// let x = tape.constant(Tensor::ones([1, 1000]));
/// let mut eval = ForwardCtx::eval();
/// assert_eq!(Dropout::Standard(0.5).apply(x, &mut eval).value(), x.value()); // identity
/// let mut train = ForwardCtx::train(0);
/// let y = Dropout::Standard(0.5).apply(x, &mut train).value();
/// assert!(y.data().iter().all(|&v| v == 0.0 || v == 2.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dropout {
    /// Zero with probability p, scale survivors by 1/(1−p).
    Standard(f64),
    /// SELU's alpha dropout with drop probability p.
    Alpha(f64),
}

impl Dropout {
    /// The drop probability.
    ///
    /// ```
    /// assert_eq!(tapegrad_nn::Dropout::Alpha(0.1).p(), 0.1);
    /// ```
    #[must_use]
    pub fn p(self) -> f64 {
        match self {
            Dropout::Standard(p) | Dropout::Alpha(p) => p,
        }
    }

    /// PyTorch's module name (`"Dropout"` or `"AlphaDropout"`).
    ///
    /// ```
    /// assert_eq!(tapegrad_nn::Dropout::Alpha(0.1).torch_name(), "AlphaDropout");
    /// ```
    #[must_use]
    pub fn torch_name(self) -> &'static str {
        match self {
            Dropout::Standard(_) => "Dropout",
            Dropout::Alpha(_) => "AlphaDropout",
        }
    }

    /// Applies dropout in training mode; returns `x` unchanged in evaluation
    /// mode or when p = 0.
    ///
    /// # Panics
    /// When p is not in `[0, 1)`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::{Dropout, ForwardCtx};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::ones([4, 8]));
    /// let y = Dropout::Alpha(0.2).apply(x, &mut ForwardCtx::train(1));
    /// assert_eq!(y.shape(), x.shape());
    /// ```
    #[must_use]
    #[track_caller]
    pub fn apply<'t, T: Float>(self, x: Var<'t, T>, ctx: &mut ForwardCtx<T>) -> Var<'t, T> {
        let p = self.p();
        assert!(
            (0.0..1.0).contains(&p),
            "tapegrad-nn: dropout probability {p} is not in [0, 1)"
        );
        if !ctx.is_training() || p == 0.0 {
            return x;
        }
        let shape = x.shape();
        let n = shape.numel();
        let tape = x.tape();
        let (rng, buf) = ctx.rng_and_scratch();
        buf.clear();
        match self {
            Dropout::Standard(p) => {
                let keep = T::from_f64(1.0 / (1.0 - p));
                buf.extend((0..n).map(|_| {
                    if rng.random::<f64>() < p {
                        T::zero()
                    } else {
                        keep
                    }
                }));
                x * tape.constant_slice(buf, shape)
            }
            Dropout::Alpha(p) => {
                let alpha_p = -SELU_SCALE * SELU_ALPHA;
                let a = ((1.0 - p) * (1.0 + p * alpha_p * alpha_p)).powf(-0.5);
                let b = -a * alpha_p * p;
                // First half: the multiplier a·m; second half: the shift
                // a·α'·(1 − m) + b.
                buf.resize(2 * n, T::zero());
                let (scale, shift) = buf.split_at_mut(n);
                for (s, o) in scale.iter_mut().zip(shift.iter_mut()) {
                    let dropped = rng.random::<f64>() < p;
                    *s = T::from_f64(if dropped { 0.0 } else { a });
                    *o = T::from_f64(if dropped { a * alpha_p + b } else { b });
                }
                let scale = tape.constant_slice(&buf[..n], shape.clone());
                let shift = tape.constant_slice(&buf[n..], shape);
                x * scale + shift
            }
        }
    }
}
