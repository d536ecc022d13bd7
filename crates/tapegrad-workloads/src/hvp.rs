//! W6 `hvp-mlp`: W2's network and data with tanh after both hidden layers;
//! one step = the mean softmax cross-entropy, its gradient and the
//! Hessian-vector product `H·v` for all parameters, by reverse over
//! reverse: `g = loss.grad_graph(P)` records the gradient, then the
//! backward pass of `⟨g, v⟩` gives `H·v`. `v ~ N(0, 1)` from seed 1, one
//! tensor per parameter. Nothing is updated. The parameters, the batch and
//! `v` are leaves recorded once and kept across steps by `Tape::truncate`,
//! so a step copies none of them.

use crate::mlp::Mlp;
use crate::{data, Workload};
use tapegrad::{Act, Float, Gradients, Tape, Tensor};

pub(crate) struct HvpMlp<T: Float> {
    mlp: Mlp,
    /// The batch: a constant leaf after the parameters, then `v`'s tensors.
    x: usize,
    labels: Vec<usize>,
    tape: Tape<T>,
    grads: Gradients<T>,
}

impl<T: Float> HvpMlp<T> {
    pub(crate) fn new() -> Self {
        let mut rng = data::rng(0);
        let params = data::init_uniform_fanin::<T>(&mut rng, &[784, 512, 512, 10]);
        let (x, labels) = data::classification_batch(&mut rng, 128, 784, 10);
        let mut rng_v = data::rng(1);
        let tape = Tape::new();
        let mlp = Mlp::new(&tape, &params, Act::Tanh);
        let x = tape.constant_slice(x.data(), x.shape().clone()).index();
        for p in &params {
            let t: Tensor<T> = data::normal([p.data().len()], 1.0, &mut rng_v);
            let _ = tape.constant_slice(t.data(), p.shape().clone());
        }
        HvpMlp {
            mlp,
            x,
            labels,
            tape,
            grads: Gradients::new(),
        }
    }
}

impl<T: Float> Workload for HvpMlp<T> {
    fn step(&mut self) -> f64 {
        let v0 = self.x + 1;
        self.tape.truncate(v0 + self.mlp.params);
        let tape = &self.tape;
        let vars = self.mlp.vars(tape);
        let loss = self
            .mlp
            .logits(&vars, tape.var(self.x))
            .cross_entropy(&self.labels);
        let g = loss.grad_graph(&vars);
        let gv = g
            .iter()
            .enumerate()
            .map(|(i, &gi)| (gi * tape.var(v0 + i)).sum())
            .reduce(|a, b| a + b)
            .expect("the MLP has parameters");
        gv.backward_into(&mut self.grads);
        loss.item().to_f64()
    }

    fn details(&self) -> serde_json::Map<String, serde_json::Value> {
        // `‖H·v‖₂` of the last step, outside the timed steps (as the peers
        // compute theirs): the store holds exactly the parameters' `H·v`.
        let sq: f64 = self
            .grads
            .iter()
            .flat_map(|(_, hv)| hv.data())
            .map(|&e| {
                let e = Float::to_f64(e);
                e * e
            })
            .sum();
        let mut d = serde_json::Map::new();
        d.insert("hvp_norm".into(), sq.sqrt().into());
        d.insert(
            "method".into(),
            "grad_graph, then backward of <g, v>".into(),
        );
        d
    }
}
