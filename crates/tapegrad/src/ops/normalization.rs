//! Layer and batch normalization, written with recorded primitives (mean
//! over axes, products, `rsqrt`, broadcasting): exact, and differentiable
//! to every order because each piece is.
//!
//! Both normalize `x̂ = (x − μ)·(σ² + ε)^(−½)` with the mean μ and the
//! **biased** variance σ² = mean((x − μ)²) over their axes, then apply an
//! optional affine `x̂·weight + bias`.

use crate::{Axes, Float, Shape, Tensor, Var};

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
    /// It is recorded from its primitives, so every order is available.
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
        let axes: Vec<isize> = (-(k as isize)..0).collect();
        let affine = Affine::checked(self, weight, bias, &ns, "layer_norm", "normalized_shape");
        let y = normalize(self, Axes::from(axes), eps);
        affine.apply(y, ns)
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
    /// axes), recorded from its primitives so every order is available.
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
        let axes: Vec<isize> = (0..xs.rank() as isize).filter(|&a| a != 1).collect();
        let y = normalize(self, Axes::from(axes), eps);
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

/// `(x − μ)·(σ² + eps)^(−½)` over `axes`, the centred value computed once
/// and reused for the variance.
fn normalize<'t, T: Float>(x: Var<'t, T>, axes: Axes, eps: f64) -> Var<'t, T> {
    let centred = x - x.mean_axes(axes.clone(), true);
    let var = (centred * centred).mean_axes(axes, true);
    centred * var.add_scalar(T::from_f64(eps)).rsqrt()
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
