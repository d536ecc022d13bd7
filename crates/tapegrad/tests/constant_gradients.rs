//! Gradients with respect to constants: PyTorch's rule in both paths.
//! `grad_graph` naming a constant in `wrt` panics naming it (it used to
//! return a silent zero), and `backward`'s `Gradients` hold parameters only,
//! so indexing them with a constant panics saying so. A value that is
//! differentiated with respect to — a network's input, for a gradient
//! penalty — is recorded with `Tape::param` and gets the true gradient.

#[path = "support/panic_location.rs"]
#[macro_use]
mod panic_location;

use tapegrad::{Tape, Tensor};

#[test]
fn grad_graph_with_respect_to_a_constant_panics_naming_it() {
    let tape = Tape::<f64>::new();
    let w = tape.param(Tensor::from_vec(vec![2.0, -1.0], [2]));
    let x = tape.constant(Tensor::from_vec(vec![3.0, 4.0], [2]));
    let y = (w * x).sum();
    let msg = assert_panics_here!(y.grad_graph(&[w, x]));
    assert!(msg.contains("wrt[1]") && msg.contains("constant"), "{msg}");
    assert!(msg.contains("Tape::param"), "{msg}");
    let seed = tape.constant_scalar(1.0);
    let msg = assert_panics_here!(y.grad_graph_with(seed, &[x]));
    assert!(msg.contains("wrt[0]") && msg.contains("constant"), "{msg}");
    // A value computed from constants only is a constant too.
    let x2 = x * x;
    let msg = assert_panics_here!((w * x2).sum().grad_graph(&[x2]));
    assert!(msg.contains("constant"), "{msg}");
}

#[test]
fn backward_gradients_of_a_constant_panic_saying_it_is_a_constant() {
    let tape = Tape::<f64>::new();
    let w = tape.param(Tensor::from_vec(vec![2.0, -1.0], [2]));
    let x = tape.constant(Tensor::from_vec(vec![3.0, 4.0], [2]));
    let h = w * x;
    let g = h.sum().backward();
    assert!(g.get(x).is_none());
    assert_eq!(g[w].data(), &[3.0, 4.0]);
    let msg = assert_panics_here!(g[x].numel());
    assert!(msg.contains("constant"), "{msg}");
    let msg = assert_panics_here!(g[h].numel());
    assert!(
        msg.contains("not a parameter") && msg.contains("grad_graph"),
        "{msg}"
    );
}

#[test]
fn an_input_recorded_as_a_parameter_gets_its_true_gradient_in_both_paths() {
    // The gradient-penalty case: d/dx of f(x) = Σ tanh(w·x), x a network
    // input recorded with Tape::param. ∂f/∂x = w·(1 − tanh²(w·x)).
    let tape = Tape::<f64>::new();
    let w = tape.param(Tensor::from_vec(vec![0.5, -2.0], [2]));
    let x = tape.param(Tensor::from_vec(vec![1.0, 0.25], [2]));
    let f = (w * x).tanh().sum();
    let expected: Vec<f64> = [(0.5, 1.0), (-2.0, 0.25)]
        .iter()
        .map(|&(w, x): &(f64, f64)| w * (1.0 - (w * x).tanh().powi(2)))
        .collect();
    let recorded = f.grad_graph(&[x])[0];
    let fused = f.backward();
    for (i, e) in expected.iter().enumerate() {
        assert!((recorded.value().data()[i] - e).abs() < 1e-14);
        assert!((fused[x].data()[i] - e).abs() < 1e-14);
    }
    // And the penalty ‖∂f/∂x‖² is differentiable with respect to w.
    let penalty = (recorded * recorded).sum();
    assert!(penalty.backward()[w]
        .data()
        .iter()
        .all(|g| g.is_finite() && *g != 0.0));
}
