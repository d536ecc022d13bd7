//! Layer and batch normalization. Both normalize
//! `x̂ = (x − μ)·(σ² + ε)^(−½)` with the mean μ and the **biased** variance
//! σ² = mean((x − μ)²) over their axes, then apply an optional affine
//! `x̂·weight + bias` with recorded products and sums.
//!
//! x̂ is one fused op, `Normalize`, over contiguous rows (two passes over
//! each row forward and two backward, instead of seven recorded ops with
//! their temporaries); its recorded backward writes the same rule with `Var`
//! ops. Layer normalization's rows are its trailing axes; batch
//! normalization moves the channel axis first, so that each channel is a
//! row, and back.

use super::{Acc, Inputs, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::{Float, Shape, Tape, Tensor, Var};

impl<'t, T: Float> Var<'t, T> {
    /// Layer normalization over the last `normalized_shape.len()` axes:
    /// `F.layer_norm(x, normalized_shape, weight, bias, eps)`.
    ///
    /// `y = (x − μ)/√(σ² + eps) · weight + bias`, with μ and the biased
    /// variance σ² taken over those axes; `weight` and `bias` (each of
    /// shape `normalized_shape`) are optional. A constant row (σ² = 0)
    /// gives `bias` exactly; `eps > 0` keeps it smooth there.
    ///
    /// Derivative, with `r = (σ² + eps)^(−½)`, `n` elements per row and
    /// `ĝ = g·weight`: `∂L/∂x = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))`;
    /// `∂L/∂weight = Σ g·x̂`, `∂L/∂bias = Σ g` over the leading axes.
    /// x̂ is one fused op whose recorded backward is this rule in `Var` ops,
    /// so every order is available.
    ///
    /// # Panics
    /// When `normalized_shape` is empty or is not the trailing part of the
    /// input's shape, or `weight`/`bias` do not have shape
    /// `normalized_shape`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 3.0, 5.0, 5.0], [2, 2]));
    /// let b = tape.param(Tensor::from_vec(vec![0.5, -0.5], [2]));
    /// let y = x.layer_norm(&[2], None, Some(b), 1e-5);
    /// let y0 = y.value();
    /// assert!((y0.data()[1] - (1.0 / (1.0 + 1e-5f64).sqrt() - 0.5)).abs() < 1e-15);
    /// assert_eq!(&y0.data()[2..], &[0.5, -0.5]); // the constant row gives bias
    /// let g = y.sum().backward();
    /// assert_eq!(g[b].data(), &[2.0, 2.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn layer_norm(
        self,
        normalized_shape: &[usize],
        weight: Option<Var<'t, T>>,
        bias: Option<Var<'t, T>>,
        eps: f64,
    ) -> Var<'t, T> {
        let xs = self.shape();
        let k = normalized_shape.len();
        let ns = Shape::from(normalized_shape);
        assert!(
            k >= 1 && xs.rank() >= k && xs.dims()[xs.rank() - k..] == *normalized_shape,
            "tapegrad: layer_norm: normalized_shape {ns} is not the trailing part of input shape {xs} (at {})",
            std::panic::Location::caller()
        );
        let affine = Affine::checked(self, weight, bias, &ns, "layer_norm", "normalized_shape");
        affine.apply(self.normalize_rows(ns.numel(), eps), ns)
    }

    /// Batch normalization with the batch's statistics, as in training:
    /// `F.batch_norm(x, None, None, weight, bias, training=True, eps=eps)`
    /// for `x` of shape `[N, C]`, `[N, C, L]`, `[N, C, H, W]` (any rank
    /// ≥ 2, channels on axis 1).
    ///
    /// `y = (x − μ_c)/√(σ²_c + eps) · weight_c + bias_c`, with the mean and
    /// the biased variance of channel c over every axis but 1; `weight` and
    /// `bias` (shape `[C]`) are optional. Updating running statistics is
    /// left to the caller (it changes neither the output nor a gradient).
    ///
    /// Derivative: that of [`layer_norm`](Var::layer_norm) with the roles
    /// of the axes swapped (per channel, over the batch and the spatial
    /// axes), from the same fused op, so every order is available.
    ///
    /// # Panics
    /// When `x` has rank below 2, a channel has exactly one value (as
    /// PyTorch: its variance says nothing), or `weight`/`bias` are not
    /// `[C]`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![1.0, 10.0, 3.0, 14.0], [2, 2]));
    /// let y = x.batch_norm_train(None, None, 0.0);
    /// assert_eq!(y.value().data(), &[-1.0, -1.0, 1.0, 1.0]);
    /// // x̂ is invariant to a shift and a scale of a channel's values.
    /// let g = (y * y).sum().backward();
    /// assert!(g[x].data().iter().all(|d| d.abs() < 1e-12));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn batch_norm_train(
        self,
        weight: Option<Var<'t, T>>,
        bias: Option<Var<'t, T>>,
        eps: f64,
    ) -> Var<'t, T> {
        let xs = self.shape();
        let c = channels(&xs, "batch_norm_train");
        let per_channel = xs.numel() / c.max(1);
        assert!(
            c == 0 || per_channel != 1,
            "tapegrad: batch_norm_train: input shape {xs} has one value per channel, expected more (at {})",
            std::panic::Location::caller()
        );
        let cs = Shape::from([c]);
        let affine = Affine::checked(self, weight, bias, &cs, "batch_norm_train", "[C]");
        // Channels first, each channel's values one contiguous row of the
        // fused op, then back: two copies instead of the temporaries and
        // per-reduction permutes of the recorded formula.
        let front = self.transpose(0, 1);
        let fs = front.shape();
        let y = front
            .reshape([c, per_channel])
            .normalize_rows(per_channel, eps)
            .reshape(fs)
            .transpose(0, 1);
        affine.apply(y, channel_shape(&xs))
    }

    /// Batch normalization with given running statistics, as in
    /// evaluation: `F.batch_norm(x, running_mean, running_var, weight,
    /// bias, training=False, eps=eps)`.
    ///
    /// `y = (x − running_mean_c)/√(running_var_c + eps) · weight_c +
    /// bias_c`, an affine map of `x`: the statistics are constants.
    ///
    /// Derivative: `∂y/∂x = weight_c/√(running_var_c + eps)`,
    /// `∂y/∂weight_c = x̂`, `∂y/∂bias_c = 1`; the only second derivative is
    /// the cross term x–weight, `1/√(running_var_c + eps)`.
    ///
    /// # Panics
    /// When `x` has rank below 2, or `running_mean`, `running_var`,
    /// `weight` or `bias` are not `[C]`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.param(Tensor::from_vec(vec![3.0, 1.0], [1, 2]));
    /// let (mean, var) = (Tensor::from_vec(vec![1.0, 1.0], [2]), Tensor::from_vec(vec![4.0, 1.0], [2]));
    /// let y = x.batch_norm_eval(&mean, &var, None, None, 0.0);
    /// assert_eq!(y.value().data(), &[1.0, 0.0]);
    /// assert_eq!(y.sum().backward()[x].data(), &[0.5, 1.0]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn batch_norm_eval(
        self,
        running_mean: &Tensor<T>,
        running_var: &Tensor<T>,
        weight: Option<Var<'t, T>>,
        bias: Option<Var<'t, T>>,
        eps: f64,
    ) -> Var<'t, T> {
        let xs = self.shape();
        let c = channels(&xs, "batch_norm_eval");
        let cs = Shape::from([c]);
        for (name, s) in [
            ("running_mean", running_mean.shape()),
            ("running_var", running_var.shape()),
        ] {
            assert!(
                *s == cs,
                "tapegrad: batch_norm_eval: {name} shape {s} is not [C] = {cs} for input shape {xs} (at {})",
                std::panic::Location::caller()
            );
        }
        let affine = Affine::checked(self, weight, bias, &cs, "batch_norm_eval", "[C]");
        let at = channel_shape(&xs);
        let eps = T::from_f64(eps);
        let mean = self.tape.constant(running_mean.clone().reshape(at.clone()));
        let scale = Tensor::from_vec(
            running_var
                .data()
                .iter()
                .map(|&v| (v + eps).sqrt().recip())
                .collect(),
            at.clone(),
        );
        let y = (self - mean) * self.tape.constant(scale);
        affine.apply(y, at)
    }
}

