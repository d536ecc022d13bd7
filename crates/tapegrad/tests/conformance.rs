//! First-order conformance with PyTorch: every case of every `*.json` in
//! `tests/conformance/first-order/` (and in
//! `$TAPEGRAD_CONFORMANCE_DIR/first-order/` when set) must reproduce the
//! reference output and every reference gradient within the case's
//! tolerances. An op the harness does not know fails its case.

mod common;

use common::{build, compare, leaves, run_conformance, Case};
use tapegrad::Tape;

/// Records the case, runs backward seeded with `seed_grad`, and compares
/// the output and every gradient. Constants must get no gradient.
fn check(case: &Case) -> Result<(), String> {
    let tape = Tape::<f64>::new();
    let vars = leaves(&tape, case);
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

#[test]
fn first_order_cases_match_pytorch() {
    run_conformance("first-order", check);
}
