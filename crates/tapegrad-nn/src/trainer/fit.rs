//! [`Trainer::fit`]: the epoch loop, one epoch's steps, and one step.

use super::early_stopping::BestEpoch;
use super::grad_norms::GradNorms;
use super::non_finite::{check_step, check_validation, checked_update, Failure, StepAt};
use super::Trainer;
use crate::context::ForwardCtx;
use crate::data::{Batch, Dataset};
use crate::evaluate::{add_regression, count_correct_for, data_fits, evaluate_with};
use crate::metrics::RegressionSums;
use crate::objective::{Objective, StepVars, Task};
use crate::progress::Progress;
use crate::{EpochRecord, Evaluation, History, Network, Optimizer, StopReason, TrainError};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::time::Instant;
use tapegrad::{Float, Gradients, Tape, Tensor};

impl Trainer {
    /// Trains `net` (an [`Mlp`](crate::Mlp) or any [`Model`](crate::Model)) on `train` with `opt`, evaluating on `val` after every
    /// epoch when given.
    ///
    /// Every step's loss and gradients, every update's parameters (the
    /// last one included) and every validation loss are checked: when `fit`
    /// returns `Ok`, every parameter and every recorded loss is finite.
    ///
    /// # Errors
    /// [`TrainError::NonFinite`] when a loss, a gradient, an updated
    /// parameter or the validation loss turns NaN or infinite (the model
    /// keeps the last finite
    /// parameters: a failing step applies no update, and an update that
    /// made a parameter non-finite is undone); [`TrainError::Data`] when
    /// the data's width, targets or emptiness do not fit the model and
    /// loss, or early stopping has no validation set.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Dataset;
    /// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
    /// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
    /// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
    /// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).output(1);
    /// let mut opt = Sgd::new(0.5).momentum(0.9);
    /// let h = Trainer::new(Loss::Mse).mode(tapegrad_nn::BatchMode::FullBatch).epochs(200)
    ///     .stop_at_loss(1e-4).fit(&mut mlp, &mut opt, &data, Some(&data))?;
    /// assert_eq!(h.last().unwrap().val_accuracy, Some(1.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    pub fn fit<T: Float, N: Network<T> + ?Sized, O: Optimizer<T> + ?Sized>(
        &self,
        net: &mut N,
        opt: &mut O,
        train: &Dataset<T>,
        val: Option<&Dataset<T>>,
    ) -> Result<History, TrainError> {
        self.fit_with(net, opt, &self.loss, train, val)
    }

    /// [`fit`](Trainer::fit) minimizing `objective` instead of the
    /// trainer's [`Loss`](crate::Loss): a custom loss, a regularizer or a
    /// gradient penalty (see [`LossFn`](crate::LossFn)). The objective's
    /// [`Task`] decides the metrics: accuracy for classification and binary
    /// targets, MSE/MAE/R² ([`EpochRecord::regression`]) for regression.
    ///
    /// # Errors
    /// As [`fit`](Trainer::fit).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::data::Dataset;
    /// use tapegrad_nn::{Adam, BatchMode, Linear, Loss, LossFn, Model, StepVars, Task, Trainer};
    /// let x = Tensor::from_vec(vec![0.0f64, 1.0, 2.0, 3.0], [4, 1]);
    /// let data = Dataset::regression(x.clone(), x.map(|v| 2.0 * v + 1.0))?;
    /// let mut model = Model::build(0, |s| Linear::build(s, 1, 1));
    /// // MSE plus an L2 penalty on every parameter.
    /// let ridge = LossFn::new(Task::Regression, |s: &StepVars<'_, '_, f64>| {
    ///     let l2 = s.params.vars().iter().map(|p| p.square().sum()).reduce(|a, b| a + b).unwrap();
    ///     s.output.mse(s.targets()) + l2.mul_scalar(1e-4)
    /// });
    /// let h = Trainer::new(Loss::Mse).mode(BatchMode::FullBatch).epochs(500)
    ///     .fit_with(&mut model, &mut Adam::new(0.05), &ridge, &data, None)?;
    /// assert!(h.last().unwrap().regression.unwrap().r2 > 0.99);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    pub fn fit_with<T, N, O, L>(
        &self,
        net: &mut N,
        opt: &mut O,
        objective: &L,
        train: &Dataset<T>,
        val: Option<&Dataset<T>>,
    ) -> Result<History, TrainError>
    where
        T: Float,
        N: Network<T> + ?Sized,
        O: Optimizer<T> + ?Sized,
        L: Objective<T> + ?Sized,
    {
        self.check_data(net, objective.task(), train, val)?;
        let mut run = Run::new(self, net, train.len());
        let mut best = self.early.map(BestEpoch::new);
        let mut history = History {
            epochs: Vec::new(),
            stop: StopReason::MaxEpochs,
        };
        let base_lr = opt.lr();
        for epoch in 0..self.epochs {
            let start = Instant::now();
            let lr = self.schedule.lr(base_lr, epoch);
            opt.set_lr(lr);
            let sums = match self.train_epoch(&mut run, net, opt, objective, train, epoch) {
                Ok(sums) => sums,
                Err(failure) => {
                    run.progress.abandon();
                    return Err(failure.into_error(history));
                }
            };
            let (val_loss, val_accuracy, val_regression) = match val {
                Some(v) => match self.validate(net, objective, v, epoch, run.steps_per_epoch()) {
                    Ok(e) => (Some(e.loss), Some(e.accuracy), e.regression),
                    Err(failure) => {
                        run.progress.abandon();
                        return Err(failure.into_error(history));
                    }
                },
                None => (None, None, None),
            };
            let record = EpochRecord {
                epoch,
                loss: sums.loss / train.len() as f64,
                accuracy: sums.correct as f64 / sums.counted.max(1) as f64,
                val_loss,
                val_accuracy,
                regression: (objective.task() == Task::Regression)
                    .then(|| sums.regression.metrics()),
                val_regression,
                lr,
                seconds: start.elapsed().as_secs_f64(),
                diagnostics: self.diagnostics.then(|| run.norms.report(&run.ctx)),
            };
            self.print_epoch(&run.progress, &record);
            let reached = self.target_loss.is_some_and(|t| record.loss <= t);
            history.epochs.push(record);
            if reached {
                history.stop = StopReason::LossThreshold;
                break;
            }
            let stopped = best
                .as_mut()
                .and_then(|b| b.after_epoch(epoch, val_loss, val_accuracy, net));
            if let Some(best_epoch) = stopped {
                history.stop = StopReason::EarlyStopping { best_epoch };
                break;
            }
        }
        run.progress.finish_and_clear();
        Ok(history)
    }

    /// The loss and metrics on `val` after `epoch`; the loss must be finite.
    #[track_caller]
    fn validate<T: Float, N: Network<T> + ?Sized, L: Objective<T> + ?Sized>(
        &self,
        net: &N,
        objective: &L,
        val: &Dataset<T>,
        epoch: usize,
        steps: usize,
    ) -> Result<Evaluation, Failure> {
        let e = evaluate_with(net, val, objective);
        let at = StepAt {
            epoch: epoch + 1,
            step: steps,
            loss: e.loss,
        };
        check_validation(net, val, at)?;
        Ok(e)
    }

    /// One pass over the training set in `run`'s order, a checked update
    /// per batch.
    #[track_caller]
    fn train_epoch<T, N, O, L>(
        &self,
        run: &mut Run<T>,
        net: &mut N,
        opt: &mut O,
        objective: &L,
        train: &Dataset<T>,
        epoch: usize,
    ) -> Result<EpochSums, Failure>
    where
        T: Float,
        N: Network<T> + ?Sized,
        O: Optimizer<T> + ?Sized,
        L: Objective<T> + ?Sized,
    {
        run.start_epoch(self.shuffle);
        let mut sums = EpochSums::default();
        let n = run.order.len();
        let group = run.batch_size * self.accumulate;
        for step in 0..run.steps_per_epoch() {
            let rows = step * group..((step + 1) * group).min(n);
            let mut loss = 0.0;
            for (micro, start) in rows.clone().step_by(run.batch_size).enumerate() {
                let micro_rows = start..(start + run.batch_size).min(rows.end);
                train.fill_batch(&run.order[micro_rows.clone()], &mut run.batch);
                let weight = micro_rows.len() as f64 / rows.len() as f64;
                let out = self.step(net, objective, run, weight, micro > 0, &mut sums.regression);
                loss += out.loss * weight;
                sums.loss += out.loss * micro_rows.len() as f64;
                sums.correct += out.correct;
                sums.counted += out.counted;
            }
            let at = StepAt {
                epoch: epoch + 1,
                step: step + 1,
                loss,
            };
            check_step(net, &run.batch, at)?;
            if self.diagnostics {
                run.norms.add(net);
            }
            self.clip(net.params_mut().grads_mut());
            checked_update(net, opt, &mut run.last_good, at)?;
            run.progress.inc(1);
        }
        Ok(sums)
    }

    /// Forward, loss, backward and gradient copy of `run`'s batch. The
    /// gradient of `weight · loss` replaces the stored one, or with `add`
    /// (a later micro-batch of an accumulated update) is added to it: the
    /// parameters are bound first, in the same order, on every recording,
    /// so they keep their node indices.
    #[track_caller]
    fn step<T: Float, N: Network<T> + ?Sized, L: Objective<T> + ?Sized>(
        &self,
        net: &mut N,
        objective: &L,
        run: &mut Run<T>,
        weight: f64,
        add: bool,
        regression: &mut RegressionSums,
    ) -> StepOutcome {
        run.tape.clear();
        let tape = &run.tape;
        let batch = &run.batch;
        let p = net.params().bind(tape);
        let input = if objective.input_grad() {
            tape.param_slice(batch.features(), batch.feature_shape())
        } else {
            tape.constant_slice(batch.features(), batch.feature_shape())
        };
        let output = net.forward(&p, input, &mut run.ctx);
        net.commit(&mut run.ctx);
        let step = StepVars {
            tape,
            params: &p,
            input,
            output,
            batch,
        };
        let loss = objective.loss(&step);
        if self.accumulate == 1 {
            loss.backward_into(&mut run.grads);
        } else {
            let shape = loss.shape();
            if run.seed.shape() != &shape {
                run.seed = Tensor::zeros(shape);
            }
            run.seed.data_mut()[0] = T::from_f64(weight);
            if add {
                loss.backward_with_add_into(&run.seed, &mut run.grads);
            } else {
                loss.backward_with_into(&run.seed, &mut run.grads);
            }
        }
        let task = objective.task();
        let (correct, counted) = count_correct_for(output, batch, task);
        if task == Task::Regression {
            add_regression(regression, output, batch);
        }
        net.params_mut().store_grads(&p, &run.grads);
        StepOutcome {
            loss: loss.item().to_f64(),
            correct,
            counted,
        }
    }

    /// Clips the gradients in place: first each element to ±`clip_value`,
    /// then the whole vector's Euclidean norm to `clip_norm` (PyTorch's
    /// `clip_grad_value_` and `clip_grad_norm_`, the latter scaling by
    /// max_norm / (norm + 1e-6) when the norm exceeds max_norm).
    fn clip<T: Float>(&self, grads: &mut [T]) {
        if let Some(v) = self.clip_value {
            let (lo, hi) = (T::from_f64(-v), T::from_f64(v));
            for g in grads.iter_mut() {
                *g = g.max(lo).min(hi);
            }
        }
        if let Some(max) = self.clip_norm {
            let norm = grads
                .iter()
                .map(|&g| g.to_f64() * g.to_f64())
                .sum::<f64>()
                .sqrt();
            if norm > max {
                let scale = T::from_f64(max / (norm + 1e-6));
                for g in grads.iter_mut() {
                    *g *= scale;
                }
            }
        }
    }

    fn check_data<T: Float, N: Network<T> + ?Sized>(
        &self,
        net: &N,
        task: Task,
        train: &Dataset<T>,
        val: Option<&Dataset<T>>,
    ) -> Result<(), TrainError> {
        self.check(net, task, train)?;
        match val {
            Some(v) => self.check(net, task, v),
            None if self.early.is_some() => Err(TrainError::Data(
                "early stopping needs a validation set".into(),
            )),
            None => Ok(()),
        }
    }

    fn check<T: Float, N: Network<T> + ?Sized>(
        &self,
        net: &N,
        task: Task,
        ds: &Dataset<T>,
    ) -> Result<(), TrainError> {
        data_fits(net, ds, task).map_err(TrainError::Data)
    }
}
/// Everything one `fit` reuses from step to step, so that after the first
/// step a step allocates nothing.
struct Run<T: Float> {
    batch_size: usize,
    accumulate: usize,
    order: Vec<usize>,
    rng: StdRng,
    ctx: ForwardCtx<T>,
    tape: Tape<T>,
    grads: Gradients<T>,
    /// The seed of an accumulated micro-batch's backward pass.
    seed: Tensor<T>,
    batch: Batch<T>,
    last_good: Vec<T>,
    norms: GradNorms,
    progress: Progress,
}

