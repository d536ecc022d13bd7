//! Trains the digits MLP of the root package's `digits` example
//! data-parallel over MPI, with the same settings (seeded stratified split,
//! standardized inputs, 64-128-64-10 ReLU, AdamW 3e-3 / 0.05, batches of 32,
//! 40 epochs, cosine schedule): the global batch of 32 rows is split across
//! the ranks, so any number of ranks trains the same model as one process
//! and ends on the same `test accuracy`.
//!
//! Rank 0 prints one line per epoch and saves the model (safetensors,
//! PyTorch names) under the system temp directory.
//!
//! ```text
//! cargo build --release -p tapegrad-mpi --features mpi --example digits_mpi
//! mpirun -np 2 target/release/examples/digits_mpi [--seed 0 --epochs 40]
//! # as root in a container:
//! mpirun --allow-run-as-root --oversubscribe --mca btl self,vader -np 4 target/release/examples/digits_mpi
//! ```

use std::process::ExitCode;
use std::time::Instant;
use tapegrad_mpi::{Communicator, DistributedTrainer, MpiWorld};
use tapegrad_nn::data::{digits, Standardizer};
use tapegrad_nn::{evaluate, Activation, Adam, Loss, LrSchedule, Mlp};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> ExitCode {
    let Some(world) = MpiWorld::init() else {
        eprintln!("digits_mpi: MPI was already initialized");
        return ExitCode::FAILURE;
    };
    let (rank, ranks) = (world.rank(), world.size());
    let seed = arg("--seed", 0);
    let epochs = arg("--epochs", 40) as usize;
    let start = Instant::now();

    // Every rank holds the whole (small) data set and draws the same split.
    let (mut train, mut test) = digits::<f32>().stratified_split(0.2, seed);
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut test);
    let mut mlp: Mlp<f32> = Mlp::new(64)
        .hidden(128, Activation::Relu)
        .hidden(64, Activation::Relu)
        .seed(seed)
        .output(10);
    if rank == 0 {
        println!(
            "digits on {ranks} rank(s): {} training rows, {} held-out rows; global batch 32",
            train.len(),
            test.len()
        );
        println!("model: {}", mlp.torch_equivalent());
    }
    let path = std::env::temp_dir().join("tapegrad-digits-mpi-mlp.safetensors");
    let trained = DistributedTrainer::new(Loss::CrossEntropy)
        .global_batch(32)
        .epochs(epochs)
        .schedule(LrSchedule::Cosine {
            epochs,
            min_lr: 1e-5,
        })
        .seed(seed)
        .verbose(true)
        .save_to(&path)
        .fit(
            &world,
            &mut mlp,
            &mut Adam::adamw(3e-3, 0.05),
            &train,
            Some(&test),
        );
    match trained {
        Ok(report) => {
            if rank == 0 {
                let e = evaluate(&mlp, &test, Loss::CrossEntropy);
                println!("saved the model to {}", path.display());
                println!(
                    "{} steps; all-reduce {:.3} s, status exchange {:.3} s of {:.2} s wall time",
                    report.steps,
                    report.reduce_seconds,
                    report.agree_seconds,
                    start.elapsed().as_secs_f64()
                );
                println!("test accuracy: {:.4}", e.accuracy);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            say_error(rank, &e);
            ExitCode::FAILURE
        }
    }
}

/// One write per line, so that the lines of ranks sharing a terminal do
/// not interleave.
fn say_error(rank: usize, e: &tapegrad_mpi::DistError) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(format!("rank {rank}: {e}\n").as_bytes());
}
