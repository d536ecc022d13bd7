//! `logsumexp` over any axes, computed stably (the lane's maximum is
//! subtracted first) and differentiated as the softmax
//! `exp(x − max) / Σ exp(x − max)`, which stays exact where
//! `exp(x − logsumexp)` would lose the `log n` term to rounding.

use super::along::{constant_from, reduction, spread, Along};
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::tensor::Axes;
use crate::{Float, Tape, Var};

/// The shift of a lane: its maximum, or 0 when that is infinite (all −∞,
/// or a +∞), as PyTorch does, so that `x − shift` is never `∞ − ∞`.
fn shift<T: Float>(x: &[T], lane: impl Iterator<Item = usize>) -> T {
    let m = lane.map(|i| x[i]).fold(T::neg_infinity(), T::max);
    if m.is_infinite() {
        T::zero()
    } else {
        m
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// `log Σ exp(x)` over `axes` (one axis, a list, or [`Axes::All`]),
    /// keeping the reduced axes as 1 when `keepdim`: `torch.logsumexp`.
    /// Computed as `m + log Σ exp(x − m)` with `m` the lane's maximum, so
    /// ±1e4 inputs neither overflow nor underflow. Over an empty axis the
    /// result is −∞.
    ///
    /// Derivative: the softmax of the lane, `exp(x − m) / Σ exp(x − m)`.
    ///
    /// # Panics
    /// When an axis is out of range or repeated.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1e4, 1e4], [2]));
    /// let y = x.logsumexp(0, false);
    /// assert_eq!(y.item(), 1e4 + 2f64.ln());
    /// assert_eq!(y.backward()[x].data(), &[0.5, 0.5]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn logsumexp(self, axes: impl Into<Axes>, keepdim: bool) -> Var<'t, T> {
        let r = reduction(self, &axes.into(), keepdim, "logsumexp");
        let x = r.x.id;
        let along = Along::of(&r.x.shape(), r.axis);
        let op = LogSumExp { x, axis: r.axis };
        self.tape.record(op.into(), r.out, |v, o| {
            let xv = v.val(x);
            along.lanes(|k, base| {
                let m = shift(xv, along.lane(base));
                let s: T = along.lane(base).map(|i| (xv[i] - m).exp()).sum();
                o[k] = m + s.ln();
            });
        })
    }
}

/// `log Σ exp(x)` over one axis of `x`, or all.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LogSumExp {
    x: NodeId,
    axis: Option<u32>,
}

impl Rule for LogSumExp {
    fn name(&self) -> &'static str {
        "logsumexp"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, _: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let along = Along::of(v.shape(self.x), self.axis);
        let xv = v.val(self.x);
        if let Some(gx) = gb.acc(v, self.x) {
            along.lanes(|k, base| {
                let m = shift(xv, along.lane(base));
                let s: T = along.lane(base).map(|i| (xv[i] - m).exp()).sum();
                for i in along.lane(base) {
                    gx[i] += g[k] * (xv[i] - m).exp() / s;
                }
            });
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        // The softmax with a constant shift: shifting cancels in the
        // quotient, so a constant one is exact to every order.
        let xs = tape.shape_of(self.x);
        let along = Along::of(&xs, self.axis);
        let x = self.x;
        let keep = Along::keep_shape(&xs, self.axis);
        let m = constant_from(tape, keep.clone(), |v, o| {
            let xv = v.val(x);
            along.lanes(|k, base| o[k] = shift(xv, along.lane(base)));
        });
        let e = (Var::new(tape, x) - m).exp();
        let total = match self.axis {
            Some(a) => e.sum_axis(a as isize, true),
            None => e.sum().reshape(keep),
        };
        acc(self.x, spread(g, &xs, self.axis) * (e / total));
    }
}
