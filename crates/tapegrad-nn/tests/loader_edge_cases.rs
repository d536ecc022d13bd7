//! CSV and safetensors edge cases: a byte-order mark, a blank line before
//! the header, a label of `u64::MAX`, and values that are not finite or do
//! not fit the element type.
#![cfg(feature = "safetensors")] // model files

use tapegrad_nn::data::{read_csv, CsvOptions, DataError};
use tapegrad_nn::io::{IoError, LoadOptions};
use tapegrad_nn::{Activation, Mlp, ModelIoError};

fn temp(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "tapegrad-edge-{tag}-{}.safetensors",
        std::process::id()
    ))
}

#[test]
fn csv_byte_order_mark_is_ignored() {
    let text = "\u{feff}0.5,1\n0.25,0\n";
    let ds = read_csv::<f64>(text.as_bytes(), &CsvOptions::default()).unwrap();
    assert_eq!(ds.features().data(), &[0.5, 0.25]);
    assert_eq!(ds.labels(), Some(&[1, 0][..]));
    // With a header, the mark is not part of the first data row either.
    let text = "\u{feff}a,label\n0.5,1\n";
    let ds = read_csv::<f64>(text.as_bytes(), &CsvOptions::default().has_header(true)).unwrap();
    assert_eq!(ds.features().data(), &[0.5]);
}

#[test]
fn csv_header_is_the_first_non_blank_line() {
    let text = "\n\nx,label\n0.5,1\n\n0.75,0\n";
    let ds = read_csv::<f32>(text.as_bytes(), &CsvOptions::default().has_header(true)).unwrap();
    assert_eq!(ds.features().data(), &[0.5, 0.75]);
    assert_eq!(ds.labels(), Some(&[1, 0][..]));
}

#[test]
fn csv_label_of_u64_max_is_an_error_naming_the_field() {
    let text = format!("0.5,1\n0.25,{}\n", u64::MAX);
    let err = read_csv::<f32>(text.as_bytes(), &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Parse {
                line: 2,
                column: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("18446744073709551615"), "{err}");
}

#[test]
fn csv_non_finite_numbers_are_errors_naming_line_and_column() {
    for (text, line, column) in [
        ("0.5,1\nnan,0\n", 2, 1),
        ("0.5,1\n-inf,0\n", 2, 1),
        ("1,2,0\n3,1e400,1\n", 2, 2),
    ] {
        let err = read_csv::<f64>(text.as_bytes(), &CsvOptions::default()).unwrap_err();
        assert!(
            matches!(err, DataError::Parse { line: l, column: c, .. } if l == line && c == column),
            "{text:?}: {err}"
        );
        assert!(err.to_string().contains("finite"), "{err}");
        let ds = read_csv::<f64>(
            text.as_bytes(),
            &CsvOptions::default().allow_non_finite(true),
        )
        .unwrap();
        assert!(ds.features().data().iter().any(|v| !v.is_finite()));
    }
    // A value beyond f32's range overflows to infinity in an f32 data set.
    let err = read_csv::<f32>("1e39,0\n".as_bytes(), &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Parse {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(read_csv::<f64>("1e39,0\n".as_bytes(), &CsvOptions::default()).is_ok());
    // Real-valued targets are checked too.
    let opts = CsvOptions::default().real_valued(true);
    let err = read_csv::<f64>("0.5,NaN\n".as_bytes(), &opts).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Parse {
                line: 1,
                column: 2,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn model_load_refuses_nan_and_infinite_weights_naming_the_tensor() {
    let path = temp("nan");
    let mut bad: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Relu).output(1);
    let bias = bad.params().id("0.bias").unwrap();
    bad.params_mut().value_mut(bias)[2] = f32::INFINITY;
    bad.save(&path).unwrap();
    let mut mlp: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Relu).seed(4).output(1);
    let before = mlp.params().values().to_vec();
    let err = mlp.load(&path).unwrap_err();
    assert!(
        matches!(&err, ModelIoError::Io(IoError::NonFinite { name, index: 2, value })
            if name == "0.bias" && value.is_infinite()),
        "{err}"
    );
    assert!(err.to_string().contains("`0.bias`"), "{err}");
    assert_eq!(mlp.params().values(), &before[..], "unchanged on error");
    mlp.load_with(&path, &LoadOptions::default().allow_non_finite(true))
        .unwrap();
    assert_eq!(mlp.params().value(bias)[2], f32::INFINITY);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn model_load_of_f64_values_that_overflow_f32_is_an_error() {
    let path = temp("overflow");
    let mut wide: Mlp<f64> = Mlp::new(2).output(1);
    let w = wide.params().id("0.weight").unwrap();
    wide.params_mut().value_mut(w)[1] = 1e300;
    wide.save(&path).unwrap();
    let mut narrow: Mlp<f32> = Mlp::new(2).output(1);
    let before = narrow.params().values().to_vec();
    for opts in [
        LoadOptions::default(),
        LoadOptions::default().allow_non_finite(true),
    ] {
        let err = narrow.load_with(&path, &opts).unwrap_err();
        assert!(
            matches!(&err, ModelIoError::Io(IoError::Overflow { name, index: 1, value })
                if name == "0.weight" && *value == 1e300),
            "{err}"
        );
        assert_eq!(narrow.params().values(), &before[..]);
    }
    // The same file loads into an f64 model.
    let mut again: Mlp<f64> = Mlp::new(2).output(1);
    again.load(&path).unwrap();
    assert_eq!(again.params().value(w)[1], 1e300);
    std::fs::remove_file(&path).unwrap();
}
