//! Regression metrics (MSE, MAE, R²) and the running sums they are
//! computed from, batch by batch.

/// Mean squared error, mean absolute error and the coefficient of
/// determination R² = 1 − SSE/SST over every element of the outputs, where
/// SST sums the squared deviations of the targets from their mean per
/// output column (for one output, the usual R²; for several, the
/// variance-weighted average, scikit-learn's `variance_weighted`). R² is 1
/// for a perfect fit, 0 for predicting the mean, and NaN when the targets
/// are constant (SST = 0).
///
/// ```
/// use tapegrad_nn::RegressionMetrics;
/// let m = RegressionMetrics::of(&[1.0, 2.0, 3.0], &[1.0, 2.0, 4.0], 1);
/// assert_eq!((m.mse, m.mae), (1.0 / 3.0, 1.0 / 3.0));
/// assert!((m.r2 - (1.0 - 1.0 / (14.0 / 3.0))).abs() < 1e-12);
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegressionMetrics {
    /// Mean of (output − target)².
    pub mse: f64,
    /// Mean of |output − target|.
    pub mae: f64,
    /// 1 − SSE/SST.
    pub r2: f64,
}

impl RegressionMetrics {
    /// The metrics of `outputs` against `targets` (row-major, `columns`
    /// outputs per row).
    ///
    /// # Panics
    /// When the lengths differ or are not a multiple of `columns`.
    ///
    /// ```
    /// use tapegrad_nn::RegressionMetrics;
    /// let perfect = RegressionMetrics::of(&[1.0, 5.0], &[1.0, 5.0], 1);
    /// assert_eq!((perfect.mse, perfect.r2), (0.0, 1.0));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn of(outputs: &[f64], targets: &[f64], columns: usize) -> Self {
        let mut sums = RegressionSums::default();
        sums.add(outputs.iter().copied(), targets.iter().copied(), columns);
        sums.metrics()
    }
}

impl std::fmt::Display for RegressionMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "mse {:.4}  mae {:.4}  r2 {:.4}",
            self.mse, self.mae, self.r2
        )
    }
}

/// Running sums behind [`RegressionMetrics`]: errors and per-column target
/// moments, so batches can be added one at a time.
#[derive(Clone, Debug, Default)]
pub(crate) struct RegressionSums {
    sse: f64,
    sae: f64,
    count: usize,
    /// Per column: Σy and Σy².
    columns: Vec<(f64, f64)>,
    rows: usize,
}

impl RegressionSums {
    /// Adds a batch of row-major outputs and targets with `columns` per row.
    #[track_caller]
    pub(crate) fn add(
        &mut self,
        outputs: impl Iterator<Item = f64>,
        targets: impl Iterator<Item = f64>,
        columns: usize,
    ) {
        let columns = columns.max(1);
        if self.columns.len() != columns {
            self.columns = vec![(0.0, 0.0); columns];
        }
        let mut n = 0;
        for (i, (o, t)) in outputs.zip(targets).enumerate() {
            let e = o - t;
            self.sse += e * e;
            self.sae += e.abs();
            let c = &mut self.columns[i % columns];
            c.0 += t;
            c.1 += t * t;
            n += 1;
        }
        assert!(
            n % columns == 0,
            "tapegrad-nn: regression metrics: {n} values are not rows of {columns}"
        );
        self.count += n;
        self.rows += n / columns;
    }

    /// The metrics of everything added (NaN for MSE and MAE when empty).
    pub(crate) fn metrics(&self) -> RegressionMetrics {
        let n = self.count as f64;
        let rows = self.rows as f64;
        // Σ (y − ȳ)² = Σy² − (Σy)²/n per column.
        let sst: f64 = self.columns.iter().map(|&(s, s2)| s2 - s * s / rows).sum();
        RegressionMetrics {
            mse: self.sse / n,
            mae: self.sae / n,
            r2: if sst > 0.0 {
                1.0 - self.sse / sst
            } else {
                f64::NAN
            },
        }
    }
}
