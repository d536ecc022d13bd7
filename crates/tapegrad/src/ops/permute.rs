//! Reordering of all axes; its adjoint is the inverse permutation. The
//! order is kept as `u32` axes in the tape's side buffer (`links`).

use super::{Acc, Inputs, Link, Rule};
use crate::tape::{GradBuffers, NodeId, Values};
use crate::tensor::for_each_broadcast2;
use crate::{Float, Shape, Tape, Var};
use smallvec::SmallVec;

/// The output shape and the input strides read in output order.
fn permuted(xs: &Shape, perm: &[NodeId]) -> (Shape, SmallVec<[usize; 4]>) {
    let st = xs.strides();
    let dims: SmallVec<[usize; 4]> = perm.iter().map(|&p| xs.dims()[p as usize]).collect();
    (
        Shape::from(dims.as_slice()),
        perm.iter().map(|&p| st[p as usize]).collect(),
    )
}

impl<'t, T: Float> Var<'t, T> {
    /// The axes in the order `dims` (a permutation; negative entries count
    /// from the end): output axis `i` is input axis `dims[i]`:
    /// `torch.permute`. The gradient is permuted back.
    ///
    /// # Panics
    /// When `dims` is not a permutation of the axes.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.param(Tensor::arange(6).reshape([1, 2, 3]));
    /// let y = x.permute(&[2, 0, -2]);
    /// assert_eq!(y.shape().dims(), &[3, 1, 2]);
    /// assert_eq!(y.value().data(), &[0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
    /// assert_eq!(y.sum().backward()[x].shape().dims(), &[1, 2, 3]);
    /// ```
    #[must_use]
    #[track_caller]
    pub fn permute(self, dims: &[isize]) -> Var<'t, T> {
        let xs = self.shape();
        let mut seen: SmallVec<[bool; 4]> = SmallVec::from_elem(false, xs.rank());
        let mut perm: SmallVec<[NodeId; 4]> = SmallVec::new();
        for &d in dims {
            match xs.axis(d) {
                Some(a) if !seen[a] => {
                    seen[a] = true;
                    perm.push(a as u32);
                }
                _ => break,
            }
        }
        if perm.len() != xs.rank() || dims.len() != xs.rank() {
            panic!(
                "tapegrad: permute: {dims:?} is not a permutation of the axes of shape {xs} (at {})",
                std::panic::Location::caller()
            );
        }
        if perm.iter().enumerate().all(|(i, &p)| p as usize == i) {
            return self;
        }
        let x = self.id;
        let (out, src) = permuted(&xs, &perm);
        let order = self.tape.link(&perm);
        self.tape
            .record(Permute { x, order }.into(), out.clone(), |v, o| {
                let xv = v.val(x);
                for_each_broadcast2(&out, &src, &src, |i, k, _| o[i] = xv[k]);
            })
    }
}

/// `x` with its axes reordered by the linked permutation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Permute {
    x: NodeId,
    order: Link,
}

impl Rule for Permute {
    fn name(&self) -> &'static str {
        "permute"
    }
    fn inputs<'a>(&'a self, _: &'a [NodeId]) -> Inputs<'a> {
        Inputs::of(&[self.x])
    }
    fn backward<T: Float>(&self, id: NodeId, g: &[T], v: &Values<'_, T>, gb: &mut GradBuffers<T>) {
        let (out, src) = permuted(v.shape(self.x), self.order.get(v.links));
        debug_assert_eq!(&out, v.shape(id));
        if let Some(gx) = gb.acc(v, self.x) {
            for_each_broadcast2(&out, &src, &src, |i, k, _| gx[k] += g[i]);
        }
    }
    fn backward_graph<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        _: NodeId,
        g: Var<'t, T>,
        acc: Acc<'_, 't, T>,
    ) {
        let mut inverse: SmallVec<[isize; 4]> = SmallVec::new();
        {
            let links = &tape.inner.borrow().links;
            let perm = self.order.get(links);
            inverse.resize(perm.len(), 0);
            for (i, &p) in perm.iter().enumerate() {
                inverse[p as usize] = i as isize;
            }
        }
        acc(self.x, g.permute(&inverse));
    }
}
