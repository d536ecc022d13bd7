//! `BatchNorm`: PyTorch's `nn.BatchNorm1d` and `nn.BatchNorm2d`, with
//! running statistics kept as buffers.

use crate::module::{Cx, Module};
use crate::params::ParamId;
use crate::scope::Scope;
use tapegrad::{Float, Tensor, Var};

/// Batch normalization over channel axis 1 (PyTorch's `nn.BatchNorm1d`
/// for `[N, C]` or `[N, C, L]` inputs, `nn.BatchNorm2d` for `[N, C, H, W]`).
///
/// * Training mode: `y = (x − μ)/√(σ² + ε)·weight + bias` with the batch's
///   per-channel mean μ and biased variance σ² (over every axis but 1), and
///   the running statistics updated as PyTorch does with momentum m = 0.1:
///   `running_mean ← (1 − m)·running_mean + m·μ`,
///   `running_var ← (1 − m)·running_var + m·σ²·n/(n − 1)` (the unbiased
///   variance, n values per channel), `num_batches_tracked += 1`.
/// * Evaluation mode: the same affine map with `running_mean` and
///   `running_var` in place of μ and σ².
///
/// The derivatives are those of the core ops
/// [`batch_norm_train`](tapegrad::Var::batch_norm_train) (through the
/// batch statistics) and [`batch_norm_eval`](tapegrad::Var::batch_norm_eval)
/// (statistics constant). A channel with a single value in training mode
/// panics, as in PyTorch.
///
/// Parameters `weight` (ones) and `bias` (zeros), buffers `running_mean`
/// (zeros), `running_var` (ones) and `num_batches_tracked` (0), as PyTorch
/// names and starts them.
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// use tapegrad_nn::{BatchNorm, ForwardCtx, Model};
/// let mut m = Model::<f64, _>::build(0, |s| BatchNorm::new_1d(s, 1));
/// let tape = Tape::new();
/// let p = m.params().bind(&tape);
/// let mut ctx = ForwardCtx::train(0);
/// let x = tape.constant(Tensor::from_vec(vec![1.0, 3.0], [2, 1]));
/// let y = m.forward(&p, x, &mut ctx);
/// m.commit(&mut ctx);
/// assert!((y.value().data()[0] + 1.0).abs() < 1e-4); // (1 − 2)/√(1 + ε)
/// let sd = m.state_dict();
/// assert_eq!(sd["running_mean"].data(), &[0.2]);                 // 0.1 · 2
/// assert!((sd["running_var"].data()[0] - 1.1).abs() < 1e-15);    // 0.9 + 0.1 · 2
/// assert_eq!(sd["num_batches_tracked"].data(), &[1.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BatchNorm {
    features: usize,
    image: bool,
    eps: f64,
    momentum: f64,
    weight: ParamId,
    bias: ParamId,
    running_mean: ParamId,
    running_var: ParamId,
    num_batches_tracked: ParamId,
}

impl BatchNorm {
    /// `nn.BatchNorm1d(features)`: inputs `[N, C]` or `[N, C, L]`, ε = 1e-5.
    ///
    /// ```
    /// use tapegrad_nn::{BatchNorm, Model};
    /// let m = Model::<f32, _>::build(0, |s| BatchNorm::new_1d(s, 4));
    /// assert_eq!(m.torch_equivalent(), "nn.BatchNorm1d(4)");
    /// ```
    #[must_use]
    pub fn new_1d<T: Float>(scope: Scope<'_, T>, features: usize) -> Self {
        BatchNorm::build(scope, features, false)
    }

    /// `nn.BatchNorm2d(features)`: inputs `[N, C, H, W]`, ε = 1e-5.
    ///
    /// ```
    /// use tapegrad_nn::{BatchNorm, Model};
    /// let m = Model::<f32, _>::build(0, |s| BatchNorm::new_2d(s, 3));
    /// assert_eq!(m.params().numel(), 6);
    /// assert_eq!(m.buffers().numel(), 7);
    /// ```
    #[must_use]
    pub fn new_2d<T: Float>(scope: Scope<'_, T>, features: usize) -> Self {
        BatchNorm::build(scope, features, true)
    }

    fn build<T: Float>(mut s: Scope<'_, T>, features: usize, image: bool) -> Self {
        BatchNorm {
            features,
            image,
            eps: 1e-5,
            momentum: 0.1,
            weight: s.param("weight", Tensor::ones([features])),
            bias: s.param("bias", Tensor::zeros([features])),
            running_mean: s.buffer("running_mean", Tensor::zeros([features])),
            running_var: s.buffer("running_var", Tensor::ones([features])),
            num_batches_tracked: s.buffer("num_batches_tracked", Tensor::zeros([])),
        }
    }

