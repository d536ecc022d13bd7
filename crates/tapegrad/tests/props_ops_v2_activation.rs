//! ops v2, activations: finite-difference property tests in f64, first and
//! second order, on random shapes (0-d and zero-size included), and exact
//! checks of PyTorch's conventions at kinks and boundaries.

#[path = "support/props_v2.rs"]
mod props;

use props::{check, config, tensor, value_and_grad, values};
use proptest::prelude::*;
use tapegrad::{Tape, Tensor};

proptest! {
    #![proptest_config(config())]

    #[test]
    fn softsign(x in tensor(-5.0, 5.0, &[0.0], 0.05)) {
        check(&[x], |v| v[0].softsign())?;
    }

    #[test]
    fn gelu(x in tensor(-4.0, 4.0, &[], 0.0)) {
        check(std::slice::from_ref(&x), |v| v[0].gelu())?;
        check(&[x], |v| v[0].gelu_tanh())?;
    }

    #[test]
    fn silu(x in tensor(-6.0, 6.0, &[], 0.0)) {
        check(&[x], |v| v[0].silu())?;
    }

    #[test]
    fn hardtanh(x in tensor(-2.0, 2.0, &[-1.0, 1.5], 0.05)) {
        check(&[x], |v| v[0].hardtanh(-1.0, 1.5))?;
    }

    #[test]
    fn relu6(x in tensor(-2.0, 8.0, &[0.0, 6.0], 0.05)) {
        check(&[x], |v| v[0].relu6())?;
    }

    #[test]
    fn hardsigmoid_and_hardswish(x in tensor(-5.0, 5.0, &[-3.0, 3.0], 0.05)) {
        check(std::slice::from_ref(&x), |v| v[0].hardsigmoid())?;
        check(&[x], |v| v[0].hardswish())?;
    }

    #[test]
    fn celu(x in tensor(-4.0, 4.0, &[0.0], 0.05), alpha in 0.3f64..2.5) {
        check(&[x], |v| v[0].celu(alpha))?;
    }

    #[test]
    fn logsigmoid(x in tensor(-10.0, 10.0, &[], 0.0)) {
        check(&[x], |v| v[0].logsigmoid())?;
    }

    #[test]
    fn prelu_per_channel(
        (x, w) in (1usize..=3, 0usize..=3, prop::collection::vec(0usize..=3, 0..=2))
            .prop_flat_map(|(c, n, rest)| {
                let mut d = vec![n, c];
                d.extend(rest);
                (values(d, -2.0, 2.0, &[0.0], 0.05), values(vec![c], 0.05, 0.5, &[], 0.0))
            })
    ) {
        check(&[x, w], |v| v[0].prelu(v[1]))?;
    }

    #[test]
    fn prelu_shared(x in tensor(-2.0, 2.0, &[0.0], 0.05), w in -0.5f64..0.5) {
        check(&[x, Tensor::from_vec(vec![w], [1])], |v| v[0].prelu(v[1]))?;
    }
}

#[test]
fn softsign_is_smooth_at_zero() {
    let (y, g) = value_and_grad(&[0.0, -0.0, 1.0, -3.0], |x| x.softsign());
    assert_eq!(y, [0.0, 0.0, 0.5, -0.75]);
    assert_eq!(g, [1.0, 1.0, 0.25, 0.0625]);
}

#[test]
fn gelu_at_zero_and_far_out() {
    let (y, g) = value_and_grad(&[0.0, 40.0, -40.0], |x| x.gelu());
    assert_eq!((y, g), (vec![0.0, 40.0, -0.0], vec![0.5, 1.0, 0.0]));
    let (y, g) = value_and_grad(&[0.0, 40.0, -40.0], |x| x.gelu_tanh());
    assert_eq!((y, g), (vec![0.0, 40.0, -0.0], vec![0.5, 1.0, 0.0]));
}

#[test]
fn silu_saturates_without_nan() {
    let (y, g) = value_and_grad(&[-800.0, 800.0, 0.0], |x| x.silu());
    assert_eq!((y, g), (vec![-0.0, 800.0, 0.0], vec![0.0, 1.0, 0.5]));
}

#[test]
fn hard_activations_follow_pytorch_at_their_kinks() {
    let just_inside = 3.0 - 2.0 * f64::EPSILON; // 2.9999999999999996
    let (y, g) = value_and_grad(&[-3.0, just_inside, 3.0, 0.0], |x| x.hardsigmoid());
    assert_eq!(y, [0.0, 1.0, 1.0, 0.5]);
    assert_eq!(g, [0.0, 1.0 / 6.0, 0.0, 1.0 / 6.0]);
    let (y, g) = value_and_grad(&[-3.0, 3.0, 0.0, -4.0, 4.0], |x| x.hardswish());
    assert_eq!(y, [0.0, 3.0, 0.0, 0.0, 4.0]);
    assert_eq!(g, [0.0, 1.0, 0.5, 0.0, 1.0]);
    let (y, g) = value_and_grad(&[0.0, 6.0, 3.0, -1.0, 7.0], |x| x.relu6());
    assert_eq!(
        (y, g),
        (vec![0.0, 6.0, 3.0, 0.0, 6.0], vec![0.0, 0.0, 1.0, 0.0, 0.0])
    );
    let (_, g) = value_and_grad(&[-1.0, 1.0, 1.0 - f64::EPSILON / 2.0], |x| {
        x.hardtanh(-1.0, 1.0)
    });
    assert_eq!(g, [0.0, 0.0, 1.0]);
}

#[test]
fn celu_and_logsigmoid_edges() {
    let (y, g) = value_and_grad(&[0.0, -0.0, 1.0, -1000.0], |x| x.celu(0.5));
    assert_eq!(y, [0.0, 0.0, 1.0, -0.5]);
    assert_eq!(g, [1.0, 1.0, 1.0, 0.0]);
    let (y, g) = value_and_grad(&[-1e4, 1e4, 0.0, 700.0], |x| x.logsigmoid());
    assert_eq!((y[0], g[0], y[1], g[1]), (-1e4, 1.0, 0.0, 0.0));
    assert_eq!((y[2], g[2]), (-(2f64.ln()), 0.5));
    assert!(y[3] <= 0.0 && y[3] > -1e-300);
}

#[test]
fn prelu_gives_the_slope_at_zero_and_shapes_as_torch() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![0.0, -0.0, 2.0, -4.0], [2, 2]));
    let w = tape.param(Tensor::from_vec(vec![0.25], [1]));
    let y = x.prelu(w);
    assert_eq!(y.shape(), x.shape());
    let g = y.sum().backward();
    assert_eq!(g[x].data(), &[0.25, 0.25, 1.0, 0.25]);
    assert_eq!(g[w].data(), &[-4.0]);
    // 0-d input with a shared slope stays 0-d.
    let s = tape.param(Tensor::scalar(-2.0));
    assert_eq!(s.prelu(w).shape().rank(), 0);
}

#[test]
#[should_panic(
    expected = "prelu: weight of shape [3] is neither one slope nor one per channel of x of shape [2, 2]"
)]
fn prelu_names_a_bad_weight() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::zeros([2, 2]));
    let _ = x.prelu(tape.param(Tensor::zeros([3])));
}
