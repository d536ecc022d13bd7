//! Every layer's forward pass against PyTorch's values: the fixtures in
//! `fixtures/pytorch-layers` are written by `make_pytorch_layers.py` (torch
//! 2.x, float64 unless named otherwise): each case's state dict, loaded
//! with the architecture check, and the inputs and outputs PyTorch
//! computed with it.
#![cfg(feature = "safetensors")]

use std::path::PathBuf;
use tapegrad::{Conv1dOptions, Conv2dOptions, Float, Tape, Tensor};
use tapegrad_nn::indexmap::IndexMap;
use tapegrad_nn::io::load_safetensors;
use tapegrad_nn::{
    Activation, AvgPool2d, BatchNorm, Conv1d, Conv2d, Embedding, Flatten, ForwardCtx, LayerNorm,
    Linear, MaxPool2d, Model, Module, Scope, Sequential,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pytorch-layers")
        .join(name)
}

fn io<T: Float>(case: &str) -> IndexMap<String, Tensor<T>> {
    load_safetensors(fixture(&format!("{case}-io.safetensors"))).unwrap()
}

/// The model `make` builds, with the case's PyTorch state dict loaded
/// (every name and shape checked).
fn loaded<T: Float, M: Module<T>>(case: &str, make: impl FnOnce(Scope<'_, T>) -> M) -> Model<T, M> {
    let mut m = Model::build(0, make);
    m.load(fixture(&format!("{case}.safetensors")))
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    m
}

#[track_caller]
fn assert_close<T: Float>(got: &Tensor<T>, want: &Tensor<T>, tol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (i, (&g, &w)) in got.data().iter().zip(want.data()).enumerate() {
        let (g, w) = (Float::to_f64(g), Float::to_f64(w));
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}: element {i}: {g} vs PyTorch {w}"
        );
    }
}

