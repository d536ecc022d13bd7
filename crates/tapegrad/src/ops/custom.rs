//! User-defined ops: a forward and a backward rule written outside the
//! crate (PyTorch's `autograd.Function`, JAX's `custom_vjp`), recorded on the
//! tape as one node like any built-in op, under the user's name.
//!
//! The fused rule ([`CustomOp::backward`]) serves `backward()`; the optional
//! recorded rule ([`CustomOp::backward_graph`]) serves `grad_graph`, so
//! higher orders work too. Without one, `grad_graph` through the op panics
//! naming it — never a silently wrong second derivative.

use super::{Acc, Inputs, Link, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Shape, Tape, Var};
use smallvec::SmallVec;
use std::sync::Arc;

/// An op defined by its user: its output shape, its forward over slices,
/// its backward rule, and optionally its backward rule as recorded ops.
///
/// A `softclip(x) = s·tanh(x/s)` written as a custom op:
///
/// ```
/// use std::sync::Arc;
/// use tapegrad::{BackwardContext, CustomOp, ForwardContext, Shape, Tape, Var};
///
/// struct SoftClip(f64);
/// impl CustomOp<f64> for SoftClip {
///     fn name(&self) -> &'static str {
///         "softclip"
///     }
///     fn output_shape(&self, inputs: &[&Shape]) -> Result<Shape, String> {
///         Ok(inputs[0].clone())
///     }
///     fn forward(&self, cx: &ForwardContext<'_, f64>, out: &mut [f64]) {
///         for (o, &x) in out.iter_mut().zip(cx.input(0)) {
///             *o = self.0 * (x / self.0).tanh();
///         }
///     }
///     fn backward(&self, cx: &mut BackwardContext<'_, f64>) {
///         let (g, y) = (cx.grad(), cx.output());
///         let s = self.0;
///         if let Some(gx) = cx.input_grad(0) {
///             for ((gx, &g), &y) in gx.iter_mut().zip(g).zip(y) {
///                 *gx += g * (1.0 - (y / s) * (y / s)); // d/dx = 1 − tanh²(x/s)
///             }
///         }
///     }
/// }
///
/// let tape = Tape::<f64>::new();
/// let x = tape.scalar(1.0);
/// let op: Arc<dyn CustomOp<f64>> = Arc::new(SoftClip(2.0));
/// let y = tape.custom(&op, &[x]);
/// assert!((y.item() - 2.0 * 0.5f64.tanh()).abs() < 1e-15);
/// let g = y.backward()[x].item();
/// assert!((g - (1.0 - 0.5f64.tanh().powi(2))).abs() < 1e-15);
/// ```
pub trait CustomOp<T: Float>: Send + Sync + 'static {
    /// The op's name, as errors, anomaly reports and graph printing show it.
    fn name(&self) -> &'static str;

    /// The output's shape from the inputs' shapes, or why they do not fit
    /// (the message is reported with the op's name and the caller's line).
    ///
    /// # Errors
    /// A message saying why the inputs do not fit the op.
    fn output_shape(&self, inputs: &[&Shape]) -> Result<Shape, String>;

    /// Writes the output values into `out` (zero-filled, of the output's
    /// size).
    fn forward(&self, cx: &ForwardContext<'_, T>, out: &mut [T]);

    /// Adds `∂L/∂input` for every input that wants a gradient
    /// ([`BackwardContext::input_grad`] is `None` for the others) from
    /// `∂L/∂output` ([`BackwardContext::grad`]). Accumulate with `+=`: an
    /// input may receive gradients from other ops too.
    fn backward(&self, cx: &mut BackwardContext<'_, T>);

    /// The same rule with recorded ops, for gradients of gradients: one
    /// contribution per input (in order), from the upstream gradient `g`,
    /// the inputs and the output as `Var`s. `None` (the default) means the
    /// op has no recorded rule, and `grad_graph` through it panics naming
    /// the op.
    fn backward_graph<'t>(
        &self,
        g: Var<'t, T>,
        inputs: &[Var<'t, T>],
        output: Var<'t, T>,
    ) -> Option<Vec<Var<'t, T>>> {
        let _ = (g, inputs, output);
        None
    }
}

/// What a custom op's forward reads: its inputs' values and shapes.
pub struct ForwardContext<'a, T> {
    values: SmallVec<[&'a [T]; 4]>,
    shapes: SmallVec<[&'a Shape; 4]>,
}

impl<'a, T: Float> ForwardContext<'a, T> {
    fn new(v: &'a Values<'a, T>, ids: &[NodeId]) -> Self {
        ForwardContext {
            values: ids.iter().map(|&i| v.val(i)).collect(),
            shapes: ids.iter().map(|&i| v.shape(i)).collect(),
        }
    }

    /// The values of input `k`, row-major.
    ///
    /// # Panics
    /// When the op has no input `k`.
    ///
    /// See [`CustomOp`] for an example.
    #[must_use]
    pub fn input(&self, k: usize) -> &'a [T] {
        self.values[k]
    }

    /// The shape of input `k`.
    ///
    /// # Panics
    /// When the op has no input `k`.
    ///
    /// ```
    /// # use tapegrad::{ForwardContext, Shape};
    /// fn rows<T: tapegrad::Float>(cx: &ForwardContext<'_, T>) -> usize { cx.shape(0).dims()[0] }
    /// ```
    #[must_use]
    pub fn shape(&self, k: usize) -> &'a Shape {
        self.shapes[k]
    }

    /// Number of inputs.
    ///
    /// ```
    /// # use tapegrad::ForwardContext;
    /// fn arity<T: tapegrad::Float>(cx: &ForwardContext<'_, T>) -> usize { cx.len() }
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the op has no inputs.
    ///
    /// ```
    /// # use tapegrad::ForwardContext;
    /// fn none<T: tapegrad::Float>(cx: &ForwardContext<'_, T>) -> bool { cx.is_empty() }
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// What a custom op's backward reads and writes: the upstream gradient, the
/// inputs, the output, and the gradient buffers of the inputs.
pub struct BackwardContext<'a, T: Float> {
    inputs: ForwardContext<'a, T>,
    ids: &'a [NodeId],
    output: &'a [T],
    grad: &'a [T],
    v: &'a Values<'a, T>,
    gb: &'a mut GradBuffers<T>,
}

