//! Second derivatives of every op, on random shapes and values (f64).
//!
//! Each property runs [`gradgradcheck`] (every Hessian entry against
//! central differences of the plain gradient) twice: on the op itself (the
//! upstream gradient is a constant) and on the op's output multiplied by
//! itself, so that the upstream gradient reaching the op depends on the
//! input and the recorded rule's dependence on `g` is exercised as well.
//! Before that, the recorded first-order rule must agree with the fused one
//! to ~1e-12: the two are written separately and must not drift.
//!
//! Piecewise ops get inputs at least 0.1 away from their kinks, where
//! finite differences are meaningful.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tapegrad::{gradgradcheck, GradcheckOptions, Tape, Tensor, Var};

const CASES: u32 = 64;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Uniform in `[lo, hi]`.
fn uniform(shape: &[usize], lo: f64, hi: f64, rng: &mut StdRng) -> Tensor<f64> {
    Tensor::uniform(shape.to_vec(), lo, hi, rng)
}

/// Magnitude uniform in `[lo, hi]`, random sign: away from a kink at 0.
fn nonzero(shape: &[usize], lo: f64, hi: f64, rng: &mut StdRng) -> Tensor<f64> {
    let mut t = uniform(shape, lo, hi, rng);
    for e in t.data_mut() {
        if rng.random::<bool>() {
            *e = -*e;
        }
    }
    t
}

/// Recorded and fused first-order gradients of `Σ f(x)·r` must agree.
fn first_orders_agree<F>(f: &F, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let tape = Tape::<f64>::new();
    let vars: Vec<_> = inputs.iter().map(|x| tape.param(x.clone())).collect();
    let y = f(&vars);
    let mut rng = StdRng::seed_from_u64(1);
    let r = Tensor::uniform(y.shape(), -1.0, 1.0, &mut rng);
    let plain = y.backward_with(&r);
    let recorded = y.grad_graph_with(tape.constant(r), &vars);
    for (k, (&v, g)) in vars.iter().zip(&recorded).enumerate() {
        prop_assert_eq!(
            g.shape(),
            v.shape(),
            "recorded gradient {} has the wrong shape",
            k
        );
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

/// The whole check for one function at one point.
fn check<F>(f: F, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError>
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    let opts = GradcheckOptions::default();
    first_orders_agree(&f, inputs)?;
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

/// One side: mostly 1 to 3, sometimes 0 (a zero-size tensor, whose
/// gradients of every order are empty).
fn side() -> impl Strategy<Value = usize> {
    prop_oneof![6 => 1usize..=3, 1 => Just(0usize)]
}

/// Any shape of rank 0 to 4 with sides 0 to 3.
fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(side(), 0..=4)
}

/// Two shapes that broadcast together: both are suffixes of one shape, with
/// some sides replaced by 1.
fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    prop::collection::vec((side(), any::<bool>(), any::<bool>()), 0..=4)
        .prop_flat_map(|dims| {
            let n = dims.len();
            (Just(dims), 0..=n, 0..=n)
        })
        .prop_map(|(dims, skip_a, skip_b)| {
            let a = dims[skip_a..]
                .iter()
                .map(|&(d, keep, _)| if keep { d } else { 1 })
                .collect();
            let b = dims[skip_b..]
                .iter()
                .map(|&(d, _, keep)| if keep { d } else { 1 })
                .collect();
            (a, b)
        })
}

/// A shape and one that broadcasts to it (a suffix, some sides set to 1).
fn big_and_small() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    prop::collection::vec((side(), any::<bool>()), 0..=4)
        .prop_flat_map(|dims| {
            let n = dims.len();
            (Just(dims), 0..=n)
        })
        .prop_map(|(dims, skip)| {
            let big = dims.iter().map(|&(d, _)| d).collect();
            let small = dims[skip..]
                .iter()
                .map(|&(d, keep)| if keep { d } else { 1 })
                .collect();
            (big, small)
        })
}

/// An elementwise op applied to one input drawn by `$gen(shape, rng)`.
macro_rules! unary_prop {
    ($name:ident, $gen:expr, |$x:ident| $body:expr) => {
        proptest! {
            #![proptest_config(config())]
            #[test]
            fn $name(shape in shape(), seed in any::<u64>()) {
                let mut rng = StdRng::seed_from_u64(seed);
                let gen: fn(&[usize], &mut StdRng) -> Tensor<f64> = $gen;
                let x = gen(&shape, &mut rng);
                check(|v| { let $x = v[0]; $body }, &[x])?;
            }
        }
    };
}

