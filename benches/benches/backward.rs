//! Forward (recording) and backward timed apart, on the three shapes of
//! work an autodiff engine sees: a long chain of scalar ops (per-node
//! overhead, W5), an MLP training step (W2), and one large matmul (the
//! kernel). Every bench reuses one tape with `clear()` and one `Gradients`
//! with `backward_into`, as a training loop does, and times only its phase
//! (`iter_custom`): the recording a backward bench needs is made untimed.
//!
//! `cargo bench -p tapegrad-benches --bench backward`; figures in `docs/performance.md`.

mod support;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::time::Duration;
use support::{phase_time, scalar_chain, timed, Mlp, CHAIN_OPS};
use tapegrad::{Gradients, Tape, Tensor};

fn chain(c: &mut Criterion) {
    let mut group = c.benchmark_group("chain_10k");
    group.throughput(Throughput::Elements(CHAIN_OPS));
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    group.bench_function("forward", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (t, (_, x)) = timed(|| scalar_chain(tape));
                black_box(x.item());
                t
            })
        });
    });
    group.bench_function("backward", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (x0, x) = scalar_chain(tape);
                let (t, ()) = timed(|| x.backward_into(&mut grads));
                black_box(grads[x0].item());
                t
            })
        });
    });
    group.finish();
}

fn mlp(c: &mut Criterion) {
    let mut group = c.benchmark_group("mlp_784_512_512_10_b128");
    group.sampling_mode(SamplingMode::Flat);
    let mut net = Mlp::w2();
    group.throughput(Throughput::Elements(net.batch() as u64));
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    group.bench_function("forward", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (t, (_, loss)) = timed(|| net.record(tape));
                black_box(loss.item());
                t
            })
        });
    });
    group.bench_function("backward", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (vars, loss) = net.record(tape);
                let (t, ()) = timed(|| loss.backward_into(&mut grads));
                black_box(grads[vars[0]].data()[0]);
                t
            })
        });
    });
    // W2's whole step: forward, backward and the SGD update, all timed.
    group.bench_function("step", |b| {
        b.iter_custom(|iters| {
            phase_time(&mut tape, iters, |tape| {
                let (t, ()) = timed(|| {
                    let (vars, loss) = net.record(tape);
                    loss.backward_into(&mut grads);
                    for (p, &v) in net.params.iter_mut().zip(&vars) {
                        for (e, &g) in p.data_mut().iter_mut().zip(grads[v].data()) {
                            *e -= 0.01 * g;
                        }
                    }
                });
                t
            })
        });
    });
    group.finish();
}

fn matmul(c: &mut Criterion) {
    let mut group = c.benchmark_group("matmul");
    group.sampling_mode(SamplingMode::Flat);
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    for (m, k, n) in [(128, 784, 512), (512, 512, 512)] {
        let a = Tensor::<f32>::full([m, k], 0.5);
        let w = Tensor::<f32>::full([k, n], 0.25);
        let seed = Tensor::<f32>::ones([m, n]);
        let flops = 2 * (m * k * n) as u64;
        let name = format!("{m}x{k}x{n}");
        // Throughput counts flops, so criterion's "elem/s" reads as FLOP/s.
        group.throughput(Throughput::Elements(flops));
        group.bench_function(format!("forward/{name}"), |b| {
            b.iter_custom(|iters| {
                phase_time(&mut tape, iters, |tape| {
                    let a = tape.param_slice(a.data(), [m, k]);
                    let w = tape.param_slice(w.data(), [k, n]);
                    let (t, y) = timed(|| a.matmul(w));
                    black_box(y.index());
                    t
                })
            });
        });
        // dA = G·Wᵀ and dW = Aᵀ·G: twice the forward's flops.
        group.throughput(Throughput::Elements(2 * flops));
        group.bench_function(format!("backward/{name}"), |b| {
            b.iter_custom(|iters| {
                phase_time(&mut tape, iters, |tape| {
                    let a = tape.param_slice(a.data(), [m, k]);
                    let w = tape.param_slice(w.data(), [k, n]);
                    let y = a.matmul(w);
                    let (t, ()) = timed(|| y.backward_with_into(&seed, &mut grads));
                    black_box(grads[w].data()[0]);
                    t
                })
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Short runs: the machine is a shared 2-core VM; medians of 10 samples
    // over 2 s are stable to a few percent when it is quiet.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    targets = chain, mlp, matmul
}
criterion_main!(benches);
