//! Gradients of gradients beyond one op at a time: the public helpers
//! (`hvp`, `hessian`, `gradgradcheck`) against closed forms, third and
//! fourth derivatives, gradient-penalty losses trained with the plain
//! backward, gradients with respect to intermediate values, and the corner
//! cases of `grad_graph`'s arguments.

use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::{gradcheck, gradgradcheck, hessian, hvp, GradcheckOptions, Tape, Tensor, Var};

fn assert_close(actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "lengths differ: {actual:?} vs {expected:?}"
    );
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - e).abs() <= tol * (1.0 + e.abs()),
            "element {i}: got {a}, expected {e}\n{actual:?}\n{expected:?}"
        );
    }
}

fn rosenbrock<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
    let t = v[0].tape();
    let x = (v[0] * t.constant(Tensor::from_vec(vec![1.0, 0.0], [2]))).sum();
    let y = (v[0] * t.constant(Tensor::from_vec(vec![0.0, 1.0], [2]))).sum();
    (1.0 - x).powi(2) + (y - x.powi(2)).powi(2) * 100.0
}

/// Rosenbrock's Hessian, by hand.
fn rosenbrock_hessian(x: f64, y: f64) -> [f64; 4] {
    let hxx = 2.0 - 400.0 * (y - x * x) + 800.0 * x * x;
    let hxy = -400.0 * x;
    [hxx, hxy, hxy, 200.0]
}

#[test]
fn hessian_and_hvp_of_rosenbrock_match_the_closed_form() {
    for &(x, y) in &[(-1.2, 1.0), (1.0, 1.0), (0.3, -0.7)] {
        let p = Tensor::from_vec(vec![x, y], [2]);
        let h = hessian(rosenbrock, std::slice::from_ref(&p));
        let expected = rosenbrock_hessian(x, y);
        assert_eq!(h.shape().dims(), &[2, 2]);
        assert_close(h.data(), &expected, 1e-12);
        let v = Tensor::from_vec(vec![0.7, -1.3], [2]);
        let hv = hvp(rosenbrock, &[p], &[v]);
        let e = [
            expected[0] * 0.7 - expected[1] * 1.3,
            expected[2] * 0.7 - expected[3] * 1.3,
        ];
        assert_close(hv[0].data(), &e, 1e-12);
    }
}

#[test]
fn hvp_equals_the_hessian_times_v_with_cross_terms() {
    // Two inputs, so the product needs the off-diagonal blocks.
    fn f<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
        (v[0].matmul(v[1]).tanh() * v[0].sum_axis(1, true).exp()).sum() + v[1].powi(3).mean()
    }
    let mut rng = StdRng::seed_from_u64(3);
    let a = Tensor::uniform([2, 3], -1.0, 1.0, &mut rng);
    let b = Tensor::uniform([3, 2], -1.0, 1.0, &mut rng);
    let va = Tensor::uniform([2, 3], -1.0, 1.0, &mut rng);
    let vb = Tensor::uniform([3, 2], -1.0, 1.0, &mut rng);
    let h = hessian(f, &[a.clone(), b.clone()]);
    assert_eq!(h.shape().dims(), &[12, 12]);
    let v: Vec<f64> = va.data().iter().chain(vb.data()).copied().collect();
    let hv_dense: Vec<f64> = (0..12)
        .map(|i| (0..12).map(|j| h.data()[i * 12 + j] * v[j]).sum())
        .collect();
    let hv = hvp(f, &[a, b], &[va, vb]);
    let hv_flat: Vec<f64> = hv[0].data().iter().chain(hv[1].data()).copied().collect();
    assert_close(&hv_flat, &hv_dense, 1e-12);
    for i in 0..12 {
        for j in 0..12 {
            let (p, q) = (h.data()[i * 12 + j], h.data()[j * 12 + i]);
            assert!(
                (p - q).abs() <= 1e-12 * (1.0 + p.abs()),
                "Hessian not symmetric at ({i}, {j}): {p} vs {q}"
            );
        }
    }
}

