//! The state a forward pass reads besides the parameters: training or
//! evaluation mode, the seeded random source of dropout, a reused scratch
//! buffer for masks, and (optionally) the activation statistics behind the
//! dead-unit and saturation diagnostics.

use crate::diagnostics::ActivationStats;
use crate::params::{ParamId, Params};
use crate::Activation;
use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::{Float, Var};

/// Mode, randomness and statistics of forward passes.
///
/// ```
/// use tapegrad_nn::ForwardCtx;
/// let mut ctx = ForwardCtx::<f32>::train(42);
/// assert!(ctx.is_training());
/// ctx.set_training(false);
/// assert!(!ctx.is_training());
/// assert!(!ForwardCtx::<f32>::eval().is_training());
/// ```
#[derive(Clone, Debug)]
pub struct ForwardCtx<T: Float> {
    training: bool,
    rng: StdRng,
    scratch: Vec<T>,
    stats: Option<ActivationStats>,
    /// Buffer updates of the last training-mode pass: (buffer, range in
    /// `pending_data`), applied by `apply_buffer_updates`.
    pending: Vec<(ParamId, usize, usize)>,
    pending_data: Vec<T>,
}

impl<T: Float> ForwardCtx<T> {
    /// Evaluation mode: dropout is the identity.
    ///
    /// ```
    /// let ctx = tapegrad_nn::ForwardCtx::<f64>::eval();
    /// assert!(!ctx.is_training());
    /// ```
    #[must_use]
    pub fn eval() -> Self {
        ForwardCtx {
            training: false,
            rng: StdRng::seed_from_u64(0),
            scratch: Vec::new(),
            stats: None,
            pending: Vec::new(),
            pending_data: Vec::new(),
        }
    }

    /// Training mode, with dropout masks drawn from a generator seeded by
    /// `seed`.
    ///
    /// ```
    /// let ctx = tapegrad_nn::ForwardCtx::<f32>::train(7);
    /// assert!(ctx.is_training());
    /// ```
    #[must_use]
    pub fn train(seed: u64) -> Self {
        ForwardCtx {
            training: true,
            rng: StdRng::seed_from_u64(seed),
            scratch: Vec::new(),
            stats: None,
            pending: Vec::new(),
            pending_data: Vec::new(),
        }
    }

    /// Whether dropout is active.
    ///
    /// ```
    /// assert!(tapegrad_nn::ForwardCtx::<f32>::train(0).is_training());
    /// ```
    #[must_use]
    pub fn is_training(&self) -> bool {
        self.training
    }

    /// Switches between training and evaluation mode.
    ///
    /// ```
    /// let mut ctx = tapegrad_nn::ForwardCtx::<f32>::eval();
    /// ctx.set_training(true);
    /// assert!(ctx.is_training());
    /// ```
    pub fn set_training(&mut self, on: bool) {
        self.training = on;
    }

    /// Starts (or stops, with `false`) collecting activation statistics:
    /// every hidden layer's forward then records which units were active
    /// and which saturated.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::{Activation, ForwardCtx, Mlp};
    /// let mlp: Mlp<f32> = Mlp::new(2).hidden(4, Activation::Relu).bias(-100.0).output(1);
    /// let mut ctx = ForwardCtx::eval();
    /// ctx.collect_stats(true);
    /// let tape = Tape::new();
    /// let p = mlp.params().bind(&tape);
    /// let _ = mlp.forward(&p, tape.constant(Tensor::ones([8, 2])), &mut ctx);
    /// assert_eq!(ctx.stats().unwrap().dead_fraction(0), Some(1.0)); // every unit dead
    /// ```
    pub fn collect_stats(&mut self, on: bool) {
        self.stats = on.then(ActivationStats::new);
    }

    /// The statistics collected so far, if collecting.
    ///
    /// ```
    /// let mut ctx = tapegrad_nn::ForwardCtx::<f32>::eval();
    /// assert!(ctx.stats().is_none());
    /// ctx.collect_stats(true);
    /// assert!(ctx.stats().is_some_and(|s| s.is_empty()));
    /// ```
    #[must_use]
    pub fn stats(&self) -> Option<&ActivationStats> {
        self.stats.as_ref()
    }

    /// The statistics collected so far, mutable (to reset them between
    /// epochs while keeping their buffers).
    ///
    /// ```
    /// let mut ctx = tapegrad_nn::ForwardCtx::<f32>::train(0);
    /// ctx.collect_stats(true);
    /// ctx.stats_mut().unwrap().reset();
    /// assert_eq!(ctx.stats().unwrap().samples(0), 0);
    /// ```
    #[must_use]
    pub fn stats_mut(&mut self) -> Option<&mut ActivationStats> {
        self.stats.as_mut()
    }

    /// Queues new values for buffer `id` (see [`Cx::set_buffer`](crate::Cx::set_buffer)).
    pub(crate) fn queue_buffer_update(&mut self, id: ParamId, values: &[T]) {
        let start = self.pending_data.len();
        self.pending_data.extend_from_slice(values);
        self.pending.push((id, start, self.pending_data.len()));
    }

    /// Writes the queued buffer updates into `buffers`, in the order they
    /// were made, and forgets them. [`Model::commit`](crate::Model::commit)
    /// calls this after a training-mode forward pass.
    ///
    /// # Panics
    /// When an update does not fit its buffer (updates queued for another
    /// model's buffers).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::{ForwardCtx, Params};
    /// let mut buffers = Params::<f32>::new();
    /// buffers.push("b", Tensor::zeros([2]));
    /// let mut ctx = ForwardCtx::train(0);
    /// ctx.apply_buffer_updates(&mut buffers); // nothing queued: unchanged
    /// assert_eq!(buffers.values(), &[0.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn apply_buffer_updates(&mut self, buffers: &mut Params<T>) {
        for &(id, start, end) in &self.pending {
            let len = buffers.value(id).len();
            assert!(
                len == end - start,
                "tapegrad-nn: buffer update of {} values for `{}` of {len} values",
                end - start,
                buffers.name(id),
            );
            buffers
                .value_mut(id)
                .copy_from_slice(&self.pending_data[start..end]);
        }
        self.pending.clear();
        self.pending_data.clear();
    }

    pub(crate) fn rng_and_scratch(&mut self) -> (&mut StdRng, &mut Vec<T>) {
        (&mut self.rng, &mut self.scratch)
    }

    /// Records a hidden layer's pre-activation and output, when collecting.
    pub(crate) fn observe(
        &mut self,
        layer: usize,
        act: Activation,
        pre: Var<'_, T>,
        post: Var<'_, T>,
    ) {
        if let Some(stats) = self.stats.as_mut() {
            pre.with_data(|z, shape| {
                let units = shape.dims().last().copied().unwrap_or(1);
                post.with_data(|y, _| stats.observe(layer, act, units, z, y));
            });
        }
    }
}
