//! A training run as one self-contained HTML page (feature `plots`): the
//! run's settings, the loss/accuracy/dead-unit curves as inline SVG, the
//! per-layer diagnostics of the last epoch and a table of every epoch.
//! No script, no style sheet or font from the network: the file opens
//! offline in any browser.

use crate::plots::{training_figure, PlotError};
use crate::{History, StopReason};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Writing a report failed.
///
/// ```
/// use tapegrad_nn::report::{ReportError, TrainingReport};
/// let h = tapegrad_nn::History { epochs: vec![], stop: tapegrad_nn::StopReason::MaxEpochs };
/// let err = TrainingReport::new("run", &h).write("/nonexistent-dir/r.html").unwrap_err();
/// assert!(matches!(err, ReportError::Io { .. }));
/// assert!(err.to_string().contains("/nonexistent-dir/r.html"));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Drawing the curves failed.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// The file could not be written.
    #[error("tapegrad-nn: report: writing {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The HTML report of one training run.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::report::TrainingReport;
/// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
/// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
/// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
/// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Relu).output(1);
/// let h = Trainer::new(Loss::Mse).epochs(3).diagnostics(true)
///     .fit(&mut mlp, &mut Sgd::new(0.1), &data, None)?;
/// let html = TrainingReport::new("xor <demo>", &h).setting("optimizer", "SGD(0.1)").to_html()?;
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert!(html.contains("xor &lt;demo&gt;") && html.contains("<svg") && html.contains("SGD(0.1)"));
/// assert!(!html.contains("<script") && !html.contains("href=") && !html.contains("src="));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub struct TrainingReport<'a> {
    title: String,
    history: &'a History,
    settings: Vec<(String, String)>,
}

impl<'a> TrainingReport<'a> {
    /// A report titled `title` of the run that produced `history`.
    ///
    /// ```
    /// let h = tapegrad_nn::History { epochs: vec![], stop: tapegrad_nn::StopReason::MaxEpochs };
    /// let html = tapegrad_nn::report::TrainingReport::new("empty", &h).to_html()?;
    /// assert!(html.contains("<h1>empty</h1>") && html.contains("0 epochs"));
    /// # Ok::<(), tapegrad_nn::plots::PlotError>(())
    /// ```
    pub fn new(title: impl Into<String>, history: &'a History) -> Self {
        TrainingReport {
            title: title.into(),
            history,
            settings: Vec::new(),
        }
    }

    /// Adds a line to the settings table (model, optimizer, seed, …).
    ///
    /// ```
    /// let h = tapegrad_nn::History { epochs: vec![], stop: tapegrad_nn::StopReason::MaxEpochs };
    /// let r = tapegrad_nn::report::TrainingReport::new("r", &h).setting("seed", 7);
    /// assert!(r.to_html()?.contains("<th>seed</th><td>7</td>"));
    /// # Ok::<(), tapegrad_nn::plots::PlotError>(())
    /// ```
    pub fn setting(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        self.settings.push((name.to_owned(), value.to_string()));
        self
    }

