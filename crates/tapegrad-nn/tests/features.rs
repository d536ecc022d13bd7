//! What each optional feature switches, checked in whichever configuration
//! the tests are built (CI runs them with no default features and with all).

use std::path::PathBuf;
use tapegrad_nn::data::{load_csv, read_csv, CsvOptions, DataError};

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "tapegrad-nn-features-{}-{name}",
        std::process::id()
    ))
}

#[test]
fn plain_csv_reads_in_every_configuration() {
    let ds = read_csv::<f64>("1,2,1\n3,4,0\n".as_bytes(), &CsvOptions::default()).unwrap();
    assert_eq!(ds.features().data(), &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(ds.labels(), Some(&[1, 0][..]));
}

#[test]
fn gzip_csv_reads_only_with_csv_gz() {
    use flate2::write::GzEncoder;
    use std::io::Write;
    let gz = temp_path("t.csv.gz");
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"1,2,1\n3,4,0\n").unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let loaded = load_csv::<f32>(&gz, &CsvOptions::default());
    std::fs::remove_file(&gz).unwrap();
    if cfg!(feature = "csv-gz") {
        assert_eq!(loaded.unwrap().features().data(), &[1.0, 2.0, 3.0, 4.0]);
    } else {
        let err = loaded.unwrap_err();
        assert!(
            matches!(&err, DataError::Open { path, .. } if path == &gz),
            "{err:?}"
        );
        assert!(err.to_string().contains("`csv-gz` feature"), "{err}");
    }
}

#[cfg(feature = "serde")]
#[test]
fn serde_round_trips_tensors_and_histories() {
    use tapegrad::Tensor;
    let t = Tensor::from_vec(vec![1.5f64, -2.0, 0.25, 4.0], [2, 2]);
    let json = serde_json::to_string(&t).unwrap();
    assert_eq!(serde_json::from_str::<Tensor<f64>>(&json).unwrap(), t);
    let act = tapegrad_nn::Activation::LeakyRelu(0.1);
    let json = serde_json::to_string(&act).unwrap();
    assert_eq!(
        serde_json::from_str::<tapegrad_nn::Activation>(&json).unwrap(),
        act
    );
}

#[cfg(feature = "ndarray")]
#[test]
fn ndarray_is_reachable_through_tapegrad_nn() {
    let a = tapegrad::ndarray::arr2(&[[1.0f32, 2.0], [3.0, 4.0]]).into_dyn();
    let t = tapegrad::Tensor::from(a.clone());
    assert_eq!(t.shape().dims(), &[2, 2]);
    assert_eq!(tapegrad::ndarray::ArrayD::from(t), a);
}
