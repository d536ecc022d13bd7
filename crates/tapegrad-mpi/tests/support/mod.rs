//! What the thread-rank tests, the mpirun tests and the `mpi_check` example
//! they drive share: the exactness setting, its reference run of
//! `tapegrad_nn::Trainer` and the distance between two parameter vectors.

use tapegrad::Float;
use tapegrad_nn::data::{digits, Dataset, Standardizer};
use tapegrad_nn::{Activation, Adam, BatchMode, Loss, LrSchedule, Mlp, Trainer};

/// The digits training rows, standardized (1437 rows: no batch size used
/// here divides it, so every epoch ends on a partial batch).
pub fn digits_train<T: Float>() -> Dataset<T> {
    let (mut train, _) = digits::<T>().stratified_split(0.2, 0);
    Standardizer::fit(&train).apply(&mut train);
    train
}

/// The model every exactness run trains.
pub fn model<T: Float>(seed: u64) -> Mlp<T> {
    Mlp::new(64)
        .hidden(32, Activation::Relu)
        .hidden(16, Activation::Tanh)
        .seed(seed)
        .output(10)
}

/// The optimizer every exactness run uses.
pub fn optimizer<T: Float>() -> Adam<T> {
    Adam::adamw(3e-3, 0.01)
}

/// The schedule every exactness run uses.
pub fn schedule(epochs: usize) -> LrSchedule {
    LrSchedule::Cosine {
        epochs,
        min_lr: 1e-4,
    }
}

/// One process, mini-batches of `batch`: what N ranks with a global batch
/// of `batch` must reproduce.
pub fn reference<T: Float>(train: &Dataset<T>, batch: usize, epochs: usize) -> Vec<T> {
    let mut mlp = model::<T>(0);
    Trainer::new(Loss::CrossEntropy)
        .mode(BatchMode::MiniBatch(batch))
        .epochs(epochs)
        .schedule(schedule(epochs))
        .seed(5)
        .fit(&mut mlp, &mut optimizer(), train, None)
        .expect("reference run");
    mlp.params().values().to_vec()
}

/// ‖a − b‖₂ / ‖b‖₂.
pub fn rel_diff<T: Float>(a: &[T], b: &[T]) -> f64 {
    assert_eq!(a.len(), b.len(), "parameter counts differ");
    let (mut d, mut n) = (0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        d += (x.to_f64() - y.to_f64()).powi(2);
        n += y.to_f64().powi(2);
    }
    (d / n).sqrt()
}