/// The channel count of a batch-norm input, which must have rank ≥ 2.
#[track_caller]
fn channels(xs: &Shape, op: &str) -> usize {
    assert!(
        xs.rank() >= 2,
        "tapegrad: {op}: input shape {xs} needs at least 2 axes, [N, C, ...] (at {})",
        std::panic::Location::caller()
    );
    xs.dims()[1]
}

/// `[1, C, 1, …]`: a per-channel vector placed to broadcast against `x`.
fn channel_shape(xs: &Shape) -> Shape {
    let mut d = vec![1; xs.rank()];
    d[1] = xs.dims()[1];
    Shape::from(d)
}

/// The optional `weight` and `bias` of a normalization, shape-checked.
struct Affine<'t, T: Float> {
    weight: Option<Var<'t, T>>,
    bias: Option<Var<'t, T>>,
}

impl<'t, T: Float> Affine<'t, T> {
    /// Checks that `weight` and `bias` share `x`'s tape and have `shape`
    /// (called `what` in the message).
    #[track_caller]
    fn checked(
        x: Var<'t, T>,
        weight: Option<Var<'t, T>>,
        bias: Option<Var<'t, T>>,
        shape: &Shape,
        op: &str,
        what: &str,
    ) -> Self {
        for (name, p) in [("weight", weight), ("bias", bias)] {
            if let Some(p) = p {
                x.same_tape(&p, op);
                let ps = p.shape();
                assert!(
                    ps == *shape,
                    "tapegrad: {op}: {name} shape {ps} is not {what} = {shape} for input shape {} (at {})",
                    x.shape(),
                    std::panic::Location::caller()
                );
            }
        }
        Affine { weight, bias }
    }

