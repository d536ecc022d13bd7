//! tapegrad's own `f32` matrix product for x86-64 CPUs with AVX-512 or
//! AVX2 + FMA (chosen once, at run time), BLIS-style:
//!
//! for each `NC`-column block of the result and `KC`-deep slab of the
//! inner dimension, the right operand is packed into `NR`-column
//! micro-panels (an L2-sized block); for each `MC`-row block the left
//! operand is packed into `MR`-row micro-panels; each `MR`-row micro-panel
//! (L1-resident) then meets every `NR`-column one in the register-blocked
//! kernel ([`avx512`], [`avx2`]). Edges are zero-padded in the packed
//! panels, and edge tiles go through a small buffer.
//!
//! The packing space is kept per thread and reused, so once a training
//! step's largest product has run, products allocate nothing (the `gemm`
//! crate allocates its packing buffers on every call). Large products are
//! split in two halves of the result, one per core, on rayon's pool.

mod avx2;
mod avx512;
mod register_tile;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::sync::OnceLock;

/// Depth of one packed slab: a 12-row left micro-panel is then 12 KiB
/// (L1), a 32-wide right one 32 KiB.
const KC: usize = 256;
/// Rows of one packed left block (a multiple of both kernels' `MR`).
const MC: usize = 192;
/// Columns of one packed right block: `KC × NC` floats is 1 MiB (L2).
const NC: usize = 1024;
/// Products of fewer multiply-adds than this run on one thread: 2²⁰ is
/// about 12 µs on one core, where waking a parked rayon worker (tens of µs
/// on a loaded machine) would cost about what it saves. Not yet tuned on a
/// quiet machine (docs/performance.md "GEMM").
const PARALLEL_MIN_MACS: usize = 1 << 20;
/// Products whose operands hold at most this many floats (64 KiB, W4's
/// `32 × 64 · 64 × 64` holds 6 Ki) read both in place, unpacked: there
/// packing costs about what the arithmetic does, and the operands stay in
/// L1 and L2 between the row panels that re-read them. Measured on AMD Zen 4
/// (docs/performance.md "Small products unpacked"), W4's products gain
/// 15–35% with the AVX-512 kernel and W4's step 9–14%.
const IN_PLACE_MAX_FLOATS: usize = 1 << 14;
/// Widest register tile of any kernel (12 × 32), for the edge buffer.
const TILE_MAX: usize = 12 * 32;

/// A register-blocked kernel: `MR × NR` of the product from packed panels.
trait Tile {
    const MR: usize;
    const NR: usize;
    /// `c[i·rs + j] = [c[i·rs + j] +] Σ_p a(i, p)·b[p·bs + j]` for
    /// `i < MR`, `j < NR`, where `a(i, p)` is `a.ptr[p·MR + i]` (a packed
    /// panel; `a`'s strides unused) or, `IN_PLACE`, `a.ptr[i·a.rs + p·a.cs]`.
    ///
    /// # Safety
    /// The CPU has the kernel's features; `a` addresses `MR × kc` readable
    /// floats, `b` `kc` rows of `NR` readable floats `bs` apart; `c`
    /// addresses `MR` rows of `NR` contiguous writable floats, `rs` apart,
    /// aliasing neither.
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile<const IN_PLACE: bool>(
        kc: usize,
        a: Mat<*const f32>,
        b: *const f32,
        bs: usize,
        c: *mut f32,
        rs: isize,
        add: bool,
    );
}

/// The instruction set the kernel uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Isa {
    Avx512,
    Avx2,
}

/// The best kernel this CPU runs, or `None` (then the caller falls back).
pub(crate) fn detected() -> Option<Isa> {
    static ISA: OnceLock<Option<Isa>> = OnceLock::new();
    *ISA.get_or_init(|| {
        if std::is_x86_feature_detected!("avx512f") {
            Some(Isa::Avx512)
        } else if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            Some(Isa::Avx2)
        } else {
            None
        }
    })
}

