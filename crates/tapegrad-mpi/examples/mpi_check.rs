//! What the crate's `mpirun` tests run on every rank: a distributed run of
//! the exactness setting that rank 0 saves for the test to compare with one
//! process, or a run with a fault injected on one rank.
//!
//! ```text
//! mpi_check exact f32|f64 GLOBAL_BATCH EPOCHS OUT.safetensors
//! mpi_check fault nan|io|panic-step|panic-outside|shape RANK
//! ```
//!
//! Every rank that stops prints `rank R: <error>` on stderr and exits 1.

#[path = "../tests/support/panics_at.rs"]
mod panics_at;
#[allow(dead_code)] // shared with the tests, which use all of it
#[path = "../tests/support/mod.rs"]
mod support;

use panics_at::PanicsAt;
use std::process::ExitCode;
use support::{digits_train, model, optimizer, schedule};
use tapegrad_mpi::{
    agree, Communicator, DistError, DistributedTrainer, Element, Fault, FaultKind, MpiWorld, Stage,
};
use tapegrad_nn::Loss;

fn trainer(global_batch: usize, epochs: usize) -> DistributedTrainer {
    DistributedTrainer::new(Loss::CrossEntropy)
        .global_batch(global_batch)
        .epochs(epochs)
        .schedule(schedule(epochs))
        .seed(5)
}

fn exact<T: Element>(world: &MpiWorld, args: &[String]) -> Result<(), DistError> {
    let batch = args[0].parse().expect("GLOBAL_BATCH");
    let epochs = args[1].parse().expect("EPOCHS");
    // Seeded by rank: only the broadcast from rank 0 makes the ranks agree.
    let mut mlp = model::<T>(world.rank() as u64 * 7);
    trainer(batch, epochs)
        .save_to(&args[2])
        .fit(world, &mut mlp, &mut optimizer(), &digits_train(), None)
        .map(drop)
}

fn fault(world: &MpiWorld, what: &str, bad: usize) -> Result<(), DistError> {
    let me = world.rank() == bad;
    let mut train = digits_train::<f64>();
    let mut mlp = model::<f64>(0);
    let mut opt = PanicsAt::new(0.01, None);
    match what {
        "nan" if me => train.features_mut().fill(f64::NAN),
        "io" => {
            let path = if me {
                "/nonexistent/digits.csv"
            } else {
                "/dev/null"
            };
            let read =
                std::fs::read(path).map_err(|e| Fault::new(FaultKind::Io, format!("{path}: {e}")));
            agree(world, Stage::Named("loading the data"), read)?;
        }
        "panic-step" if me => opt = PanicsAt::new(0.01, Some(3)),
        "panic-outside" if me => panic!("rank {bad} gave up before training"),
        "shape" if me => {
            mlp = tapegrad_nn::Mlp::new(64)
                .hidden(33, tapegrad_nn::Activation::Relu)
                .output(10);
        }
        _ => {}
    }
    trainer(64, 1)
        .fit(world, &mut mlp, &mut opt, &train, None)
        .map(drop)
}

fn main() -> ExitCode {
    let world = MpiWorld::init().expect("MPI was already initialized");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match (args[0].as_str(), args[1].as_str()) {
        ("exact", "f32") => exact::<f32>(&world, &args[2..]),
        ("exact", "f64") => exact::<f64>(&world, &args[2..]),
        ("fault", what) => fault(&world, what, args[2].parse().expect("RANK")),
        _ => panic!("usage: mpi_check exact f32|f64 BATCH EPOCHS OUT | fault KIND RANK"),
    };
    match out {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say_error(world.rank(), &e);
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
