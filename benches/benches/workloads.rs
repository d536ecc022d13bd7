//! Every peer-suite workload's step (W1–W6 and W2's GEMMs alone, as the
//! `workloads` example runs them), and forward + backward of the ops those
//! steps spend their time in, at W2's sizes: matmul `[128,784]·[784,512]`,
//! broadcast add `[128,512] + [512]`, relu `[128,512]`, softmax
//! cross-entropy of `[128,10]` logits.
//!
//! `cargo bench -p tapegrad-benches --bench workloads`; `-- workload/` or
//! `-- op/` for one group.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use tapegrad::{Gradients, Tape, Tensor, Var};
use tapegrad_workloads::{build, Name};

fn workloads(c: &mut Criterion) {
    let mut group = c.benchmark_group("workload");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for name in Name::ALL {
        let f64 = name.spec().default_f64;
        let mut w = if f64 {
            build::<f64>(name)
        } else {
            build::<f32>(name)
        };
        group.bench_function(name.as_str(), |b| b.iter(|| black_box(w.step())));
    }
    group.finish();
}

/// An op of two recorded f32 inputs (and the batch's labels), reduced to
/// the scalar that seeds the backward pass.
type Op = for<'t> fn(Var<'t, f32>, Var<'t, f32>, &[usize]) -> Var<'t, f32>;

fn ops(c: &mut Criterion) {
    let mut group = c.benchmark_group("op");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let ramp = |shape: &[usize]| {
        let n: usize = shape.iter().product();
        Tensor::from_vec(
            (0..n)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 100.0)
                .collect(),
            shape,
        )
    };
    let labels: Vec<usize> = (0..128).map(|i| i * 7 % 10).collect();
    let cases: [(&str, [&[usize]; 2], Op); 4] = [
        (
            "matmul_128x784x512",
            [&[128, 784], &[784, 512]],
            |a, b, _| a.matmul(b).sum(),
        ),
        ("broadcast_add_128x512", [&[128, 512], &[512]], |a, b, _| {
            (a + b).sum()
        }),
        ("relu_128x512", [&[128, 512], &[1]], |a, _, _| {
            a.relu().sum()
        }),
        (
            "cross_entropy_128x10",
            [&[128, 10], &[1]],
            |a, _, labels| a.cross_entropy(labels),
        ),
    ];
    let mut tape = Tape::<f32>::new();
    let mut grads = Gradients::new();
    for (name, [sa, sb], op) in cases {
        let (a, b) = (ramp(sa), ramp(sb));
        group.bench_function(format!("{name}/forward_backward"), |bench| {
            bench.iter(|| {
                tape.clear();
                let x = tape.param_slice(a.data(), a.shape().clone());
                let y = tape.param_slice(b.data(), b.shape().clone());
                let loss = op(x, y, &labels);
                loss.backward_into(&mut grads);
                black_box(grads[x].data()[0])
            });
        });
    }
    group.finish();
}

criterion_group!(benches, workloads, ops);
criterion_main!(benches);
