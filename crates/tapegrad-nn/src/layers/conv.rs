//! `Conv1d` and `Conv2d`: PyTorch's convolution layers, weight
//! `[out, in/groups, k…]`, with its default initialization.

use crate::module::{Cx, Module};
use crate::params::ParamId;
use crate::scope::Scope;
use tapegrad::{Conv1dOptions, Conv2dOptions, Float, Var};

/// Registers a convolution's weight and optional bias, both from
/// U(±1/√fan_in), fan_in = in/groups · kernel size (PyTorch's
/// `kaiming_uniform_(a=√5)` for the weight, and its bias rule).
fn conv_params<T: Float>(
    s: &mut Scope<'_, T>,
    weight_shape: &[usize],
    bias: bool,
) -> (ParamId, Option<ParamId>) {
    let fan_in: usize = weight_shape[1..].iter().product();
    let bound = 1.0 / (fan_in.max(1) as f64).sqrt();
    let w = s.uniform(weight_shape, bound);
    let weight = s.param("weight", w);
    let bias = bias.then(|| {
        let b = s.uniform([weight_shape[0]], bound);
        s.param("bias", b)
    });
    (weight, bias)
}

#[track_caller]
fn check_groups(name: &str, in_channels: usize, out_channels: usize, groups: usize) {
    assert!(
        groups >= 1 && in_channels.is_multiple_of(groups) && out_channels.is_multiple_of(groups),
        "tapegrad-nn: {name}({in_channels}, {out_channels}): groups = {groups} must divide both channel counts"
    );
}

/// A 2-D convolution (PyTorch's `nn.Conv2d`): input `[N, in, H, W]`,
/// output `[N, out, H', W']` with
/// `y[n, o] = bias[o] + Σ_c Σ_ij w[o, c, i, j]·x[n, c, s·h + d·i − p, …]`
/// (zero outside the input). The derivatives are the core op's
/// [`conv2d`](tapegrad::Var::conv2d): transposed convolutions for the
/// input, correlations of input and output gradient for the weight.
///
/// ```
/// use tapegrad::{Conv2dOptions, Tensor};
/// use tapegrad_nn::{Conv2d, Model};
/// let m = Model::<f32, _>::build(0, |s| Conv2d::new(s, 1, 16, [3, 3]));
/// assert_eq!(m.params().tensor("weight").unwrap().shape().dims(), &[16, 1, 3, 3]);
/// assert_eq!(m.predict(&Tensor::zeros([2, 1, 8, 8])).shape().dims(), &[2, 16, 6, 6]);
/// let same = Conv2dOptions { padding: [1, 1], ..Default::default() };
/// let m = Model::<f32, _>::build(0, |s| Conv2d::with(s, 2, 4, [3, 3], same, false));
/// assert_eq!(m.torch_equivalent(), "nn.Conv2d(2, 4, (3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1, bias=False)");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Conv2d {
    in_channels: usize,
    out_channels: usize,
    kernel: [usize; 2],
    opts: Conv2dOptions,
    weight: ParamId,
    bias: Option<ParamId>,
}

impl Conv2d {
    /// `nn.Conv2d(in, out, kernel)`: stride 1, no padding, with bias.
    ///
    /// ```
    /// use tapegrad_nn::{Conv2d, Model};
    /// let m = Model::<f64, _>::build(0, |s| Conv2d::new(s, 3, 8, [5, 5]));
    /// assert_eq!(m.params().numel(), 8 * 3 * 25 + 8);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn new<T: Float>(
        scope: Scope<'_, T>,
        in_channels: usize,
        out_channels: usize,
        kernel: [usize; 2],
    ) -> Self {
        Conv2d::with(
            scope,
            in_channels,
            out_channels,
            kernel,
            Conv2dOptions::default(),
            true,
        )
    }

    /// A convolution with explicit stride, padding, dilation and groups,
    /// with or without bias.
    ///
    /// # Panics
    /// When `groups` does not divide both channel counts.
    ///
    /// ```
    /// use tapegrad::Conv2dOptions;
    /// use tapegrad_nn::{Conv2d, Model};
    /// let depthwise = Conv2dOptions { groups: 4, ..Default::default() };
    /// let m = Model::<f32, _>::build(0, |s| Conv2d::with(s, 4, 4, [3, 3], depthwise, true));
    /// assert_eq!(m.params().tensor("weight").unwrap().shape().dims(), &[4, 1, 3, 3]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn with<T: Float>(
        mut scope: Scope<'_, T>,
        in_channels: usize,
        out_channels: usize,
        kernel: [usize; 2],
        opts: Conv2dOptions,
        bias: bool,
    ) -> Self {
        check_groups("Conv2d", in_channels, out_channels, opts.groups);
        let shape = [
            out_channels,
            in_channels / opts.groups,
            kernel[0],
            kernel[1],
        ];
        let (weight, bias) = conv_params(&mut scope, &shape, bias);
        Conv2d {
            in_channels,
            out_channels,
            kernel,
            opts,
            weight,
            bias,
        }
    }
}

