//! The windows of 2-D pooling: kernel, stride and padding over the last two
//! axes of an `[N, C, H, W]` (or `[C, H, W]`) value, with PyTorch's output
//! size `⌊(H + 2p − k)/s⌋ + 1` (floor mode) and its rule that padding is at
//! most half the kernel, so no window lies entirely in the padding.

use crate::Shape;
use std::ops::Range;

/// Kernel, stride and padding (`[height, width]` each), small enough to
/// keep a node at 48 bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Window {
    kernel: [u16; 2],
    stride: [u16; 2],
    padding: [u16; 2],
}

impl Window {
    /// [`Window::new`] for the pooling op `op`, panicking with the op's name,
    /// the input shape, the window and the caller's line when it does not fit.
    #[track_caller]
    pub(crate) fn checked(
        op: &str,
        xs: &Shape,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> (Window, Shape) {
        match Window::new(xs, kernel, stride, padding) {
            Ok(checked) => checked,
            Err(why) => panic!(
                "tapegrad: {op}: {why}; got input {xs}, kernel {kernel:?}, stride {stride:?}, \
                 padding {padding:?} (at {})",
                std::panic::Location::caller()
            ),
        }
    }

    /// Checks the window against an input of shape `xs` and returns it with
    /// the output shape, or what is wrong.
    pub(crate) fn new(
        xs: &Shape,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> Result<(Window, Shape), String> {
        let d = xs.dims();
        if d.len() != 3 && d.len() != 4 {
            return Err("needs an input [N, C, H, W] or [C, H, W]".into());
        }
        if d[d.len() - 2] == 0 || d[d.len() - 1] == 0 {
            return Err("the image must not be empty".into());
        }
        if kernel.contains(&0) || stride.contains(&0) {
            return Err("kernel and stride must be at least 1".into());
        }
        let small = |a: [usize; 2]| -> Result<[u16; 2], String> {
            let f = |v: usize| {
                u16::try_from(v).map_err(|_| format!("{v} is above the supported 65535"))
            };
            Ok([f(a[0])?, f(a[1])?])
        };
        let win = Window {
            kernel: small(kernel)?,
            stride: small(stride)?,
            padding: small(padding)?,
        };
        let r = d.len();
        // Inline up to four axes: recording a pooling allocates nothing.
        let mut out: smallvec::SmallVec<[usize; 4]> = smallvec::SmallVec::from_slice(d);
        for i in 0..2 {
            if 2 * padding[i] > kernel[i] {
                return Err(format!(
                    "padding {} must be at most half the kernel {}",
                    padding[i], kernel[i]
                ));
            }
            let len = d[r - 2 + i] + 2 * padding[i];
            if kernel[i] > len {
                return Err(format!(
                    "the kernel {} is larger than the padded input (size {len})",
                    kernel[i]
                ));
            }
            out[r - 2 + i] = (len - kernel[i]) / stride[i] + 1;
        }
        Ok((win, Shape::from(&out[..])))
    }

    /// Number of elements in a full window, padding included.
    pub(crate) fn area(&self) -> usize {
        usize::from(self.kernel[0]) * usize::from(self.kernel[1])
    }

    /// Calls `f(k, plane, rows, cols)` for every output element `k` (in
    /// order) of pooling a `big`-shaped input: `plane` is the offset of its
    /// `H × W` plane, `rows` and `cols` the window clipped to the input.
    pub(crate) fn for_each(
        &self,
        big: &Shape,
        mut f: impl FnMut(usize, usize, Range<usize>, Range<usize>),
    ) {
        let d = big.dims();
        let r = d.len();
        let (h, w) = (d[r - 2], d[r - 1]);
        let planes: usize = d[..r - 2].iter().product();
        let at = |i: usize| {
            (
                usize::from(self.kernel[i]),
                usize::from(self.stride[i]),
                usize::from(self.padding[i]),
            )
        };
        let ((kh, sh, ph), (kw, sw, pw)) = (at(0), at(1));
        let (oh, ow) = ((h + 2 * ph - kh) / sh + 1, (w + 2 * pw - kw) / sw + 1);
        let clip = |o: usize, s: usize, p: usize, k: usize, len: usize| {
            let start = o * s;
            start.saturating_sub(p)..(start + k).saturating_sub(p).min(len)
        };
        let mut k = 0;
        for plane in 0..planes {
            for oy in 0..oh {
                let rows = clip(oy, sh, ph, kh, h);
                for ox in 0..ow {
                    f(k, plane * h * w, rows.clone(), clip(ox, sw, pw, kw, w));
                    k += 1;
                }
            }
        }
    }

    /// The width of a `big`-shaped input: the row stride inside a plane.
    pub(crate) fn width(big: &Shape) -> usize {
        big.dims()[big.rank() - 1]
    }
}
