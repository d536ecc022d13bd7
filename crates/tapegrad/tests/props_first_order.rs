//! Property tests of every first-order rule: on random shapes (ranks 0–4,
//! broadcast pairs) and values, the backward pass must agree with central
//! finite differences (`tapegrad::gradcheck`, f64), and the forward of every
//! op that moves or combines elements must agree with a naive
//! index-by-index reference. Inputs stay away from kinks and poles, where
//! finite differences are meaningless; the kinks themselves and the
//! numerically delicate inputs are pinned down by exact tests at the end.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use tapegrad::{gradcheck, GradcheckOptions, Shape, Tape, Tensor, Var, SELU_ALPHA, SELU_SCALE};

/// 64 cases per property (the whole file runs in well under a second in
/// release); `PROPTEST_CASES=<n>` asks for a deeper run.
fn config() -> ProptestConfig {
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default().cases
    } else {
        64
    };
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ------------------------------------------------------------ strategies

/// Dimensions of rank `ranks`, each axis 1..=3 long (small: finite
/// differences cost two forward passes per element).
/// Sides mostly 1 to 3, sometimes 0: every op must also take a zero-size
/// tensor and give an empty result and an empty gradient.
fn dims(ranks: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![6 => 1usize..=3, 1 => Just(0usize)], ranks)
}

fn numel(d: &[usize]) -> usize {
    d.iter().product()
}

/// A tensor of `d` with values uniform in `[lo, hi)`.
fn values(d: Vec<usize>, lo: f64, hi: f64) -> impl Strategy<Value = Tensor<f64>> {
    prop::collection::vec(lo..hi, numel(&d)).prop_map(move |v| Tensor::from_vec(v, d.clone()))
}

/// A tensor of `d` whose values have magnitude in `[min_abs, max_abs)` and
/// a random sign: away from the kink at 0.
fn away_from_zero(d: Vec<usize>, min_abs: f64, max_abs: f64) -> impl Strategy<Value = Tensor<f64>> {
    prop::collection::vec((min_abs..max_abs, any::<bool>()), numel(&d)).prop_map(move |v| {
        Tensor::from_vec(
            v.into_iter()
                .map(|(m, neg)| if neg { -m } else { m })
                .collect(),
            d.clone(),
        )
    })
}

fn tensor_in(
    ranks: std::ops::RangeInclusive<usize>,
    lo: f64,
    hi: f64,
) -> impl Strategy<Value = Tensor<f64>> {
    dims(ranks).prop_flat_map(move |d| values(d, lo, hi))
}

fn tensor_away(
    ranks: std::ops::RangeInclusive<usize>,
    min_abs: f64,
    max_abs: f64,
) -> impl Strategy<Value = Tensor<f64>> {
    dims(ranks).prop_flat_map(move |d| away_from_zero(d, min_abs, max_abs))
}

/// A shape that broadcasts to `out`: some leading axes dropped, some of the
/// rest set to 1 (so `[]`, `[1, c]`, `[b, 1]`, … all occur).
fn shrink(out: &[usize], drop: usize, ones: &[bool]) -> Vec<usize> {
    let drop = drop.min(out.len());
    out[drop..]
        .iter()
        .zip(&ones[drop..])
        .map(|(&d, &one)| if one { 1 } else { d })
        .collect()
}

/// Two shapes that broadcast together, and their broadcast. Either may be
/// the larger one, or neither (`[3, 1]` with `[1, 2]`).
fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (
        dims(0..=4),
        0usize..=4,
        0usize..=4,
        prop::collection::vec(prop::bool::weighted(0.3), 4),
        prop::collection::vec(prop::bool::weighted(0.3), 4),
    )
        .prop_map(|(out, da, db, oa, ob)| {
            // Let one operand usually keep the full rank.
            let da = if da > 2 { 0 } else { da };
            (shrink(&out, da, &oa), shrink(&out, db, &ob))
        })
}

/// A shape and one that broadcasts to it.
fn big_and_small() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (
        dims(0..=4),
        0usize..=4,
        prop::collection::vec(prop::bool::weighted(0.4), 4),
    )
        .prop_map(|(big, drop, ones)| (big.clone(), shrink(&big, drop, &ones)))
}

// ------------------------------------------------------------ helpers

/// Runs `gradcheck` and turns a mismatch into a proptest failure.
fn check<F>(inputs: &[Tensor<f64>], f: F) -> Result<(), TestCaseError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let shapes: Vec<String> = inputs.iter().map(|t| t.shape().to_string()).collect();
    gradcheck(f, inputs, &GradcheckOptions::default())
        .map_err(|e| TestCaseError::fail(format!("{e} (input shapes {})", shapes.join(", "))))
}