fn any_real(s: &[usize], r: &mut StdRng) -> Tensor<f64> {
    uniform(s, -2.5, 2.5, r)
}
fn off_zero(s: &[usize], r: &mut StdRng) -> Tensor<f64> {
    nonzero(s, 0.1, 2.5, r)
}
/// Away from a pole at 0: near it, the central differences of a sum over
/// all elements lose the small entries to rounding of the large ones.
fn reciprocal_safe(s: &[usize], r: &mut StdRng) -> Tensor<f64> {
    nonzero(s, 0.5, 2.5, r)
}
fn positive(s: &[usize], r: &mut StdRng) -> Tensor<f64> {
    uniform(s, 0.2, 3.0, r)
}

unary_prop!(neg, any_real, |x| -x);
unary_prop!(add_scalar, any_real, |x| x + 1.5);
unary_prop!(mul_scalar, any_real, |x| x * -2.5);
unary_prop!(div_scalar, any_real, |x| x / 3.0);
unary_prop!(rsub_scalar, any_real, |x| 2.0 - x);
unary_prop!(rdiv_scalar, reciprocal_safe, |x| 1.5 / x);
unary_prop!(powi_0, any_real, |x| x.powi(0));
unary_prop!(powi_1, any_real, |x| x.powi(1));
unary_prop!(powi_2, any_real, |x| x.powi(2));
unary_prop!(powi_3, any_real, |x| x.powi(3));
unary_prop!(powi_4, any_real, |x| x.powi(4));
unary_prop!(powi_neg_1, reciprocal_safe, |x| x.powi(-1));
unary_prop!(powi_neg_2, reciprocal_safe, |x| x.powi(-2));
unary_prop!(powf_half, positive, |x| x.powf(0.5));
unary_prop!(powf_1_5, positive, |x| x.powf(1.5));
unary_prop!(powf_neg_0_7, positive, |x| x.powf(-0.7));
unary_prop!(powf_2_5, positive, |x| x.powf(2.5));
unary_prop!(exp, any_real, |x| x.exp());
unary_prop!(log, positive, |x| x.log());
unary_prop!(sqrt, positive, |x| x.sqrt());
unary_prop!(abs, off_zero, |x| x.abs());
unary_prop!(sigmoid, |s, r| uniform(s, -6.0, 6.0, r), |x| x.sigmoid());
unary_prop!(tanh, |s, r| uniform(s, -4.0, 4.0, r), |x| x.tanh());
unary_prop!(relu, off_zero, |x| x.relu());
unary_prop!(leaky_relu, off_zero, |x| x.leaky_relu(0.2));
unary_prop!(elu, off_zero, |x| x.elu(1.0));
unary_prop!(elu_half, |s, r| nonzero(s, 0.1, 6.0, r), |x| x.elu(0.5));
unary_prop!(selu, |s, r| nonzero(s, 0.1, 6.0, r), |x| x.selu());
unary_prop!(softplus, |s, r| uniform(s, -8.0, 8.0, r), |x| x.softplus());
unary_prop!(mish, |s, r| uniform(s, -6.0, 6.0, r), |x| x.mish());
unary_prop!(step_mask, off_zero, |x| x.step() * x.powi(2));
unary_prop!(sign_mask, off_zero, |x| x.sign() * x.powi(3));
unary_prop!(sum_all, any_real, |x| x.sum());
unary_prop!(mean_all, any_real, |x| x.mean());
unary_prop!(chain_of_activations, any_real, |x| (x.tanh() * 2.0
    + x.sigmoid())
.softplus()
.mish());

/// `a ∘ b` and `b ∘ a` for two broadcastable shapes, and `a ∘ b` with `b`
/// 0-d. Both operands come from `$gen`, since each is a divisor once.
macro_rules! binary_prop {
    ($name:ident, $op:tt, $gen:expr) => {
        proptest! {
            #![proptest_config(config())]
            #[test]
            fn $name((sa, sb) in broadcast_pair(), seed in any::<u64>()) {
                let mut rng = StdRng::seed_from_u64(seed);
                let gen: fn(&[usize], &mut StdRng) -> Tensor<f64> = $gen;
                let a = gen(&sa, &mut rng);
                let b = gen(&sb, &mut rng);
                let c = gen(&[], &mut rng);
                check(|v| v[0] $op v[1], &[a.clone(), b.clone()])?;
                check(|v| v[1] $op v[0], &[a.clone(), b])?;
                check(|v| v[0] $op v[1], &[a, c])?;
            }
        }
    };
}

