//! The peer benchmark suite's workloads in tapegrad, each printing the
//! peers' one JSON line (`workload, system, metric, value, unit, details`)
//! so its figure sits next to PyTorch's, JAX's and candle's:
//!
//! ```text
//! cargo run --release --example workloads -- mlp-large           # W2, samples/s
//! cargo run --release --example workloads -- scalar-chain --f64  # W5 in f64
//! cargo run --release --example workloads -- deep-narrow --warmup 10 --steps 50
//! cargo run --release --example workloads -- all                 # every workload, one line each
//! cargo run --release --example workloads -- mlp-large --batch 512
//! ```
//!
//! The workloads (shapes, data, init, loss, update, step counts) are
//! defined once in the `tapegrad-workloads` crate, which the criterion
//! benches and the allocation test share; its documentation lists them.
//! `details` carries the first and last timed steps' losses (W6 also
//! `‖H·v‖₂`). Element type: f32, except W1 whose peers run in f64;
//! `--f64` runs any workload in f64.

use tapegrad_workloads::{run, Name, Options};

/// Runs one peer-benchmark workload and prints its JSON line.
#[derive(clap::Parser, Debug)]
struct Args {
    /// The workload (peer-suite name), or `all`.
    #[arg(value_parser = names())]
    workload: String,
    /// Run in f64 instead of the workload's default element type.
    #[arg(long)]
    f64: bool,
    /// Timed steps [default: the workload's own].
    #[arg(long)]
    steps: Option<usize>,
    /// Untimed warm-up steps [default: the workload's own].
    #[arg(long)]
    warmup: Option<usize>,
    /// Another batch size (mlp-large only; for the batch-size sweep).
    #[arg(long)]
    batch: Option<usize>,
}

fn names() -> clap::builder::PossibleValuesParser {
    let mut v: Vec<&'static str> = Name::ALL.iter().map(|n| n.as_str()).collect();
    v.push("all");
    clap::builder::PossibleValuesParser::new(v)
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    let selected: Vec<Name> = match Name::parse(&args.workload) {
        Some(n) => vec![n],
        None => Name::ALL.to_vec(),
    };
    let options = Options {
        f64: args.f64,
        warmup: args.warmup,
        timed: args.steps,
        batch: args.batch,
    };
    for name in selected {
        println!("{}", run(name, &options).json_line());
    }
}
