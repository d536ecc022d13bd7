//! Leaves kept on the tape across steps (`Tape::truncate`, `Tape::var`,
//! `Tape::leaf_values_mut`): training with the parameters kept and updated
//! in place gives bit for bit what clearing the tape and copying them back
//! every step gives; misuse panics at the caller's line; hooks, no-grad
//! leaves and second order survive a truncation.

#[path = "support/panic_location.rs"]
mod panic_location;

use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tapegrad::{Float, Gradients, Tape, Tensor, Var};

fn random<T: Float>(rng: &mut rand::rngs::StdRng, shape: &[usize], scale: f64) -> Tensor<T> {
    let n = shape.iter().product();
    let data = (0..n)
        .map(|_| T::from_f64(rng.random_range(-scale..scale)))
        .collect();
    Tensor::from_vec(data, shape.to_vec())
}

/// `x·W₁ + b₁ → relu → ·W₂ + b₂`, mean cross-entropy against `labels`.
fn loss<'t, T: Float>(p: &[Var<'t, T>], x: Var<'t, T>, labels: &[usize]) -> Var<'t, T> {
    let h = (x.matmul(p[0]) + p[1]).relu();
    (h.matmul(p[2]) + p[3]).cross_entropy(labels)
}

/// The parameters, the batch and its labels of a 96-128-10 classifier;
/// batch 32, so the first product (393,216 multiply-adds) takes the large
/// GEMM path and the others the small one.
fn problem<T: Float>() -> (Vec<Tensor<T>>, Tensor<T>, Vec<usize>) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let params = vec![
        random(&mut rng, &[96, 128], 0.1),
        random(&mut rng, &[128], 0.1),
        random(&mut rng, &[128, 10], 0.1),
        random(&mut rng, &[10], 0.1),
    ];
    let x = random(&mut rng, &[32, 96], 1.0);
    let labels = (0..32).map(|_| rng.random_range(0..10)).collect();
    (params, x, labels)
}

/// Per step: the loss and every parameter's gradient; at the end the
/// parameters. By clearing the tape and copying the parameters onto it.
fn train_clear_and_copy<T: Float>(steps: usize) -> (Vec<T>, Vec<Vec<T>>, Vec<Vec<T>>) {
    let (mut params, x, labels) = problem::<T>();
    let (mut tape, mut grads) = (Tape::<T>::new(), Gradients::new());
    let (mut losses, mut seen) = (Vec::new(), Vec::new());
    for _ in 0..steps {
        tape.clear();
        let p: Vec<Var<'_, T>> = params.iter().map(|t| tape.param(t.clone())).collect();
        let x = tape.constant(x.clone());
        let l = loss(&p, x, &labels);
        l.backward_into(&mut grads);
        losses.push(l.item());
        for (t, &v) in params.iter_mut().zip(&p) {
            seen.push(grads[v].data().to_vec());
            for (e, &g) in t.data_mut().iter_mut().zip(grads[v].data()) {
                *e -= T::from_f64(0.05) * g;
            }
        }
    }
    (
        losses,
        seen,
        params.iter().map(|t| t.data().to_vec()).collect(),
    )
}

/// The same with the parameters and the batch kept on the tape.
fn train_kept<T: Float>(steps: usize) -> (Vec<T>, Vec<Vec<T>>, Vec<Vec<T>>) {
    let (params, x, labels) = problem::<T>();
    let (mut tape, mut grads) = (Tape::<T>::new(), Gradients::new());
    for t in &params {
        let _ = tape.param(t.clone());
    }
    let xi = tape.constant(x).index();
    let (mut losses, mut seen) = (Vec::new(), Vec::new());
    for _ in 0..steps {
        tape.truncate(xi + 1);
        let p: Vec<Var<'_, T>> = (0..params.len()).map(|i| tape.var(i)).collect();
        let l = loss(&p, tape.var(xi), &labels);
        l.backward_into(&mut grads);
        losses.push(l.item());
        for i in 0..params.len() {
            let g = grads[tape.var(i)].data();
            seen.push(g.to_vec());
            for (e, &g) in tape.leaf_values_mut(i).iter_mut().zip(g) {
                *e -= T::from_f64(0.05) * g;
            }
        }
    }
    let finals = (0..params.len())
        .map(|i| tape.var(i).value().data().to_vec())
        .collect();
    (losses, seen, finals)
}

