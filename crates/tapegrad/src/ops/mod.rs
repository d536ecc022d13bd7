//! Every differentiable operation, and the one list of them.
//!
//! An op is a small `Copy` value (its inputs' node ids and its parameters)
//! that implements [`Rule`]: its name, its inputs, its fused backward over
//! slices and its recorded backward over `Var`s, written in its family's
//! file next to its forward. [`op_list!`] below is the only place that names
//! every op: it generates the [`Op`] enum a node stores and the one dispatch
//! per walk. Adding a family is one file and one line in that list.

pub(crate) mod activation;
pub(crate) mod along;
pub(crate) mod arith;
pub(crate) mod avg_pool;
pub(crate) mod basic;
pub(crate) mod bias_act;
pub(crate) mod binary;
pub(crate) mod binary_math;
pub(crate) mod calc;
pub(crate) mod compare;
pub(crate) mod concat;
pub(crate) mod conv;
pub(crate) mod cosine;
pub(crate) mod cumsum;
pub(crate) mod custom;
pub(crate) mod embedding;
pub(crate) mod flip;
pub(crate) mod im2col;
pub(crate) mod index;
pub(crate) mod layout;
pub(crate) mod leaf;
pub(crate) mod logsumexp;
pub(crate) mod loss;
pub(crate) mod mask;
pub(crate) mod math;
pub(crate) mod matmul;
pub(crate) mod max_pool;
pub(crate) mod microkernel;
pub(crate) mod minmax;
pub(crate) mod moments;
pub(crate) mod nll;
pub(crate) mod norm;
pub(crate) mod normalization;
pub(crate) mod permute;
pub(crate) mod pool_window;
pub(crate) mod prelu;
pub(crate) mod prod;
pub(crate) mod reduce;
pub(crate) mod reduce_max;
pub(crate) mod reduction;
pub(crate) mod regression_loss;
pub(crate) mod select;
pub(crate) mod slice;
pub(crate) mod softmax;
pub(crate) mod stable;
pub(crate) mod swish;
pub(crate) mod unary;

use crate::tape::grad_buffers::ScalarLane;
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Tape, Var};
use custom::CustomOp;
use std::ops::Deref;
use std::sync::Arc;

/// Where a recorded rule hands each input's gradient contribution: called
/// once per input that requires a gradient, summed by the walk.
pub(crate) type Acc<'a, 't, T> = &'a mut dyn FnMut(NodeId, Var<'t, T>);

/// The input nodes of one op: up to three inline, or a run of the tape's
/// `links` for ops of any arity (`cat`, `stack`, user-defined ops).
pub(crate) enum Inputs<'a> {
    Inline([NodeId; 3], u8),
    Linked(&'a [NodeId]),
}

impl<'a> Inputs<'a> {
    /// Up to three inputs stored in the op itself.
    #[inline]
    pub(crate) fn of(ids: &[NodeId]) -> Inputs<'a> {
        let mut fixed = [0; 3];
        fixed[..ids.len()].copy_from_slice(ids);
        Inputs::Inline(fixed, ids.len() as u8)
    }
}

impl Deref for Inputs<'_> {
    type Target = [NodeId];
    #[inline]
    fn deref(&self) -> &[NodeId] {
        match self {
            Inputs::Inline(ids, n) => &ids[..*n as usize],
            Inputs::Linked(ids) => ids,
        }
    }
}

/// Where an op of any arity finds its inputs in the tape's `links`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Link {
    start: u32,
    len: u32,
}

impl Link {
    /// The linked input ids.
    #[inline]
    pub(crate) fn get(self, links: &[NodeId]) -> &[NodeId] {
        &links[self.start as usize..(self.start + self.len) as usize]
    }
}

impl<T: Float> Tape<T> {
    /// Stores `ids` as the inputs of an op about to be recorded.
    pub(crate) fn link(&self, ids: &[NodeId]) -> Link {
        let mut inner = self.inner.borrow_mut();
        let start = inner.links.len() as u32;
        inner.links.extend_from_slice(ids);
        Link {
            start,
            len: ids.len() as u32,
        }
    }
}

/// What every op defines.
pub(crate) trait Rule: Copy {
    /// The op's name, as error messages, anomaly reports and graph
    /// printing show it.
    fn name(&self) -> &'static str;

    /// The nodes this op reads, in order. An op with more inputs than fit
    /// inline keeps them in the tape's `links` (see [`Link`]).
    fn inputs<'a>(&'a self, links: &'a [NodeId]) -> Inputs<'a>;

    /// Fused backward: adds this node's contribution, given its gradient
    /// `g`, into the gradient buffers of its inputs (`gb.acc(v, input)` is
    /// `None` for an input that needs none).
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>);

    /// [`backward`](Rule::backward) of a 0-d node with gradient `g` into
    /// the scalar lane, for the elementwise families, which run their `vjp`
    /// on one element here, inlined into the walk over 0-d nodes. Returns
    /// `false`, doing nothing, for every other op: the walk then runs its
    /// general rule.
    #[inline(always)]
    fn backward_scalar<T: Float>(
        &self,
        _id: NodeId,
        _g: T,
        _v: &Values<'_, T>,
        _lane: &mut ScalarLane<'_, T>,
    ) -> bool {
        false
    }

    /// Recorded backward: the same rule with recorded ops, so that the
    /// gradients it produces can be differentiated again. Calls `acc(input,
    /// contribution)` for the inputs that require a gradient.
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        id: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    );
}

