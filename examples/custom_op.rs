//! A user-defined op written outside the crate: `softclip(x) = s·tanh(x/s)`,
//! a smooth clip to `(-s, s)`, with its fused backward rule and its recorded
//! rule, so that second derivatives (gradgradcheck, Hessians) work through it.
//!
//! Run: `cargo run --release --example custom_op`

use std::sync::Arc;
use tapegrad::{BackwardContext, CustomOp, ForwardContext, Shape, Tape, Tensor, Var};

/// `softclip` with limit `s`: `y = s·tanh(x/s)`, `dy/dx = 1 − (y/s)²`.
pub struct SoftClip(pub f64);

impl CustomOp<f64> for SoftClip {
    fn name(&self) -> &'static str {
        "softclip"
    }
    fn output_shape(&self, inputs: &[&Shape]) -> Result<Shape, String> {
        match inputs {
            [x] => Ok((*x).clone()),
            _ => Err(format!("takes one input, got {}", inputs.len())),
        }
    }
    fn forward(&self, cx: &ForwardContext<'_, f64>, out: &mut [f64]) {
        let s = self.0;
        for (o, &x) in out.iter_mut().zip(cx.input(0)) {
            *o = s * (x / s).tanh();
        }
    }
    fn backward(&self, cx: &mut BackwardContext<'_, f64>) {
        let (g, y, s) = (cx.grad(), cx.output(), self.0);
        if let Some(gx) = cx.input_grad(0) {
            for ((gx, &g), &y) in gx.iter_mut().zip(g).zip(y) {
                *gx += g * (1.0 - (y / s) * (y / s));
            }
        }
    }
    fn backward_graph<'t>(
        &self,
        g: Var<'t, f64>,
        _inputs: &[Var<'t, f64>],
        output: Var<'t, f64>,
    ) -> Option<Vec<Var<'t, f64>>> {
        // written with Var ops, so it is differentiable again (through y)
        let r = output * (1.0 / self.0);
        Some(vec![g * (1.0 - r * r)])
    }
}

/// The same op without a recorded rule: first order only.
pub struct SoftClipFirstOrder(pub f64);

impl CustomOp<f64> for SoftClipFirstOrder {
    fn name(&self) -> &'static str {
        "softclip_first_order"
    }
    fn output_shape(&self, inputs: &[&Shape]) -> Result<Shape, String> {
        SoftClip(self.0).output_shape(inputs)
    }
    fn forward(&self, cx: &ForwardContext<'_, f64>, out: &mut [f64]) {
        SoftClip(self.0).forward(cx, out);
    }
    fn backward(&self, cx: &mut BackwardContext<'_, f64>) {
        SoftClip(self.0).backward(cx);
    }
}

/// `softclip(x)` on `x`'s tape.
pub fn softclip<'t>(op: &Arc<dyn CustomOp<f64>>, x: Var<'t, f64>) -> Var<'t, f64> {
    x.tape().custom(op, &[x])
}

#[allow(dead_code)] // the test includes this file for its op, not for main
fn main() {
    let op: Arc<dyn CustomOp<f64>> = Arc::new(SoftClip(2.0));
    let tape = Tape::<f64>::new();
    let x = tape.param(Tensor::from_vec(vec![-5.0, -1.0, 0.0, 1.0, 5.0], [5]));
    let y = softclip(&op, x);
    let dy = y.sum().grad_graph(&[x])[0];
    let d2y = dy.sum().backward();
    println!("x        = {:?}", x.value().data());
    println!("softclip = {:?}", y.value().data());
    println!("d/dx     = {:?}", dy.value().data());
    println!("d²/dx²   = {:?}", d2y[x].data());
}
