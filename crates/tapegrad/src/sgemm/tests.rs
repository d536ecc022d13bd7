//! Both kernels (the AVX2 one forced on AVX-512 machines too) against a
//! triple loop in `f64`, on shapes at and around every blocking edge.

use super::{detected, sgemm, Isa, Mat};
use rand::{rngs::StdRng, Rng, SeedableRng};

/// `(m, n, k)`: zero sizes, single rows and columns, one below/at/above
/// each kernel's tile (6 and 12 rows, 16 and 32 columns), above the slab
/// depth (256), the row block (192) and the column block (1024), and large
/// enough to be split over two threads.
const SHAPES: [(usize, usize, usize); 22] = [
    (0, 5, 3),
    (4, 0, 3),
    (3, 4, 0),
    (1, 1, 1),
    (1, 33, 7),
    (13, 1, 9),
    (5, 15, 3),
    (6, 16, 8),
    (7, 17, 2),
    (11, 31, 5),
    (12, 32, 4),
    (13, 33, 6),
    (25, 65, 257),
    (24, 64, 256),
    (193, 20, 30),
    (3, 1030, 5),
    (100, 300, 40),
    (128, 512, 64),
    (200, 70, 600),
    (37, 100, 300),
    (128, 10, 512),
    (513, 10, 128),
];

/// The layouts tried for one operand: row-major, column-major (a
/// transposed view), and row-major with padded rows.
#[derive(Clone, Copy, Debug)]
enum Layout {
    Rows,
    Cols,
    Padded,
}

const LAYOUTS: [Layout; 3] = [Layout::Rows, Layout::Cols, Layout::Padded];

/// Storage for a `r × c` matrix in `layout`, and its strides.
fn layout(r: usize, c: usize, layout: Layout) -> (usize, isize, isize) {
    match layout {
        Layout::Rows => (r * c, c as isize, 1),
        Layout::Cols => (r * c, 1, r as isize),
        Layout::Padded => (r * (c + 3), (c + 3) as isize, 1),
    }
}

fn random(len: usize, rng: &mut StdRng) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(-1.0..1.0)).collect()
}

fn isas() -> Vec<Isa> {
    match detected() {
        Some(Isa::Avx512) => vec![Isa::Avx512, Isa::Avx2],
        Some(Isa::Avx2) => vec![Isa::Avx2],
        None => vec![],
    }
}

#[test]
fn both_kernels_match_a_triple_loop_in_f64() {
    let isas = isas();
    eprintln!("kernels tested: {isas:?}");
    let mut rng = StdRng::seed_from_u64(7);
    let mut cases = 0;
    for &(m, n, k) in &SHAPES {
        for (li, &la) in LAYOUTS.iter().enumerate() {
            // Every layout of each operand, without all 27 combinations.
            let lb = LAYOUTS[(li + 1) % 3];
            let lc = LAYOUTS[(li + 2) % 3];
            for add in [false, true] {
                let ((alen, ars, acs), (blen, brs, bcs), (clen, crs, ccs)) =
                    (layout(m, k, la), layout(k, n, lb), layout(m, n, lc));
                let (av, bv, c0) = (
                    random(alen, &mut rng),
                    random(blen, &mut rng),
                    random(clen, &mut rng),
                );
                let mut want = c0.iter().map(|&x| f64::from(x)).collect::<Vec<_>>();
                for i in 0..m {
                    for j in 0..n {
                        let s: f64 = (0..k)
                            .map(|p| {
                                f64::from(av[(i as isize * ars + p as isize * acs) as usize])
                                    * f64::from(bv[(p as isize * brs + j as isize * bcs) as usize])
                            })
                            .sum();
                        let e = &mut want[(i as isize * crs + j as isize * ccs) as usize];
                        *e = if add { *e + s } else { s };
                    }
                }
                for &isa in &isas {
                    let mut c = c0.clone();
                    // SAFETY: `isa` was detected on this CPU; the buffers
                    // hold the matrices their strides address.
                    unsafe {
                        sgemm(
                            isa,
                            m,
                            n,
                            k,
                            Mat {
                                ptr: c.as_mut_ptr(),
                                rs: crs,
                                cs: ccs,
                            },
                            add,
                            Mat {
                                ptr: av.as_ptr(),
                                rs: ars,
                                cs: acs,
                            },
                            Mat {
                                ptr: bv.as_ptr(),
                                rs: brs,
                                cs: bcs,
                            },
                        )
                    };
                    for (idx, (&got, &w)) in c.iter().zip(&want).enumerate() {
                        // f32 rounding of a k-term sum of terms below 1.
                        let tol = 1e-5 * (k as f64 + 2.0);
                        assert!(
                            (f64::from(got) - w).abs() <= tol,
                            "{isa:?} {m}x{n}x{k} {la:?}/{lb:?}/{lc:?} add={add}: element {idx} is {got}, want {w}"
                        );
                    }
                    cases += 1;
                }
            }
        }
    }
    assert!(isas.is_empty() || cases >= SHAPES.len() * 6);
}
