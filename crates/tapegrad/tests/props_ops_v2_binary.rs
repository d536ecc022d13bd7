//! ops v2, elementwise functions of two (or three) broadcast tensors:
//! `pow`, `atan2`, `maximum`, `minimum`, the comparisons and `where_`.
//! Finite-difference property tests in f64, first and second order, on
//! random broadcast shapes (0-d and zero-size included), and exact checks
//! of PyTorch's conventions (half-split ties, masked partials at 0, the
//! origin of atan2, no NaN from the branch `where_` does not take).

#[path = "support/props_v2.rs"]
mod props;

use props::{broadcast_pair, check, config, tensor_pair, values};
use proptest::prelude::*;
use tapegrad::{where_, Tape, Tensor, Var};

/// Moves every value to `floor(v) + offset + 0.1·frac(v)`: two tensors
/// snapped with offsets 0.25 and 0.75 are never within 0.3 of each other,
/// so maximum/minimum/comparisons see no tie and no crossing.
fn snap(t: Tensor<f64>, offset: f64) -> Tensor<f64> {
    let d = t.shape().clone();
    let v = t
        .data()
        .iter()
        .map(|&e| e.floor() + offset + 0.1 * (e - e.floor()))
        .collect();
    Tensor::from_vec(v, d)
}

/// Two tensors of a broadcast pair that never tie (see [`snap`]).
fn separated_pair() -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    tensor_pair(-3.0, 3.0, &[], 0.0).prop_map(|(a, b)| (snap(a, 0.25), snap(b, 0.75)))
}

/// Three shapes that broadcast together (suffixes of one shape, some sides
/// set to 1), for `where_`'s mask and its two operands.
fn broadcast_triple() -> impl Strategy<Value = [Vec<usize>; 3]> {
    (
        broadcast_pair(),
        0usize..=4,
        prop::collection::vec(any::<bool>(), 4),
    )
        .prop_map(|((a, b), skip, ones)| {
            let full: Vec<usize> = if a.len() >= b.len() {
                a.clone()
            } else {
                b.clone()
            };
            let skip = skip.min(full.len());
            let c = full[skip..]
                .iter()
                .zip(&ones)
                .map(|(&d, &one)| if one { 1 } else { d })
                .collect();
            [c, a, b]
        })
}

/// A function of two recorded values.
type BinOp = for<'t> fn(Var<'t, f64>, Var<'t, f64>) -> Var<'t, f64>;

/// The same comparison of two `f64`s.
type Reference = fn(&f64, &f64) -> bool;

/// The comparisons, each with its reference on `f64`.
const COMPARISONS: [(BinOp, Reference); 6] = [
    (|a, b| a.gt(b), f64::gt),
    (|a, b| a.ge(b), f64::ge),
    (|a, b| a.lt(b), f64::lt),
    (|a, b| a.le(b), f64::le),
    (|a, b| a.eq(b), f64::eq),
    (|a, b| a.ne(b), f64::ne),
];

fn mask(d: Vec<usize>) -> impl Strategy<Value = Tensor<f64>> {
    let n: usize = d.iter().product();
    prop::collection::vec(any::<bool>(), n)
        .prop_map(move |m| Tensor::from_vec(m.into_iter().map(f64::from).collect(), d.clone()))
}

fn where_case() -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>, Tensor<f64>)> {
    broadcast_triple().prop_flat_map(|[c, a, b]| {
        (
            mask(c),
            values(a, -2.0, 2.0, &[], 0.0),
            values(b, -2.0, 2.0, &[], 0.0),
        )
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn pow((x, y) in tensor_pair(0.3, 2.5, &[], 0.0), shift in -2.0f64..0.0) {
        // Exponents in [−2, 2]: shift the second tensor down.
        let y = Tensor::from_vec(y.data().iter().map(|e| e + shift).collect(), y.shape().clone());
        check(&[x, y], |v| v[0].pow(v[1]))?;
    }

    #[test]
    fn atan2((y, x) in tensor_pair(-2.0, 2.0, &[0.0], 0.3)) {
        check(&[y, x], |v| v[0].atan2(v[1]))?;
    }

    #[test]
    fn maximum((a, b) in separated_pair()) {
        check(&[a, b], |v| v[0].maximum(v[1]))?;
    }

    #[test]
    fn minimum((a, b) in separated_pair()) {
        check(&[a, b], |v| v[0].minimum(v[1]))?;
    }

    #[test]
    fn comparisons_have_zero_gradient((a, b) in separated_pair()) {
        for (f, _) in COMPARISONS {
            check(&[a.clone(), b.clone()], |v| f(v[0], v[1]) * v[0])?;
        }
    }

    #[test]
    fn comparisons_match_f64((a, b) in separated_pair(), tie in any::<bool>()) {
        // With `tie`, compare a with itself: every element is a tie.
        let b = if tie { a.clone() } else { b };
        let tape = Tape::<f64>::new();
        let (va, vb) = (tape.constant(a.clone()), tape.constant(b.clone()));
        for (op, reference) in COMPARISONS {
            let got = op(va, vb).value();
            let want = (va + vb * 0.0).value(); // the broadcast shape
            prop_assert_eq!(got.shape(), want.shape());
            let ab = (va * 1.0 + vb * 0.0).value();
            let ba = (va * 0.0 + vb * 1.0).value();
            for ((g, x), y) in got.data().iter().zip(ab.data()).zip(ba.data()) {
                prop_assert_eq!(*g, f64::from(u8::from(reference(x, y))));
            }
        }
    }

    #[test]
    fn where_selects((c, a, b) in where_case()) {
        check(&[a, b], |v| {
            let cond = v[0].tape().constant(c.clone());
            where_(cond, v[0], v[1])
        })?;
    }
}

#[test]
fn maximum_and_minimum_split_ties_in_half() {
    let tape = Tape::<f64>::new();
    let a = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 0.0], [4]));
    let b = tape.param(Tensor::from_vec(vec![2.0, 2.0, 2.0, -0.0], [4]));
    let g = a.maximum(b).sum().backward();
    assert_eq!(g[a].data(), &[0.0, 0.5, 1.0, 0.5]);
    assert_eq!(g[b].data(), &[1.0, 0.5, 0.0, 0.5]);
    let g = a.minimum(b).sum().backward();
    assert_eq!(g[a].data(), &[1.0, 0.5, 0.0, 0.5]);
    assert_eq!(g[b].data(), &[0.0, 0.5, 1.0, 0.5]);
    // A broadcast operand collects its halves: b = 2 ties once.
    let s = tape.param(Tensor::from_vec(vec![2.0], [1]));
    let g = a.maximum(s).sum().backward();
    assert_eq!(g[s].data(), &[2.5]); // 1 + ½ + 0 + 1
    assert!(a.maximum(tape.constant_scalar(f64::NAN)).value().data()[0].is_nan());
}

