//! A file that is not safetensors is rejected from its first 8 bytes: the
//! header length they claim is checked against the file size before the
//! rest is read. Measured with the bytes this process reads (Linux's
//! `/proc/self/io`), alone in its own test binary so no other test's reads
//! count.

#![cfg(all(target_os = "linux", feature = "safetensors"))]

use std::io::Write;
use tapegrad_nn::io::IoError;
use tapegrad_nn::{Activation, Mlp, ModelIoError};

fn bytes_read_so_far() -> u64 {
    let io = std::fs::read_to_string("/proc/self/io").unwrap();
    io.lines()
        .find_map(|l| l.strip_prefix("rchar: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

#[test]
fn a_200_mb_file_that_is_not_safetensors_is_rejected_without_reading_it() {
    let path = std::env::temp_dir().join(format!("tapegrad-200mb-{}.bin", std::process::id()));
    {
        let mut f = std::fs::File::create(&path).unwrap();
        // Claims a 150 MB header (beyond safetensors' 100 MB limit), then
        // 200 MB of (sparse) zeros.
        f.write_all(&(150_000_000u64).to_le_bytes()).unwrap();
        f.set_len(200_000_000).unwrap();
    }
    let mut mlp: Mlp<f32> = Mlp::new(2).hidden(3, Activation::Relu).output(1);
    let before = bytes_read_so_far();
    let err = mlp.load(&path).unwrap_err();
    let read = bytes_read_so_far() - before;
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(err, ModelIoError::Io(IoError::Format(_))), "{err}");
    assert!(read < 1_000_000, "read {read} bytes to reject the file");

    // A length that fits the limit but not the file is rejected the same way.
    let path = std::env::temp_dir().join(format!("tapegrad-short-{}.bin", std::process::id()));
    {
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(&(50_000_000u64).to_le_bytes()).unwrap();
        f.set_len(20_000_000).unwrap();
    }
    let before = bytes_read_so_far();
    let err = mlp.load(&path).unwrap_err();
    let read = bytes_read_so_far() - before;
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(err, ModelIoError::Io(IoError::Format(_))), "{err}");
    assert!(read < 1_000_000, "read {read} bytes to reject the file");
}
