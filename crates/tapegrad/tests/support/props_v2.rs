//! Generators and the one check shared by the ops-v2 property tests
//! (`props_ops_v2_*.rs`, each includes this file as a `#[path]` module).
//!
//! Shapes have rank 0 to 4 and sides 0 to 3, so 0-d and zero-size tensors
//! occur in every property. [`check`] runs, on one random point:
//! `gradcheck` (first order against central differences), the recorded
//! first-order rule against the fused one, and `gradgradcheck` (every
//! Hessian entry against differences of the gradient) on `f` and on `f·f`,
//! where the upstream gradient reaching the op depends on the input.

// Each test target uses a different part of this file.
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::{gradcheck, gradgradcheck, GradcheckOptions, Tape, Tensor, Var};

/// 64 cases per property; `PROPTEST_CASES=<n>` asks for a deeper run.
pub fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One side: mostly 1 to 3, sometimes 0 (a zero-size tensor).
fn side() -> impl Strategy<Value = usize> {
    prop_oneof![1 => Just(0usize), 9 => 1usize..=3]
}

/// A shape of rank 0 to 4.
pub fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(side(), 0..=4)
}

/// Two shapes that broadcast together: suffixes of one shape with some
/// sides set to 1 (so `[]`, `[1, c]`, `[b, 1]`, `[0, 2]` with `[2]`, … occur).
pub fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    prop::collection::vec((side(), any::<bool>(), any::<bool>()), 0..=4)
        .prop_flat_map(|dims| {
            let n = dims.len();
            (Just(dims), 0..=n, 0..=n)
        })
        .prop_map(|(dims, skip_a, skip_b)| {
            let pick = |skip: usize, first: bool| {
                dims[skip..]
                    .iter()
                    .map(|&(d, ka, kb)| {
                        let keep = if first { ka } else { kb };
                        if keep {
                            d
                        } else {
                            1
                        }
                    })
                    .collect::<Vec<_>>()
            };
            (pick(skip_a, true), pick(skip_b, false))
        })
}

/// Values uniform in `[lo, hi)`, moved at least `gap` away from each point
/// of `kinks` (to `kink ± gap`, on the side they were on), where finite
/// differences of a piecewise function are meaningless.
pub fn values(
    d: Vec<usize>,
    lo: f64,
    hi: f64,
    kinks: &'static [f64],
    gap: f64,
) -> impl Strategy<Value = Tensor<f64>> {
    let n: usize = d.iter().product();
    prop::collection::vec(lo..hi, n).prop_map(move |mut v| {
        for e in &mut v {
            for &k in kinks {
                if (*e - k).abs() < gap {
                    *e = if *e < k { k - gap } else { k + gap };
                }
            }
        }
        Tensor::from_vec(v, d.clone())
    })
}

/// A tensor of random [`shape`] with [`values`].
pub fn tensor(
    lo: f64,
    hi: f64,
    kinks: &'static [f64],
    gap: f64,
) -> impl Strategy<Value = Tensor<f64>> {
    shape().prop_flat_map(move |d| values(d, lo, hi, kinks, gap))
}

/// Two tensors of a [`broadcast_pair`] of shapes, values as in [`values`].
pub fn tensor_pair(
    lo: f64,
    hi: f64,
    kinks: &'static [f64],
    gap: f64,
) -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    broadcast_pair()
        .prop_flat_map(move |(a, b)| (values(a, lo, hi, kinks, gap), values(b, lo, hi, kinks, gap)))
}

/// The recorded first-order gradients of `Σ f(x)·r` must equal the fused
/// ones: both come from the same rule and may differ only by rounding.
fn first_orders_agree<F>(f: &F, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let tape = Tape::<f64>::new();
    let vars: Vec<_> = inputs.iter().map(|x| tape.param(x.clone())).collect();
    let y = f(&vars);
    let r = Tensor::uniform(y.shape(), -1.0, 1.0, &mut StdRng::seed_from_u64(1));
    let plain = y.backward_with(&r);
    let recorded = y.grad_graph_with(tape.constant(r), &vars);
    for (k, (&v, g)) in vars.iter().zip(&recorded).enumerate() {
        prop_assert_eq!(g.shape(), v.shape(), "recorded gradient {} shape", k);
        let (a, b) = (g.value(), &plain[v]);
        for (j, (p, q)) in a.data().iter().zip(b.data()).enumerate() {
            prop_assert!(
                (p - q).abs() <= 1e-12 + 1e-10 * q.abs(),
                "input {k} element {j}: recorded gradient {p:e}, fused {q:e}"
            );
        }
    }
    Ok(())
}

/// First and second order of `f` at `inputs` (see the module docs).
pub fn check<F>(inputs: &[Tensor<f64>], f: F) -> Result<(), TestCaseError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let shapes: Vec<String> = inputs.iter().map(|t| t.shape().to_string()).collect();
    let at = format!("(input shapes {})", shapes.join(", "));
    let opts = GradcheckOptions::default();
    gradcheck(&f, inputs, &opts)
        .map_err(|e| TestCaseError::fail(format!("first order: {e} {at}")))?;
    first_orders_agree(&f, inputs)?;
    gradgradcheck(&f, inputs, &opts)
        .map_err(|e| TestCaseError::fail(format!("second order of f: {e} {at}")))?;
    gradgradcheck(
        |v| {
            let y = f(v);
            y * y
        },
        inputs,
        &opts,
    )
    .map_err(|e| TestCaseError::fail(format!("second order of f·f: {e} {at}")))
}

/// The value and the gradient of `Σ f(x)` at the points `xs` (a 1-d
/// tensor), for exact checks at kinks and boundaries.
pub fn value_and_grad(
    xs: &[f64],
    f: impl for<'t> Fn(Var<'t, f64>) -> Var<'t, f64>,
) -> (Vec<f64>, Vec<f64>) {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(xs.to_vec(), [xs.len()]));
    let y = f(x);
    let g = y.sum().backward();
    (y.value().data().to_vec(), g[x].data().to_vec())
}
