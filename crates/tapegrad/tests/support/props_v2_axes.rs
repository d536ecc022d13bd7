//! Shared by the ops-v2 reduction and shape property tests: random shapes (zero-size and 0-d
//! included), random values from a seed, and the first-
//! and second-order checks.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tapegrad::{gradcheck, gradgradcheck, GradcheckOptions, Tape, Tensor, Var};

/// 48 cases per property; `PROPTEST_CASES=<n>` asks for a deeper run.
pub fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A shape of rank 0 to 3 with sides 0 to 3 (a 0 in about one case of
/// eight per axis).
pub fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![1 => Just(0usize), 7 => 1usize..=3], 0..=3)
}

/// A shape of rank 1 to 3 with sides 0 to 3.
pub fn shape_with_axis() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![1 => Just(0usize), 7 => 1usize..=3], 1..=3)
}

/// Values of `shape` with magnitude in `[lo, hi)` and, when `signed`, a
/// random sign.
pub fn values(shape: &[usize], lo: f64, hi: f64, signed: bool, seed: u64) -> Tensor<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let n = shape.iter().product();
    let data = (0..n)
        .map(|_| {
            let m = rng.random_range(lo..hi);
            if signed && rng.random::<bool>() {
                -m
            } else {
                m
            }
        })
        .collect();
    Tensor::from_vec(data, shape.to_vec())
}

/// Both orders of [`check1`] and [`check2`].
pub fn check<F>(f: F, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    check1(&f, inputs)?;
    check2(&f, inputs)
}

/// First order: the backward pass against central differences.
fn check1<F>(f: F, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    gradcheck(f, inputs, &GradcheckOptions::default())
        .map_err(|e| TestCaseError::fail(e.to_string()))
}

/// Second order: the recorded rule agrees with the fused one, and the
/// Hessian of `f` and of `f·f` (so the upstream gradient depends on the
/// input) against central differences of the gradient.
fn check2<F>(f: F, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let tape = Tape::<f64>::new();
    let vars: Vec<_> = inputs.iter().map(|x| tape.param(x.clone())).collect();
    let y = f(&vars);
    let r = values(y.shape().dims(), -1.0, 1.0, false, 1);
    let plain = y.backward_with(&r);
    let recorded = y.grad_graph_with(tape.constant(r), &vars);
    for (k, (&v, g)) in vars.iter().zip(&recorded).enumerate() {
        prop_assert_eq!(g.shape(), v.shape());
        for (j, (p, q)) in g.value().data().iter().zip(plain[v].data()).enumerate() {
            prop_assert!(
                (p - q).abs() <= 1e-12 + 1e-10 * q.abs(),
                "input {k} element {j}: recorded {p:e}, fused {q:e}"
            );
        }
    }
    let opts = GradcheckOptions::default();
    gradgradcheck(&f, inputs, &opts).map_err(|e| TestCaseError::fail(format!("f: {e}")))?;
    gradgradcheck(
        |v| {
            let y = f(v);
            y * y
        },
        inputs,
        &opts,
    )
    .map_err(|e| TestCaseError::fail(format!("f·f: {e}")))
}
