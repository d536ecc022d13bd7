//! Layers, activations, initializers and dropout: statistics, gradients and
//! PyTorch naming.

use rand::SeedableRng;
use tapegrad::{gradcheck, GradcheckOptions, Tape, Tensor};
use tapegrad_nn::{Activation, Dropout, ForwardCtx, Init, Mlp, Optimizer, Sgd};

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    (m, xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n)
}

fn normal_input(n: usize, seed: u64) -> Tensor<f64> {
    Tensor::randn([n / 100, 100], &mut rand::rngs::StdRng::seed_from_u64(seed))
}

#[test]
fn dropout_keeps_the_mean_and_is_identity_in_eval_mode() {
    let tape = Tape::<f64>::new();
    let x = tape.constant(Tensor::ones([200, 100]));
    let mut ctx = ForwardCtx::train(3);
    let y = Dropout::Standard(0.3).apply(x, &mut ctx).value();
    let dropped = y.data().iter().filter(|&&v| v == 0.0).count() as f64 / y.numel() as f64;
    assert!((dropped - 0.3).abs() < 0.01, "{dropped}");
    let (m, _) = mean_var(y.data());
    assert!((m - 1.0).abs() < 0.02, "{m}");
    let mut eval = ForwardCtx::eval();
    assert_eq!(
        Dropout::Standard(0.3).apply(x, &mut eval).index(),
        x.index()
    );
    assert_eq!(Dropout::Alpha(0.3).apply(x, &mut eval).index(), x.index());
}

#[test]
fn alpha_dropout_keeps_zero_mean_and_unit_variance() {
    let tape = Tape::<f64>::new();
    // SELU of N(0,1) inputs is what alpha dropout sees in a SELU network;
    // the property holds for standardized inputs, so check N(0,1) itself.
    let x = tape.constant(normal_input(400_000, 1));
    let (m0, v0) = mean_var(x.value().data());
    let mut ctx = ForwardCtx::train(5);
    for p in [0.05, 0.1, 0.2] {
        let y = Dropout::Alpha(p).apply(x, &mut ctx).value();
        let (m, v) = mean_var(y.data());
        assert!(
            (m - m0).abs() < 0.01 && (v - v0).abs() < 0.02,
            "p {p}: mean {m}, var {v}"
        );
        // Standard dropout, by contrast, inflates the variance by 1/(1−p).
        let z = Dropout::Standard(p).apply(x, &mut ctx).value();
        let (_, vz) = mean_var(z.data());
        assert!((vz - v0 / (1.0 - p)).abs() < 0.03, "p {p}: {vz}");
    }
}

#[test]
fn dropout_gradient_is_the_mask() {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::ones([10, 10]));
    let mut ctx = ForwardCtx::train(0);
    let y = Dropout::Standard(0.5).apply(x, &mut ctx);
    let g = y.sum().backward();
    assert_eq!(g[x].data(), y.value().data()); // x = 1, so y is exactly the scaled mask
}

#[test]
fn acon_c_gradients_match_finite_differences() {
    let x0 = Tensor::from_vec(vec![-2.0, -0.5, 0.3, 1.7, 0.9, -1.1], [2, 3]);
    let p1 = Tensor::from_vec(vec![1.2, 0.7, -0.3], [3]);
    let p2 = Tensor::from_vec(vec![0.1, -0.4, 0.5], [3]);
    let beta = Tensor::from_vec(vec![0.8, 1.5, 2.0], [3]);
    gradcheck(
        |v| Activation::AconC.apply(v[0], &v[1..]).powi(2).sum(),
        &[x0, p1, p2, beta],
        &GradcheckOptions::default(),
    )
    .unwrap();
    let xs = Tensor::from_vec(vec![-1.0, 0.5, 2.0], [1, 3]);
    gradcheck(
        |v| Activation::Swish.apply(v[0], &v[1..]).powi(2).sum(),
        &[xs, Tensor::from_vec(vec![0.7], [1])],
        &GradcheckOptions::default(),
    )
    .unwrap();
}

