//! The error type of data loading and dataset construction.

use std::path::PathBuf;

/// Why a dataset could not be built or loaded.
///
/// Line and column numbers are 1-based, as editors show them.
///
/// ```
/// use tapegrad_nn::data::{read_csv, CsvOptions, DataError};
/// let err = read_csv::<f32>("1,2,0\n3,x,1\n".as_bytes(), &CsvOptions::default()).unwrap_err();
/// assert!(matches!(err, DataError::Parse { line: 2, column: 2, .. }));
/// assert_eq!(err.to_string(), "line 2, column 2: cannot parse `x` as a number");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened.
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Reading failed part-way (a truncated gzip stream, invalid UTF-8, …).
    #[error("line {line}: read error: {source}")]
    Read {
        /// The line being read.
        line: usize,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A field is not a number (or, for a class label, not a non-negative integer).
    #[error("line {line}, column {column}: cannot parse `{text}` as {expected}")]
    Parse {
        /// The line of the field.
        line: usize,
        /// The column of the field.
        column: usize,
        /// The field as written.
        text: String,
        /// What the field should have been.
        expected: &'static str,
    },
    /// A row has a different number of columns than the first row.
    #[error("line {line}: expected {expected} columns (as in the first row), found {found}")]
    Ragged {
        /// The offending line.
        line: usize,
        /// Columns of the first data row.
        expected: usize,
        /// Columns of this row.
        found: usize,
    },
    /// The label column does not exist in the data.
    #[error("label column {column} does not exist: rows have {n_columns} columns")]
    LabelColumn {
        /// The requested label column (1-based).
        column: usize,
        /// Columns per row.
        n_columns: usize,
    },
    /// The input holds no data rows.
    #[error("no data rows")]
    Empty,
    /// Features are not a 2-d `[n, d]` tensor.
    #[error("features must be a 2-d [n, d] tensor, got shape {shape:?}")]
    FeatureShape {
        /// The shape given.
        shape: Vec<usize>,
    },
    /// Targets are not one per row of features.
    #[error("{rows} feature rows but {targets} targets")]
    TargetCount {
        /// Rows of the feature tensor.
        rows: usize,
        /// Number of targets (labels or target rows).
        targets: usize,
    },
    /// A class label is not below the number of classes.
    #[error("row {row}: label {label} is not below n_classes = {n_classes}")]
    LabelOutOfRange {
        /// 0-based row index.
        row: usize,
        /// The label.
        label: usize,
        /// The number of classes.
        n_classes: usize,
    },
}