impl<T: Float> Run<T> {
    fn new<N: Network<T> + ?Sized>(trainer: &Trainer, net: &N, n: usize) -> Self {
        let batch_size = trainer.mode.batch_size(n);
        let group = batch_size * trainer.accumulate;
        let mut ctx = ForwardCtx::train(trainer.seed.wrapping_add(0x9e37_79b9_7f4a_7c15));
        ctx.collect_stats(trainer.diagnostics);
        Run {
            batch_size,
            accumulate: trainer.accumulate,
            order: (0..n).collect(),
            rng: StdRng::seed_from_u64(trainer.seed),
            ctx,
            tape: Tape::new(),
            grads: Gradients::new(),
            seed: Tensor::zeros([1]),
            batch: Batch::new(),
            last_good: Vec::new(),
            norms: GradNorms::new(net.groups()),
            progress: trainer.progress_bar((trainer.epochs * n.div_ceil(group)) as u64),
        }
    }

    fn steps_per_epoch(&self) -> usize {
        self.order.len().div_ceil(self.batch_size * self.accumulate)
    }

    fn start_epoch(&mut self, shuffle: bool) {
        if shuffle {
            self.order.shuffle(&mut self.rng);
        }
        if let Some(s) = self.ctx.stats_mut() {
            s.reset();
        }
        self.norms.reset();
    }
}

/// Sums over one epoch's steps.
#[derive(Default)]
struct EpochSums {
    loss: f64,
    correct: usize,
    counted: usize,
    regression: RegressionSums,
}

struct StepOutcome {
    loss: f64,
    correct: usize,
    counted: usize,
}
