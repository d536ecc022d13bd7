//! The autodiff layer: the reverse walk over a tape (fused kernels), the
//! recorded walk (gradients as `Var`s, to any order), the gradient store,
//! and finite-difference checks.

pub(crate) mod backward;
mod checkpoint;
mod gradcheck;
mod gradients;
mod hooks;
mod jacobian;
mod recorded;

pub use gradcheck::{gradcheck, gradgradcheck, hessian, hvp, GradcheckError, GradcheckOptions};
pub use gradients::Gradients;
pub use jacobian::{jacobian, jacobian_fwd, jacobian_rev, jvp, vjp, JacobianMode};
