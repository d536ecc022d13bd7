//! The multilayer perceptron: hidden Linear layers each followed by an
//! activation (and optionally dropout), and a Linear output without
//! activation — exactly a PyTorch `nn.Sequential`, with the same parameter
//! names.

use crate::activation::{torch_activation, ActParams};
use crate::context::ForwardCtx;
use crate::layers::{Dropout, Linear};
use crate::module::{Cx, Module};
use crate::params::{Bound, Params};
use crate::{Activation, Init};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::marker::PhantomData;
use std::ops::Range;
use tapegrad::{Float, Tape, Tensor, Var};

/// One hidden layer as declared in the builder.
#[derive(Clone, Debug)]
struct HiddenSpec {
    units: usize,
    activation: Activation,
    init: Option<Init>,
    bias: f64,
    dropout: Option<Dropout>,
}

/// Declares an [`Mlp`] layer by layer; [`output`](MlpBuilder::output)
/// creates it with seeded initial weights.
///
/// Modifiers (`init`, `bias`, `dropout`, `alpha_dropout`) apply to the
/// hidden layer declared last.
///
/// ```
/// use tapegrad_nn::{Activation, Init, Mlp};
/// let mlp: Mlp<f32> = Mlp::new(64)
///     .hidden(128, Activation::Relu).bias(0.01)      // slightly positive against dead units
///     .hidden(64, Activation::Selu).alpha_dropout(0.05)
///     .hidden(32, Activation::Tanh).init(Init::XavierNormal)
///     .seed(7)
///     .output(10);
/// assert_eq!(mlp.sizes(), vec![64, 128, 64, 32, 10]);
/// assert_eq!(mlp.params().numel(), 64 * 128 + 128 + 128 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10);
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct MlpBuilder<T: Float> {
    inputs: usize,
    hidden: Vec<HiddenSpec>,
    seed: u64,
    output_init: Init,
    _t: PhantomData<T>,
}

impl<T: Float> MlpBuilder<T> {
    /// Appends a hidden layer of `units` units followed by `activation`,
    /// initialized with the activation's [default](Activation::default_init)
    /// and zero biases.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(3).hidden(5, Activation::Mish).output(1);
    /// assert_eq!(mlp.layers()[0].activation(), Some(Activation::Mish));
    /// ```
    pub fn hidden(mut self, units: usize, activation: Activation) -> Self {
        self.hidden.push(HiddenSpec {
            units,
            activation,
            init: None,
            bias: 0.0,
            dropout: None,
        });
        self
    }

    /// Overrides the weight initializer of the last hidden layer.
    ///
    /// # Panics
    /// When no hidden layer was declared yet.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f64> = Mlp::new(3).hidden(2, Activation::Relu).init(Init::Constant(0.5)).output(1);
    /// assert_eq!(mlp.params().tensor("0.weight").unwrap().data(), &[0.5; 6]);
    /// ```
    #[track_caller]
    pub fn init(mut self, init: Init) -> Self {
        self.last("init").init = Some(init);
        self
    }

    /// Starts every bias of the last hidden layer at `value` (e.g. 0.01 for
    /// relu units, against dead units).
    ///
    /// # Panics
    /// When no hidden layer was declared yet.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f64> = Mlp::new(3).hidden(2, Activation::Relu).bias(0.1).output(1);
    /// assert_eq!(mlp.params().tensor("0.bias").unwrap().data(), &[0.1, 0.1]);
    /// ```
    #[track_caller]
    pub fn bias(mut self, value: f64) -> Self {
        self.last("bias").bias = value;
        self
    }

    /// Adds dropout with probability `p` after the last hidden layer's
    /// activation (a PyTorch `nn.Dropout` module).
    ///
    /// # Panics
    /// When no hidden layer was declared yet, or p is not in `[0, 1)`.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(3).hidden(4, Activation::Relu).dropout(0.5).output(1);
    /// assert_eq!(mlp.layers()[1].module_index(), 3); // Linear, ReLU, Dropout, Linear
    /// ```
    #[track_caller]
    pub fn dropout(mut self, p: f64) -> Self {
        assert!(
            (0.0..1.0).contains(&p),
            "tapegrad-nn: dropout probability {p} is not in [0, 1)"
        );
        self.last("dropout").dropout = Some(Dropout::Standard(p));
        self
    }

