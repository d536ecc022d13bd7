//! Seeded train/test splits that keep every class in the same proportion.

use super::{Dataset, Targets};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use tapegrad::Float;

impl<T: Float> Dataset<T> {
    /// Splits into `(train, test)`: each class puts `round(count ·
    /// test_fraction)` of its rows, chosen by a shuffle seeded with `seed`,
    /// into `test`. The same seed always gives the same split (with the
    /// `rand` version in `Cargo.lock`, whose `StdRng` does the shuffle). Both parts
    /// keep the original row order. Real-valued data has no classes, so its
    /// rows are split as one group.
    ///
    /// # Panics
    /// When `test_fraction` is not in `[0, 1]`.
    ///
    /// ```
    /// let ds = tapegrad_nn::data::digits::<f32>();
    /// let (train, test) = ds.stratified_split(0.2, 42);
    /// assert_eq!(train.len() + test.len(), ds.len());
    /// assert_eq!(test.class_counts().unwrap()[0], 36); // 178 zeros · 0.2 = 35.6
    /// ```
    #[must_use]
    #[track_caller]
    pub fn stratified_split(&self, test_fraction: f64, seed: u64) -> (Self, Self) {
        assert!(
            (0.0..=1.0).contains(&test_fraction),
            "tapegrad-nn: stratified_split: test_fraction {test_fraction} is not in [0, 1]"
        );
        let mut groups: Vec<Vec<usize>> = match self.targets() {
            Targets::Classes { labels, n_classes } => {
                let mut g = vec![Vec::new(); *n_classes];
                for (i, &l) in labels.iter().enumerate() {
                    g[l].push(i);
                }
                g
            }
            Targets::Values(_) => vec![(0..self.len()).collect()],
        };
        let mut rng = StdRng::seed_from_u64(seed);
        let mut in_test = vec![false; self.len()];
        for group in &mut groups {
            group.shuffle(&mut rng);
            let n_test = (group.len() as f64 * test_fraction).round() as usize;
            for &i in &group[..n_test] {
                in_test[i] = true;
            }
        }
        let (test, train): (Vec<usize>, Vec<usize>) = (0..self.len()).partition(|&i| in_test[i]);
        (self.subset(&train), self.subset(&test))
    }
}
