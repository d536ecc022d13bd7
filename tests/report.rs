//! The HTML report of a real digits run: one self-contained page with the
//! curves inline, the per-layer diagnostics and the settings.

#[path = "../examples/support/figures.rs"]
mod figures;
#[path = "../examples/support/textbook_net.rs"]
mod textbook_net;

use tapegrad_nn::report::TrainingReport;

#[test]
fn digits_report_is_one_self_contained_page() {
    let history = figures::digits_history(3).expect("training runs");
    let path = std::env::temp_dir().join(format!("tapegrad-report-{}.html", std::process::id()));
    TrainingReport::new("digits", &history)
        .setting("epochs", 3)
        .write(&path)
        .expect("report written");
    let html = std::fs::read_to_string(&path).expect("report read back");
    std::fs::remove_file(&path).ok();
    assert_eq!(html.matches("<svg").count(), 1, "one inline figure");
    for needle in [
        "<h1>digits</h1>",
        "<th>epochs</th><td>3</td>",
        "dead units (never active in the epoch)",
        "0: Linear(64, 128) + relu",
        "4: Linear(64, 10)",
    ] {
        assert!(html.contains(needle), "{needle} missing");
    }
    // Three epoch rows plus the header row of the epochs table.
    let epochs_table = &html[html.find("<h2>Epochs</h2>").expect("epochs table")..];
    assert_eq!(epochs_table.matches("<tr>").count(), 4);
    // Nothing is fetched: no scripts, links or external resources.
    for banned in ["<script", "href=", "src=", "@import", "url("] {
        assert!(!html.contains(banned), "{banned} found");
    }
}