/// Generates [`Op`] (one variant per op, holding the op's own value), a
/// `From` for each, and [`Op`]'s dispatch of every [`Rule`] method.
macro_rules! op_list {
    ($( $(#[$meta:meta])* $variant:ident($rule:ty), )+) => {
        /// What produced a node. Small and `Copy`: parameters live inline.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub(crate) enum Op {
            $( $(#[$meta])* $variant($rule), )+
        }

        $( impl From<$rule> for Op {
            #[inline]
            fn from(r: $rule) -> Op {
                Op::$variant(r)
            }
        } )+

        impl Op {
            #[inline]
            pub(crate) fn name(&self) -> &'static str {
                match self { $( Op::$variant(r) => r.name(), )+ }
            }

            #[inline]
            pub(crate) fn inputs<'a>(&'a self, links: &'a [NodeId]) -> Inputs<'a> {
                match self { $( Op::$variant(r) => r.inputs(links), )+ }
            }

            #[inline]
            pub(crate) fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
                match self { $( Op::$variant(r) => r.backward(id, g, v, gb), )+ }
            }

            #[inline(always)]
            pub(crate) fn backward_scalar<T: Float>(&self, id: NodeId, g: T, v: &Values<'_, T>, lane: &mut ScalarLane<'_, T>) -> bool {
                match self { $( Op::$variant(r) => r.backward_scalar(id, g, v, lane), )+ }
            }

            pub(crate) fn backward_graph<'t, T: Float>(&self, tape: &'t Tape<T>, id: NodeId, g: Var<'t, T>, acc: Acc<'_, 't, T>) {
                match self { $( Op::$variant(r) => r.backward_graph(tape, id, g, acc), )+ }
            }
        }
    };
}

op_list! {
    /// A parameter, constant, or value computed under `no_grad`.
    Leaf(leaf::Leaf),
    /// Arithmetic with a plain number, and powers.
    Arith(unary::Unary<arith::ArithFn>),
    /// exp, log, sqrt, abs, …
    Math(unary::Unary<math::MathFn>),
    /// relu, sigmoid, elu, …
    Activation(unary::Unary<activation::ActivationFn>),
    /// Masks with a zero derivative (`step`, `sign`).
    Mask(unary::Unary<mask::MaskFn>),
    /// `+ − · /` of two broadcast operands.
    Basic(binary::Binary<basic::BasicFn>),
    /// `act(x + b)`: a layer's bias and activation in one node.
    BiasAct(bias_act::BiasAct),
    /// `x·σ(β·x)` with a trainable β.
    Swish(binary::Binary<swish::SwishFn>),
    /// Comparisons `gt ge lt le eq ne`: masks with derivative zero.
    Compare(binary::Binary<compare::CompareFn>),
    /// `maximum`, `minimum` (ties split in half).
    MinMax(binary::Binary<minmax::MinMaxFn>),
    /// `pow` with a tensor exponent, `atan2`.
    BinaryMath(binary::Binary<binary_math::BinaryMathFn>),
    /// PReLU with a trainable slope.
    Prelu(binary::Binary<prelu::PreluFn>),
    /// `where_(cond, a, b)`.
    Where(select::Where),
    /// `op(a)·op(b)`, batched.
    Matmul(matmul::Matmul),
    /// Sum or mean over all elements or one axis.
    Reduce(reduce::Reduce),
    /// Sum of a broadcast value back to a smaller shape.
    SumTo(reduce::SumTo),
    /// Repetition of a value to a larger shape.
    BroadcastTo(reduce::BroadcastTo),
    /// Swap of two axes.
    Transpose(layout::Transpose),
    /// Same elements, new shape.
    Reshape(layout::Reshape),
    /// Softmax over the last axis.
    Softmax(softmax::Softmax),
    /// Log-softmax over the last axis.
    LogSoftmax(softmax::LogSoftmax),
    /// `mean((pred − target)²)`.
    Mse(loss::Mse),
    /// Mean cross-entropy of logits and class indices.
    CrossEntropy(loss::CrossEntropy),
    /// Mean binary cross-entropy of logits and targets in `[0, 1]`.
    BceWithLogits(loss::BceWithLogits),
    /// Maximum or minimum over one axis or all.
    ReduceMax(reduce_max::ReduceMax),
    /// `log Σ exp` over one axis or all.
    LogSumExp(logsumexp::LogSumExp),
    /// Product over one axis or all.
    Prod(prod::Prod),
    /// `√x` with derivative 0 at 0 (std, 2-norm).
    SqrtZeroGrad(moments::SqrtZeroGrad),
    /// Running sum along an axis.
    CumSum(cumsum::CumSum),
    /// Inputs joined along an axis (`cat`, `stack`).
    Cat(concat::Cat),
    /// Strided window along an axis.
    Slice(slice::Slice),
    /// Value written into a constant-filled larger one (`pad`).
    Embed(slice::Embed),
    /// Elements picked by an index along an axis.
    Gather(index::Gather),
    /// Elements added at an index along an axis.
    ScatterAdd(index::ScatterAdd),
    /// Axes reordered.
    Permute(permute::Permute),
    /// Elements reversed along an axis.
    Flip(flip::Flip),
    /// `(x − μ)/√(σ² + ε)` over contiguous rows (layer and batch norm).
    Normalize(normalization::Normalize),
    /// Convolution: output, input gradient or weight gradient.
    Conv(conv::Conv),
    /// Max pooling: gather at the windows' maxima, or scatter back.
    MaxPool(max_pool::MaxPool),
    /// Average pooling, or its adjoint.
    AvgPool(avg_pool::AvgPool),
    /// An op defined outside the crate.
    Custom(custom::Custom),
}

impl Op {
    /// The name to show for this op: the user's own for a custom op.
    pub(crate) fn shown_name<T: Float>(&self, customs: &[Arc<dyn CustomOp<T>>]) -> &'static str {
        match self {
            Op::Custom(c) => c.user_name(customs),
            op => op.name(),
        }
    }
}
