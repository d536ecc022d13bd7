//! One chart with its legend in a strip of its own above the plotting area
//! (so the legend covers no curve), axis titles, a y range that holds every
//! point (nothing clipped), and line styles that stay apart where curves
//! coincide: solid, dashed and dotted strokes of different widths.

use super::PlotError;
use plotters::coord::Shift;
use plotters::prelude::*;

/// How a line is stroked.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Dash {
    Solid,
    Dashed,
    Dotted,
}

/// One curve of a panel.
pub(crate) struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub width: u32,
    pub dash: Dash,
}

impl Series {
    pub(crate) fn new(label: impl Into<String>, points: Vec<(f64, f64)>, color: RGBColor) -> Self {
        Series {
            label: label.into(),
            points,
            color,
            width: 2,
            dash: Dash::Solid,
        }
    }

    pub(crate) fn styled(mut self, width: u32, dash: Dash) -> Self {
        self.width = width;
        self.dash = dash;
        self
    }
}

/// Axis titles and the caption of a panel.
pub(crate) struct Axes<'a> {
    pub caption: &'a str,
    pub x: &'a str,
    pub y: &'a str,
    /// A fixed y range; `None` fits every point.
    pub y_range: Option<(f64, f64)>,
}

/// Colour-blind-safe palette (Okabe–Ito).
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

const LEGEND_ROW: u32 = 18;
const LEGEND_ITEM: u32 = 120;

/// Draws `series` on `area`: caption, legend rows, then the chart.
pub(crate) fn draw(area: &Area<'_>, axes: &Axes<'_>, series: &[Series]) -> Result<(), PlotError> {
    let (w, _) = area.dim_in_pixel();
    let per_row = (w.saturating_sub(60) / LEGEND_ITEM).max(1) as usize;
    let rows = series.len().div_ceil(per_row) as u32;
    let (top, chart_area) = area.split_vertically(26 + rows * LEGEND_ROW + 6);
    top.draw(&Text::new(
        axes.caption.to_owned(),
        (w as i32 / 2, 4),
        ("sans-serif", 18)
            .into_font()
            .color(&BLACK)
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Top,
            )),
    ))?;
    for (k, s) in series.iter().enumerate() {
        let x = 60 + (k % per_row) as i32 * LEGEND_ITEM as i32;
        let y = 26 + (k / per_row) as i32 * LEGEND_ROW as i32 + LEGEND_ROW as i32 / 2;
        stroke(&top, &[(x, y), (x + 30, y)], s)?;
        top.draw(&Text::new(
            s.label.clone(),
            (x + 36, y - 7),
            ("sans-serif", 13).into_font(),
        ))?;
    }

    let (x0, x1) = bounds(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    let (y0, y1) = axes.y_range.unwrap_or_else(|| {
        let (lo, hi) = bounds(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
        let pad = ((hi - lo) * 0.06).max(0.05);
        (lo - pad, hi + pad)
    });
    let mut chart = ChartBuilder::on(&chart_area)
        .margin(8)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc(axes.x)
        .y_desc(axes.y)
        .x_labels(7)
        .y_labels(7)
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    for s in series {
        let style = s.color.stroke_width(s.width);
        for piece in pieces(&s.points) {
            let pts = piece.iter().copied();
            match s.dash {
                Dash::Solid => {
                    chart.draw_series(LineSeries::new(pts, style))?;
                }
                Dash::Dashed => {
                    chart.draw_series(DashedLineSeries::new(pts, 9, 5, style))?;
                }
                Dash::Dotted => {
                    chart.draw_series(DashedLineSeries::new(pts, 2, 4, style))?;
                }
            }
        }
    }
    Ok(())
}

/// Slope above which two neighbouring points are taken as the two sides
/// of a jump (relu′ at 0): far steeper than any activation curve drawn
/// here, whose slopes stay below 10.
const JUMP_SLOPE: f64 = 25.0;

/// The stretches of a curve between its jumps, so that a discontinuity is
/// drawn as a gap, not as a vertical stroke the function never takes.
fn pieces(points: &[(f64, f64)]) -> Vec<&[(f64, f64)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (k, w) in points.windows(2).enumerate() {
        let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
        if dx != 0.0 && (dy / dx).abs() > JUMP_SLOPE {
            out.push(&points[start..=k]);
            start = k + 1;
        }
    }
    out.push(&points[start..]);
    out
}

/// A legend sample in pixel coordinates, with the series' dash pattern.
fn stroke(area: &Area<'_>, line: &[(i32, i32); 2], s: &Series) -> Result<(), PlotError> {
    let style = s.color.stroke_width(s.width);
    let (on, off) = match s.dash {
        Dash::Solid => (30, 0),
        Dash::Dashed => (9, 5),
        Dash::Dotted => (2, 4),
    };
    let [(x0, y), (x1, _)] = *line;
    let mut x = x0;
    while x < x1 {
        let end = (x + on).min(x1);
        area.draw(&PathElement::new(vec![(x, y), (end, y)], style))?;
        x = end + off;
    }
    Ok(())
}

/// The smallest and largest finite value.
fn bounds(xs: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = xs
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}