/// Evaluates `f` on constants and returns its value.
fn eval<F>(inputs: &[Tensor<f64>], f: F) -> Tensor<f64>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let tape = Tape::<f64>::new();
    let vars: Vec<_> = inputs.iter().map(|t| tape.constant(t.clone())).collect();
    f(&vars).value()
}

/// `a` is within `tol` of `b`, or both are NaN (the mean of nothing).
fn near(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol
}

fn assert_close(got: &Tensor<f64>, want: &Tensor<f64>, tol: f64) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.shape(), want.shape());
    for (i, (&a, &b)) in got.data().iter().zip(want.data()).enumerate() {
        prop_assert!(
            near(a, b, tol * (1.0 + b.abs())),
            "element {}: got {}, want {}",
            i,
            a,
            b
        );
    }
    Ok(())
}

/// Row-major multi-index of flat index `i` in `d`.
fn unravel(mut i: usize, d: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; d.len()];
    for ax in (0..d.len()).rev() {
        idx[ax] = i % d[ax];
        i /= d[ax];
    }
    idx
}

/// Flat index in `d` of the element that a multi-index of a broadcast
/// result (of rank ≥ `d.len()`) reads.
fn broadcast_flat(out_idx: &[usize], d: &[usize]) -> usize {
    let off = out_idx.len() - d.len();
    d.iter().enumerate().fold(0, |acc, (ax, &n)| {
        acc * n + if n == 1 { 0 } else { out_idx[off + ax] }
    })
}

fn broadcast_shape(a: &[usize], b: &[usize]) -> Vec<usize> {
    Shape::broadcast(&Shape::from(a), &Shape::from(b))
        .expect("broadcastable")
        .dims()
        .to_vec()
}

/// Naive broadcasting `f(a, b)`.
fn naive_binary(a: &Tensor<f64>, b: &Tensor<f64>, f: impl Fn(f64, f64) -> f64) -> Tensor<f64> {
    let out = broadcast_shape(a.shape().dims(), b.shape().dims());
    let data = (0..numel(&out))
        .map(|i| {
            let idx = unravel(i, &out);
            f(
                a.data()[broadcast_flat(&idx, a.shape().dims())],
                b.data()[broadcast_flat(&idx, b.shape().dims())],
            )
        })
        .collect();
    Tensor::from_vec(data, out)
}

/// Naive sum of `x` into `small`, a shape that broadcasts to x's.
fn naive_sum_to(x: &Tensor<f64>, small: &[usize]) -> Tensor<f64> {
    let mut out = Tensor::zeros(small.to_vec());
    for i in 0..x.numel() {
        let idx = unravel(i, x.shape().dims());
        out.data_mut()[broadcast_flat(&idx, small)] += x.data()[i];
    }
    out
}

/// Naive reduction over one axis.
fn naive_sum_axis(x: &Tensor<f64>, axis: usize, keepdim: bool, mean: bool) -> Tensor<f64> {
    let d = x.shape().dims();
    let mut kept = d.to_vec();
    kept[axis] = 1;
    let mut out = naive_sum_to(x, &kept);
    if mean {
        out.data_mut().iter_mut().for_each(|e| *e /= d[axis] as f64);
    }
    if keepdim {
        out
    } else {
        kept.remove(axis);
        out.reshape(kept)
    }
}

