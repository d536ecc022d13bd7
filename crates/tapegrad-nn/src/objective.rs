//! What the trainer minimizes: an [`Objective`] over a batch's model
//! output (a built-in [`Loss`] or any closure, e.g. with a gradient
//! penalty), and the [`Task`] that chooses the metrics it reports.

use crate::data::Batch;
use crate::loss::loss_of;
use crate::params::Bound;
use crate::Loss;
use tapegrad::{Float, Tape, Var};

/// What the targets are, which decides the metrics: accuracy for
/// classification (argmax against the label) and binary targets (output
/// above the threshold against target > 0.5); MSE, MAE and R² for
/// regression.
///
/// ```
/// use tapegrad_nn::{Loss, Task};
/// assert_eq!(Loss::CrossEntropy.task(), Task::Classification);
/// assert_eq!(Loss::Mse.task(), Task::Regression);
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Class labels; the model outputs one score per class.
    Classification,
    /// Targets in {0, 1}; the model outputs logits (threshold 0).
    Binary,
    /// Real-valued targets of the output's shape.
    Regression,
}

/// What an objective sees of one step: the tape, the bound parameters, the
/// model's input and output, and the batch (labels or target values).
///
/// The input is a differentiable leaf when the objective asks for it
/// ([`Objective::input_grad`]), so a penalty on ∂output/∂input can be taken
/// with [`Var::grad_graph`].
pub struct StepVars<'a, 't, T: Float> {
    /// The recording.
    pub tape: &'t Tape<T>,
    /// The model's parameters on the tape, in store order.
    pub params: &'a Bound<'t, T>,
    /// The batch's features as fed to the model.
    pub input: Var<'t, T>,
    /// The model's output.
    pub output: Var<'t, T>,
    /// The batch.
    pub batch: &'a Batch<T>,
}

impl<'t, T: Float> StepVars<'_, 't, T> {
    /// The batch's real-valued targets on the tape (regression and binary
    /// targets).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::data::{Batch, Dataset};
    /// use tapegrad_nn::{Params, StepVars};
    /// let ds = Dataset::regression(Tensor::ones([2, 1]), Tensor::from_vec(vec![3.0, 4.0], [2, 1]))?;
    /// let mut batch = Batch::new();
    /// ds.fill_batch(&[0, 1], &mut batch);
    /// let tape = Tape::<f64>::new();
    /// let params = Params::new();
    /// let p = params.bind(&tape);
    /// let x = tape.constant_slice(batch.features(), batch.feature_shape());
    /// let s = StepVars { tape: &tape, params: &p, input: x, output: x, batch: &batch };
    /// assert_eq!(s.targets().value().data(), &[3.0, 4.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn targets(&self) -> Var<'t, T> {
        self.tape
            .constant_slice(self.batch.values(), self.batch.value_shape())
    }
}

/// A loss the trainer minimizes, with the task that decides its metrics.
///
/// ```
/// use tapegrad::Var;
/// use tapegrad_nn::{Objective, StepVars, Task};
/// /// Mean absolute error.
/// struct Mae;
/// impl Objective<f64> for Mae {
///     fn loss<'t>(&self, s: &StepVars<'_, 't, f64>) -> Var<'t, f64> {
///         (s.output - s.targets()).abs().mean()
///     }
///     fn task(&self) -> Task { Task::Regression }
/// }
/// assert_eq!(Mae.task(), Task::Regression);
/// ```
pub trait Objective<T: Float> {
    /// The scalar loss of one batch (a mean over its rows, so accumulated
    /// and uneven batches weigh rows equally).
    #[must_use]
    fn loss<'t>(&self, s: &StepVars<'_, 't, T>) -> Var<'t, T>;

    /// The task, which decides the metrics.
    #[must_use]
    fn task(&self) -> Task;

    /// Whether the input must be a differentiable leaf (for penalties on
    /// the gradient with respect to the input). Default `false`: the input
    /// is a constant and costs no gradient.
    #[must_use]
    fn input_grad(&self) -> bool {
        false
    }
}

