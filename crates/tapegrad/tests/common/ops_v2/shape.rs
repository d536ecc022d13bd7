//! ops v2: the shape family (cat stack narrow slice index_select gather
//! scatter_add squeeze unsqueeze permute flatten flip pad broadcast_to).

use crate::common::params::Params;
use serde_json::Value;
use tapegrad::{cat, stack, Indices, Var};

/// A list of integers.
fn ints(p: &Params<'_>, k: &str) -> Result<Vec<isize>, String> {
    p.get(k)
        .and_then(Value::as_array)
        .ok_or(format!("param \"{k}\" missing or not a list"))?
        .iter()
        .map(|v| {
            v.as_i64()
                .map(|v| v as isize)
                .ok_or(format!("param \"{k}\": {v} is not an integer"))
        })
        .collect()
}

/// An integer tensor `{shape, data}` as exact integer indices.
fn indices(p: &Params<'_>, k: &str) -> Result<Indices, String> {
    let t = p.get(k).ok_or(format!("param \"{k}\" missing"))?;
    let list = |f: &str| -> Result<Vec<usize>, String> {
        t.get(f)
            .and_then(Value::as_array)
            .ok_or(format!("param \"{k}\" without \"{f}\""))?
            .iter()
            .map(|v| {
                v.as_u64()
                    .map(|v| v as usize)
                    .ok_or(format!("param \"{k}\": {v} is not an index"))
            })
            .collect()
    };
    let (shape, data) = (list("shape")?, list("data")?);
    if shape.iter().product::<usize>() != data.len() {
        return Err(format!(
            "param \"{k}\": shape {shape:?} does not fit its data"
        ));
    }
    Ok(Indices::new(data, shape))
}

/// An optional slice bound: null means "omitted".
fn bound(p: &Params<'_>, k: &str, omitted: isize) -> Result<isize, String> {
    if p.get(k).is_some() {
        p.isize(k)
    } else {
        Ok(omitted)
    }
}

pub(super) fn build<'t>(
    op: &str,
    p: &Params<'_>,
    vars: &[Var<'t, f64>],
) -> Option<Result<Var<'t, f64>, String>> {
    let one = |f: &dyn Fn(Var<'t, f64>) -> Result<Var<'t, f64>, String>| match vars {
        [x] => f(*x),
        _ => Err(format!("{op} takes 1 input, got {}", vars.len())),
    };
    Some(match op {
        "cat" | "stack" if vars.is_empty() => Err(format!("{op} needs inputs")),
        "cat" => p.isize("axis").map(|a| cat(vars, a)),
        "stack" => p.isize("axis").map(|a| stack(vars, a)),
        "narrow" => one(&|x| {
            let len = p.isize("length")?;
            let len = usize::try_from(len).map_err(|_| format!("length {len} < 0"))?;
            Ok(x.narrow(p.isize("axis")?, p.isize("start")?, len))
        }),
        "slice" => one(&|x| {
            let step = p.isize_or("step", 1)?;
            let step = usize::try_from(step).map_err(|_| format!("step {step} < 1"))?;
            let (start, stop) = (bound(p, "start", 0)?, bound(p, "stop", isize::MAX)?);
            Ok(x.slice(p.isize("axis")?, start, stop, step))
        }),
        "index_select" => one(&|x| {
            let idx = indices(p, "index")?;
            Ok(x.index_select(p.isize("axis")?, idx.data()))
        }),
        "gather" => one(&|x| Ok(x.gather(p.isize("axis")?, &indices(p, "index")?))),
        "scatter_add" => match vars {
            [x, src] => (|| Ok(x.scatter_add(p.isize("axis")?, &indices(p, "index")?, *src)))(),
            _ => Err(format!(
                "scatter_add takes x and src, got {} inputs",
                vars.len()
            )),
        },
        "squeeze" => one(&|x| {
            let axes = p.axes()?;
            Ok(x.squeeze(axes.as_deref()))
        }),
        "unsqueeze" => one(&|x| Ok(x.unsqueeze(p.isize("axis")?))),
        "permute" => one(&|x| Ok(x.permute(&ints(p, "dims")?))),
        "flatten" => {
            one(&|x| Ok(x.flatten(p.isize_or("start_dim", 0)?, p.isize_or("end_dim", -1)?)))
        }
        "flip" => one(&|x| Ok(x.flip(&ints(p, "dims")?))),
        "pad" => one(&|x| Ok(x.pad(&ints(p, "pad")?, p.f64_or("value", 0.0)?))),
        "broadcast_to" => one(&|x| {
            let shape: Vec<usize> = ints(p, "shape")?
                .into_iter()
                .map(|d| usize::try_from(d).map_err(|_| format!("size {d} < 0")))
                .collect::<Result<_, _>>()?;
            Ok(x.broadcast_to(shape))
        }),
        _ => return None,
    })
}
