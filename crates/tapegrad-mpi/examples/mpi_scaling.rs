//! The scaling figures of docs/performance.md: W2 (784-512-512-10 ReLU,
//! f32, batch 128 per rank, synthetic data) trained data-parallel, with
//! samples/s and the all-reduce's share of the step; the W2 gradient
//! all-reduce alone, in place against through a scratch copy; and whether a
//! non-blocking all-reduce overlaps with a step's compute at all.
//!
//! ```text
//! cargo build --release -p tapegrad-mpi --features mpi --example mpi_scaling
//! mpirun --allow-run-as-root --oversubscribe --mca btl self,vader -np 2 target/release/examples/mpi_scaling
//! ```
//!
//! Rank 0 prints one `key value` line per figure (medians).

use mpi::collective::SystemOperation;
use mpi::traits::CommunicatorCollectives;
use rand::{Rng, SeedableRng};
use std::time::Instant;
use tapegrad::{Gradients, Tape, Tensor};
use tapegrad_mpi::{Communicator, DistributedTrainer, MpiWorld};
use tapegrad_nn::data::{Batch, Dataset};
use tapegrad_nn::{loss_of, Activation, ForwardCtx, Loss, Mlp, Sgd};

const BATCH: usize = 128;
const STEPS: usize = 40;
const REPS: usize = 30;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn w2() -> Mlp<f32> {
    Mlp::new(784)
        .hidden(512, Activation::Relu)
        .hidden(512, Activation::Relu)
        .output(10)
}

fn synthetic(rows: usize) -> Dataset<f32> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0);
    let x: Vec<f32> = (0..rows * 784)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let y = (0..rows).map(|_| rng.random_range(0..10)).collect();
    Dataset::classification(Tensor::from_vec(x, [rows, 784]), y, 10).expect("synthetic data")
}

/// One rank's forward and backward of `batch`, as the trainer runs it.
fn compute(
    mlp: &mut Mlp<f32>,
    tape: &mut Tape<f32>,
    grads: &mut Gradients<f32>,
    batch: &Batch<f32>,
) {
    tape.clear();
    let p = mlp.params().bind(tape);
    let x = tape.constant_slice(batch.features(), batch.feature_shape());
    let out = mlp.forward(&p, x, &mut ForwardCtx::eval());
    loss_of(tape, out, batch, Loss::CrossEntropy).backward_into(grads);
    mlp.params_mut().store_grads(&p, grads);
}

fn main() {
    let world = MpiWorld::init().expect("MPI was already initialized");
    let (rank, ranks) = (world.rank(), world.size());
    let say = |k: &str, v: f64| {
        if rank == 0 {
            println!("{k} {v:.4}");
        }
    };
    say("ranks", ranks as f64);

    // 1. Data-parallel training: each epoch is STEPS steps.
    let rows = BATCH * ranks * STEPS;
    let data = synthetic(rows);
    let mut mlp = w2();
    let report = DistributedTrainer::new(Loss::CrossEntropy)
        .global_batch(BATCH * ranks)
        .epochs(4)
        .shuffle(false)
        .fit(&world, &mut mlp, &mut Sgd::new(0.01), &data, None)
        .expect("training");
    // The first epoch warms the caches and the MPI connections up.
    let epoch_s = median(
        report.history.epochs[1..]
            .iter()
            .map(|e| e.seconds)
            .collect(),
    );
    say("samples_per_s", rows as f64 / epoch_s);
    say("step_ms", epoch_s / STEPS as f64 * 1e3);
    say(
        "allreduce_ms_per_step",
        report.reduce_seconds / report.steps as f64 * 1e3,
    );
    say(
        "status_ms_per_step",
        report.agree_seconds / report.steps as f64 * 1e3,
    );

    // 2. The gradient all-reduce alone: in place, and through a scratch copy.
    let n = mlp.params().numel();
    say("gradient_mb", (n * 4) as f64 / 1e6);
    let mut g = vec![1.0f32; n];
    let mut scratch = vec![0.0f32; n];
    let (mut inplace, mut copied) = (Vec::new(), Vec::new());
    for _ in 0..REPS {
        world.world().barrier();
        let t = Instant::now();
        world.sum_f32(&mut g);
        inplace.push(t.elapsed().as_secs_f64());
        world.world().barrier();
        let t = Instant::now();
        scratch.copy_from_slice(&g);
        world
            .world()
            .all_reduce_into(&scratch[..], &mut g[..], SystemOperation::sum());
        copied.push(t.elapsed().as_secs_f64());
        g.fill(1.0);
    }
    say("allreduce_in_place_ms", median(inplace) * 1e3);
    say("allreduce_scratch_ms", median(copied) * 1e3);

    // 3. Can communication overlap compute here at all? A non-blocking
    // all-reduce posted before a step's forward and backward, waited for
    // after, against the two one after the other.
    let mut batch = Batch::new();
    data.fill_batch(&(0..BATCH).collect::<Vec<_>>(), &mut batch);
    let (mut tape, mut grads) = (Tape::new(), Gradients::new());
    let (mut alone, mut serial, mut overlapped) = (Vec::new(), Vec::new(), Vec::new());
    let mut recv = vec![0.0f32; n];
    for _ in 0..REPS {
        world.world().barrier();
        let t = Instant::now();
        compute(&mut mlp, &mut tape, &mut grads, &batch);
        alone.push(t.elapsed().as_secs_f64());
        world.world().barrier();
        let t = Instant::now();
        compute(&mut mlp, &mut tape, &mut grads, &batch);
        world.sum_f32(&mut g);
        serial.push(t.elapsed().as_secs_f64());
        world.world().barrier();
        let t = Instant::now();
        mpi::request::scope(|scope| {
            let req = world.world().immediate_all_reduce_into(
                scope,
                &scratch[..],
                &mut recv[..],
                SystemOperation::sum(),
            );
            compute(&mut mlp, &mut tape, &mut grads, &batch);
            req.wait();
        });
        overlapped.push(t.elapsed().as_secs_f64());
    }
    say("compute_ms", median(alone) * 1e3);
    say("compute_then_allreduce_ms", median(serial) * 1e3);
    say("compute_with_iallreduce_ms", median(overlapped) * 1e3);
}
