//! The three products of a 2-D convolution, each as matrix products through
//! the crate's one GEMM path ([`matmul::gemm`]): the image patches are laid
//! out as the columns of a matrix (im2col), per image and group, in a
//! per-thread scratch buffer that is kept, so a reused tape allocates
//! nothing for them.
//!
//! With `K = C/groups·kH·kW` rows of patches and `P = H_out·W_out` columns,
//! per image and group:
//! - output: `Y[Cout/g, P] += W[Cout/g, K] · cols(X)[K, P]`;
//! - input gradient: `cols(∂X) = Wᵀ · G`, scattered back (col2im);
//! - weight gradient: `∂W[Cout/g, K] += G · cols(X)ᵀ`.
//!
//! A 1×1 kernel with stride 1 and no padding needs no patches: the image
//! itself is the `[C/g, H·W]` matrix.

use super::matmul::{gemm, Mat};
use crate::Float;
use std::any::{Any, TypeId};
use std::cell::RefCell;

/// Sizes of one convolution: input `[n, c, h, w]`, weight `[co, c/groups,
/// kh, kw]`, output `[n, co, oh, ow]`, and its stride, padding, dilation
/// (`[height, width]` each).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ConvDims {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub co: usize,
    pub kh: usize,
    pub kw: usize,
    pub oh: usize,
    pub ow: usize,
    pub groups: usize,
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub dilation: [usize; 2],
}

impl ConvDims {
    /// Input channels per group.
    fn cg(&self) -> usize {
        self.c / self.groups
    }
    /// Output channels per group.
    fn cog(&self) -> usize {
        self.co / self.groups
    }
    /// Rows of the patch matrix.
    fn k(&self) -> usize {
        self.cg() * self.kh * self.kw
    }
    /// Columns of the patch matrix: output positions per image.
    fn p(&self) -> usize {
        self.oh * self.ow
    }
    /// The patch matrix is the image itself.
    fn direct(&self) -> bool {
        self.kh == 1 && self.kw == 1 && self.stride == [1, 1] && self.padding == [0, 0]
    }
    /// Nothing to compute: some factor of every product is empty.
    fn empty(&self) -> bool {
        self.n * self.k() * self.p() * self.cog() == 0
    }
    /// The input channels of image `n`, group `gi`, as a flat range.
    fn x_block(&self, n: usize, gi: usize) -> std::ops::Range<usize> {
        let start = (n * self.c + gi * self.cg()) * self.h * self.w;
        start..start + self.cg() * self.h * self.w
    }
    /// The output (`[Cout/g, P]`, row-major) of image `n`, group `gi`.
    fn y_mat(&self, n: usize, gi: usize) -> Mat {
        Mat {
            off: (n * self.co + gi * self.cog()) * self.p(),
            rs: self.p() as isize,
            cs: 1,
        }
    }
    /// The weights (`[Cout/g, K]`) of group `gi`, read transposed or not.
    fn w_mat(&self, gi: usize, transposed: bool) -> Mat {
        let (off, k) = (gi * self.cog() * self.k(), self.k() as isize);
        if transposed {
            Mat { off, rs: 1, cs: k }
        } else {
            Mat { off, rs: k, cs: 1 }
        }
    }
    /// The patch matrix `[K, P]` at the start of its buffer, read
    /// transposed or not.
    fn cols_mat(&self, transposed: bool) -> Mat {
        let p = self.p() as isize;
        if transposed {
            Mat {
                off: 0,
                rs: 1,
                cs: p,
            }
        } else {
            Mat {
                off: 0,
                rs: p,
                cs: 1,
            }
        }
    }
}

/// The output positions `lo..hi` (of `out`) whose tap at offset `tap`
/// (`kernel index · dilation`) reads inside an input of length `len`:
/// `0 ≤ o·stride + tap − pad < len`.
fn valid(out: usize, stride: usize, tap: usize, pad: usize, len: usize) -> (usize, usize) {
    let lo = if pad > tap {
        (pad - tap).div_ceil(stride)
    } else {
        0
    };
    let hi = if len + pad > tap {
        (len + pad - tap).div_ceil(stride)
    } else {
        0
    };
    let lo = lo.min(out);
    (lo, hi.min(out).max(lo))
}

/// Visits every (patch row, output row) pair of one image group: `f(row
/// of the patch matrix, input plane, output row oy, input row iy, first
/// and past-last valid output column, input column of the first valid
/// one)`, or `iy = None` when the whole output row reads padding.
fn patches(
    d: &ConvDims,
    mut f: impl FnMut(usize, usize, usize, Option<usize>, usize, usize, usize),
) {
    let [sh, sw] = d.stride;
    let [ph, pw] = d.padding;
    let [dh, dw] = d.dilation;
    for ci in 0..d.cg() {
        for i in 0..d.kh {
            let (ylo, yhi) = valid(d.oh, sh, i * dh, ph, d.h);
            for j in 0..d.kw {
                let (xlo, xhi) = valid(d.ow, sw, j * dw, pw, d.w);
                let row = (ci * d.kh + i) * d.kw + j;
                let ix0 = (xlo * sw + j * dw).saturating_sub(pw);
                for oy in 0..d.oh {
                    let iy = (ylo..yhi).contains(&oy).then(|| oy * sh + i * dh - ph);
                    f(row, ci, oy, iy, xlo, xhi, ix0);
                }
            }
        }
    }
}