#[test]
fn hessian_of_a_quadratic_form_is_the_symmetrized_matrix() {
    // f(x) = xᵀAx/2 + Σx³  ⇒  H = (A + Aᵀ)/2 + diag(6x)
    const A: [f64; 9] = [1.0, 2.0, 0.0, -1.0, 3.0, 0.5, 4.0, 0.0, 2.0];
    fn f<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
        let xc = v[0].reshape([3, 1]);
        let am = v[0].tape().constant(Tensor::from_vec(A.to_vec(), [3, 3]));
        xc.matmul_t(am.matmul(xc), true, false).sum() * 0.5 + v[0].powi(3).sum()
    }
    let (a, x) = (A, [0.5, -1.0, 2.0]);
    let h = hessian(f, &[Tensor::from_vec(x.to_vec(), [3])]);
    let expected: Vec<f64> = (0..9)
        .map(|k| {
            (a[k] + a[(k % 3) * 3 + k / 3]) / 2.0 + if k % 4 == 0 { 6.0 * x[k / 4] } else { 0.0 }
        })
        .collect();
    assert_close(h.data(), &expected, 1e-13);
}

#[test]
fn hessian_of_cross_entropy_is_the_softmax_covariance() {
    // For one row: H = (diag(p) − p·pᵀ)/N with p = softmax(x).
    let x = [0.3, -1.2, 2.0, 0.1];
    let h = hessian(
        |v| v[0].cross_entropy(&[2]),
        &[Tensor::from_vec(x.to_vec(), [1, 4])],
    );
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    let p: Vec<f64> = e.iter().map(|v| v / s).collect();
    let expected: Vec<f64> = (0..16)
        .map(|k| if k % 5 == 0 { p[k / 4] } else { 0.0 } - p[k / 4] * p[k % 4])
        .collect();
    assert_close(h.data(), &expected, 1e-14);
}

#[test]
fn hvp_and_hessian_work_in_f32() {
    let x = Tensor::from_vec(vec![1.0f32, 2.0], [2]);
    let v = Tensor::from_vec(vec![1.0f32, -1.0], [2]);
    let hv = hvp(|x| x[0].powi(3).sum(), std::slice::from_ref(&x), &[v]);
    assert_eq!(hv[0].data(), &[6.0, -12.0]);
    let h = hessian(|x| (x[0].powi(2) * x[0].sum()).sum(), &[x]);
    // f = (Σx²)(Σx): H_ij = 2δ_ij·Σx + 2x_i + 2x_j
    assert_eq!(h.data(), &[6.0 + 4.0, 6.0, 6.0, 6.0 + 8.0]);
}

#[test]
fn linear_functions_have_a_zero_hessian() {
    let x = Tensor::from_vec(vec![1.0, -2.0, 3.0, 0.5, 0.0, 7.0], [2, 3]);
    fn f<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
        (v[0].t().reshape([6]) * 3.0 - v[0].reshape([6])).sum() + v[0].mean_axis(0, false).sum()
    }
    let h = hessian(f, std::slice::from_ref(&x));
    assert!(h.data().iter().all(|&e| e == 0.0));
    let hv = hvp(f, std::slice::from_ref(&x), &[Tensor::ones([2, 3])]);
    assert!(hv[0].data().iter().all(|&e| e == 0.0));
    gradgradcheck(f, &[x], &GradcheckOptions::default()).unwrap();
}

#[test]
fn gradgradcheck_reports_a_second_derivative_at_a_kink() {
    // relu(x)·x is C¹ but its second derivative jumps from 0 to 2 at 0:
    // the recorded rule gives the left value 0, central differences the
    // mean (1, times the random projection and direction at that element).
    let x = Tensor::from_vec(vec![1.0, 0.0, -2.0], [3]);
    let err =
        gradgradcheck(|v| v[0].relu() * v[0], &[x], &GradcheckOptions::default()).unwrap_err();
    assert_eq!((err.order, err.input, err.index), (2, 0, 1));
    assert!(err.analytic == 0.0 && err.numeric > 0.25, "{err}");
    assert!(err.to_string().contains("second derivative mismatch"));
}

#[test]
fn gradgradcheck_accepts_composites() {
    let mut rng = StdRng::seed_from_u64(11);
    let x = Tensor::uniform([3, 4], -1.0, 1.0, &mut rng);
    let w = Tensor::uniform([4, 2], -1.0, 1.0, &mut rng);
    let beta = Tensor::from_vec(vec![0.8, 1.5], [2]);
    gradgradcheck(
        |v| {
            v[0].matmul(v[1])
                .swish(v[2])
                .log_softmax()
                .mse(v[0].matmul(v[1]).mish())
        },
        &[x, w, beta],
        &GradcheckOptions::default(),
    )
    .unwrap();
}

/// `dⁿ/dxⁿ f` at `x`, by `n` nested recorded backward passes.
fn nth_derivative(f: impl for<'t> Fn(Var<'t, f64>) -> Var<'t, f64>, x: f64, n: usize) -> f64 {
    let tape = Tape::<f64>::new();
    let v = tape.scalar(x);
    let mut d = f(v);
    for _ in 0..n {
        d = d.grad_graph(&[v])[0];
    }
    d.item()
}

