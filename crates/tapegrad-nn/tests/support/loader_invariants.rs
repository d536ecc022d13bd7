//! What must hold whatever bytes the loaders are given: no panic (the
//! caller catches one), an error leaves the model exactly as it was, and a
//! success yields finite values of the right shapes. Shared by the seeded
//! mutation test (`tests/fuzz_loaders.rs`) and the cargo-fuzz targets in
//! `fuzz/` (`#[path]` module).

use tapegrad_nn::data::{read_csv, CsvOptions};
use tapegrad_nn::io::{deserialize_safetensors_with, LoadOptions};
use tapegrad_nn::{Activation, Mlp};

/// The model the fuzzed files are loaded into: the 4-8-8-3 network of the
/// PyTorch fixtures.
#[must_use]
pub fn target_model() -> Mlp<f32> {
    Mlp::new(4)
        .hidden(8, Activation::Relu)
        .hidden(8, Activation::Tanh)
        .seed(7)
        .output(3)
}

/// Decodes `bytes` as a safetensors state dict into `mlp` the way
/// [`Mlp::load`] does after reading the file, and checks the outcome.
/// Returns whether the load succeeded.
///
/// # Panics
/// When an invariant breaks (or the loader itself panics).
pub fn load_model_bytes(mlp: &mut Mlp<f32>, bytes: &[u8]) -> bool {
    let before = mlp.params().values().to_vec();
    let loaded = deserialize_safetensors_with::<f32>(bytes, &LoadOptions::default())
        .map_err(|e| e.to_string())
        .and_then(|sd| mlp.load_state_dict(&sd).map_err(|e| e.to_string()));
    check_model_outcome(mlp, &before, loaded.is_ok())
}

/// After a load: unchanged on error, finite on success.
///
/// # Panics
/// When that does not hold.
pub fn check_model_outcome(mlp: &Mlp<f32>, before: &[f32], ok: bool) -> bool {
    let after = mlp.params().values();
    if ok {
        assert!(
            after.iter().all(|v| v.is_finite()),
            "a successful load produced a non-finite parameter"
        );
    } else {
        // Bitwise, so that NaN compares equal to itself.
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(after), bits(before), "a failed load changed the model");
    }
    ok
}

/// Reads `bytes` as a CSV table (labels and real-valued targets) and checks
/// that a success is a consistent, finite data set. Returns whether the
/// classification read succeeded.
///
/// # Panics
/// When an invariant breaks (or the reader itself panics).
pub fn read_csv_bytes(bytes: &[u8]) -> bool {
    let labels = read_csv::<f32>(bytes, &CsvOptions::default());
    if let Ok(ds) = &labels {
        assert_eq!(ds.features().numel(), ds.len() * ds.n_features());
        assert!(ds.features().data().iter().all(|v| v.is_finite()));
        let n = ds.n_classes().expect("class labels");
        assert!(ds.labels().unwrap().iter().all(|&l| l < n));
    }
    let values = read_csv::<f64>(
        bytes,
        &CsvOptions::default().real_valued(true).has_header(true),
    );
    if let Ok(ds) = &values {
        assert!(ds.features().data().iter().all(|v| v.is_finite()));
        assert_eq!(ds.n_outputs(), 1);
    }
    labels.is_ok()
}