    /// Adds alpha dropout (for SELU) with probability `p` after the last
    /// hidden layer's activation (a PyTorch `nn.AlphaDropout` module).
    ///
    /// # Panics
    /// When no hidden layer was declared yet, or p is not in `[0, 1)`.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(3).hidden(4, Activation::Selu).alpha_dropout(0.05).output(1);
    /// assert_eq!(mlp.layers()[0].dropout(), Some(tapegrad_nn::Dropout::Alpha(0.05)));
    /// ```
    #[track_caller]
    pub fn alpha_dropout(mut self, p: f64) -> Self {
        assert!(
            (0.0..1.0).contains(&p),
            "tapegrad-nn: dropout probability {p} is not in [0, 1)"
        );
        self.last("alpha_dropout").dropout = Some(Dropout::Alpha(p));
        self
    }

    /// The seed of the initial weights (default 0).
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let a: Mlp<f32> = Mlp::new(3).hidden(4, Activation::Relu).seed(1).output(1);
    /// let b: Mlp<f32> = Mlp::new(3).hidden(4, Activation::Relu).seed(1).output(1);
    /// assert_eq!(a.params().values(), b.params().values());
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The output layer's initializer (default LeCun normal: unit gain,
    /// as for a linear unit).
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(3).hidden(4, Activation::Relu).output_init(Init::Constant(0.0)).output(2);
    /// assert!(mlp.params().tensor("2.weight").unwrap().data().iter().all(|&w| w == 0.0));
    /// ```
    pub fn output_init(mut self, init: Init) -> Self {
        self.output_init = init;
        self
    }

    /// Adds the output layer of `outputs` units (no activation) and creates
    /// the network, drawing every weight from one generator seeded with
    /// [`seed`](MlpBuilder::seed), layer by layer.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(3).output(2); // no hidden layer: a linear model
    /// assert_eq!(mlp.sizes(), vec![3, 2]);
    /// ```
    #[must_use]
    pub fn output(self, outputs: usize) -> Mlp<T> {
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut params = Params::new();
        let mut layers = Vec::with_capacity(self.hidden.len() + 1);
        let mut module = 0;
        let mut fan_in = self.inputs;
        for h in &self.hidden {
            let init = h.init.unwrap_or_else(|| h.activation.default_init());
            let linear = Linear::new(
                &mut params,
                &format!("{module}."),
                fan_in,
                h.units,
                init,
                h.bias,
                &mut rng,
            );
            let act_params =
                h.activation
                    .push_params(&format!("{}.", module + 1), h.units, &mut params);
            layers.push(Layer {
                linear,
                module,
                activation: Some((h.activation, act_params)),
                dropout: h.dropout,
            });
            module += if h.dropout.is_some() { 3 } else { 2 };
            fan_in = h.units;
        }
        let linear = Linear::new(
            &mut params,
            &format!("{module}."),
            fan_in,
            outputs,
            self.output_init,
            0.0,
            &mut rng,
        );
        layers.push(Layer {
            linear,
            module,
            activation: None,
            dropout: None,
        });
        Mlp { params, layers }
    }

    // A `match`, not `unwrap_or_else`: a panic inside a closure would name
    // this file instead of the caller's line.
    #[track_caller]
    fn last(&mut self, what: &str) -> &mut HiddenSpec {
        match self.hidden.last_mut() {
            Some(h) => h,
            None => {
                panic!("tapegrad-nn: MlpBuilder::{what} needs a hidden layer declared before it")
            }
        }
    }
}

