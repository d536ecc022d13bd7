//! Trains an MLP on the digits data shipped inside the crate (no download):
//! 1797 8×8 images, a seeded stratified split holding out a fifth, inputs
//! standardized with statistics of the training rows only.
//!
//! Prints a progress bar, one line per epoch, the dead-unit diagnostics,
//! saves the model as safetensors (PyTorch names) under the system temp
//! directory, and ends with `test accuracy: 0.9xxx`.
//!
//! ```text
//! cargo run --release --example digits [-- --seed 0 --epochs 40 --report report.html]
//! ```
//!
//! `--report PATH` also writes the run as one self-contained HTML page
//! (curves as inline SVG, per-layer diagnostics, settings).

use std::time::Instant;
use tapegrad::Tensor;
use tapegrad_nn::data::{digits, Standardizer};
use tapegrad_nn::io::save_safetensors;
use tapegrad_nn::report::TrainingReport;
use tapegrad_nn::{evaluate, Activation, Adam, BatchMode, Loss, LrSchedule, Mlp, Trainer};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = arg("--seed", 0);
    let epochs = arg("--epochs", 40) as usize;
    let report = std::env::args().skip_while(|a| a != "--report").nth(1);
    let start = Instant::now();

    let (mut train, mut test) = digits::<f32>().stratified_split(0.2, seed);
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut test);
    println!(
        "digits: {} training rows, {} held-out rows, {} features",
        train.len(),
        test.len(),
        train.n_features()
    );

    let mut mlp: Mlp<f32> = Mlp::new(64)
        .hidden(128, Activation::Relu)
        .hidden(64, Activation::Relu)
        .seed(seed)
        .output(10);
    println!("model: {}", mlp.torch_equivalent());
    let mut opt = Adam::adamw(3e-3, 0.05);
    // The held-out fifth is passed only to print its loss and accuracy each
    // epoch: nothing (no early stopping, no choice of epoch) is selected on it.
    let history = Trainer::new(Loss::CrossEntropy)
        .mode(BatchMode::MiniBatch(32))
        .epochs(epochs)
        .schedule(LrSchedule::Cosine {
            epochs,
            min_lr: 1e-5,
        })
        .seed(seed)
        .progress(true)
        .verbose(true)
        .diagnostics(true)
        .fit(&mut mlp, &mut opt, &train, Some(&test))?;

    if let Some(d) = history.last().and_then(|r| r.diagnostics.as_ref()) {
        println!("diagnostics after the last epoch (dead = never active over the epoch):");
        println!("{d}");
    }
    let path = std::env::temp_dir().join("tapegrad-digits-mlp.safetensors");
    mlp.save(&path)?;
    println!(
        "saved the model to {} (PyTorch: model.load_state_dict(safetensors.torch.load_file(path)))",
        path.display()
    );
    // The network expects standardized pixels: keep the training statistics
    // beside it, so that (x − mean) / std feeds it the same inputs elsewhere.
    let scaler_path = std::env::temp_dir().join("tapegrad-digits-scaler.safetensors");
    let mean = Tensor::from_slice(scaler.mean(), [64]);
    let std = Tensor::from_slice(scaler.std(), [64]);
    save_safetensors(&scaler_path, &[("mean", &mean), ("std", &std)])?;
    println!(
        "saved the input standardization to {}",
        scaler_path.display()
    );
    let e = evaluate(&mlp, &test, Loss::CrossEntropy);
    if let Some(path) = report {
        TrainingReport::new("digits: MLP on 8×8 images", &history)
            .setting("model", mlp.torch_equivalent())
            .setting(
                "data",
                format!(
                    "{} training rows, {} held-out rows (monitored only)",
                    train.len(),
                    test.len()
                ),
            )
            .setting(
                "optimizer",
                "AdamW(lr 3e-3, weight decay 0.05), cosine schedule to 1e-5",
            )
            .setting("batches", "mini-batches of 32")
            .setting("epochs", epochs)
            .setting("seed", seed)
            .setting("test accuracy", format!("{:.4}", e.accuracy))
            .write(&path)?;
        println!("wrote the training report to {path}");
    }
    println!("wall time: {:.2} s", start.elapsed().as_secs_f64());
    println!("test accuracy: {:.4}", e.accuracy);
    Ok(())
}
