//! The register-blocked kernel, written once over an instruction set's
//! vector type and intrinsics and instantiated per set (`avx2.rs`,
//! `avx512.rs`): an `MR × 2·lanes` tile of the product held in `2·MR`
//! accumulators, plus two registers for the packed right-hand row and one
//! for the broadcast left element, so the inner loop never spills.

/// Defines the kernel struct `$name` and its `Tile` impl.
macro_rules! register_tile {
    (
        $(#[$doc:meta])*
        $name:ident, feature: $feature:literal, vector: $v:ty, lanes: $lanes:literal, rows: $mr:literal,
        setzero: $setzero:ident, load: $load:ident, store: $store:ident,
        set1: $set1:ident, fma: $fma:ident, add: $add:ident
    ) => {
        $(#[$doc])*
        pub(super) struct $name;

        impl super::Tile for $name {
            const MR: usize = $mr;
            const NR: usize = 2 * $lanes;

            unsafe fn tile<const IN_PLACE: bool>(
                kc: usize,
                a: super::Mat<*const f32>,
                b: *const f32,
                bs: usize,
                c: *mut f32,
                rs: isize,
                add: bool,
            ) {
                // SAFETY: `tile`'s contract (see `Tile`): the CPU has the
                // kernel's features (checked when the kernel was chosen) and
                // every pointer covers what the kernel reads and writes.
                unsafe { tile::<IN_PLACE>(kc, a, b, bs, c, rs, add) }
            }
        }

        #[target_feature(enable = $feature)]
        unsafe fn tile<const IN_PLACE: bool>(
            kc: usize,
            a: super::Mat<*const f32>,
            b: *const f32,
            bs: usize,
            c: *mut f32,
            rs: isize,
            add: bool,
        ) {
            const MR: usize = $mr;
            const NR: usize = 2 * $lanes;
            // A packed panel's strides are constants, so its addressing
            // folds into the loads; in place they are the operand's.
            let (ars, acs) = if IN_PLACE { (a.rs, a.cs) } else { (1, MR as isize) };
            let mut acc: [[$v; 2]; MR] = [[$setzero(); 2]; MR];
            for i in 0..MR {
                // The result tile is read (or overwritten) after the loop:
                // start fetching its lines now, so the misses overlap the
                // arithmetic.
                let row = c.wrapping_offset(i as isize * rs).cast::<i8>();
                _mm_prefetch::<_MM_HINT_T0>(row);
                _mm_prefetch::<_MM_HINT_T0>(row.wrapping_add(4 * NR - 1));
            }
            for p in 0..kc {
                // SAFETY: the panels hold `kc` rows of `NR` (`bs` apart) and
                // of `MR` elements.
                let (b0, b1) = unsafe { ($load(b.add(p * bs)), $load(b.add(p * bs + $lanes))) };
                for (i, row) in acc.iter_mut().enumerate() {
                    // SAFETY: as above.
                    let x = $set1(unsafe { *a.ptr.offset(i as isize * ars + p as isize * acs) });
                    row[0] = $fma(x, b0, row[0]);
                    row[1] = $fma(x, b1, row[1]);
                }
            }
            for (i, row) in acc.iter().enumerate() {
                for (v, &x) in row.iter().enumerate() {
                    // SAFETY: the caller's tile covers MR rows (stride `rs`)
                    // of NR contiguous elements from `c`.
                    unsafe {
                        let at = c.offset(i as isize * rs).add($lanes * v);
                        let out = if add { $add($load(at), x) } else { x };
                        $store(at, out);
                    }
                }
            }
        }
    };
}

pub(super) use register_tile;
