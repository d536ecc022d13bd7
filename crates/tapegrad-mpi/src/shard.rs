//! Which rows each rank trains on: one seeded shuffle of the whole training
//! set per epoch, identical on every rank (and identical to the one
//! `tapegrad_nn::Trainer` draws with the same seed), cut into global
//! batches, each split into one contiguous shard per rank.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::ops::Range;

/// The visiting order of the training rows, reshuffled every epoch from
/// one seed, so that every rank draws the same order without talking.
///
/// ```
/// use tapegrad_mpi::EpochOrder;
/// let mut a = EpochOrder::new(10, 7, true);
/// let mut b = EpochOrder::new(10, 7, true);
/// let first = a.next_epoch().to_vec();
/// assert_eq!(first, b.next_epoch());
/// assert_ne!(first, a.next_epoch()); // a new order each epoch
/// let mut sorted = first.clone();
/// sorted.sort();
/// assert_eq!(sorted, (0..10).collect::<Vec<_>>());
/// ```
#[derive(Clone, Debug)]
pub struct EpochOrder {
    order: Vec<usize>,
    rng: StdRng,
    shuffle: bool,
}

impl EpochOrder {
    /// The order of `rows` rows drawn from `seed`; with `shuffle` false the
    /// rows keep their order every epoch.
    ///
    /// ```
    /// let mut o = tapegrad_mpi::EpochOrder::new(3, 0, false);
    /// assert_eq!(o.next_epoch(), &[0, 1, 2]);
    /// ```
    #[must_use]
    pub fn new(rows: usize, seed: u64, shuffle: bool) -> Self {
        EpochOrder {
            order: (0..rows).collect(),
            rng: StdRng::seed_from_u64(seed),
            shuffle,
        }
    }

    /// The next epoch's order. The permutation is applied to the previous
    /// epoch's order, as `tapegrad_nn::Trainer` does, so the two draw the
    /// same sequence of orders from the same seed.
    ///
    /// ```
    /// let mut o = tapegrad_mpi::EpochOrder::new(4, 1, true);
    /// assert_eq!(o.next_epoch().len(), 4);
    /// ```
    pub fn next_epoch(&mut self) -> &[usize] {
        if self.shuffle {
            self.order.shuffle(&mut self.rng);
        }
        &self.order
    }
}

/// The part of a global batch of `global` rows that `rank` of `ranks`
/// trains on: contiguous, in rank order, sizes differing by at most one
/// (the first `global % ranks` ranks take one row more). A rank's shard is
/// empty when the batch has fewer rows than there are ranks.
///
/// # Panics
/// When `ranks` is 0 or `rank >= ranks`.
///
/// ```
/// use tapegrad_mpi::shard;
/// assert_eq!(shard(8, 2, 1), 4..8);
/// let parts: Vec<_> = (0..3).map(|r| shard(7, 3, r)).collect();
/// assert_eq!(parts, [0..3, 3..5, 5..7]);
/// assert!(shard(1, 2, 1).is_empty());
/// ```
#[must_use]
#[track_caller]
pub fn shard(global: usize, ranks: usize, rank: usize) -> Range<usize> {
    assert!(
        rank < ranks,
        "tapegrad-mpi: shard: rank {rank} is not in a group of {ranks}"
    );
    let (base, extra) = (global / ranks, global % ranks);
    let start = rank * base + rank.min(extra);
    start..start + base + usize::from(rank < extra)
}
