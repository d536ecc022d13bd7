//! `amax` / `amin` over any axes, and `argmax` / `argmin`.
//!
//! Ties follow `torch.amax`: the k extreme elements of a lane share its
//! gradient equally (1/k each). The derivative is the constant share
//! pattern, so the recorded rule multiplies `g` by a constant and every
//! second derivative is 0.

use super::along::{constant_from, reduction, resolve_axis, spread, Along};
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::tensor::{Axes, Indices};
use crate::{Float, Shape, Tape, Var};

/// The largest (or, for `min`, smallest) element of a lane; NaN wins, as
/// in PyTorch.
fn extreme<T: Float>(x: &[T], lane: impl Iterator<Item = usize>, min: bool) -> (T, usize) {
    let mut best: Option<(T, usize)> = None;
    for i in lane {
        let e = x[i];
        best = match best {
            None => Some((e, i)),
            Some((b, _)) if b.is_nan() => best,
            Some((b, _)) if e.is_nan() || (if min { e < b } else { e > b }) => Some((e, i)),
            keep => keep,
        };
    }
    best.expect("lanes of an extreme are never empty")
}

/// Writes each element's share of its lane's gradient: 1/k on the k
/// elements equal to the lane's extreme `y`, 0 elsewhere.
fn shares<T: Float>(x: &[T], y: &[T], along: Along, mut put: impl FnMut(usize, usize, T)) {
    along.lanes(|k, base| {
        let ties = along.lane(base).filter(|&i| x[i] == y[k]).count();
        let share = T::one() / T::from_f64(ties as f64);
        for i in along.lane(base) {
            if x[i] == y[k] {
                put(k, i, share);
            }
        }
    });
}

impl<'t, T: Float> Var<'t, T> {
    #[track_caller]
    fn extreme_over(self, axes: Axes, keepdim: bool, min: bool) -> Var<'t, T> {
        let name = if min { "amin" } else { "amax" };
        let r = reduction(self, &axes, keepdim, name);
        if r.n == 0 {
            panic!(
                "tapegrad: {name}: cannot reduce over an empty axis of shape {} (at {})",
                self.shape(),
                std::panic::Location::caller()
            );
        }
        let x = r.x.id;
        let along = Along::of(&r.x.shape(), r.axis);
        let op = ReduceMax {
            x,
            axis: r.axis,
            min,
        };
        self.tape.record(op.into(), r.out, |v, o| {
            let xv = v.val(x);
            along.lanes(|k, base| o[k] = extreme(xv, along.lane(base), min).0);
        })
    }

    /// The largest element over `axes` (one axis, a list, or [`Axes::All`];
    /// negative axes count from the end), keeping the reduced axes as 1 when
    /// `keepdim`: `torch.amax`.
    ///
    /// Derivative: 1 for the maximum of each reduced lane. Ties share it
    /// equally: each of the k maximal elements gets 1/k (PyTorch's
    /// `amax`). NaN propagates. The second derivative is 0.
    ///
    /// # Panics
    /// When an axis is out of range or repeated, or a reduced axis is
    /// empty (the maximum of nothing is undefined).
    ///
    /// ```
    /// use tapegrad::{Axes, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 3.0, 3.0, 0.0, 2.0, -1.0], [2, 3]));
    /// let m = x.amax(-1, false);
    /// assert_eq!(m.value().data(), &[3.0, 2.0]);
    /// assert_eq!(m.sum().backward()[x].data(), &[0.0, 0.5, 0.5, 0.0, 1.0, 0.0]);
    /// assert_eq!(x.amax(Axes::All, true).shape().dims(), &[1, 1]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn amax(self, axes: impl Into<Axes>, keepdim: bool) -> Var<'t, T> {
        self.extreme_over(axes.into(), keepdim, false)
    }

    /// The smallest element over `axes`: `torch.amin`. Ties share the
    /// gradient equally, as in [`amax`](Var::amax).
    ///
    /// # Panics
    /// As [`amax`](Var::amax).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, -2.0, -2.0, 5.0], [4]));
    /// let m = x.amin(0, false);
    /// assert_eq!(m.item(), -2.0);
    /// assert_eq!(m.backward()[x].data(), &[0.0, 0.5, 0.5, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn amin(self, axes: impl Into<Axes>, keepdim: bool) -> Var<'t, T> {
        self.extreme_over(axes.into(), keepdim, true)
    }

    #[track_caller]
    fn arg_extreme(self, axis: Option<isize>, keepdim: bool, min: bool) -> Indices {
        let name = if min { "argmin" } else { "argmax" };
        let xs = self.shape();
        let axis = axis.map(|a| resolve_axis(&xs, a, name) as u32);
        let along = Along::of(&xs, axis);
        if along.n == 0 {
            panic!(
                "tapegrad: {name}: cannot reduce over an empty axis of shape {xs} (at {})",
                std::panic::Location::caller()
            );
        }
        let out = match axis {
            Some(a) => xs.reduced(a as usize, keepdim),
            None if keepdim => Shape::ones(xs.rank()),
            None => Shape::scalar(),
        };
        let data = self.with_data(|xv, _| {
            let mut idx = vec![0; along.outer * along.inner];
            along.lanes(|k, base| {
                // The position along the axis (or in the flat tensor).
                idx[k] = (extreme(xv, along.lane(base), min).1 - base) / along.inner;
            });
            idx
        });
        Indices::new(data, out)
    }

    /// The index of the largest element along `axis` (`None`: of the
    /// flattened tensor), as integers: `torch.argmax`. The first maximum
    /// wins a tie; NaN counts as the maximum. Indices carry no gradient.
    ///
    /// # Panics
    /// When the axis is out of range or empty.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![1.0, 7.0, 7.0, 4.0, 0.0, 9.0], [2, 3]));
    /// assert_eq!(x.argmax(Some(1), false).data(), &[1, 2]);
    /// assert_eq!(x.argmax(None, false).data(), &[5]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn argmax(self, axis: Option<isize>, keepdim: bool) -> Indices {
        self.arg_extreme(axis, keepdim, false)
    }

    /// The index of the smallest element along `axis` (`None`: of the
    /// flattened tensor): `torch.argmin`. The first minimum wins a tie.
    ///
    /// # Panics
    /// When the axis is out of range or empty.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![3.0, 1.0, 1.0], [3]));
    /// assert_eq!(x.argmin(Some(0), true).data(), &[1]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn argmin(self, axis: Option<isize>, keepdim: bool) -> Indices {
        self.arg_extreme(axis, keepdim, true)
    }
}

/// The maximum (or minimum) of `x` over one axis or all.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ReduceMax {
    x: NodeId,
    axis: Option<u32>,
    min: bool,
}

impl Rule for ReduceMax {
    fn name(&self) -> &'static str {
        if self.min {
            "amin"
        } else {
            "amax"
        }
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let along = Along::of(v.shape(self.x), self.axis);
        let (xv, y) = (v.val(self.x), v.val(id));
        if let Some(gx) = gb.acc(v, self.x) {
            shares(xv, y, along, |k, i, s| gx[i] += g[k] * s);
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        id: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let xs = tape.shape_of(self.x);
        let along = Along::of(&xs, self.axis);
        let x = self.x;
        let share = constant_from(tape, xs.clone(), |v, o| {
            shares(v.val(x), v.val(id), along, |_, i, s| o[i] = s);
        });
        acc(self.x, spread(g, &xs, self.axis) * share);
    }
}
