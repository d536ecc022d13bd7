//! The part of a tape that leads to one output, and how nodes are named.

use crate::tape::{Inner, NodeId};
use crate::{Float, Shape};

/// Marks "not reached" in a distance table.
pub(crate) const UNREACHED: u32 = u32::MAX;

/// The distance (in edges) from `root` to every node it reads, directly or
/// not; [`UNREACHED`] for the others. Creation order is topological, so one
/// reverse sweep finds every shortest distance.
pub(crate) fn distances<T: Float>(inner: &Inner<T>, root: NodeId) -> Vec<u32> {
    let mut depth = vec![UNREACHED; root as usize + 1];
    depth[root as usize] = 0;
    for id in (0..=root as usize).rev() {
        if depth[id] == UNREACHED {
            continue;
        }
        let next = depth[id] + 1;
        for &i in inner.nodes[id].op.inputs(&inner.links).iter() {
            let d = &mut depth[i as usize];
            *d = (*d).min(next);
        }
    }
    depth
}

/// The shape of node `id`.
pub(crate) fn shape_of<T: Float>(inner: &Inner<T>, id: NodeId) -> &Shape {
    &inner.shapes[inner.nodes[id as usize].shape as usize]
}

/// The value of node `id`.
pub(crate) fn value_of<T: Float>(inner: &Inner<T>, id: NodeId) -> &[T] {
    let n = &inner.nodes[id as usize];
    &inner.values[n.offset..n.offset + shape_of(inner, id).numel()]
}

/// What produced a node, as a reader wants to see it: `param` and `const`
/// for the two kinds of leaves, the op's name otherwise.
pub(crate) fn kind<T: Float>(inner: &Inner<T>, id: NodeId) -> &'static str {
    let node = &inner.nodes[id as usize];
    match (node.op.inputs(&inner.links).is_empty(), node.is_param) {
        (true, true) => "param",
        (true, false) if node.requires_grad => "leaf",
        (true, false) => "const",
        (false, _) => node.op.name(),
    }
}

/// A number in a label: short, and in scientific notation only when the
/// fixed form would hide it.
pub(crate) fn fmt_num(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || (1e-3..1e5).contains(&a) {
        format!("{x:.4}")
    } else {
        format!("{x:.3e}")
    }
}

/// The Euclidean norm, in f64.
pub(crate) fn norm<T: Float>(xs: &[T]) -> f64 {
    xs.iter().map(|&x| wide(x) * wide(x)).sum::<f64>().sqrt()
}

/// A value in a label: the elements when there are at most four, else its
/// norm.
pub(crate) fn fmt_values<T: Float>(xs: &[T]) -> String {
    match xs {
        [x] => fmt_num(wide(*x)),
        _ if xs.len() <= 4 => {
            let parts: Vec<String> = xs.iter().map(|&x| fmt_num(wide(x))).collect();
            format!("[{}]", parts.join(", "))
        }
        _ => format!("‖·‖ {}", fmt_num(norm(xs))),
    }
}

/// An element as `f64` (the crate's conversion, not num-traits' fallible one).
pub(crate) fn wide<T: Float>(x: T) -> f64 {
    Float::to_f64(x)
}
