//! Memory stays flat over a long online run: 100,000 W3 `online-tiny`
//! steps (one sample each, the tape cleared and reused every step) leave
//! the resident set where the first 10,000 put it.

#![cfg(target_os = "linux")]

use tapegrad_workloads::{build, Name};

/// Resident set size of this process in bytes (`/proc/self/statm`, field
/// 2, in pages of 4 KiB).
fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("statm's second field");
    pages * 4096
}

#[test]
fn rss_is_flat_over_100k_online_steps() {
    let mut w = build::<f32>(Name::OnlineTiny);
    for _ in 0..10_000 {
        w.step();
    }
    let warm = rss_bytes();
    let mut loss = 0.0;
    for _ in 0..100_000 {
        loss = w.step();
    }
    let end = rss_bytes();
    assert!(loss.is_finite());
    // One page of slack per 10,000 steps would already be a leak of under
    // a byte per step; allow 64 KiB for the allocator's own bookkeeping.
    assert!(
        end <= warm + 64 * 1024,
        "RSS grew from {warm} to {end} bytes over 100,000 steps"
    );
}
