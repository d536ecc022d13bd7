//! 2-D max pooling (`torch.nn.functional.max_pool2d`, dilation 1, floor
//! mode).
//!
//! Max pooling picks one element per window: the first maximum in
//! row-major order (NaN counts as the maximum), with padding never picked.
//! Given the picks, pooling is a gather and its derivative the matching
//! scatter, each the other's adjoint; the picks are a function of the
//! input that is constant almost everywhere, so they get no gradient. One
//! op, gathering or scattering `src` at the picks of `key`, serves every
//! order: `max_pool2d(x)` is the gather of `x` at its own picks.

use super::pool_window::Window;
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Shape, Tape, Var};

/// Calls `f(k, i)` with the flat index `i` into `key` (`big`-shaped) of
/// the element window `k` picks: PyTorch's scan, which starts from the
/// window's first element at −∞ and moves on a strictly larger value or a
/// NaN.
fn picks<T: Float>(win: &Window, key: &[T], big: &Shape, mut f: impl FnMut(usize, usize)) {
    let w = Window::width(big);
    win.for_each(big, |k, plane, rows, cols| {
        let mut best = (T::neg_infinity(), plane + rows.start * w + cols.start);
        for r in rows {
            let start = plane + r * w + cols.start;
            for (i, &e) in key[start..start + cols.len()].iter().enumerate() {
                if e > best.0 || e.is_nan() {
                    best = (e, start + i);
                }
            }
        }
        f(k, best.1);
    });
}

impl<'t, T: Float> Var<'t, T> {
    /// Records the gather (`scatter` false) or scatter of `self` at the
    /// picks of `key`; `shape` is the result's.
    fn max_pool_pick(
        self,
        key: Var<'t, T>,
        scatter: bool,
        win: Window,
        shape: Shape,
    ) -> Var<'t, T> {
        let big = key.shape();
        let (src, key) = (self.id, key.id);
        let op = MaxPool {
            src,
            key,
            scatter,
            win,
        };
        self.tape.record(op.into(), shape, |v, o| {
            let s = v.val(src);
            if scatter {
                picks(&win, v.val(key), &big, |k, i| o[i] += s[k]);
            } else {
                picks(&win, v.val(key), &big, |k, i| o[k] = s[i]);
            }
        })
    }

    /// Max pooling over the last two axes of `[N, C, H, W]` (or `[C, H,
    /// W]`): `torch.nn.functional.max_pool2d(x, kernel, stride, padding)`
    /// with dilation 1 and floor mode. `y[n, c, i, j]` is the maximum of the
    /// window of `kernel` elements starting at `(i·s₀ − p₀, j·s₁ − p₁)`;
    /// padding acts as −∞ and is never picked. Output size `⌊(H + 2p −
    /// k)/s⌋ + 1`.
    ///
    /// Derivative: each window's gradient goes entirely to one element —
    /// on ties, the FIRST maximum in row-major window order (PyTorch's
    /// rule; not shared as in [`amax`](Var::amax)); NaN counts as the
    /// maximum. Overlapping windows accumulate. The second derivative is 0.
    ///
    /// # Panics
    /// When the input is not 3-d or 4-d or its image is empty, kernel or
    /// stride is 0 (or any parameter above 65535), padding exceeds half the
    /// kernel, or the kernel exceeds
    /// the padded input; the message names the shape, the window and the
    /// caller's line.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 3.0, 3.0, 0.0], [1, 1, 2, 2]));
    /// let y = x.max_pool2d([2, 2], [2, 2], [0, 0]);
    /// assert_eq!(y.value().data(), &[3.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.0, 1.0, 0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn max_pool2d(
        self,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> Var<'t, T> {
        let xs = self.shape();
        let (win, out) = Window::checked("max_pool2d", &xs, kernel, stride, padding);
        self.max_pool_pick(self, false, win, out)
    }
}

/// The gather (or, with `scatter`, scatter-add) of `src` at the elements
/// the max-pooling windows pick in `key`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct MaxPool {
    src: NodeId,
    key: NodeId,
    scatter: bool,
    win: Window,
}

impl Rule for MaxPool {
    fn name(&self) -> &'static str {
        if self.scatter {
            "max_pool2d_backward"
        } else {
            "max_pool2d"
        }
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.src, self.key])
    }
    fn backward<T: Float>(&self, _: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let (key, big) = (v.val(self.key), v.shape(self.key));
        if let Some(gs) = gb.acc(v, self.src) {
            if self.scatter {
                picks(&self.win, key, big, |k, i| gs[k] += g[i]);
            } else {
                picks(&self.win, key, big, |k, i| gs[i] += g[k]);
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
        let (src, key) = (Var::new(tape, self.src), Var::new(tape, self.key));
        if src.requires_grad() {
            acc(
                self.src,
                g.max_pool_pick(key, !self.scatter, self.win, src.shape()),
            );
        }
    }
}
