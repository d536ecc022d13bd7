//! The workloads that both bench files time, recorded exactly as a training
//! loop records them: on a tape that is cleared and reused every step.

use rand::rngs::StdRng;
use rand::SeedableRng;
use std::time::{Duration, Instant};
use tapegrad::{Tape, Tensor, Var};

/// The total over `iters` steps of the phase each step times: every step
/// starts on the cleared tape, records what it needs untimed, and returns
/// the duration of the one phase its bench measures (for criterion's
/// `iter_custom`).
pub fn phase_time(
    tape: &mut Tape<f32>,
    iters: u64,
    mut step: impl FnMut(&Tape<f32>) -> Duration,
) -> Duration {
    (0..iters)
        .map(|_| {
            tape.clear();
            step(tape)
        })
        .sum()
}

/// How long `f` takes, with its result.
pub fn timed<R>(f: impl FnOnce() -> R) -> (Duration, R) {
    let start = Instant::now();
    let r = f();
    (start.elapsed(), r)
}

/// Iterations of W5's chain; each records a mul, an add and a relu.
pub const CHAIN_LEN: usize = 10_000;

/// Ops per chain as W5 counts them (the peers' ns/op divide by this).
pub const CHAIN_OPS: u64 = 3 * CHAIN_LEN as u64;

/// W5 `scalar-chain`: `x0 = 0.5`, then `x = relu(x·wᵢ + bᵢ)` with scalar
/// parameters `wᵢ = 1.0001`, `bᵢ = 0.0001`. Returns `x0` and the last `x`.
/// The 20,000 parameter leaves are recorded here too, as in every loop that
/// clears its tape between steps.
pub fn scalar_chain(tape: &Tape<f32>) -> (Var<'_, f32>, Var<'_, f32>) {
    let x0 = tape.scalar(0.5);
    let mut x = x0;
    for _ in 0..CHAIN_LEN {
        let w = tape.scalar(1.0001);
        let b = tape.scalar(0.0001);
        x = (x * w + b).relu();
    }
    (x0, x)
}

/// W2 `mlp-large` as one training step's data: a ReLU MLP with PyTorch's
/// default init, a fixed batch `X ~ N(0, 1)` and integer labels.
pub struct Mlp {
    /// `W₁, b₁, W₂, b₂, …` with `W` stored `[in, out]`.
    pub params: Vec<Tensor<f32>>,
    x: Tensor<f32>,
    labels: Vec<usize>,
}

impl Mlp {
    /// W2's network `784-512-512-10` at batch 128.
    pub fn w2() -> Self {
        Self::new(&[784, 512, 512, 10], 128)
    }

    fn new(sizes: &[usize], batch: usize) -> Self {
        let mut rng = StdRng::seed_from_u64(0);
        let mut params = Vec::new();
        for io in sizes.windows(2) {
            let bound = 1.0 / (io[0] as f32).sqrt();
            params.push(Tensor::uniform([io[0], io[1]], -bound, bound, &mut rng));
            params.push(Tensor::uniform([io[1]], -bound, bound, &mut rng));
        }
        let x = Tensor::randn([batch, sizes[0]], &mut rng);
        let classes = sizes[sizes.len() - 1];
        let labels = (0..batch).map(|i| (i * 7 + 3) % classes).collect();
        Mlp { params, x, labels }
    }

    /// Samples per step.
    pub fn batch(&self) -> usize {
        self.labels.len()
    }

    /// Records the parameters and the forward pass up to the mean
    /// cross-entropy; returns the parameters' handles and the loss.
    pub fn record<'t>(&self, tape: &'t Tape<f32>) -> (Vec<Var<'t, f32>>, Var<'t, f32>) {
        let vars: Vec<Var<'t, f32>> = self
            .params
            .iter()
            .map(|p| tape.param_slice(p.data(), p.shape().clone()))
            .collect();
        let mut h = tape.constant_slice(self.x.data(), self.x.shape().clone());
        let layers = vars.len() / 2;
        for (i, wb) in vars.chunks_exact(2).enumerate() {
            h = h.matmul(wb[0]) + wb[1];
            if i + 1 < layers {
                h = h.relu();
            }
        }
        let loss = h.cross_entropy(&self.labels);
        (vars, loss)
    }
}
