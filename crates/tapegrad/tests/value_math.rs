//! `Tensor` as a value type: every op agrees bit for bit with the `Var` op
//! it runs, panics name the op, the shapes and this file's line, and the
//! kernels of our own (max/argmax, comparisons) follow PyTorch at ties and
//! NaN. Printing large tensors matches NumPy's summarized `str`.

use proptest::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use tapegrad::rand::SeedableRng;
use tapegrad::{Float, Tape, Tensor};

#[track_caller]
fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    let p = catch_unwind(AssertUnwindSafe(f))
        .err()
        .expect("expected a panic");
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .expect("a string panic payload")
}

fn seq<T: Float>(dims: &[usize], start: f64, step: f64) -> Tensor<T> {
    let n = dims.iter().product();
    Tensor::from_vec(
        (0..n)
            .map(|i| T::from_f64(start + step * i as f64))
            .collect(),
        dims,
    )
}

/// Two shapes that broadcast: `b` drops leading axes of `a` and sets some
/// of the rest to 1.
fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    prop::collection::vec(1usize..4, 0..4)
        .prop_flat_map(|a| {
            let r = a.len();
            (Just(a), 0..=r, prop::collection::vec(any::<bool>(), r))
        })
        .prop_map(|(a, drop, ones)| {
            let b = a[drop..]
                .iter()
                .zip(&ones[drop..])
                .map(|(&d, &one)| if one { 1 } else { d })
                .collect();
            (a, b)
        })
}

fn values(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-5.0f64..5.0, n)
}

proptest! {
    #[test]
    fn operators_are_the_var_ops_bit_for_bit(
        ((da, db), swap) in (broadcast_pair(), any::<bool>()),
        seed in 0u64..1000,
    ) {
        let (da, db) = if swap { (db, da) } else { (da, db) };
        let mut rng = tapegrad::rand::rngs::StdRng::seed_from_u64(seed);
        let a = Tensor::<f64>::randn(da.as_slice(), &mut rng);
        // Keep divisors away from 0.
        let b = Tensor::<f64>::uniform(db.as_slice(), 0.5, 2.0, &mut rng);
        let tape = Tape::<f64>::new();
        let (va, vb) = (tape.constant(a.clone()), tape.constant(b.clone()));
        prop_assert_eq!(&a + &b, (va + vb).value());
        prop_assert_eq!(&a - &b, (va - vb).value());
        prop_assert_eq!(&a * &b, (va * vb).value());
        prop_assert_eq!(&a / &b, (va / vb).value());
        prop_assert_eq!(a.clone() + b.clone(), (va + vb).value());
        prop_assert_eq!(-&a, (-va).value());
        prop_assert_eq!(&a * 3.0, (va * 3.0).value());
        prop_assert_eq!(&a - 3.0, (va - 3.0).value());
        prop_assert_eq!(2.0 - &b, (2.0 - vb).value());
        prop_assert_eq!(2.0 / &b, (2.0 / vb).value());
        prop_assert_eq!(a.sum(), va.sum().value());
        prop_assert_eq!(a.mean(), va.mean().value());
        for axis in 0..da.len() as isize {
            prop_assert_eq!(a.sum_axis(axis, false), va.sum_axis(axis, false).value());
            prop_assert_eq!(a.mean_axis(-1 - axis, true), va.mean_axis(-1 - axis, true).value());
        }
    }

    #[test]
    fn matmul_is_the_var_matmul(m in 1usize..6, k in 1usize..6, n in 1usize..6, batch in 1usize..3,
                                xs in values(180)) {
        let a = Tensor::<f64>::from_slice(&xs[..batch * m * k], [batch, m, k]);
        let b = Tensor::<f64>::from_slice(&xs[90..90 + k * n], [k, n]);
        let tape = Tape::<f64>::new();
        prop_assert_eq!(a.matmul(&b), tape.constant(a.clone()).matmul(tape.constant(b.clone())).value());
    }

    #[test]
    fn max_and_argmax_match_a_plain_scan(rows in 1usize..5, cols in 1usize..5, xs in values(16)) {
        // Few distinct values, so ties are common.
        let data: Vec<f64> = xs[..rows * cols].iter().map(|x| x.round()).collect();
        let t = Tensor::from_slice(&data, [rows, cols]);
        let best = data.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        prop_assert_eq!(t.max().item(), best);
        prop_assert_eq!(t.argmax(), data.iter().position(|&x| x == best).unwrap());
        let row_max = t.max_axis(1, false);
        let row_arg = t.argmax_axis(-1);
        for r in 0..rows {
            let row = &data[r * cols..(r + 1) * cols];
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert_eq!(row_max[[r]], m);
            prop_assert_eq!(row_arg[r], row.iter().position(|&x| x == m).unwrap());
        }
        let col_arg = t.argmax_axis(0);
        for c in 0..cols {
            let col: Vec<f64> = (0..rows).map(|r| data[r * cols + c]).collect();
            let m = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert_eq!(t.max_axis(0, true)[[0, c]], m);
            prop_assert_eq!(col_arg[c], col.iter().position(|&x| x == m).unwrap());
        }
    }
}

