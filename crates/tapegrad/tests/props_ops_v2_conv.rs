//! The ops-v2 convolution and pooling ops (conv1d, conv2d, max_pool2d,
//! avg_pool2d) on random shapes, strides, paddings, dilations and groups —
//! empty batches included: gradients against finite differences (first
//! order), Hessians and the recorded rules (second order), then values
//! against direct loops (the large products take the `gemm` crate's path,
//! the small ones the crate's own kernel), PyTorch's max-pooling
//! conventions, and the error messages.

// The shape generators there are for the reduction and shape ops; these
// ops draw their own shapes.
#[path = "support/props_v2_axes.rs"]
#[allow(dead_code)]
mod props;

#[path = "support/panic_location.rs"]
#[macro_use]
mod panic_location;

use props::{check, config, values};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use tapegrad::{Conv1dOptions, Conv2dOptions, Tape, Tensor, Var};

/// A product with a fixed tensor of `y`'s shape, so that every output
/// element reaches the loss with its own weight (and the Hessian of the
/// f·f check is not trivially 0).
fn weighted<'t>(y: Var<'t, f64>) -> Var<'t, f64> {
    let w = values(y.shape().dims(), 0.5, 1.5, true, 7);
    y * y.tape().constant(w)
}

/// Distinct values `0.1·k` in random order: no two elements of a pooling
/// window are within a finite-difference step of each other.
fn distinct(shape: &[usize], seed: u64) -> Tensor<f64> {
    let n: usize = shape.iter().product();
    let mut v: Vec<f64> = (0..n).map(|k| 0.1 * k as f64 - 0.05 * n as f64).collect();
    v.shuffle(&mut StdRng::seed_from_u64(seed));
    Tensor::from_vec(v, shape.to_vec())
}

/// One spatial axis of a convolution: (input size, kernel, stride,
/// padding, dilation), the kernel always fitting the padded input.
fn conv_axis() -> impl Strategy<Value = (usize, usize, usize, usize, usize)> {
    (1usize..=3, 1usize..=2, 0usize..=2, 1usize..=2, 0usize..=3).prop_map(|(k, s, p, d, extra)| {
        let span = d * (k - 1) + 1;
        ((span + extra).saturating_sub(2 * p).max(1), k, s, p, d)
    })
}

/// One spatial axis of a pooling: (input size, kernel, stride, padding),
/// padding at most half the kernel and the kernel fitting the padded input.
fn pool_axis() -> impl Strategy<Value = (usize, usize, usize, usize)> {
    (1usize..=3, 1usize..=3, 0usize..=1, 0usize..=3).prop_map(|(k, s, p, extra)| {
        let p = p.min(k / 2);
        ((k + extra).saturating_sub(2 * p).max(1), k, s, p)
    })
}

/// The output size of one axis.
fn out_len(len: usize, k: usize, s: usize, p: usize, d: usize) -> usize {
    (len + 2 * p - d * (k - 1) - 1) / s + 1
}

/// `conv2d` by direct loops over every output element and tap, and its
/// gradients for upstream gradient `g` by the same loops: the reference
/// for the im2col + GEMM kernels.
fn conv2d_loops(
    x: &Tensor<f64>,
    w: &Tensor<f64>,
    g: &Tensor<f64>,
    o: Conv2dOptions,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let [n, c, h, wd] = x.shape().dims().try_into().unwrap();
    let [co, cg, kh, kw] = w.shape().dims().try_into().unwrap();
    let oh = out_len(h, kh, o.stride[0], o.padding[0], o.dilation[0]);
    let ow = out_len(wd, kw, o.stride[1], o.padding[1], o.dilation[1]);
    let cog = co / o.groups;
    let (xv, wv, gv) = (x.data(), w.data(), g.data());
    let mut y = vec![0.0; n * co * oh * ow];
    let (mut dx, mut dw) = (vec![0.0; xv.len()], vec![0.0; wv.len()]);
    for b in 0..n {
        for oc in 0..co {
            let grp = oc / cog;
            for i in 0..oh {
                for j in 0..ow {
                    let yi = ((b * co + oc) * oh + i) * ow + j;
                    for ci in 0..cg {
                        let cin = grp * cg + ci;
                        for u in 0..kh {
                            for v in 0..kw {
                                let iy = (i * o.stride[0] + u * o.dilation[0]) as isize
                                    - o.padding[0] as isize;
                                let ix = (j * o.stride[1] + v * o.dilation[1]) as isize
                                    - o.padding[1] as isize;
                                if iy < 0 || ix < 0 || iy >= h as isize || ix >= wd as isize {
                                    continue;
                                }
                                let xi = ((b * c + cin) * h + iy as usize) * wd + ix as usize;
                                let wi = ((oc * cg + ci) * kh + u) * kw + v;
                                y[yi] += wv[wi] * xv[xi];
                                dx[xi] += wv[wi] * gv[yi];
                                dw[wi] += xv[xi] * gv[yi];
                            }
                        }
                    }
                }
            }
        }
    }
    (y, dx, dw)
}