fn bits<T: Float>(v: &[T]) -> Vec<u64> {
    v.iter().map(|e| Float::to_f64(*e).to_bits()).collect()
}

fn assert_same_training<T: Float>() {
    let (l0, g0, p0) = train_clear_and_copy::<T>(25);
    let (l1, g1, p1) = train_kept::<T>(25);
    assert!(
        Float::to_f64(l0[24]) < Float::to_f64(l0[0]),
        "the loss falls"
    );
    assert_eq!(bits(&l0), bits(&l1), "losses");
    assert_eq!(g0.len(), g1.len());
    for (a, b) in g0.iter().zip(&g1) {
        assert_eq!(bits(a), bits(b), "gradients");
    }
    for (a, b) in p0.iter().zip(&p1) {
        assert_eq!(bits(a), bits(b), "parameters");
    }
}

#[test]
fn kept_parameters_train_bit_for_bit_as_copied_ones_f64() {
    assert_same_training::<f64>();
}

#[test]
fn kept_parameters_train_bit_for_bit_as_copied_ones_f32() {
    assert_same_training::<f32>();
}

/// `x = relu(x·wᵢ + bᵢ)` over the pairs of `wb`.
fn chain<'t>(x: Var<'t, f64>, wb: &[Var<'t, f64>]) -> Var<'t, f64> {
    wb.chunks_exact(2)
        .fold(x, |x, wb| (x * wb[0] + wb[1]).relu())
}

#[test]
fn scalar_leaves_kept_give_the_chain_of_fresh_ones() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let values: Vec<f64> = (0..41).map(|_| rng.random_range(-1.5..1.5)).collect();
    let mut kept = Tape::<f64>::new();
    for &v in &values {
        let _ = kept.scalar(v);
    }
    let fresh = Tape::<f64>::new();
    let leaves: Vec<Var<'_, f64>> = values.iter().map(|&v| fresh.scalar(v)).collect();
    let y = chain(leaves[0], &leaves[1..]);
    let want = y.backward();
    for _ in 0..5 {
        kept.truncate(values.len());
        assert_eq!(kept.len(), values.len());
        let k: Vec<Var<'_, f64>> = (0..values.len()).map(|i| kept.var(i)).collect();
        let y2 = chain(k[0], &k[1..]);
        assert_eq!(y2.item().to_bits(), y.item().to_bits());
        let got = y2.backward();
        for (a, b) in leaves.iter().zip(&k) {
            assert_eq!(got[*b].item().to_bits(), want[*a].item().to_bits());
        }
    }
}

#[test]
fn truncate_drops_later_values_and_shapes() {
    let mut tape = Tape::<f32>::new();
    let _ = tape.param(Tensor::ones([3, 2]));
    let _ = tape.constant_scalar(2.0);
    for step in 0..50_isize {
        tape.truncate(2);
        assert_eq!((tape.len(), tape.stored_values()), (2, 7));
        // a new shape every step, and a link-recording op (concat)
        let w = tape.var(0);
        let y = w.reshape([2, 3]).sum_axis(step % 2, false);
        let _ = tapegrad::cat(&[y, y], 0).sum() * tape.var(1);
    }
    assert_eq!(tape.var(1).item(), 2.0);
    tape.truncate(2);
    tape.truncate(10); // past the end: keeps both
    assert_eq!((tape.len(), tape.stored_values()), (2, 7));
    tape.clear();
    assert!(tape.is_empty() && tape.stored_values() == 0);
}

#[test]
fn gradients_of_the_old_recording_cannot_be_indexed_after_truncate() {
    let mut tape = Tape::<f64>::new();
    let _ = tape.scalar(2.0);
    let g = (tape.var(0) * 3.0).backward();
    assert_eq!(g[tape.var(0)].item(), 3.0);
    tape.truncate(1);
    let message = assert_panics_here!(g[tape.var(0)]);
    assert!(message.contains("earlier recording"), "{message}");
}

#[test]
fn leaf_values_mut_keeps_the_gradients_indexable() {
    let mut tape = Tape::<f64>::new();
    let _ = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    let g = (tape.var(0) * tape.var(0)).sum().backward();
    tape.leaf_values_mut(0).copy_from_slice(&[5.0, 6.0]);
    assert_eq!(g[tape.var(0)].data(), &[2.0, 4.0]);
    assert_eq!(tape.var(0).value().data(), &[5.0, 6.0]);
}

#[rustfmt::skip]
mod misuse {
    use super::*;