    /// The page.
    ///
    /// # Errors
    /// When the curves cannot be drawn.
    ///
    /// ```
    /// let h = tapegrad_nn::History { epochs: vec![], stop: tapegrad_nn::StopReason::MaxEpochs };
    /// let html = tapegrad_nn::report::TrainingReport::new("r", &h).to_html()?;
    /// assert!(html.trim_end().ends_with("</html>"));
    /// # Ok::<(), tapegrad_nn::plots::PlotError>(())
    /// ```
    pub fn to_html(&self) -> Result<String, PlotError> {
        let h = self.history;
        let mut s = String::new();
        let _ = write!(
            s,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n",
            t = escape(&self.title)
        );
        let stop = match h.stop {
            StopReason::MaxEpochs => "the epoch budget ran out".to_owned(),
            StopReason::LossThreshold => "the loss reached its threshold".to_owned(),
            StopReason::EarlyStopping { best_epoch } => {
                format!("early stopping; parameters of epoch {}", best_epoch + 1)
            }
        };
        let _ = writeln!(
            s,
            "<p>{} epochs; stopped because {stop}.</p>",
            h.epochs.len()
        );
        if let Some(last) = h.last() {
            // Regression runs report their own metrics, not an accuracy.
            let _ = match last.regression {
                Some(r) => write!(
                    s,
                    "<p class=\"final\">final training loss {:.4}, {r}",
                    last.loss
                ),
                None => write!(
                    s,
                    "<p class=\"final\">final training loss {:.4}, accuracy {:.4}",
                    last.loss, last.accuracy
                ),
            };
            if let Some(l) = last.val_loss {
                let _ = match (last.val_regression, last.val_accuracy) {
                    (Some(r), _) => write!(s, "; validation loss {l:.4}, {r}"),
                    (None, Some(a)) => write!(s, "; validation loss {l:.4}, accuracy {a:.4}"),
                    (None, None) => write!(s, "; validation loss {l:.4}"),
                };
            }
            s.push_str("</p>\n");
        }

        s.push_str("<h2>Settings</h2>\n<table>\n");
        for (k, v) in &self.settings {
            let _ = writeln!(s, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
        }
        s.push_str("</table>\n");

        if !h.epochs.is_empty() {
            s.push_str("<h2>Curves</h2>\n<figure>\n");
            s.push_str(&training_figure(h)?);
            s.push_str("\n</figure>\n");
        }

        if let Some(d) = h.last().and_then(|r| r.diagnostics.as_ref()) {
            s.push_str(
                "<h2>Layers after the last epoch</h2>\n<table>\n<tr><th>layer</th><th>units</th>\
                 <th>dead</th><th>saturated</th><th>mean ‖grad‖</th><th>max ‖grad‖</th></tr>\n",
            );
            let pct = |x: Option<f64>| x.map_or("–".to_owned(), |x| format!("{:.1}%", 100.0 * x));
            for l in &d.layers {
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.3e}</td><td>{:.3e}</td></tr>",
                    escape(&l.name),
                    l.units,
                    pct(l.dead_fraction),
                    pct(l.saturated_fraction),
                    l.grad_norm,
                    l.grad_norm_max
                );
            }
            s.push_str("</table>\n");
        }

        if !h.epochs.is_empty() {
            s.push_str(
                "<h2>Epochs</h2>\n<table>\n<tr><th>epoch</th><th>loss</th><th>accuracy</th>\
                 <th>val loss</th><th>val accuracy</th><th>lr</th><th>seconds</th></tr>\n",
            );
            let opt = |x: Option<f64>| x.map_or("–".to_owned(), |x| format!("{x:.4}"));
            for r in &h.epochs {
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td>{:.4}</td><td>{:.4}</td><td>{}</td><td>{}</td><td>{:.2e}</td><td>{:.3}</td></tr>",
                    r.epoch + 1,
                    r.loss,
                    r.accuracy,
                    opt(r.val_loss),
                    opt(r.val_accuracy),
                    r.lr,
                    r.seconds
                );
            }
            s.push_str("</table>\n");
        }
        s.push_str("</body>\n</html>\n");
        Ok(s)
    }

    /// Writes the page to `path`.
    ///
    /// # Errors
    /// [`ReportError::Plot`] when the curves cannot be drawn,
    /// [`ReportError::Io`] (naming the path) when the file cannot be
    /// written.
    ///
    /// ```
    /// let h = tapegrad_nn::History { epochs: vec![], stop: tapegrad_nn::StopReason::MaxEpochs };
    /// let path = std::env::temp_dir().join("tapegrad-report-doc.html");
    /// tapegrad_nn::report::TrainingReport::new("r", &h).write(&path)?;
    /// assert!(std::fs::read_to_string(&path)?.contains("<h1>r</h1>"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), ReportError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_html()?).map_err(|source| ReportError::Io {
            path: path.to_owned(),
            source,
        })
    }
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em auto;max-width:1300px;color:#222}\
table{border-collapse:collapse;margin:0.5em 0}\
th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left}\
th{background:#f3f3f3}figure{margin:0}.final{font-weight:bold}";

/// Text for HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
