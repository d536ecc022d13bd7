//! The ops-v2 reductions (amax, amin, logsumexp, prod, var, std, norm,
//! cumsum, sum/mean over axis lists) on random shapes — zero-size and 0-d
//! included — random axis sets and keepdim: gradients against finite
//! differences (first order), Hessians against finite differences of the
//! gradient (second order), then PyTorch's conventions at ties, zeros and
//! empty axes pinned down exactly.

#[path = "support/props_v2_axes.rs"]
mod props;

use props::{check, config, shape, shape_with_axis, values};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tapegrad::{gradgradcheck, hessian, Axes, GradcheckOptions, Indices, Tape, Tensor};

/// A random set of axes of a rank-`rank` value, as PyTorch accepts it:
/// all (`None`), or a list in random order, some written negatively.
pub fn axes_of(rank: usize, seed: u64) -> Axes {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    if rank == 0 || rng.random_range(0..4) == 0 {
        return Axes::All;
    }
    let mut list = Vec::new();
    for a in 0..rank as isize {
        if rng.random::<bool>() {
            list.push(if rng.random::<bool>() {
                a - rank as isize
            } else {
                a
            });
        }
    }
    if list.is_empty() {
        list.push(rng.random_range(0..rank) as isize);
    }
    if rng.random::<bool>() {
        list.reverse();
    }
    Axes::from(list)
}

