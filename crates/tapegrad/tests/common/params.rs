//! Reading an op's `params` object the way PyTorch means it: Python-style
//! axes, reductions, class targets.

use serde_json::Value;

/// Parameter accessors with messages that name the parameter.
pub(super) struct Params<'a>(pub(super) &'a Value);

impl Params<'_> {
    pub(super) fn get(&self, k: &str) -> Option<&Value> {
        self.0.get(k).filter(|v| !v.is_null())
    }

    pub(super) fn f64(&self, k: &str) -> Result<f64, String> {
        self.get(k)
            .and_then(Value::as_f64)
            .ok_or(format!("param \"{k}\" missing or not a number"))
    }

    pub(super) fn f64_or(&self, k: &str, default: f64) -> Result<f64, String> {
        if self.get(k).is_some() {
            self.f64(k)
        } else {
            Ok(default)
        }
    }

    pub(super) fn isize(&self, k: &str) -> Result<isize, String> {
        self.get(k)
            .and_then(Value::as_i64)
            .map(|v| v as isize)
            .ok_or(format!("param \"{k}\" missing or not an integer"))
    }

    pub(super) fn isize_or(&self, k: &str, default: isize) -> Result<isize, String> {
        if self.get(k).is_some() {
            self.isize(k)
        } else {
            Ok(default)
        }
    }

    pub(super) fn bool_or(&self, k: &str, default: bool) -> Result<bool, String> {
        match self.get(k) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or(format!("param \"{k}\" is not a boolean")),
        }
    }

    /// `axis`: null (all axes), one integer, or a list of integers.
    pub(super) fn axes(&self) -> Result<Option<Vec<isize>>, String> {
        match self.get("axis").or_else(|| self.get("dim")) {
            None => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| {
                    x.as_i64()
                        .map(|x| x as isize)
                        .ok_or(format!("bad axis {x}"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => v
                .as_i64()
                .map(|x| Some(vec![x as isize]))
                .ok_or(format!("bad axis {v}")),
        }
    }

    pub(super) fn reduction(&self) -> Result<Reduction, String> {
        match self.get("reduction").map(|r| r.as_str()) {
            None | Some(Some("mean")) => Ok(Reduction::Mean),
            Some(Some("sum")) => Ok(Reduction::Sum),
            Some(r) => Err(format!("unsupported reduction {r:?}")),
        }
    }
}

#[derive(Clone, Copy)]
pub(super) enum Reduction {
    Mean,
    Sum,
}

/// Resolves a Python-style axis against `rank`.
pub(super) fn resolve_axis(axis: isize, rank: usize) -> Result<usize, String> {
    let r = rank as isize;
    let a = if axis < 0 { axis + r } else { axis };
    if (0..r).contains(&a) {
        Ok(a as usize)
    } else {
        Err(format!("axis {axis} out of range for rank {rank}"))
    }
}

/// `targets` as class indices.
pub(super) fn class_targets(p: &Params<'_>) -> Result<Vec<usize>, String> {
    p.get("targets")
        .and_then(Value::as_array)
        .ok_or("param \"targets\" missing or not a list")?
        .iter()
        .map(|t| {
            t.as_u64()
                .map(|t| t as usize)
                .ok_or(format!("target {t} is not a class index"))
        })
        .collect()
}
