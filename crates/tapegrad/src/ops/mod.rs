//! Every differentiable operation, one family per module.
//!
//! A family module holds, side by side, the `Var` method that records the
//! op, its forward kernel, its backward rule as a fast kernel over slices,
//! and the same rule written with recorded ops (for gradients of
//! gradients). This file only names the ops and dispatches to their rules:
//! the reverse walk in [`crate::backward`] makes exactly one call per node.

pub(crate) mod binary;
pub(crate) mod layout;
pub(crate) mod loss;
pub(crate) mod matmul;
pub(crate) mod microkernel;
pub(crate) mod reduce;
pub(crate) mod softmax;
pub(crate) mod swish;
pub(crate) mod unary;

use crate::tape::GradBuffers;
use crate::tape::{NodeId, Values};
use crate::{Float, Tape, Var};
use smallvec::{smallvec, SmallVec};

pub(crate) use binary::BinaryOp;
pub(crate) use reduce::ReduceOp;
pub(crate) use unary::UnaryOp;

/// What produced a node. Small and `Copy`: parameters live inline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    /// A parameter, constant, or value computed under `no_grad`.
    Leaf,
    /// Elementwise `a ∘ b` with broadcasting.
    Binary(BinaryOp, NodeId, NodeId),
    /// Elementwise `f(x)`.
    Unary(UnaryOp, NodeId),
    /// `x·σ(β·x)` with a trainable β.
    Swish(NodeId, NodeId),
    /// `op(a)·op(b)`, with each operand optionally read transposed.
    Matmul {
        a: NodeId,
        b: NodeId,
        ta: bool,
        tb: bool,
    },
    /// Sum or mean over all elements (`None`) or one axis.
    Reduce(ReduceOp, NodeId, Option<u8>),
    /// Sum of a broadcast value back to this node's (smaller) shape.
    SumTo(NodeId),
    /// Repetition of a value to this node's (larger) shape.
    BroadcastTo(NodeId),
    /// Swap of two axes.
    Transpose(NodeId, u8, u8),
    /// Same elements, new shape.
    Reshape(NodeId),
    /// Softmax over the last axis.
    Softmax(NodeId),
    /// Log-softmax over the last axis.
    LogSoftmax(NodeId),
    /// `mean((pred − target)²)`.
    Mse(NodeId, NodeId),
    /// Mean cross-entropy of logits `[N, C]` and class indices `[N]`.
    CrossEntropy(NodeId, NodeId),
    /// Mean binary cross-entropy of logits and targets in `[0, 1]`.
    BceWithLogits(NodeId, NodeId),
}

impl Op {
    /// The nodes this op reads.
    pub(crate) fn inputs(&self) -> SmallVec<[NodeId; 2]> {
        match *self {
            Op::Leaf => SmallVec::new(),
            Op::Unary(_, x)
            | Op::Reduce(_, x, _)
            | Op::SumTo(x)
            | Op::BroadcastTo(x)
            | Op::Transpose(x, _, _)
            | Op::Reshape(x)
            | Op::Softmax(x)
            | Op::LogSoftmax(x) => smallvec![x],
            Op::Binary(_, a, b)
            | Op::Swish(a, b)
            | Op::Matmul { a, b, .. }
            | Op::Mse(a, b)
            | Op::CrossEntropy(a, b)
            | Op::BceWithLogits(a, b) => smallvec![a, b],
        }
    }

