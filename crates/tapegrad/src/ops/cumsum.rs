//! Cumulative sums along an axis. The adjoint of a cumulative sum is the
//! cumulative sum from the other end, so one op with a direction serves
//! both, to every order.

use super::along::{resolve_axis, Along};
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Tape, Var};

/// Adds the running sum of `src` along each lane into `dst` (from the end
/// when `reverse`).
fn running_sum<T: Float>(src: &[T], dst: &mut [T], along: Along, reverse: bool) {
    along.lanes(|_, base| {
        let mut acc = T::zero();
        let mut step = |i: usize| {
            acc += src[i];
            dst[i] += acc;
        };
        if reverse {
            along.lane(base).rev().for_each(&mut step);
        } else {
            along.lane(base).for_each(&mut step);
        }
    });
}

impl<'t, T: Float> Var<'t, T> {
    /// The cumulative sum along `axis` (negative counts from the end; a 0-d
    /// value takes axis 0 or −1 and is returned as is): `torch.cumsum`.
    /// `yᵢ = Σⱼ≤ᵢ xⱼ`.
    ///
    /// Derivative: the upstream gradient summed from the end,
    /// `∂L/∂xⱼ = Σᵢ≥ⱼ gᵢ`; the second derivative is 0.
    ///
    /// # Panics
    /// When the axis is out of range.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0], [3]));
    /// let y = x.cumsum(0);
    /// assert_eq!(y.value().data(), &[1.0, 3.0, 6.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[3.0, 2.0, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn cumsum(self, axis: isize) -> Var<'t, T> {
        let xs = self.shape();
        let axis = if xs.rank() == 0 && (axis == 0 || axis == -1) {
            None
        } else {
            Some(resolve_axis(&xs, axis, "cumsum") as u32)
        };
        self.cumsum_along(axis, false)
    }

    #[track_caller]
    fn cumsum_along(self, axis: Option<u32>, reverse: bool) -> Var<'t, T> {
        let x = self.id;
        let xs = self.shape();
        let along = Along::of(&xs, axis);
        let op = CumSum { x, axis, reverse };
        self.tape.record(op.into(), xs, |v, o| {
            running_sum(v.val(x), o, along, reverse)
        })
    }
}

/// The running sum of `x` along one axis, forward or from the end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CumSum {
    x: NodeId,
    axis: Option<u32>,
    reverse: bool,
}

impl Rule for CumSum {
    fn name(&self) -> &'static str {
        "cumsum"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, _: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let along = Along::of(v.shape(self.x), self.axis);
        if let Some(gx) = gb.acc(v, self.x) {
            running_sum(g, gx, along, !self.reverse);
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        _: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        acc(self.x, g.cumsum_along(self.axis, !self.reverse));
    }
}
