//! The value layer: the element type, shapes with broadcasting, and dense
//! row-major tensors with NumPy-style printing. Nothing here knows a tape.

mod axes;
mod dense;
mod float;
mod indices;
mod numpy_fmt;
pub(crate) mod poly_exp;
mod shape;

pub use axes::Axes;
pub use dense::Tensor;
pub use float::Float;
pub use indices::Indices;
pub(crate) use shape::for_each_broadcast2;
pub use shape::Shape;