#[test]
fn pow_at_zero_follows_pytorch() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![0.0, 0.0, 0.0, 2.0], [4]));
    let y = tape.param(Tensor::from_vec(vec![0.0, 1.0, 2.0, 0.0], [4]));
    let z = x.pow(y);
    assert_eq!(z.value().data(), &[1.0, 0.0, 0.0, 1.0]);
    let g = z.sum().backward();
    assert_eq!(g[x].data(), &[0.0, 1.0, 0.0, 0.0]); // masked where y == 0
    assert_eq!(g[y].data(), &[0.0, 0.0, 0.0, 2f64.ln()]); // masked where x == 0
                                                          // The recorded rule agrees (and stays finite) at 0.
    let gs = z.sum().grad_graph(&[x, y]);
    assert_eq!(gs[0].value().data(), g[x].data());
    assert_eq!(gs[1].value().data(), g[y].data());
}

#[test]
fn atan2_has_zero_partials_at_the_origin() {
    let tape = Tape::<f64>::new();
    let y = tape.param(Tensor::from_vec(vec![0.0, 1.0, -1.0], [3]));
    let x = tape.param(Tensor::from_vec(vec![0.0, 0.0, -1.0], [3]));
    let a = y.atan2(x);
    let pi = std::f64::consts::PI;
    assert_eq!(a.value().data(), &[0.0, pi / 2.0, -3.0 * pi / 4.0]);
    let g = a.sum().backward();
    assert_eq!(g[y].data(), &[0.0, 0.0, -0.5]);
    assert_eq!(g[x].data(), &[0.0, -1.0, 0.5]);
}

#[test]
fn where_never_lets_the_other_branch_in() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![-1.0, 0.0, 4.0], [3]));
    let zero = tape.constant_scalar(0.0);
    // sqrt and log of the non-positive entries are NaN and -inf; where_
    // takes 0 there. (The gradient of those entries is 0 times the
    // branch's infinite derivative, NaN, exactly as in PyTorch: mask the
    // input too, the "double where", when that matters.)
    let y = where_(x.gt(zero), x.sqrt() * x.log(), zero);
    assert_eq!(y.value().data(), &[0.0, 0.0, 2.0 * 4f64.ln()]);
    let g = y.sum().backward();
    assert_eq!(g[x].data()[2], 4f64.ln() / 4.0 + 0.5);
    let safe = where_(x.gt(zero), x, tape.constant_scalar(1.0));
    let y = where_(x.gt(zero), safe.sqrt() * safe.log(), zero);
    assert_eq!(y.sum().backward()[x].data()[..2], [0.0, 0.0]);
    // cond broadcasts against both operands; a 0-d mask selects everything.
    let a = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2, 1]));
    let b = tape.param(Tensor::from_vec(vec![10.0, 20.0, 30.0], [3]));
    let cond = tape.constant(Tensor::from_vec(vec![1.0, 0.0, 1.0], [3]));
    let y = where_(cond, a, b);
    assert_eq!(y.value().data(), &[1.0, 20.0, 1.0, 2.0, 20.0, 2.0]);
    let g = y.sum().backward();
    assert_eq!(
        (g[a].data(), g[b].data()),
        (&[2.0, 2.0][..], &[0.0, 2.0, 0.0][..])
    );
    let all = where_(tape.constant_scalar(1.0), a, b).sum().backward();
    assert_eq!(all[b].data(), &[0.0, 0.0, 0.0]);
}

#[test]
#[should_panic(expected = "where: shapes [2] (cond), [3] and [3] cannot be broadcast together")]
fn where_names_the_shapes() {
    let tape = Tape::<f64>::new();
    let c = tape.constant(Tensor::zeros([2]));
    let a = tape.param(Tensor::zeros([3]));
    let _ = where_(c, a, a);
}
