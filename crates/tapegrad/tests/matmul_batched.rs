//! Batched matrix products beyond 3-D, and a 2-D operand broadcast over the
//! other's batch: values against a naive product, gradients and second
//! derivatives against finite differences, for every transpose flag.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::{gradcheck, gradgradcheck, GradcheckOptions, Tape, Tensor};

/// Naive `op(a)·op(b)` over the batch of `out_batch` matrices; a 2-D
/// operand is reused for every matrix of the batch.
fn naive(a: &Tensor<f64>, b: &Tensor<f64>, ta: bool, tb: bool, batch: usize) -> Vec<f64> {
    let get = |t: &Tensor<f64>, tr: bool, i: usize, r: usize, c: usize| {
        let d = t.shape().dims();
        let (rows, cols) = (d[d.len() - 2], d[d.len() - 1]);
        let off = if d.len() > 2 { i * rows * cols } else { 0 };
        let (r, c) = if tr { (c, r) } else { (r, c) };
        t.data()[off + r * cols + c]
    };
    let da = a.shape().dims();
    let db = b.shape().dims();
    let (m, k) = if ta {
        (da[da.len() - 1], da[da.len() - 2])
    } else {
        (da[da.len() - 2], da[da.len() - 1])
    };
    let n = if tb {
        db[db.len() - 2]
    } else {
        db[db.len() - 1]
    };
    let mut out = Vec::new();
    for i in 0..batch {
        for r in 0..m {
            for c in 0..n {
                out.push(
                    (0..k)
                        .map(|l| get(a, ta, i, r, l) * get(b, tb, i, l, c))
                        .sum(),
                );
            }
        }
    }
    out
}

fn stored(
    batch: &[usize],
    rows: usize,
    cols: usize,
    transposed: bool,
    rng: &mut StdRng,
) -> Tensor<f64> {
    let mut d = batch.to_vec();
    if transposed {
        d.extend([cols, rows]);
    } else {
        d.extend([rows, cols]);
    }
    Tensor::randn(d, rng)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn batched_and_broadcast_products(
        batch in prop::collection::vec(1usize..=3, 1..=2),
        m in 1usize..=3, k in 1usize..=3, n in 1usize..=3,
        ta in any::<bool>(), tb in any::<bool>(),
        a_flat in any::<bool>(), b_flat in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        // At most one operand is a plain matrix broadcast over the batch.
        let (a_flat, b_flat) = (a_flat && !b_flat, b_flat);
        let a = stored(if a_flat { &[] } else { &batch }, m, k, ta, &mut rng);
        let b = stored(if b_flat { &[] } else { &batch }, k, n, tb, &mut rng);
        let count: usize = batch.iter().product();

        let tape = Tape::<f64>::new();
        let c = tape.constant(a.clone()).matmul_t(tape.constant(b.clone()), ta, tb);
        let mut want_shape = batch.clone();
        want_shape.extend([m, n]);
        prop_assert_eq!(c.shape().dims().to_vec(), want_shape);
        let want = naive(&a, &b, ta, tb, count);
        for (x, y) in c.value().data().iter().zip(&want) {
            prop_assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()));
        }

        let o = GradcheckOptions::default();
        let inputs = [a, b];
        prop_assert!(gradcheck(|v| v[0].matmul_t(v[1], ta, tb), &inputs, &o).is_ok());
        prop_assert!(gradgradcheck(|v| v[0].matmul_t(v[1], ta, tb).powi(2), &inputs, &o).is_ok());
    }
}

#[test]
#[should_panic(expected = "matmul")]
fn mismatched_batches_name_the_op() {
    let tape = Tape::<f32>::new();
    let a = tape.constant(Tensor::zeros([2, 3, 4]));
    let b = tape.constant(Tensor::zeros([3, 4, 5]));
    let _ = a.matmul(b);
}

/// Naive `m×n` product of two matrices given by element getters.
fn product(
    m: usize,
    n: usize,
    k: usize,
    a: impl Fn(usize, usize) -> f64,
    b: impl Fn(usize, usize) -> f64,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(m * n);
    for i in 0..m {
        for j in 0..n {
            out.push((0..k).map(|p| a(i, p) * b(p, j)).sum());
        }
    }
    out
}

fn close(got: &[f64], want: &[f64]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(x, y)| (x - y).abs() <= 1e-12 * (1.0 + y.abs()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    // Sides up to 9 span the tiny products computed in place (at most 128
    // multiply-adds) and the packed kernel above them; the
    // gradients `G·op(B)ᵀ` and `op(A)ᵀ·G` read transposed operands, and a
    // zero-size side gives an empty or all-zero result.
    #[test]
    fn small_products_and_their_gradients_match_a_naive_product(
        m in 0usize..=9, k in 0usize..=9, n in 0usize..=9,
        ta in any::<bool>(), tb in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut rng = StdRng::seed_from_u64(seed);
        let a = stored(&[], m, k, ta, &mut rng);
        let b = stored(&[], k, n, tb, &mut rng);
        let w = Tensor::<f64>::randn([m, n], &mut rng);
        let op_a = |i: usize, p: usize| if ta { a.data()[p * m + i] } else { a.data()[i * k + p] };
        let op_b = |p: usize, j: usize| if tb { b.data()[j * k + p] } else { b.data()[p * n + j] };
        let g = |i: usize, j: usize| w.data()[i * n + j];

        let tape = Tape::<f64>::new();
        let (va, vb) = (tape.param(a.clone()), tape.param(b.clone()));
        let c = va.matmul_t(vb, ta, tb);
        prop_assert_eq!(c.shape().dims().to_vec(), vec![m, n]);
        prop_assert!(close(c.value().data(), &product(m, n, k, op_a, op_b)));

        let grads = (c * tape.constant(w.clone())).sum().backward();
        // ∂L/∂op(A) = G·op(B)ᵀ (m×k), ∂L/∂op(B) = op(A)ᵀ·G (k×n), stored
        // transposed when the operand is read transposed.
        let ga = product(m, k, n, g, |j, p| op_b(p, j));
        let gb = product(k, n, m, |p, i| op_a(i, p), g);
        let ga = if ta { (0..k * m).map(|x| ga[(x % m) * k + x / m]).collect() } else { ga };
        let gb = if tb { (0..n * k).map(|x| gb[(x % k) * n + x / k]).collect() } else { gb };
        prop_assert!(close(grads[va].data(), &ga));
        prop_assert!(close(grads[vb].data(), &gb));
    }
}
