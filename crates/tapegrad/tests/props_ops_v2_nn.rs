//! The ops-v2 normalization, embedding and loss ops (layer_norm,
//! batch_norm_train, batch_norm_eval, embedding, nll_loss, l1_loss,
//! smooth_l1_loss, huber_loss, cosine_similarity) on random shapes —
//! zero-size and 0-d included where the op allows them: gradients against
//! finite differences (first order), Hessians and the recorded rules
//! (second order), then PyTorch's conventions at ties and bounds pinned
//! down exactly, and the shape errors.

#[path = "support/props_v2_axes.rs"]
mod props;

use props::{check, config, shape, shape_with_axis, values};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tapegrad::{Indices, Reduction, Tape, Tensor, Var};

/// A random index of `shape` whose entries are below `bound`.
fn index(shape: &[usize], bound: usize, seed: u64) -> Indices {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x1d);
    let n = shape.iter().product();
    Indices::new(
        (0..n).map(|_| rng.random_range(0..bound)).collect(),
        shape.to_vec(),
    )
}

/// A side of 1 to 3, or 0 about one time in eight.
fn side() -> impl Strategy<Value = usize> {
    prop_oneof![1 => Just(0usize), 7 => 1usize..=3]
}

fn reduction() -> impl Strategy<Value = Reduction> {
    prop::sample::select(vec![Reduction::Mean, Reduction::Sum, Reduction::None])
}