/// Writes the patch matrix `[K, P]` of one image group `x` (`[C/g, h, w]`).
fn im2col<T: Float>(d: &ConvDims, x: &[T], cols: &mut [T]) {
    let (p, hw, sw) = (d.p(), d.h * d.w, d.stride[1]);
    patches(d, |row, ci, oy, iy, xlo, xhi, ix0| {
        let r = &mut cols[row * p + oy * d.ow..][..d.ow];
        let Some(iy) = iy else {
            r.fill(T::zero());
            return;
        };
        r[..xlo].fill(T::zero());
        r[xhi..].fill(T::zero());
        let src = &x[ci * hw + iy * d.w..][..d.w];
        if sw == 1 && xhi > xlo {
            r[xlo..xhi].copy_from_slice(&src[ix0..ix0 + xhi - xlo]);
        } else if sw > 1 {
            for (k, e) in r[xlo..xhi].iter_mut().enumerate() {
                *e = src[ix0 + k * sw];
            }
        }
    });
}

/// Adds the patch matrix `cols` back into the image group `x` it was read
/// from: the adjoint of [`im2col`].
fn col2im<T: Float>(d: &ConvDims, cols: &[T], x: &mut [T]) {
    let (p, hw, sw) = (d.p(), d.h * d.w, d.stride[1]);
    patches(d, |row, ci, oy, iy, xlo, xhi, ix0| {
        let Some(iy) = iy else { return };
        let r = &cols[row * p + oy * d.ow..][..d.ow];
        let dst = &mut x[ci * hw + iy * d.w..][..d.w];
        for (k, &e) in r[xlo..xhi].iter().enumerate() {
            dst[ix0 + k * sw] += e;
        }
    });
}

/// `y += conv(x, w)`.
pub(crate) fn forward<T: Float>(d: &ConvDims, x: &[T], w: &[T], y: &mut [T]) {
    if d.empty() {
        return;
    }
    let (m, n, k) = (d.cog(), d.p(), d.k());
    with_scratch(if d.direct() { 0 } else { k * n }, |cols: &mut [T]| {
        for img in 0..d.n {
            for gi in 0..d.groups {
                let xg = &x[d.x_block(img, gi)];
                let rhs = if d.direct() {
                    xg
                } else {
                    im2col(d, xg, cols);
                    &*cols
                };
                let (ym, wm) = (d.y_mat(img, gi), d.w_mat(gi, false));
                gemm(m, n, k, y, ym, true, w, wm, rhs, d.cols_mat(false));
            }
        }
    });
}

/// `dx += ∂⟨g, conv(x, w)⟩/∂x`: the transposed convolution of `g` by `w`.
pub(crate) fn input_grad<T: Float>(d: &ConvDims, g: &[T], w: &[T], dx: &mut [T]) {
    if d.empty() {
        return;
    }
    let (m, n, k) = (d.k(), d.p(), d.cog());
    with_scratch(if d.direct() { 0 } else { m * n }, |cols: &mut [T]| {
        for img in 0..d.n {
            for gi in 0..d.groups {
                let (gm, wm) = (d.y_mat(img, gi), d.w_mat(gi, true));
                let block = d.x_block(img, gi);
                if d.direct() {
                    let dm = Mat {
                        off: block.start,
                        ..d.cols_mat(false)
                    };
                    gemm(m, n, k, dx, dm, true, w, wm, g, gm);
                } else {
                    gemm(m, n, k, cols, d.cols_mat(false), false, w, wm, g, gm);
                    col2im(d, cols, &mut dx[block]);
                }
            }
        }
    });
}

/// `dw += ∂⟨g, conv(x, w)⟩/∂w`: the correlation of `x` with `g`.
pub(crate) fn weight_grad<T: Float>(d: &ConvDims, x: &[T], g: &[T], dw: &mut [T]) {
    if d.empty() {
        return;
    }
    let (m, n, k) = (d.cog(), d.k(), d.p());
    with_scratch(if d.direct() { 0 } else { k * n }, |cols: &mut [T]| {
        for img in 0..d.n {
            for gi in 0..d.groups {
                let xg = &x[d.x_block(img, gi)];
                let rhs = if d.direct() {
                    xg
                } else {
                    im2col(d, xg, cols);
                    &*cols
                };
                let (gm, wm) = (d.y_mat(img, gi), d.w_mat(gi, false));
                gemm(m, n, k, dw, wm, true, g, gm, rhs, d.cols_mat(true));
            }
        }
    });
}

thread_local! {
    /// Patch matrices, one buffer per float type, kept between calls.
    static SCRATCH: RefCell<(Vec<f32>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// The buffer of `T`s in the per-thread pair.
fn slot<T: Float>(pair: &mut (Vec<f32>, Vec<f64>)) -> &mut Vec<T> {
    let any: &mut dyn Any = if TypeId::of::<T>() == TypeId::of::<f32>() {
        &mut pair.0
    } else {
        &mut pair.1
    };
    any.downcast_mut::<Vec<T>>()
        .expect("tapegrad's Float is f32 or f64")
}

/// Runs `f` on `n` elements of this thread's kept scratch buffer. The
/// buffer is moved out while `f` runs, not borrowed: the `gemm` crate's
/// workers may run another convolution on this thread meanwhile, which
/// then simply gets a buffer of its own.
fn with_scratch<T: Float, R>(n: usize, f: impl FnOnce(&mut [T]) -> R) -> R {
    let mut buf: Vec<T> = SCRATCH.with(|c| std::mem::take(slot::<T>(&mut c.borrow_mut())));
    if buf.len() < n {
        buf.resize(n, T::zero());
    }
    let r = f(&mut buf[..n]);
    SCRATCH.with(|c| {
        let mut pair = c.borrow_mut();
        let kept = slot::<T>(&mut pair);
        if kept.len() < buf.len() {
            *kept = buf;
        }
    });
    r
}
