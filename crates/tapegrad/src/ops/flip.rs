//! Reversal of the elements along axes; its own adjoint.

use super::along::{resolve_axis, Along};
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Tape, Var};

/// Adds `src` reversed along each lane into `dst`.
fn reversed<T: Float>(src: &[T], dst: &mut [T], along: Along) {
    along.lanes(|_, base| {
        for (i, j) in along.lane(base).zip(along.lane(base).rev()) {
            dst[i] += src[j];
        }
    });
}

impl<'t, T: Float> Var<'t, T> {
    /// The elements in reverse order along each axis of `dims` (negative
    /// counts from the end; `[]` returns the value as is): `torch.flip`.
    /// The gradient is the upstream gradient flipped back.
    ///
    /// # Panics
    /// When an axis is out of range.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [2, 2]));
    /// assert_eq!(x.flip(&[-1]).value().data(), &[2.0, 1.0, 4.0, 3.0]);
    /// assert_eq!(x.flip(&[0, 1]).value().data(), &[4.0, 3.0, 2.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn flip(self, dims: &[isize]) -> Var<'t, T> {
        let xs = self.shape();
        let mut y = self;
        for &d in dims {
            y = y.flip_axis(resolve_axis(&xs, d, "flip") as u32);
        }
        y
    }

    #[track_caller]
    fn flip_axis(self, axis: u32) -> Var<'t, T> {
        let x = self.id;
        let xs = self.shape();
        let along = Along::of(&xs, Some(axis));
        self.tape.record(Flip { x, axis }.into(), xs, |v, o| {
            reversed(v.val(x), o, along)
        })
    }
}

/// `x` reversed along one axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Flip {
    x: NodeId,
    axis: u32,
}

impl Rule for Flip {
    fn name(&self) -> &'static str {
        "flip"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, _: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let along = Along::of(v.shape(self.x), Some(self.axis));
        if let Some(gx) = gb.acc(v, self.x) {
            reversed(g, gx, along);
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        _: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        acc(self.x, g.flip_axis(self.axis));
    }
}
