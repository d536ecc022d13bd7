//! The op of a node that no other node produced: a parameter, a constant,
//! or a value computed under `no_grad`. Gradients stop here.

use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Tape, Var};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Leaf;

impl Rule for Leaf {
    fn name(&self) -> &'static str {
        "leaf"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[])
    }
    fn backward<T: Float>(&self, _: NodeId, _: &[T], _: &Values<'_, T>, _: &mut GradBuffers<T>) {}
    fn backward_graph<'t, T: Float>(
        &self,
        _: &'t Tape<T>,
        _: NodeId,
        _: Var<'t, T>,
        _: Acc<'_, 't, T>,
    ) {
    }
}
