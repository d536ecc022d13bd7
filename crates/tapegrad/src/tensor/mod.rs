//! The value layer: the element type, shapes with broadcasting, and dense
//! row-major tensors with NumPy-style printing. Nothing here knows a tape.

mod dense;
mod float;
mod numpy_fmt;
mod shape;

pub use dense::Tensor;
pub use float::Float;
pub(crate) use shape::for_each_broadcast2;
pub use shape::Shape;
