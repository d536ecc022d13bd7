//! `MaxPool2d` and `AvgPool2d`: PyTorch's 2-D pooling layers (no
//! parameters).

use crate::module::{Cx, Module};
use tapegrad::{Float, Var};

fn pair(p: [usize; 2]) -> String {
    format!("({}, {})", p[0], p[1])
}

/// Max pooling over `kernel` windows (PyTorch's `nn.MaxPool2d`, stride
/// defaulting to the kernel, padding with −∞): input `[N, C, H, W]`. The
/// gradient goes to the window's maximum; at ties, to the first maximum in
/// row-major window order, as PyTorch (see
/// [`max_pool2d`](tapegrad::Var::max_pool2d)).
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{MaxPool2d, Model};
/// let m = Model::<f64, _>::build(0, |_| MaxPool2d::new([2, 2]));
/// let x = Tensor::from_vec((0..16).map(f64::from).collect(), [1, 1, 4, 4]);
/// assert_eq!(m.predict(&x).data(), &[5.0, 7.0, 13.0, 15.0]);
/// assert_eq!(m.torch_equivalent(), "nn.MaxPool2d((2, 2), stride=(2, 2), padding=(0, 0))");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool2d {
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
}

impl MaxPool2d {
    /// `nn.MaxPool2d(kernel)`: stride = kernel, no padding.
    ///
    /// ```
    /// use tapegrad_nn::{MaxPool2d, Model};
    /// let m = Model::<f32, _>::build(0, |_| MaxPool2d::new([3, 3]));
    /// assert_eq!(m.predict(&tapegrad::Tensor::zeros([1, 1, 9, 6])).shape().dims(), &[1, 1, 3, 2]);
    /// ```
    #[must_use]
    pub fn new(kernel: [usize; 2]) -> Self {
        MaxPool2d {
            kernel,
            stride: kernel,
            padding: [0, 0],
        }
    }

    /// The same pooling with another stride.
    ///
    /// ```
    /// use tapegrad_nn::{MaxPool2d, Model};
    /// let m = Model::<f32, _>::build(0, |_| MaxPool2d::new([2, 2]).stride([1, 1]));
    /// assert_eq!(m.predict(&tapegrad::Tensor::zeros([1, 1, 4, 4])).shape().dims(), &[1, 1, 3, 3]);
    /// ```
    #[must_use]
    pub fn stride(mut self, stride: [usize; 2]) -> Self {
        self.stride = stride;
        self
    }

    /// The same pooling with implicit −∞ padding on both sides.
    ///
    /// ```
    /// use tapegrad_nn::{MaxPool2d, Model};
    /// let m = Model::<f32, _>::build(0, |_| MaxPool2d::new([3, 3]).stride([2, 2]).padding([1, 1]));
    /// assert_eq!(m.predict(&tapegrad::Tensor::zeros([1, 1, 7, 7])).shape().dims(), &[1, 1, 4, 4]);
    /// ```
    #[must_use]
    pub fn padding(mut self, padding: [usize; 2]) -> Self {
        self.padding = padding;
        self
    }
}

impl<T: Float> Module<T> for MaxPool2d {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, _cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        x.max_pool2d(self.kernel, self.stride, self.padding)
    }

    fn torch(&self) -> String {
        format!(
            "nn.MaxPool2d({}, stride={}, padding={})",
            pair(self.kernel),
            pair(self.stride),
            pair(self.padding)
        )
    }
}

/// Average pooling over `kernel` windows (PyTorch's `nn.AvgPool2d`, stride
/// defaulting to the kernel): input `[N, C, H, W]`. Zero padding counts in
/// the divisor unless [`count_include_pad`](AvgPool2d::count_include_pad)
/// is turned off. The gradient spreads each output's gradient evenly over
/// its window (see [`avg_pool2d`](tapegrad::Var::avg_pool2d)).
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::{AvgPool2d, Model};
/// let m = Model::<f64, _>::build(0, |_| AvgPool2d::new([2, 2]));
/// let x = Tensor::from_vec((0..16).map(f64::from).collect(), [1, 1, 4, 4]);
/// assert_eq!(m.predict(&x).data(), &[2.5, 4.5, 10.5, 12.5]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool2d {
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    count_include_pad: bool,
}

impl AvgPool2d {
    /// `nn.AvgPool2d(kernel)`: stride = kernel, no padding.
    ///
    /// ```
    /// use tapegrad_nn::{AvgPool2d, Model};
    /// let m = Model::<f32, _>::build(0, |_| AvgPool2d::new([2, 2]));
    /// assert_eq!(m.torch_equivalent(), "nn.AvgPool2d((2, 2), stride=(2, 2), padding=(0, 0), count_include_pad=True)");
    /// ```
    #[must_use]
    pub fn new(kernel: [usize; 2]) -> Self {
        AvgPool2d {
            kernel,
            stride: kernel,
            padding: [0, 0],
            count_include_pad: true,
        }
    }

    /// The same pooling with another stride.
    ///
    /// ```
    /// use tapegrad_nn::{AvgPool2d, Model};
    /// let m = Model::<f32, _>::build(0, |_| AvgPool2d::new([2, 2]).stride([1, 1]));
    /// assert_eq!(m.predict(&tapegrad::Tensor::zeros([1, 1, 4, 4])).shape().dims(), &[1, 1, 3, 3]);
    /// ```
    #[must_use]
    pub fn stride(mut self, stride: [usize; 2]) -> Self {
        self.stride = stride;
        self
    }

    /// The same pooling with zero padding on both sides.
    ///
    /// ```
    /// use tapegrad_nn::{AvgPool2d, Model};
    /// let m = Model::<f32, _>::build(0, |_| AvgPool2d::new([3, 3]).stride([2, 2]).padding([1, 1]));
    /// assert_eq!(m.predict(&tapegrad::Tensor::zeros([1, 1, 7, 7])).shape().dims(), &[1, 1, 4, 4]);
    /// ```
    #[must_use]
    pub fn padding(mut self, padding: [usize; 2]) -> Self {
        self.padding = padding;
        self
    }

    /// Whether padded zeros count in the divisor (PyTorch's default `true`).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad_nn::{AvgPool2d, Model};
    /// let pool = AvgPool2d::new([3, 3]).stride([1, 1]).padding([1, 1]);
    /// let with = Model::<f64, _>::build(0, |_| pool);
    /// let without = Model::<f64, _>::build(0, |_| pool.count_include_pad(false));
    /// let x = Tensor::ones([1, 1, 2, 2]);
    /// assert_eq!(with.predict(&x).data()[0], 4.0 / 9.0);
    /// assert_eq!(without.predict(&x).data()[0], 1.0);
    /// ```
    #[must_use]
    pub fn count_include_pad(mut self, on: bool) -> Self {
        self.count_include_pad = on;
        self
    }
}

impl<T: Float> Module<T> for AvgPool2d {
    #[track_caller]
    fn call<'t>(&self, x: Var<'t, T>, _cx: &mut Cx<'_, 't, T>) -> Var<'t, T> {
        x.avg_pool2d(
            self.kernel,
            self.stride,
            self.padding,
            self.count_include_pad,
        )
    }

    fn torch(&self) -> String {
        format!(
            "nn.AvgPool2d({}, stride={}, padding={}, count_include_pad={})",
            pair(self.kernel),
            pair(self.stride),
            pair(self.padding),
            if self.count_include_pad {
                "True"
            } else {
                "False"
            }
        )
    }
}
