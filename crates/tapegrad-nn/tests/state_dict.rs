//! State dicts: a model saved by PyTorch loads and computes PyTorch's
//! outputs; what we save round-trips exactly; bad files name the tensor.
#![cfg(feature = "safetensors")] // model files

use std::path::PathBuf;
use tapegrad::{Float, Tensor};
use tapegrad_nn::io::{save_safetensors, IoError};
use tapegrad_nn::{Activation, Mlp, ModelIoError, StateDictError};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pytorch-mlp")
        .join(name)
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "tapegrad-nn-test-{}-{name}.safetensors",
        std::process::id()
    ))
}

/// `Sequential(Linear(4,8), ReLU, Linear(8,8), SELU, Linear(8,3))`.
fn torch_twin<T: Float>(seed: u64) -> Mlp<T> {
    Mlp::new(4)
        .hidden(8, Activation::Relu)
        .hidden(8, Activation::Selu)
        .seed(seed)
        .output(3)
}

fn json_tensor<T: Float>(v: &serde_json::Value) -> Tensor<T> {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let data: Vec<T> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| T::from_f64(x.as_f64().unwrap()))
        .collect();
    Tensor::from_vec(data, shape)
}

fn check_pytorch_fixture<T: Float>(tag: &str, tol: f64) {
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture(&format!("mlp-4-8-8-3-{tag}.json"))).unwrap(),
    )
    .unwrap();
    let mut mlp = torch_twin::<T>(99);
    assert_eq!(
        mlp.torch_equivalent(),
        "nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.SELU(), nn.Linear(8, 3))"
    );
    mlp.load(fixture(&format!("mlp-4-8-8-3-{tag}.safetensors")))
        .unwrap();
    let x = json_tensor::<T>(&json["input"]);
    let want = json_tensor::<T>(&json["output"]);
    let got = mlp.predict(&x);
    let err = got.max_abs_diff(&want).to_f64();
    println!("{tag}: max abs difference to PyTorch {err:e}");
    assert!(
        err <= tol,
        "{tag}: max |ours − PyTorch| = {err:e} > {tol:e}"
    );
    for (name, shape) in json["tensors"].as_object().unwrap() {
        let dims: Vec<usize> = shape
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(
            mlp.state_dict()[name.as_str()].shape().dims(),
            dims.as_slice(),
            "{name}"
        );
    }
}

#[test]
fn pytorch_state_dict_f32_computes_pytorchs_outputs() {
    check_pytorch_fixture::<f32>("f32", 1e-6);
}

#[test]
fn pytorch_state_dict_f64_computes_pytorchs_outputs() {
    check_pytorch_fixture::<f64>("f64", 1e-12);
}

