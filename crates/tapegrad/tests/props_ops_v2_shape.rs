//! The ops-v2 shape and indexing ops (cat, stack, narrow, slice, split,
//! chunk, index_select, gather, scatter_add, squeeze, unsqueeze, permute,
//! flatten, flip, pad, broadcast_to) on random shapes — zero-size and 0-d
//! included: gradients against finite differences (first order), Hessians
//! and the recorded rules (second order, where they must be exactly the
//! adjoint moves), then exact forward values and error messages.

#[path = "support/props_v2_axes.rs"]
mod props;

use props::{check, config, shape, shape_with_axis, values};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tapegrad::{cat, stack, Indices, Tape, Tensor, Var};

/// A random index of `shape` whose entries are below `bound`.
fn index(shape: &[usize], bound: usize, seed: u64) -> Indices {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x1d);
    let n = shape.iter().product();
    Indices::new(
        (0..n).map(|_| rng.random_range(0..bound)).collect(),
        shape.to_vec(),
    )
}

/// An axis of a rank-`rank` value, written negatively half the time.
fn axis_of(rank: usize, seed: u64) -> isize {
    let a = (seed % rank as u64) as isize;
    if seed.is_multiple_of(2) {
        a - rank as isize
    } else {
        a
    }
}

/// A product with a fixed tensor of `y`'s shape, so that every output
/// element reaches the loss with its own weight (and the Hessian of the
/// f·f check is not trivially 0).
fn weighted<'t>(y: Var<'t, f64>) -> Var<'t, f64> {
    let w = values(y.shape().dims(), 0.5, 1.5, true, 7);
    y * y.tape().constant(w)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn cat_pieces(d in shape_with_axis(), lens in prop::collection::vec(0usize..=3, 1..=3), seed in any::<u64>()) {
        let axis = axis_of(d.len(), seed);
        let a = axis.rem_euclid(d.len() as isize) as usize;
        let pieces: Vec<Tensor<f64>> = lens.iter().enumerate().map(|(k, &n)| {
            let mut s = d.clone();
            s[a] = n;
            values(&s, 0.0, 2.0, true, seed + k as u64)
        }).collect();
        check(|v| weighted(cat(v, axis)), &pieces)?;
    }

    #[test]
    fn stack_pieces(d in shape(), k in 1usize..=3, seed in any::<u64>()) {
        let axis = axis_of(d.len() + 1, seed);
        let pieces: Vec<Tensor<f64>> = (0..k).map(|i| values(&d, 0.0, 2.0, true, seed + i as u64)).collect();
        check(|v| weighted(stack(v, axis)), &pieces)?;
    }

    #[test]
    fn narrow_and_slice(d in shape_with_axis(), seed in any::<u64>(), start in -4isize..5, stop in -4isize..6, step in 1usize..=3) {
        let axis = axis_of(d.len(), seed);
        let n = d[axis.rem_euclid(d.len() as isize) as usize];
        let x = values(&d, 0.0, 2.0, true, seed);
        check(|v| weighted(v[0].slice(axis, start, stop, step)), std::slice::from_ref(&x))?;
        let s = (seed as usize / 7) % (n + 1);
        let len = (seed as usize / 31) % (n - s + 1);
        check(|v| weighted(v[0].narrow(axis, s as isize, len)), std::slice::from_ref(&x))?;
        let parts = 1 + seed as usize % 3;
        check(|v| {
            let pieces = v[0].chunk(parts, axis);
            weighted(cat(&pieces, axis))
        }, &[x])?;
    }

    #[test]
    fn index_select(d in shape_with_axis(), k in 0usize..=4, seed in any::<u64>()) {
        let axis = axis_of(d.len(), seed);
        let n = d[axis.rem_euclid(d.len() as isize) as usize];
        prop_assume!(n > 0 || k == 0);
        let idx = index(&[k], n.max(1), seed);
        let x = values(&d, 0.0, 2.0, true, seed);
        check(|v| weighted(v[0].index_select(axis, idx.data())), &[x])?;
    }

    #[test]
    fn gather_and_scatter_add(d in shape_with_axis(), along in 0usize..=4, seed in any::<u64>()) {
        let axis = axis_of(d.len(), seed);
        let a = axis.rem_euclid(d.len() as isize) as usize;
        prop_assume!(d[a] > 0);
        // Off the axis the index may be shorter than x.
        let mut rng = StdRng::seed_from_u64(seed);
        let is: Vec<usize> = d.iter().enumerate()
            .map(|(i, &n)| if i == a { along } else { rng.random_range(0..=n) })
            .collect();
        let idx = index(&is, d[a], seed);
        let x = values(&d, 0.0, 2.0, true, seed);
        let src = values(&is, 0.0, 2.0, true, seed + 1);
        check(|v| weighted(v[0].gather(axis, &idx)), std::slice::from_ref(&x))?;
        check(|v| weighted(v[0].scatter_add(axis, &idx, v[1])), &[x, src])?;
    }

    #[test]
    fn squeeze_unsqueeze_flatten(d in shape(), seed in any::<u64>()) {
        let x = values(&d, 0.0, 2.0, true, seed);
        let r = d.len();
        check(|v| weighted(v[0].unsqueeze(axis_of(r + 1, seed))), std::slice::from_ref(&x))?;
        check(|v| weighted(v[0].unsqueeze(0).squeeze(None)), std::slice::from_ref(&x))?;
        let (s, e) = if r == 0 { (0, -1) } else {
            let s = seed as usize % r;
            (s as isize, (s + (seed as usize / 3) % (r - s)) as isize)
        };
        check(|v| weighted(v[0].flatten(s, e)), &[x])?;
    }

    #[test]
    fn permute_and_flip(d in shape(), seed in any::<u64>()) {
        let x = values(&d, 0.0, 2.0, true, seed);
        let mut rng = StdRng::seed_from_u64(seed);
        let mut perm: Vec<isize> = (0..d.len() as isize).collect();
        for i in (1..perm.len()).rev() {
            perm.swap(i, rng.random_range(0..=i));
        }
        let dims: Vec<isize> = (0..d.len() as isize).filter(|_| rng.random::<bool>()).collect();
        check(|v| weighted(v[0].permute(&perm)), std::slice::from_ref(&x))?;
        check(|v| weighted(v[0].flip(&dims)), &[x])?;
    }

    #[test]
    fn pad(d in shape_with_axis(), pads in prop::collection::vec(-1isize..=2, 1..=3), value in -1.0f64..1.0, seed in any::<u64>()) {
        let k = pads.len().min(d.len());
        let spec: Vec<isize> = (0..k).flat_map(|i| [pads[i], pads[(i + 1) % pads.len()]]).collect();
        let fits = spec.chunks(2).enumerate().all(|(i, p)| {
            d[d.len() - 1 - i] as isize + p[0].min(0) + p[1].min(0) >= 0
        });
        prop_assume!(fits);
        let x = values(&d, 0.0, 2.0, true, seed);
        check(|v| weighted(v[0].pad(&spec, value)), &[x])?;
    }

    #[test]
    fn broadcast_to(d in shape(), extra in prop::collection::vec(1usize..=3, 0..=2), seed in any::<u64>()) {
        // Stretch the size-1 axes and prepend new ones.
        let x_dims: Vec<usize> = d.iter().map(|&n| if seed % 2 == 0 && n > 1 { 1 } else { n }).collect();
        let mut target = extra.clone();
        target.extend(d.iter().copied());
        let x = values(&x_dims, 0.0, 2.0, true, seed);
        check(|v| weighted(v[0].broadcast_to(target.clone())), &[x])?;
    }
}

