//! Dropout in its two forms, standard and alpha.

use crate::context::ForwardCtx;
use crate::module::{Cx, Module};
use rand::Rng;
use tapegrad::{Float, Var, SELU_ALPHA, SELU_SCALE};

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

/// Dropout as a layer: active in training mode only.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{Dropout, Model};
/// let m = Model::<f32, _>::build(0, |_| Dropout::Standard(0.5));
/// assert_eq!(m.predict(&Tensor::ones([2, 3])), Tensor::ones([2, 3])); // eval: identity
/// assert_eq!(m.torch_equivalent(), "nn.Dropout(0.5)");
/// ```
impl<T: Float> Module<T> for Dropout {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        self.apply(x, cx.ctx())
    }

    fn torch(&self) -> String {
        format!("nn.{}({})", self.torch_name(), self.p())
    }
}
