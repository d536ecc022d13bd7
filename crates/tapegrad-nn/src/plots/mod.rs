//! Figures as SVG text (feature `plots`, through `plotters`' SVG backend,
//! no system library): every activation beside its first and second
//! derivative computed by the engine, swish across β, and the curves of a
//! training run. Each function returns the SVG document, so that it can be
//! written to a file or inlined in an HTML report.

mod curves;
mod figures;
mod panel;

pub use curves::ActivationCurves;
pub use figures::{activation_figure, swish_beta_figure, training_figure};

use std::fmt;

/// Drawing a figure failed (plotters reported an error).
///
/// ```
/// let err = tapegrad_nn::plots::PlotError::new("no data");
/// assert_eq!(err.to_string(), "tapegrad-nn: plot: no data");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotError(String);

impl PlotError {
    /// An error with this message.
    ///
    /// ```
    /// assert!(tapegrad_nn::plots::PlotError::new("x").to_string().ends_with('x'));
    /// ```
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        PlotError(message.into())
    }
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tapegrad-nn: plot: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for PlotError
{
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}