/// The largest elementwise difference, relative to the largest magnitude.
fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()))
        / scale
}

/// `conv2d`'s value and gradients against [`conv2d_loops`].
fn matches_loops(xs: &[usize], ws: &[usize], o: Conv2dOptions, seed: u64) {
    let (x, w) = (
        values(xs, 0.0, 1.0, true, seed),
        values(ws, 0.0, 1.0, true, seed + 1),
    );
    let tape = Tape::<f64>::new();
    let (xv, wv) = (tape.param(x.clone()), tape.param(w.clone()));
    let y = xv.conv2d(wv, None, o);
    let g = values(y.shape().dims(), 0.0, 1.0, true, seed + 2);
    let grads = y.backward_with(&g);
    let (ry, rdx, rdw) = conv2d_loops(&x, &w, &g, o);
    for (what, got, want) in [
        ("output", y.value().data().to_vec(), ry),
        ("input gradient", grads[xv].data().to_vec(), rdx),
        ("weight gradient", grads[wv].data().to_vec(), rdw),
    ] {
        let e = rel_err(&got, &want);
        assert!(
            e < 1e-12,
            "{what} of {xs:?} * {ws:?} ({o:?}): relative error {e:e}"
        );
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn conv2d_to_second_order(
        n in prop_oneof![1 => Just(0usize), 6 => 1usize..=2],
        groups in 1usize..=2, cg in 1usize..=2, cog in 1usize..=2,
        (h, kh, sh, ph, dh) in conv_axis(), (w, kw, sw, pw, dw) in conv_axis(),
        bias in any::<bool>(), seed in any::<u64>(),
    ) {
        let opts = Conv2dOptions { stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw], groups };
        let mut inputs = vec![
            values(&[n, groups * cg, h, w], 0.2, 1.5, true, seed),
            values(&[groups * cog, cg, kh, kw], 0.2, 1.5, true, seed + 1),
        ];
        if bias {
            inputs.push(values(&[groups * cog], 0.2, 1.5, true, seed + 2));
        }
        check(|v| weighted(v[0].conv2d(v[1], v.get(2).copied(), opts)), &inputs)?;
    }

    #[test]
    fn conv1d_to_second_order(
        n in 1usize..=2, groups in 1usize..=3, cg in 1usize..=2, cog in 1usize..=2,
        (l, k, s, p, d) in conv_axis(), bias in any::<bool>(), seed in any::<u64>(),
    ) {
        let opts = Conv1dOptions { stride: s, padding: p, dilation: d, groups };
        let mut inputs = vec![
            values(&[n, groups * cg, l], 0.2, 1.5, true, seed),
            values(&[groups * cog, cg, k], 0.2, 1.5, true, seed + 1),
        ];
        if bias {
            inputs.push(values(&[groups * cog], 0.2, 1.5, true, seed + 2));
        }
        check(|v| weighted(v[0].conv1d(v[1], v.get(2).copied(), opts)), &inputs)?;
    }

    #[test]
    fn max_pool2d_to_second_order(
        lead in prop::collection::vec(prop_oneof![1 => Just(0usize), 6 => 1usize..=2], 1..=2),
        (h, kh, sh, ph) in pool_axis(), (w, kw, sw, pw) in pool_axis(), seed in any::<u64>(),
    ) {
        let mut d = lead;
        d.extend([h, w]);
        let x = distinct(&d, seed);
        check(|v| weighted(v[0].max_pool2d([kh, kw], [sh, sw], [ph, pw])), &[x])?;
    }

    #[test]
    fn avg_pool2d_to_second_order(
        lead in prop::collection::vec(prop_oneof![1 => Just(0usize), 6 => 1usize..=2], 1..=2),
        (h, kh, sh, ph) in pool_axis(), (w, kw, sw, pw) in pool_axis(),
        include in any::<bool>(), seed in any::<u64>(),
    ) {
        let mut d = lead;
        d.extend([h, w]);
        let x = values(&d, 0.2, 1.5, true, seed);
        check(|v| weighted(v[0].avg_pool2d([kh, kw], [sh, sw], [ph, pw], include)), &[x])?;
    }
}

