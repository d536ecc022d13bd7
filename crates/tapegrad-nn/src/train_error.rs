//! How training fails: a non-finite loss or gradient (named by epoch, step
//! and layer), or data that does not fit the model.

use crate::History;

/// What turned non-finite.
///
/// ```
/// assert_eq!(tapegrad_nn::NonFinite::Gradient.to_string(), "gradient");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonFinite {
    /// A layer's forward output.
    Output,
    /// A layer's parameter gradient.
    Gradient,
    /// The loss, although every layer output was finite (e.g. a NaN target).
    Loss,
}

impl std::fmt::Display for NonFinite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NonFinite::Output => "output",
            NonFinite::Gradient => "gradient",
            NonFinite::Loss => "loss",
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
    /// The loss or a gradient became NaN or infinite. The failing step
    /// applies no update, so the model keeps the parameters that step
    /// started from — or, if an update had already made those non-finite,
    /// the ones before that update. `history` holds the finished epochs.
    #[error(
        "non-finite {what} (loss {loss}) at epoch {epoch}, step {step}, first in layer {layer}; \
         the last finite parameters are kept"
    )]
    NonFinite {
        /// Epoch, from 1.
        epoch: usize,
        /// Step within the epoch, from 1.
        step: usize,
        /// The first layer (in forward order) whose output or gradient was
        /// non-finite, as [`Layer::describe`](crate::Layer::describe) names it.
        layer: String,
        /// Which quantity was non-finite there.
        what: NonFinite,
        /// The step's loss.
        loss: f64,
        /// The epochs finished before.
        history: Box<History>,
    },
    /// The data set does not fit the model or the loss.
    #[error("data set does not fit: {0}")]
    Data(String),
}