    #[test]
    fn truncate_past_a_recorded_op_panics_naming_it() {
        let mut tape = Tape::<f64>::new();
        let w = tape.scalar(1.0);
        let _ = w.exp();
        let _ = tape.scalar(2.0);
        let message = assert_panics_here!(tape.truncate(3));
        assert!(message.contains("truncate") && message.contains("node 1") && message.contains("exp"), "{message}");
        assert!(message.contains("keep_leaves.rs"), "names the line that recorded it: {message}");
    }

    #[test]
    fn var_out_of_range_panics() {
        let tape = Tape::<f32>::new();
        let _ = tape.scalar(1.0);
        let message = assert_panics_here!(tape.var(1));
        assert!(message.contains("var") && message.contains("index 1") && message.contains("1 nodes"), "{message}");
    }

    #[test]
    fn leaf_values_mut_of_an_op_panics() {
        let mut tape = Tape::<f32>::new();
        let _ = tape.scalar(1.0).sin();
        let message = assert_panics_here!(tape.leaf_values_mut(1));
        assert!(message.contains("leaf_values_mut") && message.contains("sin") && message.contains("not a leaf"), "{message}");
        let message = assert_panics_here!(tape.leaf_values_mut(2));
        assert!(message.contains("out of range"), "{message}");
    }
}

#[test]
fn hooks_on_kept_leaves_stay_and_later_ones_go() {
    let (on_leaf, on_op) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut tape = Tape::<f64>::new();
    let w = tape.scalar(3.0);
    let seen = on_leaf.clone();
    w.register_hook(move |g| {
        seen.fetch_add(1, Ordering::Relaxed);
        g[0] *= 10.0;
    });
    let h = w * w;
    let seen = on_op.clone();
    h.register_hook(move |_| {
        seen.fetch_add(1, Ordering::Relaxed);
    });
    assert_eq!(h.backward()[w].item(), 60.0);
    for _ in 0..3 {
        tape.truncate(1);
        let w = tape.var(0);
        // no hook on the new `w·w` node: only the leaf's scales
        assert_eq!((w * w).backward()[w].item(), 60.0);
    }
    assert_eq!(on_leaf.load(Ordering::Relaxed), 4);
    assert_eq!(on_op.load(Ordering::Relaxed), 1);
}

#[test]
fn no_grad_results_can_be_kept_as_constants() {
    let mut tape = Tape::<f64>::new();
    let w = tape.param(Tensor::from_vec(vec![1.0, -2.0], [2]));
    let frozen = tape.no_grad(|| w * 4.0);
    let _ = tape.no_grad(|| tape.scalar(5.0));
    assert_eq!(frozen.index(), 1);
    tape.truncate(3);
    let (w, frozen, p) = (tape.var(0), tape.var(1), tape.var(2));
    assert!(!frozen.requires_grad() && !p.requires_grad() && w.requires_grad());
    let g = (w * frozen).sum().backward();
    assert_eq!(g[w].data(), &[4.0, -8.0]);
    assert!(g.get(frozen).is_none());
    let y = tape.no_grad(|| (w * p).sum());
    assert_eq!(y.item(), -5.0);
    assert!(!y.requires_grad());
}

#[test]
fn second_order_after_truncate() {
    let mut tape = Tape::<f64>::new();
    let _ = tape.param(Tensor::from_vec(vec![0.5, -1.5, 2.0], [3]));
    for step in 0..4 {
        tape.truncate(1);
        let w = tape.var(0);
        // L = Σ w³ + sin(w): ∂L/∂w = 3w² + cos w, ∂(Σ ∂L/∂w)/∂w = 6w − sin w
        let l = (w * w * w + w.sin()).sum();
        let [g] = l.grad_graph(&[w])[..] else {
            panic!("one gradient")
        };
        let hv = g.sum().backward();
        let wv = w.value();
        for ((&x, &d1), &d2) in wv.data().iter().zip(g.value().data()).zip(hv[w].data()) {
            assert!((d1 - (3.0 * x * x + x.cos())).abs() < 1e-12);
            assert!((d2 - (6.0 * x - x.sin())).abs() < 1e-12);
        }
        let lr = 0.01 * f64::from(step + 1);
        let grad: Vec<f64> = g.value().data().to_vec();
        for (e, d) in tape.leaf_values_mut(0).iter_mut().zip(grad) {
            *e -= lr * d;
        }
    }
}
