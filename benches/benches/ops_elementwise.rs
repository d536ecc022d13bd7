//! New elementwise ops against an existing one: forward (recording) and
//! backward of `relu` (the existing op), `softsign` (new, arithmetic only)
//! and `sin` (new, a libm call per element) on 2²⁰ f32 elements. Each
//! bench reuses one tape with `clear()` and one `Gradients` with
//! `backward_into`, and times only its phase; the backward includes the
//! `sum()` that seeds it (the same small cost for every op).
//!
//! `cargo bench -p tapegrad-benches --bench ops_elementwise`; figures in
//! `docs/performance.md`.

#[allow(dead_code)] // this bench uses only the timing helpers
mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use support::{phase_time, timed};
use tapegrad::{Gradients, Tape, Tensor, Var};

/// Elements per tensor: large enough that the loop, not per-op
/// bookkeeping, is what is timed.
const N: usize = 1 << 20;

/// An op of one recorded f32 tensor.
type UnaryOp = for<'t> fn(Var<'t, f32>) -> Var<'t, f32>;

fn elementwise(c: &mut Criterion) {
    let mut group = c.benchmark_group("elementwise_1m_f32");
    group.throughput(Throughput::Elements(N as u64));
    group.measurement_time(Duration::from_secs(4));
    let data: Vec<f32> = (0..N).map(|i| (i as f32 / N as f32) * 8.0 - 4.0).collect();
    let x0 = Tensor::from_vec(data, [N]);
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    let ops: [(&str, UnaryOp); 3] = [
        ("relu", |x| x.relu()),
        ("softsign", |x| x.softsign()),
        ("sin", |x| x.sin()),
    ];
    for (name, op) in ops {
        group.bench_function(format!("{name}/forward"), |b| {
            b.iter_custom(|iters| {
                phase_time(&mut tape, iters, |tape| {
                    let x = tape.param(x0.clone());
                    let (t, y) = timed(|| op(x));
                    black_box(y);
                    t
                })
            });
        });
        group.bench_function(format!("{name}/backward"), |b| {
            b.iter_custom(|iters| {
                phase_time(&mut tape, iters, |tape| {
                    let x = tape.param(x0.clone());
                    let loss = op(x).sum();
                    let (t, ()) = timed(|| loss.backward_into(&mut grads));
                    black_box(grads[x].data()[0]);
                    t
                })
            });
        });
    }
    group.finish();
}

criterion_group!(benches, elementwise);
criterion_main!(benches);
