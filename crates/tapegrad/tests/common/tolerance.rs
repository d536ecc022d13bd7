//! The elementwise tolerance rule `|a − e| <= atol + rtol·|e|` and the
//! report of the worst element that breaks it.

use tapegrad::Tensor;

/// Per-case tolerances.
#[derive(Clone, Copy, Debug)]
pub struct Tol {
    pub rtol: f64,
    pub atol: f64,
}

/// The worst element of a failed comparison.
#[derive(Clone, Debug)]
pub struct Mismatch {
    pub index: usize,
    pub actual: f64,
    pub expected: f64,
    /// By how much the difference exceeds `atol + rtol·|expected|`
    /// (infinite for NaN or a shape mismatch).
    pub excess: f64,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "element {}: got {:e}, expected {:e} (|diff| {:e})",
            self.index,
            self.actual,
            self.expected,
            (self.actual - self.expected).abs()
        )
    }
}

/// Compares `actual` with `expected` elementwise; `Err` carries the element
/// that exceeds its tolerance the most. Shapes must match exactly.
///
/// # Errors
/// A shape mismatch (as a message) or the worst element out of tolerance.
pub fn compare(
    what: &str,
    actual: &Tensor<f64>,
    expected: &Tensor<f64>,
    tol: Tol,
) -> Result<(), String> {
    if actual.shape() != expected.shape() {
        return Err(format!(
            "{what}: shape {} but expected {}",
            actual.shape(),
            expected.shape()
        ));
    }
    worst_mismatch(actual.data(), expected.data(), tol)
        .map_or(Ok(()), |m| Err(format!("{what}: {m}")))
}

/// The element of `actual` farthest out of tolerance, if any is.
#[must_use]
pub fn worst_mismatch(actual: &[f64], expected: &[f64], tol: Tol) -> Option<Mismatch> {
    let mut worst: Option<Mismatch> = None;
    for (index, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let diff = (a - e).abs();
        let bound = tol.atol + tol.rtol * e.abs();
        if diff.is_nan() || diff > bound {
            let excess = if diff.is_nan() {
                f64::INFINITY
            } else {
                diff - bound
            };
            if worst.as_ref().is_none_or(|w| excess > w.excess) {
                worst = Some(Mismatch {
                    index,
                    actual: a,
                    expected: e,
                    excess,
                });
            }
        }
    }
    worst
}