/// Products above the single-thread threshold run through the `gemm`
/// crate, which the small property cases never reach.
#[test]
fn large_convolutions_match_direct_loops() {
    let plain = Conv2dOptions {
        padding: [1, 1],
        ..Conv2dOptions::default()
    };
    matches_loops(&[2, 16, 24, 24], &[32, 16, 3, 3], plain, 1);
    let mixed = Conv2dOptions {
        stride: [2, 1],
        padding: [2, 0],
        dilation: [2, 1],
        groups: 2,
    };
    matches_loops(&[2, 32, 30, 20], &[64, 16, 3, 2], mixed, 2);
}

/// A 1×1 kernel with stride 1 and no padding skips the patch matrix; with
/// a stride or padding it does not.
#[test]
fn pointwise_convolutions_match_direct_loops() {
    let o = Conv2dOptions::default();
    matches_loops(&[2, 4, 3, 5], &[6, 4, 1, 1], o, 3);
    matches_loops(&[1, 64, 20, 20], &[48, 64, 1, 1], o, 4);
    let grouped = Conv2dOptions { groups: 2, ..o };
    matches_loops(&[2, 4, 3, 5], &[6, 2, 1, 1], grouped, 5);
    let strided = Conv2dOptions {
        stride: [2, 2],
        ..o
    };
    matches_loops(&[2, 4, 5, 5], &[3, 4, 1, 1], strided, 6);
}

/// f32 goes through the same kernels.
#[test]
fn f32_convolution_agrees_with_f64() {
    let o = Conv2dOptions {
        padding: [1, 1],
        ..Conv2dOptions::default()
    };
    let (x, w) = (
        values(&[2, 8, 20, 20], 0.0, 1.0, true, 9),
        values(&[16, 8, 3, 3], 0.0, 1.0, true, 10),
    );
    let y64 = {
        let tape = Tape::<f64>::new();
        tape.constant(x.clone())
            .conv2d(tape.constant(w.clone()), None, o)
            .value()
    };
    let tape = Tape::<f32>::new();
    let f = |t: &Tensor<f64>| {
        Tensor::from_vec(
            t.data().iter().map(|&v| v as f32).collect(),
            t.shape().clone(),
        )
    };
    let y32 = tape
        .constant(f(&x))
        .conv2d(tape.constant(f(&w)), None, o)
        .value();
    let y32: Vec<f64> = y32.data().iter().map(|&v| f64::from(v)).collect();
    let e = rel_err(&y32, y64.data());
    assert!(e < 1e-5, "relative error {e:e}");
}

/// PyTorch's rule: a tied window sends its whole gradient to the first
/// maximum in row-major order, and overlapping windows accumulate.
#[test]
fn max_pool_ties_go_to_the_first_maximum() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(
        vec![
            0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 2.0, 2.0, 0.0, 0.0, 2.0, 2.0, 0.0, 0.0,
        ],
        [1, 1, 4, 4],
    ));
    let y = x.max_pool2d([2, 2], [2, 2], [0, 0]);
    assert_eq!(y.value().data(), &[1.0, 1.0, 2.0, 0.0]);
    let g = y.backward_with(&Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [1, 1, 2, 2]));
    let want = [
        0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    ];
    assert_eq!(g[x].data(), &want);
    // Stride 1: the centre maximum is picked by all four windows.
    let x = tape.param(Tensor::from_vec(
        vec![0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0],
        [1, 3, 3],
    ));
    let g = x.max_pool2d([2, 2], [1, 1], [0, 0]).sum().backward();
    assert_eq!(g[x].data(), &[0.0, 0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0]);
}

