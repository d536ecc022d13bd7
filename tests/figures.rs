//! The committed figures under docs/img/ are exactly what
//! `cargo run --release --example figures` writes: regenerated into a
//! temporary directory and compared byte for byte.

#[path = "../examples/support/figures.rs"]
mod figures;
#[path = "../examples/support/textbook_net.rs"]
mod textbook_net;

use std::path::Path;

#[test]
fn committed_figures_are_what_the_figures_command_writes() {
    let dir = std::env::temp_dir().join(format!("tapegrad-figures-{}", std::process::id()));
    figures::write_all(&dir).expect("figures are written");
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img");
    let mut stale = Vec::new();
    for name in figures::FILES {
        let fresh = std::fs::read(dir.join(name)).expect("regenerated file");
        let old = std::fs::read(committed.join(name))
            .unwrap_or_else(|e| panic!("docs/img/{name} is missing ({e})"));
        assert!(fresh.len() > 1000, "{name} is suspiciously small");
        if fresh != old {
            stale.push(name);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        stale.is_empty(),
        "docs/img/ is out of date for {stale:?}: run `cargo run --release --example figures`"
    );
}

#[test]
fn the_graph_figure_names_the_textbook_quantities() {
    let dot = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img/network_4221.dot"),
    )
    .expect("committed graph");
    for name in ["w²₂₂", "z²₂", "a²₂", "ŷ", "x₄", "b³₁"] {
        assert!(dot.contains(&format!("\"{name}\\n")), "{name} missing");
    }
    // 4 inputs, 8 + 4 + 2 weights, 2 + 2 + 1 biases are the graph's leaves.
    assert_eq!(dot.matches("param []").count(), 8 + 4 + 2 + 2 + 2 + 1);
    assert_eq!(dot.matches("const []").count(), 4);
}
