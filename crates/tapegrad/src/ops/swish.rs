//! Swish with a trainable β (Ramachandran et al. 2017): `y = x·σ(βx)`.
//! β is a `Var` of its own — a 0-d scalar, or any shape that broadcasts to
//! x, such as one β per unit — and receives a gradient like any parameter.
//!
//! With s = σ(βx):
//!   ∂y/∂x = s + βx·s(1 − s)
//!   ∂y/∂β = x²·s(1 − s)        (summed back to β's shape)

use super::unary::sigmoid;
use super::Op;
use crate::tape::GradBuffers;
use crate::tape::{NodeId, Values};
use crate::tensor::for_each_broadcast2;
use crate::{Float, Var};

impl<'t, T: Float> Var<'t, T> {
    /// `x·σ(β·x)` with `beta` a recorded value that gets a gradient
    /// (β = 1 is SiLU; β → ∞ approaches relu; β = 0 gives x/2).
    ///
    /// # Panics
    /// When β's shape does not broadcast to x's, or β is on another tape.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// let beta = tape.scalar(0.0);
    /// let y = x.swish(beta);
    /// assert_eq!(y.item(), 1.0);                 // 2·σ(0)
    /// let g = y.backward();
    /// assert_eq!(g[x].item(), 0.5);              // σ(0) + 0
    /// assert_eq!(g[beta].item(), 1.0);           // x²·σ(0)·(1−σ(0)) = 4/4
    /// ```
    #[must_use]
    #[track_caller]
    pub fn swish(self, beta: Var<'t, T>) -> Var<'t, T> {
        self.same_tape(&beta, "swish");
        let (xs, bs) = (self.shape(), beta.shape());
        assert!(
            bs.broadcasts_to(&xs),
            "tapegrad: swish: beta of shape {bs} does not broadcast to x of shape {xs} (at {})",
            std::panic::Location::caller()
        );
        let (x, b) = (self.id, beta.id);
        let bstr = bs.broadcast_strides(&xs);
        self.tape.record(Op::Swish(x, b), xs.clone(), |v, o| {
            let (xv, bv) = (v.val(x), v.val(b));
            for_each_broadcast2(&xs, &xs.strides(), &bstr, |i, _, k| {
                o[i] = xv[i] * sigmoid(bv[k] * xv[i])
            });
        })
    }
}

pub(crate) fn backward<T: Float>(
    x: NodeId,
    b: NodeId,
    g: &[T],
    v: &Values<'_, T>,
    gb: &mut GradBuffers<T>,
) {
    let (xv, bv) = (v.val(x), v.val(b));
    let xs = v.shape(x);
    let bstr = v.shape(b).broadcast_strides(xs);
    let one = T::one();
    if let Some(gx) = gb.acc(v, x) {
        for_each_broadcast2(xs, &xs.strides(), &bstr, |i, _, k| {
            let s = sigmoid(bv[k] * xv[i]);
            gx[i] += g[i] * (s + bv[k] * xv[i] * s * (one - s));
        });
    }
    if let Some(gbeta) = gb.acc(v, b) {
        for_each_broadcast2(xs, &xs.strides(), &bstr, |i, _, k| {
            let s = sigmoid(bv[k] * xv[i]);
            gbeta[k] += g[i] * xv[i] * xv[i] * s * (one - s);
        });
    }
}

pub(crate) fn backward_graph<'t, T: Float>(
    x: Var<'t, T>,
    beta: Var<'t, T>,
    g: Var<'t, T>,
    acc: &mut dyn FnMut(NodeId, Var<'t, T>),
) {
    let s = (beta * x).sigmoid();
    let ds = s * s.rsub_scalar(T::one());
    if x.requires_grad() {
        acc(x.id, g * (s + beta * x * ds));
    }
    if beta.requires_grad() {
        acc(beta.id, (g * x * x * ds).sum_to(beta.shape()));
    }
}
