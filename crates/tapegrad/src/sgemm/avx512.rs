//! The AVX-512 register block: a 12 × 32 tile of the product, held in 24
//! `zmm` accumulators (two 16-lane vectors per row), plus two for the
//! packed right-hand row and one for the broadcast left element: 27 of the
//! 32 registers, so the inner loop never spills.

use super::Tile;
use std::arch::x86_64::{
    __m512, _mm512_add_ps, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_set1_ps, _mm512_setzero_ps,
    _mm512_storeu_ps, _mm_prefetch, _MM_HINT_T0,
};

/// The AVX-512F kernel (`f32`, 16 lanes).
pub(super) struct Avx512;

const MR: usize = 12;
const NR: usize = 32;

impl Tile for Avx512 {
    const MR: usize = MR;
    const NR: usize = NR;

    unsafe fn tile(
        kc: usize,
        a: *const f32,
        b: *const f32,
        bs: usize,
        c: *mut f32,
        rs: isize,
        add: bool,
    ) {
        // SAFETY: `tile`'s contract (see `Tile`): the CPU has AVX-512F
        // (checked when the kernel was chosen) and every pointer covers what
        // the kernel reads and writes.
        unsafe { tile(kc, a, b, bs, c, rs, add) }
    }
}

#[target_feature(enable = "avx512f")]
unsafe fn tile(
    kc: usize,
    a: *const f32,
    b: *const f32,
    bs: usize,
    c: *mut f32,
    rs: isize,
    add: bool,
) {
    let mut acc: [[__m512; 2]; MR] = [[_mm512_setzero_ps(); 2]; MR];
    for i in 0..MR {
        // The result tile is read (or overwritten) after the loop: start
        // fetching its lines now, so the misses overlap the arithmetic.
        let row = c.wrapping_offset(i as isize * rs).cast::<i8>();
        _mm_prefetch::<_MM_HINT_T0>(row);
        _mm_prefetch::<_MM_HINT_T0>(row.wrapping_add(4 * NR - 1));
    }
    for p in 0..kc {
        // SAFETY: the panels hold `kc` rows of `NR` (`bs` apart) and of
        // `MR` elements.
        let (b0, b1) = unsafe {
            (
                _mm512_loadu_ps(b.add(p * bs)),
                _mm512_loadu_ps(b.add(p * bs + 16)),
            )
        };
        for (i, row) in acc.iter_mut().enumerate() {
            // SAFETY: as above.
            let x = _mm512_set1_ps(unsafe { *a.add(p * MR + i) });
            row[0] = _mm512_fmadd_ps(x, b0, row[0]);
            row[1] = _mm512_fmadd_ps(x, b1, row[1]);
        }
    }
    for (i, row) in acc.iter().enumerate() {
        for (v, &x) in row.iter().enumerate() {
            // SAFETY: the caller's tile covers MR rows (stride `rs`) of NR
            // contiguous elements from `c`.
            unsafe {
                let at = c.offset(i as isize * rs).add(16 * v);
                let out = if add {
                    _mm512_add_ps(_mm512_loadu_ps(at), x)
                } else {
                    x
                };
                _mm512_storeu_ps(at, out);
            }
        }
    }
}
