//! Forward (recording) and backward timed apart for one reduction
//! (`amax` over the last axis, which also counts ties in its backward),
//! `cat` of four pieces and `gather` along the last axis, on a reused tape
//! as a training loop runs them (`iter_custom` times only the phase).
//!
//! `cargo bench -p tapegrad-benches --bench ops_shape`; figures in
//! `docs/performance.md`.

// Only the phase timer of the shared workloads is used here.
#[allow(dead_code)]
mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use support::{phase_time, timed};
use tapegrad::{cat, Gradients, Indices, Tape, Tensor, Var};

const ROWS: usize = 256;
const COLS: usize = 1024;

/// Times `record`'s forward and the backward of `Σ out·w` (a fixed random
/// weight, so that no gradient is uniform) for a bench group.
fn forward_backward(
    c: &mut Criterion,
    name: &str,
    elements: u64,
    record: impl for<'t> Fn(&'t Tape<f32>, &[Tensor<f32>]) -> (Vec<Var<'t, f32>>, Var<'t, f32>),
    inputs: &[Tensor<f32>],
) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(elements));
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    group.bench_function("forward", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (t, (_, y)) = timed(|| record(tape, inputs));
                black_box(y.numel());
                t
            })
        });
    });
    group.bench_function("backward", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (xs, y) = record(tape, inputs);
                let w = tape.constant(Tensor::ones(y.shape()));
                let loss = (y * w).sum();
                let (t, ()) = timed(|| loss.backward_into(&mut grads));
                black_box(grads[xs[0]].data()[0]);
                t
            })
        });
    });
    group.finish();
}

fn random(shape: [usize; 2], seed: u64) -> Tensor<f32> {
    Tensor::uniform(shape, -1.0, 1.0, &mut StdRng::seed_from_u64(seed))
}

fn amax(c: &mut Criterion) {
    let x = random([ROWS, COLS], 1);
    forward_backward(
        c,
        "amax_256x1024_axis1",
        (ROWS * COLS) as u64,
        |tape, inputs| {
            let x = tape.param_slice(inputs[0].data(), inputs[0].shape());
            (vec![x], x.amax(1, false))
        },
        &[x],
    );
}

fn cat4(c: &mut Criterion) {
    let pieces: Vec<Tensor<f32>> = (0..4).map(|s| random([ROWS, COLS / 4], s)).collect();
    forward_backward(
        c,
        "cat_4x256x256_axis1",
        (ROWS * COLS) as u64,
        |tape, inputs| {
            let xs: Vec<Var<'_, f32>> = inputs
                .iter()
                .map(|t| tape.param_slice(t.data(), t.shape()))
                .collect();
            let y = cat(&xs, 1);
            (xs, y)
        },
        &pieces,
    );
}

fn gather(c: &mut Criterion) {
    let x = random([ROWS, COLS], 2);
    let mut rng = StdRng::seed_from_u64(3);
    let k = COLS / 4;
    let idx = Indices::new(
        (0..ROWS * k).map(|_| rng.random_range(0..COLS)).collect(),
        [ROWS, k],
    );
    forward_backward(
        c,
        "gather_256x1024_k256_axis1",
        (ROWS * k) as u64,
        |tape, inputs| {
            let x = tape.param_slice(inputs[0].data(), inputs[0].shape());
            (vec![x], x.gather(1, &idx))
        },
        &[x],
    );
}

criterion_group!(benches, amax, cat4, gather);
criterion_main!(benches);
