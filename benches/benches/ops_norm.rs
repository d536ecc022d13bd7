//! Layer normalization over the last axis of a `[256, 1024]` f32 value and
//! batch normalization of a `[32, 64, 8, 8]` one, with an affine weight and
//! bias, one training step (record and backward) on a reused tape: the
//! fused ops against the same formulas written with recorded primitives
//! (means over axes, products, `rsqrt`), the way they would run without a
//! fused kernel.
//!
//! `cargo bench -p tapegrad-benches --bench ops_norm`; figures in
//! `docs/performance.md`.

// Only the phase timer of the shared workloads is used here.
#[allow(dead_code)]
mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::hint::black_box;
use support::{phase_time, timed};
use tapegrad::{Gradients, Tape, Tensor, Var};

const ROWS: usize = 256;
const COLS: usize = 1024;

/// `(x − μ)/√(σ² + ε)·w + b` over `axes` from recorded primitives.
fn from_primitives<'t>(
    x: Var<'t, f32>,
    axes: &[isize],
    w: Var<'t, f32>,
    b: Var<'t, f32>,
) -> Var<'t, f32> {
    let centred = x - x.mean_axes(axes, true);
    let var = (centred * centred).mean_axes(axes, true);
    centred * var.add_scalar(1e-5).rsqrt() * w + b
}

/// One training step of `fused` or of [`from_primitives`] over `axes`,
/// with `x` and the affine parameters `w`, `b` (placed to broadcast).
fn step_bench(
    c: &mut Criterion,
    name: &str,
    x: &Tensor<f32>,
    w: &Tensor<f32>,
    axes: &[isize],
    fused: impl for<'t> Fn(Var<'t, f32>, Var<'t, f32>, Var<'t, f32>) -> Var<'t, f32>,
) {
    let mut rng = StdRng::seed_from_u64(2);
    let b = Tensor::uniform(w.shape(), -0.5, 0.5, &mut rng);
    let seed = Tensor::uniform(x.shape(), -1.0, 1.0, &mut rng);
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(x.shape().numel() as u64));
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    for use_fused in [true, false] {
        let name = if use_fused { "fused" } else { "primitives" };
        group.bench_function(name, |bench| {
            bench.iter_custom(|iters| {
                phase_time(&mut tape, iters, |tape| {
                    let (t, ()) = timed(|| {
                        let (xv, wv, bv) = (
                            tape.param(x.clone()),
                            tape.param(w.clone()),
                            tape.param(b.clone()),
                        );
                        let y = if use_fused {
                            fused(xv, wv, bv)
                        } else {
                            from_primitives(xv, axes, wv, bv)
                        };
                        y.backward_with_into(&seed, &mut grads);
                        black_box(grads[xv].data()[0]);
                    });
                    t
                })
            });
        });
    }
    group.finish();
}

fn layer_norm(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(1);
    let x = Tensor::uniform([ROWS, COLS], -1.0, 1.0, &mut rng);
    let w = Tensor::uniform([COLS], 0.5, 1.5, &mut rng);
    step_bench(c, "layer_norm_256x1024", &x, &w, &[-1], |x, w, b| {
        x.layer_norm(&[COLS], Some(w), Some(b), 1e-5)
    });
}

fn batch_norm(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(1);
    let x = Tensor::uniform([32, 64, 8, 8], -1.0, 1.0, &mut rng);
    // Placed as [1, C, 1, 1] for the primitives; the fused op takes [C].
    let w = Tensor::uniform([1, 64, 1, 1], 0.5, 1.5, &mut rng);
    step_bench(c, "batch_norm_32x64x8x8", &x, &w, &[0, 2, 3], |x, w, b| {
        x.batch_norm_train(Some(w.reshape([64])), Some(b.reshape([64])), 1e-5)
    });
}

criterion_group!(benches, layer_norm, batch_norm);
criterion_main!(benches);
