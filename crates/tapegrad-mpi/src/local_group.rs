//! Ranks as threads of one process: a [`Communicator`] without MPI, so that
//! data-parallel code runs and is tested with several ranks on a machine
//! that has no MPI installed.
//!
//! Every collective is two barriers around a shared table of per-rank
//! buffers; every rank combines the table in rank order, so all ranks get
//! bit-identical results. When one rank's closure panics the group is
//! marked stopped and every rank waiting in (or later entering) a
//! collective panics too, naming it, instead of waiting forever.

use crate::Communicator;
use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Runs a closure once per rank, each on its own thread with its own
/// [`LocalRank`] communicator.
///
/// ```
/// use tapegrad_mpi::{Communicator, LocalGroup};
/// let sums = LocalGroup::run(3, |comm| {
///     let mut x = [comm.rank() as f64 + 1.0];
///     comm.sum_f64(&mut x);
///     x[0]
/// });
/// assert_eq!(sums, [Ok(6.0), Ok(6.0), Ok(6.0)]);
/// ```
#[derive(Debug)]
pub struct LocalGroup;

impl LocalGroup {
    /// Runs `f` on `ranks` threads and returns each rank's result, or its
    /// panic message (also when it panicked because another rank stopped).
    ///
    /// # Panics
    /// When `ranks` is 0.
    ///
    /// ```
    /// use tapegrad_mpi::{Communicator, LocalGroup};
    /// let out = LocalGroup::run(2, |comm| {
    ///     if comm.rank() == 1 {
    ///         panic!("boom");
    ///     }
    ///     comm.sum_u64(&mut [1]); // rank 1 never arrives
    /// });
    /// assert_eq!(out[1].as_ref().unwrap_err(), "boom");
    /// assert!(out[0].as_ref().unwrap_err().contains("rank 1 of the local group stopped"));
    /// ```
    #[track_caller]
    pub fn run<R: Send>(
        ranks: usize,
        f: impl Fn(&LocalRank<'_>) -> R + Sync,
    ) -> Vec<Result<R, String>> {
        assert!(
            ranks > 0,
            "tapegrad-mpi: LocalGroup::run needs at least one rank"
        );
        let shared = Shared {
            size: ranks,
            state: Mutex::new(State {
                arrived: 0,
                generation: 0,
                slots: (0..ranks).map(|_| None).collect(),
                stopped: None,
            }),
            turn: Condvar::new(),
        };
        let shared = &shared;
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..ranks)
                .map(|rank| {
                    let comm = LocalRank { rank, shared };
                    let f = &f;
                    s.spawn(move || {
                        panic::catch_unwind(AssertUnwindSafe(|| f(&comm))).map_err(|e| {
                            shared.stop(rank);
                            panic_message(&*e)
                        })
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| Err(panic_message(&*e))))
                .collect()
        })
    }
}

/// One rank of a [`LocalGroup`].
///
/// ```
/// use tapegrad_mpi::{Communicator, LocalGroup};
/// let got = LocalGroup::run(2, |comm| {
///     let mut w = [comm.rank() as f32; 2];
///     comm.broadcast_f32(&mut w, 1);
///     (comm.size(), w)
/// });
/// assert_eq!(got[0], Ok((2, [1.0, 1.0])));
/// ```
#[derive(Debug)]
pub struct LocalRank<'g> {
    rank: usize,
    shared: &'g Shared,
}

#[derive(Debug)]
struct Shared {
    size: usize,
    state: Mutex<State>,
    turn: Condvar,
}

#[derive(Debug)]
struct State {
    arrived: usize,
    generation: u64,
    slots: Vec<Option<Box<dyn Any + Send>>>,
    stopped: Option<usize>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A rank that panicked never holds the lock, so its data is intact.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stop(&self, rank: usize) {
        self.lock().stopped.get_or_insert(rank);
        self.turn.notify_all();
    }
}

impl LocalRank<'_> {
    fn barrier(&self) {
        let shared = self.shared;
        let mut st = shared.lock();
        if st.stopped.is_none() {
            st.arrived += 1;
            if st.arrived == shared.size {
                st.arrived = 0;
                st.generation += 1;
                shared.turn.notify_all();
            } else {
                let generation = st.generation;
                st = shared
                    .turn
                    .wait_while(st, |s| s.generation == generation && s.stopped.is_none())
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        if let Some(r) = st.stopped {
            drop(st);
            panic!(
                "tapegrad-mpi: rank {r} of the local group stopped; rank {} cannot go on",
                self.rank
            );
        }
    }

    /// Deposits `buf`, then rebuilds it from every rank's deposit in rank
    /// order with `combine(buf, rank, theirs)`.
    fn exchange<T: Copy + Send + 'static>(
        &self,
        buf: &mut [T],
        combine: impl Fn(&mut [T], usize, &[T]),
    ) {
        self.shared.lock().slots[self.rank] = Some(Box::new(buf.to_vec()));
        self.barrier();
        {
            let st = self.shared.lock();
            for (r, slot) in st.slots.iter().enumerate() {
                let theirs = slot
                    .as_ref()
                    .and_then(|b| b.downcast_ref::<Vec<T>>())
                    .expect("tapegrad-mpi: ranks called different collectives");
                assert!(
                    theirs.len() == buf.len(),
                    "tapegrad-mpi: collective buffer lengths differ: rank {} has {}, rank {r} has {}",
                    self.rank,
                    buf.len(),
                    theirs.len()
                );
                combine(buf, r, theirs);
            }
        }
        // Nobody may overwrite a deposit before every rank has read it.
        self.barrier();
    }

    fn sum<T: Copy + Send + 'static + std::ops::AddAssign>(&self, buf: &mut [T]) {
        self.exchange(buf, |acc, r, theirs| {
            if r == 0 {
                acc.copy_from_slice(theirs);
            } else {
                acc.iter_mut().zip(theirs).for_each(|(a, &b)| *a += b);
            }
        });
    }

    fn broadcast<T: Copy + Send + 'static>(&self, buf: &mut [T], root: usize) {
        self.exchange(buf, |acc, r, theirs| {
            if r == root {
                acc.copy_from_slice(theirs);
            }
        });
    }
}

impl Communicator for LocalRank<'_> {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.shared.size
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

/// The text of a panic payload (`panic!` with a message gives a `&str` or
/// a `String`).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
