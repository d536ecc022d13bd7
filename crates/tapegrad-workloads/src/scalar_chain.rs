//! W5 `scalar-chain`: `x₀ = 0.5` (a parameter); 10,000 times
//! `x = relu(x·wᵢ + bᵢ)` with scalar parameters `wᵢ = 1.0001`,
//! `bᵢ = 0.0001`; then the backward pass of `x`. One step = recording plus
//! backward; 3 recorded ops per iteration. As candle's `Var`s and the C++
//! tapes' (Adept, XAD) independent variables, `x₀` and the 20,000
//! parameters are leaves created once, outside the timed steps, and kept on
//! the tape by `Tape::truncate`: a step records the 30,000 ops only.

use crate::Workload;
use tapegrad::{Float, Gradients, Tape};

/// Iterations of the chain.
pub(crate) const ITERATIONS: usize = 10_000;

pub(crate) struct ScalarChain<T: Float> {
    tape: Tape<T>,
    grads: Gradients<T>,
    /// `∂x/∂x₀` of the last step.
    dx_dx0: f64,
}

/// The kept leaves: `x₀`, then `wᵢ, bᵢ` for each iteration.
const LEAVES: usize = 1 + 2 * ITERATIONS;

impl<T: Float> ScalarChain<T> {
    pub(crate) fn new() -> Self {
        let tape = Tape::new();
        let _x0 = tape.scalar(T::from_f64(0.5));
        let (w, b) = (T::from_f64(1.0001), T::from_f64(0.0001));
        for _ in 0..ITERATIONS {
            let _w = tape.scalar(w);
            let _b = tape.scalar(b);
        }
        ScalarChain {
            tape,
            grads: Gradients::new(),
            dx_dx0: 0.0,
        }
    }
}

impl<T: Float> Workload for ScalarChain<T> {
    fn step(&mut self) -> f64 {
        self.tape.truncate(LEAVES);
        let tape = &self.tape;
        let x0 = tape.var(0);
        let mut x = x0;
        for i in 0..ITERATIONS {
            x = (x * tape.var(1 + 2 * i) + tape.var(2 + 2 * i)).relu();
        }
        x.backward_into(&mut self.grads);
        self.dx_dx0 = self.grads[x0].item().to_f64();
        x.item().to_f64()
    }

    fn details(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut d = serde_json::Map::new();
        d.insert("iterations".into(), ITERATIONS.into());
        d.insert("recorded_ops".into(), (3 * ITERATIONS).into());
        d.insert("tape_nodes".into(), self.tape.len().into());
        d.insert("kept_leaves".into(), LEAVES.into());
        d.insert("dx_dx0".into(), self.dx_dx0.into());
        d.insert(
            "x_final_expected".into(),
            (1.5 * 1.0001f64.powi(ITERATIONS as i32) - 1.0).into(),
        );
        d.insert(
            "dx_dx0_expected".into(),
            1.0001f64.powi(ITERATIONS as i32).into(),
        );
        d
    }
}
