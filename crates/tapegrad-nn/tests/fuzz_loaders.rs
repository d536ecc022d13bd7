//! Seeded mutation fuzzing in the ordinary test suite: a few thousand
//! mutations (bit flips, byte overwrites, truncations, splices, insertions
//! of awkward text, edits of the 8-byte length prefix) of a valid
//! safetensors model and of a valid CSV go through the loaders. No input
//! may panic, take long, or — when it fails — change the model. Longer,
//! coverage-guided runs: the cargo-fuzz targets in `fuzz/`.
#![cfg(all(feature = "safetensors", feature = "csv-gz"))] // model files and the shipped data

#[path = "support/loader_invariants.rs"]
mod loader_invariants;

use loader_invariants::{check_model_outcome, load_model_bytes, read_csv_bytes, target_model};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

const MUTATIONS: usize = 3000;
/// Far above what any of these small inputs needs (microseconds), far
/// below a hang.
const PER_INPUT: Duration = Duration::from_secs(2);

/// Text that has broken loaders before: marks, huge labels, non-finite
/// numbers, separators, JSON punctuation.
const AWKWARD: &[&str] = &[
    "\u{feff}",
    "18446744073709551615",
    "nan",
    "-inf",
    "1e400",
    "1e39",
    ",",
    "\n",
    "\n\n",
    "-",
    "99999999999999999999999",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ":",
    "\"F16\"",
    "\"shape\":[",
    "\"data_offsets\":[0,",
    "\u{0}",
    "\u{fffd}",
];

fn mutate(rng: &mut StdRng, valid: &[u8]) -> Vec<u8> {
    let mut b = valid.to_vec();
    for _ in 0..rng.random_range(1..=3) {
        let len = b.len().max(1);
        match rng.random_range(0..7) {
            0 => {
                let i = rng.random_range(0..len);
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << rng.random_range(0..8);
                }
            }
            1 => {
                let i = rng.random_range(0..len);
                if let Some(x) = b.get_mut(i) {
                    *x = rng.random();
                }
            }
            2 => b.truncate(rng.random_range(0..len)),
            3 => {
                // Splice: copy a run of the input over another place.
                let from = rng.random_range(0..len);
                let n = rng.random_range(0..=16).min(b.len() - from.min(b.len()));
                let run: Vec<u8> = b[from.min(b.len())..from.min(b.len()) + n].to_vec();
                let at = rng.random_range(0..=b.len());
                b.splice(at..at, run);
            }
            4 => {
                let s = AWKWARD[rng.random_range(0..AWKWARD.len())].as_bytes();
                let at = rng.random_range(0..=b.len());
                b.splice(at..at, s.iter().copied());
            }
            5 => {
                // Length-prefix edit: the 8-byte header length of a
                // safetensors file (for a CSV, its first bytes).
                if b.len() >= 8 {
                    let mut n = u64::from_le_bytes(b[..8].try_into().unwrap());
                    n = match rng.random_range(0..5) {
                        0 => n.wrapping_add(rng.random_range(1..64)),
                        1 => n.saturating_sub(rng.random_range(1..64)),
                        2 => u64::MAX - rng.random_range(0..8),
                        3 => rng.random_range(0..200_000_000),
                        _ => 0,
                    };
                    b[..8].copy_from_slice(&n.to_le_bytes());
                }
            }
            _ => {
                let i = rng.random_range(0..len).min(b.len());
                b.drain(i..(i + rng.random_range(1..=8)).min(b.len()));
            }
        }
    }
    b
}

/// Runs `check` on `MUTATIONS` mutations of `valid`, failing with the case
/// number on a panic or a slow case. Returns how many inputs loaded.
fn fuzz(seed: u64, valid: &[u8], mut check: impl FnMut(usize, &[u8]) -> bool) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut loaded = 0;
    for case in 0..MUTATIONS {
        let input = mutate(&mut rng, valid);
        let start = Instant::now();
        let ok = catch_unwind(AssertUnwindSafe(|| check(case, &input)))
            .unwrap_or_else(|_| panic!("case {case} (seed {seed}) panicked on {input:?}"));
        let took = start.elapsed();
        assert!(took < PER_INPUT, "case {case} (seed {seed}) took {took:?}");
        loaded += usize::from(ok);
    }
    loaded
}

#[test]
fn mutated_safetensors_models_never_panic_and_never_half_load() {
    let mut mlp = target_model();
    let path =
        std::env::temp_dir().join(format!("tapegrad-fuzz-{}.safetensors", std::process::id()));
    mlp.save(&path).unwrap();
    let valid = std::fs::read(&path).unwrap();
    assert!(
        load_model_bytes(&mut mlp, &valid),
        "the unmutated file loads"
    );
    let loaded = fuzz(0x5afe, &valid, |case, bytes| {
        if case % 16 == 0 {
            // Through the file path too (the header-length check on the
            // file size lives there).
            std::fs::write(&path, bytes).unwrap();
            let before = mlp.params().values().to_vec();
            let ok = mlp.load(&path).is_ok();
            check_model_outcome(&mlp, &before, ok)
        } else {
            load_model_bytes(&mut mlp, bytes)
        }
    });
    std::fs::remove_file(&path).unwrap();
    // Some mutations (a flipped mantissa bit) still make a valid model, most
    // do not: both paths were exercised.
    assert!(
        loaded > 0 && loaded < MUTATIONS,
        "{loaded} of {MUTATIONS} loaded"
    );
}

#[test]
fn mutated_csv_tables_never_panic_and_load_only_consistent_data() {
    let mut table = String::new();
    for i in 0..24 {
        table.push_str(&format!(
            "{},{:.3},{}e-2,{}\n",
            i,
            i as f64 / 7.0,
            i * 3,
            i % 4
        ));
    }
    let body = table.into_bytes();
    assert!(read_csv_bytes(&body), "the unmutated table loads");
    let loaded = fuzz(0xc5f, &body, |_, bytes| read_csv_bytes(bytes));
    assert!(
        loaded > 0 && loaded < MUTATIONS,
        "{loaded} of {MUTATIONS} loaded"
    );
}
