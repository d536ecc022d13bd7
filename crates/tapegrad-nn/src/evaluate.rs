//! Loss and accuracy of a model on a data set, and the per-batch loss and
//! accuracy rules the trainer shares with it.

use crate::context::ForwardCtx;
use crate::data::{Batch, Dataset};
use crate::{Loss, Mlp};
use tapegrad::{Float, Tape, Var};

/// Why `ds` cannot be fed to `mlp` under `loss`, if it cannot.
pub(crate) fn data_fits<T: Float>(mlp: &Mlp<T>, ds: &Dataset<T>, loss: Loss) -> Result<(), String> {
    if ds.is_empty() {
        return Err("the data set is empty".into());
    }
    if ds.n_features() != mlp.inputs() {
        return Err(format!(
            "rows have {} features, the model takes {}",
            ds.n_features(),
            mlp.inputs()
        ));
    }
    if loss.is_classification() != ds.n_classes().is_some() {
        return Err(format!("{loss:?} does not fit these targets"));
    }
    if ds.n_outputs() != mlp.outputs() {
        return Err(format!(
            "targets need {} outputs, the model has {}",
            ds.n_outputs(),
            mlp.outputs()
        ));
    }
    Ok(())
}

/// The loss of one batch's model outputs `out` (the mean over its rows),
/// recorded on `tape`: what [`Trainer`](crate::Trainer) differentiates every
/// step, public for training loops built elsewhere (e.g. data-parallel ones).
///
/// ```
/// use tapegrad::Tape;
/// use tapegrad_nn::data::{digits, Batch};
/// use tapegrad_nn::{loss_of, Activation, ForwardCtx, Loss, Mlp};
/// let ds = digits::<f64>();
/// let mut batch = Batch::new();
/// ds.fill_batch(&[0, 1, 2], &mut batch);
/// let mlp: Mlp<f64> = Mlp::new(64).hidden(8, Activation::Relu).output(10);
/// let tape = Tape::new();
/// let p = mlp.params().bind(&tape);
/// let x = tape.constant_slice(batch.features(), batch.feature_shape());
/// let out = mlp.forward(&p, x, &mut ForwardCtx::eval());
/// assert!(loss_of(&tape, out, &batch, Loss::CrossEntropy).item() > 0.0);
/// ```
#[must_use]
pub fn loss_of<'t, T: Float>(
    tape: &'t Tape<T>,
    out: Var<'t, T>,
    batch: &Batch<T>,
    loss: Loss,
) -> Var<'t, T> {
    match loss {
        Loss::CrossEntropy => out.cross_entropy(batch.labels()),
        Loss::Mse => out.mse(tape.constant_slice(batch.values(), batch.value_shape())),
        Loss::BceWithLogits => out.binary_cross_entropy_with_logits(
            tape.constant_slice(batch.values(), batch.value_shape()),
        ),
    }
}

/// `(correct, counted)`: argmax against the label for cross-entropy; for
/// real-valued targets, per element `output > threshold` against
/// `target > 0.5` (threshold 0 for logits, 0.5 for MSE outputs) — the
/// accuracy of 0/1 targets.
///
/// ```
/// use tapegrad::Tape;
/// use tapegrad_nn::data::{digits, Batch};
/// use tapegrad_nn::{count_correct, Activation, ForwardCtx, Loss, Mlp};
/// let ds = digits::<f32>();
/// let mut batch = Batch::new();
/// ds.fill_batch(&[0, 1, 2, 3], &mut batch);
/// let mlp: Mlp<f32> = Mlp::new(64).hidden(8, Activation::Relu).output(10);
/// let tape = Tape::new();
/// let p = mlp.params().bind(&tape);
/// let x = tape.constant_slice(batch.features(), batch.feature_shape());
/// let out = mlp.forward(&p, x, &mut ForwardCtx::eval());
/// let (correct, counted) = count_correct(out, &batch, Loss::CrossEntropy);
/// assert!(correct <= counted && counted == 4);
/// ```
#[must_use]
pub fn count_correct<T: Float>(out: Var<'_, T>, batch: &Batch<T>, loss: Loss) -> (usize, usize) {
    out.with_data(|y, shape| {
        let c = shape.dims()[1];
        match loss {
            Loss::CrossEntropy => {
                let hits = y
                    .chunks_exact(c)
                    .zip(batch.labels())
                    .filter(|(row, &l)| argmax(row) == l)
                    .count();
                (hits, batch.len())
            }
            Loss::Mse | Loss::BceWithLogits => {
                let th = T::from_f64(if loss == Loss::Mse { 0.5 } else { 0.0 });
                let half = T::from_f64(0.5);
                let hits = y
                    .iter()
                    .zip(batch.values())
                    .filter(|(&p, &t)| (p > th) == (t > half))
                    .count();
                (hits, y.len())
            }
        }
    })
}

fn argmax<T: Float>(row: &[T]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// Loss and accuracy of a model on a data set.
///
/// ```
/// use tapegrad_nn::data::digits;
/// use tapegrad_nn::{evaluate, Activation, Loss, Mlp};
/// let mlp: Mlp<f32> = Mlp::new(64).hidden(8, Activation::Relu).output(10);
/// let e = evaluate(&mlp, &digits(), Loss::CrossEntropy);
/// assert!(e.accuracy < 0.5); // untrained
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean loss.
    pub loss: f64,
    /// Accuracy: argmax against the label for cross-entropy; for 0/1
    /// targets, per element `output > 0` (BCE logits) or `output > 0.5` (MSE).
    pub accuracy: f64,
}

/// Evaluates `mlp` on all of `ds` in evaluation mode (dropout off), without
/// recording gradients.
///
/// # Panics
/// When the data set does not fit the model or the loss.
///
/// ```
/// use tapegrad_nn::data::digits;
/// use tapegrad_nn::{evaluate, Activation, Loss, Mlp};
/// let ds = digits::<f32>();
/// let mlp: Mlp<f32> = Mlp::new(64).hidden(16, Activation::Relu).output(10);
/// let e = evaluate(&mlp, &ds, Loss::CrossEntropy);
/// assert!((0.0..=1.0).contains(&e.accuracy) && e.loss > 0.0);
/// ```
#[must_use]
#[track_caller]
pub fn evaluate<T: Float>(mlp: &Mlp<T>, ds: &Dataset<T>, loss: Loss) -> Evaluation {
    if let Err(why) = data_fits(mlp, ds, loss) {
        panic!("tapegrad-nn: evaluate: data set does not fit: {why}");
    }
    let idx: Vec<usize> = (0..ds.len()).collect();
    let mut batch = Batch::new();
    ds.fill_batch(&idx, &mut batch);
    let tape = Tape::new();
    let mut ctx = ForwardCtx::eval();
    tape.no_grad(|| {
        let p = mlp.params().bind(&tape);
        let x = tape.constant_slice(batch.features(), batch.feature_shape());
        let out = mlp.forward(&p, x, &mut ctx);
        let l = loss_of(&tape, out, &batch, loss).item().to_f64();
        let (correct, counted) = count_correct(out, &batch, loss);
        Evaluation {
            loss: l,
            accuracy: correct as f64 / counted.max(1) as f64,
        }
    })
}
