//! The training loop: the three update modes of the classic texts (online,
//! mini-batch, full-batch), seeded shuffling, three ways to stop, per-epoch
//! loss and accuracy, diagnostics, and recovery from a non-finite loss.
//!
//! One tape, one gradient store, one batch buffer and one context are
//! reused for every step, so after the first step a step allocates nothing.

use crate::context::ForwardCtx;
use crate::data::{Batch, Dataset};
use crate::diagnostics::{Diagnostics, LayerDiagnostics};
use crate::evaluate::{count_correct, evaluate, loss_of};
use crate::progress::Progress;
use crate::{
    EpochRecord, History, Loss, LrSchedule, Mlp, NonFinite, Optimizer, StopReason, TrainError,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::time::Instant;
use tapegrad::{Float, Gradients, Tape};

/// When the parameters are updated.
///
/// ```
/// use tapegrad_nn::BatchMode;
/// assert_eq!(BatchMode::Online.batch_size(100), 1);
/// assert_eq!(BatchMode::MiniBatch(32).batch_size(100), 32);
/// assert_eq!(BatchMode::FullBatch.batch_size(100), 100);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchMode {
    /// After every sample ("online" or stochastic learning).
    Online,
    /// After every `n` samples.
    MiniBatch(usize),
    /// Once per epoch, from the gradient of the whole training set ("batch"
    /// learning in the classic texts).
    FullBatch,
}

impl BatchMode {
    /// Rows per step for a training set of `n` rows.
    ///
    /// ```
    /// assert_eq!(tapegrad_nn::BatchMode::MiniBatch(0).batch_size(10), 1);
    /// ```
    #[must_use]
    pub fn batch_size(self, n: usize) -> usize {
        match self {
            BatchMode::Online => 1,
            BatchMode::MiniBatch(b) => b.max(1),
            BatchMode::FullBatch => n.max(1),
        }
    }
}

/// The validation metric early stopping watches.
///
/// ```
/// use tapegrad_nn::{EarlyStopping, Metric};
/// let rule = EarlyStopping::new(Metric::ValAccuracy, 3);
/// assert_eq!(rule.metric, Metric::ValAccuracy);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Validation loss (lower is better).
    ValLoss,
    /// Validation accuracy (higher is better).
    ValAccuracy,
}

/// Stop when the validation metric has not improved by more than
/// `min_delta` for `patience` epochs, and go back to the parameters of the
/// best epoch.
///
/// ```
/// use tapegrad_nn::{EarlyStopping, Metric};
/// let e = EarlyStopping::new(Metric::ValLoss, 5);
/// assert_eq!((e.patience, e.min_delta), (5, 0.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EarlyStopping {
    /// What to watch.
    pub metric: Metric,
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// The least change that counts as an improvement.
    pub min_delta: f64,
}

impl EarlyStopping {
    /// Watches `metric` with the given patience and `min_delta` 0.
    ///
    /// ```
    /// use tapegrad_nn::{EarlyStopping, Metric};
    /// let rule = EarlyStopping { min_delta: 1e-4, ..EarlyStopping::new(Metric::ValLoss, 10) };
    /// assert_eq!(rule.patience, 10);
    /// ```
    #[must_use]
    pub fn new(metric: Metric, patience: usize) -> Self {
        EarlyStopping {
            metric,
            patience,
            min_delta: 0.0,
        }
    }
}

/// Trains an [`Mlp`] on a [`Dataset`].
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{Activation, Adam, BatchMode, Loss, Mlp, Trainer};
/// let x = Tensor::from_vec(vec![0.0f64, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], [4, 2]);
/// let xor = Dataset::classification(x, vec![0, 1, 1, 0], 2)?;
/// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(8, Activation::Tanh).seed(1).output(2);
/// let mut opt = Adam::new(0.05);
/// let history = Trainer::new(Loss::CrossEntropy)
///     .mode(BatchMode::FullBatch)
///     .epochs(500)
///     .stop_at_loss(0.01)
///     .fit(&mut mlp, &mut opt, &xor, None)?;
/// assert_eq!(history.last().unwrap().accuracy, 1.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct Trainer {
    loss: Loss,
    mode: BatchMode,
    epochs: usize,
    seed: u64,
    shuffle: bool,
    target_loss: Option<f64>,
    early: Option<EarlyStopping>,
    schedule: LrSchedule,
    progress: bool,
    verbose: bool,
    diagnostics: bool,
    print_diagnostics: bool,
}

