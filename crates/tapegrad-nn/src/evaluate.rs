//! Loss and accuracy of a model on a data set, and the per-batch loss and
//! accuracy rules the trainer shares with it.

use crate::context::ForwardCtx;
use crate::data::{Batch, Dataset};
use crate::metrics::{RegressionMetrics, RegressionSums};
use crate::objective::{Objective, StepVars, Task};
use crate::{Loss, Network};
use tapegrad::{Float, Tape, Var};

/// Why `ds` cannot be fed to `net` for `task`, if it cannot.
pub(crate) fn data_fits<T: Float, N: Network<T> + ?Sized>(
    net: &N,
    ds: &Dataset<T>,
    task: Task,
) -> Result<(), String> {
    if ds.is_empty() {
        return Err("the data set is empty".into());
    }
    if (task == Task::Classification) != ds.n_classes().is_some() {
        return Err(format!("a {task:?} objective does not fit these targets"));
    }
    net.check_data(ds)
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
    count_correct_for(out, batch, loss.task())
}

/// [`count_correct`] by task: regression counts as MSE's 0/1 agreement.
pub(crate) fn count_correct_for<T: Float>(
    out: Var<'_, T>,
    batch: &Batch<T>,
    task: Task,
) -> (usize, usize) {
    out.with_data(|y, shape| {
        let c = shape.dims().get(1).copied().unwrap_or(1);
        match task {
            Task::Classification => {
                let hits = y
                    .chunks_exact(c)
                    .zip(batch.labels())
                    .filter(|(row, &l)| argmax(row) == l)
                    .count();
                (hits, batch.len())
            }
            Task::Regression | Task::Binary => {
                let th = T::from_f64(if task == Task::Regression { 0.5 } else { 0.0 });
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean loss.
    pub loss: f64,
    /// Accuracy: argmax against the label for cross-entropy; for 0/1
    /// targets, per element `output > 0` (BCE logits) or `output > 0.5`
    /// (regression: meaningful only for 0/1 targets, see `regression`).
    pub accuracy: f64,
    /// MSE, MAE and R² for a regression objective (`None` otherwise).
    pub regression: Option<RegressionMetrics>,
}

/// The regression metrics of a batch's outputs, when they have the targets'
/// shape.
pub(crate) fn add_regression<T: Float>(
    sums: &mut RegressionSums,
    out: Var<'_, T>,
    batch: &Batch<T>,
) {
    out.with_data(|y, shape| {
        if y.len() == batch.values().len() {
            let columns = shape.dims().get(1).copied().unwrap_or(1);
            sums.add(
                y.iter().map(|&v| Float::to_f64(v)),
                batch.values().iter().map(|&v| Float::to_f64(v)),
                columns,
            );
        }
    });
}

/// Evaluates `net` (an [`Mlp`](crate::Mlp) or any [`Model`](crate::Model))
/// on all of `ds` in evaluation mode (dropout off, batch norm on its
/// running statistics), without recording gradients.
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
pub fn evaluate<T: Float, N: Network<T> + ?Sized>(
    net: &N,
    ds: &Dataset<T>,
    loss: Loss,
) -> Evaluation {
    evaluate_with(net, ds, &loss)
}

/// [`evaluate`] under any [`Objective`]: its loss, and the metrics of its
/// task (accuracy; MSE, MAE and R² for regression).
///
/// # Panics
/// When the data set does not fit the model or the objective's task.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{evaluate_with, Linear, Loss, Model};
/// let ds = Dataset::regression(Tensor::from_vec(vec![1.0, 2.0], [2, 1]), Tensor::from_vec(vec![2.0, 4.0], [2, 1]))?;
/// let mut m = Model::<f64, _>::build(0, |s| Linear::build(s, 1, 1));
/// m.params_mut().values_mut().copy_from_slice(&[2.0, 0.0]); // y = 2x exactly
/// let r = evaluate_with(&m, &ds, &Loss::Mse).regression.unwrap();
/// assert_eq!((r.mse, r.mae, r.r2), (0.0, 0.0, 1.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
#[track_caller]
pub fn evaluate_with<T: Float, N: Network<T> + ?Sized, L: Objective<T> + ?Sized>(
    net: &N,
    ds: &Dataset<T>,
    objective: &L,
) -> Evaluation {
    let task = objective.task();
    if let Err(why) = data_fits(net, ds, task) {
        panic!("tapegrad-nn: evaluate: data set does not fit: {why}");
    }
    let idx: Vec<usize> = (0..ds.len()).collect();
    let mut batch = Batch::new();
    ds.fill_batch(&idx, &mut batch);
    let tape = Tape::new();
    let mut ctx = ForwardCtx::eval();
    let p = tape.no_grad(|| net.params().bind(&tape));
    let input = if objective.input_grad() {
        tape.param_slice(batch.features(), batch.feature_shape())
    } else {
        tape.constant_slice(batch.features(), batch.feature_shape())
    };
    let output = net.forward(&p, input, &mut ctx);
    let step = StepVars {
        tape: &tape,
        params: &p,
        input,
        output,
        batch: &batch,
    };
    let l = objective.loss(&step).item().to_f64();
    let (correct, counted) = count_correct_for(output, &batch, task);
    let regression = (task == Task::Regression).then(|| {
        let mut sums = RegressionSums::default();
        add_regression(&mut sums, output, &batch);
        sums.metrics()
    });
    Evaluation {
        loss: l,
        accuracy: correct as f64 / counted.max(1) as f64,
        regression,
    }
}