/// Padding acts as −∞: an all-negative border window picks a real
/// element; NaN counts as the maximum.
#[test]
fn max_pool_padding_is_never_picked_and_nan_wins() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![-3.0, -2.0, -5.0, -4.0], [1, 1, 2, 2]));
    let y = x.max_pool2d([2, 2], [1, 1], [1, 1]);
    assert_eq!(
        y.value().data(),
        &[-3.0, -2.0, -2.0, -3.0, -2.0, -2.0, -5.0, -4.0, -4.0]
    );
    let g = y.sum().backward();
    assert_eq!(g[x].data(), &[2.0, 4.0, 1.0, 2.0]);
    let x = tape.param(Tensor::from_vec(
        vec![1.0, f64::NAN, 3.0, 2.0],
        [1, 1, 2, 2],
    ));
    let y = x.max_pool2d([2, 2], [2, 2], [0, 0]);
    assert!(y.item().is_nan());
    assert_eq!(y.sum().backward()[x].data(), &[0.0, 1.0, 0.0, 0.0]);
}

/// The second derivative of max pooling is 0, and the gradient of its
/// gradient with respect to the upstream gradient gathers at the maxima.
#[test]
fn max_pool_gradient_of_gradient() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(
        vec![1.0, 4.0, 2.0, 3.0, 0.0, 5.0],
        [1, 1, 2, 3],
    ));
    let u = tape.param(Tensor::from_vec(vec![2.0, 7.0], [1, 1, 1, 2]));
    let y = x.max_pool2d([2, 2], [1, 1], [0, 0]);
    let gx = y.grad_graph_with(u, &[x])[0];
    assert_eq!(gx.value().data(), &[0.0, 2.0, 0.0, 0.0, 0.0, 7.0]);
    let r = tape.constant(Tensor::from_vec(
        vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        [1, 1, 2, 3],
    ));
    let gg = (gx * r).sum().backward();
    assert_eq!(gg[u].data(), &[2.0, 6.0]);
    assert_eq!(gg[x].data(), &[0.0; 6]);
}

/// A reused tape records and differentiates a convolution network again
/// with the same results: the kept scratch carries nothing over.
#[test]
fn repeated_steps_agree() {
    let mut tape = Tape::<f64>::new();
    let (x, w) = (
        values(&[2, 3, 6, 6], 0.0, 1.0, true, 11),
        values(&[4, 3, 3, 3], 0.0, 1.0, true, 12),
    );
    let mut first = None;
    for _ in 0..3 {
        tape.clear();
        let (xv, wv) = (tape.param(x.clone()), tape.param(w.clone()));
        let y = xv
            .conv2d(
                wv,
                None,
                Conv2dOptions {
                    padding: [1, 1],
                    ..Conv2dOptions::default()
                },
            )
            .max_pool2d([2, 2], [2, 2], [0, 0])
            .avg_pool2d([3, 3], [1, 1], [1, 1], false);
        let g = (y * y).sum().backward();
        let got = (g[xv].data().to_vec(), g[wv].data().to_vec());
        match &first {
            None => first = Some(got),
            Some(f) => assert_eq!(f, &got),
        }
    }
}

#[rustfmt::skip]
mod errors {
    use tapegrad::{Conv1dOptions, Conv2dOptions, Tape, Tensor};

    fn tape() -> Tape<f64> {
        Tape::new()
    }

    #[test]
    fn conv2d_channels_must_match() {
        let t = tape();
        let (x, w) = (t.param(Tensor::zeros([1, 3, 5, 5])), t.param(Tensor::zeros([4, 2, 3, 3])));
        let msg = assert_panics_here!(x.conv2d(w, None, Conv2dOptions::default()));
        assert!(msg.contains("conv2d") && msg.contains("[1, 3, 5, 5]") && msg.contains("[4, 2, 3, 3]"), "{msg}");
    }

    #[test]
    fn conv2d_kernel_must_fit() {
        let t = tape();
        let (x, w) = (t.param(Tensor::zeros([1, 1, 2, 2])), t.param(Tensor::zeros([1, 1, 3, 3])));
        let msg = assert_panics_here!(x.conv2d(w, None, Conv2dOptions::default()));
        assert!(msg.contains("conv2d") && msg.contains("[1, 1, 2, 2]") && msg.contains("[1, 1, 3, 3]"), "{msg}");
    }

