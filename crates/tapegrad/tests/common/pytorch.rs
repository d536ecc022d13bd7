//! The PyTorch adapter: maps each op name of the reference cases to the
//! tapegrad calls that compute the same function.

use super::cases::tensor;
use super::params::{class_targets, resolve_axis, Params, Reduction};
use serde_json::Value;
use tapegrad::{Shape, Var};

fn input<'t>(vars: &[Var<'t, f64>], i: usize, op: &str) -> Result<Var<'t, f64>, String> {
    vars.get(i).copied().ok_or(format!(
        "{op} needs at least {} inputs, got {}",
        i + 1,
        vars.len()
    ))
}

fn arity(vars: &[Var<'_, f64>], n: usize, op: &str) -> Result<(), String> {
    if vars.len() == n {
        Ok(())
    } else {
        Err(format!("{op} takes {n} inputs, got {}", vars.len()))
    }
}

/// Sum or mean over the given axes (all when `None`), NumPy/PyTorch style.
fn reduce<'t>(
    x: Var<'t, f64>,
    axes: Option<Vec<isize>>,
    keepdim: bool,
    mean: bool,
) -> Result<Var<'t, f64>, String> {
    let rank = x.shape().rank();
    let Some(axes) = axes else {
        let r = if mean { x.mean() } else { x.sum() };
        return Ok(if keepdim { r.reshape(vec![1; rank]) } else { r });
    };
    let mut resolved = axes
        .iter()
        .map(|&a| resolve_axis(a, rank))
        .collect::<Result<Vec<_>, _>>()?;
    resolved.sort_unstable();
    resolved.dedup();
    // Highest axis first, so that removing one does not renumber the others.
    let mut y = x;
    for &a in resolved.iter().rev() {
        y = if mean {
            y.mean_axis(a as isize, keepdim)
        } else {
            y.sum_axis(a as isize, keepdim)
        };
    }
    Ok(y)
}

/// A reshape target that may hold one `-1` (inferred size).
fn reshape_target(v: &Value, numel: usize) -> Result<Vec<usize>, String> {
    let dims: Vec<i64> = v
        .as_array()
        .ok_or("param \"shape\" is not a list")?
        .iter()
        .map(|d| d.as_i64().ok_or(format!("bad size {d}")))
        .collect::<Result<_, _>>()?;
    let known: i64 = dims.iter().filter(|&&d| d >= 0).product();
    match dims.iter().filter(|&&d| d < 0).count() {
        0 => Ok(dims.iter().map(|&d| d as usize).collect()),
        1 if known > 0 => Ok(dims
            .iter()
            .map(|&d| {
                if d < 0 {
                    numel / known as usize
                } else {
                    d as usize
                }
            })
            .collect()),
        _ => Err(format!("cannot infer reshape target {dims:?}")),
    }
}

/// Matrix product with PyTorch's `matmul` shape rules: batch axes (all but
/// the last two) broadcast and are folded into one for tapegrad's 3-D
/// product, and a 1-d operand is a one-row / one-column matrix whose unit
/// axis is dropped from the result.
fn matmul<'t>(a: Var<'t, f64>, b: Var<'t, f64>) -> Result<Var<'t, f64>, String> {
    let (sa, sb) = (a.shape(), b.shape());
    let (ra, rb) = (sa.rank(), sb.rank());
    if ra == 0 || rb == 0 {
        return Err(format!("matmul of 0-d operand ({sa} @ {sb})"));
    }
    if ra == 1 || rb == 1 {
        let a2 = if ra == 1 {
            a.reshape([1, sa.dims()[0]])
        } else {
            a
        };
        let b2 = if rb == 1 {
            b.reshape([sb.dims()[0], 1])
        } else {
            b
        };
        let y = matmul(a2, b2)?;
        let mut dims = y.shape().dims().to_vec();
        if rb == 1 {
            dims.pop();
        }
        if ra == 1 {
            let at = dims.len() - if rb == 1 { 1 } else { 2 };
            dims.remove(at);
        }
        return Ok(y.reshape(dims));
    }
    if ra == 2 && rb == 2 {
        return Ok(a.matmul(b));
    }
    let (ba, bb) = (
        Shape::from(&sa.dims()[..ra - 2]),
        Shape::from(&sb.dims()[..rb - 2]),
    );
    let batch = Shape::broadcast(&ba, &bb)
        .ok_or(format!("matmul batch axes do not broadcast: {sa} @ {sb}"))?;
    let (m, ka) = (sa.dims()[ra - 2], sa.dims()[ra - 1]);
    let (kb, n) = (sb.dims()[rb - 2], sb.dims()[rb - 1]);
    let with_batch = |mat: [usize; 2]| {
        let mut d = batch.dims().to_vec();
        d.extend(mat);
        d
    };
    let nb = batch.numel();
    let a3 = a.broadcast_to(with_batch([m, ka])).reshape([nb, m, ka]);
    let b3 = b.broadcast_to(with_batch([kb, n])).reshape([nb, kb, n]);
    Ok(a3.matmul(b3).reshape(with_batch([m, n])))
}

