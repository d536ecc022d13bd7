//! The textbook failure modes, made to happen and fixed, on the digits data
//! (two hidden layers of 128 and 64 units, SGD with learning rate 0.2, mini-batches of 32, 10 epochs, seed 0), with the numbers from the
//! trainer's per-layer diagnostics before and after:
//!
//! * dead relus: every bias starts at −6, so most units are never active
//!   on any sample of an epoch, get no gradient, and stay dead. Leaky relu
//!   (same bias) lets the gradient through and revives them; He init with
//!   zero bias never kills them.
//! * network paralysis: sigmoid units with N(0, 100²) weights sit at σ ≈ 0 or
//!   1 for nearly every sample, σ′ ≈ 0 stops the gradient, and learning
//!   crawls; Xavier init keeps them in their working range.
//!
//! ```text
//! cargo run --release --example failure_modes
//! ```

#[path = "support/failure_modes.rs"]
mod failure_modes;

fn main() {
    println!("dead relu units (share of each hidden layer never active in the epoch)");
    print!(
        "{}",
        failure_modes::table("dead", &failure_modes::dead_relu())
    );
    println!("\nsaturated sigmoid units (beyond the working range on ≥99% of the samples)");
    print!(
        "{}",
        failure_modes::table("saturated", &failure_modes::sigmoid_paralysis())
    );
}
