//! 2-D average pooling (`torch.nn.functional.avg_pool2d`, floor mode).
//!
//! Average pooling is linear, so its derivative is its adjoint (each
//! window's gradient spread evenly over the window's input elements), and
//! the adjoint's derivative is the pooling again. One op, pooling or
//! spreading, serves every order.

use super::pool_window::Window;
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Shape, Tape, Var};

/// Calls `f(k, i, 1/divisor)` for every input element `i` of window `k`
/// over a `big`-shaped input. The divisor is the full window (`kH·kW`)
/// with `count_include_pad`, else the number of input elements in it.
fn weights<T: Float>(
    win: &Window,
    big: &Shape,
    include_pad: bool,
    mut f: impl FnMut(usize, usize, T),
) {
    let w = Window::width(big);
    win.for_each(big, |k, plane, rows, cols| {
        let n = if include_pad {
            win.area()
        } else {
            rows.len() * cols.len()
        };
        let share = T::one() / T::from_f64(n as f64);
        for r in rows {
            for i in plane + r * w + cols.start..plane + r * w + cols.end {
                f(k, i, share);
            }
        }
    });
}

impl<'t, T: Float> Var<'t, T> {
    /// Records the pooling (`spread` false) of `self`, or the spreading of
    /// `self` back over a `shape`-sized input.
    fn avg_pool_node(
        self,
        spread: bool,
        include_pad: bool,
        win: Window,
        shape: Shape,
    ) -> Var<'t, T> {
        let big = if spread { shape.clone() } else { self.shape() };
        let x = self.id;
        let op = AvgPool {
            x,
            spread,
            include_pad,
            win,
        };
        self.tape.record(op.into(), shape, |v, o| {
            let s = v.val(x);
            if spread {
                weights(&win, &big, include_pad, |k, i, a: T| o[i] += s[k] * a);
            } else {
                weights(&win, &big, include_pad, |k, i, a: T| o[k] += s[i] * a);
            }
        })
    }

    /// Average pooling over the last two axes of `[N, C, H, W]` (or `[C,
    /// H, W]`): `torch.nn.functional.avg_pool2d(x, kernel, stride, padding,
    /// ceil_mode=False, count_include_pad)`. `y[n, c, i, j]` is the sum of
    /// the window starting at `(i·s₀ − p₀, j·s₁ − p₁)` (padding adds 0)
    /// divided by `kH·kW` when `count_include_pad`, else by the number of
    /// input elements in the window. Output size `⌊(H + 2p − k)/s⌋ + 1`.
    ///
    /// Derivative: linear, so each window's gradient is spread over its
    /// input elements with the same weight `1/divisor`; overlapping
    /// windows accumulate. No kinks; the second derivative is 0.
    ///
    /// # Panics
    /// As [`max_pool2d`](Var::max_pool2d).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [1, 1, 2, 2]));
    /// let y = x.avg_pool2d([2, 2], [1, 1], [1, 1], false);
    /// assert_eq!(y.value().data(), &[1.0, 1.5, 2.0, 2.0, 2.5, 3.0, 3.0, 3.5, 4.0]);
    /// let z = x.avg_pool2d([2, 2], [2, 2], [0, 0], true);
    /// assert_eq!(z.sum().backward()[x].data(), &[0.25, 0.25, 0.25, 0.25]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn avg_pool2d(
        self,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
        count_include_pad: bool,
    ) -> Var<'t, T> {
        let xs = self.shape();
        let (win, out) = Window::checked("avg_pool2d", &xs, kernel, stride, padding);
        self.avg_pool_node(false, count_include_pad, win, out)
    }
}

/// Average pooling of `x`, or (`spread`) its adjoint: `x` spread back over
/// the windows' inputs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct AvgPool {
    x: NodeId,
    spread: bool,
    include_pad: bool,
    win: Window,
}

impl Rule for AvgPool {
    fn name(&self) -> &'static str {
        if self.spread {
            "avg_pool2d_backward"
        } else {
            "avg_pool2d"
        }
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let big = if self.spread {
            v.shape(id)
        } else {
            v.shape(self.x)
        };
        if let Some(gx) = gb.acc(v, self.x) {
            if self.spread {
                weights(&self.win, big, self.include_pad, |k, i, a: T| {
                    gx[k] += g[i] * a
                });
            } else {
                weights(&self.win, big, self.include_pad, |k, i, a: T| {
                    gx[i] += g[k] * a
                });
            }
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let xs = tape.shape_of(self.x);
        acc(
            self.x,
            g.avg_pool_node(!self.spread, self.include_pad, self.win, xs),
        );
    }
}
