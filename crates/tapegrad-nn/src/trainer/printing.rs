//! What the trainer shows while it runs: the epoch line and the
//! diagnostics, above the progress bar when one is drawn.

use super::Trainer;
use crate::progress::Progress;
use crate::EpochRecord;

impl Trainer {
    /// A bar of `len` steps when progress is on and stderr is a terminal.
    pub(super) fn progress_bar(&self, len: u64) -> Progress {
        Progress::new(self.progress, len)
    }

    /// Shows a finished epoch as the trainer was told to.
    pub(super) fn print_epoch(&self, pb: &Progress, record: &EpochRecord) {
        pb.set_message(format!("loss {:.4}", record.loss));
        if self.verbose {
            pb.say(&record.to_string());
        }
        if self.print_diagnostics {
            if let Some(d) = &record.diagnostics {
                pb.say(&d.to_string());
            }
        }
    }
}