/// `target + diff` where every |diff| lies in `[0.05, 2)` and at least
/// 0.05 from each of `kinks` (|d| values where the loss is not smooth).
fn input_near(target: &Tensor<f64>, seed: u64, kinks: &[f64]) -> Tensor<f64> {
    let diff = values(target.shape().dims(), 0.05, 2.0, true, seed ^ 0xd1ff);
    let data = target
        .data()
        .iter()
        .zip(diff.data())
        .map(|(&t, &d)| {
            let mut m = d.abs();
            for &k in kinks {
                if (m - k).abs() < 0.05 {
                    m = if m < k { k - 0.05 } else { k + 0.05 };
                }
            }
            t + m.max(0.05).copysign(d)
        })
        .collect();
    Tensor::from_vec(data, target.shape().clone())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn layer_norm(d in shape_with_axis(), k in 1usize..=3, seed in any::<u64>(),
                  eps in prop::sample::select(vec![1e-3, 0.1, 1.0]), affine in 0usize..4) {
        let k = k.min(d.len());
        let ns = d[d.len() - k..].to_vec();
        let mut inputs = vec![values(&d, 0.0, 2.0, true, seed)];
        let (with_w, with_b) = (affine & 1 != 0, affine & 2 != 0);
        if with_w { inputs.push(values(&ns, 0.5, 2.0, true, seed ^ 1)); }
        if with_b { inputs.push(values(&ns, 0.0, 1.0, true, seed ^ 2)); }
        check(|v| {
            let w = with_w.then(|| v[1]);
            let b = with_b.then(|| v[v.len() - 1]);
            v[0].layer_norm(&ns, w, b, eps)
        }, &inputs)?;
    }

    #[test]
    fn batch_norm_train(n in 1usize..=3, c in side(), rest in prop::collection::vec(1usize..=3, 0..=2),
                        seed in any::<u64>(), eps in prop::sample::select(vec![1e-3, 0.1]), affine in 0usize..4) {
        let mut d = vec![n, c];
        d.extend(&rest);
        prop_assume!(n * rest.iter().product::<usize>() >= 2);
        let mut inputs = vec![values(&d, 0.0, 2.0, true, seed)];
        let (with_w, with_b) = (affine & 1 != 0, affine & 2 != 0);
        if with_w { inputs.push(values(&[c], 0.5, 2.0, true, seed ^ 1)); }
        if with_b { inputs.push(values(&[c], 0.0, 1.0, true, seed ^ 2)); }
        check(|v| {
            let w = with_w.then(|| v[1]);
            let b = with_b.then(|| v[v.len() - 1]);
            v[0].batch_norm_train(w, b, eps)
        }, &inputs)?;
    }

    #[test]
    fn batch_norm_eval(n in side(), c in 1usize..=3, rest in prop::collection::vec(side(), 0..=2), seed in any::<u64>()) {
        let mut d = vec![n, c];
        d.extend(&rest);
        let mean = values(&[c], 0.0, 1.0, true, seed ^ 3);
        let var = values(&[c], 0.2, 2.0, false, seed ^ 4);
        let inputs = [
            values(&d, 0.0, 2.0, true, seed),
            values(&[c], 0.5, 2.0, true, seed ^ 1),
            values(&[c], 0.0, 1.0, true, seed ^ 2),
        ];
        check(|v| v[0].batch_norm_eval(&mean, &var, Some(v[1]), Some(v[2]), 1e-5), &inputs)?;
    }

    #[test]
    fn embedding(rows in 1usize..=4, dim in side(), at in shape(), seed in any::<u64>()) {
        let idx = index(&at, rows, seed);
        let w = values(&[rows, dim], 0.0, 2.0, true, seed);
        check(|v| v[0].embedding(&idx), &[w])?;
    }

    #[test]
    fn nll_loss(n in side(), c in 1usize..=4, rest in prop::collection::vec(side(), 0..=2),
                unbatched in any::<bool>(), r in reduction(), seed in any::<u64>()) {
        let (d, at) = if unbatched {
            (vec![c], vec![])
        } else {
            let mut d = vec![n, c];
            d.extend(&rest);
            let mut at = vec![n];
            at.extend(&rest);
            (d, at)
        };
        // The mean of no terms is NaN, whose differences say nothing.
        prop_assume!(r != Reduction::Mean || at.iter().product::<usize>() > 0);
        let targets = index(&at, c, seed);
        let x = values(&d, 0.0, 3.0, true, seed);
        check(|v| v[0].nll_loss(&targets, r), &[x])?;
    }

    #[test]
    fn l1_loss(d in shape(), r in reduction(), seed in any::<u64>()) {
        prop_assume!(r != Reduction::Mean || d.iter().product::<usize>() > 0);
        let t = values(&d, 0.0, 2.0, true, seed);
        let x = input_near(&t, seed, &[]);
        check(|v| v[0].l1_loss(v[1], r), &[x, t])?;
    }

    #[test]
    fn smooth_l1_loss(d in shape(), r in reduction(), seed in any::<u64>(),
                      beta in prop::sample::select(vec![0.0, 0.5, 1.0, 1.5])) {
        prop_assume!(r != Reduction::Mean || d.iter().product::<usize>() > 0);
        let t = values(&d, 0.0, 2.0, true, seed);
        let x = input_near(&t, seed, &[beta]);
        check(|v| v[0].smooth_l1_loss(v[1], r, beta), &[x, t])?;
    }

    #[test]
    fn huber_loss(d in shape(), r in reduction(), seed in any::<u64>(),
                  delta in prop::sample::select(vec![0.25, 1.0, 1.5])) {
        prop_assume!(r != Reduction::Mean || d.iter().product::<usize>() > 0);
        let t = values(&d, 0.0, 2.0, true, seed);
        let x = input_near(&t, seed, &[delta]);
        check(|v| v[0].huber_loss(v[1], r, delta), &[x, t])?;
    }

    #[test]
    fn cosine_similarity(d in prop::collection::vec((side(), any::<bool>(), any::<bool>()), 1..=3),
                         drop in 0usize..=2, seed in any::<u64>()) {
        let rank = d.len();
        let axis = (seed % rank as u64) as isize - if seed % 2 == 0 { rank as isize } else { 0 };
        let a = axis.rem_euclid(rank as isize) as usize;
        // Each side of an operand is the full one or 1 (broadcast), the
        // reduced one never 0 (a norm far from eps); x2 may also lose
        // leading axes in front of the reduced one.
        let pick = |first: bool, drop: usize| {
            d.iter().enumerate().skip(drop.min(a)).map(|(i, &(s, k1, k2))| {
                let s = if i == a { s.max(1) } else { s };
                if (first && k1) || (!first && k2) { s } else { 1 }
            }).collect::<Vec<_>>()
        };
        let (s1, s2) = (pick(true, 0), pick(false, drop));
        let x1 = values(&s1, 0.5, 2.0, true, seed);
        let x2 = values(&s2, 0.5, 2.0, true, seed ^ 7);
        check(|v| v[0].cosine_similarity(v[1], axis, 1e-8), &[x1, x2])?;
    }
}

