//! Every layer's forward pass against PyTorch's values: the fixtures in
//! `fixtures/pytorch-layers` are written by `make_pytorch_layers.py` (torch
//! 2.x, float64 unless named otherwise): each case's state dict, loaded
//! with the architecture check, and the inputs and outputs PyTorch
//! computed with it.
#![cfg(feature = "safetensors")]

use std::path::PathBuf;
use tapegrad::{Float, Tape, Tensor};
use tapegrad_nn::indexmap::IndexMap;
use tapegrad_nn::io::load_safetensors;
use tapegrad_nn::{
    BatchNorm, Embedding, ForwardCtx, LayerNorm, Linear, Model, Module, Scope,
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
fn loaded<T: Float, M: Module<T>>(
    case: &str,
    make: impl FnOnce(Scope<'_, T>) -> M,
) -> Model<T, M> {
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
        assert_close(&sd[name], &io[&format!("after.{name}")], 1e-12, &format!("{case} {name}"));
    }
    assert_close(&m.predict(&io["input_eval"]), &io["output_eval"], 1e-12, case);
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
