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
//! * [`Var::backward`] runs fused kernels; [`Var::grad_graph`] runs the same
//!   rules as recorded ops, so gradients can be differentiated again
//!   ([`hvp`], [`hessian`]).
//! * [`gradcheck`] and [`gradgradcheck`] compare any function's derivatives
//!   with central finite differences.
//! * Shape errors panic with the op's name, both shapes and the caller's
//!   line; [`Tape::set_anomaly_detection`] finds the first NaN.
//! * A [`Tensor`] is also a plain value: `&a + &b`, [`Tensor::sum_axis`],
//!   [`Tensor::matmul`], … run the tape's own ops on a reused scratch tape,
//!   so they broadcast, round and fail exactly as the `Var` ops do.
//!
//! ## The ops, by family
//!
//! Every op is a method of [`Var`]; each links to its documentation, which
//! gives the derivative and an example.
//!
//! | family | ops |
//! |---|---|
//! | arithmetic, broadcasting | [`add`](Var::add) `+`, [`sub`](Var::sub) `-`, [`mul`](Var::mul) `*`, [`div`](Var::div) `/`, [`neg`](Var::neg) unary `-`; `+= -= *= /=` |
//! | with a plain number | [`add_scalar`](Var::add_scalar), [`mul_scalar`](Var::mul_scalar), [`div_scalar`](Var::div_scalar), [`rsub_scalar`](Var::rsub_scalar), [`rdiv_scalar`](Var::rdiv_scalar) (`x + 2.0`, `2.0 - x`, …) |
//! | powers, exp, log | [`powi`](Var::powi), [`powf`](Var::powf), [`exp`](Var::exp), [`log`](Var::log), [`sqrt`](Var::sqrt), [`abs`](Var::abs), [`sign`](Var::sign), [`step`](Var::step) |
//! | activations | [`relu`](Var::relu), [`leaky_relu`](Var::leaky_relu), [`elu`](Var::elu), [`selu`](Var::selu), [`sigmoid`](Var::sigmoid), [`tanh`](Var::tanh), [`softplus`](Var::softplus), [`mish`](Var::mish), [`swish`](Var::swish) (trainable β) |
//! | softmax | [`softmax`](Var::softmax), [`log_softmax`](Var::log_softmax) (last axis) |
//! | reductions | [`sum`](Var::sum), [`mean`](Var::mean), [`sum_axis`](Var::sum_axis), [`mean_axis`](Var::mean_axis), [`sum_to`](Var::sum_to), [`broadcast_to`](Var::broadcast_to) |
//! | layout | [`reshape`](Var::reshape), [`transpose`](Var::transpose), [`t`](Var::t) |
//! | products | [`matmul`](Var::matmul) (2-D and batched), [`matmul_t`](Var::matmul_t) (transposed operands, no copy) |
//! | losses | [`mse`](Var::mse), [`cross_entropy`](Var::cross_entropy), [`binary_cross_entropy_with_logits`](Var::binary_cross_entropy_with_logits), [`nll_loss`](Var::nll_loss), [`l1_loss`](Var::l1_loss), [`smooth_l1_loss`](Var::smooth_l1_loss), [`huber_loss`](Var::huber_loss) (with a [`Reduction`]) |
//! | normalization | [`layer_norm`](Var::layer_norm), [`batch_norm_train`](Var::batch_norm_train), [`batch_norm_eval`](Var::batch_norm_eval) |
//! | embedding, similarity | [`embedding`](Var::embedding), [`cosine_similarity`](Var::cosine_similarity) |
//! | gradients | [`backward`](Var::backward), [`backward_into`](Var::backward_into), [`backward_with`](Var::backward_with), [`grad_graph`](Var::grad_graph) (differentiable), [`detach`](Var::detach), [`Tape::no_grad`] |
//!
//! The same on values, without a tape: [`Tensor`]'s operators,
//! [`sum`](Tensor::sum), [`mean`](Tensor::mean), [`max`](Tensor::max),
//! [`argmax`](Tensor::argmax) and their `_axis` forms,
//! [`matmul`](Tensor::matmul), [`map`](Tensor::map),
//! [`zip_map`](Tensor::zip_map), comparisons ([`gt`](Tensor::gt), …),
//! [`apply`](Tensor::apply) for any `Var` expression, and
//! [`to_vec2`](Tensor::to_vec2)/[`to_vec3`](Tensor::to_vec3).
//!
//! Closures over `Var`s: wrap them in [`var_fn`] (or pass them straight to a
//! function such as [`hvp`]) to avoid the lifetime error a closure written
//! on its own gets.
//!
//! ## Cargo features
//!
//! None is on by default; the default build needs no system library.
//!
//! | feature | adds |
//! |---|---|
//! | `serde` | `Serialize`/`Deserialize` for [`Tensor`] (`{"shape": [..], "data": [..]}`) and [`Shape`] |
//! | `ndarray` | `Tensor` ⇄ `ndarray::ArrayD` conversions both ways, `Tensor::as_ndarray`, and the re-export `tapegrad::ndarray` |
//!
//! [`rand`] is re-exported, so [`Tensor::randn`] and friends take a
//! generator without a `rand` dependency of your own.
//!
//! ## Guides
//!
//! In the repository's `docs/` folder (Markdown, next to this crate's
//! sources):
//!
//! * `docs/tutorial.md`: from one scalar to a trained network;
//! * `docs/architecture.md`: the tape, the reverse walk, the chain-rule
//!   derivation, the recorded backward;
//! * `docs/op-derivatives.md`: every op's derivative and its convention at
//!   kinks;
//! * `docs/performance.md`: measured figures and the commands behind them.

#![warn(missing_docs)]

mod autodiff;
mod explain;
mod ops;
#[cfg(target_arch = "x86_64")]
mod sgemm;
mod tape;
mod tensor;
mod value_math;

pub use autodiff::{
    gradcheck, gradgradcheck, hessian, hvp, jacobian, jacobian_fwd, jacobian_rev, jvp, vjp,
    GradcheckError, GradcheckOptions, Gradients, JacobianMode,
};
#[cfg(feature = "svg")]
pub use explain::{dot_to_svg, SvgError};
pub use explain::{
    ChainPath, ChainPaths, ChainRule, DotOptions, GradientTrace, PathError, TraceRow,
};
pub use ops::activation::{SELU_ALPHA, SELU_SCALE};
pub use ops::bias_act::Act;
pub use ops::concat::{cat, stack};
pub use ops::conv::{Conv1dOptions, Conv2dOptions};
pub use ops::custom::{BackwardContext, CustomOp, ForwardContext};
pub use ops::matmul::matmul_into;
pub use ops::reduction::Reduction;
pub use ops::select::where_;
pub use tape::{Tape, Var};
pub use tensor::{Axes, Float, Indices, Shape, Tensor};
pub use value_math::{var_fn, var_fn2};

/// The `rand` crate that [`Tensor::randn`] and friends take generators of,
/// so a user needs no version of their own.
pub use rand;

/// The `ndarray` crate that the `Tensor` conversions use (feature `ndarray`).
#[cfg(feature = "ndarray")]
pub use ndarray;

/// The README's example runs as a doctest too.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// And so does the crate's own README (the one crates.io shows).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadmeDoctests;
