//! [`Trainer::fit`]: the epoch loop, one epoch's steps, and one step.

use super::early_stopping::BestEpoch;
use super::grad_norms::GradNorms;
use super::non_finite::{check_step, check_validation, checked_update, Failure, StepAt};
use super::Trainer;
use crate::context::ForwardCtx;
use crate::data::{Batch, Dataset};
use crate::evaluate::{count_correct, data_fits, evaluate, loss_of};
use crate::progress::Progress;
use crate::{EpochRecord, Evaluation, History, Mlp, Optimizer, StopReason, TrainError};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::time::Instant;
use tapegrad::{Float, Gradients, Tape, Tensor};

impl Trainer {
    /// Trains `mlp` on `train` with `opt`, evaluating on `val` after every
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
    pub fn fit<T: Float, O: Optimizer<T> + ?Sized>(
        &self,
        mlp: &mut Mlp<T>,
        opt: &mut O,
        train: &Dataset<T>,
        val: Option<&Dataset<T>>,
    ) -> Result<History, TrainError> {
        self.check_data(mlp, train, val)?;
        let mut run = Run::new(self, mlp, train.len());
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
            let sums = match self.train_epoch(&mut run, mlp, opt, train, epoch) {
                Ok(sums) => sums,
                Err(failure) => {
                    run.progress.abandon();
                    return Err(failure.into_error(history));
                }
            };
            let (val_loss, val_accuracy) = match val {
                Some(v) => match self.validate(mlp, v, epoch, run.steps_per_epoch()) {
                    Ok(e) => (Some(e.loss), Some(e.accuracy)),
                    Err(failure) => {
                        run.progress.abandon();
                        return Err(failure.into_error(history));
                    }
                },
                None => (None, None),
            };
            let record = EpochRecord {
                epoch,
                loss: sums.loss / train.len() as f64,
                accuracy: sums.correct as f64 / sums.counted.max(1) as f64,
                val_loss,
                val_accuracy,
                lr,
                seconds: start.elapsed().as_secs_f64(),
                diagnostics: self.diagnostics.then(|| run.norms.report(mlp, &run.ctx)),
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
                .and_then(|b| b.after_epoch(epoch, val_loss, val_accuracy, mlp));
            if let Some(best_epoch) = stopped {
                history.stop = StopReason::EarlyStopping { best_epoch };
                break;
            }
        }
        run.progress.finish_and_clear();
        Ok(history)
    }

    /// The loss and accuracy on `val` after `epoch`, which must be finite.
    fn validate<T: Float>(
        &self,
        mlp: &Mlp<T>,
        val: &Dataset<T>,
        epoch: usize,
        steps: usize,
    ) -> Result<Evaluation, Failure> {
        let e = evaluate(mlp, val, self.loss);
        let at = StepAt {
            epoch: epoch + 1,
            step: steps,
            loss: e.loss,
        };
        check_validation(mlp, val, at)?;
        Ok(e)
    }

    /// One pass over the training set in `run`'s order, a checked update
    /// per batch.
    fn train_epoch<T: Float, O: Optimizer<T> + ?Sized>(
        &self,
        run: &mut Run<T>,
        mlp: &mut Mlp<T>,
        opt: &mut O,
        train: &Dataset<T>,
        epoch: usize,
    ) -> Result<EpochSums, Failure> {
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
                let out = self.step(mlp, run, weight, micro > 0);
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
            check_step(mlp, &run.batch, at)?;
            if self.diagnostics {
                run.norms.add(mlp);
            }
            checked_update(mlp, opt, &mut run.last_good, at)?;
            run.progress.inc(1);
        }
        Ok(sums)
    }

    /// Forward, loss, backward and gradient copy of `run`'s batch. The
    /// gradient of `weight · loss` replaces the stored one, or with `add`
    /// (a later micro-batch of an accumulated update) is added to it: the
    /// parameters are bound first, in the same order, on every recording,
    /// so they keep their node indices.
    fn step<T: Float>(
        &self,
        mlp: &mut Mlp<T>,
        run: &mut Run<T>,
        weight: f64,
        add: bool,
    ) -> StepOutcome {
        run.tape.clear();
        let tape = &run.tape;
        let batch = &run.batch;
        let p = mlp.params().bind(tape);
        let x = tape.constant_slice(batch.features(), batch.feature_shape());
        let out = mlp.forward(&p, x, &mut run.ctx);
        let loss = loss_of(tape, out, batch, self.loss);
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
        let (correct, counted) = count_correct(out, batch, self.loss);
        mlp.params_mut().store_grads(&p, &run.grads);
        StepOutcome {
            loss: loss.item().to_f64(),
            correct,
            counted,
        }
    }

    fn check_data<T: Float>(
        &self,
        mlp: &Mlp<T>,
        train: &Dataset<T>,
        val: Option<&Dataset<T>>,
    ) -> Result<(), TrainError> {
        self.check(mlp, train)?;
        match val {
            Some(v) => self.check(mlp, v),
            None if self.early.is_some() => Err(TrainError::Data(
                "early stopping needs a validation set".into(),
            )),
            None => Ok(()),
        }
    }

    fn check<T: Float>(&self, mlp: &Mlp<T>, ds: &Dataset<T>) -> Result<(), TrainError> {
        data_fits(mlp, ds, self.loss).map_err(TrainError::Data)
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
    fn new(trainer: &Trainer, mlp: &Mlp<T>, n: usize) -> Self {
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
            norms: GradNorms::new(mlp.layers().len()),
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
}

struct StepOutcome {
    loss: f64,
    correct: usize,
    counted: usize,
}
