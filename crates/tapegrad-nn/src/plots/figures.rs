//! The figures: activations with their derivatives, swish across β, and a
//! training run's curves.

use super::curves::ActivationCurves;
use super::panel::{draw, Area, Axes, Dash, Series, PALETTE};
use super::PlotError;
use crate::{Activation, History};
use plotters::prelude::*;

const PANEL: (u32, u32) = (360, 340);

/// Renders `panels` (each a caption, axes and curves) in a grid of `cols`
/// columns into one SVG document.
fn grid(
    cols: usize,
    size: (u32, u32),
    panels: &[(Axes<'_>, Vec<Series>)],
) -> Result<String, PlotError> {
    let rows = panels.len().div_ceil(cols);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (size.0 * cols as u32, size.1 * rows as u32))
            .into_drawing_area();
        root.fill(&WHITE)?;
        let areas: Vec<Area<'_>> = root.split_evenly((rows, cols));
        for (area, (axes, series)) in areas.iter().zip(panels) {
            draw(area, axes, series)?;
        }
        root.present()?;
    }
    Ok(svg)
}

fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

fn zip(x: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
    x.iter().copied().zip(y.iter().copied()).collect()
}

/// One panel per activation with f, f′ and f″ on [−4, 4], all three from
/// the engine ([`ActivationCurves`]); `entries` are (title, activation, its
/// parameter values). f is solid, f′ dashed and f″ dotted, so that curves
/// that coincide (f′ = f″ = eˣ for ELU(1) left of 0) stay visible; every
/// panel's y range holds all its points.
///
/// # Errors
/// When plotters fails to draw.
///
/// ```
/// use tapegrad_nn::{plots::activation_figure, Activation};
/// let svg = activation_figure(&[("relu", Activation::Relu, &[]), ("swish β=1", Activation::Swish, &[1.0])])?;
/// assert!(svg.starts_with("<svg") && svg.contains("swish β=1") && svg.contains("f″(x)"));
/// # Ok::<(), tapegrad_nn::plots::PlotError>(())
/// ```
pub fn activation_figure(entries: &[(&str, Activation, &[f64])]) -> Result<String, PlotError> {
    let xs = linspace(-4.0, 4.0, 321);
    let panels: Vec<(Axes<'_>, Vec<Series>)> = entries
        .iter()
        .map(|&(title, act, params)| {
            let c = ActivationCurves::compute(act, params, &xs);
            let series = vec![
                Series::new("f(x)", zip(&xs, &c.f), PALETTE[0]).styled(3, Dash::Solid),
                Series::new("f′(x)", zip(&xs, &c.d1), PALETTE[1]).styled(3, Dash::Dashed),
                Series::new("f″(x)", zip(&xs, &c.d2), PALETTE[2]).styled(2, Dash::Dotted),
            ];
            let axes = Axes {
                caption: title,
                x: "x",
                y: "f, f′, f″",
                y_range: None,
            };
            (axes, series)
        })
        .collect();
    grid(5.min(entries.len()).max(1), PANEL, &panels)
}

/// Swish `x·σ(βx)` and its derivative for each β in `betas`, beside its two
/// limits: x/2 as β → 0 and relu as β → ∞ (grey).
///
/// # Errors
/// When plotters fails to draw.
///
/// ```
/// let svg = tapegrad_nn::plots::swish_beta_figure(&[0.1, 1.0, 10.0])?;
/// assert!(svg.contains("β = 10") && svg.contains("relu (β → ∞)"));
/// # Ok::<(), tapegrad_nn::plots::PlotError>(())
/// ```
pub fn swish_beta_figure(betas: &[f64]) -> Result<String, PlotError> {
    let xs = linspace(-4.0, 4.0, 321);
    let mut f = vec![
        Series::new(
            "x/2 (β → 0)",
            xs.iter().map(|&x| (x, x / 2.0)).collect(),
            RGBColor(150, 150, 150),
        )
        .styled(2, Dash::Dashed),
        Series::new(
            "relu (β → ∞)",
            xs.iter().map(|&x| (x, x.max(0.0))).collect(),
            RGBColor(150, 150, 150),
        )
        .styled(2, Dash::Dotted),
    ];
    let mut d = Vec::new();
    for (k, &beta) in betas.iter().enumerate() {
        let c = ActivationCurves::compute(Activation::Swish, &[beta], &xs);
        let color = PALETTE[k % (PALETTE.len() - 1)];
        let label = format!("β = {beta}");
        f.push(Series::new(label.clone(), zip(&xs, &c.f), color));
        d.push(Series::new(label, zip(&xs, &c.d1), color));
    }
    let panels = [
        (
            Axes {
                caption: "swish x·σ(βx): from x/2 to relu",
                x: "x",
                y: "f(x)",
                y_range: None,
            },
            f,
        ),
        (
            Axes {
                caption: "its derivative, from the engine",
                x: "x",
                y: "f′(x)",
                y_range: None,
            },
            d,
        ),
    ];
    grid(2, (520, 400), &panels)
}

/// A training run from its [`History`]: loss and accuracy per epoch
/// (training and, when present, validation), and, when diagnostics were
/// collected, the dead-unit share (solid) and saturated-unit share
/// (dashed) of each hidden layer.
///
/// # Errors
/// When plotters fails to draw.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad_nn::data::Dataset;
/// use tapegrad_nn::{Activation, Loss, Mlp, Sgd, Trainer};
/// let x = Tensor::from_vec(vec![0.0f64, 1.0, 1.0, 0.0], [2, 2]);
/// let data = Dataset::regression(x, Tensor::from_vec(vec![1.0, 0.0], [2, 1]))?;
/// let mut mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Relu).output(1);
/// let h = Trainer::new(Loss::Mse).epochs(3).diagnostics(true)
///     .fit(&mut mlp, &mut Sgd::new(0.1), &data, None)?;
/// let svg = tapegrad_nn::plots::training_figure(&h)?;
/// assert!(svg.contains("dead units") && svg.contains("layer 0"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn training_figure(history: &History) -> Result<String, PlotError> {
    let epochs: Vec<f64> = history
        .epochs
        .iter()
        .map(|r| (r.epoch + 1) as f64)
        .collect();
    let line = |get: &dyn Fn(&crate::EpochRecord) -> Option<f64>| -> Vec<(f64, f64)> {
        history
            .epochs
            .iter()
            .zip(&epochs)
            .filter_map(|(r, &e)| get(r).map(|v| (e, v)))
            .collect()
    };
    let mut loss = vec![Series::new("training", line(&|r| Some(r.loss)), PALETTE[0])];
    let mut acc = vec![Series::new(
        "training",
        line(&|r| Some(r.accuracy)),
        PALETTE[0],
    )];
    let val_loss = line(&|r| r.val_loss);
    if !val_loss.is_empty() {
        loss.push(Series::new("validation", val_loss, PALETTE[1]).styled(2, Dash::Dashed));
        acc.push(
            Series::new("validation", line(&|r| r.val_accuracy), PALETTE[1])
                .styled(2, Dash::Dashed),
        );
    }
    let mut panels = vec![
        (
            Axes {
                caption: "loss",
                x: "epoch",
                y: "mean loss",
                y_range: None,
            },
            loss,
        ),
        (
            Axes {
                caption: "accuracy",
                x: "epoch",
                y: "accuracy",
                y_range: None,
            },
            acc,
        ),
    ];
    let layers = history
        .epochs
        .iter()
        .filter_map(|r| r.diagnostics.as_ref())
        .map(|d| d.layers.len())
        .max()
        .unwrap_or(0);
    let mut units = Vec::new();
    for k in 0..layers {
        let layer = |r: &crate::EpochRecord| {
            r.diagnostics
                .as_ref()
                .and_then(|d| d.layers.get(k).cloned())
        };
        let color = PALETTE[k % PALETTE.len()];
        let dead = line(&|r| layer(r).and_then(|l| l.dead_fraction));
        if !dead.is_empty() {
            units.push(Series::new(format!("layer {k} dead"), dead, color));
        }
        let sat = line(&|r| layer(r).and_then(|l| l.saturated_fraction));
        if !sat.is_empty() {
            units.push(
                Series::new(format!("layer {k} saturated"), sat, color).styled(2, Dash::Dashed),
            );
        }
    }
    if !units.is_empty() {
        panels.push((
            Axes {
                caption: "dead units (never active in the epoch)",
                x: "epoch",
                y: "share of the layer's units",
                y_range: Some((-0.02, 1.02)),
            },
            units,
        ));
    }
    grid(panels.len(), (420, 340), &panels)
}
