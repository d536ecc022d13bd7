//! `Var`: a `Copy` handle to a node of a tape, and the arithmetic operators.

use crate::tape::NodeId;
use crate::{Float, Shape, Tape, Tensor};
use std::fmt;

/// A handle to a value recorded on a [`Tape`]. Cheap to copy; every op on it
/// records a new node and returns that node's handle. The lifetime ties it to
/// its tape, so a handle cannot outlive a [`Tape::clear`].
///
/// **Threads:** a `Var` is neither `Send` nor `Sync`. It holds a `&Tape`,
/// and a `Tape` is `Send` but not `Sync` (it records through `&self` into a
/// `RefCell`), so handles stay on the thread that uses their tape; a worker
/// thread builds its own tape (tests/thread_safety.rs asserts all of this at
/// compile time).
///
/// ```
/// use tapegrad::{Tape, Tensor};
/// let tape = Tape::<f32>::new();
/// let x = tape.param(Tensor::from_vec(vec![1.0, -2.0], [2]));
/// let y = (x * x + 1.0).sum();
/// assert_eq!(y.item(), 7.0);
/// assert_eq!(y.backward()[x].data(), &[2.0, -4.0]);
/// ```
pub struct Var<'t, T: Float = f32> {
    pub(crate) tape: &'t Tape<T>,
    pub(crate) id: NodeId,
}

impl<T: Float> Clone for Var<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Float> Copy for Var<'_, T> {}

impl<'t, T: Float> Var<'t, T> {
    pub(crate) fn new(tape: &'t Tape<T>, id: NodeId) -> Self {
        Var { tape, id }
    }

    /// The tape this handle belongs to.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(1.0);
    /// let two = x.tape().constant_scalar(2.0); // a constant on the same tape as x
    /// assert_eq!((x * two).item(), 2.0);
    /// ```
    #[must_use]
    pub fn tape(&self) -> &'t Tape<T> {
        self.tape
    }

    /// Position of the node on its tape (its creation index).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (a, b) = (tape.scalar(1.0), tape.scalar(2.0));
    /// assert_eq!((a.index(), b.index(), (a + b).index()), (0, 1, 2));
    /// ```
    #[must_use]
    pub fn index(&self) -> usize {
        self.id as usize
    }

    /// The value's shape.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::zeros([2, 3]));
    /// assert_eq!(x.sum_axis(0, false).shape().dims(), &[3]);
    /// ```
    #[must_use]
    pub fn shape(&self) -> Shape {
        self.tape.shape_of(self.id)
    }

    /// Number of elements.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// assert_eq!(tape.constant(Tensor::zeros([2, 3])).numel(), 6);
    /// ```
    #[must_use]
    pub fn numel(&self) -> usize {
        let inner = self.tape.inner.borrow();
        inner.numels[inner.nodes[self.id as usize].shape as usize]
    }

    /// A copy of the value as a tensor.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(3.0);
    /// assert_eq!((x * 2.0).value().item(), 6.0);
    /// ```
    #[must_use]
    pub fn value(&self) -> Tensor<T> {
        self.with_data(|d, s| Tensor::from_slice(d, s.clone()))
    }

    /// Calls `f` with the value's elements and shape, without copying.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f32>::new();
    /// let x = tape.constant(tapegrad::Tensor::ones([3]));
    /// let total: f32 = x.with_data(|d, _| d.iter().sum());
    /// assert_eq!(total, 3.0);
    /// ```
    pub fn with_data<R>(&self, f: impl FnOnce(&[T], &Shape) -> R) -> R {
        let inner = self.tape.inner.borrow();
        let n = &inner.nodes[self.id as usize];
        let shape = &inner.shapes[n.shape as usize];
        let numel = inner.numels[n.shape as usize];
        f(&inner.values[n.offset..n.offset + numel], shape)
    }

    /// The value of a one-element node.
    ///
    /// # Panics
    /// When the node holds more than one element.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// assert_eq!((tape.scalar(3.0) * 2.0).item(), 6.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn item(&self) -> T {
        // The panic stays in this body (not in the closure) so that
        // `#[track_caller]` names the caller's line.
        match self.with_data(|d, s| {
            if d.len() == 1 {
                Ok(d[0])
            } else {
                Err(s.clone())
            }
        }) {
            Ok(x) => x,
            Err(s) => panic!("tapegrad: item() needs one element, shape is {s}"),
        }
    }

    /// Whether a gradient can flow into this node (a parameter lies upstream
    /// and it was not recorded under [`Tape::no_grad`]).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let (w, c) = (tape.scalar(1.0), tape.constant_scalar(2.0));
    /// assert!((w * c).requires_grad());
    /// assert!(!(c * c).requires_grad());
    /// ```
    #[must_use]
    pub fn requires_grad(&self) -> bool {
        self.tape.inner.borrow().nodes[self.id as usize].requires_grad
    }

    /// A constant copy of this value: the graph is cut here, so nothing
    /// upstream receives gradient through the result.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(3.0);
    /// let y = x * x.detach();
    /// assert_eq!(y.backward()[x].item(), 3.0);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn detach(self) -> Var<'t, T> {
        let shape = self.shape();
        let id = self.id;
        let v = self.tape.no_grad(|| {
            self.tape.record(
                crate::ops::Op::Leaf(crate::ops::leaf::Leaf),
                shape,
                |vals, out| out.copy_from_slice(vals.val(id)),
            )
        });
        v
    }

    /// Panics unless `other` is on the same tape.
    #[track_caller]
    pub(crate) fn same_tape(&self, other: &Var<'t, T>, op: &str) {
        assert!(
            std::ptr::eq(self.tape, other.tape),
            "tapegrad: {op}: operands belong to two different tapes (at {})",
            std::panic::Location::caller()
        );
    }
}

impl<T: Float> fmt::Debug for Var<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Var#{}{:?}", self.id, self.value())
    }
}

impl<T: Float> fmt::Display for Var<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value())
    }
}
