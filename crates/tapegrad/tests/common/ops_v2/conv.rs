//! ops v2: convolution and pooling (conv1d conv2d max_pool2d avg_pool2d).

use crate::common::params::Params;
use serde_json::Value;
use tapegrad::{Conv1dOptions, Conv2dOptions, Var};

/// A size parameter for `N` spatial axes: one integer for all, or a list
/// of one per axis (as PyTorch's `_pair` reads it).
fn sizes<const N: usize>(p: &Params<'_>, k: &str, default: usize) -> Result<[usize; N], String> {
    let one = |v: &Value| {
        v.as_u64()
            .map(|v| v as usize)
            .ok_or(format!("param \"{k}\": {v} is not a size"))
    };
    match p.get(k) {
        None => Ok([default; N]),
        Some(Value::Array(a)) if a.len() == N => {
            let mut out = [0; N];
            for (o, v) in out.iter_mut().zip(a) {
                *o = one(v)?;
            }
            Ok(out)
        }
        Some(Value::Array(a)) if a.len() == 1 => Ok([one(&a[0])?; N]),
        Some(v @ Value::Number(_)) => Ok([one(v)?; N]),
        Some(v) => Err(format!("param \"{k}\": {v} is not {N} sizes")),
    }
}

fn groups(p: &Params<'_>) -> Result<usize, String> {
    let g = p.isize_or("groups", 1)?;
    usize::try_from(g).map_err(|_| format!("groups {g} < 0"))
}

/// A convolution's input, weight and optional bias.
type ConvInputs<'t> = (Var<'t, f64>, Var<'t, f64>, Option<Var<'t, f64>>);

/// `x, weight[, bias]`: no third input means no bias.
fn conv_inputs<'t>(vars: &[Var<'t, f64>], op: &str) -> Result<ConvInputs<'t>, String> {
    match vars {
        [x, w] => Ok((*x, *w, None)),
        [x, w, b] => Ok((*x, *w, Some(*b))),
        _ => Err(format!("{op} takes 2 or 3 inputs, got {}", vars.len())),
    }
}

fn only<'t>(vars: &[Var<'t, f64>], op: &str) -> Result<Var<'t, f64>, String> {
    match vars {
        [x] => Ok(*x),
        _ => Err(format!("{op} takes 1 input, got {}", vars.len())),
    }
}

pub(super) fn build<'t>(
    op: &str,
    p: &Params<'_>,
    vars: &[Var<'t, f64>],
) -> Option<Result<Var<'t, f64>, String>> {
    let run = || -> Result<Var<'t, f64>, String> {
        Ok(match op {
            "conv1d" => {
                let (x, w, b) = conv_inputs(vars, op)?;
                let [stride] = sizes::<1>(p, "stride", 1)?;
                let [padding] = sizes::<1>(p, "padding", 0)?;
                let [dilation] = sizes::<1>(p, "dilation", 1)?;
                let opts = Conv1dOptions {
                    stride,
                    padding,
                    dilation,
                    groups: groups(p)?,
                };
                x.conv1d(w, b, opts)
            }
            "conv2d" => {
                let (x, w, b) = conv_inputs(vars, op)?;
                let opts = Conv2dOptions {
                    stride: sizes(p, "stride", 1)?,
                    padding: sizes(p, "padding", 0)?,
                    dilation: sizes(p, "dilation", 1)?,
                    groups: groups(p)?,
                };
                x.conv2d(w, b, opts)
            }
            "max_pool2d" | "avg_pool2d" => {
                let x = only(vars, op)?;
                let kernel: [usize; 2] = sizes(p, "kernel_size", 0)?;
                // PyTorch's default stride is the kernel.
                let stride = match p.get("stride") {
                    Some(Value::Array(a)) if a.is_empty() => kernel,
                    None => kernel,
                    Some(_) => sizes(p, "stride", 1)?,
                };
                let padding = sizes(p, "padding", 0)?;
                if op == "max_pool2d" {
                    x.max_pool2d(kernel, stride, padding)
                } else {
                    let include = p.bool_or("count_include_pad", true)?;
                    x.avg_pool2d(kernel, stride, padding, include)
                }
            }
            _ => unreachable!("only the names matched below reach here"),
        })
    };
    match op {
        "conv1d" | "conv2d" | "max_pool2d" | "avg_pool2d" => Some(run()),
        _ => None,
    }
}
