//! The peer benchmarks' W5 `scalar-chain` in tapegrad, printing the peers'
//! one JSON line (`workload, system, metric, value, unit, details`) so the
//! figure sits next to candle's:
//! `cargo run --release --example peers_w5 [-- --f64] [--steps N] [--warmup N]`.
//!
//! `x0 = 0.5` (a parameter); `x = relu(x·wᵢ + bᵢ)` for i in 0..10000 with
//! scalar parameters `wᵢ = 1.0001`, `bᵢ = 0.0001`; then the backward pass of
//! `x`. Metric: nanoseconds per recorded op (3 per iteration), forward plus
//! backward, median over the timed repetitions. Unlike candle, whose `Var`s
//! outlive the graph, the 20,001 parameter leaves are re-recorded inside the
//! timed forward, as a training loop that clears its tape does.

use std::time::Instant;
use tapegrad::{Float, Gradients, Tape};

const ITERATIONS: usize = 10_000;

/// The W5 scalar-chain benchmark: 10,000 scalar relu steps and their backward.
#[derive(clap::Parser, Debug)]

struct Args {
    /// Run in f64 instead of f32.
    #[arg(long)]
    f64: bool,
    /// Timed repetitions.
    #[arg(long, default_value_t = 11)]
    steps: usize,
    /// Untimed warm-up repetitions.
    #[arg(long, default_value_t = 2)]
    warmup: usize,
}

/// One recording and backward pass: (forward s, backward s, x, dx/dx0).
fn once<T: Float>(tape: &mut Tape<T>, grads: &mut Gradients<T>) -> (f64, f64, f64, f64) {
    tape.clear();
    let t0 = Instant::now();
    let x0 = tape.scalar(T::from_f64(0.5));
    let (w, b) = (T::from_f64(1.0001), T::from_f64(0.0001));
    let mut x = x0;
    for _ in 0..ITERATIONS {
        x = (x * tape.scalar(w) + tape.scalar(b)).relu();
    }
    let t1 = Instant::now();
    x.backward_into(grads);
    let t2 = Instant::now();
    let value = x.item().to_f64();
    let grad = grads[x0].item().to_f64();
    (
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        value,
        grad,
    )
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

fn run<T: Float>(args: &Args, dtype: &str) {
    let mut tape = Tape::<T>::new();
    let mut grads = Gradients::new();
    for _ in 0..args.warmup {
        once(&mut tape, &mut grads);
    }
    let (mut fw, mut bw, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let (mut value, mut grad) = (0.0, 0.0);
    for _ in 0..args.steps {
        let (f, b, v, g) = once(&mut tape, &mut grads);
        fw.push(f);
        bw.push(b);
        total.push(f + b);
        (value, grad) = (v, g);
    }
    let ops = (3 * ITERATIONS) as f64;
    let ns = |s: f64| s * 1e9 / ops;
    let workload = if dtype == "f64" {
        "scalar-chain[f64]"
    } else {
        "scalar-chain"
    };
    let med = median(&mut total);
    println!(
        "{{\"workload\":\"{workload}\",\"system\":\"tapegrad\",\"metric\":\"ns_per_op\",\"value\":{},\"unit\":\"ns\",\
         \"details\":{{\"dtype\":\"{dtype}\",\"iterations\":{ITERATIONS},\"recorded_ops\":{},\"tape_nodes\":{},\
         \"warmup_reps\":{},\"timed_reps\":{},\"median_total_ms\":{},\"median_forward_ns_per_op\":{},\
         \"median_backward_ns_per_op\":{},\"x_final\":{value},\"dx_dx0\":{grad},\"x_final_expected\":{},\
         \"dx_dx0_expected\":{}}}}}",
        ns(med),
        3 * ITERATIONS,
        tape.len(),
        args.warmup,
        args.steps,
        med * 1e3,
        ns(median(&mut fw)),
        ns(median(&mut bw)),
        1.5 * 1.0001f64.powi(ITERATIONS as i32) - 1.0,
        1.0001f64.powi(ITERATIONS as i32),
    );
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    if args.f64 {
        run::<f64>(&args, "f64");
    } else {
        run::<f32>(&args, "f32");
    }
}
