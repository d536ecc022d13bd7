//! `conv2d` of `x [32, 16, 28, 28]` by `w [32, 16, 3, 3]`, padding 1, timed
//! forward and forward + backward (input and weight gradients), against
//! the matrix products its im2col lowering runs: the same 32 per-image
//! products `[32, 144]·[144, 784]` as one batched `matmul`, and as one
//! `[32, 144]·[144, 25088]` product. Throughput is in FLOP (2 per
//! multiply-add), so criterion's `elem/s` reads as FLOP/s.
//!
//! `cargo bench -p tapegrad-benches --bench ops_conv`; figures in
//! `docs/performance.md`.

// Only the phase timer of the shared workloads is used here.
#[allow(dead_code)]
mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::hint::black_box;
use support::{phase_time, timed};
use tapegrad::{Conv2dOptions, Gradients, Tape, Tensor, Var};

const N: usize = 32;
const CIN: usize = 16;
const COUT: usize = 32;
const SIDE: usize = 28;
/// Rows of the patch matrix: `CIN · 3 · 3`.
const K: usize = CIN * 9;
/// Output positions per image (padding 1 keeps the side).
const P: usize = SIDE * SIDE;
/// FLOP of one product of the lowering, over the whole batch.
const FLOP: u64 = 2 * (COUT * K * P * N) as u64;

fn random(shape: &[usize], seed: u64) -> Tensor<f32> {
    Tensor::uniform(shape, -1.0, 1.0, &mut StdRng::seed_from_u64(seed))
}

/// The inputs as parameters on `tape`.
fn leaves<'t>(tape: &'t Tape<f32>, inputs: &[Tensor<f32>]) -> Vec<Var<'t, f32>> {
    inputs
        .iter()
        .map(|t| tape.param_slice(t.data(), t.shape()))
        .collect()
}

/// Times `record`'s forward alone (one product) and forward + backward
/// into every input (three products) for a bench group.
fn forward_backward(
    c: &mut Criterion,
    name: &str,
    record: impl for<'t> Fn(&'t Tape<f32>, &[Var<'t, f32>]) -> Var<'t, f32>,
    inputs: &[Tensor<f32>],
) {
    let mut group = c.benchmark_group(name);
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    group.throughput(Throughput::Elements(FLOP));
    group.bench_function("forward", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let xs = leaves(tape, inputs);
                let (t, y) = timed(|| record(tape, &xs));
                black_box(y.numel());
                t
            })
        });
    });
    group.throughput(Throughput::Elements(3 * FLOP));
    group.bench_function("forward_backward", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let xs = leaves(tape, inputs);
                let (t, ()) = timed(|| record(tape, &xs).sum().backward_into(&mut grads));
                black_box(grads[xs[0]].data()[0]);
                t
            })
        });
    });
    group.finish();
}

fn conv2d(c: &mut Criterion) {
    let opts = Conv2dOptions {
        padding: [1, 1],
        ..Conv2dOptions::default()
    };
    forward_backward(
        c,
        "conv2d_32x16x28x28_k3x3_cout32",
        |_, v| v[0].conv2d(v[1], None, opts),
        &[
            random(&[N, CIN, SIDE, SIDE], 1),
            random(&[COUT, CIN, 3, 3], 2),
        ],
    );
}

fn gemm_batched(c: &mut Criterion) {
    forward_backward(
        c,
        "matmul_im2col_32x144_by_32x144x784",
        |_, v| v[0].matmul(v[1]),
        &[random(&[COUT, K], 3), random(&[N, K, P], 4)],
    );
}

fn gemm_one(c: &mut Criterion) {
    forward_backward(
        c,
        "matmul_im2col_32x144_by_144x25088",
        |_, v| v[0].matmul(v[1]),
        &[random(&[COUT, K], 5), random(&[K, N * P], 6)],
    );
}

// One run, the convolution between the two products it is compared with,
// so that a drift in the machine's load shows as a gap between those two.
criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .measurement_time(std::time::Duration::from_secs(3));
    targets = gemm_batched, conv2d, gemm_one
}
criterion_main!(benches);
