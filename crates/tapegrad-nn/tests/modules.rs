//! The module layer: gradients of every layer by finite differences
//! (first and second order, f64), user modules, Sequential naming, state
//! dict round trips and the architecture check, and the trainer on any
//! module with custom objectives, task metrics and gradient clipping.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tapegrad::{
    gradcheck, gradgradcheck, Conv1dOptions, Conv2dOptions, GradcheckOptions, Tensor, Var,
};
use tapegrad_nn::data::Dataset;
use tapegrad_nn::{
    evaluate, Activation, ActivationLayer, Adam, AvgPool2d, BatchMode, BatchNorm, Bound, Conv1d,
    Conv2d, Cx, Dropout, EarlyStopping, Embedding, Flatten, ForwardCtx, LayerNorm, Linear, Loss,
    LossFn, MaxPool2d, Metric, Model, Module, Scope, Sequential, Sgd, StateDictError, StepVars,
    StopReason, Task, Trainer, Unflatten,
};

fn random(shape: &[usize], seed: u64) -> Tensor<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let n = shape.iter().product();
    Tensor::from_vec((0..n).map(|_| rng.random_range(-2.0..2.0)).collect(), shape)
}

/// The module's output on tape inputs: `v[0]` is the input (a constant
/// copy of `x` when it is not differentiable), the rest the parameters.
fn run<'t, M: Module<f64>>(
    model: &Model<f64, M>,
    x: Option<&Tensor<f64>>,
    training: bool,
    v: &[Var<'t, f64>],
) -> Var<'t, f64> {
    let (input, params) = match x {
        Some(x) => (v[0].tape().constant(x.clone()), v),
        None => (v[0], &v[1..]),
    };
    let bound = Bound::new(params);
    let mut ctx = if training {
        ForwardCtx::train(0)
    } else {
        ForwardCtx::eval()
    };
    model
        .module()
        .call(input, &mut Cx::new(&bound, model.buffers(), &mut ctx))
}

/// First- and second-order finite-difference checks of `model` at `x`,
/// with respect to the input (unless `x_is_index`) and every parameter.
fn check<M: Module<f64>>(model: &Model<f64, M>, x: &Tensor<f64>, training: bool, x_is_index: bool) {
    let params: Vec<Tensor<f64>> = model
        .params()
        .iter()
        .map(|(n, _)| model.params().tensor(n).unwrap())
        .collect();
    let (inputs, fixed) = if x_is_index {
        (params, Some(x))
    } else {
        (std::iter::once(x.clone()).chain(params).collect(), None)
    };
    let o = GradcheckOptions::default();
    gradcheck(|v| run(model, fixed, training, v), &inputs, &o).unwrap();
    gradgradcheck(|v| run(model, fixed, training, v), &inputs, &o).unwrap();
}

#[test]
fn linear_gradients() {
    for (n, i, o) in [(1, 1, 1), (3, 4, 2), (0, 3, 2)] {
        let m = Model::build(n as u64, |s| Linear::build(s, i, o));
        check(&m, &random(&[n, i], 1), true, false);
    }
}

#[test]
fn conv_gradients() {
    let o = Conv2dOptions {
        stride: [2, 1],
        padding: [1, 0],
        dilation: [1, 2],
        groups: 2,
    };
    let m = Model::build(0, |s| Conv2d::with(s, 2, 4, [2, 2], o, true));
    check(&m, &random(&[2, 2, 4, 5], 8), true, false);
    let o = Conv1dOptions {
        stride: 2,
        padding: 1,
        ..Default::default()
    };
    let m = Model::build(0, |s| Conv1d::with(s, 3, 2, 3, o, false));
    check(&m, &random(&[2, 3, 6], 9), true, false);
}

#[test]
fn conv2d_gradients_on_random_geometry() {
    let mut rng = StdRng::seed_from_u64(21);
    for case in 0..4 {
        let groups = rng.random_range(1..=2);
        let (cin, cout) = (
            groups * rng.random_range(1..=2),
            groups * rng.random_range(1..=2),
        );
        let kernel = [rng.random_range(1..=2), rng.random_range(1..=3)];
        let o = Conv2dOptions {
            stride: [rng.random_range(1..=2), rng.random_range(1..=2)],
            padding: [rng.random_range(0..=1), rng.random_range(0..=1)],
            dilation: [1, rng.random_range(1..=2)],
            groups,
        };
        let bias = rng.random_bool(0.5);
        let m = Model::build(case, |s| Conv2d::with(s, cin, cout, kernel, o, bias));
        let n = rng.random_range(1..=2);
        check(&m, &random(&[n, cin, 4, 5], 30 + case), true, false);
    }
}