/// The value and the gradients of `Σ f(x, t)` at `xs`, `ts`.
fn loss_grads(
    xs: &[f64],
    ts: &[f64],
    f: impl for<'t> Fn(Var<'t, f64>, Var<'t, f64>) -> Var<'t, f64>,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(xs.to_vec(), [xs.len()]));
    let t = tape.param(Tensor::from_vec(ts.to_vec(), [ts.len()]));
    let y = f(x, t);
    let g = y.sum().backward();
    (
        y.value().data().to_vec(),
        g[x].data().to_vec(),
        g[t].data().to_vec(),
    )
}

#[test]
fn l1_gradient_is_zero_at_a_tie() {
    let (y, gx, gt) = loss_grads(&[1.0, 2.0, -1.0], &[1.0, 0.0, 0.0], |x, t| {
        x.l1_loss(t, Reduction::None)
    });
    assert_eq!(y, [0.0, 2.0, 1.0]);
    assert_eq!(gx, [0.0, 1.0, -1.0]);
    assert_eq!(gt, [0.0, -1.0, 1.0]);
}

#[test]
fn smooth_l1_and_huber_are_continuous_at_the_bound() {
    // d = −1, −0.5, 0, 0.5, 1 with beta = delta = 0.5: ±1 (smooth L1) and
    // ±delta (Huber) at |d| = 0.5 from both sides, 0 at the tie.
    let xs = [-1.0, -0.5, 0.0, 0.5, 1.0];
    let zeros = [0.0; 5];
    let (y, g, _) = loss_grads(&xs, &zeros, |x, t| {
        x.smooth_l1_loss(t, Reduction::None, 0.5)
    });
    assert_eq!(y, [0.75, 0.25, 0.0, 0.25, 0.75]);
    assert_eq!(g, [-1.0, -1.0, 0.0, 1.0, 1.0]);
    let (y, g, _) = loss_grads(&xs, &zeros, |x, t| x.huber_loss(t, Reduction::None, 0.5));
    assert_eq!(y, [0.375, 0.125, 0.0, 0.125, 0.375]);
    assert_eq!(g, [-0.5, -0.5, 0.0, 0.5, 0.5]);
}

#[test]
fn smooth_l1_with_beta_zero_is_l1() {
    let xs = [-1.5, 0.0, 0.25, 2.0];
    let ts = [0.5, 0.0, 0.0, 1.0];
    for r in [Reduction::Mean, Reduction::Sum, Reduction::None] {
        let a = loss_grads(&xs, &ts, |x, t| x.smooth_l1_loss(t, r, 0.0));
        let b = loss_grads(&xs, &ts, |x, t| x.l1_loss(t, r));
        assert_eq!(a, b, "{r:?}");
    }
}

#[test]
fn reductions_mean_sum_and_none() {
    let xs = [1.0, -3.0, 0.5, 0.5];
    let zeros = [0.0; 4];
    let (y, g, _) = loss_grads(&xs, &zeros, |x, t| x.l1_loss(t, Reduction::Mean));
    assert_eq!((y, g), (vec![1.25], vec![0.25, -0.25, 0.25, 0.25]));
    let (y, g, _) = loss_grads(&xs, &zeros, |x, t| x.l1_loss(t, Reduction::Sum));
    assert_eq!((y, g), (vec![5.0], vec![1.0, -1.0, 1.0, 1.0]));
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::zeros([0]));
    let l = x.huber_loss(tape.constant(Tensor::zeros([0])), Reduction::Mean, 1.0);
    assert!(l.item().is_nan(), "the mean of no terms is 0/0");
}

