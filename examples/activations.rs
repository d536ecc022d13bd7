//! The classic activation comparison on the shipped digits data: the same
//! 64-128-64-10 MLP, the same seeded split, optimizer and budget, one run
//! per activation. SELU gets its LeCun-normal initialization (the default
//! for SELU) and AlphaDropout; every other activation its own default
//! initializer (He for the relu family and the smooth relu-likes, Xavier for
//! sigmoid and tanh).
//!
//! Prints final held-out accuracy and the first epoch at which the held-out
//! accuracy reached 95 %.
//!
//! ```text
//! cargo run --release --example activations [-- --epochs 20 --seed 0]
//! ```

use std::time::Instant;
use tapegrad_nn::data::{digits, Standardizer};
use tapegrad_nn::{evaluate, Activation, Adam, BatchMode, Loss, Mlp, Trainer};

/// Compare every activation on the same digits MLP, split and budget.
#[derive(clap::Parser, Debug)]

struct Args {
    /// Training epochs per activation.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    epochs: u64,
    /// Seed of the split, the initialization and the shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = <Args as clap::Parser>::parse();
    let (epochs, seed) = (args.epochs as usize, args.seed);
    let (mut train, mut test) = digits::<f32>().stratified_split(0.2, seed);
    let st = Standardizer::fit(&train);
    st.apply(&mut train);
    st.apply(&mut test);

    let runs = [
        ("relu", Activation::Relu, None),
        ("leaky relu (0.01)", Activation::LeakyRelu(0.01), None),
        ("elu (1.0)", Activation::Elu(1.0), None),
        (
            "selu + LeCun + AlphaDropout(0.05)",
            Activation::Selu,
            Some(0.05),
        ),
        ("swish (trainable β)", Activation::Swish, None),
        ("mish", Activation::Mish, None),
        ("ACON-C", Activation::AconC, None),
        ("sigmoid", Activation::Sigmoid, None),
        ("tanh", Activation::Tanh, None),
    ];
    println!(
        "digits, 64-128-64-10, Adam lr 1e-3, mini-batch 32, {epochs} epochs, split seed {seed} ({} train / {} held out)\n",
        train.len(),
        test.len()
    );
    println!("| activation | test accuracy | epochs to 95 % | final train loss | time (s) |");
    println!("|---|---|---|---|---|");
    for (name, act, alpha) in runs {
        let mut b = Mlp::new(64).hidden(128, act);
        if let Some(p) = alpha {
            b = b.alpha_dropout(p);
        }
        b = b.hidden(64, act);
        if let Some(p) = alpha {
            b = b.alpha_dropout(p);
        }
        let mut mlp: Mlp<f32> = b.seed(seed).output(10);
        let start = Instant::now();
        let history = Trainer::new(Loss::CrossEntropy)
            .mode(BatchMode::MiniBatch(32))
            .epochs(epochs)
            .seed(seed)
            .fit(&mut mlp, &mut Adam::new(1e-3), &train, Some(&test))?;
        let secs = start.elapsed().as_secs_f64();
        let acc = evaluate(&mlp, &test, Loss::CrossEntropy).accuracy;
        let to95 = history
            .epochs_to_accuracy(0.95)
            .map_or("never".to_string(), |e| (e + 1).to_string());
        let loss = history.last().map_or(f64::NAN, |r| r.loss);
        println!("| {name} | {acc:.4} | {to95} | {loss:.4} | {secs:.2} |");
    }
    Ok(())
}