    #[test]
    fn conv2d_groups_must_divide() {
        let t = tape();
        let (x, w) = (t.param(Tensor::zeros([1, 4, 3, 3])), t.param(Tensor::zeros([3, 2, 1, 1])));
        let o = Conv2dOptions { groups: 2, ..Conv2dOptions::default() };
        let msg = assert_panics_here!(x.conv2d(w, None, o));
        assert!(msg.contains("groups") && msg.contains("[1, 4, 3, 3]") && msg.contains("[3, 2, 1, 1]"), "{msg}");
    }

    #[test]
    fn conv2d_rank() {
        let t = tape();
        let (x, w) = (t.param(Tensor::zeros([4, 3, 3])), t.param(Tensor::zeros([1, 4, 1, 1])));
        let msg = assert_panics_here!(x.conv2d(w, None, Conv2dOptions::default()));
        assert!(msg.contains("conv2d") && msg.contains("[4, 3, 3]") && msg.contains("[1, 4, 1, 1]"), "{msg}");
    }

    #[test]
    fn conv2d_bias_shape() {
        let t = tape();
        let (x, w, b) = (t.param(Tensor::zeros([1, 2, 3, 3])), t.param(Tensor::zeros([4, 2, 1, 1])), t.param(Tensor::zeros([3])));
        let msg = assert_panics_here!(x.conv2d(w, Some(b), Conv2dOptions::default()));
        assert!(msg.contains("bias") && msg.contains("[3]") && msg.contains("[4, 2, 1, 1]"), "{msg}");
    }

    #[test]
    fn conv2d_zero_stride() {
        let t = tape();
        let (x, w) = (t.param(Tensor::zeros([1, 1, 3, 3])), t.param(Tensor::zeros([1, 1, 1, 1])));
        let o = Conv2dOptions { stride: [0, 1], ..Conv2dOptions::default() };
        let msg = assert_panics_here!(x.conv2d(w, None, o));
        assert!(msg.contains("stride") && msg.contains("[1, 1, 3, 3]"), "{msg}");
    }

    #[test]
    fn conv1d_shapes() {
        let t = tape();
        let (x, w) = (t.param(Tensor::zeros([2, 3, 7])), t.param(Tensor::zeros([4, 2, 3])));
        let msg = assert_panics_here!(x.conv1d(w, None, Conv1dOptions::default()));
        assert!(msg.contains("conv1d") && msg.contains("[2, 3, 7]") && msg.contains("[4, 2, 3]"), "{msg}");
        let w4 = t.param(Tensor::zeros([4, 3, 3, 3]));
        let msg = assert_panics_here!(x.conv1d(w4, None, Conv1dOptions::default()));
        assert!(msg.contains("conv1d") && msg.contains("[2, 3, 7]") && msg.contains("[4, 3, 3, 3]"), "{msg}");
    }

    #[test]
    fn max_pool2d_padding_at_most_half_the_kernel() {
        let t = tape();
        let x = t.param(Tensor::zeros([1, 1, 4, 4]));
        let msg = assert_panics_here!(x.max_pool2d([2, 2], [1, 1], [2, 0]));
        assert!(msg.contains("max_pool2d") && msg.contains("[1, 1, 4, 4]") && msg.contains("padding"), "{msg}");
    }

    #[test]
    fn max_pool2d_rank() {
        let t = tape();
        let x = t.param(Tensor::zeros([4, 4]));
        let msg = assert_panics_here!(x.max_pool2d([2, 2], [2, 2], [0, 0]));
        assert!(msg.contains("max_pool2d") && msg.contains("[4, 4]"), "{msg}");
    }

    #[test]
    fn avg_pool2d_kernel_must_fit() {
        let t = tape();
        let x = t.param(Tensor::zeros([1, 1, 2, 5]));
        let msg = assert_panics_here!(x.avg_pool2d([3, 3], [1, 1], [0, 0], true));
        assert!(msg.contains("avg_pool2d") && msg.contains("[1, 1, 2, 5]") && msg.contains("kernel"), "{msg}");
    }
}
