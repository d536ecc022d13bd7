//! Variance and standard deviation over any axes, with a correction
//! (Bessel's for 1), and the square root whose gradient is 0 at 0 that
//! `std` and the 2-norm end in.

use super::along::{constant_from, reduced_count};
use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::tensor::Axes;
use crate::{Float, Tape, Var};

impl<'t, T: Float> Var<'t, T> {
    /// The variance over `axes` (one axis, a list, or [`Axes::All`]):
    /// `Σ (x − mean)² / max(n − correction, 0)` with the mean taken first
    /// (two passes, so an offset of 1e3 loses nothing), keeping the axes as
    /// 1 when `keepdim`: `torch.var(x, dim, correction=…)`. `correction` 0
    /// is the population variance, 1 the sample variance (NaN for one
    /// element, as `0/0`).
    ///
    /// Derivative: `2 (xᵢ − mean) / (n − correction)`; the second
    /// derivative is `2 (δᵢⱼ − 1/n) / (n − correction)`.
    ///
    /// # Panics
    /// When an axis is out of range or repeated.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0], [4]));
    /// let v = x.var(0, 1, false);
    /// assert!((v.item() - 5.0 / 3.0).abs() < 1e-15);
    /// let g = v.backward();
    /// assert!((g[x].data()[0] + 1.0).abs() < 1e-15); // 2·(1 − 2.5)/3
    /// ```
    #[must_use]
    #[track_caller]
    pub fn var(self, axes: impl Into<Axes>, correction: usize, keepdim: bool) -> Var<'t, T> {
        let axes = axes.into();
        let n = reduced_count(&self.shape(), &axes, "var");
        let centred = self - self.mean_axes(axes.clone(), true);
        let divisor = n.saturating_sub(correction);
        (centred * centred)
            .sum_axes(axes, keepdim)
            .div_scalar(T::from_f64(divisor as f64))
    }

    /// The standard deviation `√var` over `axes`; see [`var`](Var::var):
    /// `torch.std(x, dim, correction=…)`.
    ///
    /// Derivative: `(xᵢ − mean) / ((n − correction)·std)`, and **0 where
    /// std is 0** (a constant lane, one element with correction 0), as in
    /// PyTorch, instead of 0/0.
    ///
    /// # Panics
    /// When an axis is out of range or repeated.
    ///
    /// ```
    /// use tapegrad::{Axes, Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![2.0, 2.0, 2.0], [3]));
    /// let s = x.std(Axes::All, 0, false);
    /// assert_eq!(s.item(), 0.0);
    /// assert_eq!(s.backward()[x].data(), &[0.0, 0.0, 0.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn std(self, axes: impl Into<Axes>, correction: usize, keepdim: bool) -> Var<'t, T> {
        self.var(axes, correction, keepdim).sqrt_zero_grad()
    }

    /// `√x` with derivative `1/(2√x)` for x > 0 and 0 at x = 0: the end of
    /// `std` and the 2-norm, whose gradient PyTorch sets to 0 there.
    #[track_caller]
    pub(crate) fn sqrt_zero_grad(self) -> Var<'t, T> {
        let x = self.id;
        self.tape
            .record(SqrtZeroGrad { x }.into(), self.shape(), |v, o| {
                for (o, &e) in o.iter_mut().zip(v.val(x)) {
                    *o = e.sqrt();
                }
            })
    }
}

/// `√x` whose derivative is 0 where `√x` is 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SqrtZeroGrad {
    x: NodeId,
}

impl Rule for SqrtZeroGrad {
    fn name(&self) -> &'static str {
        "sqrt_zero_grad"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let y = v.val(id);
        if let Some(gx) = gb.acc(v, self.x) {
            for ((a, &gk), &yk) in gx.iter_mut().zip(g).zip(y) {
                if yk != T::zero() {
                    *a += gk / (yk + yk);
                }
            }
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        id: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        // g·[y ≠ 0] / (2y), with y replaced by 1 where it is 0 so that the
        // quotient (and its derivative) stays finite there.
        let shape = tape.shape_of(id);
        let (live, fill) = (
            constant_from(tape, shape.clone(), |v, o| {
                for (o, &e) in o.iter_mut().zip(v.val(id)) {
                    *o = if e == T::zero() { T::zero() } else { T::one() };
                }
            }),
            constant_from(tape, shape, |v, o| {
                for (o, &e) in o.iter_mut().zip(v.val(id)) {
                    *o = if e == T::zero() { T::one() } else { T::zero() };
                }
            }),
        );
        let y = Var::new(tape, id);
        acc(self.x, g * live / (y + fill).mul_scalar(T::from_f64(2.0)));
    }
}