    /// The op's name, as error messages and anomaly reports print it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Op::Leaf => "leaf",
            Op::Binary(k, ..) => k.name(),
            Op::Unary(k, _) => k.name(),
            Op::Swish(..) => "swish",
            Op::Matmul { .. } => "matmul",
            Op::Reduce(k, ..) => k.name(),
            Op::SumTo(_) => "sum_to",
            Op::BroadcastTo(_) => "broadcast_to",
            Op::Transpose(..) => "transpose",
            Op::Reshape(_) => "reshape",
            Op::Softmax(_) => "softmax",
            Op::LogSoftmax(_) => "log_softmax",
            Op::Mse(..) => "mse",
            Op::CrossEntropy(..) => "cross_entropy",
            Op::BceWithLogits(..) => "binary_cross_entropy_with_logits",
        }
    }

    /// Fast backward rule: adds this node's contribution `g` (its gradient)
    /// into the gradient buffers of its inputs.
    pub(crate) fn backward<T: Float>(
        &self,
        id: NodeId,
        g: &[T],
        v: &Values<'_, T>,
        gb: &mut GradBuffers<T>,
    ) {
        match *self {
            Op::Leaf => {}
            Op::Binary(k, a, b) => binary::backward(k, id, a, b, g, v, gb),
            Op::Unary(k, x) => unary::backward(k, id, x, g, v, gb),
            Op::Swish(x, beta) => swish::backward(x, beta, g, v, gb),
            Op::Matmul { a, b, ta, tb } => matmul::backward(id, a, b, ta, tb, g, v, gb),
            Op::Reduce(k, x, axis) => reduce::backward(k, x, axis, g, v, gb),
            Op::SumTo(x) => reduce::sum_to_backward(id, x, g, v, gb),
            Op::BroadcastTo(x) => reduce::broadcast_to_backward(id, x, g, v, gb),
            Op::Transpose(x, d0, d1) => layout::transpose_backward(id, x, d0, d1, g, v, gb),
            Op::Reshape(x) => layout::reshape_backward(x, g, v, gb),
            Op::Softmax(x) => softmax::softmax_backward(id, x, g, v, gb),
            Op::LogSoftmax(x) => softmax::log_softmax_backward(id, x, g, v, gb),
            Op::Mse(p, t) => loss::mse_backward(p, t, g, v, gb),
            Op::CrossEntropy(x, t) => loss::cross_entropy_backward(x, t, g, v, gb),
            Op::BceWithLogits(x, t) => loss::bce_backward(x, t, g, v, gb),
        }
    }

    /// The same rule expressed with recorded ops, so that the gradients it
    /// produces are themselves differentiable. Calls `acc(input, grad)` for
    /// every input that requires a gradient.
    pub(crate) fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        id: NodeId,
        g: Var<'t, T>,
        acc: &mut dyn FnMut(NodeId, Var<'t, T>),
    ) {
        let var = |i: NodeId| Var::new(tape, i);
        let y = var(id);
        match *self {
            Op::Leaf => {}
            Op::Binary(k, a, b) => binary::backward_graph(k, var(a), var(b), y, g, acc),
            Op::Unary(k, x) => acc(x, k.backward_graph(g, var(x), y)),
            Op::Swish(x, beta) => swish::backward_graph(var(x), var(beta), g, acc),
            Op::Matmul { a, b, ta, tb } => matmul::backward_graph(var(a), var(b), ta, tb, g, acc),
            Op::Reduce(k, x, axis) => acc(x, reduce::backward_graph(k, var(x), axis, g)),
            Op::SumTo(x) => acc(x, g.broadcast_to(var(x).shape())),
            Op::BroadcastTo(x) => acc(x, g.sum_to(var(x).shape())),
            Op::Transpose(x, d0, d1) => acc(x, g.transpose(d0 as isize, d1 as isize)),
            Op::Reshape(x) => acc(x, g.reshape(var(x).shape())),
            Op::Softmax(x) => acc(x, softmax::softmax_backward_graph(y, g)),
            Op::LogSoftmax(x) => acc(x, softmax::log_softmax_backward_graph(y, g)),
            Op::Mse(p, t) => loss::mse_backward_graph(var(p), var(t), g, acc),
            Op::CrossEntropy(x, t) => loss::cross_entropy_backward_graph(var(x), var(t), g, acc),
            Op::BceWithLogits(x, t) => loss::bce_backward_graph(var(x), var(t), g, acc),
        }
    }
}