#[test]
fn pool_gradients() {
    // Random values: no ties, so the max is differentiable everywhere.
    let m = Model::build(0, |_| MaxPool2d::new([2, 2]).stride([1, 2]).padding([1, 1]));
    check(&m, &random(&[2, 2, 4, 5], 10), true, false);
    let m = Model::build(0, |_| {
        AvgPool2d::new([3, 2])
            .padding([1, 1])
            .count_include_pad(false)
    });
    check(&m, &random(&[1, 2, 5, 4], 12), true, false);
}

#[test]
fn layer_norm_gradients() {
    for shape in [[2usize, 5].as_slice(), &[3, 2, 3]] {
        let mut m = Model::build(0, |s| LayerNorm::new(s, &shape[1..]));
        let k = m.params().numel();
        m.params_mut()
            .values_mut()
            .copy_from_slice(random(&[k], 3).data());
        check(&m, &random(shape, 2), true, false);
    }
}

#[test]
fn batch_norm_gradients_in_training_and_evaluation() {
    for (shape, image) in [([4usize, 3, 1, 1], false), ([3, 2, 2, 3], true)] {
        let dims: &[usize] = if image { &shape } else { &shape[..2] };
        let c = dims[1];
        let mut m = Model::build(0, |s| {
            if image {
                BatchNorm::new_2d(s, c)
            } else {
                BatchNorm::new_1d(s, c)
            }
        });
        m.params_mut()
            .values_mut()
            .copy_from_slice(random(&[2 * c], 5).data());
        m.buffers_mut().values_mut()[c..2 * c].fill(1.5); // running_var
        let x = random(dims, 4);
        check(&m, &x, true, false);
        check(&m, &x, false, false);
    }
}

#[test]
fn embedding_gradients() {
    let m = Model::build(0, |s| Embedding::new(s, 5, 3));
    let idx = Tensor::from_vec(vec![0.0, 4.0, 4.0, 2.0], [2, 2]);
    check(&m, &idx, true, true);
}

#[test]
fn parametric_activation_layer_gradients() {
    for act in [Activation::Prelu, Activation::Swish, Activation::AconC] {
        let m = Model::build(0, |s| ActivationLayer::build(s, act, 3));
        check(&m, &random(&[4, 3], 6), true, false);
    }
}

#[test]
fn flatten_and_unflatten_gradients() {
    let m = Model::build(0, |s| {
        Sequential::new(s)
            .push(Unflatten::new(&[2, 3]))
            .push(Flatten::new())
            .layer(|s| Linear::build(s, 6, 2))
            .done()
    });
    check(&m, &random(&[2, 6], 7), true, false);
}

/// A user module: two Linears and a skip connection, with a nested
/// Sequential, named as PyTorch names the attributes.
struct Residual {
    fc1: Linear,
    fc2: Linear,
    head: Sequential<f64>,
}

impl Residual {
    fn new(mut s: Scope<'_, f64>) -> Self {
        Residual {
            fc1: Linear::build(s.sub("fc1"), 2, 16),
            fc2: Linear::build(s.sub("fc2"), 16, 2),
            head: Sequential::new(s.sub("head"))
                .push(Activation::Tanh)
                .layer(|s| Linear::build(s, 2, 1))
                .done(),
        }
    }
}

impl Module<f64> for Residual {
    fn call<'t>(&self, x: Var<'t, f64>, cx: &mut Cx<'_, 't, f64>) -> Var<'t, f64> {
        let h = self.fc1.call(x, cx).relu();
        let y = self.fc2.call(h, cx) + x;
        self.head.call(y, cx)
    }

    fn torch(&self) -> String {
        "Residual()".into()
    }
}

fn regression_data() -> Dataset<f64> {
    let x = random(&[64, 2], 11);
    let y: Vec<f64> = x
        .data()
        .chunks(2)
        .map(|r| (r[0] * 1.5).sin() + 0.5 * r[1])
        .collect();
    Dataset::regression(x, Tensor::from_vec(y, [64, 1])).unwrap()
}

#[test]
fn user_module_names_and_trains_with_regression_metrics() {
    let mut m = Model::build(0, Residual::new);
    let names: Vec<&str> = m.params().iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "fc1.weight",
            "fc1.bias",
            "fc2.weight",
            "fc2.bias",
            "head.1.weight",
            "head.1.bias"
        ]
    );
    let data = regression_data();
    let h = Trainer::new(Loss::Mse)
        .mode(BatchMode::MiniBatch(16))
        .epochs(150)
        .fit(&mut m, &mut Adam::new(0.01), &data, Some(&data))
        .unwrap();
    let last = h.last().unwrap();
    let r = last.val_regression.unwrap();
    assert!(r.r2 > 0.95 && r.mse < 0.05, "{r:?}");
    assert!(last.regression.is_some());
    // Regression epochs print MSE/MAE/R², not an accuracy.
    let line = last.to_string();
    assert!(line.contains("r2") && !line.contains("acc"), "{line}");
}

