//! Ten million scalar ops on one tape: recording and the reverse walk are
//! loops, not recursion, so depth costs memory only — no stack overflow —
//! and the gradient matches the closed form.

use std::time::Instant;
use tapegrad::Tape;

/// `x ← x·w + b`, repeated `n` times from `x₀`, as 2n recorded ops.
///
/// With w = 1: `x_n = x₀ + n·b`, `∂x_n/∂b = n` and
/// `∂x_n/∂w = Σ_{k<n} x_k = n·x₀ + b·n(n−1)/2`.
#[test]
fn ten_million_op_chain_differentiates_without_recursion() {
    const STEPS: usize = 5_000_000;
    let (x0, b0) = (1.0f64, 1e-6);
    let tape = Tape::<f64>::new();
    let w = tape.scalar(1.0);
    let b = tape.scalar(b0);
    let start = Instant::now();
    let mut x = tape.constant_scalar(x0);
    for _ in 0..STEPS {
        x = x * w + b;
    }
    let recorded = start.elapsed();
    assert_eq!(tape.len(), 2 * STEPS + 3);
    let g = x.backward();
    let total = start.elapsed();
    let n = STEPS as f64;
    let close = |got: f64, want: f64| (got - want).abs() <= 1e-9 * want.abs();
    assert!(
        close(x.item(), x0 + n * b0),
        "value {} vs {}",
        x.item(),
        x0 + n * b0
    );
    assert!(close(g[b].item(), n), "db {} vs {n}", g[b].item());
    let dw = n * x0 + b0 * n * (n - 1.0) / 2.0;
    assert!(close(g[w].item(), dw), "dw {} vs {dw}", g[w].item());
    println!(
        "{} nodes: recorded in {recorded:.2?}, recorded + backward in {total:.2?}",
        tape.len()
    );
}

/// A deep chain of unary ops with one parameter, on a thread with a small
/// stack: the reverse walk must not recurse.
#[test]
fn deep_relu_chain_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            const DEPTH: usize = 1_000_000;
            let tape = Tape::<f32>::new();
            let w = tape.scalar(0.5);
            let mut x = w;
            for _ in 0..DEPTH {
                x = (x + 0.25).relu() - 0.25;
            }
            // Every step is the identity on x > 0, so dx/dw = 1.
            let g = x.backward();
            (x.item(), g[w].item())
        })
        .expect("spawn");
    let (value, grad) = handle.join().expect("no stack overflow");
    assert!((value - 0.5).abs() < 1e-3, "{value}");
    assert_eq!(grad, 1.0);
}
