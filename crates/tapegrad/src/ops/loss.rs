//! Losses, fused for speed and numerical stability, each with its own
//! rule (a fused op never drops a gradient). All reduce by the mean.
//!
//! mse:           L = mean((p − t)²)                   ∂L/∂p = 2(p − t)/N, ∂L/∂t = −∂L/∂p
//! cross_entropy: L = mean_i(logsumexp(xᵢ) − xᵢ[tᵢ])   ∂L/∂x = (softmax(x) − onehot(t))/N
//! bce_with_logits: L = mean(softplus(x) − x·t)       ∂L/∂x = (σ(x) − t)/N, ∂L/∂t = −x/N

use super::stable::{row_logsumexp, sigmoid, softplus};
use super::{Acc, Inputs, Link, Rule};
use crate::tape::GradBuffers;
use crate::tape::{NodeId, Values};
use crate::Tape;
use crate::{Float, Shape, Var};

impl<'t, T: Float> Var<'t, T> {
    /// Mean squared error `mean((self − target)²)`, a 0-d scalar. Both
    /// operands get gradients (`2(p − t)/N` and its negative).
    ///
    /// # Panics
    /// When the shapes differ (no silent broadcasting of a loss).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let p = tape.param(Tensor::from_vec(vec![1.0, 3.0], [2]));
    /// let t = tape.constant(Tensor::from_vec(vec![0.0, 0.0], [2]));
    /// let l = p.mse(t);
    /// assert_eq!(l.item(), 5.0);
    /// assert_eq!(l.backward()[p].data(), &[1.0, 3.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn mse(self, target: Var<'t, T>) -> Var<'t, T> {
        self.same_tape(&target, "mse");
        let (sp, st) = (self.shape(), target.shape());
        assert!(
            sp == st,
            "tapegrad: mse: prediction shape {sp} differs from target shape {st} (at {})",
            std::panic::Location::caller()
        );
        let (p, t) = (self.id, target.id);
        self.tape
            .record(Mse { p, t }.into(), Shape::scalar(), |v, o| {
                let s: T = v
                    .val(p)
                    .iter()
                    .zip(v.val(t))
                    .map(|(&a, &b)| (a - b) * (a - b))
                    .sum();
                o[0] = s / T::from_f64(sp.numel() as f64);
            })
    }

    /// Mean cross-entropy of logits `[N, C]` against class indices
    /// (`targets.len() == N`, each `< C`), computed as
    /// `logsumexp(row) − row[target]` so that ±1e4 logits stay exact.
    ///
    /// # Panics
    /// When the logits are not 2-D, the target count differs from N, or a
    /// target is not a class index.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![0.0, 0.0, 1e4, -1e4], [2, 2]));
    /// let l = x.cross_entropy(&[1, 0]);
    /// assert_eq!(l.item(), 2f64.ln() / 2.0);
    /// let g = l.backward();
    /// assert_eq!(g[x].data(), &[0.25, -0.25, 0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn cross_entropy(self, targets: &[usize]) -> Var<'t, T> {
        let s = self.shape();
        assert!(
            s.rank() == 2 && s.dims()[0] == targets.len(),
            "tapegrad: cross_entropy: logits of shape {s} need shape [N, C] with N = {} targets (at {})",
            targets.len(),
            std::panic::Location::caller()
        );
        let c = s.dims()[1];
        if let Some((i, &t)) = targets.iter().enumerate().find(|&(_, &t)| t >= c) {
            panic!(
                "tapegrad: cross_entropy: target {t} of row {i} is not a class of {c} (at {})",
                std::panic::Location::caller()
            );
        }
        // Class indices stay integers (in the tape's links, like gather's
        // indices): as floats, an f32 index above 2²⁴ would name another class.
        let targets = self.tape.link_indices(targets.len(), |i| targets[i]);
        let x = self.id;
        self.tape.record(
            CrossEntropy { x, targets }.into(),
            Shape::scalar(),
            |v, o| {
                let mut total = T::zero();
                let ts = targets.get(v.links);
                // `[0, 0]` logits have no row; chunks_exact refuses 0.
                for (row, &ti) in v.val(x).chunks_exact(c.max(1)).zip(ts) {
                    let (m, lse) = row_logsumexp(row);
                    total += m + lse - row[ti as usize];
                }
                o[0] = total / T::from_f64(ts.len() as f64);
            },
        )
    }

    /// Mean binary cross-entropy of logits against targets in `[0, 1]` of
    /// the same shape: `mean(softplus(x) − x·t)`. Its gradient is exactly
    /// `(σ(x) − t)/N`, also at x = 0.
    ///
    /// # Panics
    /// When the shapes differ.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![0.0, 0.0], [2]));
    /// let t = tape.constant(Tensor::from_vec(vec![1.0, 0.0], [2]));
    /// let l = x.binary_cross_entropy_with_logits(t);
    /// assert_eq!(l.backward()[x].data(), &[-0.25, 0.25]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn binary_cross_entropy_with_logits(self, target: Var<'t, T>) -> Var<'t, T> {
        self.same_tape(&target, "binary_cross_entropy_with_logits");
        let (sx, st) = (self.shape(), target.shape());
        assert!(
            sx == st,
            "tapegrad: binary_cross_entropy_with_logits: logits shape {sx} differs from target shape {st} (at {})",
            std::panic::Location::caller()
        );
        let (x, t) = (self.id, target.id);
        self.tape
            .record(BceWithLogits { x, t }.into(), Shape::scalar(), |v, o| {
                let s: T = v
                    .val(x)
                    .iter()
                    .zip(v.val(t))
                    .map(|(&a, &b)| softplus(a) - a * b)
                    .sum();
                o[0] = s / T::from_f64(sx.numel() as f64);
            })
    }
}

