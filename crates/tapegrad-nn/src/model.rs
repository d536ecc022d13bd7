//! `Model`: a [`Module`] together with the parameter and buffer stores it
//! was built into — what the trainer trains, `predict` runs and state
//! dicts save.

use crate::context::ForwardCtx;
use crate::module::{Cx, Module};
use crate::params::{Bound, Params};
use crate::scope::{Scope, Stores};
use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::{Float, Tape, Tensor, Var};

/// A module with its parameters (trained, one flat buffer as for an
/// [`Mlp`](crate::Mlp)) and buffers (saved, not trained: running
/// statistics).
///
/// **Threads:** `Model` is `Send` and `Sync` (modules are), so one trained
/// model can [`predict`](Model::predict) from several threads.
///
/// ```
/// use tapegrad::{Gradients, Tape, Tensor};
/// use tapegrad_nn::{Activation, ForwardCtx, Linear, Model, Sequential};
/// let mut model = Model::<f64, _>::build(0, |s| {
///     Sequential::new(s)
///         .layer(|s| Linear::build(s, 2, 8))
///         .push(Activation::Tanh)
///         .layer(|s| Linear::build(s, 8, 1))
///         .done()
/// });
/// // One training step by hand: bind, forward, backward, store gradients.
/// let tape = Tape::new();
/// let mut ctx = ForwardCtx::train(0);
/// let p = model.params().bind(&tape);
/// let x = tape.constant(Tensor::from_vec(vec![0.5, -1.0], [1, 2]));
/// let loss = model.forward(&p, x, &mut ctx).square().sum();
/// model.commit(&mut ctx);
/// let mut grads = Gradients::new();
/// loss.backward_into(&mut grads);
/// model.params_mut().store_grads(&p, &grads);
/// assert!(model.params().grads().iter().any(|&g| g != 0.0));
/// ```
#[derive(Clone, Debug)]
pub struct Model<T: Float, M> {
    params: Params<T>,
    buffers: Params<T>,
    module: M,
}