    /// `y·weight + bias`, each reshaped to `at` to broadcast against `y`.
    fn apply(self, y: Var<'t, T>, at: Shape) -> Var<'t, T> {
        let place = |p: Var<'t, T>| {
            if p.shape() == at {
                p
            } else {
                p.reshape(at.clone())
            }
        };
        let y = match self.weight {
            Some(w) => y * place(w),
            None => y,
        };
        match self.bias {
            Some(b) => y + place(b),
            None => y,
        }
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// `x̂` of every run of `n` consecutive elements (the last axes), fused.
    #[track_caller]
    fn normalize_rows(self, n: usize, eps: f64) -> Var<'t, T> {
        let x = self.id;
        let Ok(n32) = u32::try_from(n) else {
            panic!(
                "tapegrad: layer_norm: rows of {n} elements (input shape {}) exceed 2^32 (at {})",
                self.shape(),
                std::panic::Location::caller()
            );
        };
        let op = Normalize { x, n: n32, eps };
        self.tape.record(op.into(), self.shape(), |v, o| {
            if n == 0 {
                return;
            }
            let e = T::from_f64(eps);
            for (row, out) in v.val(x).chunks_exact(n).zip(o.chunks_exact_mut(n)) {
                let (mean, r) = row_stats(row, e);
                for (o, &xi) in out.iter_mut().zip(row) {
                    *o = (xi - mean) * r;
                }
            }
        })
    }
}

/// The mean of `row` and `(σ² + eps)^(−½)`, the variance taken about the
/// mean (two passes, so an offset of 100 loses nothing).
fn row_stats<T: Float>(row: &[T], eps: T) -> (T, T) {
    let n = T::from_f64(row.len() as f64);
    let mean = row.iter().copied().sum::<T>() / n;
    let var = row.iter().map(|&x| (x - mean) * (x - mean)).sum::<T>() / n;
    (mean, (var + eps).sqrt().recip())
}

/// `x̂ = (x − μ)·(σ² + ε)^(−½)` over each run of `n` consecutive elements.
/// With r = (σ² + ε)^(−½): `∂L/∂x = r·(g − mean(g) − x̂·mean(g·x̂))` per
/// row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Normalize {
    x: NodeId,
    n: u32,
    eps: f64,
}

impl Rule for Normalize {
    fn name(&self) -> &'static str {
        "normalize"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let n = self.n as usize;
        let (xv, yv) = (v.val(self.x), v.val(id));
        let Some(gx) = gb.acc(v, self.x) else {
            return;
        };
        if n == 0 {
            return;
        }
        let (e, inv_n) = (T::from_f64(self.eps), T::from_f64(1.0 / n as f64));
        let rows = xv.chunks_exact(n).zip(yv.chunks_exact(n));
        for (((row, y), g), gx) in rows.zip(g.chunks_exact(n)).zip(gx.chunks_exact_mut(n)) {
            let (_, r) = row_stats(row, e);
            let g_mean = g.iter().copied().sum::<T>() * inv_n;
            let gy_mean = g.iter().zip(y).map(|(&a, &b)| a * b).sum::<T>() * inv_n;
            for i in 0..n {
                gx[i] += r * (g[i] - g_mean - y[i] * gy_mean);
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
        let n = self.n as usize;
        let x = Var::new(tape, self.x);
        let xs = x.shape();
        if n == 0 || xs.numel() == 0 {
            acc(self.x, g);
            return;
        }
        // The same rule on [rows, n] views: r from recorded reductions of
        // x, x̂ the op's own output (whose derivative is this op again).
        let rows = [xs.numel() / n, n];
        let (x2, y2, g2) = (
            x.reshape(rows),
            Var::new(tape, id).reshape(rows),
            g.reshape(rows),
        );
        let centred = x2 - x2.mean_axis(1, true);
        let r = (centred * centred)
            .mean_axis(1, true)
            .add_scalar(T::from_f64(self.eps))
            .rsqrt();
        let dx = r * (g2 - g2.mean_axis(1, true) - y2 * (g2 * y2).mean_axis(1, true));
        acc(self.x, dx.reshape(xs));
    }
}
