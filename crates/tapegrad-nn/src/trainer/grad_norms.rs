//! The per-layer gradient norms of the diagnostics, summed over an epoch's
//! steps, and the epoch's report built from them and the activation
//! statistics.

use crate::context::ForwardCtx;
use crate::diagnostics::{Diagnostics, LayerDiagnostics};
use crate::Mlp;
use tapegrad::Float;

/// Per-layer sums and maxima of the step gradient norms.
pub(super) struct GradNorms {
    sum: Vec<f64>,
    max: Vec<f64>,
    steps: usize,
}

impl GradNorms {
    pub(super) fn new(layers: usize) -> Self {
        GradNorms {
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

    /// Adds the norms of the gradients `mlp` holds now.
    pub(super) fn add<T: Float>(&mut self, mlp: &Mlp<T>) {
        let g = mlp.params().grads();
        for l in 0..self.sum.len() {
            let norm = g[mlp.layer_range(l)]
                .iter()
                .map(|&x| x.to_f64() * x.to_f64())
                .sum::<f64>()
                .sqrt();
            self.sum[l] += norm;
            self.max[l] = self.max[l].max(norm);
        }
        self.steps += 1;
    }

    pub(super) fn report<T: Float>(&self, mlp: &Mlp<T>, ctx: &ForwardCtx<T>) -> Diagnostics {
        let stats = ctx.stats();
        let layers = mlp
            .layers()
            .iter()
            .enumerate()
            .map(|(i, layer)| LayerDiagnostics {
                layer: i,
                name: layer.describe(),
                units: layer.linear().out_features(),
                dead_fraction: stats.and_then(|s| s.dead_fraction(i)),
                saturated_fraction: stats.and_then(|s| s.saturated_fraction(i)),
                grad_norm: self.sum[i] / self.steps.max(1) as f64,
                grad_norm_max: self.max[i],
            })
            .collect();
        Diagnostics { layers }
    }
}
