//! Softmax and log-softmax over the last axis, both computed after
//! subtracting each row's maximum so that logits of ±1e4 give exact
//! results instead of inf/NaN.
//!
//! softmax:     yᵢ = e^(xᵢ−m) / Σⱼ e^(xⱼ−m),   ∂L/∂x = y ⊙ (g − Σ g⊙y)
//! log_softmax: yᵢ = xᵢ − m − log Σⱼ e^(xⱼ−m), ∂L/∂x = g − eʸ ⊙ Σ g

use super::stable::row_logsumexp;
use super::{Acc, Inputs, Rule};
use crate::tape::GradBuffers;
use crate::tape::{NodeId, Values};
use crate::Tape;
use crate::{Float, Var};

/// Row length (size of the last axis) of a node, panicking on 0-d values.
#[track_caller]
fn row_len<T: Float>(x: &Var<'_, T>, op: &str) -> usize {
    let s = x.shape();
    assert!(
        s.rank() >= 1,
        "tapegrad: {op}: needs at least one axis, got shape {s} (at {})",
        std::panic::Location::caller()
    );
    chunk_len(s.dims()[s.rank() - 1])
}

/// The chunk length that walks rows of `c` elements. With `c = 0` the
/// tensor is empty, and any nonzero length walks no row (`chunks_exact`
/// refuses 0).
fn chunk_len(c: usize) -> usize {
    c.max(1)
}

impl<'t, T: Float> Var<'t, T> {
    /// Softmax over the last axis: every row sums to 1.
    ///
    /// # Panics
    /// On a 0-d value.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![1e4, -1e4, 0.0, 1.0, 2.0], [1, 5]));
    /// assert_eq!(x.softmax().value().data(), &[1.0, 0.0, 0.0, 0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn softmax(self) -> Var<'t, T> {
        let c = row_len(&self, "softmax");
        let x = self.id;
        self.tape
            .record(Softmax { x }.into(), self.shape(), |v, o| {
                for (row, out) in v.val(x).chunks_exact(c).zip(o.chunks_exact_mut(c)) {
                    let m = row.iter().copied().fold(T::neg_infinity(), T::max);
                    let mut s = T::zero();
                    for (o, &xi) in out.iter_mut().zip(row) {
                        *o = (xi - m).exp();
                        s += *o;
                    }
                    out.iter_mut().for_each(|o| *o /= s);
                }
            })
    }

    /// Log-softmax over the last axis: `x − logsumexp(x)` per row.
    ///
    /// # Panics
    /// On a 0-d value.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant(Tensor::from_vec(vec![1e4, -1e4, 0.0, 1.0, 2.0], [5]));
    /// assert_eq!(x.log_softmax().value().data(), &[0.0, -2e4, -1e4, -9999.0, -9998.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn log_softmax(self) -> Var<'t, T> {
        let c = row_len(&self, "log_softmax");
        let x = self.id;
        self.tape
            .record(LogSoftmax { x }.into(), self.shape(), |v, o| {
                for (row, out) in v.val(x).chunks_exact(c).zip(o.chunks_exact_mut(c)) {
                    let (m, lse) = row_logsumexp(row);
                    for (o, &xi) in out.iter_mut().zip(row) {
                        *o = xi - m - lse;
                    }
                }
            })
    }
}

fn last_dim<T: Float>(v: &Values<'_, T>, id: NodeId) -> usize {
    let s = v.shape(id);
    chunk_len(s.dims()[s.rank() - 1])
}

fn softmax_backward<T: Float>(
    id: NodeId,
    x: NodeId,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let c = last_dim(v, id);
    let y = v.val(id);
    if let Some(gx) = gb.acc(v, x) {
        for ((gx, y), g) in gx
            .chunks_exact_mut(c)
            .zip(y.chunks_exact(c))
            .zip(g.chunks_exact(c))
        {
            let dot: T = y.iter().zip(g).map(|(&a, &b)| a * b).sum();
            for i in 0..c {
                gx[i] += y[i] * (g[i] - dot);
            }
        }
    }
}

fn log_softmax_backward<T: Float>(
    id: NodeId,
    x: NodeId,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let c = last_dim(v, id);
    let y = v.val(id);
    if let Some(gx) = gb.acc(v, x) {
        for ((gx, y), g) in gx
            .chunks_exact_mut(c)
            .zip(y.chunks_exact(c))
            .zip(g.chunks_exact(c))
        {
            let total: T = g.iter().copied().sum();
            for i in 0..c {
                gx[i] += g[i] - y[i].exp() * total;
            }
        }
    }
}

/// `y ⊙ (g − Σ g⊙y)` with recorded ops.
fn softmax_backward_graph<'t, T: Float>(y: Var<'t, T>, g: Var<'t, T>) -> Var<'t, T> {
    y * (g - (g * y).sum_axis(-1, true))
}

/// `g − eʸ ⊙ Σ g` with recorded ops.
fn log_softmax_backward_graph<'t, T: Float>(y: Var<'t, T>, g: Var<'t, T>) -> Var<'t, T> {
    g - y.exp() * g.sum_axis(-1, true)
}

/// Softmax of `x` over its last axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Softmax {
    x: NodeId,
}

impl Rule for Softmax {
    fn name(&self) -> &'static str {
        "softmax"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        softmax_backward(id, self.x, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        id: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        acc(self.x, softmax_backward_graph(Var::new(tape, id), g));
    }
}

/// Log-softmax of `x` over its last axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LogSoftmax {
    x: NodeId,
}

impl Rule for LogSoftmax {
    fn name(&self) -> &'static str {
        "log_softmax"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        log_softmax_backward(id, self.x, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        id: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        acc(self.x, log_softmax_backward_graph(Var::new(tape, id), g));
    }
}