fn reduce_axis(v: Var<'_, f64>, axis: isize, keepdim: bool, mean: bool) -> Var<'_, f64> {
    if mean {
        v.mean_axis(axis, keepdim)
    } else {
        v.sum_axis(axis, keepdim)
    }
}

fn resolve(axis: isize, rank: usize) -> usize {
    if axis < 0 {
        (axis + rank as isize) as usize
    } else {
        axis as usize
    }
}

// ------------------------------------------------------------ binary ops

proptest! {
    #![proptest_config(config())]

    #[test]
    fn add_broadcast((sa, sb) in broadcast_pair(), seed in any::<u64>()) {
        let (a, b) = sample2(&sa, &sb, seed, false);
        check(&[a.clone(), b.clone()], |v| v[0] + v[1])?;
        assert_close(&eval(&[a.clone(), b.clone()], |v| v[0] + v[1]), &naive_binary(&a, &b, |x, y| x + y), 0.0)?;
    }

    #[test]
    fn sub_broadcast((sa, sb) in broadcast_pair(), seed in any::<u64>()) {
        let (a, b) = sample2(&sa, &sb, seed, false);
        check(&[a.clone(), b.clone()], |v| v[0] - v[1])?;
        assert_close(&eval(&[a.clone(), b.clone()], |v| v[0] - v[1]), &naive_binary(&a, &b, |x, y| x - y), 0.0)?;
    }

    #[test]
    fn mul_broadcast((sa, sb) in broadcast_pair(), seed in any::<u64>()) {
        let (a, b) = sample2(&sa, &sb, seed, false);
        check(&[a.clone(), b.clone()], |v| v[0] * v[1])?;
        assert_close(&eval(&[a.clone(), b.clone()], |v| v[0] * v[1]), &naive_binary(&a, &b, |x, y| x * y), 0.0)?;
    }

    #[test]
    fn div_broadcast((sa, sb) in broadcast_pair(), seed in any::<u64>()) {
        let (a, b) = sample2(&sa, &sb, seed, true);
        check(&[a.clone(), b.clone()], |v| v[0] / v[1])?;
        assert_close(&eval(&[a.clone(), b.clone()], |v| v[0] / v[1]), &naive_binary(&a, &b, |x, y| x / y), 0.0)?;
    }

    #[test]
    fn same_operand_twice(x in tensor_in(0..=4, -2.0, 2.0)) {
        check(&[x], |v| v[0] * v[0] - v[0] / (v[0] * v[0] + 1.0))?;
    }

    #[test]
    fn scalar_forms(x in tensor_away(0..=4, 0.2, 3.0), c in -3.0f64..3.0, d in 0.5f64..3.0) {
        check(std::slice::from_ref(&x), |v| v[0].add_scalar(c))?;
        check(std::slice::from_ref(&x), |v| v[0].mul_scalar(c))?;
        check(std::slice::from_ref(&x), |v| v[0].div_scalar(d))?;
        check(std::slice::from_ref(&x), |v| v[0].div_scalar(-d))?;
        check(std::slice::from_ref(&x), |v| v[0].rsub_scalar(c))?;
        check(std::slice::from_ref(&x), |v| v[0].rdiv_scalar(c))?;
        check(std::slice::from_ref(&x), |v| c + (c - v[0]) * c / v[0] - c)?;
        check(&[x], |v| -v[0])?;
    }
}

/// Two tensors of the given shapes from one seed (values in [-2, 2), the
/// second with magnitude in [0.5, 2) when it is a denominator).
fn sample2(sa: &[usize], sb: &[usize], seed: u64, denominator: bool) -> (Tensor<f64>, Tensor<f64>) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let a = Tensor::uniform(sa.to_vec(), -2.0, 2.0, &mut rng);
    let mut b = Tensor::uniform(sb.to_vec(), -2.0, 2.0, &mut rng);
    if denominator {
        for e in b.data_mut() {
            let m = 0.5 + 1.5 * rng.random::<f64>();
            *e = if *e < 0.0 { -m } else { m };
        }
    }
    (a, b)
}

// ------------------------------------------------------------ unary ops

/// A scalar reference implementation `f(x, α)`.
type Reference = fn(f64, f64) -> f64;

