//! Arbitrary bytes as a safetensors state dict of the 4-8-8-3 test model:
//! no panic, an error leaves the model as it was, a success is finite.

#![no_main]

#[path = "../../crates/tapegrad-nn/tests/support/loader_invariants.rs"]
#[allow(dead_code, reason = "each target checks one of the two loaders")]
mod loader_invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let mut mlp = loader_invariants::target_model();
    loader_invariants::load_model_bytes(&mut mlp, bytes);
});
