//! Jacobians and their products on random shapes and values (f64):
//! `jacobian_rev` against central differences, `jacobian_rev == jacobian_fwd`,
//! `jvp == J·v`, `vjp == uᵀJ`, and `jacobian`'s choice of mode by shape.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::{jacobian, jacobian_fwd, jacobian_rev, jvp, vjp, JacobianMode, Tape, Tensor, Var};

/// The functions under test, by number: each takes inputs of the shapes
/// `shapes(k, p, q, r)` gives.
fn apply<'t>(which: usize, v: &[Var<'t, f64>]) -> Var<'t, f64> {
    match which {
        // [p,q]·[q,r] through tanh: m = p·r, n = p·q + q·r
        0 => v[0].matmul(v[1]).tanh(),
        // outer product of x with itself times exp: m = q², n = q (wide output)
        1 => {
            let q = v[0].numel();
            (v[0].reshape([q, 1]) * v[0].exp().reshape([1, q])).sigmoid()
        }
        // a scalar from two inputs: m = 1
        _ => (v[0].matmul(v[1]).elu(1.0) * 0.5).sum().reshape([1]),
    }
}

/// Function `which` as a closure over every tape lifetime.
fn function(which: usize) -> impl for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64> + Copy {
    move |v| apply(which, v)
}

fn inputs(which: usize, p: usize, q: usize, r: usize, rng: &mut StdRng) -> Vec<Tensor<f64>> {
    let u = |s: Vec<usize>, rng: &mut StdRng| Tensor::uniform(s, -1.5, 1.5, rng);
    match which {
        1 => vec![u(vec![q], rng)],
        _ => vec![u(vec![p, q], rng), u(vec![q, r], rng)],
    }
}

/// f(x) flattened, evaluated without recording gradients.
fn eval(which: usize, x: &[Tensor<f64>]) -> Vec<f64> {
    let tape = Tape::<f64>::new();
    let vars: Vec<_> = x.iter().map(|t| tape.constant(t.clone())).collect();
    apply(which, &vars).value().data().to_vec()
}

/// The Jacobian by central differences, columns in the inputs' order.
fn numeric(which: usize, x: &[Tensor<f64>]) -> (usize, usize, Vec<f64>) {
    let m = eval(which, x).len();
    let n: usize = x.iter().map(Tensor::numel).sum();
    let mut j = vec![0.0; m * n];
    let eps = 1e-6;
    let mut col = 0;
    for k in 0..x.len() {
        for e in 0..x[k].numel() {
            let (mut hi, mut lo) = (x.to_vec(), x.to_vec());
            hi[k].data_mut()[e] += eps;
            lo[k].data_mut()[e] -= eps;
            let (fh, fl) = (eval(which, &hi), eval(which, &lo));
            for i in 0..m {
                j[i * n + col] = (fh[i] - fl[i]) / (2.0 * eps);
            }
            col += 1;
        }
    }
    (m, n, j)
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn jacobians_agree_with_differences_and_each_other(
        which in 0usize..3, p in 1usize..4, q in 1usize..5, r in 1usize..4, seed in 0u64..1000,
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = inputs(which, p, q, r, &mut rng);
        let f = function(which);
        let (m, n, num) = numeric(which, &x);
        let rev = jacobian_rev(f, &x);
        let fwd = jacobian_fwd(f, &x);
        prop_assert_eq!(rev.shape().dims(), &[m, n]);
        prop_assert_eq!(fwd.shape().dims(), &[m, n]);
        prop_assert!(max_diff(rev.data(), &num) < 1e-7, "rev vs differences");
        prop_assert!(max_diff(rev.data(), fwd.data()) < 1e-12, "rev vs fwd");

        // jvp == J·v with v split per input
        let v: Vec<Tensor<f64>> = x.iter().map(|t| Tensor::uniform(t.shape().dims().to_vec(), -1.0, 1.0, &mut rng)).collect();
        let flat_v: Vec<f64> = v.iter().flat_map(|t| t.data().to_vec()).collect();
        let (y, jv) = jvp(f, &x, &v);
        let y0 = eval(which, &x);
        prop_assert_eq!(y.data(), y0.as_slice());
        let expect: Vec<f64> = (0..m).map(|i| (0..n).map(|c| rev.data()[i * n + c] * flat_v[c]).sum()).collect();
        prop_assert!(max_diff(jv.data(), &expect) < 1e-12, "jvp vs J·v");

        // vjp == uᵀJ
        let u = Tensor::uniform(y.shape().dims().to_vec(), -1.0, 1.0, &mut rng);
        let (_, g) = vjp(f, &x, &u);
        let flat_g: Vec<f64> = g.iter().flat_map(|t| t.data().to_vec()).collect();
        let expect: Vec<f64> = (0..n).map(|c| (0..m).map(|i| u.data()[i] * rev.data()[i * n + c]).sum()).collect();
        prop_assert!(max_diff(&flat_g, &expect) < 1e-12, "vjp vs uᵀJ");

        // the automatic choice: rows when m ≤ n, columns otherwise
        let (auto, mode) = jacobian(f, &x);
        prop_assert_eq!(mode, if m <= n { JacobianMode::Reverse } else { JacobianMode::Forward });
        prop_assert!(max_diff(auto.data(), rev.data()) < 1e-12);
    }
}

#[test]
fn jacobian_picks_forward_for_a_wide_output() {
    let x = vec![Tensor::from_vec(vec![0.1, 0.2, 0.3], [3])];
    let (_, mode) = jacobian(|v| apply(1, v), &x); // 9 outputs, 3 inputs
    assert_eq!(mode, JacobianMode::Forward);
    let x = vec![
        Tensor::from_vec(vec![0.1; 6], [2, 3]),
        Tensor::from_vec(vec![0.2; 6], [3, 2]),
    ];
    let (_, mode) = jacobian(|v| apply(0, v), &x); // 4 outputs, 12 inputs
    assert_eq!(mode, JacobianMode::Reverse);
}
