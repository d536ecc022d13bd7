//! The trainer's steady-state step allocates nothing: the cost of `fit`
//! in heap allocations does not grow with the number of steps.
//!
//! The counting allocator sees every thread of this binary, so the file
//! holds a single `#[test]`.

use tapegrad::Tensor;
use tapegrad_nn::data::Dataset;
use tapegrad_nn::{Activation, Adam, BatchMode, Loss, Mlp, Trainer};

#[path = "../../tapegrad/tests/support/counting_alloc.rs"]
mod counting_alloc;

fn data(rows: usize) -> Dataset<f32> {
    let x: Vec<f32> = (0..rows * 16)
        .map(|i| ((i * 7919 % 101) as f32 / 50.0) - 1.0)
        .collect();
    let labels: Vec<usize> = (0..rows).map(|i| i % 4).collect();
    Dataset::classification(Tensor::from_vec(x, [rows, 16]), labels, 4).unwrap()
}

fn allocations_of_fit(rows: usize, mode: BatchMode, dropout: bool) -> usize {
    let ds = data(rows);
    let mut b = Mlp::new(16).hidden(32, Activation::Relu);
    if dropout {
        b = b.dropout(0.1);
    }
    let mut mlp: Mlp<f32> = b.hidden(16, Activation::AconC).output(4);
    let mut opt = Adam::new(1e-3);
    let trainer = Trainer::new(Loss::CrossEntropy)
        .mode(mode)
        .epochs(2)
        .shuffle(true);
    let before = counting_alloc::allocations();
    trainer.fit(&mut mlp, &mut opt, &ds, None).unwrap();
    counting_alloc::allocations() - before
}

#[test]
fn steady_state_steps_do_not_allocate() {
    for (mode, dropout) in [(BatchMode::MiniBatch(8), false), (BatchMode::Online, true)] {
        let few = allocations_of_fit(64, mode, dropout);
        let many = allocations_of_fit(640, mode, dropout);
        // Ten times the steps; only buffers sized by the row count (the
        // shuffled order) may grow, a handful of reallocations.
        assert!(
            many <= few + 8,
            "{mode:?}: {few} allocations for 64 rows, {many} for 640"
        );
    }
}