fn denominator(s: &[usize], r: &mut StdRng) -> Tensor<f64> {
    nonzero(s, 0.5, 2.0, r)
}

binary_prop!(add, +, any_real);
binary_prop!(sub, -, any_real);
binary_prop!(mul, *, any_real);
binary_prop!(div, /, denominator);

proptest! {
    #![proptest_config(config())]

    #[test]
    fn same_operand_twice(shape in shape(), seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = nonzero(&shape, 0.5, 2.0, &mut rng);
        check(|v| v[0] * v[0] / (v[0].exp() + 1.0) - v[0], &[x])?;
    }

    #[test]
    fn swish_scalar_beta(shape in shape(), seed in any::<u64>(), beta in -2.0f64..3.0) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = uniform(&shape, -3.0, 3.0, &mut rng);
        check(|v| v[0].swish(v[1]), &[x, Tensor::scalar(beta)])?;
    }

    #[test]
    fn swish_beta_per_unit((sx, sb) in big_and_small(), seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = uniform(&sx, -3.0, 3.0, &mut rng);
        let beta = uniform(&sb, -1.0, 2.5, &mut rng);
        check(|v| v[0].swish(v[1]), &[x, beta])?;
    }

    #[test]
    fn matmul_2d(m in 1usize..4, k in 1usize..4, n in 1usize..4, ta: bool, tb: bool, seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let a = if ta { [k, m] } else { [m, k] };
        let b = if tb { [n, k] } else { [k, n] };
        let (a, b) = (any_real(&a, &mut rng), any_real(&b, &mut rng));
        check(|v| v[0].matmul_t(v[1], ta, tb), &[a, b])?;
    }

    #[test]
    fn matmul_3d(batch in 1usize..3, m in 1usize..4, k in 1usize..4, n in 1usize..4, ta: bool, tb: bool, seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let a = if ta { [batch, k, m] } else { [batch, m, k] };
        let b = if tb { [batch, n, k] } else { [batch, k, n] };
        let (a, b) = (any_real(&a, &mut rng), any_real(&b, &mut rng));
        check(|v| v[0].matmul_t(v[1], ta, tb), &[a, b])?;
    }

    #[test]
    fn matmul_of_itself(n in 1usize..4, seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let a = any_real(&[n, n], &mut rng);
        check(|v| v[0].matmul(v[0].t()).matmul_t(v[0], false, true), &[a])?;
    }

    #[test]
    fn transpose(shape in prop::collection::vec(side(), 1..=4), d0 in 0usize..4, d1 in 0usize..4, seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let rank = shape.len();
        let (d0, d1) = ((d0 % rank) as isize, (d1 % rank) as isize - rank as isize);
        let x = any_real(&shape, &mut rng);
        check(|v| v[0].transpose(d0, d1) * v[0].transpose(d0, d1).sigmoid(), &[x])?;
    }

    #[test]
    fn reshape(shape in shape(), seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = any_real(&shape, &mut rng);
        let n = x.numel();
        check(|v| v[0].reshape([n]).tanh().reshape([1, n]), &[x])?;
    }

    #[test]
    fn sum_and_mean_axis(shape in prop::collection::vec(side(), 1..=4), axis in 0usize..4, keepdim: bool, seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let rank = shape.len();
        let axis = if axis % 2 == 0 { (axis % rank) as isize } else { -1 - (axis % rank) as isize };
        let x = any_real(&shape, &mut rng);
        check(|v| v[0].sum_axis(axis, keepdim), std::slice::from_ref(&x))?;
        check(|v| v[0].mean_axis(axis, keepdim), std::slice::from_ref(&x))?;
        check(|v| v[0].exp().mean_axis(axis, keepdim).log(), &[x])?;
    }

    #[test]
    fn sum_to_and_broadcast_to((big, small) in big_and_small(), seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = any_real(&big, &mut rng);
        let s = any_real(&small, &mut rng);
        let (b2, s2) = (big.clone(), small.clone());
        check(move |v| v[0].sum_to(s2.clone()), &[x])?;
        check(move |v| v[0].broadcast_to(b2.clone()).sigmoid(), &[s])?;
    }

    #[test]
    fn softmax(shape in prop::collection::vec(side(), 1..=3), seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = uniform(&shape, -3.0, 3.0, &mut rng);
        check(|v| v[0].softmax(), &[x])?;
    }

    #[test]
    fn log_softmax(shape in prop::collection::vec(side(), 1..=3), seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = uniform(&shape, -3.0, 3.0, &mut rng);
        check(|v| v[0].log_softmax(), &[x])?;
    }

    #[test]
    fn mse(shape in shape(), seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let p = any_real(&shape, &mut rng);
        let t = any_real(&shape, &mut rng);
        check(|v| v[0].mse(v[1]), &[p, t])?;
    }

    #[test]
    fn cross_entropy(targets in prop::collection::vec(0usize..4, 1..5), classes in 1usize..5, seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let targets: Vec<usize> = targets.iter().map(|t| t % classes).collect();
        let x = uniform(&[targets.len(), classes], -3.0, 3.0, &mut rng);
        check(|v| v[0].cross_entropy(&targets), &[x])?;
    }

    #[test]
    fn bce_with_logits(shape in shape(), seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = uniform(&shape, -4.0, 4.0, &mut rng);
        let t = uniform(&shape, 0.0, 1.0, &mut rng);
        check(|v| v[0].binary_cross_entropy_with_logits(v[1]), &[x.clone(), t.clone()])?;
        check(
            |v| {
                let t = v[0].tape().constant(t.clone());
                v[0].binary_cross_entropy_with_logits(t)
            },
            &[x],
        )?;
    }

    #[test]
    fn small_network(n in 1usize..4, seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let x = any_real(&[n, 3], &mut rng);
        let w1 = any_real(&[3, 4], &mut rng);
        let b1 = any_real(&[4], &mut rng);
        let w2 = any_real(&[4, 2], &mut rng);
        let targets: Vec<usize> = (0..n).map(|i| i % 2).collect();
        check(|v| (v[0].matmul(v[1]) + v[2]).tanh().matmul(v[3]).cross_entropy(&targets), &[x, w1, b1, w2])?;
    }
}

