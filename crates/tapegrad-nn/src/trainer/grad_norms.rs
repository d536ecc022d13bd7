//! The per-layer gradient norms of the diagnostics, summed over an epoch's
//! steps, and the epoch's report built from them and the activation
//! statistics.

use crate::context::ForwardCtx;
use crate::diagnostics::{Diagnostics, LayerDiagnostics};
use crate::{Network, ParamGroup};
use tapegrad::Float;

/// Per-layer sums and maxima of the step gradient norms.
pub(super) struct GradNorms {
    groups: Vec<ParamGroup>,
    sum: Vec<f64>,
    max: Vec<f64>,
    steps: usize,
}

impl GradNorms {
    pub(super) fn new(groups: Vec<ParamGroup>) -> Self {
        let layers = groups.len();
        GradNorms {
            groups,
            sum: vec![0.0; layers],
            max: vec![0.0; layers],
            steps: 0,
        }
    }

    pub(super) fn reset(&mut self) {
        self.sum.fill(0.0);
        self.max.fill(0.0);
        self.steps = 0;
    }

    /// Adds the norms of the gradients `net` holds now.
    pub(super) fn add<T: Float, N: Network<T> + ?Sized>(&mut self, net: &N) {
        let g = net.params().grads();
        for l in 0..self.sum.len() {
            let norm = g[self.groups[l].range.clone()]
                .iter()
                .map(|&x| x.to_f64() * x.to_f64())
                .sum::<f64>()
                .sqrt();
            self.sum[l] += norm;
            self.max[l] = self.max[l].max(norm);
        }
        self.steps += 1;
    }

    pub(super) fn report<T: Float>(&self, ctx: &ForwardCtx<T>) -> Diagnostics {
        let stats = ctx.stats();
        let layers = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, group)| LayerDiagnostics {
                layer: i,
                name: group.name.clone(),
                units: group.units,
                dead_fraction: stats.and_then(|s| s.dead_fraction(i)),
                saturated_fraction: stats.and_then(|s| s.saturated_fraction(i)),
                grad_norm: self.sum[i] / self.steps.max(1) as f64,
                grad_norm_max: self.max[i],
            })
            .collect();
        Diagnostics { layers }
    }
}
