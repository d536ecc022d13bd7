//! Catches a panic in a rank's local work so that it becomes a status the
//! other ranks hear of, instead of leaving them in a collective forever.

use crate::local_group::panic_message;
use crate::{Fault, FaultKind};
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into a [`FaultKind::Panic`] fault.
pub(crate) fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, Fault> {
    let outer = GUARDED.with(|g| g.replace(true));
    let out = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(outer));
    out.map_err(|e| Fault::new(FaultKind::Panic, panic_message(&*e)))
}

/// Whether this thread is inside [`guarded`], where a panic is reported to
/// the other ranks rather than fatal.
#[cfg(feature = "mpi")]
pub(crate) fn is_guarded() -> bool {
    GUARDED.with(Cell::get)
}
