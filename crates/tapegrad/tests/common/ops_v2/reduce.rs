//! ops v2: the reduce family (amax amin logsumexp prod var std norm
//! cumsum).

use crate::common::params::Params;
use serde_json::Value;
use tapegrad::{Axes, Var};

/// `axis`: null = all axes, an integer or a list.
fn axes(p: &Params<'_>) -> Result<Axes, String> {
    Ok(p.axes()?.map_or(Axes::All, Axes::from))
}

/// `p`: a number or `"inf"`.
fn order(p: &Params<'_>) -> Result<f64, String> {
    match p.get("p") {
        Some(Value::String(s)) if s == "inf" => Ok(f64::INFINITY),
        _ => p.f64("p"),
    }
}

fn only(vars: &[Var<'_, f64>], op: &str) -> Result<(), String> {
    if vars.len() == 1 {
        Ok(())
    } else {
        Err(format!("{op} takes 1 input, got {}", vars.len()))
    }
}

pub(super) fn build<'t>(
    op: &str,
    p: &Params<'_>,
    vars: &[Var<'t, f64>],
) -> Option<Result<Var<'t, f64>, String>> {
    let run = |f: &dyn Fn(Var<'t, f64>, bool) -> Result<Var<'t, f64>, String>| {
        only(vars, op)?;
        f(vars[0], p.bool_or("keepdim", false)?)
    };
    Some(match op {
        "amax" => run(&|x, k| Ok(x.amax(axes(p)?, k))),
        "amin" => run(&|x, k| Ok(x.amin(axes(p)?, k))),
        "logsumexp" => run(&|x, k| Ok(x.logsumexp(axes(p)?, k))),
        "prod" => run(&|x, k| {
            let axis = match p.get("axis") {
                None => None,
                Some(_) => Some(p.isize("axis")?),
            };
            Ok(x.prod(axis, k))
        }),
        "var" | "std" => run(&|x, k| {
            let c = p.isize("correction")?;
            let c = usize::try_from(c).map_err(|_| format!("correction {c} < 0"))?;
            Ok(if op == "var" {
                x.var(axes(p)?, c, k)
            } else {
                x.std(axes(p)?, c, k)
            })
        }),
        "norm" => run(&|x, k| Ok(x.norm(order(p)?, axes(p)?, k))),
        "cumsum" => run(&|x, _| Ok(x.cumsum(p.isize("axis")?))),
        _ => return None,
    })
}
