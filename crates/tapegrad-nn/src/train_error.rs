//! How training fails: a non-finite loss, gradient, layer output, updated
//! parameter or target (named by epoch, step and layer), or data that does
//! not fit the model.

use crate::History;

/// What turned non-finite.
///
/// ```
/// assert_eq!(tapegrad_nn::NonFinite::Gradient.to_string(), "gradient");
/// assert_eq!(tapegrad_nn::NonFinite::Target.to_string(), "target");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonFinite {
    /// A layer's forward output (a non-finite input feature shows here, in
    /// the first layer).
    Output,
    /// A layer's parameter gradient, although the loss was finite.
    Gradient,
    /// The loss, although every layer output and every target was finite
    /// (e.g. the log of a zero probability).
    Loss,
    /// A target of the batch: the data, not the model, holds NaN or
    /// infinity.
    Target,
    /// A layer's parameter after the optimizer's update (the step itself
    /// was finite: the learning rate is too large for it).
    Parameter,
    /// The validation loss after an epoch, although every training step and
    /// update of it was finite: the model overflows on the validation set
    /// (or its targets hold NaN or infinity).
    Validation,
}

impl std::fmt::Display for NonFinite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NonFinite::Output => "output",
            NonFinite::Gradient => "gradient",
            NonFinite::Loss => "loss",
            NonFinite::Target => "target",
            NonFinite::Parameter => "parameter",
            NonFinite::Validation => "validation loss",
        })
    }
}

/// Why training failed.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{Activation, Loss, Mlp, NonFinite, Sgd, TrainError, Trainer};
/// let x = Tensor::from_vec(vec![1.0f32, f32::NAN], [2, 1]);
/// let data = Dataset::regression(x, Tensor::zeros([2, 1]))?;
/// let mut mlp: Mlp<f32> = Mlp::new(1).hidden(2, Activation::Relu).output(1);
/// let err = Trainer::new(Loss::Mse).mode(tapegrad_nn::BatchMode::Online).shuffle(false)
///     .fit(&mut mlp, &mut Sgd::new(0.1), &data, None).unwrap_err();
/// assert!(matches!(err, TrainError::NonFinite { epoch: 1, step: 2, what: NonFinite::Output, .. }));
/// assert!(mlp.params().values().iter().all(|v| v.is_finite()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The loss, a gradient, a layer output or a target became NaN or
    /// infinite (the failing step applies no update, so the model keeps the
    /// parameters that step started from), or an update made a parameter
    /// non-finite (that update is undone). Either way the model holds the
    /// last finite parameters. `history` holds the finished epochs.
    #[error("{}", non_finite_message(*.epoch, *.step, .layer, *.what, *.loss))]
    NonFinite {
        /// Epoch, from 1.
        epoch: usize,
        /// Step within the epoch, from 1.
        step: usize,
        /// The first layer (in forward order) whose output, gradient or
        /// updated parameters were non-finite, as
        /// [`Layer::describe`](crate::Layer::describe) names it (for
        /// [`NonFinite::Validation`], on the validation set); for
        /// [`NonFinite::Target`] and [`NonFinite::Loss`], the output layer.
        layer: String,
        /// Which quantity was non-finite there.
        what: NonFinite,
        /// The step's loss (finite for [`NonFinite::Parameter`]), or the
        /// validation loss.
        loss: f64,
        /// The epochs finished before.
        history: Box<History>,
    },
    /// The data set does not fit the model or the loss.
    #[error("data set does not fit: {0}")]
    Data(String),
}

fn non_finite_message(
    epoch: usize,
    step: usize,
    layer: &str,
    what: NonFinite,
    loss: f64,
) -> String {
    match what {
        NonFinite::Target => format!(
            "non-finite target (loss {loss}) at epoch {epoch}, step {step}: the data holds NaN \
             or infinity in its targets; the last finite parameters are kept"
        ),
        NonFinite::Parameter => format!(
            "non-finite parameter after the update of epoch {epoch}, step {step} (loss {loss}), \
             first in layer {layer}: the learning rate is too large for this step; the \
             parameters from before the update are restored"
        ),
        NonFinite::Validation => format!(
            "non-finite validation loss ({loss}) after epoch {epoch} (evaluated after its \
             step {step}), first in layer {layer}; the parameters are finite and kept"
        ),
        _ => format!(
            "non-finite {what} (loss {loss}) at epoch {epoch}, step {step}, first in layer \
             {layer}; the last finite parameters are kept"
        ),
    }
}
