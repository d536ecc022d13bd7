//! The trainer's progress bar: drawn on stderr only when stderr is a
//! terminal (and the `progress` feature is on), while every result line goes
//! to stdout, so `> log.txt` keeps all of them and a pipe never sees the bar.

#[cfg(feature = "progress")]
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A progress bar over `len` steps, or nothing.
pub(crate) struct Progress {
    #[cfg(feature = "progress")]
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar when `wanted` and stderr is a terminal; otherwise only the
    /// lines printed through [`say`](Progress::say) appear.
    pub(crate) fn new(wanted: bool, len: u64) -> Self {
        let draw = wanted && std::io::stderr().is_terminal();
        #[cfg(feature = "progress")]
        {
            let bar = draw.then(|| {
                let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} steps  {msg}  [{elapsed_precise}]",
                ) {
                    pb.set_style(style);
                }
                pb
            });
            Progress { bar }
        }
        #[cfg(not(feature = "progress"))]
        {
            let _ = (draw, len);
            Progress {}
        }
    }

    /// Prints `line` on stdout, lifting the bar out of the way meanwhile.
    pub(crate) fn say(&self, line: &str) {
        #[cfg(feature = "progress")]
        if let Some(pb) = &self.bar {
            pb.suspend(|| println!("{line}"));
            return;
        }
        println!("{line}");
    }

    /// Advances the bar by `n` steps.
    pub(crate) fn inc(&self, n: u64) {
        #[cfg(feature = "progress")]
        if let Some(pb) = &self.bar {
            pb.inc(n);
        }
        #[cfg(not(feature = "progress"))]
        let _ = n;
    }

    /// The text beside the bar.
    pub(crate) fn set_message(&self, msg: String) {
        #[cfg(feature = "progress")]
        if let Some(pb) = &self.bar {
            pb.set_message(msg);
        }
        #[cfg(not(feature = "progress"))]
        let _ = msg;
    }

    /// Stops drawing and leaves the bar where it is (training failed).
    pub(crate) fn abandon(&self) {
        #[cfg(feature = "progress")]
        if let Some(pb) = &self.bar {
            pb.abandon();
        }
    }

    /// Removes the bar (training finished).
    pub(crate) fn finish_and_clear(&self) {
        #[cfg(feature = "progress")]
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}
