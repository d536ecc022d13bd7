//! safetensors I/O: PyTorch's fixtures load with the right names, shapes and
//! layout (a forward pass reproduces PyTorch's outputs), save→load is
//! bit-exact, and malformed files are errors, never panics.
#![cfg(feature = "safetensors")] // safetensors files

use indexmap::IndexMap;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tapegrad::{Float, Tape, Tensor};
use tapegrad_nn::io::{
    deserialize_safetensors, load_safetensors, save_safetensors, serialize_safetensors, IoError,
};

const NAMES_AND_SHAPES: [(&str, &[usize]); 6] = [
    ("0.weight", &[8, 4]),
    ("0.bias", &[8]),
    ("2.weight", &[8, 8]),
    ("2.bias", &[8]),
    ("4.weight", &[3, 8]),
    ("4.bias", &[3]),
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pytorch-mlp")
        .join(name)
}

fn temp_path(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "tapegrad-nn-io-{tag}-{}.safetensors",
        std::process::id()
    ))
}

/// The JSON's input and PyTorch's output as tensors.
fn json_io<T: Float>(file: &str) -> (Tensor<T>, Tensor<T>) {
    let text = std::fs::read_to_string(fixture(file)).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let tensor = |key: &str| {
        let shape: Vec<usize> = json[key]["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let data: Vec<T> = json[key]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| T::from_f64(v.as_f64().unwrap()))
            .collect();
        Tensor::from_vec(data, shape)
    };
    (tensor("input"), tensor("output"))
}

/// Sequential(Linear(4,8), ReLU, Linear(8,8), SELU, Linear(8,3)) with
/// PyTorch's `[out, in]` weights: `y = x · Wᵀ + b`.
fn pytorch_mlp_forward<T: Float>(p: &IndexMap<String, Tensor<T>>, x: Tensor<T>) -> Tensor<T> {
    let tape = Tape::<T>::new();
    let c = |name: &str| tape.constant(p[name].clone());
    let x = tape.constant(x);
    let h = (x.matmul_t(c("0.weight"), false, true) + c("0.bias")).relu();
    let h = (h.matmul_t(c("2.weight"), false, true) + c("2.bias")).selu();
    (h.matmul_t(c("4.weight"), false, true) + c("4.bias")).value()
}

fn check_names_and_shapes<T: Float>(p: &IndexMap<String, Tensor<T>>) {
    assert_eq!(p.len(), NAMES_AND_SHAPES.len());
    for (name, shape) in NAMES_AND_SHAPES {
        assert_eq!(p[name].shape().dims(), shape, "{name}");
    }
}

#[test]
fn pytorch_f32_fixture_loads_with_names_and_shapes() {
    let p = load_safetensors::<f32>(fixture("mlp-4-8-8-3-f32.safetensors")).unwrap();
    check_names_and_shapes(&p);
    // File order: safetensors writes tensors sorted by name.
    let order: Vec<&str> = p.keys().map(String::as_str).collect();
    assert_eq!(
        order,
        ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
    );
    // PyTorch's default Linear init is U(-1/sqrt(in), 1/sqrt(in)).
    for (name, bound) in [
        ("0.weight", 0.5f32),
        ("2.weight", 8f32.sqrt().recip()),
        ("4.weight", 8f32.sqrt().recip()),
    ] {
        assert!(
            p[name].data().iter().all(|w| w.abs() <= bound),
            "{name} outside its init range"
        );
    }
}

#[test]
fn pytorch_f64_fixture_loads_with_names_and_shapes() {
    let p = load_safetensors::<f64>(fixture("mlp-4-8-8-3-f64.safetensors")).unwrap();
    check_names_and_shapes(&p);
}

#[test]
fn pytorch_f32_forward_matches_torch_outputs() {
    let p = load_safetensors::<f32>(fixture("mlp-4-8-8-3-f32.safetensors")).unwrap();
    let (x, want) = json_io::<f32>("mlp-4-8-8-3-f32.json");
    let got = pytorch_mlp_forward(&p, x);
    assert_eq!(got.shape().dims(), &[5, 3]);
    let err = got.max_abs_diff(&want);
    assert!(err <= 1e-6, "max |tapegrad - torch| = {err}");
}

#[test]
fn pytorch_f64_forward_matches_torch_outputs() {
    let p = load_safetensors::<f64>(fixture("mlp-4-8-8-3-f64.safetensors")).unwrap();
    let (x, want) = json_io::<f64>("mlp-4-8-8-3-f64.json");
    let got = pytorch_mlp_forward(&p, x);
    let err = got.max_abs_diff(&want);
    assert!(err <= 1e-12, "max |tapegrad - torch| = {err}");
}

#[test]
fn f32_file_loads_exactly_into_f64_and_f64_file_rounds_into_f32() {
    let p32 = load_safetensors::<f32>(fixture("mlp-4-8-8-3-f32.safetensors")).unwrap();
    let p32_as_64 = load_safetensors::<f64>(fixture("mlp-4-8-8-3-f32.safetensors")).unwrap();
    for (name, t) in &p32 {
        assert_eq!(&t.cast::<f64>(), &p32_as_64[name]);
    }
    let p64 = load_safetensors::<f64>(fixture("mlp-4-8-8-3-f64.safetensors")).unwrap();
    let p64_as_32 = load_safetensors::<f32>(fixture("mlp-4-8-8-3-f64.safetensors")).unwrap();
    for (name, t) in &p64 {
        assert_eq!(&t.cast::<f32>(), &p64_as_32[name]);
    }
}

/// Awkward values: signed zeros, subnormals, extremes, infinities.
fn awkward<T: Float>() -> Vec<T> {
    let mut v = vec![
        T::zero(),
        -T::zero(),
        T::min_positive_value(),
        T::max_value(),
        T::min_value(),
    ];
    v.extend([
        T::infinity(),
        T::neg_infinity(),
        T::epsilon(),
        T::from_f64(1.0 / 3.0),
        T::from_f64(-2.5e-3),
    ]);
    v.push(T::min_positive_value() / T::from_f64(4.0));
    v.push(T::from_f64(0.1));
    v
}

fn assert_bit_identical<T: Float>(a: &Tensor<T>, b: &Tensor<T>) {
    assert_eq!(a.shape(), b.shape());
    let bits = |t: &Tensor<T>| {
        t.data()
            .iter()
            .map(|&x| Float::to_f64(x).to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(a), bits(b));
}

fn round_trip<T: Float>(tag: &str) {
    let path = temp_path(tag);
    let a = Tensor::from_vec(awkward::<T>(), [3, 4]);
    let b = Tensor::from_vec(vec![T::from_f64(7.25)], Vec::<usize>::new());
    let c = Tensor::<T>::zeros([2, 0, 3]);
    save_safetensors(&path, &[("layer.a", &a), ("b", &b), ("empty", &c)]).unwrap();
    let loaded = load_safetensors::<T>(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.len(), 3);
    assert_bit_identical(&loaded["layer.a"], &a);
    assert_bit_identical(&loaded["b"], &b);
    assert_bit_identical(&loaded["empty"], &c);
}

#[test]
fn save_then_load_is_bit_identical_f32() {
    round_trip::<f32>("rt32");
}

#[test]
fn save_then_load_is_bit_identical_f64() {
    round_trip::<f64>("rt64");
}

#[test]
fn saved_file_declares_the_element_type() {
    let t = Tensor::<f32>::ones([2]);
    let bytes = serialize_safetensors(&[("t", &t)]).unwrap();
    let header = String::from_utf8_lossy(&bytes[8..]);
    assert!(header.contains(r#""dtype":"F32""#), "{header}");
    assert!(header.contains(r#""format":"pt""#), "{header}");
    let bytes = serialize_safetensors(&[("t", &t.cast::<f64>())]).unwrap();
    assert!(String::from_utf8_lossy(&bytes[8..]).contains(r#""dtype":"F64""#));
}

#[test]
fn saving_replaces_the_old_file_and_leaves_no_temporary() {
    let path = temp_path("replace");
    save_safetensors(&path, &[("w", &Tensor::<f64>::zeros([4]))]).unwrap();
    save_safetensors(&path, &[("v", &Tensor::<f64>::ones([2]))]).unwrap();
    let loaded = load_safetensors::<f64>(&path).unwrap();
    let mut tmp = path.clone().into_os_string();
    tmp.push(".tmp");
    assert!(!Path::new(&tmp).exists());
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.keys().collect::<Vec<_>>(), ["v"]);
}

#[test]
fn saving_into_a_missing_directory_is_a_write_error() {
    let path = std::env::temp_dir()
        .join("tapegrad-no-such-dir-h3")
        .join("m.safetensors");
    let err = save_safetensors(&path, &[("w", &Tensor::<f32>::zeros([1]))]).unwrap_err();
    assert!(matches!(err, IoError::Write { .. }), "{err}");
}

#[test]
fn duplicate_names_are_rejected() {
    let t = Tensor::<f32>::zeros([1]);
    let err = serialize_safetensors(&[("w", &t), ("b", &t), ("w", &t)]).unwrap_err();
    assert_eq!(err.to_string(), "tensor name `w` appears twice");
}

#[test]
fn loading_a_missing_file_is_a_read_error() {
    let err = load_safetensors::<f32>(temp_path("missing")).unwrap_err();
    assert!(matches!(err, IoError::Read { .. }), "{err}");
}

/// A safetensors file with `header` (JSON) and `data` bytes.
fn raw_file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn unsupported_dtype_names_the_tensor() {
    let bytes = raw_file(
        r#"{"ok":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"ids":{"dtype":"I32","shape":[2],"data_offsets":[4,12]}}"#,
        &[0; 12],
    );
    let err = deserialize_safetensors::<f32>(&bytes).unwrap_err();
    assert!(
        matches!(&err, IoError::UnsupportedDtype { name, .. } if name == "ids"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "tensor `ids`: dtype I32 is not supported (only F16, BF16, F32, F64 and I64)"
    );
}

#[test]
fn unknown_dtype_names_the_tensor() {
    let bytes = raw_file(
        r#"{"q":{"dtype":"Q4_K","shape":[2],"data_offsets":[0,1]}}"#,
        &[0],
    );
    let err = deserialize_safetensors::<f64>(&bytes).unwrap_err();
    assert!(
        matches!(&err, IoError::UnsupportedDtype { name, dtype } if name == "q" && dtype == "Q4_K"),
        "{err}"
    );
}

#[test]
fn data_length_not_matching_shape_names_the_tensor() {
    let bytes = raw_file(
        r#"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[16,36]}}"#,
        &[0; 36],
    );
    let err = deserialize_safetensors::<f64>(&bytes).unwrap_err();
    match &err {
        IoError::DataLength {
            name,
            shape,
            expected,
            found,
            ..
        } => {
            assert_eq!(
                (name.as_str(), shape.as_slice(), *expected, *found),
                ("w", &[2, 3][..], 24, 20)
            );
        }
        other => panic!("expected DataLength, got {other}"),
    }
    assert!(
        err.to_string()
            .starts_with("tensor `w`: shape [2, 3] of F32 needs 24 bytes"),
        "{err}"
    );
}

#[test]
fn empty_and_garbage_input_are_errors() {
    for bytes in [
        &b""[..],
        b"\x00",
        b"garbage!",
        b"\xff\xff\xff\xff\xff\xff\xff\xff{}",
        b"\x02\x00\x00\x00\x00\x00\x00\x00{]",
    ] {
        assert!(deserialize_safetensors::<f32>(bytes).is_err(), "{bytes:?}");
    }
    // `{}` is a valid file with no tensors, not an error.
    assert!(deserialize_safetensors::<f32>(&raw_file("{}", &[]))
        .unwrap()
        .is_empty());
    // A header that is valid JSON but not a tensor table.
    assert!(deserialize_safetensors::<f32>(&raw_file(r#"{"w":[1,2,3]}"#, &[])).is_err());
    assert!(deserialize_safetensors::<f32>(&raw_file("[]", &[])).is_err());
    // Offsets that overflow or point past the data.
    let huge = format!(
        r#"{{"w":{{"dtype":"F32","shape":[{m},{m}],"data_offsets":[0,4]}}}}"#,
        m = usize::MAX
    );
    assert!(deserialize_safetensors::<f32>(&raw_file(&huge, &[0; 4])).is_err());
    let past = r#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#;
    assert!(deserialize_safetensors::<f32>(&raw_file(past, &[0; 8])).is_err());
}

#[test]
fn every_truncation_of_a_valid_file_is_an_error() {
    for file in ["mlp-4-8-8-3-f32.safetensors", "mlp-4-8-8-3-f64.safetensors"] {
        let bytes = std::fs::read(fixture(file)).unwrap();
        assert!(deserialize_safetensors::<f64>(&bytes).is_ok());
        for len in 0..bytes.len() {
            assert!(
                deserialize_safetensors::<f64>(&bytes[..len]).is_err(),
                "{file} cut at {len} loaded"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(
            deserialize_safetensors::<f64>(&longer).is_err(),
            "{file} with a trailing byte loaded"
        );
    }
}

#[test]
fn flipped_header_bytes_never_panic() {
    let bytes = std::fs::read(fixture("mlp-4-8-8-3-f32.safetensors")).unwrap();
    let header_end = 8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let (mut errors, mut tried) = (0, 0);
    for pos in 0..header_end {
        for mask in [0x01u8, 0x20, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[pos] ^= mask;
            tried += 1;
            let result = deserialize_safetensors::<f32>(&bad);
            if pos < 8 {
                assert!(
                    result.is_err(),
                    "flipping length byte {pos} with {mask:#x} loaded"
                );
            }
            errors += usize::from(result.is_err());
        }
    }
    // Most flips break the JSON; some only rename a tensor or change metadata.
    assert!(
        errors * 2 > tried,
        "only {errors} of {tried} flipped files were rejected"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// Random JSON-like headers with a correct length prefix reach the header
    /// parser and the tensor checks; none may panic, and only a JSON object
    /// can be a valid header.
    #[test]
    fn random_headers_never_panic(header in r#"[{}\[\]":,0-9A-Za-z_ .-]{0,96}"#, data in proptest::collection::vec(0u8..=255, 0..48)) {
        let bytes = raw_file(&header, &data);
        let (a, b) = (deserialize_safetensors::<f32>(&bytes), deserialize_safetensors::<f64>(&bytes));
        proptest::prop_assert_eq!(a.is_ok(), b.is_ok());
        if a.is_ok() {
            proptest::prop_assert!(header.trim_start().starts_with('{'), "a non-object header loaded: {}", header);
        }
    }

    /// Any single byte of a valid file replaced by any value: an error or a
    /// well-formed result, never a panic.
    #[test]
    fn replaced_bytes_never_panic(pos in 0usize..980, value in 0u8..=255) {
        let mut bytes = std::fs::read(fixture("mlp-4-8-8-3-f32.safetensors")).unwrap();
        bytes[pos] = value;
        if let Ok(tensors) = deserialize_safetensors::<f64>(&bytes) {
            for t in tensors.values() {
                proptest::prop_assert_eq!(t.numel(), t.shape().numel());
            }
        }
    }
}