#[test]
fn forward_values_match_pytorch() {
    let tape = Tape::<f64>::new();
    let x = tape.constant(Tensor::arange(12).reshape([2, 3, 2]));
    assert_eq!(
        x.permute(&[2, 0, 1]).value().data(),
        &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 1.0, 3.0, 5.0, 7.0, 9.0, 11.0]
    );
    assert_eq!(
        x.flip(&[0, 2]).value().data(),
        &[7.0, 6.0, 9.0, 8.0, 11.0, 10.0, 1.0, 0.0, 3.0, 2.0, 5.0, 4.0]
    );
    let m = tape.constant(Tensor::arange(6).reshape([2, 3]));
    let p = m.pad(&[1, -1, 0, 1], 9.0);
    assert_eq!(p.shape().dims(), &[3, 3]);
    assert_eq!(
        p.value().data(),
        &[9.0, 0.0, 1.0, 9.0, 3.0, 4.0, 9.0, 9.0, 9.0]
    );
    assert_eq!(m.slice(1, -1, -10, 1).shape().dims(), &[2, 0]);
    assert_eq!(
        m.slice(1, 0, isize::MAX, 2).value().data(),
        &[0.0, 2.0, 3.0, 5.0]
    );
    let idx = Indices::new(vec![2, 2, 0], [1, 3]);
    assert_eq!(m.gather(1, &idx).value().data(), &[2.0, 2.0, 0.0]);
    let src = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 4.0], [1, 3]));
    assert_eq!(
        m.scatter_add(1, &idx, src).value().data(),
        &[4.0, 1.0, 5.0, 3.0, 4.0, 5.0]
    );
    let s = stack(&[m, m], -1);
    assert_eq!(s.shape().dims(), &[2, 3, 2]);
    assert_eq!(&s.value().data()[..4], &[0.0, 0.0, 1.0, 1.0]);
    let parts = m.split(2, 1);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[1].value().data(), &[2.0, 5.0]);
    assert_eq!(tape.scalar(1.0).flatten(0, -1).shape().dims(), &[1]);
    assert_eq!(x.squeeze(Some(&[0, -1])).shape().dims(), &[2, 3, 2]);
}

