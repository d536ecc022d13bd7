//! The start-of-training check that every rank holds the same model layout
//! (names, shapes, float width) and the same number of training rows: an
//! all-reduce of mismatched buffers would otherwise sum unrelated numbers,
//! or wait forever for a longer buffer.

use crate::fault::gather;
use crate::{Communicator, DistError};
use tapegrad::Float;
use tapegrad_nn::Params;

/// What one rank reports: a hash of the names, shapes and float width, the
/// tensor count, the parameter count and the float width.
fn describe<T: Float>(params: &Params<T>) -> [u64; 4] {
    let width = std::mem::size_of::<T>() as u64;
    let mut h = Fnv::default();
    h.write(&width.to_le_bytes());
    for (name, info) in params.iter() {
        h.write(name.as_bytes());
        h.write(&[0xff]);
        for &d in info.shape.dims() {
            h.write(&(d as u64).to_le_bytes());
        }
        h.write(&[0xfe]);
    }
    [h.0, params.len() as u64, params.numel() as u64, width]
}

fn layout_text(d: &[u64]) -> String {
    format!(
        "{} tensors, {} parameters of {} bytes (layout hash {:016x})",
        d[1], d[2], d[3], d[0]
    )
}

/// Checks that every rank holds the same parameter layout and `rows`
/// training rows.
///
/// # Errors
/// On every rank, [`DistError::Mismatch`] naming the first rank that
/// differs from rank 0.
///
/// ```
/// use tapegrad_mpi::{check_same_layout, Communicator, DistError, LocalGroup};
/// use tapegrad_nn::{Activation, Mlp};
/// let out = LocalGroup::run(2, |comm| {
///     let width = if comm.rank() == 1 { 9 } else { 8 };
///     let mlp: Mlp<f32> = Mlp::new(4).hidden(width, Activation::Relu).output(2);
///     check_same_layout(comm, mlp.params(), 100)
/// });
/// let err = out[0].clone().unwrap().unwrap_err();
/// assert!(matches!(err, DistError::Mismatch { rank: 1, .. }));
/// assert!(err.to_string().contains("rank 0 has 4 tensors, 58 parameters"));
/// ```
pub fn check_same_layout<C: Communicator + ?Sized, T: Float>(
    comm: &C,
    params: &Params<T>,
    rows: usize,
) -> Result<(), DistError> {
    let d = describe(params);
    let all = gather(comm, &[d[0], d[1], d[2], d[3], rows as u64]);
    let root = &all[0];
    for (rank, theirs) in all.iter().enumerate().skip(1) {
        if theirs[..4] != root[..4] {
            return Err(DistError::Mismatch {
                what: "the model layout",
                rank,
                expected: layout_text(root),
                found: layout_text(theirs),
            });
        }
        if theirs[4] != root[4] {
            return Err(DistError::Mismatch {
                what: "the number of training rows",
                rank,
                expected: root[4].to_string(),
                found: theirs[4].to_string(),
            });
        }
    }
    Ok(())
}

/// 64-bit FNV-1a: stable across processes, builds and machines, unlike the
/// standard library's hasher, whose algorithm may change between releases.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
