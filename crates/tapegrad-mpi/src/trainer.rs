//! The data-parallel training loop: every rank holds the whole model and
//! training set, takes its shard of each global batch, differentiates it,
//! and one all-reduce of the flat gradient buffer gives every rank the
//! global batch's gradient, so every rank applies the same update — what
//! PyTorch DDP and Horovod do.

use crate::fault::{agree, Fault, FaultKind, Stage};
use crate::guard::guarded;
use crate::layout::check_same_layout;
use crate::shard::{shard, EpochOrder};
use crate::{weight_for_average, Communicator, DistError, Element};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tapegrad::{Gradients, Tape};
use tapegrad_nn::data::{Batch, Dataset};
use tapegrad_nn::{
    count_correct, evaluate, loss_of, BatchMode, EpochRecord, ForwardCtx, History, Loss,
    LrSchedule, Mlp, Optimizer, Sgd, StopReason, Trainer,
};

/// Trains an [`Mlp`] data-parallel over a [`Communicator`]'s ranks.
///
/// With the same seed and settings, `N` ranks and a global batch of `N·B`
/// rows train the model `tapegrad_nn::Trainer` trains in one process with
/// mini-batches of `N·B` (up to the order of additions in the gradient
/// sums), whatever `N` is; [`SingleProcess`](crate::SingleProcess) is that
/// one-process run.
///
/// ```
/// use tapegrad_mpi::{Communicator, DistributedTrainer, LocalGroup};
/// use tapegrad_nn::data::digits;
/// use tapegrad_nn::{Activation, Adam, Loss, Mlp};
/// let data = digits::<f32>();
/// let out = LocalGroup::run(2, |comm| {
///     // Seeded differently on purpose: rank 0's parameters are broadcast.
///     let mut mlp: Mlp<f32> = Mlp::new(64).hidden(32, Activation::Relu).seed(comm.rank() as u64).output(10);
///     let report = DistributedTrainer::new(Loss::CrossEntropy)
///         .global_batch(64)
///         .epochs(3)
///         .fit(comm, &mut mlp, &mut Adam::new(3e-3), &data, None)
///         .unwrap();
///     (report.history.last().unwrap().accuracy, mlp.params().values().to_vec())
/// });
/// let (acc0, p0) = out[0].clone().unwrap();
/// let (_, p1) = out[1].clone().unwrap();
/// assert!(acc0 > 0.8);
/// assert_eq!(p0, p1); // every rank ends with the same model
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct DistributedTrainer {
    loss: Loss,
    global_batch: usize,
    epochs: usize,
    seed: u64,
    shuffle: bool,
    schedule: LrSchedule,
    verbose: bool,
    save_to: Option<PathBuf>,
}

/// What a distributed run returns: the epochs (identical on every rank)
/// and where the time of the collectives went.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_mpi::{DistributedTrainer, SingleProcess};
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{Activation, Loss, Mlp, Sgd};
/// let data = Dataset::regression(Tensor::ones([4, 1]), Tensor::zeros([4, 1]))?;
/// let mut mlp: Mlp<f64> = Mlp::new(1).hidden(2, Activation::Tanh).output(1);
/// let r = DistributedTrainer::new(Loss::Mse).global_batch(2).epochs(3)
///     .fit(&SingleProcess, &mut mlp, &mut Sgd::new(0.1), &data, None)?;
/// assert_eq!((r.steps, r.history.epochs.len()), (6, 3));
/// assert!(r.reduce_seconds >= 0.0 && r.agree_seconds >= 0.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct FitReport {
    /// One record per epoch, as `tapegrad_nn::Trainer` returns them (no
    /// diagnostics).
    pub history: History,
    /// Optimizer steps taken.
    pub steps: usize,
    /// Wall time spent in the gradient all-reduces.
    pub reduce_seconds: f64,
    /// Wall time spent in the per-step status exchanges.
    pub agree_seconds: f64,
}

/// One rank's sums over its shards of an epoch.
#[derive(Default)]
struct Tally {
    loss_sum: f64,
    correct: usize,
    counted: usize,
}

/// The buffers one rank reuses for every step.
struct Workspace<T: tapegrad::Float> {
    tape: Tape<T>,
    grads: Gradients<T>,
    batch: Batch<T>,
    ctx: ForwardCtx<T>,
}

impl DistributedTrainer {
    /// A trainer minimizing `loss`: global batches of 32 rows, 10 epochs,
    /// seed 0, shuffled, constant rate, silent, nothing saved — the
    /// defaults of `tapegrad_nn::Trainer`.
    ///
    /// ```
    /// let _t = tapegrad_mpi::DistributedTrainer::new(tapegrad_nn::Loss::CrossEntropy);
    /// ```
    pub fn new(loss: Loss) -> Self {
        DistributedTrainer {
            loss,
            global_batch: 32,
            epochs: 10,
            seed: 0,
            shuffle: true,
            schedule: LrSchedule::Constant,
            verbose: false,
            save_to: None,
        }
    }

