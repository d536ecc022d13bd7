//! In-memory datasets, a CSV loader and the shipped digits data set.
//!
//! ```
//! use tapegrad_nn::data::{digits, Batch};
//! let mut ds = digits::<f32>();
//! ds.scale_features(1.0 / 16.0);
//! let (train, test) = ds.stratified_split(0.2, 7);
//! let mut batch = Batch::new();
//! train.fill_batch(&[0, 5, 9], &mut batch);
//! assert_eq!(batch.feature_shape(), [3, 64]);
//! assert_eq!(test.len(), 359); // round(0.2 · count) of each class
//! ```

mod csv;
mod dataset;
#[cfg(feature = "csv-gz")]
mod digits;
mod error;
mod scale;
mod split;

pub use csv::{load_csv, read_csv, CsvOptions};
pub use dataset::{Batch, Dataset, Targets};
#[cfg(feature = "csv-gz")]
pub use digits::digits;
pub use error::DataError;
pub use scale::Standardizer;
