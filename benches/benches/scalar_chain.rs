//! Graphs of 0-d values, forward plus backward per iteration, against the
//! floor a tape of scalars can reach:
//!
//! * `scalar_chain/tapegrad` — W5: `x = relu(x·wᵢ + bᵢ)` 10,000 times on a
//!   cleared, reused tape, then `backward_into` (throughput in recorded ops,
//!   3 per iteration, so criterion's time per element is ns/op);
//! * `scalar_chain/minimal_arena` — the same chain on [`Arena`], a tape
//!   written for this bench only: one enum per op, values in one `Vec`, one
//!   reverse loop. The ratio of the two is the per-op overhead of
//!   tapegrad's general design (any shape, hooks, anomaly mode, gradients
//!   of gradients) on scalars;
//! * `micrograd_w1/step` — W1: micrograd's demo MLP 2-16-16-1 of 0-d
//!   values on 100 two-moons points, hinge loss plus L2, recorded, backward,
//!   SGD update (ms per step);
//! * `online_tiny_w3/step` — W3: the 4-2-2-1 ReLU network on one `[1, 4]`
//!   sample, MSE, backward, SGD (µs per step): small tensors, whose
//!   products stay on the calling thread.
//!
//! `cargo bench -p tapegrad-benches --bench scalar_chain`; figures in
//! `docs/performance.md`, section "Scalar graphs".

#[allow(dead_code)] // this bench uses only the W5 chain
mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use support::{scalar_chain, CHAIN_LEN, CHAIN_OPS};
use tapegrad::{Gradients, Tape, Tensor, Var};

/// What produced a node of [`Arena`].
#[derive(Clone, Copy)]
enum ArenaOp {
    Leaf,
    Mul(u32, u32),
    Add(u32, u32),
    Relu(u32),
}

/// The smallest reverse-mode tape of scalars: the reference W5 is
/// measured against, not a design to copy (it knows three ops and nothing
/// of shapes).
#[derive(Default)]
struct Arena {
    ops: Vec<ArenaOp>,
    values: Vec<f32>,
    grads: Vec<f32>,
}

impl Arena {
    fn push(&mut self, op: ArenaOp, value: f32) -> u32 {
        self.ops.push(op);
        self.values.push(value);
        (self.ops.len() - 1) as u32
    }

    fn leaf(&mut self, x: f32) -> u32 {
        self.push(ArenaOp::Leaf, x)
    }

    fn mul(&mut self, a: u32, b: u32) -> u32 {
        let v = self.values[a as usize] * self.values[b as usize];
        self.push(ArenaOp::Mul(a, b), v)
    }

    fn add(&mut self, a: u32, b: u32) -> u32 {
        let v = self.values[a as usize] + self.values[b as usize];
        self.push(ArenaOp::Add(a, b), v)
    }

    fn relu(&mut self, a: u32) -> u32 {
        let x = self.values[a as usize];
        self.push(ArenaOp::Relu(a), if x > 0.0 { x } else { 0.0 })
    }

    /// Gradients of node `root` into `self.grads`, by node.
    fn backward(&mut self, root: u32) {
        self.grads.clear();
        self.grads.resize(self.ops.len(), 0.0);
        self.grads[root as usize] = 1.0;
        for i in (0..=root as usize).rev() {
            let g = self.grads[i];
            match self.ops[i] {
                ArenaOp::Leaf => {}
                ArenaOp::Mul(a, b) => {
                    self.grads[a as usize] += g * self.values[b as usize];
                    self.grads[b as usize] += g * self.values[a as usize];
                }
                ArenaOp::Add(a, b) => {
                    self.grads[a as usize] += g;
                    self.grads[b as usize] += g;
                }
                ArenaOp::Relu(a) => {
                    if self.values[a as usize] > 0.0 {
                        self.grads[a as usize] += g;
                    }
                }
            }
        }
    }

    fn clear(&mut self) {
        self.ops.clear();
        self.values.clear();
    }
}

fn chain(c: &mut Criterion) {
    let mut group = c.benchmark_group("scalar_chain");
    group.throughput(Throughput::Elements(CHAIN_OPS));
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    group.bench_function("tapegrad", |b| {
        b.iter(|| {
            tape.clear();
            let (x0, x) = scalar_chain(&tape);
            x.backward_into(&mut grads);
            black_box(grads[x0].item())
        });
    });
    let mut arena = Arena::default();
    group.bench_function("minimal_arena", |b| {
        b.iter(|| {
            arena.clear();
            let x0 = arena.leaf(0.5);
            let mut x = x0;
            for _ in 0..CHAIN_LEN {
                let w = arena.leaf(1.0001);
                let b = arena.leaf(0.0001);
                let xw = arena.mul(x, w);
                let xwb = arena.add(xw, b);
                x = arena.relu(xwb);
            }
            arena.backward(x);
            black_box(arena.grads[x0 as usize])
        });
    });
    group.finish();
}

/// W1's data and parameters: sklearn-style two moons (100 points, noise
/// 0.1, labels ±1) and micrograd's `MLP(2, [16, 16, 1])` initialisation
/// (`w ~ U(-1, 1)`, `b = 0`), from fixed seeds.
struct Moons {
    points: Vec<([f64; 2], f64)>,
    params: Vec<f64>,
}

const LAYERS: [usize; 4] = [2, 16, 16, 1];

