//! The three training losses, each a fused core op (mean reduction), and
//! the choice among them that the trainer takes.

use crate::data::Batch;
use tapegrad::{Float, Tape, Var};

/// Which loss a [`Trainer`](crate::Trainer) minimizes.
///
/// ```
/// use tapegrad_nn::Loss;
/// assert!(Loss::CrossEntropy.is_classification());
/// assert!(!Loss::Mse.is_classification());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Mean squared error against real-valued targets `[N, k]`.
    Mse,
    /// Softmax cross-entropy of logits `[N, C]` against class labels.
    CrossEntropy,
    /// Binary cross-entropy of logits `[N, k]` against targets in `[0, 1]`.
    BceWithLogits,
}

impl Loss {
    /// Whether the targets are class labels (cross-entropy).
    ///
    /// ```
    /// assert!(tapegrad_nn::Loss::CrossEntropy.is_classification());
    /// assert!(!tapegrad_nn::Loss::BceWithLogits.is_classification());
    /// ```
    #[must_use]
    pub fn is_classification(self) -> bool {
        self == Loss::CrossEntropy
    }
}

/// `mean((pred − target)²)`.
///
/// # Panics
/// When the shapes differ.
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let p = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2, 1]));
/// let t = tape.constant(Tensor::from_vec(vec![0.0, 0.0], [2, 1]));
/// assert_eq!(tapegrad_nn::mse(p, t).item(), 2.5);
/// ```
#[must_use]
#[track_caller]
pub fn mse<'t, T: Float>(pred: Var<'t, T>, target: Var<'t, T>) -> Var<'t, T> {
    pred.mse(target)
}

/// Mean softmax cross-entropy of `logits` `[N, C]` against `labels`
/// (`N` class indices), computed stably from the logits.
///
/// # Panics
/// When the logits are not `[labels.len(), C]` or a label is `>= C`.
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let x = tape.param(Tensor::zeros([2, 4]));
/// assert!((tapegrad_nn::cross_entropy(x, &[0, 3]).item() - 4f64.ln()).abs() < 1e-15);
/// ```
#[must_use]
#[track_caller]
pub fn cross_entropy<'t, T: Float>(logits: Var<'t, T>, labels: &[usize]) -> Var<'t, T> {
    logits.cross_entropy(labels)
}

/// Mean binary cross-entropy of `logits` against `targets` in `[0, 1]` of
/// the same shape, computed stably from the logits.
///
/// # Panics
/// When the shapes differ.
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let x = tape.param(Tensor::zeros([1, 1]));
/// let t = tape.constant(Tensor::ones([1, 1]));
/// assert!((tapegrad_nn::bce_with_logits(x, t).item() - 2f64.ln()).abs() < 1e-15);
/// ```
#[must_use]
#[track_caller]
pub fn bce_with_logits<'t, T: Float>(logits: Var<'t, T>, targets: Var<'t, T>) -> Var<'t, T> {
    logits.binary_cross_entropy_with_logits(targets)
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
