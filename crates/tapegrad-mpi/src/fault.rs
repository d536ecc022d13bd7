//! How a rank's failure becomes every rank's error: each rank reports its
//! status into a slot of a zeroed vector, one all-reduce sums it, and every
//! rank reads the same verdict, so no rank waits in a collective for one
//! that has given up.

use crate::Communicator;
use std::fmt;

/// What went wrong on a rank.
///
/// ```
/// assert_eq!(tapegrad_mpi::FaultKind::Io.to_string(), "I/O error");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// A loss or gradient turned NaN or infinite.
    NonFinite,
    /// The rank's code panicked.
    Panic,
    /// Reading or writing a file failed.
    Io,
    /// The data does not fit the model or the loss.
    Data,
}

impl FaultKind {
    const ALL: [FaultKind; 4] = [
        FaultKind::NonFinite,
        FaultKind::Panic,
        FaultKind::Io,
        FaultKind::Data,
    ];

    /// The status code sent to the other ranks (0 means "no fault").
    fn code(self) -> u64 {
        Self::ALL
            .iter()
            .position(|&k| k == self)
            .map_or(0, |i| i as u64 + 1)
    }

    fn from_code(code: u64) -> Option<Self> {
        let i = usize::try_from(code.checked_sub(1)?).ok()?;
        Self::ALL.get(i).copied()
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FaultKind::NonFinite => "non-finite loss or gradient",
            FaultKind::Panic => "panic",
            FaultKind::Io => "I/O error",
            FaultKind::Data => "data error",
        })
    }
}

/// A failure on this rank, before the others have heard of it.
///
/// ```
/// use tapegrad_mpi::{Fault, FaultKind};
/// let f = Fault::new(FaultKind::Io, "no such file");
/// assert_eq!((f.kind, f.detail.as_str()), (FaultKind::Io, "no such file"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// What kind of failure.
    pub kind: FaultKind,
    /// The local message (only the failing rank has it).
    pub detail: String,
}

impl Fault {
    /// A fault of `kind` described by `detail`.
    ///
    /// ```
    /// let f = tapegrad_mpi::Fault::new(tapegrad_mpi::FaultKind::Data, 3);
    /// assert_eq!(f.detail, "3");
    /// ```
    #[must_use]
    pub fn new(kind: FaultKind, detail: impl fmt::Display) -> Self {
        Fault {
            kind,
            detail: detail.to_string(),
        }
    }
}

/// Where the ranks were when one failed.
///
/// ```
/// use tapegrad_mpi::Stage;
/// assert_eq!(Stage::Step { epoch: 2, step: 5 }.to_string(), "at epoch 2, step 5");
/// assert_eq!(Stage::Named("loading the data").to_string(), "while loading the data");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Checking the data and model before training.
    Setup,
    /// A training step (epoch and step counted from 1).
    Step {
        /// Epoch, from 1.
        epoch: usize,
        /// Step within the epoch, from 1.
        step: usize,
    },
    /// The end of an epoch (the last optimizer update, validation).
    EpochEnd {
        /// Epoch, from 1.
        epoch: usize,
    },
    /// Rank 0 saving the model.
    Save,
    /// A stage of the caller's own, e.g. "loading the data".
    Named(&'static str),
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stage::Setup => f.write_str("while checking the data and model"),
            Stage::Step { epoch, step } => write!(f, "at epoch {epoch}, step {step}"),
            Stage::EpochEnd { epoch } => write!(f, "at the end of epoch {epoch}"),
            Stage::Save => f.write_str("while saving the model"),
            Stage::Named(what) => write!(f, "while {what}"),
        }
    }
}

/// Why distributed training stopped.
///
/// ```
/// use tapegrad_mpi::{DistError, FaultKind, Stage};
/// let e = DistError::RankFailed { rank: 1, kind: FaultKind::Panic, stage: Stage::Setup, detail: None };
/// assert_eq!(e.to_string(), "rank 1 failed (panic) while checking the data and model; every rank stopped");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DistError {
    /// A rank failed; every rank returns this (the lowest failing rank is
    /// named) and only the failing rank has the `detail`.
    #[error("rank {rank} failed ({kind}) {stage}{}; every rank stopped", detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    RankFailed {
        /// The failing rank.
        rank: usize,
        /// What failed.
        kind: FaultKind,
        /// Where.
        stage: Stage,
        /// The failing rank's own message; `None` on the other ranks.
        detail: Option<String>,
    },
    /// The ranks do not train the same model on the same data.
    #[error("{what} differs across ranks: rank 0 has {expected}, rank {rank} has {found}")]
    Mismatch {
        /// What differs, e.g. "the model layout".
        what: &'static str,
        /// The first rank that differs from rank 0.
        rank: usize,
        /// Rank 0's.
        expected: String,
        /// That rank's.
        found: String,
    },
}

/// Every rank learns whether any rank failed: a collective over `comm`
/// that returns this rank's value when all succeeded, and on every rank the
/// same [`DistError::RankFailed`] naming the lowest failing rank otherwise.
///
/// # Errors
/// When any rank passes an `Err`.
///
/// ```
/// use tapegrad_mpi::{agree, Communicator, DistError, Fault, FaultKind, LocalGroup, Stage};
/// let out = LocalGroup::run(3, |comm| {
///     let local = std::fs::read("/no/such/file").map_err(|e| Fault::new(FaultKind::Io, e));
///     let local = if comm.rank() == 2 { local.map(|_| ()) } else { Ok(()) };
///     agree(comm, Stage::Named("loading the data"), local)
/// });
/// for r in out {
///     let err = r.unwrap().unwrap_err();
///     assert!(matches!(err, DistError::RankFailed { rank: 2, kind: FaultKind::Io, .. }));
/// }
/// ```
pub fn agree<C: Communicator + ?Sized, T>(
    comm: &C,
    stage: Stage,
    local: Result<T, Fault>,
) -> Result<T, DistError> {
    let me = comm.rank();
    let mut status = vec![0u64; comm.size()];
    if let Err(f) = &local {
        status[me] = f.kind.code();
    }
    comm.sum_u64(&mut status);
    let failed = status
        .iter()
        .enumerate()
        .find_map(|(r, &c)| FaultKind::from_code(c).map(|k| (r, k)));
    match (failed, local) {
        (None, Ok(v)) => Ok(v),
        (Some((rank, kind)), local) => Err(DistError::RankFailed {
            rank,
            kind,
            stage,
            detail: local.err().filter(|_| rank == me).map(|f| f.detail),
        }),
        // Our own fault was counted above, so some rank always failed here.
        (None, Err(f)) => Err(DistError::RankFailed {
            rank: me,
            kind: f.kind,
            stage,
            detail: Some(f.detail),
        }),
    }
}

/// Gathers one `u64` per rank: slot `r` of the result holds rank `r`'s
/// `value` on every rank.
pub(crate) fn gather<C: Communicator + ?Sized>(comm: &C, value: &[u64]) -> Vec<Vec<u64>> {
    let k = value.len();
    let mut all = vec![0u64; k * comm.size()];
    all[comm.rank() * k..(comm.rank() + 1) * k].copy_from_slice(value);
    comm.sum_u64(&mut all);
    all.chunks(k.max(1)).map(<[u64]>::to_vec).collect()
}
