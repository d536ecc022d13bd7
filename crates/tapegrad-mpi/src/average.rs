//! Turning per-rank gradients into the global batch's gradient: each rank
//! differentiates the mean loss of its shard, so weighting it by its share
//! of the global batch before the all-reduce sum gives the mean over the
//! whole batch, also when the last batch splits unevenly.

use tapegrad::Float;

/// Scales the gradient of a `shard_rows`-row shard's mean loss so that the
/// sum over all shards of a `global_rows`-row batch is that batch's mean-loss
/// gradient. The factor is exact for power-of-two rank counts with equal
/// shards, so the sum then differs from one process's gradient only in the
/// order of additions.
///
/// ```
/// use tapegrad_mpi::weight_for_average;
/// let mut g = [2.0f32, -4.0];
/// weight_for_average(&mut g, 32, 128);
/// assert_eq!(g, [0.5, -1.0]);
/// ```
pub fn weight_for_average<T: Float>(grads: &mut [T], shard_rows: usize, global_rows: usize) {
    if shard_rows == global_rows {
        return;
    }
    let w = T::from_f64(shard_rows as f64 / global_rows as f64);
    grads.iter_mut().for_each(|g| *g *= w);
}
