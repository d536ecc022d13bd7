//! `x.bias_act(b, act)`, the fused `act(x + b)`: finite-difference property
//! tests in f64, first and second order, on random broadcast pairs and on
//! bias rows (0-d, 1-d and zero-size included); equality with the unfused
//! `(x + b).act()` in values and gradients, in f64 and f32; PyTorch's
//! derivatives at the kink z = 0; every operand's gradient when only some
//! need one; and third order against the unfused composition.

#[path = "support/props_v2.rs"]
mod props;

use props::{broadcast_pair, check, config, values};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::{Act, Float, Tape, Tensor, Var, SELU_ALPHA, SELU_SCALE};

/// Every activation, with the parameters of the parametric ones.
const ACTS: [Act; 7] = [
    Act::Identity,
    Act::Relu,
    Act::LeakyRelu(0.1),
    Act::Elu(0.7),
    Act::Selu,
    Act::Sigmoid,
    Act::Tanh,
];

/// The unfused composition `(x + b).act()`.
fn unfused<'t, T: Float>(x: Var<'t, T>, b: Var<'t, T>, act: Act) -> Var<'t, T> {
    let z = x + b;
    match act {
        Act::Identity => z,
        Act::Relu => z.relu(),
        Act::LeakyRelu(a) => z.leaky_relu(a),
        Act::Elu(a) => z.elu(a),
        Act::Selu => z.selu(),
        Act::Sigmoid => z.sigmoid(),
        Act::Tanh => z.tanh(),
    }
}

/// `x` in ±[0.1, 2) and `b` in ±0.05, so that `z = x + b` stays 0.05 away
/// from the kink at 0 where finite differences are meaningless.
fn away_from_kink(
    (sx, sb): (Vec<usize>, Vec<usize>),
) -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    (
        values(sx, -2.0, 2.0, &[0.0], 0.1),
        values(sb, -0.05, 0.05, &[], 0.0),
    )
}

/// `x` of shape `[m, n]` (m may be 0) and a bias of shape `[n]` or `[1, n]`.
fn bias_row() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (0usize..=4, 1usize..=5, any::<bool>()).prop_map(|(m, n, keep_dim)| {
        let b = if keep_dim { vec![1, n] } else { vec![n] };
        (vec![m, n], b)
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_broadcast_pair((x, b) in broadcast_pair().prop_flat_map(away_from_kink)) {
        for act in ACTS {
            check(&[x.clone(), b.clone()], |v| v[0].bias_act(v[1], act))?;
        }
    }

    #[test]
    fn a_bias_row((x, b) in bias_row().prop_flat_map(away_from_kink)) {
        for act in ACTS {
            check(&[x.clone(), b.clone()], |v| v[0].bias_act(v[1], act))?;
        }
    }

    #[test]
    fn the_bias_on_the_left((b, x) in bias_row().prop_flat_map(|(sx, sb)| away_from_kink((sb, sx)))) {
        for act in ACTS {
            check(&[x.clone(), b.clone()], |v| v[0].bias_act(v[1], act))?;
        }
    }

    #[test]
    fn equals_the_unfused_f64((sx, sb) in prop_oneof![bias_row(), broadcast_pair()], seed in 0u64..1000) {
        equals_unfused::<f64>(&sx, &sb, seed)?;
    }

    #[test]
    fn equals_the_unfused_f32((sx, sb) in prop_oneof![bias_row(), broadcast_pair()], seed in 0u64..1000) {
        equals_unfused::<f32>(&sx, &sb, seed)?;
    }
}

/// Values, `∂L/∂x` and `∂L/∂b` of the fused op against `(x + b).act()`
/// for a random upstream gradient: the same bits, except `Elu` and
/// `Selu`'s gradients, whose left-branch derivative `α·e^z` the fused op
/// takes as `y + α` from its output: within an ulp of α per element in
/// 30,000 cases (2 allowed), times the elements an operand element reached
/// when it was broadcast.
fn equals_unfused<T: Float>(sx: &[usize], sb: &[usize], seed: u64) -> Result<(), TestCaseError> {
    let rng = &mut StdRng::seed_from_u64(seed);
    let xv = Tensor::<T>::uniform(sx.to_vec(), T::from_f64(-3.0), T::from_f64(3.0), rng);
    let bv = Tensor::<T>::uniform(sb.to_vec(), -T::one(), T::one(), rng);
    for act in ACTS {
        let tape = Tape::<T>::new();
        let (x, b) = (tape.param(xv.clone()), tape.param(bv.clone()));
        let (fused, plain) = (x.bias_act(b, act), unfused(x, b, act));
        let (vf, vp) = (fused.value(), plain.value());
        prop_assert_eq!(vf.data(), vp.data(), "{:?} values", act);
        let r = Tensor::<T>::uniform(fused.shape(), -T::one(), T::one(), rng);
        let (gf, gp) = (fused.backward_with(&r), plain.backward_with(&r));
        // How many output elements each operand element reached.
        let reps = |t: &Tensor<T>| (fused.shape().numel() / t.shape().numel().max(1)).max(1) as f64;
        let ulps_of_alpha = match act {
            Act::Elu(a) => 2.0 * a * Float::to_f64(T::epsilon()),
            Act::Selu => 2.0 * SELU_SCALE * SELU_ALPHA * Float::to_f64(T::epsilon()),
            _ => 0.0,
        };
        for (name, v, bound) in [
            ("x", x, reps(&xv) * ulps_of_alpha),
            ("b", b, reps(&bv) * ulps_of_alpha),
        ] {
            let (f, p) = (gf[v].data(), gp[v].data());
            prop_assert_eq!(f.len(), p.len());
            for (j, (f, p)) in f.iter().zip(p).enumerate() {
                let (f, p) = (Float::to_f64(*f), Float::to_f64(*p));
                prop_assert!(
                    (f - p).abs() <= bound,
                    "{:?} ∂L/∂{} at {}: {:e} vs {:e}",
                    act,
                    name,
                    j,
                    f,
                    p
                );
            }
        }
    }
    Ok(())
}

#[test]
fn derivatives_at_the_kink_are_pytorchs() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![-1.0, 0.0, 1.0], [1, 3]));
    let b = tape.param(Tensor::from_vec(vec![1.0, 0.0, -1.0], [3]));
    let cases = [
        (Act::Relu, 0.0),
        (Act::LeakyRelu(0.1), 0.1),
        (Act::Elu(0.7), 0.7),
        (Act::Selu, SELU_SCALE * SELU_ALPHA),
        (Act::Identity, 1.0),
    ];
    for (act, at_zero) in cases {
        let y = x.bias_act(b, act);
        assert_eq!(y.value().data(), &[0.0; 3], "{act:?}");
        let g = y.sum().backward();
        assert_eq!(g[x].data(), &[at_zero; 3], "{act:?}");
        assert_eq!(g[b].data(), &[at_zero; 3], "{act:?}");
    }
}

