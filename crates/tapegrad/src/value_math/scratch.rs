//! The scratch tape that `Tensor`'s value math records on.
//!
//! One tape per thread and element type is kept in a pool and reused, so a
//! loop of `Tensor` ops does not build a tape per call: once the pool's tape
//! has grown, an op costs the copies of its operands in and its result out.
//! The inputs are constants, so no node ever requires a gradient and
//! nothing is kept for a backward pass; the tape is cleared after each use.

use crate::{Float, Tape, Tensor, Var};
use std::any::Any;
use std::cell::{Cell, RefCell};

/// A scratch tape that handled more elements than this is dropped rather
/// than pooled, so one huge op does not pin its memory for the thread's life.
const POOL_LIMIT: usize = 1 << 22;

thread_local! {
    static POOL: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// A tape taken from the pool for one computation; it goes back on drop.
pub(crate) struct Scratch<T: Float> {
    tape: Option<Box<Tape<T>>>,
    elements: Cell<usize>,
}

impl<T: Float> Scratch<T> {
    /// The pooled tape of this thread for `T`, or a new one (nested use,
    /// first use).
    pub(crate) fn take() -> Self {
        let pooled = POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            let i = pool.iter().position(|t| t.is::<Tape<T>>())?;
            pool.swap_remove(i).downcast::<Tape<T>>().ok()
        });
        Scratch {
            tape: Some(pooled.unwrap_or_default()),
            elements: Cell::new(0),
        }
    }

    fn tape(&self) -> &Tape<T> {
        self.tape
            .as_deref()
            .expect("the tape is only taken out on drop")
    }

    /// `t` as a constant of the scratch tape.
    #[track_caller]
    pub(crate) fn constant(&self, t: &Tensor<T>) -> Var<'_, T> {
        self.elements.set(self.elements.get() + t.numel());
        self.tape().constant_slice(t.data(), t.shape().clone())
    }

    /// The value of a result, copied out.
    pub(crate) fn value(&self, v: Var<'_, T>) -> Tensor<T> {
        let out = v.value();
        self.elements.set(self.elements.get() + out.numel());
        out
    }
}

impl<T: Float> Drop for Scratch<T> {
    fn drop(&mut self) {
        let Some(mut tape) = self.tape.take() else {
            return;
        };
        // After a panic in an op (a shape error) the tape is simply dropped.
        if self.elements.get() > POOL_LIMIT || std::thread::panicking() {
            return;
        }
        tape.clear();
        // `try_with`: during thread teardown the pool may already be gone.
        let _ = POOL.try_with(|pool| pool.borrow_mut().push(tape));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pooled_tape_is_reused_and_left_empty() {
        let first = {
            let s = Scratch::<f64>::take();
            let x = s.constant(&Tensor::ones([3]));
            assert_eq!(s.value(x.sum()).item(), 3.0);
            std::ptr::from_ref(s.tape()) as usize
        };
        let s = Scratch::<f64>::take();
        assert_eq!(std::ptr::from_ref(s.tape()) as usize, first);
        assert!(s.tape().is_empty());
        // Nested use gets a tape of its own instead of sharing one.
        let inner = Scratch::<f64>::take();
        assert_ne!(std::ptr::from_ref(inner.tape()) as usize, first);
        // f32 and f64 have separate tapes.
        let s32 = Scratch::<f32>::take();
        assert!(s32.tape().is_empty());
    }

    fn pooled_f32_tapes() -> usize {
        POOL.with(|p| p.borrow().iter().filter(|t| t.is::<Tape<f32>>()).count())
    }

    #[test]
    fn a_huge_computation_does_not_stay_in_the_pool() {
        // Each test runs on a thread of its own, so the pool starts empty.
        assert_eq!(pooled_f32_tapes(), 0);
        {
            let s = Scratch::<f32>::take();
            let _ = s.constant(&Tensor::zeros([POOL_LIMIT + 1]));
        }
        assert_eq!(pooled_f32_tapes(), 0);
        {
            let s = Scratch::<f32>::take();
            let _ = s.constant(&Tensor::zeros([4]));
        }
        assert_eq!(pooled_f32_tapes(), 1);
    }
}