/// Number of elements folded into one by a reduction over `axes`.
pub fn folded(shape: &[usize], axes: &Axes) -> usize {
    match axes {
        Axes::All => shape.iter().product(),
        Axes::List(l) => l
            .iter()
            .map(|&a| shape[a.rem_euclid(shape.len() as isize) as usize])
            .product(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn amax_amin(d in shape(), seed in any::<u64>(), keep in any::<bool>(), min in any::<bool>()) {
        let axes = axes_of(d.len(), seed);
        prop_assume!(folded(&d, &axes) > 0);
        let x = values(&d, 0.1, 2.0, true, seed);
        check(|v| {
            if min { v[0].amin(axes.clone(), keep) } else { v[0].amax(axes.clone(), keep) }
        }, &[x])?;
    }

    #[test]
    fn logsumexp(d in shape(), seed in any::<u64>(), keep in any::<bool>()) {
        let axes = axes_of(d.len(), seed);
        prop_assume!(folded(&d, &axes) > 0);
        let x = values(&d, 0.0, 3.0, true, seed);
        check(|v| v[0].logsumexp(axes.clone(), keep), &[x])?;
    }

    #[test]
    fn prod(d in shape(), seed in any::<u64>(), keep in any::<bool>(), all in any::<bool>()) {
        let axis = if all || d.is_empty() { None } else { Some((seed % d.len() as u64) as isize) };
        let x = values(&d, 0.5, 1.5, true, seed);
        check(|v| v[0].prod(axis, keep && axis.is_some()), &[x])?;
    }

    #[test]
    fn var_std(d in shape(), seed in any::<u64>(), keep in any::<bool>(), c in 0usize..=1, std in any::<bool>()) {
        let axes = axes_of(d.len(), seed);
        // Enough elements for a finite value (and, for std, a nonzero one).
        prop_assume!(folded(&d, &axes) >= 2);
        let x = values(&d, 0.0, 2.0, true, seed);
        check(|v| {
            if std { v[0].std(axes.clone(), c, keep) } else { v[0].var(axes.clone(), c, keep) }
        }, &[x])?;
    }

    #[test]
    fn norm(d in shape(), seed in any::<u64>(), keep in any::<bool>(), p in prop::sample::select(vec![1.0, 2.0, f64::INFINITY])) {
        let axes = axes_of(d.len(), seed);
        prop_assume!(p != f64::INFINITY || folded(&d, &axes) > 0);
        let x = values(&d, 0.1, 2.0, true, seed);
        check(|v| v[0].norm(p, axes.clone(), keep), &[x])?;
    }

    #[test]
    fn cumsum(d in shape_with_axis(), seed in any::<u64>()) {
        let axis = (seed % d.len() as u64) as isize - if seed % 2 == 0 { d.len() as isize } else { 0 };
        let x = values(&d, 0.0, 2.0, true, seed);
        check(|v| v[0].cumsum(axis), &[x])?;
    }

    #[test]
    fn sum_mean_over_axis_lists(d in shape(), seed in any::<u64>(), keep in any::<bool>()) {
        let axes = axes_of(d.len(), seed);
        prop_assume!(folded(&d, &axes) > 0);
        let x = values(&d, 0.0, 2.0, true, seed);
        check(|v| {
            v[0].sum_axes(axes.clone(), keep) * v[0].mean_axes(axes.clone(), keep)
        }, &[x])?;
    }
}

#[test]
fn amax_ties_share_over_several_axes() {
    let tape = Tape::<f64>::new();
    // Three maxima in the first [2, 2] block of axes (0, 2), one in the other.
    let x = tape.param(Tensor::from_vec(
        vec![5.0, 5.0, 1.0, 2.0, 5.0, 0.0, 7.0, 3.0],
        [2, 2, 2],
    ));
    let m = x.amax([0, 2], true);
    assert_eq!(m.shape().dims(), &[1, 2, 1]);
    assert_eq!(m.value().data(), &[5.0, 7.0]);
    let g = m.sum().backward();
    let third = 1.0 / 3.0;
    assert_eq!(g[x].data(), &[third, third, 0.0, 0.0, third, 0.0, 1.0, 0.0]);
}

#[test]
fn amax_over_an_empty_axis_is_an_error() {
    let r = std::panic::catch_unwind(|| {
        let tape = Tape::<f64>::new();
        let _ = tape.param(Tensor::zeros([2, 0])).amax(1, false);
    });
    let msg = *r.unwrap_err().downcast::<String>().unwrap();
    assert!(msg.contains("amax") && msg.contains("empty axis") && msg.contains("[2, 0]"));
    assert!(msg.contains("props_ops_v2_reduce.rs"), "{msg}");
}

#[test]
fn empty_axes_give_pytorch_identities() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::zeros([3, 0]));
    assert_eq!(x.sum_axes(1, false).value().data(), &[0.0; 3]);
    assert!(x
        .mean_axes(1, false)
        .value()
        .data()
        .iter()
        .all(|m| m.is_nan()));
    assert_eq!(x.prod(Some(1), false).value().data(), &[1.0; 3]);
    assert_eq!(
        x.logsumexp(1, false).value().data(),
        &[f64::NEG_INFINITY; 3]
    );
    let g = x.prod(Some(1), false).sum().backward();
    assert_eq!(g[x].shape().dims(), &[3, 0]);
}

#[test]
fn prod_with_one_and_two_zeros() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![2.0, 0.0, 3.0, 0.0, 4.0, 0.0], [2, 3]));
    let g = x.prod(Some(1), false).sum().backward();
    assert_eq!(g[x].data(), &[0.0, 6.0, 0.0, 0.0, 0.0, 0.0]);
    // Hessian of Π over [2, 0, 3]: entry (i, j) is the product of the rest.
    let h = hessian(
        |v| v[0].prod(None, false),
        &[Tensor::from_vec(vec![2.0, 0.0, 3.0], [3])],
    );
    assert_eq!(h.data(), &[0.0, 3.0, 0.0, 3.0, 0.0, 2.0, 0.0, 2.0, 0.0]);
    // Two zeros: gradient 0, but the Hessian entry between them is not.
    let h = hessian(
        |v| v[0].prod(None, false),
        &[Tensor::from_vec(vec![0.0, 5.0, 0.0], [3])],
    );
    assert_eq!(h.data(), &[0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0]);
}