impl Loss {
    /// The task this loss trains for.
    ///
    /// ```
    /// assert_eq!(tapegrad_nn::Loss::BceWithLogits.task(), tapegrad_nn::Task::Binary);
    /// ```
    #[must_use]
    pub fn task(self) -> Task {
        match self {
            Loss::CrossEntropy => Task::Classification,
            Loss::BceWithLogits => Task::Binary,
            Loss::Mse => Task::Regression,
        }
    }
}

impl<T: Float> Objective<T> for Loss {
    fn loss<'t>(&self, s: &StepVars<'_, 't, T>) -> Var<'t, T> {
        loss_of(s.tape, s.output, s.batch, *self)
    }

    fn task(&self) -> Task {
        Loss::task(*self)
    }
}

/// An objective from a closure over the step (see [`StepVars`]): custom
/// losses, regularizers, gradient penalties.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{Activation, Adam, BatchMode, LossFn, Mlp, StepVars, Task, Trainer, Loss};
/// let x = Tensor::from_vec((0..16).map(|i| i as f64 / 8.0 - 1.0).collect(), [16, 1]);
/// let y = x.map(|v| v * v);
/// let data = Dataset::regression(x, y)?;
/// let mut mlp: Mlp<f64> = Mlp::new(1).hidden(16, Activation::Tanh).output(1);
/// // MSE plus a penalty on the squared slope d output / d input.
/// let objective = LossFn::new(Task::Regression, |s: &StepVars<'_, '_, f64>| {
///     let slope = s.output.sum().grad_graph(&[s.input])[0];
///     s.output.mse(s.targets()) + slope.square().mean().mul_scalar(1e-3)
/// })
/// .with_input_grad();
/// let h = Trainer::new(Loss::Mse).mode(BatchMode::FullBatch).epochs(400)
///     .fit_with(&mut mlp, &mut Adam::new(0.03), &objective, &data, Some(&data))?;
/// let r2 = h.last().unwrap().val_regression.unwrap().r2;
/// assert!(r2 > 0.9, "{r2}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LossFn<F> {
    task: Task,
    input_grad: bool,
    f: F,
}

impl<F> LossFn<F> {
    /// An objective computing `f(step)` for a `task`.
    ///
    /// ```
    /// use tapegrad_nn::{LossFn, Objective, StepVars, Task};
    /// let mae = LossFn::new(Task::Regression, |s: &StepVars<'_, '_, f32>| (s.output - s.targets()).abs().mean());
    /// assert_eq!(Objective::<f32>::task(&mae), Task::Regression);
    /// ```
    pub fn new<T: Float>(task: Task, f: F) -> Self
    where
        F: for<'a, 't> Fn(&StepVars<'a, 't, T>) -> Var<'t, T>,
    {
        LossFn {
            task,
            input_grad: false,
            f,
        }
    }

    /// Makes the input a differentiable leaf (see [`Objective::input_grad`]).
    ///
    /// ```
    /// use tapegrad_nn::{LossFn, Objective, StepVars, Task};
    /// let l = LossFn::new(Task::Regression, |s: &StepVars<'_, '_, f64>| s.output.sum()).with_input_grad();
    /// assert!(Objective::<f64>::input_grad(&l));
    /// ```
    #[must_use]
    pub fn with_input_grad(mut self) -> Self {
        self.input_grad = true;
        self
    }
}

impl<T: Float, F> Objective<T> for LossFn<F>
where
    F: for<'a, 't> Fn(&StepVars<'a, 't, T>) -> Var<'t, T>,
{
    fn loss<'t>(&self, s: &StepVars<'_, 't, T>) -> Var<'t, T> {
        (self.f)(s)
    }

    fn task(&self) -> Task {
        self.task
    }

    fn input_grad(&self) -> bool {
        self.input_grad
    }
}
