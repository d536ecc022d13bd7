//! The MPI backend (feature `mpi`): `MPI_COMM_WORLD` as a
//! [`Communicator`], with the gradient all-reduce done in place and a panic
//! outside the guarded training steps turned into `MPI_Abort`, so that a
//! dying rank never leaves the others waiting.

use crate::guard::is_guarded;
use crate::Communicator;
use mpi::collective::SystemOperation;
use mpi::datatype::Equivalence;
use mpi::environment::Universe;
use mpi::ffi;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{AsRaw, Communicator as _, CommunicatorCollectives, Root};
use mpi::Threading;
use std::ffi::c_void;
use std::panic;

/// The exit code of a rank aborted after a panic (that of a Rust panic).
const PANIC_EXIT: i32 = 101;

/// `MPI_COMM_WORLD`: every process `mpirun` started.
///
/// ```no_run
/// use tapegrad_mpi::{Communicator, MpiWorld};
/// let world = MpiWorld::init().expect("MPI is already initialized");
/// let mut x = [world.rank() as f64];
/// world.sum_f64(&mut x);
/// if world.rank() == 0 {
///     println!("sum of ranks: {}", x[0]);
/// }
/// ```
pub struct MpiWorld {
    world: SimpleCommunicator,
    /// The address MPI_IN_PLACE stands for in this MPI library.
    in_place: Option<usize>,
    // Finalizes MPI when dropped, so it must outlive `world`.
    _universe: Universe,
}

impl std::fmt::Debug for MpiWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MpiWorld")
            .field("rank", &self.rank())
            .field("size", &self.size())
            .field("in_place", &self.in_place.is_some())
            .finish()
    }
}

impl MpiWorld {
    /// Initializes MPI (main thread only calls it: `MPI_THREAD_FUNNELED`,
    /// since the matrix products run on worker threads) and installs a
    /// panic hook: a panic inside a training step is reported to every
    /// rank by the [`DistributedTrainer`](crate::DistributedTrainer); any
    /// other panic prints the rank and calls `MPI_Abort`, which makes
    /// `mpirun` stop every rank. MPI is finalized when the value drops.
    ///
    /// Returns `None` when MPI was already initialized in this process.
    ///
    /// ```no_run
    /// let world = tapegrad_mpi::MpiWorld::init().unwrap();
    /// ```
    #[must_use]
    pub fn init() -> Option<Self> {
        let (universe, _) = mpi::initialize_with_threading(Threading::Funneled)?;
        let world = universe.world();
        let rank = world.rank();
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            previous(info);
            if !is_guarded() {
                eprintln!("tapegrad-mpi: rank {rank} panicked; aborting every rank");
                // SAFETY: MPI was initialized before this hook was
                // installed and is finalized only after the world drops;
                // MPI_Abort takes no Rust-owned memory and does not return.
                unsafe {
                    ffi::MPI_Abort(ffi::RSMPI_COMM_WORLD, PANIC_EXIT);
                }
            }
        }));
        let in_place = in_place_sentinel(&mpi::environment::library_version().unwrap_or_default());
        Some(MpiWorld {
            world,
            in_place,
            _universe: universe,
        })
    }

    /// The rsmpi communicator, for collectives of your own.
    ///
    /// ```no_run
    /// use mpi::traits::CommunicatorCollectives;
    /// let world = tapegrad_mpi::MpiWorld::init().unwrap();
    /// world.world().barrier();
    /// ```
    #[must_use]
    pub fn world(&self) -> &SimpleCommunicator {
        &self.world
    }

    /// Whether [`sum_f32`](Communicator::sum_f32) and friends reduce in
    /// place (`MPI_IN_PLACE`, known for Open MPI and MPICH and their
    /// derivatives) rather than through a scratch copy.
    ///
    /// ```no_run
    /// let world = tapegrad_mpi::MpiWorld::init().unwrap();
    /// println!("in place: {}", world.reduces_in_place());
    /// ```
    #[must_use]
    pub fn reduces_in_place(&self) -> bool {
        self.in_place.is_some()
    }

    fn sum<T: Equivalence + Copy>(&self, buf: &mut [T]) {
        let Some(in_place) = self.in_place else {
            let send = buf.to_vec();
            self.world
                .all_reduce_into(&send[..], buf, SystemOperation::sum());
            return;
        };
        // MPI counts are C ints: reduce longer buffers in pieces.
        for piece in buf.chunks_mut(i32::MAX as usize) {
            // SAFETY: `in_place` is this MPI library's MPI_IN_PLACE, so the
            // send buffer is not read and `piece` is both input and output:
            // it is valid and exclusively borrowed for `piece.len()`
            // elements of a type whose MPI datatype is
            // `T::equivalent_datatype()`; the call is blocking, so MPI holds
            // no pointer into it after returning. Every rank calls with the
            // same length, which the trainer checks at start.
            unsafe {
                ffi::MPI_Allreduce(
                    std::ptr::without_provenance::<c_void>(in_place),
                    piece.as_mut_ptr().cast(),
                    piece.len() as i32,
                    T::equivalent_datatype().as_raw(),
                    SystemOperation::sum().as_raw(),
                    self.world.as_raw(),
                );
            }
        }
    }

    fn broadcast<T: Equivalence>(&self, buf: &mut [T], root: usize) {
        self.world.process_at_rank(root as i32).broadcast_into(buf);
    }
}

/// `MPI_IN_PLACE` is a C macro that bindgen cannot import, and its value
/// differs between implementations: `(void *) 1` in Open MPI's `mpi.h`,
/// `(void *) -1` in MPICH's (and Intel MPI's, MVAPICH's). Unknown libraries
/// get `None`: a scratch copy.
fn in_place_sentinel(library: &str) -> Option<usize> {
    if library.contains("Open MPI") {
        Some(1)
    } else if library.contains("MPICH") || library.contains("Intel(R) MPI") {
        Some(usize::MAX)
    } else {
        None
    }
}

impl Communicator for MpiWorld {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }
    fn size(&self) -> usize {
        self.world.size() as usize
    }
    fn sum_f32(&self, buf: &mut [f32]) {
        self.sum(buf);
    }
    fn sum_f64(&self, buf: &mut [f64]) {
        self.sum(buf);
    }
    fn sum_u64(&self, buf: &mut [u64]) {
        self.sum(buf);
    }
    fn broadcast_f32(&self, buf: &mut [f32], root: usize) {
        self.broadcast(buf, root);
    }
    fn broadcast_f64(&self, buf: &mut [f64], root: usize) {
        self.broadcast(buf, root);
    }
}

#[cfg(test)]
mod tests {
    use super::in_place_sentinel;

    #[test]
    fn knows_the_in_place_sentinels() {
        let ompi = "Open MPI v4.1.4, package: Debian OpenMPI";
        assert_eq!(in_place_sentinel(ompi), Some(1));
        let mpich = "MPICH Version: 4.0.2";
        assert_eq!(in_place_sentinel(mpich), Some(usize::MAX));
        assert!(in_place_sentinel("Some other MPI").is_none());
    }
}