#[test]
fn std_and_norm_have_zero_gradient_at_zero() {
    let tape = Tape::<f64>::new();
    let c = tape.param(Tensor::from_vec(vec![1.5, 1.5, 1.5], [3]));
    assert_eq!(c.std(0, 1, false).backward()[c].data(), &[0.0; 3]);
    let one = tape.param(Tensor::from_vec(vec![4.0], [1]));
    assert_eq!(one.std(Axes::All, 0, false).backward()[one].data(), &[0.0]);
    let z = tape.param(Tensor::zeros([3]));
    for p in [1.0, 2.0, f64::INFINITY] {
        assert_eq!(
            z.norm(p, 0, false).backward()[z].data(),
            &[0.0; 3],
            "p = {p}"
        );
    }
    let x = tape.param(Tensor::from_vec(vec![-3.0, 3.0, 1.0], [3]));
    assert_eq!(
        x.norm(f64::INFINITY, 0, false).backward()[x].data(),
        &[-0.5, 0.5, 0.0]
    );
    assert_eq!(
        x.norm(1.0, 0, false).backward()[x].data(),
        &[-1.0, 1.0, 1.0]
    );
}

#[test]
fn var_is_two_pass_and_one_sample_is_nan() {
    let tape = Tape::<f64>::new();
    let x = tape.constant(Tensor::from_vec(vec![1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0], [3]));
    assert_eq!(x.var(0, 1, false).item(), 1.0);
    let one = tape.constant(Tensor::from_vec(vec![2.0], [1]));
    assert!(one.var(0, 1, false).item().is_nan());
}

#[test]
fn logsumexp_is_stable_and_its_gradient_exact() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![1e16, 1e16, -1e4, -1e4], [2, 2]));
    let y = x.logsumexp(1, false);
    assert_eq!(y.value().data(), &[1e16, -1e4 + 2f64.ln()]);
    assert_eq!(y.sum().backward()[x].data(), &[0.5; 4]);
}

#[test]
fn argmax_argmin_take_the_first_extreme() {
    let tape = Tape::<f64>::new();
    let x = tape.constant(Tensor::from_vec(
        vec![1.0, 4.0, 4.0, -2.0, -2.0, 0.0],
        [2, 3],
    ));
    assert_eq!(x.argmax(Some(-1), false), Indices::new(vec![1, 2], [2]));
    assert_eq!(x.argmin(Some(1), true), Indices::new(vec![0, 0], [2, 1]));
    assert_eq!(x.argmax(Some(0), false).data(), &[0, 0, 0]);
    assert_eq!(x.argmin(None, false), Indices::new(vec![3], ()));
    let nan = tape.constant(Tensor::from_vec(vec![1.0, f64::NAN, 9.0], [3]));
    assert_eq!(nan.argmax(None, false).data(), &[1]);
    assert!(nan.amax(0, false).item().is_nan());
}

#[test]
fn cumsum_of_a_scalar_and_its_gradient() {
    let tape = Tape::<f64>::new();
    let s = tape.scalar(3.0);
    assert_eq!(s.cumsum(0).item(), 3.0);
    let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    let y = x.cumsum(0);
    assert_eq!(y.value().data(), &[1.0, 2.0, 4.0, 6.0]);
    let w = tape.constant(Tensor::from_vec(vec![1.0, 10.0, 100.0, 1000.0], [2, 2]));
    assert_eq!(
        (y * w).sum().backward()[x].data(),
        &[101.0, 1010.0, 100.0, 1000.0]
    );
}

/// The "done when": a gradient of gradients through `amax` and
/// `gather` together, by `gradgradcheck`.
#[test]
fn gradgradcheck_through_amax_and_gather() {
    let idx = Indices::new(vec![2, 0, 1, 1, 0, 2], [2, 3]);
    let x = Tensor::from_vec(vec![0.3, -1.2, 2.0, 0.7, 1.1, -0.4], [2, 3]);
    gradgradcheck(
        |v| {
            let picked = v[0].gather(1, &idx);
            let m = v[0].amax(1, true);
            (picked * m).exp().sum_axes(Axes::All, false) * m.sum()
        },
        &[x],
        &GradcheckOptions::default(),
    )
    .unwrap();
}
