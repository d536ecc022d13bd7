//! Second order through a chain of ops that pick, normalize and take
//! maxima: `gather`, `layer_norm` and `amax`, each alone and composed, with
//! every Hessian entry checked against differences of the gradient; and
//! third order through the fused normalization of `layer_norm` and
//! `batch_norm_train`.

use tapegrad::{gradgradcheck, GradcheckOptions, Indices, Tensor};

/// Distinct values, so that `amax` has no ties and finite differences
/// stay on one side of every kink.
fn distinct(n: usize, shape: &[usize], offset: f64) -> Tensor<f64> {
    Tensor::from_vec(
        (0..n)
            .map(|i| offset + ((i * 7 + 3) % n) as f64 * 0.37 - (i % 3) as f64 * 0.05)
            .collect(),
        shape.to_vec(),
    )
}

#[test]
fn layer_norm_alone() {
    let x = distinct(12, &[3, 4], 0.2);
    let w = distinct(4, &[4], 0.5);
    let b = distinct(4, &[4], -0.3);
    gradgradcheck(
        |v| {
            let y = v[0].layer_norm(&[4], Some(v[1]), Some(v[2]), 1e-5);
            (y * y * v[0]).sum()
        },
        &[x, w, b],
        &GradcheckOptions::default(),
    )
    .unwrap();
}

#[test]
fn amax_alone() {
    gradgradcheck(
        |v| (v[0] * v[0]).amax(1, false),
        &[distinct(12, &[3, 4], -1.0)],
        &GradcheckOptions::default(),
    )
    .unwrap();
}

#[test]
fn gather_alone() {
    let idx = Indices::new(vec![0, 3, 3, 1, 2, 2, 0, 1, 1], [3, 3]);
    gradgradcheck(
        |v| {
            let g = v[0].gather(1, &idx);
            (g * g * g).sum()
        },
        &[distinct(12, &[3, 4], 0.1)],
        &GradcheckOptions::default(),
    )
    .unwrap();
}

#[test]
fn gather_then_layer_norm_then_amax() {
    // Rows of 5 picked (with repeats) from rows of 4, normalized over the
    // last two axes with an affine map, squared, then the row maxima.
    let idx = Indices::new((0..2 * 3 * 5).map(|i| (i * 5 + 1) % 4).collect(), [2, 3, 5]);
    let x = distinct(24, &[2, 3, 4], 0.3);
    let w = distinct(15, &[3, 5], 0.8);
    let b = distinct(15, &[3, 5], 0.1);
    gradgradcheck(
        |v| {
            let picked = v[0].gather(2, &idx);
            let y = picked.layer_norm(&[3, 5], Some(v[1]), Some(v[2]), 1e-3);
            (y * y).amax(2, false).sum()
        },
        &[x, w, b],
        &GradcheckOptions::default(),
    )
    .unwrap();
}

#[test]
fn third_order_through_the_fused_normalization() {
    // The Hessian of a function of the recorded gradient is a third
    // derivative of the normalization: its recorded backward, which uses
    // the op's own output, is differentiated twice more.
    let x = distinct(8, &[2, 4], 0.4);
    let w = distinct(4, &[4], 0.7);
    gradgradcheck(
        |v| {
            let y = v[0].layer_norm(&[4], Some(v[1]), None, 1e-3);
            let g = (y * y * y).sum().grad_graph(&[v[0]])[0];
            (g * g).sum()
        },
        &[x.clone(), w.clone()],
        &GradcheckOptions::default(),
    )
    .unwrap();
    let x = distinct(12, &[3, 2, 2], 0.4);
    let w = distinct(2, &[2], 0.7);
    gradgradcheck(
        |v| {
            let y = v[0].batch_norm_train(Some(v[1]), None, 1e-3);
            let g = (y * y * y).sum().grad_graph(&[v[0]])[0];
            (g * v[0]).sum()
        },
        &[x, w],
        &GradcheckOptions::default(),
    )
    .unwrap();
}