impl<T: Float, M: Module<T>> Model<T, M> {
    /// Builds the module `make` returns, registering its parameters and
    /// buffers under the root scope, with initial values drawn from a
    /// generator seeded by `seed`.
    ///
    /// ```
    /// use tapegrad_nn::{Linear, Model};
    /// let a = Model::<f32, _>::build(7, |s| Linear::build(s, 3, 2));
    /// let b = Model::<f32, _>::build(7, |s| Linear::build(s, 3, 2));
    /// assert_eq!(a.params().values(), b.params().values()); // same seed, same weights
    /// ```
    pub fn build(seed: u64, make: impl FnOnce(Scope<'_, T>) -> M) -> Self {
        let mut stores = Stores {
            params: Params::new(),
            buffers: Params::new(),
            rng: StdRng::seed_from_u64(seed),
        };
        let module = make(Scope::root(&mut stores));
        Model {
            params: stores.params,
            buffers: stores.buffers,
            module,
        }
    }

    /// The module.
    ///
    /// ```
    /// use tapegrad_nn::{Linear, Model};
    /// let m = Model::<f32, _>::build(0, |s| Linear::build(s, 3, 2));
    /// assert_eq!(m.module().out_features(), 2);
    /// ```
    #[must_use]
    pub fn module(&self) -> &M {
        &self.module
    }

    /// The trainable parameters.
    ///
    /// ```
    /// use tapegrad_nn::{Linear, Model};
    /// let m = Model::<f32, _>::build(0, |s| Linear::build(s, 3, 2));
    /// assert_eq!(m.params().numel(), 8);
    /// ```
    #[must_use]
    pub fn params(&self) -> &Params<T> {
        &self.params
    }

    /// The trainable parameters, mutable (for optimizers and loading).
    ///
    /// ```
    /// use tapegrad_nn::{Linear, Model};
    /// let mut m = Model::<f32, _>::build(0, |s| Linear::build(s, 1, 1));
    /// m.params_mut().values_mut().fill(1.0);
    /// assert_eq!(m.predict(&tapegrad::Tensor::ones([1, 1])).data(), &[2.0]);
    /// ```
    #[must_use]
    pub fn params_mut(&mut self) -> &mut Params<T> {
        &mut self.params
    }

    /// The buffers (running statistics), in registration order.
    ///
    /// ```
    /// use tapegrad_nn::{BatchNorm, Model};
    /// let m = Model::<f32, _>::build(0, |s| BatchNorm::new_1d(s, 4));
    /// let names: Vec<&str> = m.buffers().iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["running_mean", "running_var", "num_batches_tracked"]);
    /// ```
    #[must_use]
    pub fn buffers(&self) -> &Params<T> {
        &self.buffers
    }

    /// The buffers, mutable.
    ///
    /// ```
    /// use tapegrad_nn::{BatchNorm, Model};
    /// let mut m = Model::<f32, _>::build(0, |s| BatchNorm::new_1d(s, 2));
    /// m.buffers_mut().values_mut().fill(0.0);
    /// assert_eq!(m.buffers().values(), &[0.0; 5]);
    /// ```
    #[must_use]
    pub fn buffers_mut(&mut self) -> &mut Params<T> {
        &mut self.buffers
    }

    /// The forward pass of `x` with parameters `p` bound on the same tape,
    /// in `ctx`'s mode. Buffer updates of a training-mode pass are queued
    /// in `ctx`: apply them with [`commit`](Model::commit).
    ///
    /// # Panics
    /// When `p` was bound from another model, or `x` does not fit the
    /// module.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::{ForwardCtx, Linear, Model};
    /// let m = Model::<f64, _>::build(0, |s| Linear::build(s, 3, 2));
    /// let tape = Tape::new();
    /// let p = m.params().bind(&tape);
    /// let y = m.forward(&p, tape.constant(Tensor::ones([4, 3])), &mut ForwardCtx::eval());
    /// assert_eq!(y.shape().dims(), &[4, 2]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn forward<'t>(
        &self,
        p: &Bound<'t, T>,
        x: Var<'t, T>,
        ctx: &mut ForwardCtx<T>,
    ) -> Var<'t, T> {
        assert!(
            p.len() == self.params.len(),
            "tapegrad-nn: Model::forward: the bound parameters belong to another model"
        );
        self.module.call(x, &mut Cx::new(p, &self.buffers, ctx))
    }

    /// Applies the buffer updates that training-mode forward passes queued
    /// in `ctx` (batch norm's running statistics).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::{BatchNorm, ForwardCtx, Model};
    /// let mut m = Model::<f64, _>::build(0, |s| BatchNorm::new_1d(s, 1));
    /// let tape = Tape::new();
    /// let p = m.params().bind(&tape);
    /// let mut ctx = ForwardCtx::train(0);
    /// let x = tape.constant(Tensor::from_vec(vec![1.0, 3.0], [2, 1]));
    /// let _ = m.forward(&p, x, &mut ctx);
    /// m.commit(&mut ctx);
    /// // running_mean = 0.9·0 + 0.1·2; running_var = 0.9·1 + 0.1·2 (unbiased)
    /// assert_eq!(m.buffers().value(m.buffers().id("running_mean").unwrap()), &[0.2]);
    /// ```
    pub fn commit(&mut self, ctx: &mut ForwardCtx<T>) {
        ctx.apply_buffer_updates(&mut self.buffers);
    }

    /// The outputs for `x`, in evaluation mode, on a fresh tape with no
    /// gradients recorded.
    ///
    /// # Panics
    /// When `x` does not fit the module.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::{Linear, Model};
    /// let m = Model::<f32, _>::build(0, |s| Linear::build(s, 4, 3));
    /// assert_eq!(m.predict(&Tensor::zeros([5, 4])).shape().dims(), &[5, 3]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn predict(&self, x: &Tensor<T>) -> Tensor<T> {
        let tape = Tape::new();
        let mut ctx = ForwardCtx::eval();
        // Parameters bound as constants record no backward; the forward runs
        // outside `no_grad`'s closure so that a shape panic still names the
        // caller's line.
        let p = tape.no_grad(|| self.params.bind(&tape));
        let input = tape.constant_slice(x.data(), x.shape().clone());
        self.forward(&p, input, &mut ctx).value()
    }

    /// The PyTorch module with the same parameters and function, as Python
    /// source.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Linear, Model, Sequential};
    /// let m = Model::<f32, _>::build(0, |s| {
    ///     Sequential::new(s).layer(|s| Linear::build(s, 4, 8)).push(Activation::Relu).done()
    /// });
    /// assert_eq!(m.torch_equivalent(), "nn.Sequential(nn.Linear(4, 8), nn.ReLU())");
    /// ```
    #[must_use]
    pub fn torch_equivalent(&self) -> String {
        self.module.torch()
    }
}
