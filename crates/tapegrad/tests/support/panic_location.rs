//! Where a panic says it happened: runs a closure that must panic and
//! returns the `file:line` the panic reports (its `Location`, which
//! `#[track_caller]` moves to the caller) and its message. Shared by the
//! core's and the nn crate's caller-line tests (`#[path]` module).

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// `Some` while this thread runs a closure under [`panic_site`]: then
    /// the hook records the location instead of printing.
    static LAST: RefCell<Option<Option<(String, u32)>>> = const { RefCell::new(None) };
}

/// The reported location and the message of the panic `f` raises.
///
/// # Panics
/// When `f` returns without panicking.
pub fn panic_site(f: impl FnOnce()) -> (String, u32, String) {
    static HOOK: Once = Once::new();
    // One hook for the whole binary: on a thread inside `panic_site` it
    // records the location quietly (per thread, so tests running in
    // parallel do not see each other's); elsewhere it reports as usual.
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let capturing = LAST.with(|last| {
                let mut last = last.borrow_mut();
                let on = last.is_some();
                if on {
                    *last = Some(info.location().map(|l| (l.file().to_string(), l.line())));
                }
                on
            });
            if !capturing {
                default(info);
            }
        }));
    });
    LAST.with(|last| *last.borrow_mut() = Some(None));
    let caught = panic::catch_unwind(AssertUnwindSafe(f));
    let site = LAST.with(|last| last.borrow_mut().take().flatten());
    let payload = match caught {
        Ok(()) => panic!("expected a panic"),
        Err(p) => p,
    };
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_default();
    let (file, line) = site.expect("the hook saw the panic");
    (file, line, message)
}

/// Asserts that `$e` panics and that the panic names this line of the
/// calling test file (keep `$e` on the macro's line: the tests put their cases in a
/// `#[rustfmt::skip]` module); returns the message.
#[macro_export]
macro_rules! assert_panics_here {
    ($e:expr) => {{
        let line = line!();
        let (file, at, message) = $crate::panic_location::panic_site(|| {
            let _ = $e;
        });
        assert!(
            file == file!() && at == line,
            "`{}` panicked at {file}:{at}, not at the caller's line {}:{line} ({message})",
            stringify!($e),
            file!()
        );
        message
    }};
}