/// Per-layer sums of the step gradient norms.
struct NormAcc {
    sum: Vec<f64>,
    max: Vec<f64>,
    steps: usize,
}

impl Trainer {
    /// A trainer minimizing `loss`: mini-batches of 32, 10 epochs, seed 0,
    /// shuffled, constant rate, silent, no diagnostics.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    ///
    /// let t = Trainer::new(Loss::CrossEntropy);
    /// let _ = t.mode(BatchMode::Online);
    /// ```
    pub fn new(loss: Loss) -> Self {
        Trainer {
            loss,
            mode: BatchMode::MiniBatch(32),
            epochs: 10,
            seed: 0,
            shuffle: true,
            target_loss: None,
            early: None,
            schedule: LrSchedule::Constant,
            progress: false,
            verbose: false,
            diagnostics: false,
            print_diagnostics: false,
        }
    }

    /// Online, mini-batch or full-batch updates.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).mode(BatchMode::FullBatch);
    /// ```
    pub fn mode(mut self, mode: BatchMode) -> Self {
        self.mode = mode;
        self
    }

    /// The maximum number of epochs.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).epochs(100);
    /// ```
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Seed of the shuffling and of dropout masks.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).seed(42);
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether to visit the samples in a new random order every epoch
    /// (default `true`); `false` keeps the data set's order.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).shuffle(false);
    /// ```
    pub fn shuffle(mut self, on: bool) -> Self {
        self.shuffle = on;
        self
    }

    /// Stops after the first epoch whose mean training loss is ≤ `loss`.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).stop_at_loss(1e-3);
    /// ```
    pub fn stop_at_loss(mut self, loss: f64) -> Self {
        self.target_loss = Some(loss);
        self
    }

    /// Stops early on the validation metric (needs a validation set).
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).early_stopping(tapegrad_nn::EarlyStopping::new(tapegrad_nn::Metric::ValLoss, 5));
    /// ```
    pub fn early_stopping(mut self, rule: EarlyStopping) -> Self {
        self.early = Some(rule);
        self
    }

    /// The learning-rate schedule, applied to the optimizer's rate at the
    /// start of `fit`.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).schedule(tapegrad_nn::LrSchedule::Cosine { epochs: 100, min_lr: 0.0 });
    /// ```
    pub fn schedule(mut self, schedule: LrSchedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Shows a progress bar on stderr when stderr is a terminal (never in a
    /// pipe or a file); the epoch lines of [`verbose`](Trainer::verbose) go
    /// to stdout either way. Needs the `progress` feature (on by default);
    /// without it no bar is drawn.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).progress(true);
    /// ```
    pub fn progress(mut self, on: bool) -> Self {
        self.progress = on;
        self
    }

    /// Prints one line per epoch (loss, accuracy, validation, rate).
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).verbose(true);
    /// ```
    pub fn verbose(mut self, on: bool) -> Self {
        self.verbose = on;
        self
    }

    /// Collects dead-unit, saturation and gradient-norm diagnostics every
    /// epoch (into [`EpochRecord::diagnostics`]); costs a pass over each
    /// hidden layer's values per step, nothing when off.
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).diagnostics(true);
    /// ```
    pub fn diagnostics(mut self, on: bool) -> Self {
        self.diagnostics = on;
        self
    }

    /// Also prints the diagnostics after every epoch's line (implies
    /// [`diagnostics`](Trainer::diagnostics)).
    ///
    /// ```
    /// use tapegrad_nn::{BatchMode, Loss, Trainer};
    /// let _trainer = Trainer::new(Loss::Mse).print_diagnostics(true);
    /// ```
    pub fn print_diagnostics(mut self, on: bool) -> Self {
        self.print_diagnostics = on;
        self.diagnostics |= on;
        self
    }

    /// Trains `mlp` on `train` with `opt`, evaluating on `val` after every
    /// epoch when given.
    ///
    /// # Errors
    /// [`TrainError::NonFinite`] when a loss or gradient turns NaN or
    /// infinite (the model keeps the last finite step's parameters);
    /// [`TrainError::Data`] when the data's width, targets or emptiness do
    /// not fit the model and loss, or early stopping has no validation set.
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
        self.check(mlp, train)?;
        if let Some(v) = val {
            self.check(mlp, v)?;
        } else if self.early.is_some() {
            return Err(TrainError::Data(
                "early stopping needs a validation set".into(),
            ));
        }
        let n = train.len();
        let bs = self.mode.batch_size(n);
        let steps_per_epoch = n.div_ceil(bs);
        let base_lr = opt.lr();
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut ctx = ForwardCtx::train(self.seed.wrapping_add(0x9e37_79b9_7f4a_7c15));
        ctx.collect_stats(self.diagnostics);
        let mut tape = Tape::new();
        let mut grads = Gradients::new();
        let mut batch = Batch::new();
        let mut last_good: Vec<T> = Vec::new();
        let mut best: Option<(f64, usize, Vec<T>)> = None;
        let layers = mlp.layers().len();
        let mut norms = NormAcc {
            sum: vec![0.0; layers],
            max: vec![0.0; layers],
            steps: 0,
        };
        let mut history = History {
            epochs: Vec::new(),
            stop: StopReason::MaxEpochs,
        };
        let pb = Progress::new(self.progress, (self.epochs * steps_per_epoch) as u64);

        for epoch in 0..self.epochs {
            let start = Instant::now();
            let lr = self.schedule.lr(base_lr, epoch);
            opt.set_lr(lr);
            if self.shuffle {
                order.shuffle(&mut rng);
            }
            if let Some(s) = ctx.stats_mut() {
                s.reset();
            }
            norms.sum.fill(0.0);
            norms.max.fill(0.0);
            norms.steps = 0;
            let (mut loss_sum, mut correct, mut counted) = (0.0, 0usize, 0usize);
            for (step, idx) in order.chunks(bs).enumerate() {
                train.fill_batch(idx, &mut batch);
                let out = self.step(mlp, &mut tape, &mut grads, &batch, &mut ctx);
                let grads_ok = mlp.params().grads().iter().all(|g| g.is_finite());
                if !out.loss.is_finite() || !grads_ok {
                    let params_ok = mlp.params().values().iter().all(|v| v.is_finite());
                    if !params_ok && !last_good.is_empty() {
                        mlp.params_mut().values_mut().copy_from_slice(&last_good);
                    }
                    pb.abandon();
                    let (layer, what) = locate_non_finite(mlp, &batch, grads_ok);
                    return Err(TrainError::NonFinite {
                        epoch: epoch + 1,
                        step: step + 1,
                        layer,
                        what,
                        loss: out.loss,
                        history: Box::new(history),
                    });
                }
                if self.diagnostics {
                    norms.add(mlp);
                }
                last_good.clear();
                last_good.extend_from_slice(mlp.params().values());
                let (values, g) = mlp.params_mut().values_and_grads();
                opt.step(values, g);
                loss_sum += out.loss * idx.len() as f64;
                correct += out.correct;
                counted += out.counted;
                pb.inc(1);
            }
            let (val_loss, val_accuracy) = match val {
                Some(v) => {
                    let e = evaluate(mlp, v, self.loss);
                    (Some(e.loss), Some(e.accuracy))
                }
                None => (None, None),
            };
            let diagnostics = self.diagnostics.then(|| norms.report(mlp, &ctx));
            let record = EpochRecord {
                epoch,
                loss: loss_sum / n as f64,
                accuracy: correct as f64 / counted.max(1) as f64,
                val_loss,
                val_accuracy,
                lr,
                seconds: start.elapsed().as_secs_f64(),
                diagnostics,
            };
            pb.set_message(format!("loss {:.4}", record.loss));
            if self.verbose {
                pb.say(&record.to_string());
            }
            if self.print_diagnostics {
                if let Some(d) = &record.diagnostics {
                    pb.say(&d.to_string());
                }
            }
            let reached = self.target_loss.is_some_and(|t| record.loss <= t);
            let metric = self.early.map(|e| match e.metric {
                Metric::ValLoss => -val_loss.unwrap_or(f64::INFINITY),
                Metric::ValAccuracy => val_accuracy.unwrap_or(0.0),
            });
            history.epochs.push(record);
            if reached {
                history.stop = StopReason::LossThreshold;
                break;
            }
            if let (Some(rule), Some(m)) = (self.early, metric) {
                match &mut best {
                    Some((b, _, _)) if m <= *b + rule.min_delta => {}
                    _ => best = Some((m, epoch, mlp.params().values().to_vec())),
                }
                if let Some((_, best_epoch, params)) = &best {
                    if epoch - best_epoch >= rule.patience {
                        mlp.params_mut().values_mut().copy_from_slice(params);
                        history.stop = StopReason::EarlyStopping {
                            best_epoch: *best_epoch,
                        };
                        break;
                    }
                }
            }
        }
        pb.finish_and_clear();
        Ok(history)
    }

    fn check<T: Float>(&self, mlp: &Mlp<T>, ds: &Dataset<T>) -> Result<(), TrainError> {
        if ds.is_empty() {
            return Err(TrainError::Data("the data set is empty".into()));
        }
        if ds.n_features() != mlp.inputs() {
            return Err(TrainError::Data(format!(
                "rows have {} features, the model takes {}",
                ds.n_features(),
                mlp.inputs()
            )));
        }
        if self.loss.is_classification() != ds.n_classes().is_some() {
            return Err(TrainError::Data(format!(
                "{:?} does not fit these targets",
                self.loss
            )));
        }
        if ds.n_outputs() != mlp.outputs() {
            return Err(TrainError::Data(format!(
                "targets need {} outputs, the model has {}",
                ds.n_outputs(),
                mlp.outputs()
            )));
        }
        Ok(())
    }

    /// Forward, loss, backward and gradient copy of one batch.
    fn step<T: Float>(
        &self,
        mlp: &mut Mlp<T>,
        tape: &mut Tape<T>,
        grads: &mut Gradients<T>,
        batch: &Batch<T>,
        ctx: &mut ForwardCtx<T>,
    ) -> StepOutcome {
        tape.clear();
        let tape = &*tape;
        let p = mlp.params().bind(tape);
        let x = tape.constant_slice(batch.features(), batch.feature_shape());
        let out = mlp.forward(&p, x, ctx);
        let loss = loss_of(tape, out, batch, self.loss);
        loss.backward_into(grads);
        let (correct, counted) = count_correct(out, batch, self.loss);
        mlp.params_mut().store_grads(&p, grads);
        StepOutcome {
            loss: loss.item().to_f64(),
            correct,
            counted,
        }
    }
}