/// A class index stored as a float in the targets node.
#[inline]
fn inv_n<T: Float>(v: &Values<'_, T>, x: NodeId, g: &[T]) -> T {
    g[0] / T::from_f64(v.shape(x).numel() as f64)
}

fn mse_backward<T: Float>(
    p: NodeId,
    t: NodeId,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let k = inv_n(v, p, g) * T::from_f64(2.0);
    let (pv, tv) = (v.val(p), v.val(t));
    if let Some(gp) = gb.acc(v, p) {
        for i in 0..gp.len() {
            gp[i] += k * (pv[i] - tv[i]);
        }
    }
    if let Some(gt) = gb.acc(v, t) {
        for i in 0..gt.len() {
            gt[i] -= k * (pv[i] - tv[i]);
        }
    }
}

fn cross_entropy_backward<T: Float>(
    x: NodeId,
    targets: Link,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let rows = v.shape(x).dims()[0];
    let c = v.shape(x).dims()[1];
    let k = g[0] / T::from_f64(rows as f64);
    let (xv, tv) = (v.val(x), targets.get(v.links));
    if let Some(gx) = gb.acc(v, x) {
        let c = c.max(1); // `[0, 0]` logits have no row
        for ((row, gr), &ti) in xv.chunks_exact(c).zip(gx.chunks_exact_mut(c)).zip(tv) {
            let (m, lse) = row_logsumexp(row);
            for (gi, &xi) in gr.iter_mut().zip(row) {
                *gi += k * (xi - m - lse).exp();
            }
            gr[ti as usize] -= k;
        }
    }
}

fn bce_backward<T: Float>(
    x: NodeId,
    t: NodeId,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let k = inv_n(v, x, g);
    let (xv, tv) = (v.val(x), v.val(t));
    if let Some(gx) = gb.acc(v, x) {
        for i in 0..gx.len() {
            gx[i] += k * (sigmoid(xv[i]) - tv[i]);
        }
    }
    if let Some(gt) = gb.acc(v, t) {
        for i in 0..gt.len() {
            gt[i] -= k * xv[i];
        }
    }
}

fn mse_backward_graph<'t, T: Float>(
    p: Var<'t, T>,
    t: Var<'t, T>,
    g: Var<'t, T>,
    acc: Acc<'_, 't, T>,
) {
    let n = T::from_f64(p.numel() as f64);
    let dp = (p - t) * g.mul_scalar(T::from_f64(2.0)).div_scalar(n);
    if p.requires_grad() {
        acc(p.id, dp);
    }
    if t.requires_grad() {
        acc(t.id, -dp);
    }
}

fn cross_entropy_backward_graph<'t, T: Float>(
    x: Var<'t, T>,
    targets: Link,
    g: Var<'t, T>,
    acc: Acc<'_, 't, T>,
) {
    let xs = x.shape();
    let (rows, c) = (xs.dims()[0], xs.dims()[1]);
    let targets = targets.get(&x.tape.inner.borrow().links).to_vec();
    let onehot = x.tape.constant_slice_from_fn(rows * c, |i| {
        if targets[i / c] as usize == i % c {
            T::one()
        } else {
            T::zero()
        }
    });
    let onehot = onehot.reshape(xs);
    acc(
        x.id,
        (x.softmax() - onehot) * g.div_scalar(T::from_f64(rows as f64)),
    );
}

fn bce_backward_graph<'t, T: Float>(
    x: Var<'t, T>,
    t: Var<'t, T>,
    g: Var<'t, T>,
    acc: Acc<'_, 't, T>,
) {
    let k = g.div_scalar(T::from_f64(x.numel() as f64));
    if x.requires_grad() {
        acc(x.id, (x.sigmoid() - t) * k);
    }
    if t.requires_grad() {
        acc(t.id, -(x * k));
    }
}

/// `mean((p − t)²)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Mse {
    p: NodeId,
    t: NodeId,
}

impl Rule for Mse {
    fn name(&self) -> &'static str {
        "mse"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.p, self.t])
    }
    fn backward<T: Float>(&self, _: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        mse_backward(self.p, self.t, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let (p, t) = (Var::new(tape, self.p), Var::new(tape, self.t));
        mse_backward_graph(p, t, g, acc);
    }
}

/// Mean cross-entropy of logits `x` `[N, C]` and the class indices kept
/// in the tape's links.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CrossEntropy {
    x: NodeId,
    targets: Link,
}

impl Rule for CrossEntropy {
    fn name(&self) -> &'static str {
        "cross_entropy"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, _: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        cross_entropy_backward(self.x, self.targets, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        cross_entropy_backward_graph(Var::new(tape, self.x), self.targets, g, acc);
    }
}

/// Mean binary cross-entropy of logits `x` and targets `t` in `[0, 1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BceWithLogits {
    x: NodeId,
    t: NodeId,
}

impl Rule for BceWithLogits {
    fn name(&self) -> &'static str {
        "binary_cross_entropy_with_logits"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x, self.t])
    }
    fn backward<T: Float>(&self, _: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        bce_backward(self.x, self.t, g, v, gb);
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let (x, t) = (Var::new(tape, self.x), Var::new(tape, self.t));
        bce_backward_graph(x, t, g, acc);
    }
}
