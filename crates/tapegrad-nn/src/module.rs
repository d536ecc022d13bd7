//! The `Module` trait every layer and user model implements, and `Cx`, what
//! a module's forward pass reads: the bound parameters, the buffers, the
//! training/evaluation mode and dropout's randomness.

use crate::context::ForwardCtx;
use crate::params::{Bound, ParamId, Params};
use tapegrad::{Float, Tensor, Var};

/// A network component: a forward pass on a tape, with its parameters and
/// buffers looked up through a [`Cx`] by the handles it got when it was
/// built (see [`Scope`](crate::Scope)). Parameter names are PyTorch's dotted
/// names (`fc1.weight`, `0.running_mean`, …), given by the scope.
///
/// Training or evaluation mode is the [`ForwardCtx`]'s
/// ([`ForwardCtx::train`], [`ForwardCtx::eval`], [`ForwardCtx::set_training`]):
/// dropout is active and batch norm uses (and updates) batch statistics only
/// in training mode.
///
/// A user module with two Linear layers and a skip connection:
///
/// ```
/// use tapegrad::{Tensor, Var};
/// use tapegrad_nn::{Cx, Linear, Model, Module};
///
/// struct Residual { fc1: Linear, fc2: Linear }
///
/// impl Module<f64> for Residual {
///     fn call<'t>(&self, x: Var<'t, f64>, cx: &mut Cx<'_, 't, f64>) -> Var<'t, f64> {
///         let h = self.fc1.call(x, cx).relu();
///         self.fc2.call(h, cx) + x
///     }
///     fn torch(&self) -> String { "Residual()".into() }
/// }
///
/// let model = Model::build(0, |mut s| Residual {
///     fc1: Linear::build(s.sub("fc1"), 4, 16),
///     fc2: Linear::build(s.sub("fc2"), 16, 4),
/// });
/// let names: Vec<&str> = model.params().iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
/// assert_eq!(model.predict(&Tensor::ones([3, 4])).shape().dims(), &[3, 4]);
/// ```
pub trait Module<T: Float>: Send + Sync {
    /// The forward pass of `x`.
    ///
    /// # Panics
    /// When `x`'s shape does not fit the module (the message names the op
    /// and both shapes).
    #[must_use]
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, cx: &mut Cx<'_, 't, T>) -> Var<'t, T>;

    /// The PyTorch module with the same parameters and function, as Python
    /// source (`nn.Linear(4, 16)`).
    #[must_use]
    fn torch(&self) -> String;
}

/// What a [`Module`]'s forward pass reads besides its input: the
/// parameters bound on the tape, the buffers (running statistics), and the
/// [`ForwardCtx`] (mode, dropout's generator). Buffer updates made in
/// training mode are queued in the context and applied by
/// [`Model::commit`](crate::Model::commit).
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// use tapegrad_nn::{Cx, ForwardCtx, Linear, Model, Module};
/// let model = Model::<f32, _>::build(0, |s| Linear::build(s, 3, 2));
/// let tape = Tape::new();
/// let p = model.params().bind(&tape);
/// let mut ctx = ForwardCtx::eval();
/// let mut cx = Cx::new(&p, model.buffers(), &mut ctx);
/// assert!(!cx.is_training());
/// let y = model.module().call(tape.constant(Tensor::ones([5, 3])), &mut cx);
/// assert_eq!(y.shape().dims(), &[5, 2]);
/// ```
pub struct Cx<'a, 't, T: Float> {
    params: &'a Bound<'t, T>,
    buffers: &'a Params<T>,
    ctx: &'a mut ForwardCtx<T>,
}

impl<'a, 't, T: Float> Cx<'a, 't, T> {
    /// A context over bound parameters, buffers and a forward context.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// use tapegrad_nn::{Cx, ForwardCtx, Params};
    /// let (params, buffers) = (Params::<f64>::new(), Params::<f64>::new());
    /// let tape = Tape::new();
    /// let p = params.bind(&tape);
    /// let mut ctx = ForwardCtx::train(0);
    /// assert!(Cx::new(&p, &buffers, &mut ctx).is_training());
    /// ```
    #[must_use]
    pub fn new(
        params: &'a Bound<'t, T>,
        buffers: &'a Params<T>,
        ctx: &'a mut ForwardCtx<T>,
    ) -> Self {
        Cx {
            params,
            buffers,
            ctx,
        }
    }

