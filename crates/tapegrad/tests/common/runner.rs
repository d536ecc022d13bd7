//! Running a harness's check over every case of every file and reporting
//! per file.

use super::cases::{case_files, load_cases};
use super::Case;
use tapegrad::Var;

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_else(|| "panic".into())
}

/// Runs `check` on every case of every file of `order` ("first-order" or
/// "second-order"), printing `<file>: N passed, M failed` per file and the
/// id and worst element of each failure, then fails the test if any case
/// failed. A case that panics counts as failed; a malformed case fails.
///
/// The report goes straight to the process's stderr, past the test
/// harness's capture, so it shows in every run, not only with
/// `--nocapture`.
pub fn run_conformance(order: &str, check: impl Fn(&Case) -> Result<(), String>) {
    use std::io::Write;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let mut out = std::io::stderr().lock();
    let (mut total, mut total_failed) = (0, 0);
    for file in case_files(order) {
        let cases = load_cases(&file).unwrap_or_else(|e| panic!("{e}"));
        assert!(!cases.is_empty(), "{}: no cases", file.display());
        let mut failures = Vec::new();
        for case in &cases {
            let result = match case {
                Ok(case) => catch_unwind(AssertUnwindSafe(|| check(case)))
                    .unwrap_or_else(|p| Err(format!("panicked: {}", panic_message(&*p))))
                    .map_err(|e| (case.id.clone(), e)),
                Err((id, e)) => Err((id.clone(), format!("malformed case: {e}"))),
            };
            if let Err(f) = result {
                failures.push(f);
            }
        }
        // A closed stderr must not fail the test: the assert below decides.
        let _ = writeln!(
            out,
            "{}: {} passed, {} failed",
            file.display(),
            cases.len() - failures.len(),
            failures.len()
        );
        for (id, e) in &failures {
            let _ = writeln!(out, "  FAILED {id}: {e}");
        }
        total += cases.len();
        total_failed += failures.len();
    }
    assert!(
        total_failed == 0,
        "{total_failed} of {total} {order} conformance cases failed (listed above)"
    );
}

/// The case's inputs on `tape`: parameters where the case expects a
/// gradient, constants elsewhere.
pub fn leaves<'t>(tape: &'t tapegrad::Tape<f64>, case: &Case) -> Vec<Var<'t, f64>> {
    case.inputs
        .iter()
        .map(|i| {
            if case.wants_grad(&i.name) {
                tape.param(i.value.clone())
            } else {
                tape.constant(i.value.clone())
            }
        })
        .collect()
}