#[test]
fn acon_c_matches_its_formula() {
    let tape = Tape::<f64>::new();
    let x = tape.constant(Tensor::from_vec(vec![-1.5, 2.0], [1, 2]));
    let p1 = tape.param(Tensor::from_vec(vec![1.5, 0.2], [2]));
    let p2 = tape.param(Tensor::from_vec(vec![0.25, -0.3], [2]));
    let beta = tape.param(Tensor::from_vec(vec![2.0, 0.5], [2]));
    let y = Activation::AconC.apply(x, &[p1, p2, beta]).value();
    let sig = |z: f64| 1.0 / (1.0 + (-z).exp());
    for (i, (xv, (a, (b, be)))) in [-1.5f64, 2.0]
        .iter()
        .zip([1.5, 0.2].iter().zip([0.25, -0.3].iter().zip([2.0, 0.5])))
        .enumerate()
    {
        let d = (a - b) * xv;
        let want = d * sig(be * d) + b * xv;
        assert!((y.data()[i] - want).abs() < 1e-15);
    }
}

#[test]
fn trainable_activation_parameters_are_updated_by_the_optimizer() {
    let mut mlp: Mlp<f64> = Mlp::new(2)
        .hidden(3, Activation::Swish)
        .hidden(3, Activation::AconC)
        .output(1);
    let before = mlp.params().state_dict();
    let tape = Tape::new();
    let p = mlp.params().bind(&tape);
    let x = tape.constant(Tensor::from_vec(vec![0.5, -1.0, 1.5, 2.0], [2, 2]));
    let t = tape.constant(Tensor::from_vec(vec![1.0, -1.0], [2, 1]));
    let loss = mlp.forward(&p, x, &mut ForwardCtx::eval()).mse(t);
    let grads = loss.backward();
    mlp.params_mut().store_grads(&p, &grads);
    let (v, g) = mlp.params_mut().values_and_grads();
    Sgd::new(0.1).step(v, g);
    let after = mlp.params().state_dict();
    for name in ["1.beta", "3.p1", "3.p2", "3.beta"] {
        assert_ne!(before[name], after[name], "{name} did not move");
    }
}

#[test]
fn initializers_have_their_variances() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let (fo, fi) = (400, 250);
    let cases = [
        (Init::HeNormal, 2.0 / fi as f64),
        (Init::HeUniform, 2.0 / fi as f64),
        (Init::LecunNormal, 1.0 / fi as f64),
        (Init::XavierNormal, 2.0 / (fi + fo) as f64),
        (Init::XavierUniform, 2.0 / (fi + fo) as f64),
        (Init::Uniform(0.3), 0.09 / 3.0),
        (Init::Normal(0.2), 0.04),
        (Init::TorchDefault, 1.0 / (3.0 * fi as f64)),
    ];
    for (init, want) in cases {
        let w = init.weight::<f64, _>(fo, fi, &mut rng);
        let (m, v) = mean_var(w.data());
        assert!(m.abs() < 0.05 * want.sqrt(), "{init:?}: mean {m}");
        assert!(
            (v / want - 1.0).abs() < 0.03,
            "{init:?}: var {v}, want {want}"
        );
    }
    let w = Init::Constant(0.25).weight::<f32, _>(2, 2, &mut rng);
    assert_eq!(w.data(), &[0.25; 4]);
}

#[test]
fn each_activation_gets_a_sensible_default_init_and_everything_is_seeded() {
    let selu: Mlp<f64> = Mlp::new(50).hidden(50, Activation::Selu).output(1);
    let w = selu.params().tensor("0.weight").unwrap();
    let (_, v) = mean_var(w.data());
    assert!(
        (v * 50.0 - 1.0).abs() < 0.1,
        "LeCun normal: var·fan_in = {}",
        v * 50.0
    );
    let a: Mlp<f32> = Mlp::new(8).hidden(16, Activation::Relu).seed(4).output(2);
    let b: Mlp<f32> = Mlp::new(8).hidden(16, Activation::Relu).seed(4).output(2);
    let c: Mlp<f32> = Mlp::new(8).hidden(16, Activation::Relu).seed(5).output(2);
    assert_eq!(a.params().values(), b.params().values());
    assert_ne!(a.params().values(), c.params().values());
    let biased: Mlp<f32> = Mlp::new(8)
        .hidden(16, Activation::Relu)
        .bias(0.01)
        .output(2);
    assert_eq!(
        biased.params().tensor("0.bias").unwrap().data(),
        &[0.01f32; 16]
    );
}