#[test]
fn gradient_penalty_goes_through_fit() {
    // MSE plus λ·mean((∂y/∂x)²): the penalty must flatten the fitted slope
    // compared with the same run without it.
    let slope = |lambda: f64| {
        let mut m = Model::build(1, |s| {
            Sequential::new(s)
                .layer(|s| Linear::build(s, 2, 32))
                .push(Activation::Tanh)
                .layer(|s| Linear::build(s, 32, 1))
                .done()
        });
        let objective = LossFn::new(Task::Regression, |s: &StepVars<'_, '_, f64>| {
            let g = s.output.sum().grad_graph(&[s.input])[0];
            s.output.mse(s.targets()) + g.square().mean().mul_scalar(lambda)
        })
        .with_input_grad();
        let data = regression_data();
        Trainer::new(Loss::Mse)
            .mode(BatchMode::FullBatch)
            .epochs(150)
            .fit_with(&mut m, &mut Adam::new(0.02), &objective, &data, None)
            .unwrap();
        let x = data.features();
        let y = m.predict(x);
        let shifted = m.predict(&x.map(|v| v + 1e-3));
        y.data()
            .iter()
            .zip(shifted.data())
            .map(|(a, b)| ((b - a) / 1e-3).powi(2))
            .sum::<f64>()
    };
    let (free, penalized) = (slope(0.0), slope(1.0));
    assert!(
        penalized < 0.5 * free,
        "penalized {penalized} vs free {free}"
    );
}

#[test]
fn gradient_clipping_by_value_and_by_norm() {
    // One full-batch SGD step at rate 1: the update is the clipped gradient.
    let data =
        Dataset::regression(Tensor::from_vec(vec![10.0], [1, 1]), Tensor::zeros([1, 1])).unwrap();
    let step = |t: Trainer| -> [f64; 2] {
        let mut m = Model::build(0, |s| Linear::build(s, 1, 1));
        m.params_mut().values_mut().copy_from_slice(&[1.0, 0.0]);
        t.mode(BatchMode::FullBatch)
            .epochs(1)
            .fit(&mut m, &mut Sgd::new(1.0), &data, None)
            .unwrap();
        let v = m.params().values();
        [1.0 - v[0], -v[1]]
    };
    // d/dw (10w + b)² = 2·10·10 = 200, d/db = 20.
    assert_eq!(step(Trainer::new(Loss::Mse)), [200.0, 20.0]);
    assert_eq!(
        step(Trainer::new(Loss::Mse).clip_grad_value(0.5)),
        [0.5, 0.5]
    );
    let [gw, gb] = step(Trainer::new(Loss::Mse).clip_grad_norm(1.0));
    assert!(((gw * gw + gb * gb).sqrt() - 1.0).abs() < 1e-6);
    assert!((gw / gb - 10.0).abs() < 1e-9); // direction kept
}

#[test]
fn classification_objective_reports_accuracy_not_regression() {
    let x = Tensor::from_vec(vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], [4, 2]);
    let data = Dataset::classification(x, vec![0, 1, 1, 0], 2).unwrap();
    let mut m = Model::build(3, |s| {
        Sequential::new(s)
            .layer(|s| Linear::build(s, 2, 16))
            .push(Activation::Tanh)
            .layer(|s| Linear::build(s, 16, 2))
            .done()
    });
    let h = Trainer::new(Loss::CrossEntropy)
        .mode(BatchMode::FullBatch)
        .epochs(300)
        .fit(&mut m, &mut Adam::new(0.05), &data, Some(&data))
        .unwrap();
    let last = h.last().unwrap();
    assert_eq!(last.val_accuracy, Some(1.0));
    assert!(last.regression.is_none() && last.val_regression.is_none());
}

