//! Shared by the conformance harnesses (first and second order): loading the
//! PyTorch reference cases, mapping each op name to tapegrad calls, and the
//! elementwise tolerance rule `|a − e| <= atol + rtol·|e|`.
//!
//! Everything returns `Result<_, String>` instead of panicking, so that one
//! malformed or unknown case is reported as a failure of that case and the
//! harness goes on with the others.

// Each test target compiles this module separately and uses a different part
// of it.
#![allow(dead_code)]

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use tapegrad::{Shape, Tensor, Var};

mod ops_v2;

/// Per-case tolerances.
#[derive(Clone, Copy, Debug)]
pub struct Tol {
    pub rtol: f64,
    pub atol: f64,
}

/// One named input of a case.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    pub value: Tensor<f64>,
}

/// One reference case, parsed.
#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub op: String,
    pub params: Value,
    pub inputs: Vec<Input>,
    pub output: Tensor<f64>,
    pub seed_grad: Tensor<f64>,
    /// Expected gradients, by input name. Inputs not listed are constants.
    pub grads: Vec<(String, Tensor<f64>)>,
    pub tol: Tol,
    /// The whole case, for fields a harness adds (`directions`, `hvp`).
    pub raw: Value,
}

impl Case {
    /// Whether the input called `name` is differentiated (has an expected
    /// gradient); the others are recorded as constants.
    #[must_use]
    pub fn wants_grad(&self, name: &str) -> bool {
        self.grads.iter().any(|(n, _)| n == name)
    }
}

/// The worst element of a failed comparison.
#[derive(Clone, Debug)]
pub struct Mismatch {
    pub index: usize,
    pub actual: f64,
    pub expected: f64,
    /// By how much the difference exceeds `atol + rtol·|expected|`
    /// (infinite for NaN or a shape mismatch).
    pub excess: f64,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "element {}: got {:e}, expected {:e} (|diff| {:e})",
            self.index,
            self.actual,
            self.expected,
            (self.actual - self.expected).abs()
        )
    }
}

/// Compares `actual` with `expected` elementwise; `Err` carries the element
/// that exceeds its tolerance the most. Shapes must match exactly.
///
/// # Errors
/// A shape mismatch (as a message) or the worst element out of tolerance.
pub fn compare(
    what: &str,
    actual: &Tensor<f64>,
    expected: &Tensor<f64>,
    tol: Tol,
) -> Result<(), String> {
    if actual.shape() != expected.shape() {
        return Err(format!(
            "{what}: shape {} but expected {}",
            actual.shape(),
            expected.shape()
        ));
    }
    worst_mismatch(actual.data(), expected.data(), tol)
        .map_or(Ok(()), |m| Err(format!("{what}: {m}")))
}

/// The element of `actual` farthest out of tolerance, if any is.
#[must_use]
pub fn worst_mismatch(actual: &[f64], expected: &[f64], tol: Tol) -> Option<Mismatch> {
    let mut worst: Option<Mismatch> = None;
    for (index, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let diff = (a - e).abs();
        let bound = tol.atol + tol.rtol * e.abs();
        if diff.is_nan() || diff > bound {
            let excess = if diff.is_nan() {
                f64::INFINITY
            } else {
                diff - bound
            };
            if worst.as_ref().is_none_or(|w| excess > w.excess) {
                worst = Some(Mismatch {
                    index,
                    actual: a,
                    expected: e,
                    excess,
                });
            }
        }
    }
    worst
}

/// The `*.json` files of `dir`, sorted; empty when the directory is missing.
#[must_use]
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// The case files of one order (`"first-order"` / `"second-order"`): those
/// shipped in `tests/conformance/<order>/`, then those in
/// `$TAPEGRAD_CONFORMANCE_DIR/<order>/` when that variable is set.
///
/// # Panics
/// When the shipped directory holds no case file, or the variable names a
/// directory without any: a harness that checks nothing must not pass.
#[must_use]
#[track_caller]
pub fn case_files(order: &str) -> Vec<PathBuf> {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance")
        .join(order);
    let mut files = json_files(&shipped);
    assert!(
        !files.is_empty(),
        "no *.json case file in {}",
        shipped.display()
    );
    if let Some(extra) = std::env::var_os("TAPEGRAD_CONFORMANCE_DIR") {
        let dir = Path::new(&extra).join(order);
        let more = json_files(&dir);
        assert!(
            !more.is_empty(),
            "TAPEGRAD_CONFORMANCE_DIR is set but {} holds no *.json file",
            dir.display()
        );
        files.extend(more);
    }
    files
}