#[test]
fn save_then_load_round_trips_exactly() {
    let path = temp("roundtrip");
    let mlp: Mlp<f32> = Mlp::new(5)
        .hidden(6, Activation::Swish)
        .hidden(4, Activation::AconC)
        .dropout(0.1)
        .seed(1)
        .output(2);
    mlp.save(&path).unwrap();
    let mut other: Mlp<f32> = Mlp::new(5)
        .hidden(6, Activation::Swish)
        .hidden(4, Activation::AconC)
        .dropout(0.1)
        .seed(2)
        .output(2);
    assert_ne!(other.params().values(), mlp.params().values());
    other.load(&path).unwrap();
    assert_eq!(other.params().values(), mlp.params().values());
    let names: Vec<String> = other.state_dict().keys().cloned().collect();
    assert_eq!(
        names,
        [
            "0.weight", "0.bias", "1.beta", "2.weight", "2.bias", "3.p1", "3.p2", "3.beta",
            "5.weight", "5.bias"
        ]
    );
    std::fs::remove_file(&path).unwrap();

    let path = temp("roundtrip64");
    let a = torch_twin::<f64>(5);
    a.save(&path).unwrap();
    let mut b = torch_twin::<f64>(6);
    b.load(&path).unwrap();
    assert_eq!(a.state_dict(), b.state_dict());
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn unknown_missing_and_misshapen_tensors_are_named() {
    let mut mlp = torch_twin::<f32>(0);
    let before = mlp.params().values().to_vec();

    let mut sd = mlp.state_dict();
    sd.insert("9.weight".into(), Tensor::zeros([1]));
    let err = mlp.load_state_dict(&sd).unwrap_err();
    assert!(
        matches!(&err, StateDictError::Unknown { name, .. } if name == "9.weight"),
        "{err}"
    );
    assert!(err.to_string().contains("`9.weight`"));

    let mut sd = mlp.state_dict();
    sd.shift_remove("2.bias");
    let err = mlp.load_state_dict(&sd).unwrap_err();
    assert_eq!(
        err,
        StateDictError::Missing {
            name: "2.bias".into(),
            expected: vec![8]
        }
    );

    let mut sd = mlp.state_dict();
    sd.insert("4.weight".into(), Tensor::zeros([8, 3]));
    let err = mlp.load_state_dict(&sd).unwrap_err();
    assert_eq!(
        err,
        StateDictError::Shape {
            name: "4.weight".into(),
            expected: vec![3, 8],
            found: vec![8, 3]
        }
    );
    assert!(
        err.to_string().contains("`4.weight` has shape [8, 3]"),
        "{err}"
    );

    // A wrongly shaped tensor in a file is reported the same way, and the
    // model is left unchanged.
    let path = temp("misshapen");
    let sd = mlp.state_dict();
    let mut named: Vec<(&str, &Tensor<f32>)> = sd.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let wrong = Tensor::zeros([8, 5]);
    named[0] = ("0.weight", &wrong);
    save_safetensors(&path, &named).unwrap();
    let err = mlp.load(&path).unwrap_err();
    assert!(
        matches!(err, ModelIoError::StateDict(StateDictError::Shape { ref name, .. }) if name == "0.weight")
    );
    assert_eq!(mlp.params().values(), before.as_slice());
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn truncated_and_malformed_files_are_errors_not_panics() {
    let mut mlp = torch_twin::<f32>(0);
    let before = mlp.params().values().to_vec();
    let good = std::fs::read(fixture("mlp-4-8-8-3-f32.safetensors")).unwrap();
    let path = temp("truncated");
    for cut in [0, 4, 8, 20, good.len() / 2, good.len() - 1] {
        std::fs::write(&path, &good[..cut]).unwrap();
        let err = mlp.load(&path).unwrap_err();
        assert!(matches!(err, ModelIoError::Io(_)), "cut {cut}: {err}");
    }
    std::fs::write(&path, b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}").unwrap();
    assert!(mlp.load(&path).is_err());
    std::fs::remove_file(&path).unwrap();
    let err = mlp.load(temp("does-not-exist")).unwrap_err();
    assert!(
        matches!(err, ModelIoError::Io(IoError::Read { .. })),
        "{err}"
    );
    assert_eq!(mlp.params().values(), before.as_slice());
}

/// The header of a safetensors file: tensor name → (dtype, shape), and the
/// metadata.
fn header(bytes: &[u8]) -> (Vec<(String, String, Vec<u64>)>, serde_json::Value) {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let json: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let mut tensors: Vec<(String, String, Vec<u64>)> = json
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.as_str() != "__metadata__")
        .map(|(k, v)| {
            let shape = v["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap())
                .collect();
            (k.clone(), v["dtype"].as_str().unwrap().to_string(), shape)
        })
        .collect();
    tensors.sort();
    (tensors, json["__metadata__"].clone())
}

#[test]
fn what_we_save_has_pytorchs_names_dtypes_shapes_and_metadata() {
    for tag in ["f32", "f64"] {
        let path = temp(&format!("layout-{tag}"));
        if tag == "f32" {
            torch_twin::<f32>(0).save(&path).unwrap();
        } else {
            torch_twin::<f64>(0).save(&path).unwrap();
        }
        let mut ours = header(&std::fs::read(&path).unwrap());
        // Ours names the activations too (PyTorch ignores extra metadata).
        let acts = ours
            .1
            .as_object_mut()
            .unwrap()
            .remove("tapegrad.activations");
        assert_eq!(acts.unwrap(), "relu, selu, none", "{tag}");
        let theirs =
            header(&std::fs::read(fixture(&format!("mlp-4-8-8-3-{tag}.safetensors"))).unwrap());
        assert_eq!(ours.0, theirs.0, "{tag}");
        assert_eq!(ours.1, theirs.1, "{tag}: metadata");
        std::fs::remove_file(&path).unwrap();
    }
}
