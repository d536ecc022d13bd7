//! Datasets: construction checks, the CSV loader's errors (line and column),
//! gzip, the embedded digits, stratified splits, batch gathering, scaling.
#![cfg(feature = "csv-gz")] // the embedded digits data and gzip

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;
use std::path::PathBuf;
use tapegrad::Tensor;
use tapegrad_nn::data::{
    digits, load_csv, read_csv, Batch, CsvOptions, DataError, Dataset, Standardizer, Targets,
};

fn csv(text: &str) -> Result<Dataset<f64>, DataError> {
    read_csv(text.as_bytes(), &CsvOptions::default())
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("tapegrad-nn-data-{}-{name}", std::process::id()))
}

/// `n` rows whose single feature is the row index, labelled `labels[i]`.
fn indexed(labels: Vec<usize>, n_classes: usize) -> Dataset<f64> {
    let x = Tensor::from_vec(
        (0..labels.len()).map(|i| i as f64).collect(),
        [labels.len(), 1],
    );
    Dataset::classification(x, labels, n_classes).unwrap()
}

fn row_ids(ds: &Dataset<f64>) -> Vec<usize> {
    ds.features().data().iter().map(|&x| x as usize).collect()
}

// ---- construction -------------------------------------------------------

#[test]
fn constructors_reject_inconsistent_data() {
    let err = Dataset::classification(Tensor::<f32>::zeros([6]), vec![0; 6], 1).unwrap_err();
    assert!(
        matches!(err, DataError::FeatureShape { ref shape } if shape == &[6]),
        "{err}"
    );
    let err = Dataset::classification(Tensor::<f32>::zeros([3, 2]), vec![0; 4], 1).unwrap_err();
    assert_eq!(err.to_string(), "3 feature rows but 4 targets");
    let err = Dataset::classification(Tensor::<f32>::zeros([3, 2]), vec![0, 3, 1], 3).unwrap_err();
    assert_eq!(err.to_string(), "row 1: label 3 is not below n_classes = 3");
    let err = Dataset::regression(Tensor::<f32>::zeros([3, 2]), Tensor::zeros([3])).unwrap_err();
    assert!(matches!(err, DataError::FeatureShape { .. }), "{err}");
    let err = Dataset::regression(Tensor::<f32>::zeros([3, 2]), Tensor::zeros([2, 1])).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::TargetCount {
                rows: 3,
                targets: 2
            }
        ),
        "{err}"
    );
}

#[test]
fn accessors_describe_classification_and_regression() {
    let ds = indexed(vec![1, 1, 0], 4);
    assert_eq!(
        (ds.len(), ds.n_features(), ds.n_classes(), ds.n_outputs()),
        (3, 1, Some(4), 4)
    );
    assert_eq!(ds.class_counts(), Some(vec![1, 2, 0, 0]));
    let reg = Dataset::regression(Tensor::<f64>::zeros([2, 3]), Tensor::ones([2, 2])).unwrap();
    assert_eq!(
        (
            reg.n_classes(),
            reg.n_outputs(),
            reg.labels(),
            reg.class_counts()
        ),
        (None, 2, None, None)
    );
    assert!(matches!(reg.targets(), Targets::Values(t) if t.shape().dims() == [2, 2]));
}

#[test]
fn subset_takes_rows_in_order_and_keeps_n_classes() {
    let ds = indexed(vec![0, 1, 2, 0, 1], 3);
    let sub = ds.subset(&[4, 0, 4]);
    assert_eq!(row_ids(&sub), [4, 0, 4]);
    assert_eq!(sub.labels(), Some(&[1, 0, 1][..]));
    assert_eq!(sub.n_classes(), Some(3));
    let empty = ds.subset(&[]);
    assert!(empty.is_empty());
    assert_eq!(empty.n_features(), 1);
}

// ---- CSV ----------------------------------------------------------------

#[test]
fn csv_reads_features_and_last_column_labels() {
    let ds = csv("0.5, 1e-3, 2\n-4,7,0\r\n\n  3,+8 ,1\n").unwrap();
    assert_eq!(ds.features().shape().dims(), &[3, 2]);
    assert_eq!(ds.features().data(), &[0.5, 1e-3, -4.0, 7.0, 3.0, 8.0]);
    assert_eq!(ds.labels(), Some(&[2, 0, 1][..]));
    assert_eq!(ds.n_classes(), Some(3));
}