#[test]
fn nll_loss_shapes_and_values() {
    let tape = Tape::<f64>::new();
    // [N, C, d] with classes on axis 1.
    let x = tape.param(Tensor::from_vec(
        (0..12).map(f64::from).collect(),
        [2, 3, 2],
    ));
    let t = Indices::new(vec![2, 0, 1, 1], [2, 2]);
    let none = x.nll_loss(&t, Reduction::None);
    assert_eq!(none.shape().dims(), &[2, 2]);
    assert_eq!(none.value().data(), &[-4.0, -1.0, -8.0, -9.0]);
    let g = x.nll_loss(&t, Reduction::Mean).backward();
    let mut want = [0.0; 12];
    for i in [4, 1, 8, 9] {
        want[i] = -0.25;
    }
    assert_eq!(g[x].data(), &want);
    // [C] with a 0-d target gives a 0-d result for every reduction.
    let v = tape.param(Tensor::from_vec(vec![-0.5, -1.5, -2.5], [3]));
    for r in [Reduction::Mean, Reduction::Sum, Reduction::None] {
        let l = v.nll_loss(&Indices::new(vec![1], Vec::<usize>::new()), r);
        assert_eq!((l.shape().rank(), l.item()), (0, 1.5), "{r:?}");
    }
}

#[test]
fn embedding_accumulates_repeats_and_keeps_index_shape() {
    let tape = Tape::<f64>::new();
    let w = tape.param(Tensor::from_vec((0..6).map(f64::from).collect(), [3, 2]));
    let y = w.embedding(&Indices::new(vec![1, 1, 0, 1], [2, 2]));
    assert_eq!(y.shape().dims(), &[2, 2, 2]);
    assert_eq!(
        y.sum().backward()[w].data(),
        &[1.0, 1.0, 3.0, 3.0, 0.0, 0.0]
    );
    let one = w.embedding(&Indices::new(vec![2], Vec::<usize>::new()));
    assert_eq!(
        (one.shape().dims(), one.value().data()),
        (&[2][..], &[4.0, 5.0][..])
    );
    let none = w.embedding(&Indices::new(vec![], [0]));
    assert_eq!(none.shape().dims(), &[0, 2]);
    assert_eq!(none.sum().backward()[w].data(), &[0.0; 6]);
}

#[test]
fn layer_norm_of_a_constant_row_is_the_bias() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![100.0; 3], [1, 3]));
    let w = tape.param(Tensor::from_vec(vec![2.0, 3.0, 4.0], [3]));
    let b = tape.param(Tensor::from_vec(vec![0.5, -1.0, 7.0], [3]));
    let y = x.layer_norm(&[3], Some(w), Some(b), 1e-5);
    assert_eq!(y.value().data(), &[0.5, -1.0, 7.0]);
    let g = (y * y).sum().backward();
    assert_eq!(g[w].data(), &[0.0; 3]);
}

#[test]
fn batch_norm_eval_is_the_affine_map_of_its_statistics() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2, 1]));
    let w = tape.param(Tensor::from_vec(vec![2.0, -1.0], [2]));
    let b = tape.param(Tensor::from_vec(vec![0.5, 0.25], [2]));
    let mean = Tensor::from_vec(vec![1.0, 0.0], [2]);
    let var = Tensor::from_vec(vec![4.0, 0.25], [2]);
    let y = x.batch_norm_eval(&mean, &var, Some(w), Some(b), 0.0);
    // (x − m)/√v·w + b per channel.
    assert_eq!(y.value().data(), &[0.5, -3.75, 2.5, -7.75]);
    let g = y.sum().backward();
    assert_eq!(g[x].data(), &[1.0, -2.0, 1.0, -2.0]);
    assert_eq!(g[w].data(), &[1.0, 12.0]);
    assert_eq!(g[b].data(), &[2.0, 2.0]);
}

#[test]
fn cosine_similarity_of_parallel_and_antiparallel_rows() {
    let tape = Tape::<f64>::new();
    let a = tape.param(Tensor::from_vec(vec![1.0, 2.0, 2.0, 1.0, 2.0, 2.0], [2, 3]));
    let b = tape.param(Tensor::from_vec(
        vec![2.0, 4.0, 4.0, -0.5, -1.0, -1.0],
        [2, 3],
    ));
    let c = a.cosine_similarity(b, 1, 1e-8);
    let cv = c.value();
    assert!((cv.data()[0] - 1.0).abs() < 1e-15 && (cv.data()[1] + 1.0).abs() < 1e-15);
    let g = c.sum().backward();
    assert!(
        g[a].data().iter().all(|d| d.abs() < 1e-15),
        "{:?}",
        g[a].data()
    );
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    *std::panic::catch_unwind(f)
        .unwrap_err()
        .downcast::<String>()
        .unwrap()
}