#[test]
fn f32_operators_are_the_var_ops_too() {
    let a = seq::<f32>(&[2, 3], -1.0, 0.37);
    let b = seq::<f32>(&[3], 0.5, 0.25);
    let tape = Tape::<f32>::new();
    let (va, vb) = (tape.constant(a.clone()), tape.constant(b.clone()));
    assert_eq!(&a / &b, (va / vb).value());
    assert_eq!(1.0f32 / &b, (1.0f32 / vb).value());
    assert_eq!(a.clone() * 2.0f32, (va * 2.0f32).value());
    assert_eq!(&a + b.clone(), (va + vb).value());
    assert_eq!(a.clone() - &b, (va - vb).value());
    assert_eq!(3.0f32 + &a, (3.0f32 + va).value());
    assert_eq!(3.0f32 * a.clone(), (3.0f32 * va).value());
    assert_eq!(3.0f32 - a.clone(), (3.0f32 - va).value());
    assert_eq!(&a / 4.0f32, (va / 4.0f32).value());
}

#[test]
fn shape_errors_name_the_op_the_shapes_and_this_line() {
    let (a, b) = (Tensor::<f32>::zeros([2, 3]), Tensor::<f32>::zeros([4]));
    let line = line!() + 1;
    let msg = panic_message(|| &a + &b);
    assert!(
        msg.contains("add: shapes [2, 3] and [4] cannot be broadcast together"),
        "{msg}"
    );
    assert!(msg.contains(&format!("{}:{line}:", file!())), "{msg}");

    let line = line!() + 1;
    let msg = panic_message(|| a.matmul(&b));
    assert!(
        msg.contains("matmul") && msg.contains("[2, 3]") && msg.contains("[4]"),
        "{msg}"
    );
    assert!(msg.contains(&format!("{}:{line}:", file!())), "{msg}");

    let line = line!() + 1;
    let msg = panic_message(|| a.sum_axis(2, false));
    assert!(
        msg.contains("axis 2 out of range for shape [2, 3]"),
        "{msg}"
    );
    assert!(msg.contains(&format!("{}:{line}:", file!())), "{msg}");

    let line = line!() + 1;
    let msg = panic_message(|| a.zip_map(&b, f32::max));
    assert!(
        msg.contains("zip_map: shapes [2, 3] and [4] cannot be broadcast"),
        "{msg}"
    );
    assert!(msg.contains(&format!("{}:{line}:", file!())), "{msg}");

    let line = line!() + 1;
    let msg = panic_message(|| a.argmax_axis(-3));
    assert!(
        msg.contains("argmax_axis: axis -3 out of range for shape [2, 3]"),
        "{msg}"
    );
    assert!(msg.contains(&format!("{}:{line}:", file!())), "{msg}");

    let msg = panic_message(|| Tensor::<f64>::zeros([2, 0]).max_axis(1, false));
    assert!(
        msg.contains("max_axis: cannot reduce an empty axis (shape [2, 0])"),
        "{msg}"
    );
    let msg = panic_message(|| Tensor::<f64>::zeros([0]).argmax());
    assert!(msg.contains("argmax: cannot reduce an empty axis"), "{msg}");
    let msg = panic_message(|| Tensor::<f64>::zeros([2]).to_vec2());
    assert!(
        msg.contains("to_vec2: needs a 2-d tensor, shape is [2]"),
        "{msg}"
    );
    // A panic inside an op leaves the next op working.
    assert_eq!((&a + &a).numel(), 6);
}

