//! W2 `mlp-large` samples/s against batch size (16…1024) for tapegrad,
//! PyTorch and JAX, from the results of one interleaved run
//! (`SWEEP=1 benches/peers/interleaved.sh PEERS_DIR OUT`), as an SVG:
//!
//! ```text
//! cargo run --release --example plot_batch_sweep -- target/peers/results.jsonl docs/figures/w2_batch_sweep.svg
//! ```

use plotters::prelude::*;
use std::collections::BTreeMap;

/// Plots the batch sweep of an interleaved run's results.
#[derive(clap::Parser, Debug)]
struct Args {
    /// results.jsonl of the run (median lines, workloads `mlp-large-b<N>`).
    results: std::path::PathBuf,
    /// The SVG to write.
    svg: std::path::PathBuf,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = <Args as clap::Parser>::parse();
    // system → [(batch, samples/s)], batches in order.
    let mut series: BTreeMap<String, BTreeMap<u32, f64>> = BTreeMap::new();
    for line in std::fs::read_to_string(&args.results)?.lines() {
        let r: serde_json::Value = serde_json::from_str(line)?;
        let workload = r["workload"].as_str().unwrap_or_default();
        if let Some(b) = workload.strip_prefix("mlp-large-b") {
            let system = r["system"].as_str().unwrap_or_default().to_string();
            let value = r["value"].as_f64().ok_or("a value")?;
            series.entry(system).or_default().insert(b.parse()?, value);
        }
    }
    if series.is_empty() {
        return Err("no mlp-large-b<N> lines: run interleaved.sh with SWEEP=1".into());
    }
    let ymax = series
        .values()
        .flat_map(|s| s.values())
        .fold(0.0f64, |a, &b| a.max(b));
    let svg = args.svg.clone();
    let root = SVGBackend::new(&svg, (720, 450)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "W2 mlp-large 784-512-512-10, f32, 2 threads",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(4f64..10f64, 0f64..ymax * 1.1)?;
    chart
        .configure_mesh()
        .x_desc("batch size")
        .y_desc("samples/s")
        .x_label_formatter(&|x| format!("{}", 2f64.powf(*x).round()))
        .draw()?;
    let colors = [RED, BLUE, GREEN, MAGENTA, BLACK];
    for (i, (system, points)) in series.iter().enumerate() {
        let color = colors[i % colors.len()];
        let pts: Vec<(f64, f64)> = points
            .iter()
            .map(|(&b, &v)| (f64::from(b).log2(), v))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
            .label(system.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    println!("wrote {}", args.svg.display());
    Ok(())
}
