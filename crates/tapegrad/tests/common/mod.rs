//! Shared by the conformance harnesses (first and second order): loading the
//! PyTorch reference cases, mapping each op name to tapegrad calls, and the
//! elementwise tolerance rule `|a − e| <= atol + rtol·|e|`.
//!
//! Everything returns `Result<_, String>` instead of panicking, so that one
//! malformed or unknown case is reported as a failure of that case and the
//! harness goes on with the others.
//!
//! One file per job: [`tolerance`] (the comparison), [`cases`] (loading the
//! JSON), [`params`] and [`pytorch`] (the adapter from PyTorch's op names and
//! parameters to tapegrad calls), [`runner`] (the loop over files and the
//! report).

pub mod cases;
mod ops_v2;
mod params;
mod pytorch;
mod runner;
mod tolerance;

pub use cases::Case;
pub use pytorch::build;
pub use runner::{leaves, run_conformance};
pub use tolerance::{compare, Tol};
