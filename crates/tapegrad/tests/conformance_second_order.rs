//! Second-order conformance with PyTorch: every case of every `*.json` in
//! `tests/conformance/second-order/` (and in
//! `$TAPEGRAD_CONFORMANCE_DIR/second-order/` when set) must reproduce the
//! reference output, the gradients of `L = Σ output·seed_grad`, and the
//! Hessian-vector products `hvp_j = ∂/∂x_j Σᵢ ⟨∂L/∂xᵢ, vᵢ⟩` along the case's
//! directions, within the case's tolerances. An op the harness does not
//! know fails its case.
//!
//! The products are computed twice: from the recorded gradients
//! ([`Var::grad_graph_with`], seeded with the constant `seed_grad`) dotted
//! with the directions and differentiated by a plain backward, and through
//! the public [`tapegrad::hvp`].

mod common;

use common::cases::named_tensors;
use common::{build, compare, leaves, run_conformance, Case};
use tapegrad::{Tape, Tensor, Var};

/// The directions and expected products of a case, one per differentiable
/// input, in input order.
struct SecondOrder {
    directions: Vec<Tensor<f64>>,
    hvp: Vec<Tensor<f64>>,
}

fn second_order_fields(case: &Case) -> Result<SecondOrder, String> {
    let field = |k: &str| {
        case.raw
            .get(k)
            .ok_or(format!("missing \"{k}\""))
            .and_then(|v| named_tensors(v).map_err(|e| format!("{k}: {e}")))
    };
    let (dirs, hvps) = (field("directions")?, field("hvp")?);
    for (name, _) in dirs.iter().chain(&hvps) {
        if !case.wants_grad(name) {
            return Err(format!(
                "directions/hvp given for \"{name}\", which has no gradient"
            ));
        }
    }
    let pick = |list: &[(String, Tensor<f64>)], what: &str, name: &str| {
        list.iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .ok_or(format!("no {what} for input \"{name}\""))
    };
    let mut out = SecondOrder {
        directions: Vec::new(),
        hvp: Vec::new(),
    };
    for input in case.inputs.iter().filter(|i| case.wants_grad(&i.name)) {
        out.directions.push(pick(&dirs, "direction", &input.name)?);
        out.hvp.push(pick(&hvps, "hvp", &input.name)?);
    }
    Ok(out)
}

/// `Σᵢ ⟨gᵢ, vᵢ⟩` as a recorded scalar.
fn dot<'t>(
    tape: &'t Tape<f64>,
    gs: &[Var<'t, f64>],
    dirs: &[Tensor<f64>],
) -> Result<Var<'t, f64>, String> {
    let mut h = tape.constant_scalar(0.0);
    for (g, d) in gs.iter().zip(dirs) {
        if &g.shape() != d.shape() {
            return Err(format!(
                "direction of shape {} for a gradient of shape {}",
                d.shape(),
                g.shape()
            ));
        }
        h = h + (*g * tape.constant(d.clone())).sum();
    }
    Ok(h)
}

/// Records the case, checks the output, the recorded gradients and both
/// computations of the Hessian-vector products.
fn check(case: &Case) -> Result<(), String> {
    let so = second_order_fields(case)?;
    let tape = Tape::<f64>::new();
    let vars = leaves(&tape, case);
    let names: Vec<&str> = case
        .inputs
        .iter()
        .filter(|i| case.wants_grad(&i.name))
        .map(|i| i.name.as_str())
        .collect();
    let wrt: Vec<_> = case
        .inputs
        .iter()
        .zip(&vars)
        .filter(|(i, _)| case.wants_grad(&i.name))
        .map(|(_, &v)| v)
        .collect();
    let y = build(&case.op, &case.params, &vars)?;
    let mut errors = Vec::new();
    let mut note = |r: Result<(), String>| {
        if let Err(e) = r {
            errors.push(e);
        }
    };
    note(compare("output", &y.value(), &case.output, case.tol));
    if y.shape() != *case.seed_grad.shape() {
        return Err(format!(
            "output shape {} but seed_grad shape {}",
            y.shape(),
            case.seed_grad.shape()
        ));
    }
    let gs = y.grad_graph_with(tape.constant(case.seed_grad.clone()), &wrt);
    for (name, g) in names.iter().zip(&gs) {
        let expected = &case
            .grads
            .iter()
            .find(|(n, _)| n == name)
            .expect("wrt holds only inputs with grads")
            .1;
        note(compare(
            &format!("grad {name}"),
            &g.value(),
            expected,
            case.tol,
        ));
    }
    let h = dot(&tape, &gs, &so.directions)?;
    let hv = h.backward();
    for ((name, &w), expected) in names.iter().zip(&wrt).zip(&so.hvp) {
        note(compare(&format!("hvp {name}"), &hv[w], expected, case.tol));
    }
    for ((name, got), expected) in names
        .iter()
        .zip(public_hvp(case, &so.directions))
        .zip(&so.hvp)
    {
        note(compare(
            &format!("tapegrad::hvp {name}"),
            &got,
            expected,
            case.tol,
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// The products through [`tapegrad::hvp`], which makes every input a
/// variable: constants get a zero direction, so they add nothing, and their
/// own rows are dropped. Returns the rows of the differentiable inputs.
fn public_hvp(case: &Case, dirs: &[Tensor<f64>]) -> Vec<Tensor<f64>> {
    let x: Vec<Tensor<f64>> = case.inputs.iter().map(|i| i.value.clone()).collect();
    let mut given = dirs.iter();
    let v: Vec<Tensor<f64>> = case
        .inputs
        .iter()
        .map(|i| {
            if case.wants_grad(&i.name) {
                given
                    .next()
                    .cloned()
                    .expect("one direction per differentiable input")
            } else {
                Tensor::zeros(i.value.shape().clone())
            }
        })
        .collect();
    let rows = tapegrad::hvp(
        |vars| {
            let y = build(&case.op, &case.params, vars).expect("the case was built once already");
            (y * vars[0].tape().constant(case.seed_grad.clone())).sum()
        },
        &x,
        &v,
    );
    rows.into_iter()
        .zip(&case.inputs)
        .filter(|(_, i)| case.wants_grad(&i.name))
        .map(|(r, _)| r)
        .collect()
}

#[test]
fn second_order_cases_match_pytorch() {
    run_conformance("second-order", check);
}