impl<T: Float> Module<T> for Conv2d {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        let bias = self.bias.map(|b| cx.param(b));
        x.conv2d(cx.param(self.weight), bias, self.opts)
    }

    fn torch(&self) -> String {
        let o = &self.opts;
        let pair = |p: [usize; 2]| format!("({}, {})", p[0], p[1]);
        format!(
            "nn.Conv2d({}, {}, {}, stride={}, padding={}, dilation={}, groups={}, bias={})",
            self.in_channels,
            self.out_channels,
            pair(self.kernel),
            pair(o.stride),
            pair(o.padding),
            pair(o.dilation),
            o.groups,
            if self.bias.is_some() { "True" } else { "False" }
        )
    }
}

/// A 1-D convolution (PyTorch's `nn.Conv1d`): input `[N, in, L]`, output
/// `[N, out, L']`, `y[n, o, l] = bias[o] + Σ_c Σ_k w[o, c, k]·x[n, c, s·l +
/// d·k − p]`. The derivatives are the core op's
/// [`conv1d`](tapegrad::Var::conv1d).
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{Conv1d, Model};
/// let m = Model::<f64, _>::build(0, |s| Conv1d::new(s, 2, 3, 3));
/// assert_eq!(m.predict(&Tensor::zeros([4, 2, 10])).shape().dims(), &[4, 3, 8]);
/// assert_eq!(m.torch_equivalent(), "nn.Conv1d(2, 3, 3, stride=1, padding=0, dilation=1, groups=1, bias=True)");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Conv1d {
    in_channels: usize,
    out_channels: usize,
    kernel: usize,
    opts: Conv1dOptions,
    weight: ParamId,
    bias: Option<ParamId>,
}

impl Conv1d {
    /// `nn.Conv1d(in, out, kernel)`: stride 1, no padding, with bias.
    ///
    /// ```
    /// use tapegrad_nn::{Conv1d, Model};
    /// let m = Model::<f32, _>::build(0, |s| Conv1d::new(s, 1, 4, 5));
    /// assert_eq!(m.params().numel(), 4 * 5 + 4);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn new<T: Float>(
        scope: Scope<'_, T>,
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
    ) -> Self {
        Conv1d::with(
            scope,
            in_channels,
            out_channels,
            kernel,
            Conv1dOptions::default(),
            true,
        )
    }

    /// A convolution with explicit stride, padding, dilation and groups,
    /// with or without bias.
    ///
    /// # Panics
    /// When `groups` does not divide both channel counts.
    ///
    /// ```
    /// use tapegrad::Conv1dOptions;
    /// use tapegrad_nn::{Conv1d, Model};
    /// let o = Conv1dOptions { padding: 1, groups: 2, ..Default::default() };
    /// let m = Model::<f32, _>::build(0, |s| Conv1d::with(s, 4, 2, 3, o, false));
    /// assert_eq!(m.params().tensor("weight").unwrap().shape().dims(), &[2, 2, 3]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn with<T: Float>(
        mut scope: Scope<'_, T>,
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        opts: Conv1dOptions,
        bias: bool,
    ) -> Self {
        check_groups("Conv1d", in_channels, out_channels, opts.groups);
        let shape = [out_channels, in_channels / opts.groups, kernel];
        let (weight, bias) = conv_params(&mut scope, &shape, bias);
        Conv1d {
            in_channels,
            out_channels,
            kernel,
            opts,
            weight,
            bias,
        }
    }
}

impl<T: Float> Module<T> for Conv1d {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        let bias = self.bias.map(|b| cx.param(b));
        x.conv1d(cx.param(self.weight), bias, self.opts)
    }

    fn torch(&self) -> String {
        let o = &self.opts;
        format!(
            "nn.Conv1d({}, {}, {}, stride={}, padding={}, dilation={}, groups={}, bias={})",
            self.in_channels,
            self.out_channels,
            self.kernel,
            o.stride,
            o.padding,
            o.dilation,
            o.groups,
            if self.bias.is_some() { "True" } else { "False" }
        )
    }
}
