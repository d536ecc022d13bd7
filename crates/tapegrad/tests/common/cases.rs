//! Finding the case files and parsing the JSON reference cases (schema in
//! `tests/conformance/README.md`).

use super::Tol;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use tapegrad::Tensor;

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
    #[allow(
        dead_code,
        reason = "each harness compiles this module; only the second-order one reads the extra fields"
    )]
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

/// The `*.json` files of `dir`, sorted; empty when the directory is missing.
#[must_use]
fn json_files(dir: &Path) -> Vec<PathBuf> {
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
