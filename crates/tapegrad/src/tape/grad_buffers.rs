//! Gradient buffers of the nodes a backward pass has still to visit, pooled
//! so that a repeated step allocates nothing.

use crate::tape::{NodeId, Values, SCALAR};
use crate::Float;
use std::ops::{Deref, DerefMut};

pub(crate) const NONE: u32 = u32::MAX;

/// The slot of a 0-d node whose gradient lives in the dense scalar lane.
const DENSE: u32 = u32::MAX - 1;

/// Gradient buffers of the nodes still waiting to be visited. A node's
/// buffer is created on its first contribution and recycled into a pool as
/// soon as the node has passed its gradient on, so the live set stays at
/// the frontier of the walk and a repeated step allocates nothing.
///
/// A 0-d node needs no buffer: its gradient is one element of a dense lane
/// indexed by node id, so a scalar graph's walk does no pool search, no
/// fill and no buffer move per node.
#[derive(Default)]
pub(crate) struct GradBuffers<T> {
    slot: Vec<u32>,
    bufs: Vec<Vec<T>>,
    free: Vec<u32>,
    /// `scalars[id]` is the gradient of 0-d node `id` where `slot[id]` is
    /// `DENSE`; stale elsewhere (first use zeroes it).
    scalars: Vec<T>,
}

/// A finished gradient moved out of [`GradBuffers`]: one element of the
/// scalar lane, or a pooled buffer to hand back.
pub(crate) enum Taken<T> {
    Scalar([T; 1]),
    Buf(u32, Vec<T>),
}

/// The gradients of 0-d nodes, as plain slices: a loop over 0-d nodes
/// holds their pointers and common length in registers, where through
/// [`GradBuffers`] every element written made it reload them.
pub(crate) struct ScalarLane<'a, T> {
    slot: &'a mut [u32],
    scalars: &'a mut [T],
}

impl<T: Float> ScalarLane<'_, T> {
    /// The gradient of 0-d input `id` for accumulation, zeroed on first
    /// use; `None` when no gradient flows into that node.
    #[inline(always)]
    pub(crate) fn acc(&mut self, v: &Values<'_, T>, id: NodeId) -> Option<&mut T> {
        let node = &v.nodes[id as usize];
        debug_assert!(node.shape == SCALAR);
        if !node.requires_grad {
            return None;
        }
        let i = id as usize;
        if self.slot[i] == NONE {
            self.slot[i] = DENSE;
            self.scalars[i] = T::zero();
        }
        Some(&mut self.scalars[i])
    }

    /// The finished gradient of 0-d node `id`, if it received any: a 0-d
    /// node's slot is `NONE` or `DENSE`, and no one reads it after the walk
    /// has visited the node, so it is left as it is.
    #[inline(always)]
    pub(crate) fn take(&self, id: NodeId) -> Option<T> {
        let i = id as usize;
        (self.slot[i] != NONE).then(|| self.scalars[i])
    }
}

impl<T> Deref for Taken<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            Taken::Scalar(x) => x,
            Taken::Buf(_, b) => b,
        }
    }
}

impl<T> DerefMut for Taken<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Taken::Scalar(x) => x,
            Taken::Buf(_, b) => b,
        }
    }
}

impl<T: Float> GradBuffers<T> {
    pub(crate) fn reset(&mut self, n_nodes: usize) {
        self.slot.clear();
        self.slot.resize(n_nodes, NONE);
        if self.scalars.len() < n_nodes {
            self.scalars.resize(n_nodes, T::zero());
        }
        self.free.clear();
        self.free.extend(0..self.bufs.len() as u32);
    }

    /// The gradient buffer of input `id` for accumulation, zero-filled on
    /// first use; `None` when no gradient flows into that node.
    #[inline(always)]
    pub(crate) fn acc(&mut self, v: &Values<'_, T>, id: NodeId) -> Option<&mut [T]> {
        let node = &v.nodes[id as usize];
        if !node.requires_grad {
            return None;
        }
        if node.shape != SCALAR {
            return Some(self.pooled(v.numels[node.shape as usize], id));
        }
        let i = id as usize;
        if self.slot[i] == NONE {
            self.slot[i] = DENSE;
            self.scalars[i] = T::zero();
        }
        Some(std::slice::from_mut(&mut self.scalars[i]))
    }

    /// The scalar lane of the walk `reset` prepared, borrowed apart from
    /// the pools.
    #[inline(always)]
    pub(crate) fn lane(&mut self) -> ScalarLane<'_, T> {
        let n = self.slot.len();
        ScalarLane {
            slot: &mut self.slot,
            scalars: &mut self.scalars[..n],
        }
    }

    /// The gradient buffers of two different nodes, neither 0-d, for a
    /// rule that accumulates into both in one pass; `None` unless both
    /// need a gradient (the rule then asks for each with [`acc`](Self::acc)).
    #[inline]
    pub(crate) fn acc_pair(
        &mut self,
        v: &Values<'_, T>,
        a: NodeId,
        b: NodeId,
    ) -> Option<(&mut [T], &mut [T])> {
        let (na, nb) = (&v.nodes[a as usize], &v.nodes[b as usize]);
        if a == b
            || !na.requires_grad
            || !nb.requires_grad
            || na.shape == SCALAR
            || nb.shape == SCALAR
        {
            return None;
        }
        self.pooled(v.numels[na.shape as usize], a);
        self.pooled(v.numels[nb.shape as usize], b);
        let (sa, sb) = (
            self.slot[a as usize] as usize,
            self.slot[b as usize] as usize,
        );
        let [ga, gb] = self.bufs.get_disjoint_mut([sa, sb]).ok()?;
        Some((ga, gb))
    }

    /// The pooled buffer of `n` elements of node `id`, taken from the pool
    /// (zero-filled) or created on first use. Out of line, so that the 0-d
    /// path of [`acc`](Self::acc) inlines into every rule.
    #[inline(never)]
    fn pooled(&mut self, n: usize, id: NodeId) -> &mut [T] {
        let mut s = self.slot[id as usize];
        if s == NONE {
            s = match self
                .free
                .iter()
                .rposition(|&b| self.bufs[b as usize].len() == n)
            {
                Some(p) => {
                    let b = self.free.swap_remove(p);
                    self.bufs[b as usize].fill(T::zero());
                    b
                }
                None => {
                    self.bufs.push(vec![T::zero(); n]);
                    (self.bufs.len() - 1) as u32
                }
            };
            self.slot[id as usize] = s;
        }
        &mut self.bufs[s as usize]
    }

    /// Moves out the finished gradient of `id`, if it received any.
    #[inline]
    pub(crate) fn take(&mut self, id: NodeId) -> Option<Taken<T>> {
        match std::mem::replace(&mut self.slot[id as usize], NONE) {
            NONE => None,
            DENSE => Some(Taken::Scalar([self.scalars[id as usize]])),
            s => Some(Taken::Buf(s, std::mem::take(&mut self.bufs[s as usize]))),
        }
    }

    /// Returns a taken buffer to the pool.
    #[inline]
    pub(crate) fn give_back(&mut self, taken: Taken<T>) {
        if let Taken::Buf(s, buf) = taken {
            self.bufs[s as usize] = buf;
            self.free.push(s);
        }
    }
}