proptest! {
    #![proptest_config(config())]

    #[test]
    fn powi(x in tensor_away(0..=4, 0.3, 2.0), n in -3i32..=4) {
        check(&[x], |v| v[0].powi(n))?;
    }

    #[test]
    fn powf(x in tensor_in(0..=4, 0.2, 3.0), p in -2.5f64..2.5) {
        check(&[x], |v| v[0].powf(p))?;
    }

    #[test]
    fn exp(x in tensor_in(0..=4, -3.0, 3.0)) {
        check(&[x], |v| v[0].exp())?;
    }

    #[test]
    fn log(x in tensor_in(0..=4, 0.05, 5.0)) {
        check(&[x], |v| v[0].log())?;
    }

    #[test]
    fn sqrt(x in tensor_in(0..=4, 0.05, 5.0)) {
        check(&[x], |v| v[0].sqrt())?;
    }

    #[test]
    fn abs(x in tensor_away(0..=4, 1e-3, 3.0)) {
        check(&[x], |v| v[0].abs())?;
    }

    #[test]
    fn sigmoid(x in tensor_in(0..=4, -8.0, 8.0)) {
        check(&[x], |v| v[0].sigmoid())?;
    }

    #[test]
    fn tanh(x in tensor_in(0..=4, -4.0, 4.0)) {
        check(&[x], |v| v[0].tanh())?;
    }

    #[test]
    fn relu(x in tensor_away(0..=4, 1e-3, 3.0)) {
        check(&[x], |v| v[0].relu())?;
    }

    #[test]
    fn leaky_relu(x in tensor_away(0..=4, 1e-3, 3.0), alpha in 0.0f64..1.0) {
        check(&[x], |v| v[0].leaky_relu(alpha))?;
    }

    #[test]
    fn elu(x in tensor_away(0..=4, 1e-3, 4.0), alpha in 0.1f64..2.0) {
        check(&[x], |v| v[0].elu(alpha))?;
    }

    #[test]
    fn selu(x in tensor_away(0..=4, 1e-3, 4.0)) {
        check(&[x], |v| v[0].selu())?;
    }

    #[test]
    fn softplus(x in tensor_in(0..=4, -10.0, 10.0)) {
        check(&[x], |v| v[0].softplus())?;
    }

    #[test]
    fn mish(x in tensor_in(0..=4, -6.0, 6.0)) {
        check(&[x], |v| v[0].mish())?;
    }

    #[test]
    fn swish_scalar_beta(x in tensor_in(0..=4, -4.0, 4.0), beta in -2.0f64..3.0) {
        check(&[x, Tensor::scalar(beta)], |v| v[0].swish(v[1]))?;
    }

    #[test]
    fn swish_broadcast_beta((sx, sb) in big_and_small(), seed in any::<u64>()) {
        let (x, beta) = sample2(&sx, &sb, seed, false);
        check(&[x.clone(), beta.clone()], |v| v[0].swish(v[1]))?;
        let want = naive_binary(&x, &beta, |x, b| x / (1.0 + (-b * x).exp()));
        assert_close(&eval(&[x, beta], |v| v[0].swish(v[1])), &want, 1e-14)?;
    }

    #[test]
    fn unary_values(x in tensor_away(0..=4, 1e-3, 5.0), alpha in 0.05f64..2.0) {
        let cases: [(&str, Reference); 8] = [
            ("relu", |x, _| x.max(0.0)),
            ("leaky_relu", |x, a| if x > 0.0 { x } else { a * x }),
            ("elu", |x, a| if x > 0.0 { x } else { a * (x.exp() - 1.0) }),
            ("selu", |x, _| SELU_SCALE * if x > 0.0 { x } else { SELU_ALPHA * (x.exp() - 1.0) }),
            ("softplus", |x, _| (1.0 + x.exp()).ln()),
            ("mish", |x, _| x * (1.0 + x.exp()).ln().tanh()),
            ("sigmoid", |x, _| 1.0 / (1.0 + (-x).exp())),
            ("abs", |x, _| x.abs()),
        ];
        for (name, f) in cases {
            let got = eval(std::slice::from_ref(&x), |v| match name {
                "relu" => v[0].relu(),
                "leaky_relu" => v[0].leaky_relu(alpha),
                "elu" => v[0].elu(alpha),
                "selu" => v[0].selu(),
                "softplus" => v[0].softplus(),
                "mish" => v[0].mish(),
                "sigmoid" => v[0].sigmoid(),
                _ => v[0].abs(),
            });
            let want = Tensor::from_vec(x.data().iter().map(|&e| f(e, alpha)).collect(), x.shape().clone());
            assert_close(&got, &want, 1e-13).map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
        }
    }
}

// ------------------------------------------------------------ matmul

/// Stored shape of an `r × c` operand (`[.., c, r]` when read transposed).
fn stored(batch: Option<usize>, r: usize, c: usize, transposed: bool) -> Vec<usize> {
    let (r, c) = if transposed { (c, r) } else { (r, c) };
    batch.map_or(vec![r, c], |b| vec![b, r, c])
}

/// Naive `op(a)·op(b)` over an optional batch axis.
fn naive_matmul(a: &Tensor<f64>, b: &Tensor<f64>, ta: bool, tb: bool) -> Tensor<f64> {
    let (da, db) = (a.shape().dims(), b.shape().dims());
    let batched = da.len() == 3;
    let nb = if batched { da[0] } else { 1 };
    let (ar, ac) = (da[da.len() - 2], da[da.len() - 1]);
    let (br, bc) = (db[db.len() - 2], db[db.len() - 1]);
    let (m, k) = if ta { (ac, ar) } else { (ar, ac) };
    let n = if tb { br } else { bc };
    let at = |bi: usize, i: usize, j: usize| {
        if ta {
            a.data()[bi * ar * ac + j * ac + i]
        } else {
            a.data()[bi * ar * ac + i * ac + j]
        }
    };
    let bt = |bi: usize, i: usize, j: usize| {
        if tb {
            b.data()[bi * br * bc + j * bc + i]
        } else {
            b.data()[bi * br * bc + i * bc + j]
        }
    };
    let mut out = Vec::with_capacity(nb * m * n);
    for bi in 0..nb {
        for i in 0..m {
            for j in 0..n {
                out.push((0..k).map(|l| at(bi, i, l) * bt(bi, l, j)).sum());
            }
        }
    }
    Tensor::from_vec(out, if batched { vec![nb, m, n] } else { vec![m, n] })
}