#[test]
fn third_and_fourth_derivatives_match_closed_forms() {
    for &x in &[-2.0, -0.3, 0.0, 0.7, 1.9] {
        let t: f64 = f64::tanh(x);
        let s = 1.0 - t * t;
        assert_close(
            &[nth_derivative(|v| v.tanh(), x, 3)],
            &[s * (6.0 * t * t - 2.0)],
            1e-13,
        );
        // tanh'''' = 8t(1−t²)(2 − 3t²)
        assert_close(
            &[nth_derivative(|v| v.tanh(), x, 4)],
            &[8.0 * t * s * (2.0 - 3.0 * t * t)],
            1e-12,
        );
        assert_close(
            &[nth_derivative(|v| (v * 2.0).exp(), x, 4)],
            &[16.0 * (2.0 * x).exp()],
            1e-13,
        );
        assert_close(
            &[nth_derivative(|v| v.powi(5), x, 3)],
            &[60.0 * x * x],
            1e-13,
        );
        assert_close(&[nth_derivative(|v| v.powi(5), x, 5)], &[120.0], 1e-13);
        assert_close(&[nth_derivative(|v| v.powi(5), x, 6)], &[0.0], 1e-13);
        // (x·σ(x))''' = 3σ'' + x·σ'''
        let sg = 1.0 / (1.0 + (-x).exp());
        let d1 = sg * (1.0 - sg);
        let expected = 3.0 * d1 * (1.0 - 2.0 * sg) + x * d1 * (1.0 - 6.0 * sg + 6.0 * sg * sg);
        assert_close(
            &[nth_derivative(
                |v| v.swish(v.tape().constant_scalar(1.0)),
                x,
                3,
            )],
            &[expected],
            1e-13,
        );
        assert_close(
            &[nth_derivative(|v| v * v.sigmoid(), x, 3)],
            &[expected],
            1e-13,
        );
    }
}

#[test]
fn gradient_of_gradient_of_gradient_of_a_tensor_function() {
    // f = Σ x³·y: ∂f/∂x = 3x²y, the gradient of its sum w.r.t. x is 6xy,
    // and the gradient of Σ 6xy w.r.t. y is 6x.
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![1.0, -2.0, 0.5], [3]));
    let y = tape.param(Tensor::from_vec(vec![2.0, 3.0, -1.0], [3]));
    let f = (x.powi(3) * y).sum();
    let gx = f.grad_graph(&[x])[0];
    assert_eq!(gx.value().data(), &[6.0, 36.0, -0.75]);
    let gxx = gx.sum().grad_graph(&[x])[0];
    assert_eq!(gxx.value().data(), &[12.0, -36.0, -3.0]);
    let gxxy = gxx.sum().grad_graph(&[y])[0];
    assert_eq!(gxxy.value().data(), &[6.0, -12.0, 3.0]);
    let plain = gxx.sum().backward();
    assert_eq!(plain[y].data(), gxxy.value().data());
    assert_eq!(plain[x].data(), &[12.0, 18.0, -6.0]);
}

#[test]
fn gradient_penalty_trains_with_the_plain_backward() {
    // WGAN-GP style: loss(W, u) = mean(D(x)) + λ·(‖∂ΣD/∂x‖² − 1)², with
    // D(x) = tanh(x·W)·u. The penalty holds a recorded gradient; the plain
    // backward of the whole loss must match finite differences.
    let mut rng = StdRng::seed_from_u64(5);
    let x = Tensor::uniform([4, 3], -1.0, 1.0, &mut rng);
    let w = Tensor::uniform([3, 5], -1.0, 1.0, &mut rng);
    let u = Tensor::uniform([5, 1], -1.0, 1.0, &mut rng);
    fn loss<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
        let (x, w, u) = (v[0], v[1], v[2]);
        let d = x.matmul(w).tanh().matmul(u);
        let gx = d.sum().grad_graph(&[x])[0];
        let norm2 = (gx * gx).sum();
        d.mean() + (norm2 - 1.0).powi(2) * 10.0
    }
    let inputs = [x, w, u];
    gradcheck(loss, &inputs, &GradcheckOptions::default()).unwrap();
    gradgradcheck(loss, &inputs, &GradcheckOptions::default()).unwrap();

    // A few steps of gradient descent on W and u lower the loss, and a
    // reused gradient store gives the same numbers as a fresh one.
    let mut tape = Tape::<f64>::new();
    let (mut w, mut u) = (inputs[1].clone(), inputs[2].clone());
    let mut store = tapegrad::Gradients::new();
    let mut first = None;
    let mut last = 0.0;
    for _ in 0..20 {
        tape.clear();
        let xv = tape.param(inputs[0].clone());
        let (wv, uv) = (tape.param(w.clone()), tape.param(u.clone()));
        let l = loss(&[xv, wv, uv]);
        l.backward_into(&mut store);
        let fresh = l.backward();
        assert_eq!(fresh[wv].data(), store[wv].data());
        last = l.item();
        first.get_or_insert(last);
        for (p, g) in w.data_mut().iter_mut().zip(store[wv].data()) {
            *p -= 0.01 * g;
        }
        for (p, g) in u.data_mut().iter_mut().zip(store[uv].data()) {
            *p -= 0.01 * g;
        }
    }
    assert!(last < first.unwrap(), "loss went from {first:?} to {last}");
}