impl<'a, T: Float> BackwardContext<'a, T> {
    /// `∂L/∂output`, of the output's size.
    ///
    /// See [`CustomOp`] for an example.
    #[must_use]
    pub fn grad(&self) -> &'a [T] {
        self.grad
    }

    /// The output's values.
    ///
    /// See [`CustomOp`] for an example.
    #[must_use]
    pub fn output(&self) -> &'a [T] {
        self.output
    }

    /// The inputs' values and shapes, as the forward saw them.
    ///
    /// ```
    /// # use tapegrad::BackwardContext;
    /// fn first<'a, T: tapegrad::Float>(cx: &BackwardContext<'a, T>) -> &'a [T] { cx.inputs().input(0) }
    /// ```
    #[must_use]
    pub fn inputs(&self) -> &ForwardContext<'a, T> {
        &self.inputs
    }

    /// The gradient buffer of input `k` to add into, or `None` when no
    /// gradient is wanted for it.
    ///
    /// # Panics
    /// When the op has no input `k`.
    ///
    /// See [`CustomOp`] for an example.
    pub fn input_grad(&mut self, k: usize) -> Option<&mut [T]> {
        self.gb.acc(self.v, self.ids[k])
    }
}

/// The node of a user-defined op: the op, kept in the tape's table, and
/// its inputs, kept in the tape's links.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Custom {
    index: u32,
    link: Link,
}

impl Custom {
    /// The user's name for the op of this node.
    pub(crate) fn user_name<T: Float>(&self, customs: &[Arc<dyn CustomOp<T>>]) -> &'static str {
        customs[self.index as usize].name()
    }
}

impl Rule for Custom {
    fn name(&self) -> &'static str {
        "custom"
    }

    fn inputs<'a>(&'a self, links: &'a [NodeId]) -> Inputs<'a> {
        Inputs::Linked(self.link.get(links))
    }

    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let op = &v.customs[self.index as usize];
        let ids = self.link.get(v.links);
        let mut cx = BackwardContext {
            inputs: ForwardContext::new(v, ids),
            ids,
            output: v.val(id),
            grad: g,
            v,
            gb,
        };
        op.backward(&mut cx);
    }

    #[track_caller]
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        id: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let (op, ids): (Arc<dyn CustomOp<T>>, SmallVec<[NodeId; 4]>) = {
            let inner = tape.inner.borrow();
            (
                inner.customs[self.index as usize].clone(),
                self.link.get(&inner.links).iter().copied().collect(),
            )
        };
        let inputs: SmallVec<[Var<'t, T>; 4]> = ids.iter().map(|&i| Var::new(tape, i)).collect();
        let Some(contributions) = op.backward_graph(g, &inputs, Var::new(tape, id)) else {
            panic!(
                "tapegrad: grad_graph through custom op `{}`: it has no recorded rule \
                 (CustomOp::backward_graph), so its gradient cannot be differentiated",
                op.name()
            )
        };
        assert!(
            contributions.len() == ids.len(),
            "tapegrad: custom op `{}`: backward_graph returned {} gradients for {} inputs",
            op.name(),
            contributions.len(),
            ids.len()
        );
        for (&input, contribution) in ids.iter().zip(contributions) {
            if Var::new(tape, input).requires_grad() {
                acc(input, contribution);
            }
        }
    }
}

impl<T: Float> Tape<T> {
    /// Records a user-defined op applied to `inputs` (see [`CustomOp`]).
    /// Keep one `Arc` per op and pass it every step: recording then clones
    /// the `Arc`, and allocates nothing once the tape's buffers have grown.
    ///
    /// # Panics
    /// When an input is on another tape, or the op's `output_shape` rejects
    /// the inputs (the message names the op and the caller's line).
    ///
    /// See [`CustomOp`] for an example.
    #[must_use]
    #[track_caller]
    pub fn custom<'t>(&'t self, op: &Arc<dyn CustomOp<T>>, inputs: &[Var<'t, T>]) -> Var<'t, T> {
        for x in inputs {
            assert!(
                std::ptr::eq(x.tape, self),
                "tapegrad: custom op `{}`: an input belongs to another tape (at {})",
                op.name(),
                std::panic::Location::caller()
            );
        }
        let ids: SmallVec<[NodeId; 4]> = inputs.iter().map(|x| x.id).collect();
        let shape = {
            let shapes: SmallVec<[Shape; 4]> = inputs.iter().map(|x| x.shape()).collect();
            let refs: SmallVec<[&Shape; 4]> = shapes.iter().collect();
            match op.output_shape(&refs) {
                Ok(s) => s,
                Err(why) => panic!(
                    "tapegrad: custom op `{}`: {why} (at {})",
                    op.name(),
                    std::panic::Location::caller()
                ),
            }
        };
        let link = self.link(&ids);
        let index = {
            let mut inner = self.inner.borrow_mut();
            inner.customs.push(op.clone());
            (inner.customs.len() - 1) as u32
        };
        let op = op.clone();
        self.record(Custom { index, link }.into(), shape, |v, out| {
            op.forward(&ForwardContext::new(v, &ids), out);
        })
    }
}