/// `op(A)·op(B)` and its gradients for the upstream gradient `g`, against
/// the naive product: `∂A = G·op(B)ᵀ`, `∂B = op(A)ᵀ·G` (transposed back to
/// the stored layout).
fn check_matmul_against_naive(
    a: &Tensor<f64>,
    b: &Tensor<f64>,
    g: &Tensor<f64>,
    ta: bool,
    tb: bool,
    tol: f64,
) -> Result<(), TestCaseError> {
    let tape = Tape::<f64>::new();
    let (av, bv) = (tape.param(a.clone()), tape.param(b.clone()));
    let y = av.matmul_t(bv, ta, tb);
    assert_close(&y.value(), &naive_matmul(a, b, ta, tb), tol)?;
    let grads = y.backward_with(g);
    // ∂op(A) = G·op(B)ᵀ; stored ∂A is that, transposed back when ta.
    let da = if ta {
        naive_matmul(b, g, tb, true)
    } else {
        naive_matmul(g, b, false, !tb)
    };
    let db = if tb {
        naive_matmul(g, a, true, ta)
    } else {
        naive_matmul(a, g, !ta, false)
    };
    assert_close(&grads[av], &da, tol)?;
    assert_close(&grads[bv], &db, tol)
}

/// The same in f32, against the f64 reference with an f32 tolerance.
fn check_matmul_against_naive_f32(
    a: &Tensor<f64>,
    b: &Tensor<f64>,
    g: &Tensor<f64>,
    ta: bool,
    tb: bool,
) -> Result<(), TestCaseError> {
    let tape = Tape::<f32>::new();
    let (av, bv) = (tape.param(a.cast()), tape.param(b.cast()));
    let y = av.matmul_t(bv, ta, tb);
    let k = if ta {
        a.shape().dims()[a.shape().rank() - 2]
    } else {
        a.shape().dims()[a.shape().rank() - 1]
    };
    let tol = 1e-6 * k as f64;
    assert_close(&y.value().cast(), &naive_matmul(a, b, ta, tb), tol)?;
    let grads = y.backward_with(&g.cast());
    let da = if ta {
        naive_matmul(b, g, tb, true)
    } else {
        naive_matmul(g, b, false, !tb)
    };
    assert_close(&grads[av].cast(), &da, tol)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn matmul_all_layouts(
        batch in prop::option::of(1usize..=3),
        (m, k, n) in (1usize..=4, 1usize..=4, 1usize..=4),
        ta in any::<bool>(),
        tb in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let (a, b) = sample2(&stored(batch, m, k, ta), &stored(batch, k, n, tb), seed, false);
        let want = naive_matmul(&a, &b, ta, tb);
        assert_close(&eval(&[a.clone(), b.clone()], |v| v[0].matmul_t(v[1], ta, tb)), &want, 1e-13)?;
        check(&[a.clone(), b.clone()], |v| v[0].matmul_t(v[1], ta, tb))?;
        if !ta && !tb {
            check(&[a, b], |v| v[0].matmul(v[1]))?;
        }
    }

    /// Sizes that span several register blocks and depth slabs, with
    /// ragged edges, in f32 and f64, forward and both gradients against
    /// the naive product.
    #[test]
    fn matmul_blocked_sizes(
        batch in prop::option::of(1usize..=2),
        (m, k, n) in (1usize..=20, 1usize..=300, 1usize..=40),
        ta in any::<bool>(),
        tb in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let (a, b) = sample2(&stored(batch, m, k, ta), &stored(batch, k, n, tb), seed, false);
        let (g, _) = sample2(&stored(batch, m, n, false), &[], seed ^ 1, false);
        check_matmul_against_naive(&a, &b, &g, ta, tb, 1e-12)?;
        check_matmul_against_naive_f32(&a, &b, &g, ta, tb)?;
    }

    #[test]
    fn matmul_shared_operand(m in 1usize..=4, seed in any::<u64>()) {
        let (a, _) = sample2(&[m, m], &[], seed, false);
        check(std::slice::from_ref(&a), |v| v[0].matmul(v[0]))?;
        check(&[a], |v| v[0].matmul_t(v[0], true, false))?;
    }
}

#[test]
fn large_matmul_through_gemm_matches_naive() {
    // 80·70·90 multiply-adds is above the threading threshold: gemm's path.
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let (a, b) = sample2(
            &stored(None, 80, 70, ta),
            &stored(None, 70, 90, tb),
            3,
            false,
        );
        let (g, _) = sample2(&[80, 90], &[], 4, false);
        check_matmul_against_naive(&a, &b, &g, ta, tb, 1e-12).expect("gemm path");
    }
}

// ------------------------------------------------------------ layout and reductions