#[test]
fn gradients_with_respect_to_intermediate_values() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![0.5, -1.0], [2]));
    let y = x * x; // intermediate
    let z = y.exp().sum() + y.sum() * x.sum();
    let g = z.grad_graph(&[y, x]);
    // ∂z/∂y = e^y + Σx (y held fixed); ∂z/∂x = 2x·∂z/∂y + Σy
    let sx = -0.5;
    let dy = [0.25f64.exp() + sx, 1f64.exp() + sx];
    assert_close(g[0].value().data(), &dy, 1e-15);
    assert_close(
        g[1].value().data(),
        &[2.0 * 0.5 * dy[0] + 1.25, -2.0 * dy[1] + 1.25],
        1e-15,
    );
    // Differentiate ∂z/∂y again with respect to the leaf: Σ ∂z/∂y = Σe^(x²) + 2Σx.
    let d = g[0].sum().grad_graph(&[x])[0];
    assert_close(
        d.value().data(),
        &[2.0 * 0.5 * 0.25f64.exp() + 2.0, -2.0 * 1f64.exp() + 2.0],
        1e-15,
    );
}

#[test]
fn grad_graph_argument_corner_cases() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    let unused = tape.param(Tensor::from_vec(vec![5.0, 6.0, 7.0], [3]));
    let c = tape.constant(Tensor::from_vec(vec![3.0, 4.0], [2]));
    let f = (x * c).sum();
    let later = tape.param(Tensor::scalar(1.0));
    let g = f.grad_graph(&[x, unused, later, x]);
    assert_eq!(g[0].value().data(), &[3.0, 4.0]);
    assert_eq!(g[1].value().data(), &[0.0, 0.0, 0.0]);
    // A constant in `wrt` is an error (tests/constant_gradients.rs), no
    // longer a silent zero.
    let _ = c;
    assert_eq!(
        g[2].value().data(),
        &[0.0],
        "a value recorded after the output gets none either"
    );
    assert_eq!(g[3].value().data(), g[0].value().data());
    // Gradients that do not depend on any parameter are constants.
    assert!(!g[0].requires_grad());
    // With respect to itself: the seed.
    assert_eq!(f.grad_graph(&[f])[0].item(), 1.0);
    // Nothing to differentiate with respect to.
    assert!(f.grad_graph(&[]).is_empty());
}

#[test]
fn the_seed_of_grad_graph_is_differentiable() {
    // g = ∂⟨y, s⟩/∂x = 2x·s for y = x²; Σg is linear in s with slope 2x.
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![1.5, -0.5], [2]));
    let s = tape.param(Tensor::from_vec(vec![2.0, 3.0], [2]));
    let y = x * x;
    let g = y.grad_graph_with(s, &[x])[0];
    assert_eq!(g.value().data(), &[6.0, -3.0]);
    let back = g.sum().backward();
    assert_eq!(back[s].data(), &[3.0, -1.0]);
    assert_eq!(back[x].data(), &[4.0, 6.0]);
}

