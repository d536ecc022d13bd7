//! Gradient buffers of the nodes a backward pass has still to visit, pooled
//! so that a repeated step allocates nothing.

use crate::tape::{NodeId, Values};
use crate::Float;

pub(crate) const NONE: u32 = u32::MAX;

/// Gradient buffers of the nodes still waiting to be visited. A node's
/// buffer is created on its first contribution and recycled into a pool as
/// soon as the node has passed its gradient on, so the live set stays at
/// the frontier of the walk and a repeated step allocates nothing.
#[derive(Default)]
pub(crate) struct GradBuffers<T> {
    slot: Vec<u32>,
    bufs: Vec<Vec<T>>,
    free: Vec<u32>,
}

impl<T: Float> GradBuffers<T> {
    pub(crate) fn reset(&mut self, n_nodes: usize) {
        self.slot.clear();
        self.slot.resize(n_nodes, NONE);
        self.free.clear();
        self.free.extend(0..self.bufs.len() as u32);
    }

    /// The gradient buffer of input `id` for accumulation, zero-filled on
    /// first use; `None` when no gradient flows into that node.
    #[inline]
    pub(crate) fn acc(&mut self, v: &Values<'_, T>, id: NodeId) -> Option<&mut [T]> {
        let node = &v.nodes[id as usize];
        if !node.requires_grad {
            return None;
        }
        let mut s = self.slot[id as usize];
        if s == NONE {
            let n = v.shapes[node.shape as usize].numel();
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
        Some(&mut self.bufs[s as usize])
    }

    /// Moves out the finished gradient of `id`, if it received any.
    #[inline]
    pub(crate) fn take(&mut self, id: NodeId) -> Option<(u32, Vec<T>)> {
        let s = std::mem::replace(&mut self.slot[id as usize], NONE);
        (s != NONE).then(|| (s, std::mem::take(&mut self.bufs[s as usize])))
    }

    #[inline]
    pub(crate) fn give_back(&mut self, s: u32, buf: Vec<T>) {
        self.bufs[s as usize] = buf;
        self.free.push(s);
    }
}
