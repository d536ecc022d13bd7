//! A small CNN on the digits shipped inside the crate (no download): the
//! same seeded stratified split and standardization as `digits`, each row of
//! 64 features reshaped to a 1×8×8 image.
//!
//! conv 3×3 ×16 (padding 1) → relu → conv 3×3 ×32 (padding 1) → relu →
//! max-pool 2 → flatten → dropout 0.25 → linear 512 → 10, trained with Adam on
//! cross-entropy, PyTorch's default initialization. Prints one line per
//! epoch and ends with `test accuracy: 0.9xxx`; the same network in PyTorch
//! is `docs/peers/digits_cnn.py`.
//!
//! ```text
//! cargo run --release --example digits_cnn
//! cargo run --release --example digits_cnn -- --epochs 20 --seed 1
//! cargo run --release --example digits_cnn -- --export-split /tmp --save /tmp/cnn.safetensors
//! ```

use clap::Parser;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tapegrad::Conv2dOptions;
use tapegrad_nn::data::{digits, Dataset, Standardizer};
use tapegrad_nn::{
    evaluate, Activation, Adam, BatchMode, Conv2d, Dropout, Flatten, Linear, Loss, LrSchedule,
    MaxPool2d, Model, Sequential, Trainer, Unflatten,
};

/// Train a small CNN on the digits data and report held-out accuracy.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Seed of the split, the initialization and the shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Number of training epochs.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    epochs: u64,
    /// Mini-batch size.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..))]
    batch: u64,
    /// Dropout before the linear layer.
    #[arg(long, default_value_t = 0.25)]
    dropout: f64,
    /// Also write the split (raw pixels, label last) as `digits-train.csv`
    /// and `digits-test.csv` in this directory, for `docs/peers/digits_cnn.py`.
    #[arg(long)]
    export_split: Option<PathBuf>,
    /// Save the trained model here as safetensors (PyTorch's names; the
    /// PyTorch peer loads it with `--tapegrad-model`).
    #[arg(long)]
    save: Option<PathBuf>,
}

/// Writes `ds` as CSV rows of features followed by the label.
fn write_csv(path: &Path, ds: &Dataset<f32>) -> std::io::Result<()> {
    let mut out = String::new();
    let labels = ds.labels().unwrap_or_default();
    for (row, label) in ds.features().data().chunks(ds.n_features()).zip(labels) {
        let cells: Vec<String> = row.iter().map(ToString::to_string).collect();
        out.push_str(&format!("{},{label}\n", cells.join(",")));
    }
    std::fs::write(path, out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let start = Instant::now();
    let (mut train, mut test) = digits::<f32>().stratified_split(0.2, args.seed);
    if let Some(dir) = &args.export_split {
        write_csv(&dir.join("digits-train.csv"), &train)?;
        write_csv(&dir.join("digits-test.csv"), &test)?;
    }
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut test);
    println!(
        "digits: {} training rows, {} held-out rows, as 1×8×8 images",
        train.len(),
        test.len()
    );

    let same = Conv2dOptions {
        padding: [1, 1],
        ..Conv2dOptions::default()
    };
    let mut model = Model::build(args.seed, |s| {
        Sequential::new(s)
            .push(Unflatten::new(&[1, 8, 8]))
            .layer(|s| Conv2d::with(s, 1, 16, [3, 3], same, true))
            .push(Activation::Relu)
            .layer(|s| Conv2d::with(s, 16, 32, [3, 3], same, true))
            .push(Activation::Relu)
            .push(MaxPool2d::new([2, 2]))
            .push(Flatten::new())
            .push(Dropout::Standard(args.dropout))
            .layer(|s| Linear::build(s, 32 * 4 * 4, 10))
            .done()
    });
    println!("{}", model.torch_equivalent());

    let epochs = args.epochs as usize;
    Trainer::new(Loss::CrossEntropy)
        .mode(BatchMode::MiniBatch(args.batch as usize))
        .epochs(epochs)
        .seed(args.seed)
        .schedule(LrSchedule::Cosine {
            epochs,
            min_lr: 1e-5,
        })
        .verbose(true)
        .fit(&mut model, &mut Adam::new(2e-3), &train, Some(&test))?;

    let e = evaluate(&model, &test, Loss::CrossEntropy);
    println!(
        "trained in {:.2} s; test loss {:.4}",
        start.elapsed().as_secs_f64(),
        e.loss
    );
    println!("test accuracy: {:.4}", e.accuracy);
    if let Some(path) = &args.save {
        model.save(path)?;
        println!("saved {}", path.display());
    }
    Ok(())
}
