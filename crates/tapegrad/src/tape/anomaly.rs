//! Anomaly mode: the first op whose value or gradient is NaN or infinite,
//! named with its input shapes and the source line that recorded it.

use crate::ops::Op;
use crate::tape::GradBuffers;
use crate::tape::{Node, NodeId, Values};
use crate::{Float, Shape};
use std::panic::Location;

fn describe(nodes: &[Node], shapes: &[Shape], links: &[NodeId], name: &str, op: &Op) -> String {
    let shapes: Vec<String> = op
        .inputs(links)
        .iter()
        .map(|&i| shapes[nodes[i as usize].shape as usize].to_string())
        .collect();
    format!("{name} of inputs {}", shapes.join(", "))
}

fn first_bad<T: Float>(xs: &[T]) -> Option<(usize, T)> {
    xs.iter().position(|x| !x.is_finite()).map(|i| (i, xs[i]))
}

/// Panics if a freshly computed forward value holds NaN or infinity.
#[track_caller]
pub(crate) fn check_forward<T: Float>(
    nodes: &[Node],
    shapes: &[Shape],
    links: &[NodeId],
    name: &str,
    op: &Op,
    out: &[T],
    at: &Location<'_>,
) {
    if let Some((i, x)) = first_bad(out) {
        panic!(
            "tapegrad anomaly: forward {} produced {x} at element {i}, recorded at {at}",
            describe(nodes, shapes, links, name, op)
        );
    }
}

/// Panics if the backward rule of node `id` wrote NaN or infinity into the
/// gradient of one of its inputs.
pub(crate) fn check_backward<T: Float>(
    v: &Values<'_, T>,
    locations: &[&Location<'static>],
    id: NodeId,
    grads: &mut GradBuffers<T>,
) {
    let node = &v.nodes[id as usize];
    for &input in node.op.inputs(v.links).iter() {
        if let Some(g) = grads.acc(v, input) {
            if let Some((i, x)) = first_bad(g) {
                panic!(
                    "tapegrad anomaly: backward of {} produced gradient {x} at element {i} of input #{input}, \
                     op recorded at {}",
                    describe(v.nodes, v.shapes, v.links, node.op.shown_name(v.customs), &node.op),
                    locations[id as usize]
                );
            }
        }
    }
}
