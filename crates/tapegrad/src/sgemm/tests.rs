//! Both kernels (the AVX2 one forced on AVX-512 machines too), each with
//! its operands packed and read in place, against a triple loop in `f64`,
//! on shapes at and around every blocking edge.

use super::{avx2, avx512, blocked, detected, sgemm, Isa, Mat};
use rand::{rngs::StdRng, Rng, SeedableRng};

/// `(m, n, k)`: zero sizes, single rows and columns, one below/at/above
/// each kernel's tile (6 and 12 rows, 16 and 32 columns), above the slab
/// depth (256), the row block (192) and the column block (1024), and large
/// enough to be split over two threads; W4's products.
const SHAPES: [(usize, usize, usize); 25] = [
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
    (32, 64, 64),
    (64, 64, 32),
    (32, 10, 64),
];

/// How a case reaches a kernel: through [`sgemm`] (its own choice of
/// packing, transposing and splitting), or straight into the blocked loop
/// with both operands packed or both read in place where they can be.
#[derive(Clone, Copy, Debug)]
enum Path {
    Sgemm,
    Packed,
    InPlace,
}

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
                // The blocked loop needs a non-empty product.
                let paths: &[Path] = if m * n * k == 0 {
                    &[Path::Sgemm]
                } else {
                    &[Path::Sgemm, Path::Packed, Path::InPlace]
                };
                for (&isa, &path) in isas.iter().flat_map(|i| paths.iter().map(move |p| (i, p))) {
                    let mut c = c0.clone();
                    let (cm, am, bm) = (
                        Mat {
                            ptr: c.as_mut_ptr(),
                            rs: crs,
                            cs: ccs,
                        },
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
                    );
                    let in_place = matches!(path, Path::InPlace);
                    // SAFETY: `isa` was detected on this CPU; the buffers
                    // hold the matrices their strides address.
                    unsafe {
                        match (path, isa) {
                            (Path::Sgemm, _) => sgemm(isa, m, n, k, cm, add, am, bm),
                            (_, Isa::Avx512) => {
                                blocked::<avx512::Avx512>(in_place, m, n, k, cm, add, am, bm)
                            }
                            (_, Isa::Avx2) => {
                                blocked::<avx2::Avx2Fma>(in_place, m, n, k, cm, add, am, bm)
                            }
                        }
                    };
                    for (idx, (&got, &w)) in c.iter().zip(&want).enumerate() {
                        // f32 rounding of a k-term sum of terms below 1.
                        let tol = 1e-5 * (k as f64 + 2.0);
                        assert!(
                            (f64::from(got) - w).abs() <= tol,
                            "{isa:?} {path:?} {m}x{n}x{k} {la:?}/{lb:?}/{lc:?} add={add}: element {idx} is {got}, want {w}"
                        );
                    }
                    cases += 1;
                }
            }
        }
    }
    assert!(isas.is_empty() || cases >= SHAPES.len() * 6 * 3 - 3 * 6 * 2);
}

/// `matmul_into` (the dispatch `Var::matmul` uses: direct loop, this
/// kernel, the portable kernel or the gemm crate) in f32 and f64.
fn dispatch_matches_a_triple_loop<T: crate::Float>(tol: f64) {
    let mut rng = StdRng::seed_from_u64(11);
    for &(m, n, k) in &SHAPES {
        for (ta, tb, add) in [
            (false, false, false),
            (true, false, true),
            (false, true, false),
            (true, true, true),
        ] {
            let a: Vec<T> = (0..m * k)
                .map(|_| T::from_f64(rng.random_range(-1.0..1.0)))
                .collect();
            let b: Vec<T> = (0..k * n)
                .map(|_| T::from_f64(rng.random_range(-1.0..1.0)))
                .collect();
            let mut c: Vec<T> = (0..m * n)
                .map(|_| T::from_f64(rng.random_range(-1.0..1.0)))
                .collect();
            let at = |i: usize, p: usize| if ta { a[p * m + i] } else { a[i * k + p] }.to_f64();
            let bt = |p: usize, j: usize| if tb { b[j * k + p] } else { b[p * n + j] }.to_f64();
            let want: Vec<f64> = (0..m * n)
                .map(|e| {
                    let (i, j) = (e / n, e % n);
                    let s: f64 = (0..k).map(|p| at(i, p) * bt(p, j)).sum();
                    if add {
                        c[e].to_f64() + s
                    } else {
                        s
                    }
                })
                .collect();
            crate::matmul_into(m, n, k, &mut c, add, &a, ta, &b, tb);
            for (e, (got, w)) in c.iter().zip(&want).enumerate() {
                assert!(
                    (crate::Float::to_f64(*got) - w).abs() <= tol * (k as f64 + 2.0),
                    "{} {m}x{n}x{k} ta={ta} tb={tb} add={add}: element {e} is {got}, want {w}",
                    T::NAME
                );
            }
        }
    }
}

#[test]
fn the_matmul_dispatch_matches_a_triple_loop_in_f32_and_f64() {
    dispatch_matches_a_triple_loop::<f32>(1e-5);
    dispatch_matches_a_triple_loop::<f64>(1e-13);
}