/// One Linear layer of an [`Mlp`] with what follows it.
///
/// ```
/// use tapegrad_nn::{Activation, Init, Mlp};
///
/// let mlp: Mlp<f32> = Mlp::new(3).hidden(4, Activation::Relu).output(2);
/// let out = &mlp.layers()[1];
/// assert_eq!((out.activation(), out.module_index()), (None, 2));
/// ```
#[derive(Clone, Debug)]
pub struct Layer {
    linear: Linear,
    module: usize,
    activation: Option<(Activation, ActParams)>,
    dropout: Option<Dropout>,
}

impl Layer {
    /// The Linear part.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(3).hidden(4, Activation::Relu).output(2);
    /// assert_eq!(mlp.layers()[0].linear().out_features(), 4);
    /// ```
    #[must_use]
    pub fn linear(&self) -> &Linear {
        &self.linear
    }

    /// The activation after it (`None` for the output layer).
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(3).hidden(4, Activation::Tanh).output(2);
    /// assert_eq!(mlp.layers()[0].activation(), Some(Activation::Tanh));
    /// ```
    #[must_use]
    pub fn activation(&self) -> Option<Activation> {
        self.activation.as_ref().map(|a| a.0)
    }

    /// The dropout after the activation, if any.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(3).hidden(4, Activation::Tanh).output(2);
    /// assert_eq!(mlp.layers()[0].dropout(), None);
    /// ```
    #[must_use]
    pub fn dropout(&self) -> Option<Dropout> {
        self.dropout
    }

    /// Index of the Linear module in the equivalent PyTorch `nn.Sequential`
    /// (the prefix of its parameter names).
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(3).hidden(4, Activation::Tanh).hidden(4, Activation::Tanh).output(2);
    /// let idx: Vec<usize> = mlp.layers().iter().map(|l| l.module_index()).collect();
    /// assert_eq!(idx, [0, 2, 4]);
    /// ```
    #[must_use]
    pub fn module_index(&self) -> usize {
        self.module
    }

    /// `"2: Linear(64, 128) + relu"`: the layer as the diagnostics name it.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(64).hidden(128, Activation::Relu).output(10);
    /// assert_eq!(mlp.layers()[0].describe(), "0: Linear(64, 128) + relu");
    /// assert_eq!(mlp.layers()[1].describe(), "2: Linear(128, 10)");
    /// ```
    #[must_use]
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}: Linear({}, {})",
            self.module,
            self.linear.in_features(),
            self.linear.out_features()
        );
        if let Some((a, _)) = &self.activation {
            s.push_str(&format!(" + {}", a.name()));
        }
        s
    }
}

/// A multilayer perceptron whose parameters live in one flat [`Params`]
/// store, named as PyTorch's `nn.Sequential` names them.
///
/// **Threads:** `Mlp` is `Send` and `Sync`: it owns its buffers and binds
/// them onto a tape only for the length of a forward pass, so one trained
/// model can [`predict`](Mlp::predict) from several threads at once.
///
/// ```
/// use tapegrad::{Gradients, Tape, Tensor};
/// use tapegrad_nn::{Activation, ForwardCtx, Mlp};
/// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Tanh).output(1);
/// let names: Vec<&str> = mlp.params().iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["0.weight", "0.bias", "2.weight", "2.bias"]);
///
/// // One training step by hand: bind, forward, backward, store gradients.
/// let mut tape = Tape::new();
/// let mut grads = Gradients::new();
/// let mut ctx = ForwardCtx::train(0);
/// tape.clear();
/// let p = mlp.params().bind(&tape);
/// let x = tape.constant(Tensor::from_vec(vec![0.5, -1.0], [1, 2]));
/// let y = tape.constant(Tensor::from_vec(vec![1.0], [1, 1]));
/// let loss = mlp.forward(&p, x, &mut ctx).mse(y);
/// loss.backward_into(&mut grads);
/// mlp.params_mut().store_grads(&p, &grads);
/// assert!(mlp.params().grads().iter().any(|&g| g != 0.0));
/// ```
#[derive(Clone, Debug)]
pub struct Mlp<T: Float> {
    params: Params<T>,
    layers: Vec<Layer>,
}

