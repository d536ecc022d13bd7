//! 0-d values take their own recording and reverse-walk path (values and
//! gradients in the scalar lane, the family's `vjp` inlined into the walk).
//! These tests hold that path to the general one: the same graph of
//! one-element `[1]` tensors, which takes the shape machinery, must give
//! the same values and gradients; and accumulation, `no_grad`, anomaly
//! mode, hooks and gradients of gradients must behave on 0-d nodes as on
//! any other.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::panic::{catch_unwind, AssertUnwindSafe};
use tapegrad::{Gradients, Tape, Var};

/// A graph touching every elementwise family: basic arithmetic, scalar
/// arithmetic, math, activations, min/max and `pow`.
fn graph<'t>(x: Var<'t, f64>, y: Var<'t, f64>) -> Var<'t, f64> {
    let a = (x * y + x / y).relu() - y.tanh() * x.exp().maximum(y);
    let b = (x - y).abs().add_scalar(1.0).pow(y.sigmoid()) + x.elu(0.5);
    let c = a.minimum(b).mul_scalar(3.0) + (a * b).sin().square();
    c + x.leaky_relu(0.1) * y
}

#[test]
fn zero_d_graph_matches_one_element_tensors() {
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..200 {
        let (xv, yv): (f64, f64) = (rng.random_range(-2.0..2.0), rng.random_range(0.2..2.0));
        let scalar = Tape::<f64>::new();
        let (x, y) = (scalar.scalar(xv), scalar.scalar(yv));
        let out = graph(x, y);
        let g = out.backward();
        let tensor = Tape::<f64>::new();
        let (xt, yt) = (
            tensor.param_slice(&[xv], [1]),
            tensor.param_slice(&[yv], [1]),
        );
        let out_t = graph(xt, yt).sum();
        let gt = out_t.backward();
        assert_eq!(out.item(), out_t.item(), "value at x={xv}, y={yv}");
        assert_eq!(g[x].item(), gt[xt].data()[0], "d/dx at x={xv}, y={yv}");
        assert_eq!(g[y].item(), gt[yt].data()[0], "d/dy at x={xv}, y={yv}");
        assert_eq!(g[x].shape().rank(), 0);
    }
}

#[test]
fn zero_d_and_tensor_operands_mix() {
    let tape = Tape::<f64>::new();
    let s = tape.scalar(2.0);
    let v = tape.param_slice(&[1.0, -2.0, 3.0], [3]);
    // The 0-d `s` is broadcast against `[3]`; `t` is 0-d again.
    let t = (s * v).sum() * s;
    let g = t.backward();
    assert_eq!(t.item(), 8.0);
    assert_eq!(g[s].item(), 2.0 * 2.0 * 2.0); // d(s²·Σv)/ds = 2s·Σv
    assert_eq!(g[v].data(), &[4.0, 4.0, 4.0]);
}

#[test]
fn add_into_accumulates_zero_d_parameters() {
    let mut tape = Tape::<f64>::new();
    let mut grads = Gradients::new();
    for x in [1.0, 2.0, 3.0] {
        tape.clear();
        let w = tape.scalar(0.5);
        let c = tape.scalar(4.0);
        (w * x + c * 0.0).backward_add_into(&mut grads);
    }
    // Matched by node index: `w` is node 0, `c` node 1.
    let sums: Vec<(usize, f64, usize)> = grads
        .iter()
        .map(|(i, t)| (i, t.item(), t.shape().rank()))
        .collect();
    assert_eq!(sums, [(0, 6.0, 0), (1, 0.0, 0)]);
}

#[test]
fn a_parameter_without_gradient_flow_gets_zero() {
    let tape = Tape::<f64>::new();
    let (w, u) = (tape.scalar(3.0), tape.scalar(5.0));
    // `u` only feeds a node the loss does not read.
    let _unused = u * 2.0;
    let g = (w * w).backward();
    assert_eq!((g[w].item(), g[u].item()), (6.0, 0.0));
}

#[test]
fn no_grad_zero_d_ops_record_constants() {
    let tape = Tape::<f64>::new();
    let w = tape.scalar(3.0);
    let y = tape.no_grad(|| (w * w).relu() + 1.0);
    assert_eq!(y.item(), 10.0);
    assert!(!y.requires_grad());
    let z = y * w;
    assert_eq!(z.backward()[w].item(), 10.0);
}

fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

#[test]
fn anomaly_mode_names_zero_d_ops() {
    let tape = Tape::<f64>::new();
    tape.set_anomaly_detection(true);
    let x = tape.scalar(-1.0);
    let msg = panic_message(|| {
        let _ = x.log();
    });
    assert!(msg.contains("forward log"), "{msg}");
    // A finite forward whose backward is infinite: √x at 0.
    let z = tape.scalar(0.0);
    let y = z.sqrt() * 2.0;
    let msg = panic_message(|| {
        let _ = y.backward();
    });
    assert!(
        msg.contains("backward of sqrt") && msg.contains("scalar_lane.rs"),
        "{msg}"
    );
}

#[test]
fn hooks_see_zero_d_gradients() {
    let tape = Tape::<f64>::new();
    let x = tape.scalar(1.5);
    let h = x * 10.0;
    h.register_hook(|g| g[0] = g[0].clamp(-1.0, 1.0));
    let g = (h * h).backward();
    assert_eq!(g[x].item(), 10.0); // 10 · clip(2h)
}

#[test]
fn gradients_of_zero_d_gradients() {
    let tape = Tape::<f64>::new();
    let x = tape.scalar(1.5);
    let y = x * x * x + x.relu();
    let [dy] = y.grad_graph(&[x])[..] else {
        panic!("one input, one gradient")
    };
    assert_eq!(dy.item(), 3.0 * 1.5 * 1.5 + 1.0);
    assert_eq!(dy.backward()[x].item(), 6.0 * 1.5);
}

/// A long 0-d chain with a hook in the middle and a tensor reduction in
/// it: the walk must leave its 0-d run at the hook and at the tensor node
/// and come back to it after, giving what the `[1]`-tensor graph gives.
#[test]
fn hooks_and_tensors_inside_long_zero_d_runs() {
    fn chain<'t>(tape: &'t Tape<f64>, x: Var<'t, f64>, one: bool) -> Var<'t, f64> {
        let mut h = x;
        for i in 0..200 {
            h = h * 1.001 + (x * 0.5).tanh() * 0.01;
            if i == 80 {
                h.register_hook(|g| g[0] *= 3.0);
            }
            if i == 120 {
                let v = tape.param_slice(&[0.25, -0.5, 1.0], [3]);
                let s = (v * 2.0).sum();
                h *= if one { s.reshape([1]) } else { s };
            }
        }
        h
    }
    let scalar = Tape::<f64>::new();
    let x = scalar.scalar(0.3);
    let gs = chain(&scalar, x, false).backward()[x].item();
    let tensor = Tape::<f64>::new();
    let xt = tensor.param_slice(&[0.3], [1]);
    let gt = chain(&tensor, xt, true).sum().backward()[xt].data()[0];
    assert_eq!(gs.to_bits(), gt.to_bits(), "{gs} vs {gt}");
    // The hook tripled what flowed through node 80, so it counts.
    let plain = Tape::<f64>::new();
    let xp = plain.scalar(0.3);
    let mut h = xp;
    for i in 0..200 {
        h = h * 1.001 + (xp * 0.5).tanh() * 0.01;
        if i == 120 {
            let v = plain.param_slice(&[0.25, -0.5, 1.0], [3]);
            h *= (v * 2.0).sum();
        }
    }
    assert_ne!(h.backward()[xp].item(), gs);
}

/// Anomaly mode in a long 0-d chain still names the op whose backward
/// went infinite, and the line that recorded it.
#[test]
fn anomaly_mode_inside_a_long_zero_d_run() {
    let tape = Tape::<f64>::new();
    tape.set_anomaly_detection(true);
    let x = tape.scalar(0.5);
    let mut h = x;
    for _ in 0..100 {
        h = h * 0.9 + 0.01;
    }
    let z = (h - h).sqrt(); // √0: infinite derivative
    let mut y = z;
    for _ in 0..100 {
        y = y * 1.1 + x;
    }
    let msg = panic_message(|| {
        let _ = y.backward();
    });
    assert!(
        msg.contains("backward of sqrt") && msg.contains("scalar_lane.rs"),
        "{msg}"
    );
}
