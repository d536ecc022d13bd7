//! The harness names of the "ops v2" vectors (`ops-v2.json`,
//! `ops-v2-second.json`; their README section "ops v2" defines each name
//! and its parameters), one file per op family. Each family answers
//! `None` for a name it does not know.

mod conv;
mod elementwise;
mod nn;
mod reduce;
mod shape;

use super::params::Params;
use tapegrad::Var;

/// Builds an ops-v2 case, or says the op is unknown.
pub fn build<'t>(op: &str, p: &Params<'_>, vars: &[Var<'t, f64>]) -> Result<Var<'t, f64>, String> {
    elementwise::build(op, p, vars)
        .or_else(|| conv::build(op, p, vars))
        .or_else(|| reduce::build(op, p, vars))
        .or_else(|| shape::build(op, p, vars))
        .or_else(|| nn::build(op, p, vars))
        .unwrap_or_else(|| Err(format!("unknown op \"{op}\"")))
}