fn check_forward<M: Module<f64>>(case: &str, make: impl FnOnce(Scope<'_, f64>) -> M) {
    let m = loaded(case, make);
    let io = io::<f64>(case);
    assert_close(&m.predict(&io["input"]), &io["output"], 1e-12, case);
}

#[test]
fn linear_matches_pytorch() {
    check_forward("linear", |s| Linear::build(s, 5, 3));
}

#[test]
fn layer_norm_matches_pytorch() {
    check_forward("layernorm", |s| LayerNorm::new(s, &[4]));
    check_forward("layernorm-2d", |s| LayerNorm::new(s, &[2, 3]));
}

#[test]
fn embedding_matches_pytorch() {
    check_forward("embedding", |s| Embedding::new(s, 7, 3));
}

/// Two training steps (outputs on batch statistics, running statistics
/// updated with momentum 0.1 and the unbiased variance), then evaluation on
/// the running statistics, all as PyTorch computed them.
fn check_batch_norm(case: &str, make: impl FnOnce(Scope<'_, f64>) -> BatchNorm) {
    let mut m = loaded(case, make);
    let io = io::<f64>(case);
    let mut ctx = ForwardCtx::train(0);
    for (x, y) in [("input", "output"), ("input2", "output2")] {
        let tape = Tape::new();
        let p = m.params().bind(&tape);
        let out = m.forward(&p, tape.constant(io[x].clone()), &mut ctx);
        assert_close(&out.value(), &io[y], 1e-12, &format!("{case} {y}"));
        m.commit(&mut ctx);
    }
    let sd = m.state_dict();
    for name in ["running_mean", "running_var", "num_batches_tracked"] {
        assert_close(
            &sd[name],
            &io[&format!("after.{name}")],
            1e-12,
            &format!("{case} {name}"),
        );
    }
    assert_close(
        &m.predict(&io["input_eval"]),
        &io["output_eval"],
        1e-12,
        case,
    );
}

#[test]
fn batch_norm_1d_matches_pytorch_in_training_and_evaluation() {
    check_batch_norm("batchnorm1d", |s| BatchNorm::new_1d(s, 3));
    check_batch_norm("batchnorm1d-3d", |s| BatchNorm::new_1d(s, 2));
}

#[test]
fn batch_norm_2d_matches_pytorch_in_training_and_evaluation() {
    check_batch_norm("batchnorm2d", |s| BatchNorm::new_2d(s, 2));
}

#[test]
fn conv1d_matches_pytorch() {
    let o = Conv1dOptions {
        stride: 2,
        padding: 1,
        ..Default::default()
    };
    check_forward("conv1d", |s| Conv1d::with(s, 2, 3, 3, o, true));
    let o = Conv1dOptions {
        dilation: 2,
        groups: 2,
        ..Default::default()
    };
    check_forward("conv1d-dilated", |s| Conv1d::with(s, 4, 2, 2, o, true));
}

#[test]
fn conv2d_matches_pytorch() {
    let o = Conv2dOptions {
        padding: [1, 1],
        ..Default::default()
    };
    check_forward("conv2d", |s| Conv2d::with(s, 2, 4, [3, 3], o, true));
    let o = Conv2dOptions {
        stride: [2, 2],
        padding: [2, 2],
        dilation: [2, 2],
        groups: 2,
    };
    check_forward("conv2d-grouped", |s| Conv2d::with(s, 4, 4, [3, 3], o, true));
    let o = Conv2dOptions {
        stride: [2, 1],
        ..Default::default()
    };
    check_forward("conv2d-nobias", |s| Conv2d::with(s, 1, 2, [2, 3], o, false));
}

#[test]
fn pools_match_pytorch() {
    check_forward("maxpool2d", |_| MaxPool2d::new([2, 2]));
    check_forward("maxpool2d-padded", |_| {
        MaxPool2d::new([3, 3]).stride([2, 2]).padding([1, 1])
    });
    check_forward("avgpool2d", |_| AvgPool2d::new([2, 2]));
    check_forward("avgpool2d-padded", |_| {
        AvgPool2d::new([3, 3]).stride([2, 2]).padding([1, 1])
    });
    check_forward("avgpool2d-nopadcount", |_| {
        AvgPool2d::new([3, 3])
            .stride([2, 2])
            .padding([1, 1])
            .count_include_pad(false)
    });
}

/// `nn.Sequential(Conv2d(1, 4, 3, padding=1), ReLU(), MaxPool2d(2),
/// Flatten(), Linear(64, 3))`.
fn cnn<T: Float>(s: Scope<'_, T>) -> Sequential<T> {
    let same = Conv2dOptions {
        padding: [1, 1],
        ..Default::default()
    };
    Sequential::new(s)
        .layer(|s| Conv2d::with(s, 1, 4, [3, 3], same, true))
        .push(Activation::Relu)
        .push(MaxPool2d::new([2, 2]))
        .push(Flatten::new())
        .layer(|s| Linear::build(s, 64, 3))
        .done()
}

#[test]
fn pytorch_cnn_state_dict_loads_and_matches_in_f32_and_f64() {
    let m = loaded::<f64, _>("cnn-f64", cnn);
    let io64 = io::<f64>("cnn-f64");
    assert_close(
        &m.predict(&io64["input"]),
        &io64["output"],
        1e-12,
        "cnn f64",
    );
    let m = loaded::<f32, _>("cnn-f32", cnn);
    let io32 = io::<f32>("cnn-f32");
    assert_close(&m.predict(&io32["input"]), &io32["output"], 1e-6, "cnn f32");
}

#[test]
fn f16_and_bf16_state_dicts_load_exactly_into_f32_and_f64_models() {
    for tag in ["f16", "bf16"] {
        let case = format!("cnn-{tag}");
        let m64 = loaded::<f64, _>(&case, cnn);
        let io64 = io::<f64>(&case);
        // PyTorch's output was computed in f64 from the rounded weights:
        // the conversion must be exact for this to hold to 1e-12.
        assert_close(&m64.predict(&io64["input"]), &io64["output"], 1e-12, &case);
        let m32 = loaded::<f32, _>(&case, cnn);
        assert_eq!(
            m32.params()
                .values()
                .iter()
                .map(|&v| f64::from(v))
                .collect::<Vec<_>>(),
            m64.params().values(),
            "{case}: the same values in f32 and f64"
        );
    }
}

#[test]
fn what_tapegrad_saves_loads_back_with_pytorch_names() {
    let m = loaded::<f64, _>("cnn-f64", cnn);
    let names: Vec<String> = m.state_dict().keys().cloned().collect();
    assert_eq!(names, ["0.weight", "0.bias", "4.weight", "4.bias"]);
    let path =
        std::env::temp_dir().join(format!("tapegrad-cnn-{}.safetensors", std::process::id()));
    m.save(&path).unwrap();
    let mut back = Model::<f64, _>::build(5, cnn);
    back.load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(back.state_dict(), m.state_dict());
}
