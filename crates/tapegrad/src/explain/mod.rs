//! Backprop made visible: the recorded graph as Graphviz DOT (and SVG),
//! the chain rule as the list of every path from an output to a leaf, and
//! the gradient that reaches each node of a tensor graph.
//!
//! Nothing here re-derives a derivative: the local derivative on an edge is
//! what the op's own backward rule produces for an upstream gradient of 1,
//! and node gradients come from the engine's reverse walk.

mod dot;
mod graph;
mod node_grads;
mod paths;
#[cfg(feature = "svg")]
mod svg;
mod trace;

pub use dot::DotOptions;
pub use paths::{ChainPath, ChainPaths, ChainRule, PathError};
#[cfg(feature = "svg")]
pub use svg::{dot_to_svg, SvgError};
pub use trace::{GradientTrace, TraceRow};
