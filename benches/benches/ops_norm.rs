//! Layer normalization over the last axis of a `[256, 1024]` f32 value
//! with an affine weight and bias, one training step (record and
//! backward) on a reused tape: the fused op against the same formula
//! written with recorded primitives (`mean_axis`, products, `rsqrt`), the
//! way it would run without a fused kernel.
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

/// `(x − μ)/√(σ² + ε)·w + b` over the last axis from recorded primitives.
fn from_primitives<'t>(x: Var<'t, f32>, w: Var<'t, f32>, b: Var<'t, f32>) -> Var<'t, f32> {
    let centred = x - x.mean_axis(-1, true);
    let var = (centred * centred).mean_axis(-1, true);
    centred * var.add_scalar(1e-5).rsqrt() * w + b
}

fn layer_norm(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(1);
    let x = Tensor::uniform([ROWS, COLS], -1.0, 1.0, &mut rng);
    let w = Tensor::uniform([COLS], 0.5, 1.5, &mut rng);
    let b = Tensor::uniform([COLS], -0.5, 0.5, &mut rng);
    let seed = Tensor::uniform([ROWS, COLS], -1.0, 1.0, &mut rng);
    let mut group = c.benchmark_group("layer_norm_256x1024");
    group.throughput(Throughput::Elements((ROWS * COLS) as u64));
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    for fused in [true, false] {
        let name = if fused { "fused" } else { "primitives" };
        group.bench_function(name, |bench| {
            bench.iter_custom(|iters| {
                phase_time(&mut tape, iters, |tape| {
                    let (t, ()) = timed(|| {
                        let (xv, wv, bv) = (
                            tape.param(x.clone()),
                            tape.param(w.clone()),
                            tape.param(b.clone()),
                        );
                        let y = if fused {
                            xv.layer_norm(&[COLS], Some(wv), Some(bv), 1e-5)
                        } else {
                            from_primitives(xv, wv, bv)
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

criterion_group!(benches, layer_norm);
criterion_main!(benches);
