//! A small CSV reader for numeric tables: one row per line, one target
//! column, no quoting. Errors point at the line and column of the bad field.

use super::{DataError, Dataset, Targets};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use tapegrad::{Float, Tensor};

/// How to read a CSV table: which column is the target, whether the first
/// line is a header, the delimiter, and whether the target is a class label
/// or a real value.
///
/// Defaults: target in the last column, class labels, no header, `,`.
///
/// ```
/// use tapegrad_nn::data::{read_csv, CsvOptions};
/// let text = "y;a;b\n1;0.5;2\n0;1.5;3\n";
/// let opts = CsvOptions::default().has_header(true).delimiter(b';').label_column(0);
/// let ds = read_csv::<f64>(text.as_bytes(), &opts)?;
/// assert_eq!(ds.features().data(), &[0.5, 2.0, 1.5, 3.0]);
/// assert_eq!(ds.labels(), Some(&[1, 0][..]));
/// # Ok::<(), tapegrad_nn::data::DataError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    label_column: Option<usize>,
    has_header: bool,
    delimiter: u8,
    real_valued: bool,
    allow_non_finite: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            label_column: None,
            has_header: false,
            delimiter: b',',
            real_valued: false,
            allow_non_finite: false,
        }
    }
}

impl CsvOptions {
    /// The target is column `index`, counted from 0 (the default is the last column).
    ///
    /// ```
    /// use tapegrad_nn::data::{read_csv, CsvOptions};
    /// let ds = read_csv::<f32>("2,0.5\n0,1.5\n".as_bytes(), &CsvOptions::default().label_column(0))?;
    /// assert_eq!(ds.labels(), Some(&[2, 0][..]));
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    #[must_use]
    pub fn label_column(mut self, index: usize) -> Self {
        self.label_column = Some(index);
        self
    }

    /// Whether the first non-blank line is a header to skip (default
    /// `false`).
    ///
    /// ```
    /// use tapegrad_nn::data::{read_csv, CsvOptions};
    /// let ds = read_csv::<f32>("x,label\n0.5,1\n".as_bytes(), &CsvOptions::default().has_header(true))?;
    /// assert_eq!(ds.len(), 1);
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    #[must_use]
    pub fn has_header(mut self, yes: bool) -> Self {
        self.has_header = yes;
        self
    }

    /// The field separator, an ASCII byte (default `b','`).
    ///
    /// # Panics
    /// When `delimiter` is not ASCII.
    ///
    /// ```
    /// use tapegrad_nn::data::{read_csv, CsvOptions};
    /// let ds = read_csv::<f64>("0.5;1\n".as_bytes(), &CsvOptions::default().delimiter(b';'))?;
    /// assert_eq!(ds.features().data(), &[0.5]);
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    #[must_use]
    #[track_caller]
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        assert!(
            delimiter.is_ascii(),
            "tapegrad-nn: CSV delimiter must be ASCII, got byte {delimiter}"
        );
        self.delimiter = delimiter;
        self
    }

    /// Whether the target is a real number (a `[n, 1]` regression target)
    /// instead of a class label (default `false`: labels, which must be
    /// non-negative integers; `n_classes` is the largest label + 1).
    ///
    /// ```
    /// use tapegrad_nn::data::{read_csv, CsvOptions};
    /// let ds = read_csv::<f32>("1,0.25\n2,-1e3\n".as_bytes(), &CsvOptions::default().real_valued(true))?;
    /// assert_eq!(ds.n_outputs(), 1);
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    #[must_use]
    pub fn real_valued(mut self, yes: bool) -> Self {
        self.real_valued = yes;
        self
    }

    /// Whether `nan`, `inf` and numbers beyond the element type's range
    /// (which would become infinite) are accepted (default `false`: they
    /// are a [`DataError::Parse`] naming the line and column).
    ///
    /// ```
    /// use tapegrad_nn::data::{read_csv, CsvOptions};
    /// let text = "nan,1\n1e400,0\n";
    /// assert!(read_csv::<f64>(text.as_bytes(), &CsvOptions::default()).is_err());
    /// let ds = read_csv::<f64>(text.as_bytes(), &CsvOptions::default().allow_non_finite(true))?;
    /// assert!(ds.features().data()[0].is_nan() && ds.features().data()[1].is_infinite());
    /// # Ok::<(), tapegrad_nn::data::DataError>(())
    /// ```
    #[must_use]
    pub fn allow_non_finite(mut self, yes: bool) -> Self {
        self.allow_non_finite = yes;
        self
    }
}