    /// Rows per optimizer step over all ranks together (each rank takes
    /// about `rows / ranks` of them); at least 1.
    ///
    /// ```
    /// let _t = tapegrad_mpi::DistributedTrainer::new(tapegrad_nn::Loss::Mse).global_batch(256);
    /// ```
    pub fn global_batch(mut self, rows: usize) -> Self {
        self.global_batch = rows.max(1);
        self
    }

    /// Number of epochs.
    ///
    /// ```
    /// let _t = tapegrad_mpi::DistributedTrainer::new(tapegrad_nn::Loss::Mse).epochs(40);
    /// ```
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Seed of the shuffling (the same on every rank) and of dropout masks
    /// (offset by the rank, so that shards draw different masks).
    ///
    /// ```
    /// let _t = tapegrad_mpi::DistributedTrainer::new(tapegrad_nn::Loss::Mse).seed(3);
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether to reshuffle the rows every epoch (default `true`).
    ///
    /// ```
    /// let _t = tapegrad_mpi::DistributedTrainer::new(tapegrad_nn::Loss::Mse).shuffle(false);
    /// ```
    pub fn shuffle(mut self, on: bool) -> Self {
        self.shuffle = on;
        self
    }

    /// The learning-rate schedule, applied at the start of every epoch.
    ///
    /// ```
    /// use tapegrad_nn::LrSchedule;
    /// let _t = tapegrad_mpi::DistributedTrainer::new(tapegrad_nn::Loss::Mse)
    ///     .schedule(LrSchedule::Cosine { epochs: 10, min_lr: 0.0 });
    /// ```
    pub fn schedule(mut self, schedule: LrSchedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Rank 0 prints one line per epoch.
    ///
    /// ```
    /// let _t = tapegrad_mpi::DistributedTrainer::new(tapegrad_nn::Loss::Mse).verbose(true);
    /// ```
    pub fn verbose(mut self, on: bool) -> Self {
        self.verbose = on;
        self
    }

    /// Rank 0 saves the trained model there as safetensors
    /// ([`Mlp::save`]); a failure to write stops every rank with an error.
    ///
    /// ```
    /// let _t = tapegrad_mpi::DistributedTrainer::new(tapegrad_nn::Loss::Mse)
    ///     .save_to(std::env::temp_dir().join("model.safetensors"));
    /// ```
    pub fn save_to(mut self, path: impl Into<PathBuf>) -> Self {
        self.save_to = Some(path.into());
        self
    }

    /// Trains `mlp` on `train` with `opt`; collective, so every rank of
    /// `comm` calls it with the same data, model layout and settings. Rank
    /// 0's parameters are broadcast first, so the ranks start identical
    /// however their models were seeded. `val`, when given, is evaluated
    /// after every epoch on every rank.
    ///
    /// # Errors
    /// On every rank the same error: [`DistError::Mismatch`] when the
    /// ranks' model layouts or training-set sizes differ;
    /// [`DistError::RankFailed`] naming the rank whose data does not fit the
    /// model, whose loss or gradient turned non-finite (no update is then
    /// applied, so the model keeps the last finite parameters), whose code
    /// panicked, or (rank 0) whose save failed.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_mpi::{Communicator, DistError, DistributedTrainer, FaultKind, LocalGroup};
    /// use tapegrad_nn::data::Dataset;
    /// use tapegrad_nn::{Activation, Loss, Mlp, Sgd};
    /// let out = LocalGroup::run(2, |comm| {
    ///     let fill = if comm.rank() == 1 { f64::NAN } else { 1.0 };
    ///     let data = Dataset::regression(Tensor::full([4, 1], fill), Tensor::zeros([4, 1])).unwrap();
    ///     let mut mlp: Mlp<f64> = Mlp::new(1).hidden(2, Activation::Tanh).output(1);
    ///     DistributedTrainer::new(Loss::Mse).global_batch(4)
    ///         .fit(comm, &mut mlp, &mut Sgd::new(0.1), &data, None)
    ///         .unwrap_err()
    /// });
    /// for err in out {
    ///     assert!(matches!(err.unwrap(), DistError::RankFailed { rank: 1, kind: FaultKind::NonFinite, .. }));
    /// }
    /// ```
    pub fn fit<C, T, O>(
        &self,
        comm: &C,
        mlp: &mut Mlp<T>,
        opt: &mut O,
        train: &Dataset<T>,
        val: Option<&Dataset<T>>,
    ) -> Result<FitReport, DistError>
    where
        C: Communicator + ?Sized,
        T: Element,
        O: Optimizer<T> + ?Sized,
    {
        let (rank, ranks) = (comm.rank(), comm.size());
        check_same_layout(comm, mlp.params(), train.len())?;
        agree(comm, Stage::Setup, self.check_data(mlp, train, val))?;
        T::broadcast(comm, mlp.params_mut().values_mut(), 0);

        let n = train.len();
        let base_lr = opt.lr();
        let mut order = EpochOrder::new(n, self.seed, self.shuffle);
        let mut ws = Workspace {
            tape: Tape::new(),
            grads: Gradients::new(),
            batch: Batch::new(),
            ctx: ForwardCtx::train(
                self.seed
                    .wrapping_add(0x9e37_79b9_7f4a_7c15)
                    .wrapping_add(rank as u64),
            ),
        };
        let mut history = History {
            epochs: Vec::new(),
            stop: StopReason::MaxEpochs,
        };
        let (mut steps, mut reduce, mut agreeing) = (0, Duration::ZERO, Duration::ZERO);
        for epoch in 0..self.epochs {
            let start = Instant::now();
            let lr = self.schedule.lr(base_lr, epoch);
            opt.set_lr(lr);
            let mut tally = Tally::default();
            // A panic in the previous step's update is reported with this
            // step's status, so each step needs one status exchange only.
            let mut pending: Result<(), Fault> = Ok(());
            for (step, global) in order.next_epoch().chunks(self.global_batch).enumerate() {
                let mine = &global[shard(global.len(), ranks, rank)];
                let local = pending.and_then(|()| {
                    guarded(|| self.local_gradient(mlp, &mut ws, train, mine, global.len()))
                        .and_then(|r| r)
                });
                let t = Instant::now();
                let outcome = agree(
                    comm,
                    Stage::Step {
                        epoch: epoch + 1,
                        step: step + 1,
                    },
                    local,
                )?;
                let t2 = Instant::now();
                T::all_reduce_sum(comm, mlp.params_mut().grads_mut());
                agreeing += t2 - t;
                reduce += t2.elapsed();
                tally.add(&outcome);
                pending = guarded(|| {
                    let (values, grads) = mlp.params_mut().values_and_grads();
                    opt.step(values, grads);
                });
                steps += 1;
            }
            agree(comm, Stage::EpochEnd { epoch: epoch + 1 }, pending)?;
            let mut sums = [tally.loss_sum, tally.correct as f64, tally.counted as f64];
            comm.sum_f64(&mut sums);
            let evaluated = val.map(|v| evaluate(mlp, v, self.loss));
            let record = EpochRecord {
                epoch,
                loss: sums[0] / n as f64,
                accuracy: sums[1] / sums[2].max(1.0),
                val_loss: evaluated.map(|e| e.loss),
                val_accuracy: evaluated.map(|e| e.accuracy),
                regression: None,
                val_regression: evaluated.and_then(|e| e.regression),
                lr,
                seconds: start.elapsed().as_secs_f64(),
                diagnostics: None,
            };
            if self.verbose && rank == 0 {
                println!("{record}");
            }
            history.epochs.push(record);
        }
        if let Some(path) = &self.save_to {
            let saved = if rank == 0 {
                mlp.save(path)
                    .map_err(|e| Fault::new(FaultKind::Io, format!("{}: {e}", path.display())))
            } else {
                Ok(())
            };
            agree(comm, Stage::Save, saved)?;
        }
        Ok(FitReport {
            history,
            steps,
            reduce_seconds: reduce.as_secs_f64(),
            agree_seconds: agreeing.as_secs_f64(),
        })
    }

    /// The data checks of `tapegrad_nn::Trainer`: a zero-epoch fit runs
    /// them and trains nothing.
    fn check_data<T: Element>(
        &self,
        mlp: &mut Mlp<T>,
        train: &Dataset<T>,
        val: Option<&Dataset<T>>,
    ) -> Result<(), Fault> {
        let check = Trainer::new(self.loss).mode(BatchMode::FullBatch).epochs(0);
        for ds in std::iter::once(train).chain(val) {
            check
                .fit(mlp, &mut Sgd::new(0.0), ds, None)
                .map_err(|e| Fault::new(FaultKind::Data, e))?;
        }
        Ok(())
    }

    /// This rank's share of the global batch's gradient, left in the
    /// model's flat gradient buffer (zero for an empty shard).
    fn local_gradient<T: Element>(
        &self,
        mlp: &mut Mlp<T>,
        ws: &mut Workspace<T>,
        train: &Dataset<T>,
        rows: &[usize],
        global_rows: usize,
    ) -> Result<Tally, Fault> {
        if rows.is_empty() {
            mlp.params_mut().zero_grads();
            return Ok(Tally::default());
        }
        train.fill_batch(rows, &mut ws.batch);
        ws.tape.clear();
        let tape = &ws.tape;
        let p = mlp.params().bind(tape);
        let x = tape.constant_slice(ws.batch.features(), ws.batch.feature_shape());
        let out = mlp.forward(&p, x, &mut ws.ctx);
        let loss = loss_of(tape, out, &ws.batch, self.loss);
        loss.backward_into(&mut ws.grads);
        let (correct, counted) = count_correct(out, &ws.batch, self.loss);
        let loss = loss.item().to_f64();
        let params = mlp.params_mut();
        params.store_grads(&p, &ws.grads);
        if !loss.is_finite() || !params.grads().iter().all(|g| g.is_finite()) {
            return Err(Fault::new(
                FaultKind::NonFinite,
                format!("shard loss {loss} or a gradient is not finite"),
            ));
        }
        weight_for_average(params.grads_mut(), rows.len(), global_rows);
        Ok(Tally {
            loss_sum: loss * rows.len() as f64,
            correct,
            counted,
        })
    }
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.loss_sum += other.loss_sum;
        self.correct += other.correct;
        self.counted += other.counted;
    }
}