/// Softmax or log-softmax over any axis: the axis is moved last, the op runs
/// on the last axis, and the result is moved back.
fn softmax_axis<'t>(x: Var<'t, f64>, axis: isize, log: bool) -> Result<Var<'t, f64>, String> {
    let rank = x.shape().rank();
    let a = resolve_axis(axis, rank)?;
    let f = |v: Var<'t, f64>| if log { v.log_softmax() } else { v.softmax() };
    if a + 1 == rank {
        Ok(f(x))
    } else {
        let last = rank as isize - 1;
        Ok(f(x.transpose(a as isize, last)).transpose(a as isize, last))
    }
}

fn reduce_loss<'t>(mean_loss: Var<'t, f64>, n: usize, r: Reduction) -> Var<'t, f64> {
    match r {
        Reduction::Mean => mean_loss,
        Reduction::Sum => mean_loss.mul_scalar(n as f64),
    }
}

/// Records `op` applied to `vars` (the case's inputs, in file order) with
/// `params`, and returns the output. Loss targets given in `params` become
/// constants of `vars`' tape.
///
/// # Errors
/// An unknown op name, a missing or malformed parameter, or inputs that do
/// not fit the op. Shape errors inside tapegrad panic instead.
pub fn build<'t>(op: &str, params: &Value, vars: &[Var<'t, f64>]) -> Result<Var<'t, f64>, String> {
    let p = Params(params);
    let x = || input(vars, 0, op);
    let binary =
        |f: fn(Var<'t, f64>, Var<'t, f64>) -> Var<'t, f64>| -> Result<Var<'t, f64>, String> {
            arity(vars, 2, op)?;
            Ok(f(vars[0], vars[1]))
        };
    let unary = |f: fn(Var<'t, f64>) -> Var<'t, f64>| -> Result<Var<'t, f64>, String> {
        arity(vars, 1, op)?;
        Ok(f(vars[0]))
    };
    match op {
        "add" => binary(|a, b| a + b),
        "sub" => binary(|a, b| a - b),
        "mul" => binary(|a, b| a * b),
        "div" => binary(|a, b| a / b),
        "matmul" => {
            arity(vars, 2, op)?;
            matmul(vars[0], vars[1])
        }
        "sum" | "mean" => {
            arity(vars, 1, op)?;
            reduce(
                vars[0],
                p.axes()?,
                p.bool_or("keepdim", false)?,
                op == "mean",
            )
        }
        "transpose" => {
            arity(vars, 1, op)?;
            Ok(vars[0].transpose(p.isize_or("dim0", 0)?, p.isize_or("dim1", 1)?))
        }
        "reshape" => {
            arity(vars, 1, op)?;
            let target = reshape_target(
                p.get("shape").ok_or("param \"shape\" missing")?,
                vars[0].numel(),
            )?;
            Ok(vars[0].reshape(target))
        }
        "exp" => unary(Var::exp),
        "log" => unary(Var::log),
        "sqrt" => unary(Var::sqrt),
        "neg" => unary(Var::neg),
        "abs" => unary(Var::abs),
        "sigmoid" => unary(Var::sigmoid),
        "tanh" => unary(Var::tanh),
        "relu" => unary(Var::relu),
        "softplus" => unary(Var::softplus),
        "mish" => unary(Var::mish),
        "pow" => {
            arity(vars, 1, op)?;
            let e = p.f64("exponent")?;
            if e.fract() == 0.0 && e.abs() <= f64::from(i32::MAX) {
                Ok(vars[0].powi(e as i32))
            } else {
                Ok(vars[0].powf(e))
            }
        }
        "leaky_relu" => {
            arity(vars, 1, op)?;
            Ok(vars[0].leaky_relu(p.f64_or("alpha", 0.01)?))
        }
        "elu" => {
            arity(vars, 1, op)?;
            Ok(vars[0].elu(p.f64_or("alpha", 1.0)?))
        }
        "selu" => {
            arity(vars, 1, op)?;
            let alpha = p.f64_or("alpha", tapegrad::SELU_ALPHA)?;
            let scale = p.f64_or("scale", tapegrad::SELU_SCALE)?;
            if alpha == tapegrad::SELU_ALPHA && scale == tapegrad::SELU_SCALE {
                Ok(vars[0].selu())
            } else {
                // Other constants: selu is scale·elu(x, α) by definition.
                Ok(vars[0].elu(alpha).mul_scalar(scale))
            }
        }
        "swish" | "silu" => match vars.len() {
            2 => Ok(vars[0].swish(vars[1])),
            1 => {
                let beta = x()?.tape().constant_scalar(p.f64_or("beta", 1.0)?);
                Ok(vars[0].swish(beta))
            }
            n => Err(format!("swish takes x and beta, got {n} inputs")),
        },
        "softmax" | "log_softmax" => {
            arity(vars, 1, op)?;
            softmax_axis(vars[0], p.isize_or("axis", -1)?, op == "log_softmax")
        }
        "mse_loss" | "mse" => {
            arity(vars, 2, op)?;
            Ok(reduce_loss(
                vars[0].mse(vars[1]),
                vars[0].numel(),
                p.reduction()?,
            ))
        }
        "cross_entropy" => {
            arity(vars, 1, op)?;
            cross_entropy(vars[0], &p)
        }
        "binary_cross_entropy_with_logits" => {
            let logits = x()?;
            let target = match (vars.len(), p.get("targets")) {
                (2, None) => vars[1],
                (1, Some(t)) => logits
                    .tape()
                    .constant(tensor(t).map_err(|e| format!("targets: {e}"))?),
                (n, t) => {
                    return Err(format!(
                        "bce needs a target: {n} inputs, targets param {}",
                        t.is_some()
                    ))
                }
            };
            Ok(reduce_loss(
                logits.binary_cross_entropy_with_logits(target),
                logits.numel(),
                p.reduction()?,
            ))
        }
        "mlp2_ce" => {
            arity(vars, 5, op)?;
            let (x, w1, b1, w2, b2) = (vars[0], vars[1], vars[2], vars[3], vars[4]);
            let logits = matmul(matmul(x, w1)?.add(b1).relu(), w2)? + b2;
            cross_entropy(logits, &p)
        }
        "tutorial_4221_mse" => {
            arity(vars, 8, op)?;
            let h1 = (matmul(vars[0], vars[1])? + vars[2]).relu();
            let h2 = (matmul(h1, vars[3])? + vars[4]).relu();
            let out = matmul(h2, vars[5])? + vars[6];
            Ok(out.mse(vars[7]))
        }
        "fanout_expr" => {
            arity(vars, 2, op)?;
            let (x, y) = (vars[0], vars[1]);
            Ok(x * y + x.relu() * (-x).exp() + x.sum())
        }
        _ => super::ops_v2::build(op, &p, vars),
    }
}

fn cross_entropy<'t>(logits: Var<'t, f64>, p: &Params<'_>) -> Result<Var<'t, f64>, String> {
    if logits.shape().rank() == 1 {
        // PyTorch's unbatched form: logits [C], one target class.
        let c = logits.numel();
        let t = p
            .get("targets")
            .and_then(Value::as_u64)
            .ok_or("1-d logits need one integer target")?;
        let l = logits.reshape([1, c]).cross_entropy(&[t as usize]);
        return Ok(l);
    }
    let targets = class_targets(p)?;
    let axis = p.isize_or("axis", -1)?;
    let s = logits.shape();
    if s.rank() != 2 || resolve_axis(axis, 2)? != 1 {
        return Err(format!(
            "cross_entropy over axis {axis} of shape {s}: only [N, C] logits with classes last"
        ));
    }
    Ok(reduce_loss(
        logits.cross_entropy(&targets),
        s.dims()[0],
        p.reduction()?,
    ))
}