proptest! {
    #![proptest_config(config())]

    #[test]
    fn transpose_any_axes(x in tensor_in(2..=4, -2.0, 2.0), d0 in 0usize..4, d1 in 0usize..4, negative in any::<bool>()) {
        let r = x.shape().rank();
        let (d0, d1) = (d0 % r, d1 % r);
        let a0 = if negative { d0 as isize - r as isize } else { d0 as isize };
        let y = eval(std::slice::from_ref(&x), |v| v[0].transpose(a0, d1 as isize));
        let mut out_dims = x.shape().dims().to_vec();
        out_dims.swap(d0, d1);
        let want: Vec<f64> = (0..x.numel())
            .map(|i| {
                let mut idx = unravel(i, &out_dims);
                idx.swap(d0, d1);
                x[idx.as_slice()]
            })
            .collect();
        assert_close(&y, &Tensor::from_vec(want, out_dims), 0.0)?;
        check(&[x], |v| v[0].transpose(a0, d1 as isize) * v[0].transpose(a0, d1 as isize))?;
    }

    #[test]
    fn reshape(x in tensor_in(0..=4, -2.0, 2.0)) {
        let n = x.numel();
        let rev: Vec<usize> = x.shape().dims().iter().rev().copied().collect();
        check(std::slice::from_ref(&x), |v| v[0].reshape([n]).powi(2))?;
        check(std::slice::from_ref(&x), |v| v[0].reshape([1, n, 1]).powi(2))?;
        check(std::slice::from_ref(&x), |v| v[0].reshape(rev.clone()).powi(2))?;
        let flat = eval(std::slice::from_ref(&x), |v| v[0].reshape([1, n]));
        prop_assert_eq!(flat.data(), x.data());
    }

    #[test]
    fn sum_and_mean(x in tensor_in(0..=4, -2.0, 2.0)) {
        check(std::slice::from_ref(&x), |v| v[0].sum())?;
        check(std::slice::from_ref(&x), |v| v[0].mean())?;
        check(std::slice::from_ref(&x), |v| v[0].powi(2).sum() * v[0].mean())?;
        let total: f64 = x.data().iter().sum();
        prop_assert!(near(eval(std::slice::from_ref(&x), |v| v[0].sum()).item(), total, 1e-12));
        prop_assert!(near(eval(std::slice::from_ref(&x), |v| v[0].mean()).item(), total / x.numel() as f64, 1e-12));
    }

    #[test]
    fn sum_and_mean_over_an_axis(x in tensor_in(1..=4, -2.0, 2.0), axis in -4isize..4, keepdim in any::<bool>()) {
        let r = x.shape().rank() as isize;
        let axis = axis.rem_euclid(2 * r) - r; // any of -r..r
        let a = resolve(axis, r as usize);
        for mean in [false, true] {
            let got = eval(std::slice::from_ref(&x), |v| reduce_axis(v[0], axis, keepdim, mean));
            assert_close(&got, &naive_sum_axis(&x, a, keepdim, mean), 1e-14)?;
            check(std::slice::from_ref(&x), |v| reduce_axis(v[0], axis, keepdim, mean))?;
            check(std::slice::from_ref(&x), |v| reduce_axis(v[0], axis, keepdim, mean).powi(2))?;
        }
    }

    #[test]
    fn sum_to((big, small) in big_and_small(), seed in any::<u64>()) {
        let (x, _) = sample2(&big, &[], seed, false);
        assert_close(&eval(std::slice::from_ref(&x), |v| v[0].sum_to(small.clone())), &naive_sum_to(&x, &small), 1e-14)?;
        check(&[x], |v| v[0].sum_to(small.clone()).powi(2))?;
    }

    #[test]
    fn broadcast_to((big, small) in big_and_small(), seed in any::<u64>()) {
        let (x, _) = sample2(&small, &[], seed, false);
        let want = naive_binary(&x, &Tensor::zeros(big.clone()), |a, _| a);
        assert_close(&eval(std::slice::from_ref(&x), |v| v[0].broadcast_to(big.clone())), &want, 0.0)?;
        check(&[x], |v| v[0].broadcast_to(big.clone()).powi(2))?;
    }
}

// ------------------------------------------------------------ softmax and losses

