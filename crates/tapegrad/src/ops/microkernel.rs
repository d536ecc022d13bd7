//! An allocation-free matrix product for the small and medium sizes of
//! training loops, portable: `f64`, and `f32` on CPUs without AVX2 (with
//! it, `f32` runs in `sgemm`). The `gemm` crate allocates packing
//! buffers on every call; this kernel packs into a per-thread buffer that
//! is kept and reused, so a training step that reuses its tape allocates
//! nothing.
//!
//! Classic blocking: for each slab of `KC` along the inner dimension, the
//! left operand is packed in `MR`-row micro-panels and the right one in
//! `NR`-column micro-panels (zero-padded at the edges), and each `MR × NR`
//! block of the result is accumulated in registers. On
//! x86-64 with AVX2 and FMA (detected at run time) the same code is
//! compiled with those features, so the accumulation becomes fused
//! multiply-adds on full-width vectors.

use crate::Float;
use std::any::{Any, TypeId};
use std::cell::RefCell;

/// Rows of the register block.
const MR: usize = 6;
/// Widest register block (f32's); f64 uses 8 columns.
const NR_MAX: usize = 16;
/// Depth of one packed slab.
const KC: usize = 256;

/// A matrix inside a buffer: its first element and its strides.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Strided {
    pub off: usize,
    pub rs: isize,
    pub cs: isize,
}

impl Strided {
    #[inline(always)]
    fn at(self, i: usize, j: usize) -> usize {
        (self.off as isize + i as isize * self.rs + j as isize * self.cs) as usize
    }
}