#[test]
fn duplicate_indices_accumulate() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    let g = x.index_select(0, &[2, 2, 0, 2]).sum().backward();
    assert_eq!(g[x].data(), &[1.0, 0.0, 3.0]);
    let g = x.gather(0, &Indices::from(vec![1, 1])).sum().backward();
    assert_eq!(g[x].data(), &[0.0, 2.0, 0.0]);
}

/// Indices stay integers: an index above 2^24 (where an f32 would round it)
/// selects exactly its element.
#[test]
fn large_indices_are_exact() {
    let n = (1 << 24) + 3;
    let tape = Tape::<f32>::new();
    let x = tape.constant(Tensor::from_vec(
        (0..n).map(|i| (i % 7) as f32).collect(),
        [n],
    ));
    let i = (1 << 24) + 1;
    assert_eq!(x.index_select(0, &[i]).item(), (i % 7) as f32);
    assert_eq!(x.gather(0, &Indices::from(vec![i])).item(), (i % 7) as f32);
    let big = tape.constant(Tensor::from_vec(vec![0.0; n], [n]));
    let at = big.argmax(None, false);
    assert_eq!(at.data(), &[0]);
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    *std::panic::catch_unwind(f)
        .unwrap_err()
        .downcast::<String>()
        .unwrap()
}

#[test]
fn bad_input_names_the_op_the_shapes_and_the_line() {
    let msg = panic_message(|| {
        let tape = Tape::<f64>::new();
        let (a, b) = (
            tape.param(Tensor::zeros([2, 3])),
            tape.param(Tensor::zeros([3, 3])),
        );
        let _ = cat(&[a, b], 1);
    });
    assert!(
        msg.contains("cat") && msg.contains("[2, 3]") && msg.contains("[3, 3]"),
        "{msg}"
    );
    assert!(msg.contains("props_ops_v2_shape.rs"), "{msg}");
    let msg = panic_message(|| {
        let tape = Tape::<f64>::new();
        let _ = tape
            .param(Tensor::zeros([2, 3]))
            .gather(1, &Indices::new(vec![3, 0], [2, 1]));
    });
    assert!(
        msg.contains("gather") && msg.contains("index 3") && msg.contains("[2, 3]"),
        "{msg}"
    );
    let msg = panic_message(|| {
        let tape = Tape::<f64>::new();
        let _ = tape.param(Tensor::zeros([2, 3])).permute(&[0, 0]);
    });
    assert!(msg.contains("permute") && msg.contains("[2, 3]"), "{msg}");
    let msg = panic_message(|| {
        let tape = Tape::<f64>::new();
        let _ = tape.param(Tensor::zeros([4])).narrow(0, 3, 2);
    });
    assert!(msg.contains("narrow") && msg.contains("[4]"), "{msg}");
}
