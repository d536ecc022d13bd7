//! What the trainer shows while it runs: the progress bar, the epoch line
//! and the diagnostics.

use super::Trainer;
use crate::EpochRecord;
use indicatif::{ProgressBar, ProgressStyle};

impl Trainer {
    /// A bar of `len` steps, or a hidden one when progress is off.
    pub(super) fn progress_bar(&self, len: u64) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::new(len);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} steps  {msg}  [{elapsed_precise}]")
        {
            pb.set_style(style);
        }
        pb
    }

    /// Shows a finished epoch as the trainer was told to.
    pub(super) fn print_epoch(&self, pb: &ProgressBar, record: &EpochRecord) {
        pb.set_message(format!("loss {:.4}", record.loss));
        if self.verbose {
            say(pb, &record.to_string());
        }
        if self.print_diagnostics {
            if let Some(d) = &record.diagnostics {
                say(pb, &d.to_string());
            }
        }
    }
}

/// Prints a line above the progress bar, or plainly when there is none.
fn say(pb: &ProgressBar, line: &str) {
    if pb.is_hidden() {
        println!("{line}");
    } else {
        pb.println(line);
    }
}