/// The message names `op`, every one of `parts` and this file.
fn assert_names(msg: &str, op: &str, parts: &[&str]) {
    assert!(msg.contains(&format!("tapegrad: {op}:")), "{msg}");
    for p in parts {
        assert!(msg.contains(p), "{p} missing: {msg}");
    }
    assert!(msg.contains("props_ops_v2_nn.rs"), "{msg}");
}

fn ones<'t>(t: &'t Tape<f64>, s: &[usize]) -> Var<'t, f64> {
    t.param(Tensor::ones(s.to_vec()))
}

#[test]
fn shape_errors_name_the_op_both_shapes_and_the_caller() {
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2, 3]).layer_norm(&[4], None, None, 1e-5);
    });
    assert_names(&msg, "layer_norm", &["[4]", "[2, 3]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2, 3]).layer_norm(&[3], Some(ones(&t, &[2])), None, 1e-5);
    });
    assert_names(&msg, "layer_norm", &["weight", "[2]", "[3]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[4, 3]).batch_norm_train(None, Some(ones(&t, &[4])), 1e-5);
    });
    assert_names(&msg, "batch_norm_train", &["bias", "[4]", "[3]", "[4, 3]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[3]).batch_norm_train(None, None, 1e-5);
    });
    assert_names(&msg, "batch_norm_train", &["[3]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[1, 3]).batch_norm_train(None, None, 1e-5);
    });
    assert_names(
        &msg,
        "batch_norm_train",
        &["[1, 3]", "one value per channel"],
    );
    let msg = panic_message(|| {
        let t = Tape::new();
        let (m, v) = (Tensor::zeros([2]), Tensor::ones([3]));
        let _ = ones(&t, &[4, 3]).batch_norm_eval(&m, &v, None, None, 1e-5);
    });
    assert_names(&msg, "batch_norm_eval", &["running_mean", "[2]", "[4, 3]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[3, 2]).embedding(&Indices::new(vec![3], [1]));
    });
    assert_names(&msg, "embedding", &["index 3", "[3, 2]", "[1]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[6]).embedding(&Indices::new(vec![0], [1]));
    });
    assert_names(&msg, "embedding", &["[6]", "[1]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2, 3]).nll_loss(&Indices::new(vec![0, 1, 2], [3]), Reduction::Mean);
    });
    assert_names(&msg, "nll_loss", &["[3]", "[2, 3]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2, 3]).nll_loss(&Indices::new(vec![0, 3], [2]), Reduction::Sum);
    });
    assert_names(&msg, "nll_loss", &["target 3", "[2, 3]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2, 3]).l1_loss(ones(&t, &[3]), Reduction::Mean);
    });
    assert_names(&msg, "l1_loss", &["[2, 3]", "[3]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2]).smooth_l1_loss(ones(&t, &[2, 1]), Reduction::Mean, 1.0);
    });
    assert_names(&msg, "smooth_l1_loss", &["[2]", "[2, 1]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2]).smooth_l1_loss(ones(&t, &[2]), Reduction::Mean, -1.0);
    });
    assert_names(&msg, "smooth_l1_loss", &["beta = -1"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2]).huber_loss(ones(&t, &[3]), Reduction::None, 1.0);
    });
    assert_names(&msg, "huber_loss", &["[2]", "[3]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2]).huber_loss(ones(&t, &[2]), Reduction::None, 0.0);
    });
    assert_names(&msg, "huber_loss", &["delta = 0"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2, 3]).cosine_similarity(ones(&t, &[2]), 1, 1e-8);
    });
    assert_names(&msg, "cosine_similarity", &["[2, 3]", "[2]"]);
    let msg = panic_message(|| {
        let t = Tape::new();
        let _ = ones(&t, &[2, 3]).cosine_similarity(ones(&t, &[3]), 2, 1e-8);
    });
    assert_names(&msg, "cosine_similarity", &["axis 2", "[2, 3]", "[3]"]);
}
