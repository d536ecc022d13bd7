//! Arbitrary bytes as a CSV table, read with class labels and with
//! real-valued targets: no panic, a success is consistent and finite.

#![no_main]

#[path = "../../crates/tapegrad-nn/tests/support/loader_invariants.rs"]
#[allow(dead_code, reason = "each target checks one of the two loaders")]
mod loader_invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    loader_invariants::read_csv_bytes(bytes);
});