/// Naive softmax over the last axis.
fn naive_softmax(x: &Tensor<f64>) -> Tensor<f64> {
    let c = *x.shape().dims().last().expect("rank >= 1");
    if c == 0 {
        return x.clone();
    }
    let mut out = Vec::with_capacity(x.numel());
    for row in x.data().chunks(c) {
        let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = row.iter().map(|&e| (e - m).exp()).sum();
        out.extend(row.iter().map(|&e| (e - m).exp() / s));
    }
    Tensor::from_vec(out, x.shape().clone())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn softmax(x in tensor_in(1..=4, -3.0, 3.0)) {
        let want = naive_softmax(&x);
        assert_close(&eval(std::slice::from_ref(&x), |v| v[0].softmax()), &want, 1e-14)?;
        let log_want = Tensor::from_vec(want.data().iter().map(|p| p.ln()).collect(), x.shape().clone());
        assert_close(&eval(std::slice::from_ref(&x), |v| v[0].log_softmax()), &log_want, 1e-13)?;
        check(std::slice::from_ref(&x), |v| v[0].softmax())?;
        check(&[x], |v| v[0].log_softmax())?;
    }

    #[test]
    fn mse(d in dims(0..=4), seed in any::<u64>()) {
        let (p, t) = sample2(&d, &d, seed, false);
        let want = p.data().iter().zip(t.data()).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() / p.numel() as f64;
        prop_assert!(near(eval(&[p.clone(), t.clone()], |v| v[0].mse(v[1])).item(), want, 1e-13));
        check(&[p, t], |v| v[0].mse(v[1]))?;
    }

    #[test]
    fn cross_entropy(n in 1usize..=4, c in 1usize..=5, seed in any::<u64>(), picks in prop::collection::vec(any::<prop::sample::Index>(), 4)) {
        let (x, _) = sample2(&[n, c], &[], seed, false);
        let targets: Vec<usize> = picks.iter().take(n).map(|i| i.index(c)).collect();
        let want = x
            .data()
            .chunks(c)
            .zip(&targets)
            .map(|(row, &t)| row.iter().map(|e| e.exp()).sum::<f64>().ln() - row[t])
            .sum::<f64>()
            / n as f64;
        prop_assert!(near(eval(std::slice::from_ref(&x), |v| v[0].cross_entropy(&targets)).item(), want, 1e-13));
        check(std::slice::from_ref(&x), |v| v[0].cross_entropy(&targets))?;
        // Consistent with the composite −mean(log_softmax[target]).
        let composite = eval(&[x], |v| {
            let onehot = v[0].tape().constant(Tensor::from_vec(
                (0..n * c).map(|i| if targets[i / c] == i % c { 1.0 } else { 0.0 }).collect(),
                [n, c],
            ));
            -(v[0].log_softmax() * onehot).sum() / n as f64
        });
        prop_assert!((composite.item() - want).abs() <= 1e-13);
    }

    #[test]
    fn binary_cross_entropy_with_logits(x in tensor_in(0..=4, -6.0, 6.0), seed in any::<u64>()) {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let t = Tensor::uniform(x.shape().clone(), 0.0, 1.0, &mut rng);
        let want = x.data().iter().zip(t.data()).map(|(&a, &b)| (1.0 + a.exp()).ln() - a * b).sum::<f64>() / x.numel() as f64;
        prop_assert!(near(eval(&[x.clone(), t.clone()], |v| v[0].binary_cross_entropy_with_logits(v[1])).item(), want, 1e-13));
        // Both the logits and the target get gradients.
        check(&[x, t], |v| v[0].binary_cross_entropy_with_logits(v[1]))?;
    }
}

// ------------------------------------------------------------ exact conventions

/// The derivative of `f` at a 0-d `x`, in f64.
fn grad_at(x: f64, f: impl for<'t> Fn(Var<'t, f64>) -> Var<'t, f64>) -> f64 {
    let tape = Tape::<f64>::new();
    let v = tape.scalar(x);
    f(v).backward()[v].item()
}

#[test]
fn kinks_use_the_left_derivative() {
    assert_eq!(grad_at(0.0, |x| x.relu()), 0.0);
    assert_eq!(grad_at(-0.0, |x| x.relu()), 0.0);
    for alpha in [0.01, 0.3, 0.0, 2.5] {
        assert_eq!(grad_at(0.0, |x| x.leaky_relu(alpha)), alpha);
    }
    for alpha in [1.0, 0.5, 1.7] {
        assert_eq!(grad_at(0.0, |x| x.elu(alpha)), alpha);
    }
    assert_eq!(grad_at(0.0, |x| x.selu()), SELU_SCALE * SELU_ALPHA);
    assert_eq!(grad_at(0.0, |x| x.selu()), 1.7580993408473766);
    assert_eq!(grad_at(0.0, |x| x.abs()), 0.0);
    assert_eq!(grad_at(0.0, |x| x.step()), 0.0);
    assert_eq!(grad_at(0.0, |x| x.sign()), 0.0);
    // Just beside the kink the one-sided values hold.
    assert_eq!(grad_at(1e-300, |x| x.relu()), 1.0);
    assert_eq!(grad_at(-1e-300, |x| x.leaky_relu(0.3)), 0.3);
    assert_eq!(grad_at(1e-300, |x| x.elu(0.5)), 1.0);
}

