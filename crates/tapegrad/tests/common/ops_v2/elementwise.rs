//! ops v2: the elementwise family (math, comparisons, where, clamp,
//! rounding, activations).

use crate::common::Params;
use tapegrad::Var;

/// `f` of the one input.
fn unary<'t>(
    vars: &[Var<'t, f64>],
    op: &str,
    f: impl Fn(Var<'t, f64>) -> Var<'t, f64>,
) -> Result<Var<'t, f64>, String> {
    match vars {
        [x] => Ok(f(*x)),
        _ => Err(format!("{op} takes 1 input, got {}", vars.len())),
    }
}

pub(super) fn build<'t>(
    op: &str,
    _p: &Params<'_>,
    vars: &[Var<'t, f64>],
) -> Option<Result<Var<'t, f64>, String>> {
    Some(match op {
        "softsign" => unary(vars, op, Var::softsign),
        _ => return None,
    })
}
