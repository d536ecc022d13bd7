//! What the recordable backward costs, and proof that the plain one does
//! not pay for it: `backward_into` (fused kernels, no recording) against
//! `grad_graph` (the same rules recorded as tape ops, differentiable again)
//! on the same recorded forward, for W2's MLP step and W5's scalar chain.
//!
//! `cargo bench -p tapegrad-benches --bench second_order`; figures in `docs/performance.md`.

mod support;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::time::Duration;
use support::{phase_time, scalar_chain, timed, Mlp, CHAIN_OPS};
use tapegrad::{Gradients, Tape};

fn mlp(c: &mut Criterion) {
    let mut group = c.benchmark_group("mlp_backward_plain_vs_graph");
    group.sampling_mode(SamplingMode::Flat);
    let net = Mlp::w2();
    group.throughput(Throughput::Elements(net.batch() as u64));
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    group.bench_function("backward_into", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (vars, loss) = net.record(tape);
                let (t, ()) = timed(|| loss.backward_into(&mut grads));
                black_box(grads[vars[0]].data()[0]);
                t
            })
        });
    });
    group.bench_function("grad_graph", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (vars, loss) = net.record(tape);
                let (t, g) = timed(|| loss.grad_graph(&vars));
                black_box(g[0].index());
                t
            })
        });
    });
    group.finish();
}

fn chain(c: &mut Criterion) {
    let mut group = c.benchmark_group("chain_backward_plain_vs_graph");
    group.throughput(Throughput::Elements(CHAIN_OPS));
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    group.bench_function("backward_into", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (x0, x) = scalar_chain(tape);
                let (t, ()) = timed(|| x.backward_into(&mut grads));
                black_box(grads[x0].item());
                t
            })
        });
    });
    group.bench_function("grad_graph", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (x0, x) = scalar_chain(tape);
                let (t, g) = timed(|| x.grad_graph(&[x0]));
                black_box(g[0].item());
                t
            })
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // More samples than `backward`: this bench exists to compare two commits
    // (before and after a change to the core) on a noisy shared machine.
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = mlp, chain
}
criterion_main!(benches);