/// `d³/dx³` through three nested recorded backwards, against closed forms.
fn third_derivative(f: impl for<'t> Fn(Var<'t, f64>) -> Var<'t, f64>, x: f64) -> f64 {
    let tape = Tape::<f64>::new();
    let v = tape.scalar(x);
    let d1 = f(v).grad_graph(&[v])[0];
    let d2 = d1.grad_graph(&[v])[0];
    let d3 = d2.grad_graph(&[v])[0];
    let plain = d2.backward()[v].item();
    assert!(
        (plain - d3.item()).abs() <= 1e-12 * (1.0 + plain.abs()),
        "recorded {} vs plain {plain}",
        d3.item()
    );
    d3.item()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-11 * (1.0 + b.abs())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn third_derivative_of_tanh(x in -4.0f64..4.0) {
        let t = x.tanh();
        let expected = (1.0 - t * t) * (6.0 * t * t - 2.0);
        prop_assert!(close(third_derivative(|v| v.tanh(), x), expected));
    }

    #[test]
    fn third_derivative_of_x_sigmoid_x(x in -6.0f64..6.0) {
        // s' = s(1−s), s'' = s'(1−2s), s''' = s'(1−6s+6s²); (x·s)''' = 3s'' + x·s'''
        let s = 1.0 / (1.0 + (-x).exp());
        let d1 = s * (1.0 - s);
        let expected = 3.0 * d1 * (1.0 - 2.0 * s) + x * d1 * (1.0 - 6.0 * s + 6.0 * s * s);
        prop_assert!(close(third_derivative(|v| v * v.sigmoid(), x), expected));
    }

    #[test]
    fn third_derivative_of_log_and_powers(x in 0.2f64..3.0) {
        prop_assert!(close(third_derivative(|v| v.log(), x), 2.0 / x.powi(3)));
        prop_assert!(close(third_derivative(|v| v.powi(5), x), 60.0 * x * x));
        prop_assert!(close(third_derivative(|v| v.powf(2.5), x), 2.5 * 1.5 * 0.5 * x.powf(-0.5)));
        prop_assert!(close(third_derivative(|v| v.sqrt(), x), 0.375 * x.powf(-2.5)));
        prop_assert!(close(third_derivative(|v| (v * 0.5).exp(), x), 0.125 * (0.5 * x).exp()));
    }

    #[test]
    fn third_derivative_of_elu_left_side(x in -5.0f64..-0.1) {
        prop_assert!(close(third_derivative(|v| v.elu(0.7), x), 0.7 * x.exp()));
        prop_assert!(close(third_derivative(|v| v.selu(), x), tapegrad::SELU_SCALE * tapegrad::SELU_ALPHA * x.exp()));
    }
}