#[test]
fn transposed_operands_have_the_same_second_derivatives_as_explicit_transposes() {
    let mut rng = StdRng::seed_from_u64(9);
    let a = Tensor::uniform([2, 3, 4], -1.0, 1.0, &mut rng);
    let b = Tensor::uniform([2, 5, 3], -1.0, 1.0, &mut rng);
    let va = Tensor::uniform([2, 3, 4], -1.0, 1.0, &mut rng);
    let vb = Tensor::uniform([2, 5, 3], -1.0, 1.0, &mut rng);
    let fused = hvp(
        |v| v[0].matmul_t(v[1], true, true).powi(2).sum(),
        &[a.clone(), b.clone()],
        &[va.clone(), vb.clone()],
    );
    let explicit = hvp(
        |v| {
            v[0].transpose(1, 2)
                .matmul(v[1].transpose(1, 2))
                .powi(2)
                .sum()
        },
        &[a, b],
        &[va, vb],
    );
    for (f, e) in fused.iter().zip(&explicit) {
        assert_close(f.data(), e.data(), 1e-13);
    }
}

#[test]
fn recorded_gradients_compose_with_other_ops() {
    // A gradient used as a value: the directional derivative ⟨∇f, d⟩ of
    // f = Σ softplus(x)·x, then a further reduction and its own gradient.
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![0.2, -0.4, 1.1], [3]));
    let f = (x.softplus() * x).sum();
    let g = f.grad_graph(&[x])[0];
    let d = tape.constant(Tensor::from_vec(vec![1.0, 2.0, -1.0], [3]));
    let dd = (g * d).sum().tanh();
    let h = dd.backward()[x].clone();
    // By hand: f'' = 2σ(x) + xσ(x)(1−σ(x)), so ∂tanh(⟨g, d⟩)/∂x = (1 − tanh²)·f''·d.
    let xs = [0.2f64, -0.4, 1.1];
    let sig = |t: f64| 1.0 / (1.0 + (-t).exp());
    let sp = |t: f64| (1.0 + t.exp()).ln();
    let dot: f64 = xs
        .iter()
        .zip([1.0, 2.0, -1.0])
        .map(|(&t, dv)| (sp(t) + t * sig(t)) * dv)
        .sum();
    let k = 1.0 - dot.tanh().powi(2);
    let expected: Vec<f64> = xs
        .iter()
        .zip([1.0, 2.0, -1.0])
        .map(|(&t, dv)| k * (2.0 * sig(t) + t * sig(t) * (1.0 - sig(t))) * dv)
        .collect();
    assert_close(h.data(), &expected, 1e-14);
}

#[test]
fn recorded_elu_and_selu_rules_keep_tiny_slopes_exact() {
    // Far left the slope α·eˣ is tiny; the recorded rule must not lose it
    // to cancellation (it once computed it as y + α, which is 0 there).
    fn check<T: tapegrad::Float>(points: &[T], tol: f64) {
        let tape = Tape::<T>::new();
        let x = tape.param(Tensor::from_slice(points, [points.len()]));
        for y in [x.elu(0.7).sum(), x.selu().sum()] {
            let plain = y.backward()[x].clone();
            let recorded = y.grad_graph(&[x])[0].value();
            for (p, r) in plain.data().iter().zip(recorded.data()) {
                let (p, r) = (tapegrad::Float::to_f64(*p), tapegrad::Float::to_f64(*r));
                assert!(
                    p > 0.0 && (p - r).abs() <= tol * p,
                    "plain {p:e}, recorded {r:e}"
                );
            }
        }
    }
    check(&[-3.0f32, -10.0, -16.0, -20.0, -50.0, 0.0, 2.0], 1e-6);
    check(&[-3.0f64, -20.0, -40.0, -300.0, 0.0, 2.0], 1e-14);
}

#[test]
fn whole_powers_have_exact_higher_derivatives_at_zero() {
    // The rules of xᵖ step down p − 1 at a time; they must end in exact
    // constants, or the next order at x = 0 is 0·x⁻¹ = NaN.
    for (p, expected) in [
        (0.0, [0.0, 0.0, 0.0, 0.0]),
        (1.0, [1.0, 0.0, 0.0, 0.0]),
        (2.0, [0.0, 2.0, 0.0, 0.0]),
        (3.0, [0.0, 0.0, 6.0, 0.0]),
    ] {
        for (order, &e) in expected.iter().enumerate() {
            assert_eq!(
                nth_derivative(|v| v.powf(p), 0.0, order + 1),
                e,
                "order {} of x^{p}",
                order + 1
            );
            assert_eq!(
                nth_derivative(|v| v.powi(p as i32), 0.0, order + 1),
                e,
                "order {} of x^{p} (powi)",
                order + 1
            );
        }
        let tape = Tape::<f64>::new();
        let x = tape.scalar(0.0);
        assert_eq!(
            x.powf(p).backward()[x].item(),
            expected[0],
            "plain derivative of x^{p}"
        );
    }
}