impl<T: Float> Mlp<T> {
    /// Starts declaring a network with `inputs` input features.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f64> = Mlp::new(4).hidden(8, Activation::Relu).output(3);
    /// assert_eq!(mlp.inputs(), 4);
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new(inputs: usize) -> MlpBuilder<T> {
        MlpBuilder {
            inputs,
            hidden: Vec::new(),
            seed: 0,
            output_init: Init::LecunNormal,
            _t: PhantomData,
        }
    }

    /// The parameters.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(4).hidden(8, Activation::Relu).output(3);
    /// assert_eq!(mlp.params().len(), 4);
    /// ```
    #[must_use]
    pub fn params(&self) -> &Params<T> {
        &self.params
    }

    /// The parameters, mutable (for optimizers and loading).
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mut mlp: Mlp<f32> = Mlp::new(1).output(1);
    /// mlp.params_mut().values_mut().fill(2.0);
    /// assert_eq!(mlp.predict(&tapegrad::Tensor::ones([1, 1])).data(), &[4.0]); // 2·1 + 2
    /// ```
    #[must_use]
    pub fn params_mut(&mut self) -> &mut Params<T> {
        &mut self.params
    }

    /// The Linear layers with their activations, the output layer last.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(4).hidden(8, Activation::Relu).hidden(8, Activation::Relu).output(3);
    /// assert_eq!(mlp.layers().len(), 3);
    /// ```
    #[must_use]
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Widths from input to output, e.g. `[64, 128, 64, 10]`.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(4).hidden(8, Activation::Relu).output(3);
    /// assert_eq!(mlp.sizes(), vec![4, 8, 3]);
    /// ```
    #[must_use]
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![self.layers[0].linear.in_features()];
        s.extend(self.layers.iter().map(|l| l.linear.out_features()));
        s
    }

    /// Number of input features.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(4).hidden(8, Activation::Relu).output(3);
    /// assert_eq!(mlp.inputs(), 4);
    /// ```
    #[must_use]
    pub fn inputs(&self) -> usize {
        self.layers[0].linear.in_features()
    }

    /// Number of outputs.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Init, Mlp};
    ///
    /// let mlp: Mlp<f32> = Mlp::new(4).hidden(8, Activation::Relu).output(3);
    /// assert_eq!(mlp.outputs(), 3);
    /// ```
    #[must_use]
    pub fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].linear.out_features()
    }

    /// The flat range of layer `layer`'s parameters: its weight, its bias
    /// and its activation's parameters (for per-layer gradient norms).
    ///
    /// # Panics
    /// When `layer` is out of range.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Mlp};
    /// let mlp: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Swish).output(1);
    /// assert_eq!(mlp.layer_range(0), 0..10); // 6 weights, 3 biases, 1 beta
    /// assert_eq!(mlp.layer_range(1), 10..14);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn layer_range(&self, layer: usize) -> Range<usize> {
        let l = &self.layers[layer];
        let last = match &l.activation {
            Some((_, ids)) if !ids.is_empty() => ids[ids.len() - 1],
            _ => l.linear.bias(),
        };
        self.params.info(l.linear.weight()).offset..self.params.info(last).range().end
    }

    /// The forward pass on `x` (`[N, inputs]`) with parameters `p` bound on
    /// the same tape: logits `[N, outputs]`. Dropout follows `ctx`'s mode;
    /// activation statistics are recorded when `ctx` collects them.
    ///
    /// # Panics
    /// When `x` is not `[N, inputs]`, or `p` was bound from another model.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// use tapegrad_nn::{Activation, ForwardCtx, Mlp};
    /// let mlp: Mlp<f32> = Mlp::new(4).hidden(8, Activation::Relu).dropout(0.5).output(3);
    /// let tape = Tape::new();
    /// let p = mlp.params().bind(&tape);
    /// let x = tape.constant(Tensor::ones([2, 4]));
    /// let train = mlp.forward(&p, x, &mut ForwardCtx::train(0)); // dropout active
    /// let eval = mlp.forward(&p, x, &mut ForwardCtx::eval());    // dropout off
    /// assert_eq!(train.shape(), eval.shape());
    /// assert_eq!(eval.value(), mlp.predict(&Tensor::ones([2, 4])));
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
            "tapegrad-nn: Mlp::forward: the bound parameters belong to another model"
        );
        self.forward_layers(p, x, ctx, |_, _| true)
    }

    /// The forward pass, calling `on_layer(i, output)` after every layer;
    /// stops early (returning that layer's output) when it returns `false`.
    #[track_caller]
    pub(crate) fn forward_layers<'t>(
        &self,
        p: &Bound<'t, T>,
        x: Var<'t, T>,
        ctx: &mut ForwardCtx<T>,
        mut on_layer: impl FnMut(usize, Var<'t, T>) -> bool,
    ) -> Var<'t, T> {
        // The layers are modules; an MLP has no buffers.
        let no_buffers = Params::new();
        let mut cx = Cx::new(p, &no_buffers, ctx);
        let mut h = x;
        for (i, layer) in self.layers.iter().enumerate() {
            h = match &layer.activation {
                Some((act, ids)) => {
                    // Bias and activation as one node, unless the statistics
                    // need the pre-activation.
                    let fused = act.fused().filter(|_| cx.ctx().stats().is_none());
                    let a = match fused {
                        Some(f) => layer.linear.call_act(h, &mut cx, f),
                        None => {
                            let z = layer.linear.call(h, &mut cx);
                            let vars: smallvec::SmallVec<[Var<'t, T>; 3]> =
                                ids.iter().map(|&id| cx.param(id)).collect();
                            let a = act.apply(z, &vars);
                            cx.ctx().observe(i, *act, z, a);
                            a
                        }
                    };
                    match layer.dropout {
                        Some(d) => d.call(a, &mut cx),
                        None => a,
                    }
                }
                None => layer.linear.call(h, &mut cx),
            };
            if !on_layer(i, h) {
                break;
            }
        }
        h
    }

    /// The outputs for the rows of `x` (`[N, inputs]`), in evaluation mode,
    /// on a fresh tape with no gradients recorded.
    ///
    /// # Panics
    /// When `x` is not `[N, inputs]`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::{Activation, Mlp};
    /// let mlp: Mlp<f32> = Mlp::new(4).hidden(8, Activation::Relu).output(3);
    /// assert_eq!(mlp.predict(&Tensor::zeros([5, 4])).shape().dims(), &[5, 3]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn predict(&self, x: &Tensor<T>) -> Tensor<T> {
        // Checked here, outside the `no_grad` closure, where `#[track_caller]`
        // still knows the caller's line.
        let dims = x.shape().dims();
        assert!(
            dims.len() == 2 && dims[1] == self.inputs(),
            "tapegrad-nn: Mlp::predict: input of shape {} but the model takes [N, {}]",
            x.shape(),
            self.inputs()
        );
        let tape = Tape::new();
        let mut ctx = ForwardCtx::eval();
        tape.no_grad(|| {
            let p = self.params.bind(&tape);
            self.forward(
                &p,
                tape.constant_slice(x.data(), x.shape().clone()),
                &mut ctx,
            )
            .value()
        })
    }

    /// The PyTorch module that has the same parameters (names, shapes and
    /// function), as Python source.
    ///
    /// ```
    /// use tapegrad_nn::{Activation, Mlp};
    /// let mlp: Mlp<f32> = Mlp::new(4).hidden(8, Activation::Relu).dropout(0.1).output(3);
    /// assert_eq!(
    ///     mlp.torch_equivalent(),
    ///     "nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 3))"
    /// );
    /// ```
    #[must_use]
    pub fn torch_equivalent(&self) -> String {
        let mut parts = Vec::new();
        for l in &self.layers {
            parts.push(format!(
                "nn.Linear({}, {})",
                l.linear.in_features(),
                l.linear.out_features()
            ));
            if let Some((a, _)) = &l.activation {
                parts.push(torch_activation(*a, l.linear.out_features()));
            }
            if let Some(d) = l.dropout {
                parts.push(format!("nn.{}({})", d.torch_name(), d.p()));
            }
        }
        format!("nn.Sequential({})", parts.join(", "))
    }
}