/// A matrix in memory: first element and row and column strides (in
/// elements, any sign-free layout: transposed views swap them).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mat<P> {
    pub ptr: P,
    pub rs: isize,
    pub cs: isize,
}

// SAFETY: a `Mat` is sent to the second half's thread only by `sgemm`,
// whose halves write disjoint elements of the result and only read the
// operands, and which waits for both halves before returning.
unsafe impl<P> Send for Mat<P> {}

impl<P: Copy> Mat<P> {
    /// Element offset of `(i, j)`.
    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> isize {
        i as isize * self.rs + j as isize * self.cs
    }
}

/// `c (m×n) = [c +] a (m×k) · b (k×n)` with the kernel of `isa`.
///
/// # Safety
/// `isa` runs on this CPU (from [`detected`], or a narrower one); every
/// element `(i, j)` the three views address (`ptr + i·rs + j·cs` inside
/// their `m×k`, `k×n`, `m×n`) is valid, and `c` aliases neither input.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn sgemm(
    isa: Isa,
    m: usize,
    n: usize,
    k: usize,
    c: Mat<*mut f32>,
    add: bool,
    a: Mat<*const f32>,
    b: Mat<*const f32>,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !add {
            for i in 0..m {
                for j in 0..n {
                    // SAFETY: `(i, j)` is inside `c` (the contract).
                    unsafe { *c.ptr.offset(c.at(i, j)) = 0.0 };
                }
            }
        }
        return;
    }
    // A product narrower than one tile wastes most of each tile's columns:
    // compute its transpose `cᵀ = bᵀ·aᵀ` instead (a swap of strides).
    if n < 16 && m > n {
        fn t<P>(x: Mat<P>) -> Mat<P> {
            Mat {
                ptr: x.ptr,
                rs: x.cs,
                cs: x.rs,
            }
        }
        // SAFETY: the same elements, addressed through transposed views.
        return unsafe { sgemm(isa, n, m, k, t(c), add, t(b), t(a)) };
    }
    if m * n * k >= PARALLEL_MIN_MACS && rayon::current_num_threads() > 1 {
        // Split the result in two, along its longer side, at a multiple of
        // both kernels' tile; each half packs its own operands.
        let (mr, nr) = (12, 32);
        if n >= m && n >= 2 * nr {
            let h = (n / 2).div_ceil(nr) * nr;
            let (c2, b2) = (
                Mat {
                    ptr: c.ptr.wrapping_offset(c.at(0, h)),
                    ..c
                },
                Mat {
                    ptr: b.ptr.wrapping_offset(b.at(0, h)),
                    ..b
                },
            );
            rayon::join(
                // SAFETY: the halves are the columns `..h` and `h..` of
                // the same valid views: disjoint parts of `c`.
                move || unsafe { serial(isa, m, h, k, c, add, a, b) },
                move || unsafe { serial(isa, m, n - h, k, c2, add, a, b2) },
            );
            return;
        }
        if m >= 2 * mr {
            let h = (m / 2).div_ceil(mr) * mr;
            let (c2, a2) = (
                Mat {
                    ptr: c.ptr.wrapping_offset(c.at(h, 0)),
                    ..c
                },
                Mat {
                    ptr: a.ptr.wrapping_offset(a.at(h, 0)),
                    ..a
                },
            );
            rayon::join(
                // SAFETY: the rows `..h` and `h..`, as above.
                move || unsafe { serial(isa, h, n, k, c, add, a, b) },
                move || unsafe { serial(isa, m - h, n, k, c2, add, a2, b) },
            );
            return;
        }
    }
    // SAFETY: the caller's contract.
    unsafe { serial(isa, m, n, k, c, add, a, b) }
}

