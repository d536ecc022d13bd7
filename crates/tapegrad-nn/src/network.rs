//! `Network`: what the trainer, `evaluate` and the NaN guard need from a
//! model — its parameters, a forward pass, buffer commits and named
//! parameter groups. [`Mlp`] and every [`Model`] implement it.

use crate::context::ForwardCtx;
use crate::data::{Batch, Dataset};
use crate::module::Module;
use crate::params::{Bound, Params};
use crate::{Mlp, Model};
use std::ops::Range;
use tapegrad::{Float, Tape, Var};

/// A named range of the flat parameter buffer (one layer's parameters):
/// the unit of the gradient-norm diagnostics and of the NaN guard's
/// messages.
///
/// ```
/// use tapegrad_nn::{Activation, Mlp, Network};
/// let mlp: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Relu).output(1);
/// let g = Network::groups(&mlp);
/// assert_eq!((g[0].name.as_str(), g[0].range.clone()), ("0: Linear(2, 3) + relu", 0..9));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamGroup {
    /// How messages name the group.
    pub name: String,
    /// Output units (for the diagnostics table).
    pub units: usize,
    /// Its elements in the flat parameter (and gradient) buffer.
    pub range: Range<usize>,
}

/// A trainable network: what [`Trainer::fit`](crate::Trainer::fit) and
/// [`evaluate`](crate::evaluate) take.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{evaluate, Linear, Loss, Model};
/// let ds = Dataset::regression(Tensor::ones([4, 2]), Tensor::zeros([4, 1]))?;
/// let m = Model::<f64, _>::build(0, |s| Linear::build(s, 2, 1));
/// assert!(evaluate(&m, &ds, Loss::Mse).loss >= 0.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Network<T: Float> {
    /// The trainable parameters.
    fn params(&self) -> &Params<T>;

    /// The trainable parameters, mutable.
    fn params_mut(&mut self) -> &mut Params<T>;

    /// The forward pass of `x` in `ctx`'s mode, with `p` bound from
    /// [`params`](Network::params) on `x`'s tape.
    #[track_caller]
    fn forward<'t>(&self, p: &Bound<'t, T>, x: Var<'t, T>, ctx: &mut ForwardCtx<T>) -> Var<'t, T>;

    /// Applies the buffer updates a training-mode pass queued in `ctx`
    /// (nothing for a network without buffers).
    fn commit(&mut self, ctx: &mut ForwardCtx<T>);

    /// The buffers' values, flat (empty without buffers): early stopping
    /// keeps them with the parameters of the best epoch.
    fn buffer_values(&self) -> &[T];

    /// The buffers' values, flat and mutable.
    fn buffer_values_mut(&mut self) -> &mut [T];

    /// The parameter groups, in buffer order, covering every parameter.
    fn groups(&self) -> Vec<ParamGroup>;

    /// Why `ds` cannot be fed to the network, if that is known before a
    /// forward pass (input and output widths).
    ///
    /// # Errors
    /// A message saying what does not fit.
    fn check_data(&self, ds: &Dataset<T>) -> Result<(), String>;

    /// The first group whose output on `batch` is non-finite, when the
    /// network can run group by group (an [`Mlp`]); `None` otherwise.
    fn first_non_finite_output(&self, batch: &Batch<T>) -> Option<usize>;
}

impl<T: Float> Network<T> for Mlp<T> {
    fn params(&self) -> &Params<T> {
        Mlp::params(self)
    }

    fn params_mut(&mut self) -> &mut Params<T> {
        Mlp::params_mut(self)
    }

    #[track_caller]
    fn forward<'t>(&self, p: &Bound<'t, T>, x: Var<'t, T>, ctx: &mut ForwardCtx<T>) -> Var<'t, T> {
        Mlp::forward(self, p, x, ctx)
    }

    fn commit(&mut self, _ctx: &mut ForwardCtx<T>) {}

    fn buffer_values(&self) -> &[T] {
        &[]
    }

    fn buffer_values_mut(&mut self) -> &mut [T] {
        &mut []
    }

    fn groups(&self) -> Vec<ParamGroup> {
        self.layers()
            .iter()
            .enumerate()
            .map(|(i, l)| ParamGroup {
                name: l.describe(),
                units: l.linear().out_features(),
                range: self.layer_range(i),
            })
            .collect()
    }

    fn check_data(&self, ds: &Dataset<T>) -> Result<(), String> {
        if ds.n_features() != self.inputs() {
            return Err(format!(
                "rows have {} features, the model takes {}",
                ds.n_features(),
                self.inputs()
            ));
        }
        if ds.n_outputs() != self.outputs() {
            return Err(format!(
                "targets need {} outputs, the model has {}",
                ds.n_outputs(),
                self.outputs()
            ));
        }
        Ok(())
    }

    fn first_non_finite_output(&self, batch: &Batch<T>) -> Option<usize> {
        let tape = Tape::new();
        let mut ctx = ForwardCtx::eval();
        let mut bad = None;
        tape.no_grad(|| {
            let p = Mlp::params(self).bind(&tape);
            let x = tape.constant_slice(batch.features(), batch.feature_shape());
            let _ = self.forward_layers(&p, x, &mut ctx, |i, h| {
                let finite = h.with_data(|d, _| d.iter().all(|v| v.is_finite()));
                if !finite {
                    bad = Some(i);
                }
                finite
            });
        });
        bad
    }
}

impl<T: Float, M: Module<T>> Network<T> for Model<T, M> {
    fn params(&self) -> &Params<T> {
        Model::params(self)
    }

    fn params_mut(&mut self) -> &mut Params<T> {
        Model::params_mut(self)
    }

    #[track_caller]
    fn forward<'t>(&self, p: &Bound<'t, T>, x: Var<'t, T>, ctx: &mut ForwardCtx<T>) -> Var<'t, T> {
        Model::forward(self, p, x, ctx)
    }

    fn commit(&mut self, ctx: &mut ForwardCtx<T>) {
        Model::commit(self, ctx);
    }

    fn buffer_values(&self) -> &[T] {
        self.buffers().values()
    }

    fn buffer_values_mut(&mut self) -> &mut [T] {
        self.buffers_mut().values_mut()
    }

    /// One group per module that owns parameters: the names up to the last
    /// dot (`0` for `0.weight` and `0.bias`).
    fn groups(&self) -> Vec<ParamGroup> {
        let mut groups: Vec<ParamGroup> = Vec::new();
        for (name, info) in Model::params(self).iter() {
            let module = name.rsplit_once('.').map_or("", |(m, _)| m);
            match groups.last_mut() {
                Some(g) if g.name == module => g.range.end = info.range().end,
                _ => groups.push(ParamGroup {
                    name: module.to_string(),
                    units: info.shape.dims().first().copied().unwrap_or(1),
                    range: info.range(),
                }),
            }
        }
        groups
    }

    fn check_data(&self, _ds: &Dataset<T>) -> Result<(), String> {
        // A module's input width is only known to its forward pass, whose
        // shape checks name the op and both shapes.
        Ok(())
    }

    fn first_non_finite_output(&self, _batch: &Batch<T>) -> Option<usize> {
        None
    }
}