#[test]
fn max_and_argmax_follow_pytorch_at_nan_and_infinity() {
    let t = Tensor::from_vec(vec![1.0f64, f64::NAN, 3.0, f64::NAN], [4]);
    assert!(t.max().item().is_nan());
    assert_eq!(t.argmax(), 1); // the first NaN
    let t = Tensor::from_vec(vec![f64::NEG_INFINITY, f64::NEG_INFINITY], [2]);
    assert_eq!((t.max().item(), t.argmax()), (f64::NEG_INFINITY, 0));
    let m = Tensor::from_vec(vec![0.0f32, f32::NAN, 2.0, 5.0, 5.0, 1.0], [2, 3]);
    assert_eq!(m.argmax_axis(1), vec![1, 0]);
    assert!(m.max_axis(1, false)[[0]].is_nan());
    assert_eq!(m.max_axis(1, false)[[1]], 5.0);
    // Over a middle axis of a 3-d tensor.
    let t = seq::<f64>(&[2, 3, 2], 0.0, 1.0).map(|x| (x * 7.0) % 5.0);
    // Values: [0 2 4 1 3 0 | 2 4 1 3 0 2]
    assert_eq!(t.argmax_axis(1), vec![1, 0, 0, 0]);
    assert_eq!(
        t.max_axis(1, false).to_vec2(),
        vec![vec![4.0, 2.0], vec![2.0, 4.0]]
    );
    assert_eq!(t.max_axis(1, true).shape().dims(), &[2, 1, 2]);
    assert_eq!(Tensor::scalar(4.0f32).argmax(), 0);
}