#[test]
fn selu_network_with_lecun_init_keeps_activations_normalized() {
    // Self-normalization: through 8 SELU layers the activations of N(0,1)
    // inputs keep mean ≈ 0 and variance ≈ 1.
    let mut b = Mlp::new(100);
    for _ in 0..8 {
        b = b.hidden(100, Activation::Selu).alpha_dropout(0.1);
    }
    let mlp: Mlp<f64> = b.seed(3).output(100);
    let last_hidden = mlp.layers()[7].module_index();
    assert_eq!(last_hidden, 21); // Linear, SELU, AlphaDropout per hidden layer
    let tape2 = Tape::new();
    let p2 = mlp.params().bind(&tape2);
    // Evaluation mode: alpha dropout is the identity, so the hidden stack is Linear + SELU.
    let h = {
        let mut h = tape2.constant(normal_input(100_000, 7));
        for l in &mlp.layers()[..8] {
            h = l.linear().forward(&p2, h).selu();
        }
        h.value()
    };
    let (m, v) = mean_var(h.data());
    assert!(
        m.abs() < 0.15 && (v - 1.0).abs() < 0.25,
        "mean {m}, var {v}"
    );
}

#[test]
fn sequential_indices_count_activation_and_dropout_modules() {
    let mlp: Mlp<f32> = Mlp::new(4)
        .hidden(8, Activation::LeakyRelu(0.1))
        .dropout(0.2)
        .hidden(8, Activation::Elu(1.0))
        .hidden(8, Activation::Mish)
        .output(2);
    let names: Vec<&str> = mlp.params().iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["0.weight", "0.bias", "3.weight", "3.bias", "5.weight", "5.bias", "7.weight", "7.bias"]
    );
    assert_eq!(
        mlp.torch_equivalent(),
        "nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.1), nn.Dropout(0.2), nn.Linear(8, 8), nn.ELU(1), \
         nn.Linear(8, 8), nn.Mish(), nn.Linear(8, 2))"
    );
}

#[test]
fn every_activation_runs_forward_and_backward() {
    let acts = [
        Activation::Relu,
        Activation::LeakyRelu(0.01),
        Activation::Elu(1.0),
        Activation::Selu,
        Activation::Swish,
        Activation::Mish,
        Activation::Softplus,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::AconC,
    ];
    for act in acts {
        let mut mlp: Mlp<f64> = Mlp::new(3).hidden(5, act).output(2);
        let tape = Tape::new();
        let p = mlp.params().bind(&tape);
        let x = tape.constant(normal_input(300, 2).reshape([100, 3]));
        let loss = mlp
            .forward(&p, x, &mut ForwardCtx::eval())
            .cross_entropy(&[1; 100]);
        let grads = loss.backward();
        mlp.params_mut().store_grads(&p, &grads);
        assert!(
            mlp.params().grads().iter().all(|g| g.is_finite()),
            "{act:?}"
        );
        assert!(mlp.params().grads().iter().any(|&g| g != 0.0), "{act:?}");
    }
}

/// The MLP fuses each hidden layer's bias and activation into one node
/// (`bias_act`) unless it collects statistics, which need the
/// pre-activation: both paths give the same outputs and gradients.
#[test]
fn the_fused_hidden_layers_match_the_unfused_ones() {
    let acts = [
        Activation::Relu,
        Activation::LeakyRelu(0.2),
        Activation::Elu(1.0),
        Activation::Selu,
        Activation::Sigmoid,
        Activation::Tanh,
    ];
    for act in acts {
        let mlp: Mlp<f64> = Mlp::new(5).hidden(7, act).hidden(6, act).seed(2).output(3);
        let x = normal_input(400, 9).reshape([80, 5]);
        let run = |stats: bool| {
            let tape = Tape::<f64>::new();
            let p = mlp.params().bind(&tape);
            let mut ctx = ForwardCtx::eval();
            ctx.collect_stats(stats);
            let y = mlp.forward(&p, tape.constant(x.clone()), &mut ctx);
            let g = (y * y).sum().backward();
            let grads: Vec<Tensor<f64>> = p.vars().iter().map(|&v| g[v].clone()).collect();
            (y.value(), grads)
        };
        let ((yf, gf), (yu, gu)) = (run(false), run(true));
        assert_eq!(yf, yu, "{act:?}");
        for (f, u) in gf.iter().zip(&gu) {
            assert!(f.max_abs_diff(u) <= 1e-12, "{act:?}");
        }
    }
}