/// One case as parsed, or its id (or position) and what is wrong with it.
pub type Parsed = Result<Case, (String, String)>;

/// Reads and parses every case of a file.
///
/// # Errors
/// When the file cannot be read or is not a case file; a single malformed
/// case is returned as `Err` in its slot, with its id when it has one.
pub fn load_cases(path: &Path) -> Result<Vec<Parsed>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let top: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let cases = top
        .get("cases")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{}: no \"cases\" array", path.display()))?;
    Ok(cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let id = c
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("case #{i}"), str::to_string);
            parse_case(c).map_err(|e| (id, e))
        })
        .collect())
}

fn parse_case(c: &Value) -> Result<Case, String> {
    let str_field = |k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(format!("missing \"{k}\""))
    };
    let id = str_field("id")?;
    let op = str_field("op")?;
    let inputs = c
        .get("inputs")
        .and_then(Value::as_array)
        .ok_or("missing \"inputs\"")?
        .iter()
        .map(|i| {
            let name = i
                .get("name")
                .and_then(Value::as_str)
                .ok_or("input without a name")?
                .to_string();
            Ok(Input {
                name,
                value: tensor(i)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let output = tensor(c.get("output").ok_or("missing \"output\"")?)?;
    let seed_grad = match c.get("seed_grad") {
        Some(s) => tensor(s)?,
        None => Tensor::ones(output.shape().clone()),
    };
    let grads = named_tensors(c.get("grads").ok_or("missing \"grads\"")?)?;
    let tol = c.get("tol").ok_or("missing \"tol\"")?;
    let num = |k: &str| {
        tol.get(k)
            .and_then(Value::as_f64)
            .ok_or(format!("tol without \"{k}\""))
    };
    let tol = Tol {
        rtol: num("rtol")?,
        atol: num("atol")?,
    };
    for (name, _) in &grads {
        if !inputs.iter().any(|i| &i.name == name) {
            return Err(format!("gradient of \"{name}\", which is not an input"));
        }
    }
    Ok(Case {
        id,
        op,
        params: c.get("params").cloned().unwrap_or(Value::Null),
        inputs,
        output,
        seed_grad,
        grads,
        tol,
        raw: c.clone(),
    })
}

/// `{name: {shape, data}}` in file order.
///
/// # Errors
/// When it is not an object of tensors.
pub fn named_tensors(v: &Value) -> Result<Vec<(String, Tensor<f64>)>, String> {
    v.as_object()
        .ok_or("expected an object of tensors")?
        .iter()
        .map(|(k, t)| Ok((k.clone(), tensor(t).map_err(|e| format!("{k}: {e}"))?)))
        .collect()
}

/// A `{shape, data}` object as a tensor.
///
/// # Errors
/// When a field is missing, not numeric, or the sizes disagree.
pub fn tensor(v: &Value) -> Result<Tensor<f64>, String> {
    let shape = usizes(v.get("shape").ok_or("tensor without \"shape\"")?)?;
    let data = v
        .get("data")
        .and_then(Value::as_array)
        .ok_or("tensor without \"data\"")?
        .iter()
        .map(|x| x.as_f64().ok_or_else(|| format!("non-numeric datum {x}")))
        .collect::<Result<Vec<f64>, String>>()?;
    let n: usize = shape.iter().product();
    if n != data.len() {
        return Err(format!(
            "shape {shape:?} needs {n} values, data has {}",
            data.len()
        ));
    }
    Ok(Tensor::from_vec(data, shape))
}

fn usizes(v: &Value) -> Result<Vec<usize>, String> {
    v.as_array()
        .ok_or_else(|| format!("expected a list of sizes, got {v}"))?
        .iter()
        .map(|d| {
            d.as_u64()
                .map(|d| d as usize)
                .ok_or_else(|| format!("bad size {d}"))
        })
        .collect()
}

/// Parameter accessors with messages that name the parameter.
struct Params<'a>(&'a Value);

impl Params<'_> {
    fn get(&self, k: &str) -> Option<&Value> {
        self.0.get(k).filter(|v| !v.is_null())
    }

    fn f64(&self, k: &str) -> Result<f64, String> {
        self.get(k)
            .and_then(Value::as_f64)
            .ok_or(format!("param \"{k}\" missing or not a number"))
    }

    fn f64_or(&self, k: &str, default: f64) -> Result<f64, String> {
        if self.get(k).is_some() {
            self.f64(k)
        } else {
            Ok(default)
        }
    }

    fn isize(&self, k: &str) -> Result<isize, String> {
        self.get(k)
            .and_then(Value::as_i64)
            .map(|v| v as isize)
            .ok_or(format!("param \"{k}\" missing or not an integer"))
    }

    fn isize_or(&self, k: &str, default: isize) -> Result<isize, String> {
        if self.get(k).is_some() {
            self.isize(k)
        } else {
            Ok(default)
        }
    }

    fn bool_or(&self, k: &str, default: bool) -> Result<bool, String> {
        match self.get(k) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or(format!("param \"{k}\" is not a boolean")),
        }
    }

    /// `axis`: null (all axes), one integer, or a list of integers.
    fn axes(&self) -> Result<Option<Vec<isize>>, String> {
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

    fn reduction(&self) -> Result<Reduction, String> {
        match self.get("reduction").map(|r| r.as_str()) {
            None | Some(Some("mean")) => Ok(Reduction::Mean),
            Some(Some("sum")) => Ok(Reduction::Sum),
            Some(r) => Err(format!("unsupported reduction {r:?}")),
        }
    }
}

#[derive(Clone, Copy)]
enum Reduction {
    Mean,
    Sum,
}

/// Resolves a Python-style axis against `rank`.
fn resolve_axis(axis: isize, rank: usize) -> Result<usize, String> {
    let r = rank as isize;
    let a = if axis < 0 { axis + r } else { axis };
    if (0..r).contains(&a) {
        Ok(a as usize)
    } else {
        Err(format!("axis {axis} out of range for rank {rank}"))
    }
}

/// `targets` as class indices.
fn class_targets(p: &Params<'_>) -> Result<Vec<usize>, String> {
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
        "swish" => match vars.len() {
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
        _ => ops_v2::build(op, &p, vars),
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

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_else(|| "panic".into())
}

/// Runs `check` on every case of every file of `order` ("first-order" or
/// "second-order"), printing `<file>: N passed, M failed` per file and the
/// id and worst element of each failure, then fails the test if any case
/// failed. A case that panics counts as failed; a malformed case fails.
///
/// The report goes straight to the process's stderr, past the test
/// harness's capture, so it shows in every run, not only with
/// `--nocapture`.
pub fn run_conformance(order: &str, check: impl Fn(&Case) -> Result<(), String>) {
    use std::io::Write;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let mut out = std::io::stderr().lock();
    let (mut total, mut total_failed) = (0, 0);
    for file in case_files(order) {
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
        // A closed stderr must not fail the test: the assert below decides.
        let _ = writeln!(
            out,
            "{}: {} passed, {} failed",
            file.display(),
            cases.len() - failures.len(),
            failures.len()
        );
        for (id, e) in &failures {
            let _ = writeln!(out, "  FAILED {id}: {e}");
        }
        total += cases.len();
        total_failed += failures.len();
    }
    assert!(
        total_failed == 0,
        "{total_failed} of {total} {order} conformance cases failed (listed above)"
    );
}

/// The case's inputs on `tape`: parameters where the case expects a
/// gradient, constants elsewhere.
pub fn leaves<'t>(tape: &'t tapegrad::Tape<f64>, case: &Case) -> Vec<Var<'t, f64>> {
    case.inputs
        .iter()
        .map(|i| {
            if case.wants_grad(&i.name) {
                tape.param(i.value.clone())
            } else {
                tape.constant(i.value.clone())
            }
        })
        .collect()
}