/// A loss that `b` also reaches on its own, beside `y = act(x + b)`.
fn loss<'t>(y: Var<'t, f64>, b: Var<'t, f64>) -> Var<'t, f64> {
    (y * y).sum() + b.sum() * y.mean()
}

/// The fused bias-row pass runs only when both operands need a gradient;
/// every other combination, a bias used twice, one node as both operands
/// and a 0-d bias must still give each operand its whole gradient.
#[test]
fn every_operand_that_needs_a_gradient_gets_it() {
    let rng = &mut StdRng::seed_from_u64(7);
    let xv = Tensor::<f64>::uniform([4, 3], -2.0, 2.0, rng);
    let bv = Tensor::<f64>::uniform([3], -1.0, 1.0, rng);
    let b0 = Tensor::<f64>::uniform(Vec::<usize>::new(), -1.0, 1.0, rng);
    for act in ACTS {
        for (x_param, b_param) in [(true, true), (true, false), (false, true)] {
            for bias in [&bv, &b0] {
                let tape = Tape::<f64>::new();
                let leaf = |t: &Tensor<f64>, p: bool| {
                    if p {
                        tape.param(t.clone())
                    } else {
                        tape.constant(t.clone())
                    }
                };
                let (x, b) = (leaf(&xv, x_param), leaf(bias, b_param));
                let gf = loss(x.bias_act(b, act), b).backward();
                let gp = loss(unfused(x, b, act), b).backward();
                for (v, wanted) in [(x, x_param), (b, b_param)] {
                    assert_eq!(gf.get(v).is_some(), wanted, "{act:?}");
                    if let (Some(f), Some(p)) = (gf.get(v), gp.get(v)) {
                        assert!(f.max_abs_diff(p) <= 1e-14, "{act:?} {x_param} {b_param}");
                    }
                }
            }
        }
        let tape = Tape::<f64>::new();
        let x = tape.param(xv.clone());
        let gf = x.bias_act(x, act).sum().backward();
        let gp = unfused(x, x, act).sum().backward();
        assert!(gf[x].max_abs_diff(&gp[x]) <= 1e-14, "{act:?} x with itself");
    }
}

/// `(x, b) ↦ y`, fused or not.
type Layer = dyn for<'t> Fn(Var<'t, f64>, Var<'t, f64>) -> Var<'t, f64>;

/// Third derivatives of `Σ act(x + b)·w` along the bias, from the recorded
/// rule differentiated twice, against the unfused composition.
#[test]
fn third_order_matches_the_unfused() {
    let rng = &mut StdRng::seed_from_u64(3);
    let xv = Tensor::<f64>::uniform([3, 4], -2.0, 2.0, rng);
    let bv = Tensor::<f64>::uniform([4], -0.5, 0.5, rng);
    let wv = Tensor::<f64>::uniform([3, 4], -1.0, 1.0, rng);
    let third = |f: &Layer| {
        let tape = Tape::<f64>::new();
        let (x, b, w) = (
            tape.param(xv.clone()),
            tape.param(bv.clone()),
            tape.constant(wv.clone()),
        );
        let l = (f(x, b) * w).sum();
        let gb = l.grad_graph(&[b])[0].sum();
        let hb = gb.grad_graph(&[b])[0].sum();
        let t = hb.grad_graph(&[x, b]);
        (t[0].value(), t[1].value())
    };
    for act in ACTS {
        let (fx, fb) = third(&move |x, b| x.bias_act(b, act));
        let (px, pb) = third(&move |x, b| unfused(x, b, act));
        assert!(fx.max_abs_diff(&px) <= 1e-12, "{act:?} ∂³/∂x∂b²");
        assert!(fb.max_abs_diff(&pb) <= 1e-12, "{act:?} ∂³/∂b³");
    }
}

#[test]
fn a_shape_error_names_the_op_and_both_shapes() {
    let err = std::panic::catch_unwind(|| {
        let tape = Tape::<f64>::new();
        let x = tape.param(Tensor::ones([2, 3]));
        let _ = x.bias_act(tape.param(Tensor::ones([4])), Act::Tanh);
    })
    .expect_err("[2, 3] and [4] do not broadcast");
    let msg = err.downcast_ref::<String>().expect("a formatted message");
    assert!(
        msg.contains("bias_act") && msg.contains("[2, 3]") && msg.contains("[4]"),
        "{msg}"
    );
}
