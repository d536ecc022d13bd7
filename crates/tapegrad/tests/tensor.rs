//! `Tensor`: constructors, indexing, and printing exactly as NumPy's
//! `str(array)` does (expected strings are NumPy 2.x output).

use rand::SeedableRng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use tapegrad::{Shape, Tensor};

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

fn t64(data: &[f64], shape: &[usize]) -> Tensor<f64> {
    Tensor::from_slice(data, shape)
}

#[test]
fn constructors() {
    let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
    assert_eq!(t.shape(), &Shape::from([2, 3]));
    assert_eq!(t.numel(), 6);
    assert_eq!(t.data(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(
        Tensor::from_slice(&[1.0f64, 2.0], [2, 1]).shape().dims(),
        &[2, 1]
    );
    assert_eq!(Tensor::<f32>::zeros([2, 2]).data(), &[0.0; 4]);
    assert_eq!(Tensor::<f64>::ones([3]).data(), &[1.0; 3]);
    assert_eq!(Tensor::full([2], 2.5f32).data(), &[2.5, 2.5]);
    let s = Tensor::scalar(4.0f64);
    assert_eq!((s.shape().rank(), s.numel(), s.item()), (0, 1, 4.0));
    assert_eq!(
        Tensor::<f64>::eye(3).data(),
        &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    );
    assert_eq!(Tensor::<f32>::arange(4).data(), &[0.0, 1.0, 2.0, 3.0]);
    assert_eq!(Tensor::<f32>::zeros(()).shape().rank(), 0);
    assert_eq!(Tensor::<f32>::zeros([0, 3]).numel(), 0);
    let r = Tensor::<f64>::arange(6).reshape([3, 2]);
    assert_eq!((r.shape().dims(), r[[2, 1]]), (&[3usize, 2][..], 5.0));
    let c: Tensor<f32> = t64(&[0.5, -1.25], &[2]).cast();
    assert_eq!(c.data(), &[0.5f32, -1.25]);
    assert_eq!(c.clone().into_vec(), vec![0.5f32, -1.25]);
    assert_eq!(
        t64(&[1.0, 2.0], &[2]).max_abs_diff(&t64(&[1.5, 1.0], &[2])),
        1.0
    );
}

#[test]
fn random_constructors_follow_their_distributions() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let n = Tensor::<f64>::randn([100, 100], &mut rng);
    let mean = n.data().iter().sum::<f64>() / 1e4;
    let var = n
        .data()
        .iter()
        .map(|x| (x - mean) * (x - mean))
        .sum::<f64>()
        / 1e4;
    assert!(
        mean.abs() < 0.05 && (var - 1.0).abs() < 0.05,
        "mean {mean}, var {var}"
    );
    let u = Tensor::<f32>::uniform([1000], -0.5, 2.0, &mut rng);
    assert!(u.data().iter().all(|&x| (-0.5..2.0).contains(&x)));
    let mean = u.data().iter().sum::<f32>() / 1000.0;
    assert!((mean - 0.75).abs() < 0.1, "{mean}");
    let same = |seed| Tensor::<f32>::randn([5], &mut rand::rngs::StdRng::seed_from_u64(seed));
    assert_eq!(same(1), same(1));
    assert_ne!(same(1), same(2));
}

#[test]
fn indexing() {
    let mut t = Tensor::<f64>::arange(24).reshape([2, 3, 4]);
    assert_eq!(t[[0, 0, 0]], 0.0);
    assert_eq!(t[[1, 2, 3]], 23.0);
    assert_eq!(t[[1, 0, 2]], 14.0);
    assert_eq!(t[&[0usize, 2, 1][..]], 9.0);
    t[[0, 1, 1]] = -1.0;
    assert_eq!(t.data()[5], -1.0);
    t.data_mut()[0] = 7.0;
    assert_eq!(t[[0, 0, 0]], 7.0);
    let s = Tensor::scalar(3.0f32);
    assert_eq!(s[[]], 3.0);
}

#[test]
fn misuse_panics_with_a_message() {
    assert!(panic_message(|| Tensor::from_vec(vec![1.0f32; 5], [2, 3]))
        .contains("5 values do not fill shape [2, 3]"));
    let t = Tensor::<f32>::zeros([2, 3]);
    assert!(panic_message(|| t[[2, 0]]).contains("out of bounds on axis 0"));
    assert!(panic_message(|| t[[0, 3]]).contains("out of bounds on axis 1"));
    assert!(panic_message(|| t[[0]]).contains("has 1 axes"));
    assert!(panic_message(|| t.item()).contains("[2, 3]"));
    assert!(panic_message(|| t.clone().reshape([4])).contains("[4]"));
    let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    assert!(
        panic_message(|| Tensor::<f64>::uniform([2], 1.0, 1.0, &mut rng)).contains("invalid range")
    );
    assert!(panic_message(|| t.max_abs_diff(&Tensor::zeros([3, 2]))).contains("differ"));
}

#[test]
fn display_matches_numpy_positional() {
    let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
    assert_eq!(t.to_string(), "[[1. 2. 3.]\n [4. 5. 6.]]");
    // Fractions left-aligned, padded to the longest; integer parts right-aligned.
    assert_eq!(t64(&[0.5, 1.25], &[2]).to_string(), "[0.5  1.25]");
    assert_eq!(
        t64(&[1.0, -2.5, 3.25], &[3]).to_string(),
        "[ 1.   -2.5   3.25]"
    );
    assert_eq!(t64(&[1.0, 2.5], &[2]).to_string(), "[1.  2.5]");
    assert_eq!(t64(&[-1.0, 10.0], &[2]).to_string(), "[-1. 10.]");
    // At most 8 decimals, rounded; the shortest digits otherwise.
    assert_eq!(
        t64(&[1.0 / 3.0, 2.0 / 3.0], &[2]).to_string(),
        "[0.33333333 0.66666667]"
    );
    assert_eq!(t64(&[0.1, 0.2], &[2]).to_string(), "[0.1 0.2]");
    assert_eq!(
        Tensor::from_vec(vec![0.1f32, 1.0 / 3.0], [2]).to_string(),
        "[0.1        0.33333334]"
    );
    assert_eq!(t64(&[0.0, 0.0], &[2]).to_string(), "[0. 0.]");
    assert_eq!(t64(&[-0.0, 1.0], &[2]).to_string(), "[-0.  1.]");
    assert_eq!(
        t64(&[123.456, -0.001], &[2]).to_string(),
        "[ 1.23456e+02 -1.00000e-03]"
    );
    assert_eq!(t64(&[1e-4, 0.1], &[2]).to_string(), "[0.0001 0.1   ]");
}

#[test]
fn display_matches_numpy_scientific() {
    // Chosen when the magnitudes span more than 1000×, or reach 1e8 or
    // fall below 1e-4.
    assert_eq!(t64(&[1e-5, 1.0], &[2]).to_string(), "[1.e-05 1.e+00]");
    assert_eq!(t64(&[1.5, 1e5], &[2]).to_string(), "[1.5e+00 1.0e+05]");
    assert_eq!(t64(&[1e8], &[1]).to_string(), "[1.e+08]");
    assert_eq!(
        t64(&[-2.5e-7, 3.0], &[2]).to_string(),
        "[-2.5e-07  3.0e+00]"
    );
    assert_eq!(t64(&[1e-5, 1e100], &[2]).to_string(), "[1.e-005 1.e+100]");
    assert_eq!(
        t64(&[1e4, -1e4, 0.0, 1.0, 2.0], &[5]).to_string(),
        "[ 1.e+04 -1.e+04  0.e+00  1.e+00  2.e+00]"
    );
}

#[test]
fn display_matches_numpy_non_finite() {
    assert_eq!(t64(&[f64::NAN, 1.0], &[2]).to_string(), "[nan  1.]");
    assert_eq!(
        t64(&[f64::INFINITY, -f64::INFINITY, 0.5], &[3]).to_string(),
        "[ inf -inf  0.5]"
    );
    assert_eq!(t64(&[f64::NAN, f64::NAN], &[2]).to_string(), "[nan nan]");
}

#[test]
fn display_matches_numpy_layout() {
    let t = Tensor::<f64>::arange(8).reshape([2, 2, 2]);
    assert_eq!(
        t.to_string(),
        "[[[0. 1.]\n  [2. 3.]]\n\n [[4. 5.]\n  [6. 7.]]]"
    );
    let t = Tensor::<f64>::arange(4).reshape([1, 2, 1, 2]);
    assert_eq!(t.to_string(), "[[[[0. 1.]]\n\n  [[2. 3.]]]]");
    assert_eq!(Tensor::<f32>::zeros([0]).to_string(), "[]");
    assert_eq!(Tensor::<f32>::zeros([2, 0]).to_string(), "[]");
    // Rows wrap at 75 columns, continuation lines indented under the bracket.
    assert_eq!(
        Tensor::<f64>::arange(30).to_string(),
        "[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n \
         18. 19. 20. 21. 22. 23. 24. 25. 26. 27. 28. 29.]"
    );
    assert_eq!(
        Tensor::<f64>::arange(20).reshape([2, 10]).to_string(),
        "[[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9.]\n [10. 11. 12. 13. 14. 15. 16. 17. 18. 19.]]"
    );
}

#[test]
fn zero_dimensional_tensors_print_like_python_scalars() {
    assert_eq!(Tensor::scalar(2.0f64).to_string(), "2.0");
    assert_eq!(Tensor::scalar(0.1f64).to_string(), "0.1");
    assert_eq!(
        Tensor::scalar(0.1f64 + 0.2).to_string(),
        "0.30000000000000004"
    );
    assert_eq!(Tensor::scalar(0.1f32).to_string(), "0.1");
    assert_eq!(Tensor::scalar(1e20f64).to_string(), "1e+20");
    assert_eq!(Tensor::scalar(1.5e-7f64).to_string(), "1.5e-07");
    assert_eq!(Tensor::scalar(-3.0f32).to_string(), "-3.0");
    assert_eq!(Tensor::scalar(f64::NAN).to_string(), "nan");
    assert_eq!(Tensor::scalar(f64::NEG_INFINITY).to_string(), "-inf");
    let dbg = format!("{:?}", Tensor::from_vec(vec![1.0f32, 2.0], [2]));
    assert_eq!(dbg, "Tensor<f32>[2]\n[1. 2.]");
}