    /// The same layer with another ε (added to the variance).
    ///
    /// ```
    /// use tapegrad_nn::{BatchNorm, Model};
    /// let m = Model::<f32, _>::build(0, |s| BatchNorm::new_1d(s, 2).eps(1e-3));
    /// assert_eq!(m.torch_equivalent(), "nn.BatchNorm1d(2, eps=0.001)");
    /// ```
    #[must_use]
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// The same layer with another momentum of the running statistics.
    ///
    /// # Panics
    /// When `momentum` is not in `[0, 1]`.
    ///
    /// ```
    /// use tapegrad_nn::{BatchNorm, Model};
    /// let m = Model::<f32, _>::build(0, |s| BatchNorm::new_2d(s, 2).momentum(0.01));
    /// assert_eq!(m.torch_equivalent(), "nn.BatchNorm2d(2, momentum=0.01)");
    /// ```
    #[must_use]
    #[track_caller]
    pub fn momentum(mut self, momentum: f64) -> Self {
        assert!(
            (0.0..=1.0).contains(&momentum),
            "tapegrad-nn: BatchNorm: momentum {momentum} is not in [0, 1]"
        );
        self.momentum = momentum;
        self
    }

    fn torch_name(&self) -> &'static str {
        if self.image {
            "BatchNorm2d"
        } else {
            "BatchNorm1d"
        }
    }

    /// Queues the running-statistics update of a training-mode pass on `x`.
    fn update_running<T: Float>(&self, x: Var<'_, T>, cx: &mut Cx<'_, '_, T>) {
        let c = self.features;
        let (mean, var) = x.with_data(|d, shape| channel_moments(d, shape.dims(), c));
        let m = self.momentum;
        let old_mean = cx.buffer(self.running_mean);
        let old_var = cx.buffer(self.running_var);
        let new_mean: Vec<T> = old_mean
            .data()
            .iter()
            .zip(&mean)
            .map(|(&r, &b)| T::from_f64((1.0 - m) * Float::to_f64(r) + m * b))
            .collect();
        let new_var: Vec<T> = old_var
            .data()
            .iter()
            .zip(&var)
            .map(|(&r, &b)| T::from_f64((1.0 - m) * Float::to_f64(r) + m * b))
            .collect();
        let count = cx.buffer(self.num_batches_tracked).data()[0] + T::one();
        cx.set_buffer(self.running_mean, &new_mean);
        cx.set_buffer(self.running_var, &new_var);
        cx.set_buffer(self.num_batches_tracked, &[count]);
    }
}

/// Per-channel mean and unbiased variance (n − 1 in the denominator) of
/// `data` of shape `dims`, channels on axis 1, in f64.
fn channel_moments<T: Float>(data: &[T], dims: &[usize], c: usize) -> (Vec<f64>, Vec<f64>) {
    let inner: usize = dims[2..].iter().product();
    let n = dims[0] * inner;
    let mut mean = vec![0.0; c];
    let mut m2 = vec![0.0; c];
    for (ch, (mu, s)) in mean.iter_mut().zip(m2.iter_mut()).enumerate() {
        let values = || {
            (0..dims[0]).flat_map(move |b| {
                let start = (b * c + ch) * inner;
                data[start..start + inner].iter().map(|&v| Float::to_f64(v))
            })
        };
        *mu = values().sum::<f64>() / n as f64;
        *s = values().map(|v| (v - *mu) * (v - *mu)).sum::<f64>();
    }
    let var = m2.iter().map(|&s| s / (n as f64 - 1.0)).collect();
    (mean, var)
}

impl<T: Float> Module<T> for BatchNorm {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        let shape = x.shape();
        let dims = shape.dims();
        let rank_ok = if self.image {
            dims.len() == 4
        } else {
            dims.len() == 2 || dims.len() == 3
        };
        assert!(
            rank_ok && dims[1] == self.features,
            "tapegrad-nn: {}({}): input of shape {shape} is not {} (at {})",
            self.torch_name(),
            self.features,
            if self.image {
                format!("[N, {}, H, W]", self.features)
            } else {
                format!("[N, {}] or [N, {}, L]", self.features, self.features)
            },
            std::panic::Location::caller()
        );
        let (w, b) = (Some(cx.param(self.weight)), Some(cx.param(self.bias)));
        if cx.is_training() {
            let y = x.batch_norm_train(w, b, self.eps);
            self.update_running(x, cx);
            y
        } else {
            let mean = cx.buffer(self.running_mean);
            let var = cx.buffer(self.running_var);
            x.batch_norm_eval(&mean, &var, w, b, self.eps)
        }
    }

    fn torch(&self) -> String {
        let mut s = format!("nn.{}({}", self.torch_name(), self.features);
        if self.eps != 1e-5 {
            s.push_str(&format!(", eps={}", self.eps));
        }
        if self.momentum != 0.1 {
            s.push_str(&format!(", momentum={}", self.momentum));
        }
        s.push(')');
        s
    }
}