#[test]
fn csv_options_header_delimiter_label_column_real_values() {
    let opts = CsvOptions::default()
        .has_header(true)
        .delimiter(b'\t')
        .label_column(1);
    let ds = read_csv::<f32>("a\ty\tb\n1\t0\t2\n3\t1\t4\n".as_bytes(), &opts).unwrap();
    assert_eq!(ds.features().data(), &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(ds.labels(), Some(&[0, 1][..]));

    let opts = CsvOptions::default().label_column(0).real_valued(true);
    let ds = read_csv::<f64>("0.25,1,2\n-1.5,3,4\n".as_bytes(), &opts).unwrap();
    let Targets::Values(y) = ds.targets() else {
        panic!("expected real-valued targets")
    };
    assert_eq!(
        (y.shape().dims(), y.data()),
        (&[2, 1][..], &[0.25, -1.5][..])
    );
    assert_eq!(ds.features().data(), &[1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn csv_malformed_number_reports_line_column_and_text() {
    let err = csv("1,2,0\n3,4,1\n5,six,1\n").unwrap_err();
    assert!(
        matches!(&err, DataError::Parse { line: 3, column: 2, text, expected: "a number" } if text == "six"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "line 3, column 2: cannot parse `six` as a number"
    );
}

#[test]
fn csv_line_numbers_count_header_and_blank_lines() {
    let opts = CsvOptions::default().has_header(true);
    let err = read_csv::<f32>("x,y\n1,0\n\n2,0\n1,,0\n".as_bytes(), &opts).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Ragged {
                line: 5,
                expected: 2,
                found: 3
            }
        ),
        "{err:?}"
    );
    let err = read_csv::<f32>("x,y\n1,0\n\n2,0\n,0\n".as_bytes(), &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 5, column 1: cannot parse `` as a number"
    );
}

#[test]
fn csv_bad_labels_are_reported() {
    for (text, bad) in [
        ("1,2\n3,-1\n", "-1"),
        ("1,2\n3,1.5\n", "1.5"),
        ("1,2\n3,cat\n", "cat"),
    ] {
        let err = csv(text).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "line 2, column 2: cannot parse `{bad}` as a class label (a non-negative integer)"
            )
        );
    }
}

#[test]
fn csv_ragged_rows_report_expected_and_found() {
    let err = csv("1,2,0\n3,4,5,1\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 2: expected 3 columns (as in the first row), found 4"
    );
    let err = csv("1,2,0\n3,1\n").unwrap_err();
    assert!(matches!(
        err,
        DataError::Ragged {
            line: 2,
            expected: 3,
            found: 2
        }
    ));
}

#[test]
fn csv_without_rows_is_empty_error() {
    for text in ["", "\n\n  \n"] {
        assert!(matches!(csv(text), Err(DataError::Empty)), "{text:?}");
    }
    let opts = CsvOptions::default().has_header(true);
    assert!(matches!(
        read_csv::<f32>("a,b,y\n".as_bytes(), &opts),
        Err(DataError::Empty)
    ));
}

#[test]
fn csv_missing_label_column_is_an_error() {
    let opts = CsvOptions::default().label_column(3);
    let err = read_csv::<f32>("1,2,0\n".as_bytes(), &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "label column 4 does not exist: rows have 3 columns"
    );
}

#[test]
fn csv_invalid_utf8_is_a_read_error_with_line() {
    let err = read_csv::<f32>(&b"1,0\n2,\xff\n"[..], &CsvOptions::default()).unwrap_err();
    assert!(matches!(err, DataError::Read { line: 2, .. }), "{err:?}");
}

#[test]
fn load_csv_reads_plain_and_gzip_files() {
    let text = "1,2,1\n3,4,0\n";
    let plain = temp_path("plain.csv");
    std::fs::write(&plain, text).unwrap();
    let gz = temp_path("packed.csv.gz");
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();

    let a = load_csv::<f64>(&plain, &CsvOptions::default());
    let b = load_csv::<f64>(&gz, &CsvOptions::default());
    std::fs::remove_file(&plain).unwrap();
    std::fs::remove_file(&gz).unwrap();
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b);
    assert_eq!(a.features().data(), &[1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn load_csv_missing_file_and_corrupt_gzip() {
    let missing = temp_path("missing.csv");
    let err = load_csv::<f32>(&missing, &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(&err, DataError::Open { path, .. } if path == &missing),
        "{err}"
    );

    let gz = temp_path("corrupt.csv.gz");
    std::fs::write(&gz, b"\x1f\x8b\x08\x00garbage that is not deflate").unwrap();
    let err = load_csv::<f32>(&gz, &CsvOptions::default()).unwrap_err();
    std::fs::remove_file(&gz).unwrap();
    assert!(matches!(err, DataError::Read { line: 1, .. }), "{err:?}");
}

// ---- digits -------------------------------------------------------------

#[test]
fn digits_has_1797_rows_64_pixels_10_balanced_classes() {
    let ds = digits::<f32>();
    assert_eq!(
        (ds.len(), ds.n_features(), ds.n_classes()),
        (1797, 64, Some(10))
    );
    let counts = ds.class_counts().unwrap();
    assert_eq!(counts.iter().sum::<usize>(), 1797);
    assert!(
        counts.iter().all(|&c| (170..=190).contains(&c)),
        "{counts:?}"
    );
    assert!(ds
        .features()
        .data()
        .iter()
        .all(|&p| (0.0..=16.0).contains(&p) && p.fract() == 0.0));
    // The first image of the file is a 0 with a blank left column.
    assert_eq!(ds.labels().unwrap()[0], 0);
    assert_eq!(ds.features()[[0, 0]], 0.0);
    assert_eq!(ds.features()[[0, 2]], 5.0);
}

#[test]
fn digits_f32_and_f64_agree() {
    let (a, b) = (digits::<f32>(), digits::<f64>());
    assert_eq!(a.features().cast::<f64>(), *b.features());
    assert_eq!(a.labels(), b.labels());
}

// ---- splits -------------------------------------------------------------

#[test]
fn stratified_split_keeps_each_class_proportion() {
    let ds = digits::<f64>();
    let counts = ds.class_counts().unwrap();
    for frac in [0.2, 0.25, 0.5] {
        let (train, test) = ds.stratified_split(frac, 3);
        let (tr, te) = (train.class_counts().unwrap(), test.class_counts().unwrap());
        for c in 0..10 {
            assert_eq!(
                te[c],
                (counts[c] as f64 * frac).round() as usize,
                "class {c}, fraction {frac}"
            );
            assert_eq!(tr[c] + te[c], counts[c]);
        }
        assert_eq!(train.n_classes(), Some(10));
    }
}

#[test]
fn stratified_split_partitions_rows_and_is_deterministic() {
    let labels: Vec<usize> = (0..100)
        .map(|i| usize::from(i % 4 == 0) + usize::from(i % 10 == 0))
        .collect();
    let ds = indexed(labels, 3);
    let (train, test) = ds.stratified_split(0.3, 11);
    let (mut all, te) = (row_ids(&train), row_ids(&test));
    assert!(
        all.windows(2).all(|w| w[0] < w[1]) && te.windows(2).all(|w| w[0] < w[1]),
        "original order kept"
    );
    all.extend(&te);
    all.sort_unstable();
    assert_eq!(all, (0..100).collect::<Vec<_>>());

    let (train2, test2) = ds.stratified_split(0.3, 11);
    assert_eq!((&train, &test), (&train2, &test2));
    let (_, other) = ds.stratified_split(0.3, 12);
    assert_ne!(
        row_ids(&other),
        te,
        "a different seed should pick different rows"
    );
}

#[test]
fn split_extremes_and_regression() {
    let ds = indexed(vec![0, 1, 0, 1, 1], 2);
    let (train, test) = ds.stratified_split(0.0, 1);
    assert_eq!((train.len(), test.len()), (5, 0));
    let (train, test) = ds.stratified_split(1.0, 1);
    assert_eq!((train.len(), test.len()), (0, 5));

    let x = Tensor::from_vec((0..10).map(f64::from).collect(), [10, 1]);
    let y = Tensor::from_vec((0..10).map(|i| f64::from(i) * 2.0).collect(), [10, 1]);
    let reg = Dataset::regression(x, y).unwrap();
    let (train, test) = reg.stratified_split(0.3, 5);
    assert_eq!((train.len(), test.len()), (7, 3));
    let Targets::Values(ty) = test.targets() else {
        panic!("expected real-valued targets")
    };
    for (x, y) in test.features().data().iter().zip(ty.data()) {
        assert_eq!(*y, 2.0 * x, "targets must travel with their rows");
    }
}

#[test]
#[should_panic(expected = "test_fraction 1.5 is not in [0, 1]")]
fn split_rejects_bad_fraction() {
    let _ = indexed(vec![0, 1], 2).stratified_split(1.5, 0);
}

// ---- batches ------------------------------------------------------------

#[test]
fn fill_batch_gathers_rows_and_labels() {
    let x = Tensor::from_vec((0..12u8).map(f32::from).collect(), [4, 3]);
    let ds = Dataset::classification(x, vec![3, 2, 1, 0], 4).unwrap();
    let mut batch = Batch::new();
    assert!(batch.is_empty());
    ds.fill_batch(&[3, 1], &mut batch);
    assert_eq!(batch.features(), &[9.0, 10.0, 11.0, 3.0, 4.0, 5.0]);
    assert_eq!(
        (batch.len(), batch.feature_shape(), batch.labels()),
        (2, [2, 3], &[0, 2][..])
    );
    assert!(batch.values().is_empty());
    ds.fill_batch(&[0], &mut batch);
    assert_eq!(
        (batch.features(), batch.labels()),
        (&[0.0, 1.0, 2.0][..], &[3][..])
    );
}

#[test]
fn fill_batch_reuses_its_buffers() {
    let ds = digits::<f32>();
    let mut batch = Batch::new();
    let first: Vec<usize> = (0..64).collect();
    ds.fill_batch(&first, &mut batch);
    let (px, pl) = (batch.features().as_ptr(), batch.labels().as_ptr());
    for step in 1..20 {
        let idx: Vec<usize> = (0..64 - step % 3)
            .map(|i| (i * 7 + step * 13) % ds.len())
            .collect();
        ds.fill_batch(&idx, &mut batch);
        assert_eq!(
            batch.features()[..64],
            ds.features().data()[idx[0] * 64..idx[0] * 64 + 64]
        );
        assert_eq!(batch.labels()[5], ds.labels().unwrap()[idx[5]]);
        assert_eq!(
            (batch.features().as_ptr(), batch.labels().as_ptr()),
            (px, pl),
            "buffers were reallocated"
        );
    }
}

#[test]
fn fill_batch_gathers_real_valued_targets() {
    let x = Tensor::from_vec(vec![1.0f64, 2.0, 3.0], [3, 1]);
    let y = Tensor::from_vec(vec![10.0, 11.0, 20.0, 21.0, 30.0, 31.0], [3, 2]);
    let ds = Dataset::regression(x, y).unwrap();
    let mut batch = Batch::new();
    ds.fill_batch(&[2, 0], &mut batch);
    assert_eq!(
        (batch.values(), batch.value_shape()),
        (&[30.0, 31.0, 10.0, 11.0][..], [2, 2])
    );
    assert!(batch.labels().is_empty());
}

#[test]
#[should_panic(expected = "row index 5 out of range for a data set of 5 rows")]
fn fill_batch_rejects_out_of_range_rows() {
    let ds = indexed(vec![0; 5], 1);
    ds.fill_batch(&[1, 5], &mut Batch::new());
}

// ---- scaling ------------------------------------------------------------

#[test]
fn scale_features_maps_digit_pixels_to_unit_range() {
    let mut ds = digits::<f64>();
    ds.scale_features(1.0 / 16.0);
    let max = ds.features().data().iter().copied().fold(0.0, f64::max);
    assert_eq!(max, 1.0);
}

#[test]
fn standardizer_uses_train_statistics_only() {
    let (mut train, mut test) = digits::<f64>().stratified_split(0.2, 1);
    let st = Standardizer::fit(&train);
    assert_eq!(st.mean().len(), 64);
    assert_eq!(st.std()[0], 0.0, "pixel 0 is always blank");
    st.apply(&mut train);
    st.apply(&mut test);
    let n = train.len() as f64;
    for j in 0..64 {
        let col: Vec<f64> = (0..train.len()).map(|i| train.features()[[i, j]]).collect();
        let mean = col.iter().sum::<f64>() / n;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        assert!(mean.abs() < 1e-12, "column {j} mean {mean}");
        let want = if st.std()[j] > 0.0 { 1.0 } else { 0.0 };
        assert!((var - want).abs() < 1e-9, "column {j} variance {var}");
    }
    assert!(test.features().data().iter().all(|x| x.is_finite()));
}

#[test]
#[should_panic(expected = "Standardizer fitted on 1 features applied to 64")]
fn standardizer_rejects_other_feature_counts() {
    let st = Standardizer::fit(&indexed(vec![0, 0], 1));
    st.apply(&mut digits::<f64>());
}
