//! The UCI optical handwritten digits (8×8 images, 10 classes), compiled
//! into the crate so examples and tests need no download or file access.

use super::{read_csv, CsvOptions, Dataset};
use flate2::read::GzDecoder;
use tapegrad::Float;

/// `data/digits.csv.gz` of this crate; see `data/README.md` for its
/// provenance and licence (CC BY 4.0).
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");

/// The digits data set: 1797 rows of 64 pixel intensities (integers
/// `0..=16`, an 8×8 image row-major) and a class label `0..=9`, about 180
/// per class.
///
/// Optical Recognition of Handwritten Digits, UCI Machine Learning
/// Repository (E. Alpaydin and C. Kaynak, 1998; CC BY 4.0), in the copy
/// scikit-learn ships. Decompressed and parsed on each call (a few ms).
///
/// # Panics
/// Never in practice: the embedded bytes are fixed at compile time and the
/// crate's tests parse them.
///
/// ```
/// let ds = tapegrad_nn::data::digits::<f32>();
/// assert_eq!((ds.len(), ds.n_features(), ds.n_classes()), (1797, 64, Some(10)));
/// ```
#[must_use]
pub fn digits<T: Float>() -> Dataset<T> {
    read_csv(GzDecoder::new(DIGITS_CSV_GZ), &CsvOptions::default())
        .unwrap_or_else(|e| panic!("tapegrad-nn: the embedded digits data is corrupt: {e}"))
}
