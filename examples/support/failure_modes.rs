//! The two textbook failure modes, measured on the digits data: relu units
//! killed by a bad bias initialization, and sigmoid units saturated by
//! large initial weights ("network paralysis"), each beside its fix. The
//! numbers come from the trainer's per-layer diagnostics.
//!
//! Included by the `failure_modes` example and test.
#![allow(dead_code)]

use tapegrad_nn::data::{digits, Dataset, Standardizer};
use tapegrad_nn::{Activation, BatchMode, History, Init, Loss, Mlp, MlpBuilder, Sgd, Trainer};

/// One training run and what the diagnostics said about it.
pub struct Outcome {
    /// What was changed.
    pub label: &'static str,
    /// Per hidden layer, after the first and after the last epoch:
    /// share of dead (relu family) or saturated (sigmoid) units.
    pub first: Vec<f64>,
    pub last: Vec<f64>,
    /// Held-out accuracy after the last epoch.
    pub accuracy: f64,
    /// Mean gradient norm of the first layer in the first epoch.
    pub first_layer_grad: f64,
}

/// Epochs per run.
pub const EPOCHS: usize = 10;

fn data() -> (Dataset<f32>, Dataset<f32>) {
    let (mut train, mut test) = digits::<f32>().stratified_split(0.2, 0);
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut test);
    (train, test)
}

fn run(
    label: &'static str,
    net: MlpBuilder<f32>,
    share: fn(&tapegrad_nn::LayerDiagnostics) -> Option<f64>,
) -> Outcome {
    let (train, test) = data();
    let mut mlp: Mlp<f32> = net.seed(0).output(10);
    let history: History = Trainer::new(Loss::CrossEntropy)
        .mode(BatchMode::MiniBatch(32))
        .epochs(EPOCHS)
        .seed(0)
        .diagnostics(true)
        .fit(&mut mlp, &mut Sgd::new(0.2), &train, Some(&test))
        .expect("training runs");
    let shares = |k: usize| -> Vec<f64> {
        let d = history.epochs[k]
            .diagnostics
            .as_ref()
            .expect("diagnostics on");
        d.layers.iter().filter_map(share).collect()
    };
    let first_layer_grad = history.epochs[0]
        .diagnostics
        .as_ref()
        .expect("diagnostics on")
        .layers[0]
        .grad_norm;
    Outcome {
        label,
        first: shares(0),
        last: shares(history.epochs.len() - 1),
        accuracy: history.last().and_then(|r| r.val_accuracy).unwrap_or(0.0),
        first_layer_grad,
    }
}

/// Bias −6 on both relu layers, then the two fixes: leaky relu with the
/// same bias, and relu with He init and zero bias.
pub fn dead_relu() -> [Outcome; 3] {
    let dead = |l: &tapegrad_nn::LayerDiagnostics| l.dead_fraction;
    let with = |act: Activation, bias: f64| {
        Mlp::new(64)
            .hidden(128, act)
            .bias(bias)
            .hidden(64, act)
            .bias(bias)
    };
    [
        run("relu, bias −6", with(Activation::Relu, -6.0), dead),
        run(
            "leaky_relu(0.2), bias −6",
            with(Activation::LeakyRelu(0.2), -6.0),
            dead,
        ),
        run("relu, He init, bias 0", with(Activation::Relu, 0.0), dead),
    ]
}

/// Sigmoid layers with N(0, 100²) weights (Xavier's standard deviation
/// here is about 0.15), then the default Xavier init.
pub fn sigmoid_paralysis() -> [Outcome; 2] {
    let saturated = |l: &tapegrad_nn::LayerDiagnostics| l.saturated_fraction;
    let big = Mlp::new(64)
        .hidden(128, Activation::Sigmoid)
        .init(Init::Normal(100.0))
        .hidden(64, Activation::Sigmoid)
        .init(Init::Normal(100.0));
    let xavier = Mlp::new(64)
        .hidden(128, Activation::Sigmoid)
        .hidden(64, Activation::Sigmoid);
    [
        run("sigmoid, weights N(0, 100²)", big, saturated),
        run("sigmoid, Xavier init", xavier, saturated),
    ]
}

/// The outcomes as a table.
pub fn table(what: &str, outcomes: &[Outcome]) -> String {
    let pct = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{:>5.1}%", 100.0 * x))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut s = format!(
        "{:<28} {:>15} {:>15} {:>12} {:>10}\n",
        "run",
        &format!("{what} ep 1"),
        &format!("{what} ep {EPOCHS}"),
        "grad ‖W¹‖",
        "accuracy"
    );
    for o in outcomes {
        s.push_str(&format!(
            "{:<28} {:>15} {:>15} {:>12.3e} {:>10.4}\n",
            o.label,
            pct(&o.first),
            pct(&o.last),
            o.first_layer_grad,
            o.accuracy
        ));
    }
    s
}
