//! What data-parallel training needs from a process group: its size, this
//! process's rank, an in-place sum over every rank, and a broadcast. MPI
//! provides it across machines (`MpiWorld`, feature
//! `mpi`); [`SingleProcess`] is the one-rank reference and
//! [`LocalGroup`](crate::LocalGroup) runs ranks as threads.

use tapegrad::Float;

/// A group of ranks that run the same program on different shards.
///
/// Every method is collective: each rank of the group must call it, in the
/// same order, with buffers of the same length.
///
/// ```
/// use tapegrad_mpi::{Communicator, SingleProcess};
/// let comm = SingleProcess;
/// let mut g = [1.0f32, 2.0];
/// comm.sum_f32(&mut g);
/// assert_eq!((comm.rank(), comm.size(), g), (0, 1, [1.0, 2.0]));
/// ```
pub trait Communicator {
    /// This process's rank, `0..size()`.
    fn rank(&self) -> usize;
    /// Number of ranks.
    fn size(&self) -> usize;
    /// Replaces `buf` on every rank by the element-wise sum over all ranks.
    fn sum_f32(&self, buf: &mut [f32]);
    /// Replaces `buf` on every rank by the element-wise sum over all ranks.
    fn sum_f64(&self, buf: &mut [f64]);
    /// Replaces `buf` on every rank by the element-wise sum over all ranks.
    fn sum_u64(&self, buf: &mut [u64]);
    /// Copies `root`'s `buf` into every other rank's.
    fn broadcast_f32(&self, buf: &mut [f32], root: usize);
    /// Copies `root`'s `buf` into every other rank's.
    fn broadcast_f64(&self, buf: &mut [f64], root: usize);
}

/// The float types whose buffers a [`Communicator`] can reduce: `f32` and
/// `f64`.
///
/// ```
/// use tapegrad_mpi::{Element, SingleProcess};
/// let mut g = [3.0f64];
/// f64::all_reduce_sum(&SingleProcess, &mut g);
/// f64::broadcast(&SingleProcess, &mut g, 0);
/// assert_eq!(g, [3.0]);
/// ```
pub trait Element: Float {
    /// [`Communicator::sum_f32`] or [`Communicator::sum_f64`].
    fn all_reduce_sum<C: Communicator + ?Sized>(comm: &C, buf: &mut [Self]);
    /// [`Communicator::broadcast_f32`] or [`Communicator::broadcast_f64`].
    fn broadcast<C: Communicator + ?Sized>(comm: &C, buf: &mut [Self], root: usize);
}

impl Element for f32 {
    fn all_reduce_sum<C: Communicator + ?Sized>(comm: &C, buf: &mut [f32]) {
        comm.sum_f32(buf);
    }
    fn broadcast<C: Communicator + ?Sized>(comm: &C, buf: &mut [f32], root: usize) {
        comm.broadcast_f32(buf, root);
    }
}

impl Element for f64 {
    fn all_reduce_sum<C: Communicator + ?Sized>(comm: &C, buf: &mut [f64]) {
        comm.sum_f64(buf);
    }
    fn broadcast<C: Communicator + ?Sized>(comm: &C, buf: &mut [f64], root: usize) {
        comm.broadcast_f64(buf, root);
    }
}

/// A group of one: every collective leaves the buffer as it is. The
/// single-process reference path of the
/// [`DistributedTrainer`](crate::DistributedTrainer), which then trains as
/// `tapegrad_nn::Trainer` does with the same global batch.
///
/// ```
/// use tapegrad_mpi::{Communicator, SingleProcess};
/// let mut n = [7u64];
/// SingleProcess.sum_u64(&mut n);
/// assert_eq!(n, [7]);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SingleProcess;

impl Communicator for SingleProcess {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn sum_f32(&self, _: &mut [f32]) {}
    fn sum_f64(&self, _: &mut [f64]) {}
    fn sum_u64(&self, _: &mut [u64]) {}
    fn broadcast_f32(&self, _: &mut [f32], _: usize) {}
    fn broadcast_f64(&self, _: &mut [f64], _: usize) {}
}
