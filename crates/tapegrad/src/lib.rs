//! # tapegrad
//!
//! Reverse-mode automatic differentiation on a **tape**: every operation on a
//! [`Var`] appends a node (its op, its value) to an arena owned by a
//! [`Tape`], in creation order — already a topological order. One backward
//! pass walks the arena in reverse, applies each op's local rule (the chain
//! rule), and accumulates each node's gradient once, before passing it on.
//!
//! ```
//! use rand::SeedableRng;
//! use tapegrad::{Tape, Tensor};
//!
//! let mut rng = rand::rngs::StdRng::seed_from_u64(7);
//! let data: Vec<f32> = (0..12).map(|i| i as f32 / 12.0).collect();
//! let tape = Tape::new();                                   // f32; Tape::<f64>::new() for f64
//! let x = tape.constant(Tensor::from_vec(data, [4, 3]));    // no gradient wanted
//! let w = tape.param(Tensor::randn([3, 2], &mut rng));      // a leaf whose gradient we want
//! let b = tape.param(Tensor::zeros([2]));
//! let loss = (x.matmul(w) + b).relu().mean();
//! let grads = loss.backward();
//! let dw: &Tensor<f32> = &grads[w];                         // same shape as w
//! assert_eq!(dw.shape(), &w.shape());
//!
//! // The same with 0-d scalars, micrograd style:
//! let tape = Tape::<f64>::new();
//! let a = tape.scalar(2.0);
//! let y = (a * a + 3.0).elu(1.0);
//! assert_eq!(y.backward()[a].item(), 4.0);
//! ```
//!
//! * Ops live in one module per family (`ops::binary`, `ops::unary`,
//!   `ops::matmul`, …), each with its forward kernel, its backward rule and
//!   the derivative written out in its doc comment.
//! * [`Var::backward`] runs fused kernels; [`Var::grad_graph`] runs the same
//!   rules as recorded ops, so gradients can be differentiated again
//!   ([`hvp`], [`hessian`]).
//! * [`gradcheck`] and [`gradgradcheck`] compare any function's derivatives
//!   with central finite differences.
//! * Shape errors panic with the op's name, both shapes and the caller's
//!   line; [`Tape::set_anomaly_detection`] finds the first NaN.
//!
//! See `docs/architecture.md` for the design and the chain-rule derivation.

#![warn(missing_docs)]

mod autodiff;
mod ops;
mod tape;
mod tensor;

pub use autodiff::{
    gradcheck, gradgradcheck, hessian, hvp, jacobian, jacobian_fwd, jacobian_rev, jvp, vjp,
    GradcheckError, GradcheckOptions, Gradients, JacobianMode,
};
pub use ops::activation::{SELU_ALPHA, SELU_SCALE};
pub use ops::custom::{BackwardContext, CustomOp, ForwardContext};
pub use tape::{Tape, Var};
pub use tensor::{Float, Shape, Tensor};

/// The tutorial's snippets run as doctests, so the guide cannot drift from
/// the code.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/tutorial.md")]
struct TutorialDoctests;

/// The README's example runs as a doctest too.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
