//! The dense MLP of W2, W3, W4 and W6, and the training workloads built on
//! it: W2 `mlp-large`, W4 `deep-narrow` (softmax cross-entropy on a fixed
//! batch) and W3 `online-tiny` (per-sample MSE).

use crate::{data, Workload};
use smallvec::SmallVec;
use tapegrad::{Act, Float, Gradients, Tape, Tensor, Var};

/// The parameters' `Var`s of one recording, inline: the deepest network
/// here (W4) has 18 parameter tensors, so recording them allocates nothing.
pub(crate) type ParamVars<'t, T> = SmallVec<[Var<'t, T>; 18]>;

/// `W₁, b₁, W₂, b₂, …` (`W [in, out]`, `y = x·W + b`) and the hidden
/// layers' activation (none after the last layer). The parameters live on
/// the workload's tape as its first leaves, kept across steps by
/// [`Tape::truncate`] and updated there in place: a step copies no
/// parameter.
pub(crate) struct Mlp {
    /// The parameters are the tape's nodes `0..params`.
    pub(crate) params: usize,
    activation: Act,
}

impl Mlp {
    /// Records `params` as the first leaves of the empty `tape`.
    pub(crate) fn new<T: Float>(tape: &Tape<T>, params: &[Tensor<T>], activation: Act) -> Self {
        assert!(tape.is_empty(), "the parameters are the tape's first nodes");
        for p in params {
            let _ = tape.param_slice(p.data(), p.shape().clone());
        }
        Mlp {
            params: params.len(),
            activation,
        }
    }

    /// The parameters' handles on `tape`.
    pub(crate) fn vars<'t, T: Float>(&self, tape: &'t Tape<T>) -> ParamVars<'t, T> {
        (0..self.params).map(|i| tape.var(i)).collect()
    }

    /// The logits of `x`.
    pub(crate) fn logits<'t, T: Float>(&self, vars: &[Var<'t, T>], x: Var<'t, T>) -> Var<'t, T> {
        let layers = vars.len() / 2;
        let mut h = x;
        for (i, wb) in vars.chunks_exact(2).enumerate() {
            // Bias and activation in one node: one pass forward, one back.
            let act = if i + 1 < layers {
                self.activation
            } else {
                Act::Identity
            };
            h = h.matmul(wb[0]).bias_act(wb[1], act);
        }
        h
    }

    /// Plain SGD, `p −= lr·∂L/∂p`, on the parameters in place on `tape`.
    pub(crate) fn sgd<T: Float>(&self, tape: &mut Tape<T>, grads: &Gradients<T>, lr: T) {
        for i in 0..self.params {
            let g = grads[tape.var(i)].data();
            for (e, &g) in tape.leaf_values_mut(i).iter_mut().zip(g) {
                *e -= lr * g;
            }
        }
    }
}

/// A classifier trained on one fixed batch: mean softmax cross-entropy,
/// SGD with lr 0.01 (W2, W4).
pub(crate) struct Classifier<T: Float> {
    mlp: Mlp,
    /// The batch, a constant leaf kept after the parameters.
    x: usize,
    labels: Vec<usize>,
    tape: Tape<T>,
    grads: Gradients<T>,
}

impl<T: Float> Classifier<T> {
    /// W2: 784-512-512-10, ReLU, batch 128, `U(±1/√fan_in)` init.
    pub(crate) fn mlp_large() -> Self {
        Self::mlp_large_with_batch(128)
    }

    /// W2's network and init with another batch size.
    pub(crate) fn mlp_large_with_batch(batch: usize) -> Self {
        let mut rng = data::rng(0);
        let params = data::init_uniform_fanin(&mut rng, &[784, 512, 512, 10]);
        let (x, labels) = data::classification_batch(&mut rng, batch, 784, 10);
        Self::new(&params, Act::Relu, &x, labels)
    }

    /// W4: 64 → eight `Linear(64, 64)` + SELU → `Linear(64, 10)`, batch 32,
    /// LeCun normal init.
    pub(crate) fn deep_narrow() -> Self {
        let mut rng = data::rng(0);
        let sizes = [64, 64, 64, 64, 64, 64, 64, 64, 64, 10];
        let params = data::init_lecun_normal(&mut rng, &sizes);
        let (x, labels) = data::classification_batch(&mut rng, 32, 64, 10);
        Self::new(&params, Act::Selu, &x, labels)
    }

    fn new(params: &[Tensor<T>], activation: Act, x: &Tensor<T>, labels: Vec<usize>) -> Self {
        let tape = Tape::new();
        let mlp = Mlp::new(&tape, params, activation);
        let x = tape.constant_slice(x.data(), x.shape().clone()).index();
        Classifier {
            mlp,
            x,
            labels,
            tape,
            grads: Gradients::new(),
        }
    }
}

impl<T: Float> Workload for Classifier<T> {
    fn step(&mut self) -> f64 {
        // Keeps the parameters and the batch, recorded once.
        self.tape.truncate(self.x + 1);
        let tape = &self.tape;
        let vars = self.mlp.vars(tape);
        let loss = self
            .mlp
            .logits(&vars, tape.var(self.x))
            .cross_entropy(&self.labels);
        loss.backward_into(&mut self.grads);
        let loss = loss.item().to_f64();
        drop(vars);
        self.mlp.sgd(&mut self.tape, &self.grads, T::from_f64(0.01));
        loss
    }
}

/// W3: the 4-2-2-1 ReLU network trained one sample at a time (MSE, SGD lr
/// 0.01), visiting 1000 fixed samples in order.
pub(crate) struct OnlineTiny<T: Float> {
    mlp: Mlp,
    x: Tensor<T>,
    y: Tensor<T>,
    next: usize,
    tape: Tape<T>,
    grads: Gradients<T>,
}

/// W3's number of samples (one epoch).
const SAMPLES: usize = 1000;

impl<T: Float> OnlineTiny<T> {
    pub(crate) fn new() -> Self {
        let mut rng = data::rng(0);
        let params = data::init_uniform_fanin(&mut rng, &[4, 2, 2, 1]);
        let x = data::normal([SAMPLES, 4], 1.0, &mut rng);
        let y = data::normal([SAMPLES, 1], 1.0, &mut rng);
        let tape = Tape::new();
        OnlineTiny {
            mlp: Mlp::new(&tape, &params, Act::Relu),
            x,
            y,
            next: 0,
            tape,
            grads: Gradients::new(),
        }
    }
}

impl<T: Float> Workload for OnlineTiny<T> {
    fn step(&mut self) -> f64 {
        let i = self.next;
        self.next = (i + 1) % SAMPLES;
        // Keeps the parameters; the sample changes every step.
        self.tape.truncate(self.mlp.params);
        let tape = &self.tape;
        let vars = self.mlp.vars(tape);
        let x = tape.constant_slice(&self.x.data()[4 * i..4 * i + 4], [1, 4]);
        let y = tape.constant_slice(&self.y.data()[i..i + 1], [1, 1]);
        let loss = self.mlp.logits(&vars, x).mse(y);
        loss.backward_into(&mut self.grads);
        let loss = loss.item().to_f64();
        drop(vars);
        self.mlp.sgd(&mut self.tape, &self.grads, T::from_f64(0.01));
        loss
    }
}
