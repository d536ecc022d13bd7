//! ops v2: the elementwise family (math, comparisons, where, clamp,
//! rounding, activations).

use crate::common::cases::tensor;
use crate::common::params::Params;
use tapegrad::{where_, Var};

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

/// `f` of the two inputs.
fn binary<'t>(
    vars: &[Var<'t, f64>],
    op: &str,
    f: impl Fn(Var<'t, f64>, Var<'t, f64>) -> Var<'t, f64>,
) -> Result<Var<'t, f64>, String> {
    match vars {
        [a, b] => Ok(f(*a, *b)),
        _ => Err(format!("{op} takes 2 inputs, got {}", vars.len())),
    }
}

/// A number parameter that may be `null` or absent.
fn bound(p: &Params<'_>, k: &str) -> Result<Option<f64>, String> {
    p.get(k).map(|_| p.f64(k)).transpose()
}

/// `torch.where(cond, a, b)` with the 0/1 mask `cond` from the params.
fn where_case<'t>(p: &Params<'_>, vars: &[Var<'t, f64>]) -> Result<Var<'t, f64>, String> {
    let cond =
        tensor(p.get("cond").ok_or("param \"cond\" missing")?).map_err(|e| format!("cond: {e}"))?;
    let [a, b] = vars else {
        return Err(format!("where takes 2 inputs, got {}", vars.len()));
    };
    Ok(where_(a.tape().constant(cond), *a, *b))
}

pub(super) fn build<'t>(
    op: &str,
    p: &Params<'_>,
    vars: &[Var<'t, f64>],
) -> Option<Result<Var<'t, f64>, String>> {
    Some(match op {
        "sin" => unary(vars, op, Var::sin),
        "cos" => unary(vars, op, Var::cos),
        "tan" => unary(vars, op, Var::tan),
        "atan" => unary(vars, op, Var::atan),
        "sinh" => unary(vars, op, Var::sinh),
        "cosh" => unary(vars, op, Var::cosh),
        "log1p" => unary(vars, op, Var::log1p),
        "expm1" => unary(vars, op, Var::expm1),
        "erf" => unary(vars, op, Var::erf),
        "reciprocal" => unary(vars, op, Var::reciprocal),
        "square" => unary(vars, op, Var::square),
        "rsqrt" => unary(vars, op, Var::rsqrt),
        "floor" => unary(vars, op, Var::floor),
        "ceil" => unary(vars, op, Var::ceil),
        "round" => unary(vars, op, Var::round),
        "sign" => unary(vars, op, Var::sign),
        "pow_tensor" => binary(vars, op, Var::pow),
        "atan2" => binary(vars, op, Var::atan2),
        "maximum" => binary(vars, op, Var::maximum),
        "minimum" => binary(vars, op, Var::minimum),
        "gt" => binary(vars, op, Var::gt),
        "ge" => binary(vars, op, Var::ge),
        "lt" => binary(vars, op, Var::lt),
        "le" => binary(vars, op, Var::le),
        "eq" => binary(vars, op, Var::eq),
        "ne" => binary(vars, op, Var::ne),
        "clamp" => match (bound(p, "min"), bound(p, "max")) {
            (Ok(None), Ok(None)) => Err("clamp needs min or max".into()),
            (Ok(lo), Ok(hi)) => unary(vars, op, |x| x.clamp(lo, hi)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
        "where" => where_case(p, vars),
        "gelu" => match p.get("approximate").and_then(|a| a.as_str()) {
            None | Some("none") => unary(vars, op, Var::gelu),
            Some("tanh") => unary(vars, op, Var::gelu_tanh),
            Some(a) => Err(format!("gelu: unknown approximate \"{a}\"")),
        },
        "silu" => unary(vars, op, Var::silu),
        "hardtanh" => match (p.f64("min_val"), p.f64("max_val")) {
            (Ok(lo), Ok(hi)) => unary(vars, op, |x| x.hardtanh(lo, hi)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
        "relu6" => unary(vars, op, Var::relu6),
        "hardsigmoid" => unary(vars, op, Var::hardsigmoid),
        "hardswish" => unary(vars, op, Var::hardswish),
        "softsign" => unary(vars, op, Var::softsign),
        "celu" => match p.f64("alpha") {
            Ok(alpha) => unary(vars, op, |x| x.celu(alpha)),
            Err(e) => Err(e),
        },
        "logsigmoid" => unary(vars, op, Var::logsigmoid),
        "prelu" => binary(vars, op, Var::prelu),
        _ => return None,
    })
}