    /// The bound parameter `id`.
    ///
    /// # Panics
    /// When `id` is not from the bound store.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::{Cx, ForwardCtx, Params};
    /// let mut params = Params::<f64>::new();
    /// let w = params.push("w", Tensor::ones([2]));
    /// let buffers = Params::new();
    /// let tape = Tape::new();
    /// let p = params.bind(&tape);
    /// let mut ctx = ForwardCtx::eval();
    /// assert_eq!(Cx::new(&p, &buffers, &mut ctx).param(w).value().data(), &[1.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn param(&self, id: ParamId) -> Var<'t, T> {
        self.params[id]
    }

    /// A copy of buffer `id` (e.g. a running mean).
    ///
    /// # Panics
    /// When `id` is not from the buffer store.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::{Cx, ForwardCtx, Params};
    /// let params = Params::<f64>::new();
    /// let mut buffers = Params::new();
    /// let m = buffers.push("running_mean", Tensor::zeros([3]));
    /// let tape = Tape::new();
    /// let p = params.bind(&tape);
    /// let mut ctx = ForwardCtx::eval();
    /// assert_eq!(Cx::new(&p, &buffers, &mut ctx).buffer(m), Tensor::zeros([3]));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn buffer(&self, id: ParamId) -> Tensor<T> {
        Tensor::from_slice(self.buffers.value(id), self.buffers.info(id).shape.clone())
    }

    /// Queues new values for buffer `id`, applied by
    /// [`Model::commit`](crate::Model::commit) after the forward pass (so a
    /// forward pass reads the model immutably and several can share it).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::{Cx, ForwardCtx, Params};
    /// let params = Params::<f64>::new();
    /// let mut buffers = Params::new();
    /// let m = buffers.push("n", Tensor::zeros([1]));
    /// let tape = Tape::new();
    /// let p = params.bind(&tape);
    /// let mut ctx = ForwardCtx::train(0);
    /// Cx::new(&p, &buffers, &mut ctx).set_buffer(m, &[1.0]);
    /// ctx.apply_buffer_updates(&mut buffers);
    /// assert_eq!(buffers.value(m), &[1.0]);
    /// ```
    pub fn set_buffer(&mut self, id: ParamId, values: &[T]) {
        self.ctx.queue_buffer_update(id, values);
    }

    /// Whether the pass is in training mode.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// use tapegrad_nn::{Cx, ForwardCtx, Params};
    /// let (params, buffers) = (Params::<f32>::new(), Params::<f32>::new());
    /// let tape = Tape::new();
    /// let p = params.bind(&tape);
    /// let mut ctx = ForwardCtx::eval();
    /// assert!(!Cx::new(&p, &buffers, &mut ctx).is_training());
    /// ```
    #[must_use]
    pub fn is_training(&self) -> bool {
        self.ctx.is_training()
    }

    /// The forward context (for [`Dropout::apply`](crate::Dropout::apply)
    /// and the activation statistics).
    ///
    /// ```
    /// use tapegrad::Tape;
    /// use tapegrad_nn::{Cx, ForwardCtx, Params};
    /// let (params, buffers) = (Params::<f32>::new(), Params::<f32>::new());
    /// let tape = Tape::new();
    /// let p = params.bind(&tape);
    /// let mut ctx = ForwardCtx::eval();
    /// let mut cx = Cx::new(&p, &buffers, &mut ctx);
    /// cx.ctx().set_training(true);
    /// assert!(cx.is_training());
    /// ```
    #[must_use]
    pub fn ctx(&mut self) -> &mut ForwardCtx<T> {
        self.ctx
    }
}
