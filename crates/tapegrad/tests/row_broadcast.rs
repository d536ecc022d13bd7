//! A row broadcast over leading axes (the bias of `x·W + b`) runs its own
//! row-by-row loops in forward and backward; these tests hold them to the
//! formulas element by element, with the row on either side, for `+ − · /`,
//! with leading 1s, zero rows, and the strided case beside it.

use tapegrad::{Tape, Tensor};

/// Deterministic values in [0.5, 2.5), away from 0 so `/` is tame.
fn values(n: usize, seed: u64) -> Vec<f64> {
    (0..n)
        .map(|i| 0.5 + ((i as u64 * 7919 + seed * 104_729) % 1000) as f64 / 500.0)
        .collect()
}

/// `(f(x, r), ∂f/∂x, ∂f/∂r)` of one op.
type Rule = fn(f64, f64) -> (f64, f64, f64);

const OPS: [(&str, Rule); 4] = [
    ("add", |x, r| (x + r, 1.0, 1.0)),
    ("sub", |x, r| (x - r, 1.0, -1.0)),
    ("mul", |x, r| (x * r, r, x)),
    ("div", |x, r| (x / r, 1.0 / r, -x / (r * r))),
];

/// Checks `loss = Σ w ⊙ op(x, row)` (or `op(row, x)` when `row_left`) for
/// `x` of shape `big` and `row` of shape `small`, whose elements repeat
/// with period `small.numel()` over `x`'s.
fn check(big: &[usize], small: &[usize], row_left: bool) {
    let (n, k) = (
        big.iter().product::<usize>(),
        small.iter().product::<usize>(),
    );
    let (xv, rv, wv) = (values(n, 1), values(k, 2), values(n, 3));
    for (name, rule) in OPS {
        let tape = Tape::<f64>::new();
        let x = tape.param(Tensor::from_vec(xv.clone(), big.to_vec()));
        let r = tape.param(Tensor::from_vec(rv.clone(), small.to_vec()));
        let w = tape.constant(Tensor::from_vec(wv.clone(), big.to_vec()));
        let (a, b) = if row_left { (r, x) } else { (x, r) };
        let y = match name {
            "add" => a + b,
            "sub" => a - b,
            "mul" => a * b,
            _ => a / b,
        };
        assert_eq!(y.shape().dims(), big, "{name}");
        let g = (y * w).sum().backward();
        let mut gr = vec![0.0; k];
        for i in 0..n {
            let j = i % k;
            let (f, dx, dr) = if row_left {
                let (f, da, db) = rule(rv[j], xv[i]);
                (f, db, da)
            } else {
                rule(xv[i], rv[j])
            };
            assert_eq!(
                y.value().data()[i],
                f,
                "{name} {big:?} {small:?} forward at {i}"
            );
            let (got, want) = (g[x].data()[i], wv[i] * dx);
            assert!(
                (got - want).abs() <= 1e-14 * want.abs().max(1.0),
                "{name} {big:?} {small:?} ∂x at {i}: {got} vs {want}"
            );
            gr[j] += wv[i] * dr;
        }
        for (j, (&got, &want)) in g[r].data().iter().zip(&gr).enumerate() {
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{name} {big:?} {small:?} ∂row at {j}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn a_bias_row_matches_the_formulas_on_either_side() {
    let cases: [(&[usize], &[usize]); 6] = [
        (&[3, 4], &[4]),
        (&[3, 4], &[1, 4]),
        (&[2, 3, 4], &[3, 4]),
        (&[2, 3, 4], &[1, 1, 4]),
        (&[5, 1], &[1]),
        (&[0, 4], &[4]),
    ];
    for (big, small) in cases {
        check(big, small, false);
        check(big, small, true);
    }
}

#[test]
fn a_column_still_takes_the_strided_walk_correctly() {
    // `[3, 1]` against `[3, 4]` is not a repeated row: every element of
    // the small operand is used 4 times in a row, not once per row.
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(values(12, 1), [3, 4]));
    let c = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3, 1]));
    let y = x * c;
    let g = y.sum().backward();
    let xs = values(12, 1);
    let want: Vec<f64> = (0..3).map(|i| xs[4 * i..4 * i + 4].iter().sum()).collect();
    assert_eq!(y.value().data()[5], xs[5] * 2.0);
    for (got, want) in g[c].data().iter().zip(&want) {
        assert!((got - want).abs() < 1e-12);
    }
}
