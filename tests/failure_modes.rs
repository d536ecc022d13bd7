//! The failure modes of the `failure_modes` example happen, the
//! diagnostics report them, and the fixes remove them.

#[path = "../examples/support/failure_modes.rs"]
mod failure_modes;

#[test]
fn a_bad_bias_kills_relus_and_leaky_relu_or_he_init_fixes_it() {
    let outcomes = failure_modes::dead_relu();
    assert_quoted_in_tutorial(&failure_modes::table("dead", &outcomes));
    let [bad, leaky, he] = outcomes;
    let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    assert!(max(&bad.last) > 0.8, "dead after training: {:?}", bad.last);
    assert!(bad.accuracy < 0.2, "bad bias accuracy {}", bad.accuracy);
    assert!(max(&leaky.last) < 0.3, "leaky dead: {:?}", leaky.last);
    assert!(
        max(&leaky.last) < max(&leaky.first),
        "leaky relu revives units"
    );
    assert!(leaky.accuracy > 0.85, "leaky accuracy {}", leaky.accuracy);
    assert_eq!(max(&he.first) + max(&he.last), 0.0);
    assert!(he.accuracy > 0.95, "He accuracy {}", he.accuracy);
}

#[test]
fn large_weights_saturate_sigmoids_and_xavier_init_fixes_it() {
    let outcomes = failure_modes::sigmoid_paralysis();
    assert_quoted_in_tutorial(&failure_modes::table("saturated", &outcomes));
    let [big, xavier] = outcomes;
    assert_eq!(big.first.len(), 2);
    assert!(
        big.first.iter().all(|&s| s > 0.9),
        "saturated: {:?}",
        big.first
    );
    assert!(
        big.last.iter().all(|&s| s > 0.9),
        "saturated: {:?}",
        big.last
    );
    assert!(xavier.first.iter().chain(&xavier.last).all(|&s| s == 0.0));
    assert!(
        xavier.accuracy > big.accuracy + 0.1,
        "{} vs {}",
        xavier.accuracy,
        big.accuracy
    );
}

/// docs/tutorial.md quotes the example's output; it must be what the code
/// prints today.
fn assert_quoted_in_tutorial(table: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/tutorial.md");
    let tutorial = std::fs::read_to_string(path).expect("tutorial");
    assert!(
        tutorial.contains(table),
        "docs/tutorial.md section 7 no longer matches `cargo run --release --example failure_modes`:\n{table}"
    );
}
