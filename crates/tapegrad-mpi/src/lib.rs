//! # tapegrad-mpi
//!
//! Data-parallel training of [`tapegrad_nn`] models across processes and
//! machines, over MPI: every rank holds the whole model, takes its shard of
//! each global batch (one seeded shuffle, the same on every rank),
//! differentiates it, and one in-place all-reduce of the flat gradient
//! buffer gives every rank the global batch's gradient, so every rank
//! applies the same optimizer update. `N` ranks with a global batch of
//! `N·B` rows train the model one process trains with mini-batches of
//! `N·B`.
//!
//! The MPI backend, `MpiWorld`, needs the cargo feature `mpi` and a
//! system MPI (`apt-get install openmpi-bin libopenmpi-dev libclang-dev`).
//! Without it the crate still builds and runs: [`SingleProcess`] is the
//! one-rank reference and [`LocalGroup`] runs ranks as threads.
//!
//! ```
//! use tapegrad_mpi::{Communicator, DistributedTrainer, LocalGroup};
//! use tapegrad_nn::data::digits;
//! use tapegrad_nn::{Activation, Adam, Loss, Mlp};
//! let data = digits::<f32>();
//! let accuracy = LocalGroup::run(2, |comm| {
//!     let mut mlp: Mlp<f32> = Mlp::new(64).hidden(32, Activation::Relu).output(10);
//!     let report = DistributedTrainer::new(Loss::CrossEntropy)
//!         .global_batch(64)
//!         .epochs(3)
//!         .fit(comm, &mut mlp, &mut Adam::new(3e-3), &data, None)?;
//!     Ok::<f64, tapegrad_mpi::DistError>(report.history.last().unwrap().accuracy)
//! });
//! assert!(accuracy[0].clone().unwrap()? > 0.8);
//! # Ok::<(), tapegrad_mpi::DistError>(())
//! ```
//!
//! With the feature on, the same loop runs under `mpirun` with
//! `MpiWorld::init()` as the communicator; see the `digits_mpi` example and
//! the crate's README.

#![warn(missing_docs)]

mod average;
mod comm;
mod fault;
mod guard;
mod layout;
mod local_group;
#[cfg(feature = "mpi")]
mod mpi_world;
mod shard;
mod trainer;

pub use average::weight_for_average;
pub use comm::{Communicator, Element, SingleProcess};
pub use fault::{agree, DistError, Fault, FaultKind, Stage};
pub use layout::check_same_layout;
pub use local_group::{LocalGroup, LocalRank};
#[cfg(feature = "mpi")]
pub use mpi_world::MpiWorld;
pub use shard::{shard, EpochOrder};
pub use trainer::{DistributedTrainer, FitReport};
