//! Plots every activation with its first and second derivative, computed by
//! the engine itself (a recorded backward, differentiated again), into one
//! SVG file: `cargo run --release --example plot_activations [out.svg]`.
//!
//! Each panel has axis titles and its own y range (nothing clipped); the
//! legend sits above the curves; f is solid, f′ dashed and f″ dotted, so
//! that f′ and f″ stay visible where they coincide (ELU and SELU left of 0).
//! Dead ReLUs and saturated sigmoids are easy to see: the derivative is
//! flat zero left of 0 for relu and vanishes at both ends of sigmoid and
//! tanh. The same figure is committed as docs/img/activations.svg.

#[path = "support/figures.rs"]
mod figures;
#[path = "support/textbook_net.rs"]
mod textbook_net;

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
    std::fs::write(
        &out,
        tapegrad_nn::plots::activation_figure(&figures::ACTIVATIONS)?,
    )?;
    println!(
        "wrote {}: f (solid), f′ (dashed), f″ (dotted) for {} activations",
        out.display(),
        figures::ACTIVATIONS.len()
    );
    Ok(())
}
