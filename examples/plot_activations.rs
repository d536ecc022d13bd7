//! Plots every activation with its first and second derivative, computed by
//! the engine itself (a recorded backward, differentiated again), into one
//! SVG file: `cargo run --release --features plots --example plot_activations [out.svg]`.
//!
//! Dead ReLUs and saturated sigmoids are easy to see here: the derivative
//! curve is flat zero on one side of relu and vanishes at both ends of
//! sigmoid and tanh.

use plotters::prelude::*;
use tapegrad::{Tape, Tensor, Var};

type Activation = for<'t> fn(Var<'t, f64>) -> Var<'t, f64>;

const ACTIVATIONS: [(&str, Activation); 8] = [
    ("relu", |x| x.relu()),
    ("leaky_relu(0.1)", |x| x.leaky_relu(0.1)),
    ("elu(1)", |x| x.elu(1.0)),
    ("selu", |x| x.selu()),
    ("swish(β=1)", |x| x.swish(x.tape().constant_scalar(1.0))),
    ("mish", |x| x.mish()),
    ("sigmoid", |x| x.sigmoid()),
    ("tanh", |x| x.tanh()),
];

/// f, f' and f'' on `xs`: the activation is elementwise, so the gradient of
/// `Σ f(x)` is f'(x) elementwise, and the gradient of `Σ f'(x)` is f''(x).
fn curves(f: Activation, xs: &[f64]) -> [Vec<f64>; 3] {
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_slice(xs, [xs.len()]));
    let y = f(x);
    let d1 = y.sum().grad_graph(&[x])[0];
    let d2 = d1.sum().grad_graph(&[x])[0];
    [y, d1, d2].map(|v| v.value().into_vec())
}

/// Plot every activation with its first and second derivative into one SVG.
#[derive(clap::Parser, Debug)]

struct Args {
    /// The SVG file to write.
    #[arg(default_value = "target/activations.svg")]
    out: std::path::PathBuf,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = <Args as clap::Parser>::parse().out;
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir)?;
    }
    let xs: Vec<f64> = (0..=400).map(|i| -4.0 + 0.02 * f64::from(i)).collect();
    let root = SVGBackend::new(&out, (1600, 800)).into_drawing_area();
    root.fill(&WHITE)?;
    for (area, (name, f)) in root.split_evenly((2, 4)).iter().zip(ACTIVATIONS) {
        let [y, d1, d2] = curves(f, &xs);
        let mut chart = ChartBuilder::on(area)
            .caption(name, ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(25)
            .y_label_area_size(35)
            .build_cartesian_2d(-4.0..4.0, -2.0..4.0)?;
        chart.configure_mesh().x_labels(5).y_labels(7).draw()?;
        for (series, color, label) in [(&y, BLUE, "f"), (&d1, RED, "f'"), (&d2, GREEN, "f''")] {
            let points = xs
                .iter()
                .zip(series.iter())
                .map(|(&a, &b)| (a, b.clamp(-2.0, 4.0)));
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], color));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    println!(
        "wrote {}: f (blue), f' (red), f'' (green) for {} activations",
        out.display(),
        ACTIVATIONS.len()
    );
    Ok(())
}