impl Moons {
    fn new() -> Self {
        let mut rng = StdRng::seed_from_u64(1);
        let mut normal = || {
            // Box–Muller: one standard normal from two uniforms.
            let (u, v): (f64, f64) = (1.0 - rng.random::<f64>(), rng.random());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        };
        let mut points = Vec::new();
        for i in 0..50 {
            let t = std::f64::consts::PI * i as f64 / 49.0;
            points.push(([t.cos(), t.sin()], -1.0));
            points.push(([1.0 - t.cos(), 0.5 - t.sin()], 1.0));
        }
        for (p, _) in &mut points {
            p[0] += 0.1 * normal();
            p[1] += 0.1 * normal();
        }
        let mut rng = StdRng::seed_from_u64(1337);
        let mut params = Vec::new();
        for io in LAYERS.windows(2) {
            for _ in 0..io[1] {
                params.extend((0..io[0]).map(|_| rng.random_range(-1.0..1.0)));
                params.push(0.0);
            }
        }
        Moons { points, params }
    }

    /// One training step as micrograd's demo takes it: parameters and
    /// inputs recorded as 0-d values, `relu(1 − y·score)` averaged plus
    /// `1e-4·Σp²`, backward, `p -= 0.1·∂loss/∂p`. Returns the loss.
    fn step(&mut self, tape: &mut Tape<f64>, grads: &mut Gradients<f64>) -> f64 {
        tape.clear();
        let ps: Vec<Var<'_, f64>> = self.params.iter().map(|&p| tape.scalar(p)).collect();
        let mut data_loss = tape.constant_scalar(0.0);
        let mut acts: Vec<Var<'_, f64>> = Vec::with_capacity(16);
        let mut next: Vec<Var<'_, f64>> = Vec::with_capacity(16);
        for &(x, y) in &self.points {
            acts.clear();
            acts.extend(x.iter().map(|&xi| tape.constant_scalar(xi)));
            let mut k = 0;
            for (l, io) in LAYERS.windows(2).enumerate() {
                next.clear();
                for _ in 0..io[1] {
                    let ws = &ps[k..k + io[0]];
                    let mut act = ps[k + io[0]];
                    for (&w, &a) in ws.iter().zip(&acts) {
                        act += w * a;
                    }
                    k += io[0] + 1;
                    next.push(if l + 2 < LAYERS.len() {
                        act.relu()
                    } else {
                        act
                    });
                }
                std::mem::swap(&mut acts, &mut next);
            }
            data_loss += (acts[0] * -y + 1.0).relu();
        }
        let reg = ps.iter().fold(tape.constant_scalar(0.0), |s, &p| s + p * p);
        let loss = data_loss * (1.0 / self.points.len() as f64) + reg * 1e-4;
        loss.backward_into(grads);
        for (p, v) in self.params.iter_mut().zip(&ps) {
            *p -= 0.1 * grads[*v].item();
        }
        loss.item()
    }
}

fn micrograd(c: &mut Criterion) {
    let mut group = c.benchmark_group("micrograd_w1");
    let mut moons = Moons::new();
    let mut tape = Tape::<f64>::new();
    let mut grads = Gradients::new();
    group.bench_function("step", |b| {
        b.iter(|| black_box(moons.step(&mut tape, &mut grads)));
    });
    group.finish();
}

/// W3's network 4-2-2-1 (`U(±1/√fan_in)` init) and 1000 samples
/// `X ~ N(0, 1)` `[1, 4]`, `Y ~ N(0, 1)` `[1, 1]`.
struct OnlineTiny {
    params: Vec<Tensor<f32>>,
    samples: Vec<(Tensor<f32>, Tensor<f32>)>,
}

impl OnlineTiny {
    fn new() -> Self {
        let mut rng = StdRng::seed_from_u64(0);
        let mut params = Vec::new();
        for io in [4, 2, 2, 1].windows(2) {
            let bound = 1.0 / (io[0] as f32).sqrt();
            params.push(Tensor::uniform([io[0], io[1]], -bound, bound, &mut rng));
            params.push(Tensor::uniform([io[1]], -bound, bound, &mut rng));
        }
        let samples = (0..1000)
            .map(|_| {
                (
                    Tensor::randn([1, 4], &mut rng),
                    Tensor::randn([1, 1], &mut rng),
                )
            })
            .collect();
        OnlineTiny { params, samples }
    }

    /// Forward, MSE, backward and `p -= 0.01·∂loss/∂p` on sample `i`.
    fn step(&mut self, i: usize, tape: &mut Tape<f32>, grads: &mut Gradients<f32>) -> f32 {
        tape.clear();
        let ps: Vec<Var<'_, f32>> = self
            .params
            .iter()
            .map(|p| tape.param_slice(p.data(), p.shape().clone()))
            .collect();
        let (x, y) = &self.samples[i];
        let mut h = tape.constant_slice(x.data(), x.shape().clone());
        for (l, wb) in ps.chunks_exact(2).enumerate() {
            h = h.matmul(wb[0]) + wb[1];
            if l < 2 {
                h = h.relu();
            }
        }
        let loss = h.mse(tape.constant_slice(y.data(), y.shape().clone()));
        loss.backward_into(grads);
        for (p, v) in self.params.iter_mut().zip(&ps) {
            for (w, g) in p.data_mut().iter_mut().zip(grads[*v].data()) {
                *w -= 0.01 * g;
            }
        }
        loss.item()
    }
}

fn online_tiny(c: &mut Criterion) {
    let mut group = c.benchmark_group("online_tiny_w3");
    let mut net = OnlineTiny::new();
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    let mut i = 0;
    group.bench_function("step", |b| {
        b.iter(|| {
            i = (i + 1) % net.samples.len();
            black_box(net.step(i, &mut tape, &mut grads))
        });
    });
    group.finish();
}

criterion_group!(benches, chain, micrograd, online_tiny);
criterion_main!(benches);
