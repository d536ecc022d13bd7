//! Every figure under docs/img/, written by `cargo run --release --example
//! figures` and checked byte for byte by the `figures` test. Nothing here
//! reads the clock or an unseeded generator, so the files are reproducible.
//!
//! Included by the `figures` and `plot_activations` examples and the
//! `figures` test, each of which uses part of it.
#![allow(dead_code)]

use crate::textbook_net;
use std::path::Path;
use tapegrad::Tape;
use tapegrad_nn::data::{digits, Standardizer};
use tapegrad_nn::plots::{activation_figure, swish_beta_figure, training_figure};
use tapegrad_nn::{Activation, Adam, BatchMode, History, Loss, LrSchedule, Mlp, Trainer};

/// The figure files, in the order they are written.
pub const FILES: [&str; 5] = [
    "activations.svg",
    "swish_beta.svg",
    "network_4221.dot",
    "network_4221.svg",
    "digits_training.svg",
];

/// The activations drawn, with their parameter values.
pub const ACTIVATIONS: [(&str, Activation, &[f64]); 10] = [
    ("relu", Activation::Relu, &[]),
    ("leaky_relu(0.1)", Activation::LeakyRelu(0.1), &[]),
    ("elu(1)", Activation::Elu(1.0), &[]),
    ("selu", Activation::Selu, &[]),
    ("softplus", Activation::Softplus, &[]),
    ("swish (β = 1)", Activation::Swish, &[1.0]),
    ("mish", Activation::Mish, &[]),
    (
        "acon_c (p1 = 1, p2 = 0.25, β = 1)",
        Activation::AconC,
        &[1.0, 0.25, 1.0],
    ),
    ("sigmoid", Activation::Sigmoid, &[]),
    ("tanh", Activation::Tanh, &[]),
];

/// The β values of the swish figure.
pub const BETAS: [f64; 5] = [0.1, 0.5, 1.0, 2.0, 10.0];

/// Epochs of the digits run drawn in digits_training.svg.
pub const DIGITS_EPOCHS: usize = 20;

/// The digits run of the training figure: the `digits` example's network
/// and optimizer, seed 0, with diagnostics every epoch.
pub fn digits_history(epochs: usize) -> Result<History, tapegrad_nn::TrainError> {
    let (mut train, mut test) = digits::<f32>().stratified_split(0.2, 0);
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut test);
    let mut mlp: Mlp<f32> = Mlp::new(64)
        .hidden(128, Activation::Relu)
        .hidden(64, Activation::Relu)
        .seed(0)
        .output(10);
    Trainer::new(Loss::CrossEntropy)
        .mode(BatchMode::MiniBatch(32))
        .epochs(epochs)
        .schedule(LrSchedule::Cosine {
            epochs,
            min_lr: 1e-5,
        })
        .seed(0)
        .diagnostics(true)
        .fit(&mut mlp, &mut Adam::adamw(3e-3, 0.05), &train, Some(&test))
}

/// Writes every file of [`FILES`] into `dir`.
pub fn write_all(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text)
            .map_err(|e| format!("writing {}: {e}", dir.join(name).display()))
    };
    write(FILES[0], &activation_figure(&ACTIVATIONS)?)?;
    write(FILES[1], &swish_beta_figure(&BETAS)?)?;

    let (weights, x, y) = textbook_net::tutorial();
    let tape = Tape::<f64>::new();
    let pass = weights.forward(&tape, &x, y);
    let dot = pass.cost.to_dot_with(&pass.dot_options());
    write(FILES[2], &dot)?;
    write(FILES[3], &tapegrad::dot_to_svg(&dot)?)?;

    write(FILES[4], &training_figure(&digits_history(DIGITS_EPOCHS)?)?)?;
    Ok(())
}