#[test]
fn batch_norm_trains_updates_running_stats_and_evaluates_on_them() {
    let data = regression_data();
    let mut m = Model::build(0, |s| {
        Sequential::new(s)
            .layer(|s| Linear::build(s, 2, 8))
            .layer(|s| BatchNorm::new_1d(s, 8))
            .push(Activation::Relu)
            .push(Dropout::Standard(0.1))
            .layer(|s| Linear::build(s, 8, 1))
            .done()
    });
    Trainer::new(Loss::Mse)
        .mode(BatchMode::MiniBatch(16))
        .epochs(3)
        .fit(&mut m, &mut Adam::new(0.01), &data, None)
        .unwrap();
    let sd = m.state_dict();
    assert_eq!(sd["1.num_batches_tracked"].data(), &[12.0]); // 3 epochs × 4 batches
    assert!(sd["1.running_mean"].data().iter().any(|&v| v != 0.0));
    // Evaluation uses the running statistics: one row alone is fine (no
    // batch statistics), and equals its value inside a batch.
    let all = m.predict(data.features());
    let one = m.predict(&Tensor::from_slice(&data.features().data()[..2], [1, 2]));
    assert!((one.data()[0] - all.data()[0]).abs() < 1e-12);
}

#[test]
fn state_dicts_round_trip_and_check_the_architecture() {
    let build = |seed| {
        Model::build(seed, |s| {
            Sequential::new(s)
                .push(Unflatten::new(&[1, 2]))
                .layer(|s| LayerNorm::new(s, &[2]))
                .push(Flatten::new())
                .layer(|s| Linear::build(s, 2, 4))
                .layer(|s| BatchNorm::new_1d(s, 4))
                .layer(|s| ActivationLayer::build(s, Activation::Prelu, 4))
                .push(Unflatten::new(&[1, 2, 2]))
                .layer(|s| Conv2d::new(s, 1, 2, [2, 2]))
                .layer(|s| BatchNorm::new_2d(s, 2))
                .push(Flatten::new())
                .layer(|s| Conv1d::new(s, 1, 1, 1))
                .layer(|s| Embedding::new(s, 3, 2))
                .done()
        })
    };
    let mut a = build(1);
    a.buffers_mut().values_mut()[0] = 0.25;
    let mut b = build(2);
    assert_ne!(a.state_dict(), b.state_dict());
    b.load_state_dict(&a.state_dict()).unwrap();
    assert_eq!(a.state_dict(), b.state_dict());

    let mut sd = a.state_dict();
    sd.shift_remove("4.running_var");
    assert_eq!(
        b.load_state_dict(&sd),
        Err(StateDictError::Missing {
            name: "4.running_var".into(),
            expected: vec![4]
        })
    );
    let mut sd = a.state_dict();
    sd.insert("4.extra".into(), Tensor::zeros([1]));
    assert!(
        matches!(b.load_state_dict(&sd), Err(StateDictError::Unknown { name, .. }) if name == "4.extra")
    );
    let mut sd = a.state_dict();
    sd.insert("3.weight".into(), Tensor::zeros([4, 3]));
    assert!(
        matches!(b.load_state_dict(&sd), Err(StateDictError::Shape { name, .. }) if name == "3.weight")
    );
}

#[cfg(feature = "safetensors")]
#[test]
fn model_files_round_trip() {
    let build = |seed| {
        Model::<f32, _>::build(seed, |s| {
            Sequential::new(s)
                .layer(|s| Linear::build(s, 3, 4))
                .layer(|s| BatchNorm::new_1d(s, 4))
                .done()
        })
    };
    let a = build(1);
    let path = std::env::temp_dir().join(format!(
        "tapegrad-modules-{}.safetensors",
        std::process::id()
    ));
    a.save(&path).unwrap();
    let mut b = build(2);
    b.load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(a.state_dict(), b.state_dict());
}

#[test]
fn early_stopping_restores_parameters_and_running_statistics_of_the_best_epoch() {
    let data = regression_data();
    let (train, val) = (
        data.subset(&(0..48).collect::<Vec<_>>()),
        data.subset(&(48..64).collect::<Vec<_>>()),
    );
    let mut m = Model::build(0, |s| {
        Sequential::new(s)
            .layer(|s| Linear::build(s, 2, 32))
            .layer(|s| BatchNorm::new_1d(s, 32))
            .push(Activation::Relu)
            .layer(|s| Linear::build(s, 32, 1))
            .done()
    });
    let h = Trainer::new(Loss::Mse)
        .mode(BatchMode::MiniBatch(8))
        .epochs(200)
        .early_stopping(EarlyStopping::new(Metric::ValLoss, 3))
        .fit(&mut m, &mut Adam::new(0.05), &train, Some(&val))
        .unwrap();
    let StopReason::EarlyStopping { best_epoch } = h.stop else {
        panic!("no early stop in 200 epochs: {:?}", h.stop);
    };
    // The model evaluates exactly as it did after its best epoch: the
    // running statistics came back with the parameters.
    let now = evaluate(&m, &val, Loss::Mse).loss;
    assert_eq!(Some(now), h.epochs[best_epoch].val_loss);
}