struct StepOutcome {
    loss: f64,
    correct: usize,
    counted: usize,
}

impl NormAcc {
    fn add<T: Float>(&mut self, mlp: &Mlp<T>) {
        let g = mlp.params().grads();
        for l in 0..self.sum.len() {
            let norm = g[mlp.layer_range(l)]
                .iter()
                .map(|&x| x.to_f64() * x.to_f64())
                .sum::<f64>()
                .sqrt();
            self.sum[l] += norm;
            self.max[l] = self.max[l].max(norm);
        }
        self.steps += 1;
    }

    fn report<T: Float>(&self, mlp: &Mlp<T>, ctx: &ForwardCtx<T>) -> Diagnostics {
        let stats = ctx.stats();
        let layers = mlp
            .layers()
            .iter()
            .enumerate()
            .map(|(i, layer)| LayerDiagnostics {
                layer: i,
                name: layer.describe(),
                units: layer.linear().out_features(),
                dead_fraction: stats.and_then(|s| s.dead_fraction(i)),
                saturated_fraction: stats.and_then(|s| s.saturated_fraction(i)),
                grad_norm: self.sum[i] / self.steps.max(1) as f64,
                grad_norm_max: self.max[i],
            })
            .collect();
        Diagnostics { layers }
    }
}

/// Names the first layer whose output (or, when all outputs are finite,
/// gradient) is non-finite for this batch, by re-running its forward.
fn locate_non_finite<T: Float>(
    mlp: &Mlp<T>,
    batch: &Batch<T>,
    grads_ok: bool,
) -> (String, NonFinite) {
    let tape = Tape::new();
    let mut ctx = ForwardCtx::eval();
    let mut bad_output = None;
    tape.no_grad(|| {
        let p = mlp.params().bind(&tape);
        let x = tape.constant_slice(batch.features(), batch.feature_shape());
        let _ = mlp.forward_layers(&p, x, &mut ctx, |i, h| {
            let finite = h.with_data(|d, _| d.iter().all(|v| v.is_finite()));
            if !finite {
                bad_output = Some(i);
            }
            finite
        });
    });
    if let Some(i) = bad_output {
        return (mlp.layers()[i].describe(), NonFinite::Output);
    }
    if !grads_ok {
        let g = mlp.params().grads();
        for (i, layer) in mlp.layers().iter().enumerate() {
            if g[mlp.layer_range(i)].iter().any(|v| !v.is_finite()) {
                return (layer.describe(), NonFinite::Gradient);
            }
        }
    }
    let last = mlp.layers().len() - 1;
    (mlp.layers()[last].describe(), NonFinite::Loss)
}