/// Reads a numeric CSV table from any reader (a file, a decompressor, a
/// byte string). A UTF-8 byte-order mark is ignored; blank lines are
/// skipped; fields are trimmed. Numbers must be finite unless
/// [`CsvOptions::allow_non_finite`] says otherwise.
///
/// # Errors
/// [`DataError::Parse`] (line, column, text) for a malformed number or
/// label, a non-finite number (unless allowed), or a label of
/// `usize::MAX` (which leaves no room for the class count), [`DataError::Ragged`] for a row whose column count differs from
/// the first row's, [`DataError::LabelColumn`] when the label column does not
/// exist, [`DataError::Empty`] when there are no data rows,
/// [`DataError::Read`] when the reader fails.
///
/// ```
/// use tapegrad_nn::data::{read_csv, CsvOptions, DataError};
/// let err = read_csv::<f32>("1,2,0\n3,4\n".as_bytes(), &CsvOptions::default()).unwrap_err();
/// assert!(matches!(err, DataError::Ragged { line: 2, expected: 3, found: 2 }));
/// ```
pub fn read_csv<T: Float>(
    reader: impl Read,
    options: &CsvOptions,
) -> Result<Dataset<T>, DataError> {
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    let mut line_no = 0;
    let mut n_columns = 0;
    let mut label_col = 0;
    let mut features = Vec::new();
    let mut labels = Vec::new();
    let mut values = Vec::new();
    let delimiter = char::from(options.delimiter);
    let mut header_pending = options.has_header;
    loop {
        line.clear();
        line_no += 1;
        let read = reader
            .read_line(&mut line)
            .map_err(|source| DataError::Read {
                line: line_no,
                source,
            })?;
        if read == 0 {
            break;
        }
        if line_no == 1 {
            if let Some(rest) = line.strip_prefix('\u{feff}') {
                line = rest.to_string();
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        if header_pending {
            header_pending = false;
            continue;
        }
        let found = line.split(delimiter).count();
        if n_columns == 0 {
            n_columns = found;
            label_col = options.label_column.unwrap_or(found - 1);
            if label_col >= found {
                return Err(DataError::LabelColumn {
                    column: label_col + 1,
                    n_columns: found,
                });
            }
        } else if found != n_columns {
            return Err(DataError::Ragged {
                line: line_no,
                expected: n_columns,
                found,
            });
        }
        for (col, field) in line.split(delimiter).enumerate() {
            let text = field.trim();
            let bad = |expected| DataError::Parse {
                line: line_no,
                column: col + 1,
                text: text.to_string(),
                expected,
            };
            let number = || -> Result<T, DataError> {
                let x = T::from_str_radix(text, 10).map_err(|_| bad("a number"))?;
                if x.is_finite() || options.allow_non_finite {
                    Ok(x)
                } else {
                    Err(bad(
                        "a finite number (CsvOptions::allow_non_finite accepts it)",
                    ))
                }
            };
            if col != label_col {
                features.push(number()?);
            } else if options.real_valued {
                values.push(number()?);
            } else {
                let label = text
                    .parse::<usize>()
                    .map_err(|_| bad("a class label (a non-negative integer)"))?;
                if label == usize::MAX {
                    // n_classes = label + 1 would overflow.
                    return Err(bad("a class label below usize::MAX"));
                }
                labels.push(label);
            }
        }
    }
    let rows = labels.len().max(values.len());
    if rows == 0 {
        return Err(DataError::Empty);
    }
    let x = Tensor::from_vec(features, [rows, n_columns - 1]);
    let targets = if options.real_valued {
        Targets::Values(Tensor::from_vec(values, [rows, 1]))
    } else {
        let n_classes = labels.iter().max().map_or(0, |&m| m + 1);
        Targets::Classes { labels, n_classes }
    };
    Dataset::new(x, targets)
}

/// Reads a numeric CSV file; a path ending in `.gz` is decompressed (gzip)
/// on the fly.
///
/// # Errors
/// [`DataError::Open`] when the file cannot be opened, otherwise as
/// [`read_csv`] (a corrupt gzip stream is a [`DataError::Read`]).
///
/// ```
/// use tapegrad_nn::data::{load_csv, CsvOptions};
/// let path = std::env::temp_dir().join(format!("tapegrad-doc-{}.csv", std::process::id()));
/// std::fs::write(&path, "0.5,1\n0.25,0\n")?;
/// let ds = load_csv::<f32>(&path, &CsvOptions::default())?;
/// assert_eq!((ds.len(), ds.n_features(), ds.n_classes()), (2, 1, Some(2)));
/// std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_csv<T: Float>(
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<Dataset<T>, DataError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| DataError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    if path.extension().is_some_and(|e| e == "gz") {
        read_csv(MultiGzDecoder::new(file), options)
    } else {
        read_csv(file, options)
    }
}