/// `dst (m×n) = [dst +] lhs (m×k) · rhs (k×n)`, any strides.
///
/// The caller guarantees that every addressed element lies inside its
/// slice (indexing panics otherwise).
#[allow(clippy::too_many_arguments)]
pub(crate) fn matmul<T: Float>(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [T],
    d: Strided,
    accumulate: bool,
    lhs: &[T],
    l: Strided,
    rhs: &[T],
    r: Strided,
) {
    let (mp, np) = (m.div_ceil(MR) * MR, n.div_ceil(NR_MAX) * NR_MAX);
    let len = KC.min(k) * (mp + np);
    // The scratch space is fetched here, outside the feature-specific
    // function, so that all arithmetic is compiled with its features.
    with_scratch::<T, _>(len, |scratch| {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            unsafe { matmul_avx2_fma(m, n, k, dst, d, accumulate, lhs, l, rhs, r, scratch) };
            return;
        }
        blocked::<T, false>(m, n, k, dst, d, accumulate, lhs, l, rhs, r, scratch);
    });
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn matmul_avx2_fma<T: Float>(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [T],
    d: Strided,
    accumulate: bool,
    lhs: &[T],
    l: Strided,
    rhs: &[T],
    r: Strided,
    scratch: &mut [T],
) {
    blocked::<T, true>(m, n, k, dst, d, accumulate, lhs, l, rhs, r, scratch);
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn blocked<T: Float, const FMA: bool>(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [T],
    d: Strided,
    accumulate: bool,
    lhs: &[T],
    l: Strided,
    rhs: &[T],
    r: Strided,
    scratch: &mut [T],
) {
    if std::mem::size_of::<T>() == 4 {
        blocked_nr::<T, FMA, 16>(m, n, k, dst, d, accumulate, lhs, l, rhs, r, scratch);
    } else {
        blocked_nr::<T, FMA, 8>(m, n, k, dst, d, accumulate, lhs, l, rhs, r, scratch);
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn blocked_nr<T: Float, const FMA: bool, const NR: usize>(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [T],
    d: Strided,
    accumulate: bool,
    lhs: &[T],
    l: Strided,
    rhs: &[T],
    r: Strided,
    scratch: &mut [T],
) {
    if k == 0 {
        if !accumulate {
            for i in 0..m {
                for j in 0..n {
                    dst[d.at(i, j)] = T::zero();
                }
            }
        }
        return;
    }
    let (mp, np) = (m.div_ceil(MR) * MR, n.div_ceil(NR) * NR);
    let kc_max = KC.min(k);
    {
        let (apack, bpack) = scratch.split_at_mut(kc_max * mp);
        for kb in (0..k).step_by(KC) {
            let kc = KC.min(k - kb);
            // A in MR-row micro-panels: panel ib holds a[ib + i, kb + p] at
            // p·MR + i. B in NR-column micro-panels likewise.
            for (ib, panel) in apack[..kc * mp].chunks_exact_mut(kc * MR).enumerate() {
                let rows = MR.min(m - ib * MR);
                let base = l.at(ib * MR, kb);
                pack::<T, MR>(panel, kc, rows, lhs, base, l.cs, l.rs);
            }
            for (jb, panel) in bpack[..kc * np].chunks_exact_mut(kc * NR).enumerate() {
                let cols = NR.min(n - jb * NR);
                let base = r.at(kb, jb * NR);
                pack::<T, NR>(panel, kc, cols, rhs, base, r.rs, r.cs);
            }
            let add = accumulate || kb > 0;
            for (ib, ap) in apack[..kc * mp].chunks_exact(kc * MR).enumerate() {
                let mr = MR.min(m - ib * MR);
                for (jb, bp) in bpack[..kc * np].chunks_exact(kc * NR).enumerate() {
                    let nr = NR.min(n - jb * NR);
                    let acc = block::<T, FMA, NR>(ap, bp);
                    for (i, row) in acc.iter().enumerate().take(mr) {
                        let first = d.at(ib * MR + i, jb * NR);
                        if d.cs == 1 {
                            let out = &mut dst[first..][..nr];
                            if add {
                                out.iter_mut().zip(row).for_each(|(e, &v)| *e += v);
                            } else {
                                out.copy_from_slice(&row[..nr]);
                            }
                        } else {
                            for (j, &v) in row.iter().enumerate().take(nr) {
                                let e = &mut dst[d.at(ib * MR + i, jb * NR + j)];
                                *e = if add { *e + v } else { v };
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Packs a `kc × w` piece of `src` (element `(p, x)` at
/// `base + p·sp + x·sx`) into `panel[p·W + x]`, zero-filling columns
/// `w..W`. Contiguous full-width rows are copied as fixed-size arrays
/// (register moves, not `memcpy` calls).
#[inline(always)]
fn pack<T: Float, const W: usize>(
    panel: &mut [T],
    kc: usize,
    w: usize,
    src: &[T],
    base: usize,
    sp: isize,
    sx: isize,
) {
    let at = |p: usize, x: usize| (base as isize + p as isize * sp + x as isize * sx) as usize;
    if w < W {
        panel.fill(T::zero());
    }
    if sx == 1 && w == W {
        for (p, row) in panel.chunks_exact_mut(W).enumerate() {
            let from: &[T; W] = src[at(p, 0)..][..W].try_into().expect("W elements");
            let to: &mut [T; W] = row.try_into().expect("W elements");
            *to = *from;
        }
    } else if sx == 1 {
        for (p, row) in panel.chunks_exact_mut(W).enumerate() {
            row[..w].copy_from_slice(&src[at(p, 0)..][..w]);
        }
    } else if sp == 1 {
        for x in 0..w {
            for (p, &v) in src[at(0, x)..][..kc].iter().enumerate() {
                panel[p * W + x] = v;
            }
        }
    } else {
        for (p, row) in panel.chunks_exact_mut(W).enumerate() {
            for (x, e) in row[..w].iter_mut().enumerate() {
                *e = src[at(p, x)];
            }
        }
    }
}

thread_local! {
    /// Per-thread packing space, grown to the largest product seen and then
    /// reused: after the first step of a training loop nothing is allocated.
    static SCRATCH: RefCell<(Vec<f32>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Runs `f` on `n` elements of this thread's scratch space of type `T`.
fn with_scratch<T: Float, R>(n: usize, f: impl FnOnce(&mut [T]) -> R) -> R {
    SCRATCH.with(|cell| {
        let mut pair = cell.borrow_mut();
        let (s32, s64) = &mut *pair;
        let any: &mut dyn Any = if TypeId::of::<T>() == TypeId::of::<f32>() {
            s32
        } else {
            s64
        };
        let buf = any
            .downcast_mut::<Vec<T>>()
            .expect("tapegrad's Float is f32 or f64");
        if buf.len() < n {
            buf.resize(n, T::zero());
        }
        f(&mut buf[..n])
    })
}

/// `MR × NR` block of `Σ_p a[p]ᵀ·b[p]` over packed slabs, kept in
/// registers.
#[inline(always)]
fn block<T: Float, const FMA: bool, const NR: usize>(a: &[T], b: &[T]) -> [[T; NR]; MR] {
    let mut acc = [[T::zero(); NR]; MR];
    for (ap, bp) in a.chunks_exact(MR).zip(b.chunks_exact(NR)) {
        for i in 0..MR {
            let x = ap[i];
            for j in 0..NR {
                acc[i][j] = if FMA {
                    x.mul_add(bp[j], acc[i][j])
                } else {
                    acc[i][j] + x * bp[j]
                };
            }
        }
    }
    acc
}
