//! f, f′ and f″ of five activations at a few points, as a table: the first
//! and second derivatives come from the recorded backward
//! (`Var::grad_graph`) applied once and twice, in f64. The points avoid 0,
//! where relu, elu and selu have a kink and f″ is only a convention.
//!
//! Run with `cargo run --release --example derivatives`.

use tapegrad::{Tape, Tensor, Var};

const POINTS: [f64; 6] = [-3.0, -1.0, -0.5, 0.5, 1.0, 3.0];

type Activation = for<'t> fn(Var<'t, f64>) -> Var<'t, f64>;

fn swish_beta_one<'t>(x: Var<'t, f64>) -> Var<'t, f64> {
    x.swish(x.tape().constant_scalar(1.0))
}

/// f, f′, f″ at every point at once: the activations act elementwise, so
/// the gradient of Σf(x) is the vector of f′(xᵢ), and likewise one order up.
fn derivatives(f: Activation, points: &[f64]) -> [Vec<f64>; 3] {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_slice(points, [points.len()]));
    let y = f(x);
    let d1 = y.sum().grad_graph(&[x])[0];
    let d2 = d1.sum().grad_graph(&[x])[0];
    [y, d1, d2].map(|v| v.value().into_vec())
}

fn main() {
    let activations: [(&str, Activation); 5] = [
        ("relu", |x| x.relu()),
        ("elu(1)", |x| x.elu(1.0)),
        ("selu", |x| x.selu()),
        ("swish(β=1)", swish_beta_one),
        ("mish", |x| x.mish()),
    ];
    let mut worst_fd: f64 = 0.0;
    for (name, f) in activations {
        let [v, d1, d2] = derivatives(f, &POINTS);
        println!("{name}");
        println!(
            "  {:>6}  {:>13}  {:>13}  {:>13}",
            "x", "f(x)", "f'(x)", "f''(x)"
        );
        for i in 0..POINTS.len() {
            println!(
                "  {:>6.2}  {:>13.9}  {:>13.9}  {:>13.9}",
                POINTS[i], v[i], d1[i], d2[i]
            );
        }
        // Central differences of f′ (first order only) cross-check f″.
        let h = 1e-5;
        let up: Vec<f64> = POINTS.iter().map(|x| x + h).collect();
        let down: Vec<f64> = POINTS.iter().map(|x| x - h).collect();
        let (d1_up, d1_down) = (&derivatives(f, &up)[1], &derivatives(f, &down)[1]);
        for i in 0..POINTS.len() {
            let fd = (d1_up[i] - d1_down[i]) / (2.0 * h);
            worst_fd = worst_fd.max((fd - d2[i]).abs());
        }
        println!();
    }
    println!("f'' agrees with central differences of f' to within {worst_fd:.1e} at every point.");
}
