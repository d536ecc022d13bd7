//! First-order conformance with PyTorch: every case of every `*.json` in
//! `tests/conformance/first-order/` (and in
//! `$TAPEGRAD_CONFORMANCE_DIR/first-order/` when set) must reproduce the
//! reference output and every reference gradient within the case's
//! tolerances. An op the harness does not know fails its case.

mod common;

use common::{build, case_files, compare, load_cases, Case};
use std::panic::{catch_unwind, AssertUnwindSafe};
use tapegrad::Tape;

/// Records the case, runs backward seeded with `seed_grad`, and compares
/// the output and every gradient. Constants must get no gradient.
fn check(case: &Case) -> Result<(), String> {
    let tape = Tape::<f64>::new();
    let vars: Vec<_> = case
        .inputs
        .iter()
        .map(|i| {
            if case.wants_grad(&i.name) {
                tape.param(i.value.clone())
            } else {
                tape.constant(i.value.clone())
            }
        })
        .collect();
    let y = build(&case.op, &case.params, &vars)?;
    let mut errors = Vec::new();
    if let Err(e) = compare("output", &y.value(), &case.output, case.tol) {
        errors.push(e);
    }
    if y.shape() != *case.seed_grad.shape() {
        return Err(format!(
            "output shape {} but seed_grad shape {}",
            y.shape(),
            case.seed_grad.shape()
        ));
    }
    // A scalar seeded with 1 goes through `backward()`, everything else
    // through `backward_with`, so both entry points are covered.
    let grads = if case.seed_grad.data() == [1.0] {
        y.backward()
    } else {
        y.backward_with(&case.seed_grad)
    };
    for (input, &var) in case.inputs.iter().zip(&vars) {
        let got = grads.get(var);
        match case.grads.iter().find(|(n, _)| n == &input.name) {
            Some((_, expected)) => match got {
                Some(g) => {
                    if let Err(e) = compare(&format!("grad {}", input.name), g, expected, case.tol)
                    {
                        errors.push(e);
                    }
                }
                None => errors.push(format!("grad {}: missing", input.name)),
            },
            None if got.is_some() => {
                errors.push(format!("constant {} received a gradient", input.name))
            }
            None => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_else(|| "panic".into())
}

#[test]
fn first_order_cases_match_pytorch() {
    let mut total_failed = 0;
    let mut total = 0;
    for file in case_files("first-order") {
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
        println!(
            "{}: {} passed, {} failed",
            file.display(),
            cases.len() - failures.len(),
            failures.len()
        );
        for (id, e) in &failures {
            println!("  FAILED {id}: {e}");
        }
        total += cases.len();
        total_failed += failures.len();
    }
    assert!(
        total_failed == 0,
        "{total_failed} of {total} conformance cases failed (listed above)"
    );
}
