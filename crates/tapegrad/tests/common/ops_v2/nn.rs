//! ops v2: the normalization, embedding and loss family (layer_norm
//! batch_norm embedding nll_loss l1_loss smooth_l1_loss huber_loss
//! cosine_similarity).

use crate::common::params::Params;
use serde_json::Value;
use tapegrad::{Indices, Reduction, Tensor, Var};

/// A list of sizes.
fn sizes(p: &Params<'_>, k: &str) -> Result<Vec<usize>, String> {
    p.get(k)
        .and_then(Value::as_array)
        .ok_or(format!("param \"{k}\" missing or not a list"))?
        .iter()
        .map(|v| {
            v.as_u64()
                .map(|v| v as usize)
                .ok_or(format!("param \"{k}\": {v} is not a size"))
        })
        .collect()
}

/// The field `f` of the `{shape, data}` object `k`, each entry read by `read`.
fn field<X>(
    p: &Params<'_>,
    k: &str,
    f: &str,
    read: impl Fn(&Value) -> Option<X>,
) -> Result<Vec<X>, String> {
    p.get(k)
        .ok_or(format!("param \"{k}\" missing"))?
        .get(f)
        .and_then(Value::as_array)
        .ok_or(format!("param \"{k}\" without \"{f}\""))?
        .iter()
        .map(|v| read(v).ok_or(format!("param \"{k}\": bad {f} entry {v}")))
        .collect()
}

/// `{shape, data}` of integers as exact indices.
fn indices(p: &Params<'_>, k: &str) -> Result<Indices, String> {
    let shape = field(p, k, "shape", |v| v.as_u64().map(|v| v as usize))?;
    let data = field(p, k, "data", |v| v.as_u64().map(|v| v as usize))?;
    if shape.iter().product::<usize>() != data.len() {
        return Err(format!(
            "param \"{k}\": shape {shape:?} does not fit its data"
        ));
    }
    Ok(Indices::new(data, shape))
}

/// `{shape, data}` of floats.
fn tensor(p: &Params<'_>, k: &str) -> Result<Tensor<f64>, String> {
    let shape = field(p, k, "shape", |v| v.as_u64().map(|v| v as usize))?;
    let data = field(p, k, "data", Value::as_f64)?;
    if shape.iter().product::<usize>() != data.len() {
        return Err(format!(
            "param \"{k}\": shape {shape:?} does not fit its data"
        ));
    }
    Ok(Tensor::from_vec(data, shape))
}

/// `reduction`: "mean" (the default), "sum" or "none".
fn reduction(p: &Params<'_>) -> Result<Reduction, String> {
    match p.get("reduction").map(Value::as_str) {
        None | Some(Some("mean")) => Ok(Reduction::Mean),
        Some(Some("sum")) => Ok(Reduction::Sum),
        Some(Some("none")) => Ok(Reduction::None),
        Some(r) => Err(format!("unsupported reduction {r:?}")),
    }
}

/// An optional affine parameter.
type Param<'t> = Option<Var<'t, f64>>;

/// The optional weight and bias after `x`.
fn affine<'t>(op: &str, vars: &[Var<'t, f64>]) -> Result<(Param<'t>, Param<'t>), String> {
    match vars {
        [_] => Ok((None, None)),
        [_, w] => Ok((Some(*w), None)),
        [_, w, b] => Ok((Some(*w), Some(*b))),
        _ => Err(format!(
            "{op} takes x, weight, bias, got {} inputs",
            vars.len()
        )),
    }
}

pub(super) fn build<'t>(
    op: &str,
    p: &Params<'_>,
    vars: &[Var<'t, f64>],
) -> Option<Result<Var<'t, f64>, String>> {
    let pair = |f: &dyn Fn(Var<'t, f64>, Var<'t, f64>) -> Result<Var<'t, f64>, String>| match vars {
        [a, b] => f(*a, *b),
        _ => Err(format!("{op} takes 2 inputs, got {}", vars.len())),
    };
    let one = |f: &dyn Fn(Var<'t, f64>) -> Result<Var<'t, f64>, String>| match vars {
        [x] => f(*x),
        _ => Err(format!("{op} takes 1 input, got {}", vars.len())),
    };
    Some(match op {
        "layer_norm" => (|| {
            let (w, b) = affine(op, vars)?;
            let ns = sizes(p, "normalized_shape")?;
            Ok(vars[0].layer_norm(&ns, w, b, p.f64_or("eps", 1e-5)?))
        })(),
        "batch_norm" => (|| {
            let (w, b) = affine(op, vars)?;
            let eps = p.f64_or("eps", 1e-5)?;
            Ok(if p.bool_or("training", false)? {
                vars[0].batch_norm_train(w, b, eps)
            } else {
                let (m, v) = (tensor(p, "running_mean")?, tensor(p, "running_var")?);
                vars[0].batch_norm_eval(&m, &v, w, b, eps)
            })
        })(),
        "embedding" => one(&|w| Ok(w.embedding(&indices(p, "indices")?))),
        "nll_loss" => one(&|x| Ok(x.nll_loss(&indices(p, "targets")?, reduction(p)?))),
        "l1_loss" => pair(&|x, t| Ok(x.l1_loss(t, reduction(p)?))),
        "smooth_l1_loss" => {
            pair(&|x, t| Ok(x.smooth_l1_loss(t, reduction(p)?, p.f64_or("beta", 1.0)?)))
        }
        "huber_loss" => pair(&|x, t| Ok(x.huber_loss(t, reduction(p)?, p.f64_or("delta", 1.0)?))),
        "cosine_similarity" => {
            pair(&|a, b| Ok(a.cosine_similarity(b, p.isize_or("axis", 1)?, p.f64_or("eps", 1e-8)?)))
        }
        _ => return None,
    })
}