#[test]
fn comparisons_map_and_zip_map_broadcast() {
    let a = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
    let row = Tensor::from(vec![2.0, 5.0, 3.0]);
    assert_eq!(a.gt(&row).data(), &[0.0, 0.0, 0.0, 1.0, 0.0, 1.0]);
    assert_eq!(a.ge(&row).data(), &[0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
    assert_eq!(a.lt(&row).data(), &[1.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(a.le(&row).data(), &[1.0, 1.0, 1.0, 0.0, 1.0, 0.0]);
    assert_eq!(a.eq_elem(&row).data(), &[0.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
    assert_eq!(a.ne_elem(&row).data(), &[1.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
    let nan = Tensor::scalar(f64::NAN);
    assert_eq!(a.gt(&nan).sum().item() + a.le(&nan).sum().item(), 0.0);
    assert_eq!(a.ne_elem(&nan).sum().item(), 6.0);
    let col = Tensor::from_vec(vec![10.0, 20.0], [2, 1]);
    assert_eq!(
        a.zip_map(&col, |x, y| y - x).to_vec2(),
        vec![vec![9.0, 8.0, 7.0], vec![16.0, 15.0, 14.0]]
    );
    assert_eq!(a.map(|x| x * x).data(), &[1.0, 4.0, 9.0, 16.0, 25.0, 36.0]);
    // The accuracy idiom: predictions against labels.
    let logits = Tensor::from_vec(vec![0.1f32, 0.9, 0.8, 0.2, 0.3, 0.7], [3, 2]);
    let pred = Tensor::from(
        logits
            .argmax_axis(1)
            .iter()
            .map(|&c| c as f32)
            .collect::<Vec<_>>(),
    );
    let labels = Tensor::from(vec![1.0f32, 0.0, 0.0]);
    assert_eq!(pred.eq_elem(&labels).mean().item(), 2.0 / 3.0);
}

#[test]
fn conversions_and_constructors() {
    let t = seq::<f32>(&[2, 3], 0.0, 1.0);
    assert_eq!(t.to_vec(), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(t.to_vec2(), vec![vec![0.0, 1.0, 2.0], vec![3.0, 4.0, 5.0]]);
    let t3 = seq::<f64>(&[2, 1, 3], 0.0, 1.0);
    assert_eq!(
        t3.to_vec3(),
        vec![vec![vec![0.0, 1.0, 2.0]], vec![vec![3.0, 4.0, 5.0]]]
    );
    assert_eq!(
        Tensor::<f32>::zeros([3, 0]).to_vec2(),
        vec![Vec::<f32>::new(); 3]
    );
    assert_eq!(
        Tensor::<f32>::zeros([2, 0, 4]).to_vec3(),
        vec![Vec::<Vec<f32>>::new(); 2]
    );
    assert_eq!(
        Tensor::<f32>::zeros([0, 2]).to_vec2(),
        Vec::<Vec<f32>>::new()
    );

    assert_eq!(
        Tensor::from(vec![1.0f64, 2.0]),
        Tensor::from_slice(&[1.0, 2.0], [2])
    );
    assert_eq!(Tensor::zeros_like(&t3), Tensor::zeros([2, 1, 3]));
    assert_eq!(Tensor::ones_like(&t).data(), &[1.0; 6]);

    assert_eq!(
        Tensor::linspace(-1.0f64, 1.0, 5).data(),
        &[-1.0, -0.5, 0.0, 0.5, 1.0]
    );
    assert_eq!(Tensor::linspace(2.0f32, 3.0, 1).data(), &[2.0]);
    assert_eq!(Tensor::linspace(2.0f32, 3.0, 0).numel(), 0);
    let l = Tensor::linspace(0.0f32, 0.3, 7);
    assert_eq!(l[[6]], 0.3, "the end point is exact");
    assert!(l.data().windows(2).all(|w| w[0] < w[1]));

    let mut rng = tapegrad::rand::rngs::StdRng::seed_from_u64(9);
    let r = Tensor::<f64>::rand([4000], &mut rng);
    assert!(r.data().iter().all(|&x| (0.0..1.0).contains(&x)));
    assert!((r.mean().item() - 0.5).abs() < 0.02, "{}", r.mean().item());
    let mut again = tapegrad::rand::rngs::StdRng::seed_from_u64(9);
    assert_eq!(Tensor::<f64>::rand([4000], &mut again), r);
    // Any `Rng`, also behind a `dyn`.
    let dyn_rng: &mut dyn tapegrad::rand::RngCore = &mut rng;
    assert_eq!(Tensor::<f32>::randn([3], dyn_rng).numel(), 3);
}

#[test]
fn apply_runs_any_var_expression() {
    let x = seq::<f64>(&[4], -1.0, 0.5);
    let tape = Tape::<f64>::new();
    let want = tape
        .constant(x.clone())
        .tanh()
        .mul_scalar(2.0)
        .softplus()
        .value();
    assert_eq!(x.apply(|v| v.tanh().mul_scalar(2.0).softplus()), want);
}

#[test]
fn large_tensors_print_summarized_exactly_as_numpy() {
    let cases: serde_json::Value =
        serde_json::from_str(include_str!("numpy_summary.json")).unwrap();
    for case in cases.as_array().unwrap() {
        let dims: Vec<usize> = serde_json::from_value(case["dims"].clone()).unwrap();
        let (scale, div) = (
            case["scale"].as_f64().unwrap(),
            case["div"].as_f64().unwrap(),
        );
        let want = case["expected"].as_str().unwrap();
        let n: usize = dims.iter().product();
        let values = (0..n).map(|i| i as f64 * scale / div);
        let got = if case["dtype"] == "f32" {
            Tensor::from_vec(values.map(|v| v as f32).collect(), dims.as_slice()).to_string()
        } else {
            Tensor::from_vec(values.collect(), dims.as_slice()).to_string()
        };
        assert_eq!(got, want, "shape {dims:?}");
    }
}

#[test]
fn alternate_form_prints_every_element_and_small_tensors_are_whole() {
    let t = seq::<f64>(&[1001], 0.0, 1.0);
    let full = format!("{t:#}");
    assert!(!full.contains("..."));
    assert!(
        full.starts_with("[   0.    1.") && full.ends_with(" 999. 1000.]"),
        "{full}"
    );
    let small = seq::<f64>(&[1000], 0.0, 1.0);
    assert!(!small.to_string().contains("..."));
    assert_eq!(small.to_string(), format!("{small:#}"));
    // Debug summarizes as Display does.
    assert!(format!("{t:?}").contains("..."));
}
