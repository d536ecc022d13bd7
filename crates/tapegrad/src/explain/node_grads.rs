//! The gradient of a scalar output with respect to every node on its
//! graph, taken from the engine's own reverse walk.

use crate::autodiff::backward::run;
use crate::{Float, Gradients, Var};

/// Every node's gradient (`None` where no gradient flows), indexed by node
/// id up to the output.
///
/// # Panics
/// When `output` is not a single element.
#[track_caller]
pub(crate) fn node_gradients<T: Float>(output: Var<'_, T>) -> Vec<Option<Vec<T>>> {
    assert!(
        output.numel() == 1,
        "tapegrad: node gradients need a scalar output, this value has shape {}",
        output.shape()
    );
    let mut all = vec![None; output.id as usize + 1];
    let mut keep = |id: u32, g: &[T]| all[id as usize] = Some(g.to_vec());
    run(
        output.tape,
        output.id,
        None,
        &mut Gradients::new(),
        false,
        Some(&mut keep),
    );
    all
}
