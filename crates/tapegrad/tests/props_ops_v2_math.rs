//! ops v2, elementwise math of one tensor and the rounding masks:
//! finite-difference property tests in f64, first and second order, on
//! random shapes (0-d and zero-size included), and exact checks of
//! PyTorch's conventions (clamp at its bounds, round half to even, zero
//! gradients of the masks).

#[path = "support/props_v2.rs"]
mod props;

use props::{check, config, tensor, value_and_grad};
use proptest::prelude::*;

/// The integers and half-integers in [−4, 4]: the jumps of floor, ceil
/// and round, where finite differences are meaningless.
const STEPS: &[f64] = &[
    -4.0, -3.5, -3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0,
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sin(x in tensor(-4.0, 4.0, &[], 0.0)) { check(&[x], |v| v[0].sin())?; }

    #[test]
    fn cos(x in tensor(-4.0, 4.0, &[], 0.0)) { check(&[x], |v| v[0].cos())?; }

    #[test]
    fn tan(x in tensor(-1.2, 1.2, &[], 0.0)) { check(&[x], |v| v[0].tan())?; }

    #[test]
    fn atan(x in tensor(-4.0, 4.0, &[], 0.0)) { check(&[x], |v| v[0].atan())?; }

    #[test]
    fn sinh(x in tensor(-3.0, 3.0, &[], 0.0)) { check(&[x], |v| v[0].sinh())?; }

    #[test]
    fn cosh(x in tensor(-3.0, 3.0, &[], 0.0)) { check(&[x], |v| v[0].cosh())?; }

    #[test]
    fn log1p(x in tensor(-0.8, 3.0, &[], 0.0)) { check(&[x], |v| v[0].log1p())?; }

    #[test]
    fn expm1(x in tensor(-3.0, 3.0, &[], 0.0)) { check(&[x], |v| v[0].expm1())?; }

    #[test]
    fn erf(x in tensor(-3.0, 3.0, &[], 0.0)) { check(&[x], |v| v[0].erf())?; }

    #[test]
    fn reciprocal(x in tensor(-3.0, 3.0, &[0.0], 0.3)) { check(&[x], |v| v[0].reciprocal())?; }

    #[test]
    fn square(x in tensor(-3.0, 3.0, &[], 0.0)) { check(&[x], |v| v[0].square())?; }

    #[test]
    fn rsqrt(x in tensor(0.2, 4.0, &[], 0.0)) { check(&[x], |v| v[0].rsqrt())?; }

    #[test]
    fn clamp_both(x in tensor(-2.0, 2.0, &[-0.5, 1.0], 0.05)) {
        check(&[x], |v| v[0].clamp(Some(-0.5), Some(1.0)))?;
    }

    #[test]
    fn clamp_one_side(x in tensor(-2.0, 2.0, &[0.25], 0.05)) {
        check(std::slice::from_ref(&x), |v| v[0].clamp(Some(0.25), None))?;
        check(&[x], |v| v[0].clamp(None, Some(0.25)))?;
    }

    #[test]
    fn rounding_has_zero_gradient(x in tensor(-4.0, 4.0, STEPS, 0.05)) {
        check(std::slice::from_ref(&x), |v| v[0].floor())?;
        check(std::slice::from_ref(&x), |v| v[0].ceil())?;
        check(std::slice::from_ref(&x), |v| v[0].round())?;
        check(&[x], |v| v[0].sign())?;
    }
}

#[test]
fn clamp_gradient_is_zero_at_a_bound_and_one_an_ulp_inside() {
    let inside = 1.0 - f64::EPSILON / 2.0;
    let xs = [-2.0, -1.0, -inside, 0.0, inside, 1.0, 2.0];
    let (y, g) = value_and_grad(&xs, |x| x.clamp(Some(-1.0), Some(1.0)));
    assert_eq!(y, [-1.0, -1.0, -inside, 0.0, inside, 1.0, 1.0]);
    assert_eq!(g, [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
    // One bound: 0 at it as well.
    assert_eq!(
        value_and_grad(&[-1.0, 0.0], |x| x.clamp(Some(-1.0), None)).1,
        [0.0, 1.0]
    );
    assert_eq!(
        value_and_grad(&[1.0, 0.0], |x| x.clamp(None, Some(1.0))).1,
        [0.0, 1.0]
    );
    // min ≥ max: the value is max and the gradient 0 everywhere.
    let (y, g) = value_and_grad(&[-2.0, 0.0, 2.0], |x| x.clamp(Some(1.0), Some(-1.0)));
    assert_eq!((y, g), (vec![-1.0; 3], vec![0.0; 3]));
    let (_, g) = value_and_grad(&[0.5, 0.0], |x| x.clamp(Some(0.5), Some(0.5)));
    assert_eq!(g, [0.0, 0.0]);
}

#[test]
#[should_panic(expected = "clamp: give at least one of min and max")]
fn clamp_without_bounds_is_an_error() {
    let tape = tapegrad::Tape::<f64>::new();
    let _ = tape.scalar(1.0).clamp(None, None);
}

#[test]
fn round_takes_halves_to_even() {
    let xs = [
        0.5,
        1.5,
        2.5,
        -0.5,
        -1.5,
        0.49999999999999994,
        4503599627370497.0,
        -2.7,
    ];
    let (y, g) = value_and_grad(&xs, |x| x.round());
    assert_eq!(
        y,
        [0.0, 2.0, 2.0, -0.0, -2.0, 0.0, 4503599627370497.0, -3.0]
    );
    assert!(y[3].is_sign_negative());
    assert_eq!(g, [0.0; 8]);
}

#[test]
fn masks_have_zero_gradient_at_their_jumps() {
    let xs = [-1.0, -0.0, 0.0, 1.0, 2.5];
    for f in [
        (|x| x.floor()) as for<'t> fn(tapegrad::Var<'t, f64>) -> tapegrad::Var<'t, f64>,
        |x| x.ceil(),
        |x| x.round(),
        |x| x.sign(),
    ] {
        assert_eq!(value_and_grad(&xs, f).1, [0.0; 5]);
    }
    assert_eq!(
        value_and_grad(&xs, |x| x.sign()).0,
        [-1.0, 0.0, 0.0, 1.0, 1.0]
    );
    assert_eq!(
        value_and_grad(&xs, |x| x.floor()).0,
        [-1.0, -0.0, 0.0, 1.0, 2.0]
    );
    assert_eq!(
        value_and_grad(&xs, |x| x.ceil()).0,
        [-1.0, -0.0, 0.0, 1.0, 3.0]
    );
}

#[test]
fn edge_values_match_pytorch() {
    // expm1's gradient is eˣ itself: not 0 far left, exact near 0.
    let (y, g) = value_and_grad(&[-700.0, 1e-20], |x| x.expm1());
    assert_eq!((y[0], g[0]), (-1.0, (-700f64).exp()));
    assert_eq!((y[1], g[1]), (1e-20, 1.0));
    let (y, g) = value_and_grad(&[-0.999, 1e-300], |x| x.log1p());
    assert!((g[0] - 1000.0).abs() < 1e-9 && y[1] == 1e-300 && g[1] == 1.0);
    let (y, g) = value_and_grad(&[1e-8], |x| x.rsqrt());
    assert!((y[0] - 1e4).abs() < 1e-9 && (g[0] + 0.5e12).abs() < 1e-3);
    let (y, _) = value_and_grad(&[30.0, -6.0], |x| x.erf());
    assert_eq!(y[0], 1.0);
    assert!((y[1] + 1.0).abs() < 1e-15);
}
