//! The trainer's guard against NaN and infinity: after each backward it
//! checks the loss and the gradients, after each update the parameters,
//! after each epoch the validation loss, and
//! on a failure it names the culprit — located on the values of the failing
//! step, *before* anything is restored — then keeps the last finite
//! parameters.

use crate::data::{Batch, Dataset};
use crate::{History, Network, NonFinite, Optimizer, TrainError};
use tapegrad::Float;

/// Where a step failed and what was non-finite there; becomes a
/// [`TrainError::NonFinite`] once the history is known.
pub(super) struct Failure {
    epoch: usize,
    step: usize,
    loss: f64,
    layer: String,
    what: NonFinite,
}

impl Failure {
    pub(super) fn into_error(self, history: History) -> TrainError {
        TrainError::NonFinite {
            epoch: self.epoch,
            step: self.step,
            layer: self.layer,
            what: self.what,
            loss: self.loss,
            history: Box::new(history),
        }
    }
}

/// A step, counted from 1 within its epoch (itself from 1), and its loss.
#[derive(Clone, Copy)]
pub(super) struct StepAt {
    pub(super) epoch: usize,
    pub(super) step: usize,
    pub(super) loss: f64,
}

impl StepAt {
    fn fail(self, (layer, what): (String, NonFinite)) -> Failure {
        Failure {
            epoch: self.epoch,
            step: self.step,
            loss: self.loss,
            layer,
            what,
        }
    }
}

/// Checks the step's loss and the gradients `mlp` holds. The parameters
/// are still those the step ran with (the previous update was checked), so
/// the culprit is located on exactly the values that failed.
pub(super) fn check_step<T: Float, N: Network<T> + ?Sized>(
    mlp: &N,
    batch: &Batch<T>,
    at: StepAt,
) -> Result<(), Failure> {
    if at.loss.is_finite() && all_finite(mlp.params().grads()) {
        return Ok(());
    }
    Err(at.fail(locate(mlp, batch, at.loss)))
}

/// Applies `opt`'s update, keeping a copy of the parameters from before it
/// in `last_good`. When the update leaves a non-finite parameter, names the
/// first layer holding one and only then restores the copy.
pub(super) fn checked_update<T: Float, N: Network<T> + ?Sized, O: Optimizer<T> + ?Sized>(
    mlp: &mut N,
    opt: &mut O,
    last_good: &mut Vec<T>,
    at: StepAt,
) -> Result<(), Failure> {
    last_good.clear();
    last_good.extend_from_slice(mlp.params().values());
    let (values, grads) = mlp.params_mut().values_and_grads();
    opt.step(values, grads);
    if all_finite(mlp.params().values()) {
        return Ok(());
    }
    let layer = first_layer_with_non_finite(mlp, mlp.params().values());
    mlp.params_mut().values_mut().copy_from_slice(last_good);
    Err(at.fail((layer, NonFinite::Parameter)))
}

/// Checks the validation loss measured after `at`'s update (the epoch's
/// last); when it is non-finite, names the first layer whose output on the
/// validation set is (the output layer when none is: then the targets are).
pub(super) fn check_validation<T: Float, N: Network<T> + ?Sized>(
    mlp: &N,
    val: &Dataset<T>,
    at: StepAt,
) -> Result<(), Failure> {
    if at.loss.is_finite() {
        return Ok(());
    }
    let mut all = Batch::new();
    val.fill_batch(&(0..val.len()).collect::<Vec<_>>(), &mut all);
    let groups = mlp.groups();
    let layer = match mlp.first_non_finite_output(&all) {
        Some(i) => groups[i].name.clone(),
        None => last_group(&groups),
    };
    Err(at.fail((layer, NonFinite::Validation)))
}

fn all_finite<T: Float>(xs: &[T]) -> bool {
    xs.iter().all(|v| v.is_finite())
}

/// The last group's name (the output layer), or `(no parameters)`.
fn last_group(groups: &[crate::ParamGroup]) -> String {
    groups
        .last()
        .map_or_else(|| "(no parameters)".to_string(), |g| g.name.clone())
}

/// The culprit of a non-finite loss or gradient, in the order the values
/// were computed: the first layer output (re-running the forward layer by
/// layer, in evaluation mode, where the network can), then the batch's
/// targets, then the loss, then the first layer's gradient.
fn locate<T: Float, N: Network<T> + ?Sized>(
    mlp: &N,
    batch: &Batch<T>,
    loss: f64,
) -> (String, NonFinite) {
    let groups = mlp.groups();
    if let Some(i) = mlp.first_non_finite_output(batch) {
        (groups[i].name.clone(), NonFinite::Output)
    } else if !all_finite(batch.values()) {
        (last_group(&groups), NonFinite::Target)
    } else if !loss.is_finite() {
        (last_group(&groups), NonFinite::Loss)
    } else {
        (
            first_layer_with_non_finite(mlp, mlp.params().grads()),
            NonFinite::Gradient,
        )
    }
}

/// The first group whose slice of `flat` (values or gradients, in the
/// parameter layout) holds a non-finite number; the last group if none
/// does.
fn first_layer_with_non_finite<T: Float, N: Network<T> + ?Sized>(mlp: &N, flat: &[T]) -> String {
    let groups = mlp.groups();
    match groups.iter().find(|g| !all_finite(&flat[g.range.clone()])) {
        Some(g) => g.name.clone(),
        None => last_group(&groups),
    }
}