#[test]
fn softmax_family_is_exact_at_extreme_logits() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(
        vec![1e4, -1e4, 0.0, 1.0, 2.0, -1e4, -1e4, -1e4, -1e4, -1e4],
        [2, 5],
    ));
    let s = x.softmax().value();
    assert_eq!(&s.data()[..5], &[1.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(&s.data()[5..], &[0.2; 5]);
    let ls = x.log_softmax().value();
    assert_eq!(&ls.data()[..5], &[0.0, -2e4, -1e4, -9999.0, -9998.0]);
    let uniform = -(5f64.ln());
    assert!(ls.data()[5..].iter().all(|&e| (e - uniform).abs() < 1e-15));

    let seed = Tensor::from_vec((0..10).map(f64::from).collect(), [2, 5]);
    for g in [
        x.softmax().backward_with(&seed),
        x.log_softmax().backward_with(&seed),
    ] {
        assert!(g[x].data().iter().all(|e| e.is_finite()), "{:?}", g[x]);
    }
    // softmax row 0 is one-hot: its gradient is exactly 0 there.
    assert_eq!(&x.softmax().backward_with(&seed)[x].data()[..5], &[0.0; 5]);

    // Row 1 loses the last digits to −1e4 + log 5 + 1e4 (as PyTorch does).
    let ce = x.cross_entropy(&[0, 3]);
    assert!((ce.item() - 5f64.ln() / 2.0).abs() < 1e-11);
    let g = ce.backward();
    assert_eq!(&g[x].data()[..5], &[0.0; 5]);
    assert!(g[x].data().iter().all(|e| e.is_finite()));
    let worst = tape.param(Tensor::from_vec(vec![1e4, -1e4], [1, 2]));
    let ce = worst.cross_entropy(&[1]);
    assert_eq!(ce.item(), 2e4);
    assert_eq!(ce.backward()[worst].data(), &[1.0, -1.0]);
}

/// An f32 activation under test.
type Activation32 = fn(Var<'_, f32>) -> Var<'_, f32>;

#[test]
fn activations_stay_finite_at_f32_extremes() {
    let tape = Tape::<f32>::new();
    let x = tape.param(Tensor::from_vec(
        vec![-100.0f32, 100.0, -1e4, 1e4, 0.0],
        [5],
    ));
    let acts: [(&str, Activation32); 6] = [
        ("elu", |v| v.elu(1.0)),
        ("selu", |v| v.selu()),
        ("mish", |v| v.mish()),
        ("softplus", |v| v.softplus()),
        ("sigmoid", |v| v.sigmoid()),
        ("swish", |v| v.swish(v.tape().constant_scalar(1.0))),
    ];
    for (name, f) in acts {
        let y = f(x);
        let g = y.sum().backward();
        assert!(
            y.value().data().iter().all(|e| e.is_finite()),
            "{name} value {:?}",
            y.value()
        );
        assert!(
            g[x].data().iter().all(|e| e.is_finite()),
            "{name} gradient {:?}",
            g[x]
        );
    }
    assert_eq!(x.elu(1.0).value().data()[0], -1.0);
    assert_eq!(x.softplus().value().data()[1], 100.0);
    assert_eq!(x.mish().value().data()[1], 100.0);
    let g = x.softplus().sum().backward();
    assert!(
        g[x].data()[0] < 1e-40 && g[x].data()[1] == 1.0,
        "{:?}",
        g[x]
    );
}

#[test]
fn bce_gradient_is_sigmoid_minus_target_over_n_at_zero() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![0.0, 0.0, 0.0, 0.0], [2, 2]));
    let t = tape.param(Tensor::from_vec(vec![1.0, 0.0, 0.5, 0.25], [2, 2]));
    let l = x.binary_cross_entropy_with_logits(t);
    assert_eq!(l.item(), 2f64.ln());
    let g = l.backward();
    assert_eq!(g[x].data(), &[-0.125, 0.125, 0.0, 0.0625]);
    assert_eq!(g[t].data(), &[0.0; 4]);
    let big = tape.param(Tensor::from_vec(vec![1e4, -1e4, 30.0, -30.0], [4]));
    let tb = tape.constant(Tensor::from_vec(vec![0.0, 1.0, 1.0, 0.0], [4]));
    let l = big.binary_cross_entropy_with_logits(tb);
    assert_eq!(l.item(), (1e4 + 1e4 + 2.0 * (-30f64).exp().ln_1p()) / 4.0);
    let g = l.backward();
    assert_eq!(g[big].data()[..2], [0.25, -0.25]);
    assert!(g[big].data().iter().all(|e| e.is_finite()));
}