/// [`sgemm`] on this thread.
#[allow(clippy::too_many_arguments)]
unsafe fn serial(
    isa: Isa,
    m: usize,
    n: usize,
    k: usize,
    c: Mat<*mut f32>,
    add: bool,
    a: Mat<*const f32>,
    b: Mat<*const f32>,
) {
    let in_place = (m + n) * k <= IN_PLACE_MAX_FLOATS;
    // SAFETY: forwarded contract; the kernel matches `isa`.
    unsafe {
        match isa {
            Isa::Avx512 => blocked::<avx512::Avx512>(in_place, m, n, k, c, add, a, b),
            Isa::Avx2 => blocked::<avx2::Avx2Fma>(in_place, m, n, k, c, add, a, b),
        }
    }
}

thread_local! {
    /// Per-thread packing space, grown to the largest blocks seen and then
    /// reused.
    static PACK: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Floats of padding that let the packed panels start on a 64-byte line.
const ALIGN: usize = 16;

#[allow(clippy::too_many_arguments)]
unsafe fn blocked<K: Tile>(
    in_place: bool,
    m: usize,
    n: usize,
    k: usize,
    c: Mat<*mut f32>,
    add: bool,
    a: Mat<*const f32>,
    b: Mat<*const f32>,
) {
    let (kc_max, mc_max, nc_max) = (KC.min(k), MC.min(m), NC.min(n));
    let (mcp, ncp) = (
        mc_max.div_ceil(K::MR) * K::MR,
        nc_max.div_ceil(K::NR) * K::NR,
    );
    let (alen, blen) = (kc_max * mcp, kc_max * ncp);
    // A right operand with contiguous rows is read in place in a small
    // product, or with few rows of the result: its rows already are what a
    // packed panel holds, and copying it would cost about as much as the
    // few row panels that reuse it (W2's 10-column gradients, computed
    // transposed). With more rows packing pays (measured on an Intel Xeon:
    // 128 rows lose 8% in place). Only a narrow last panel is packed,
    // zero-padded.
    let in_place_b = b.cs == 1 && (in_place || m <= 2 * K::MR);
    let in_place_a = in_place;
    PACK.with(|cell| {
        let mut buf = cell.borrow_mut();
        if buf.len() < alen + blen + 2 * ALIGN {
            buf.resize(alen + blen + 2 * ALIGN, 0.0);
        }
        let lead = buf.as_ptr().align_offset(64).min(ALIGN);
        let (apack, rest) = buf[lead..].split_at_mut(alen.next_multiple_of(ALIGN));
        let bpack = &mut rest[..blen];
        let mut edge = [0f32; TILE_MAX];
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            // Equal slabs: a short last slab would re-read and re-write the
            // result for little arithmetic.
            let kc_even = k.div_ceil(k.div_ceil(KC));
            for pc in (0..k).step_by(kc_even) {
                let kc = kc_even.min(k - pc);
                let bpanels = nc.div_ceil(K::NR);
                for jr in 0..bpanels {
                    let j0 = jc + jr * K::NR;
                    if in_place_b && n - j0 >= K::NR {
                        continue;
                    }
                    let panel = &mut bpack[jr * kc * K::NR..][..kc * K::NR];
                    // SAFETY: rows `pc..pc+kc`, columns `j0..j0+w` are
                    // inside `b`.
                    unsafe { pack(panel, K::NR, kc, K::NR.min(n - j0), b, pc, j0, false) };
                }
                let acc = add || pc > 0;
                for ic in (0..m).step_by(MC) {
                    let mc = MC.min(m - ic);
                    let apanels = mc.div_ceil(K::MR);
                    for ir in 0..apanels {
                        let i0 = ic + ir * K::MR;
                        let rows = K::MR.min(m - i0);
                        // In place the kernel reads `MR` rows: a short last
                        // panel is packed, zero-padded.
                        if in_place_a && rows == K::MR {
                            continue;
                        }
                        let panel = &mut apack[ir * kc * K::MR..][..kc * K::MR];
                        // SAFETY: rows `i0..i0+w`, columns `pc..pc+kc`
                        // are inside `a`.
                        unsafe { pack(panel, K::MR, kc, rows, a, i0, pc, true) };
                    }
                    for ir in 0..apanels {
                        let i0 = ic + ir * K::MR;
                        let rows = K::MR.min(m - i0);
                        let a_here = in_place_a && rows == K::MR;
                        let ap = if a_here {
                            Mat {
                                ptr: a.ptr.wrapping_offset(a.at(i0, pc)),
                                ..a
                            }
                        } else {
                            Mat {
                                ptr: apack[ir * kc * K::MR..].as_ptr(),
                                rs: 1,
                                cs: K::MR as isize,
                            }
                        };
                        for jr in 0..bpanels {
                            let j0 = jc + jr * K::NR;
                            let cols = K::NR.min(n - j0);
                            let (bp, bs) = if in_place_b && cols == K::NR {
                                (b.ptr.wrapping_offset(b.at(pc, j0)), b.rs as usize)
                            } else {
                                (bpack[jr * kc * K::NR..].as_ptr(), K::NR)
                            };
                            let at = c.ptr.wrapping_offset(c.at(i0, j0));
                            let full = rows == K::MR && cols == K::NR && c.cs == 1;
                            let (to, to_rs, to_add) = if full {
                                (at, c.rs, acc)
                            } else {
                                (edge.as_mut_ptr(), K::NR as isize, false)
                            };
                            // SAFETY: a full tile inside `c`, rows
                            // contiguous, or `edge` (MR × NR floats); the
                            // panels (or `a`'s rows) hold `kc` steps.
                            unsafe {
                                if a_here {
                                    K::tile::<true>(kc, ap, bp, bs, to, to_rs, to_add);
                                } else {
                                    K::tile::<false>(kc, ap, bp, bs, to, to_rs, to_add);
                                }
                            }
                            if !full {
                                for i in 0..rows {
                                    for j in 0..cols {
                                        let v = edge[i * K::NR + j];
                                        // SAFETY: `(i0+i, j0+j)` is inside `c`.
                                        unsafe {
                                            let e = at.offset(c.at(i, j));
                                            *e = if acc { *e + v } else { v };
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    });
}

/// Packs the `w` rows (`by_rows`; else columns) starting at `(r0, c0)` of
/// `src`, `kc` deep, into `panel[p·width + x]` (`x` the row or column,
/// `p` the depth), zero-filling `x` in `w..width`.
///
/// # Safety
/// Every addressed element is inside `src`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn pack(
    panel: &mut [f32],
    width: usize,
    kc: usize,
    w: usize,
    src: Mat<*const f32>,
    r0: usize,
    c0: usize,
    by_rows: bool,
) {
    // Stride along `x` and along the depth `p`.
    let (sx, sp) = if by_rows {
        (src.rs, src.cs)
    } else {
        (src.cs, src.rs)
    };
    let base = src.ptr.wrapping_offset(src.at(r0, c0));
    if w < width {
        panel.fill(0.0);
    }
    if sx == 1 {
        for (p, row) in panel.chunks_exact_mut(width).enumerate() {
            // SAFETY: `w` contiguous elements at depth `p` are inside `src`.
            let from = unsafe { std::slice::from_raw_parts(base.offset(p as isize * sp), w) };
            row[..w].copy_from_slice(from);
        }
    } else if sp == 1 {
        for x in 0..w {
            // SAFETY: `kc` contiguous elements along the depth.
            let from = unsafe { std::slice::from_raw_parts(base.offset(x as isize * sx), kc) };
            for (p, &v) in from.iter().enumerate() {
                panel[p * width + x] = v;
            }
        }
    } else {
        for (p, row) in panel.chunks_exact_mut(width).enumerate() {
            for (x, e) in row[..w].iter_mut().enumerate() {
                // SAFETY: inside `src`.
                *e = unsafe { *base.offset(x as isize * sx + p as isize * sp) };
            }
        }
    }
}
