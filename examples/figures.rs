//! Regenerates every figure under docs/img/: the activations with their
//! first and second derivatives (computed by the engine), swish for
//! β ∈ {0.1, 0.5, 1, 2, 10}, the graph of the tutorial's 4-2-2-1 network
//! (DOT, and SVG drawn without Graphviz), and the training curves of a
//! 20-epoch digits run.
//!
//! ```text
//! cargo run --release --example figures [-- OUT_DIR]     # default docs/img
//! dot -Tsvg docs/img/network_4221.dot -o network.svg    # with Graphviz, if installed
//! ```
//!
//! The `figures` test regenerates them into a temporary directory and
//! compares them byte for byte with the committed files.

#[path = "support/figures.rs"]
mod figures;
#[path = "support/textbook_net.rs"]
mod textbook_net;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "docs/img".into());
    let dir = std::path::Path::new(&dir);
    figures::write_all(dir)?;
    for name in figures::FILES {
        println!("wrote {}", dir.join(name).display());
    }
    Ok(())
}
