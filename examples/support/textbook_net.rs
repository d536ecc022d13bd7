//! The textbook's 4-2-2-1 network with every weight its own scalar on the
//! tape, so that the chain rule for any single weight (w²₂₂, …) is a set of
//! paths through scalar nodes. Hidden units are sigmoids, the output is
//! linear, and the cost is C = ½(ŷ − y)².
//!
//! Included by several examples and tests, each of which uses part of it.
#![allow(dead_code)]

use tapegrad::{ChainRule, DotOptions, Tape, Var};

/// Weights `w[l][j][k]` (layer l+1, to unit j, from unit k) and biases
/// `b[l][j]`, as plain numbers.
#[derive(Clone, Debug)]
pub struct Weights {
    pub w: Vec<Vec<Vec<f64>>>,
    pub b: Vec<Vec<f64>>,
}

/// One recorded forward pass: every z and a by layer, ŷ and the cost.
pub struct Pass<'t> {
    pub w: Vec<Vec<Vec<Var<'t, f64>>>>,
    pub b: Vec<Vec<Var<'t, f64>>>,
    pub x: Vec<Var<'t, f64>>,
    pub z: Vec<Vec<Var<'t, f64>>>,
    pub a: Vec<Vec<Var<'t, f64>>>,
    pub yhat: Var<'t, f64>,
    pub cost: Var<'t, f64>,
}

const SUP: [&str; 4] = ["⁰", "¹", "²", "³"];
const SUB: [&str; 5] = ["₀", "₁", "₂", "₃", "₄"];

impl Weights {
    /// Records z = W·a + b, a = σ(z) layer by layer (the last layer linear)
    /// and the cost, for input `x` and target `y`.
    pub fn forward<'t>(&self, tape: &'t Tape<f64>, x: &[f64], y: f64) -> Pass<'t> {
        let xs: Vec<Var<'t, f64>> = x.iter().map(|&v| tape.constant_scalar(v)).collect();
        let w: Vec<Vec<Vec<Var<'t, f64>>>> = self
            .w
            .iter()
            .map(|l| {
                l.iter()
                    .map(|r| r.iter().map(|&v| tape.scalar(v)).collect())
                    .collect()
            })
            .collect();
        let b: Vec<Vec<Var<'t, f64>>> = self
            .b
            .iter()
            .map(|l| l.iter().map(|&v| tape.scalar(v)).collect())
            .collect();
        let (mut zs, mut acts) = (Vec::new(), Vec::new());
        let mut a = xs.clone();
        for (l, (wl, bl)) in w.iter().zip(&b).enumerate() {
            let z: Vec<Var<'t, f64>> = wl
                .iter()
                .zip(bl)
                .map(|(row, &bj)| row.iter().zip(&a).fold(bj, |s, (&wjk, &ak)| s + wjk * ak))
                .collect();
            a = if l + 1 < w.len() {
                z.iter().map(|z| z.sigmoid()).collect()
            } else {
                z.clone()
            };
            zs.push(z);
            acts.push(a.clone());
        }
        let yhat = a[0];
        let cost = (yhat - y).powi(2) * 0.5;
        Pass {
            w,
            b,
            x: xs,
            z: zs,
            a: acts,
            yhat,
            cost,
        }
    }
}

impl<'t> Pass<'t> {
    /// Textbook names for the graph and the chain-rule paths: xₖ, wˡⱼₖ,
    /// bˡⱼ, zˡⱼ, aˡⱼ, ŷ and C.
    pub fn names(&self) -> Vec<(Var<'t, f64>, String)> {
        let mut out = Vec::new();
        for (k, &x) in self.x.iter().enumerate() {
            out.push((x, format!("x{}", SUB[k + 1])));
        }
        for (l, wl) in self.w.iter().enumerate() {
            for (j, row) in wl.iter().enumerate() {
                for (k, &w) in row.iter().enumerate() {
                    out.push((w, format!("w{}{}{}", SUP[l + 1], SUB[j + 1], SUB[k + 1])));
                }
                out.push((self.b[l][j], format!("b{}{}", SUP[l + 1], SUB[j + 1])));
                if l + 1 == self.w.len() {
                    out.push((self.z[l][j], "ŷ".into()));
                } else {
                    out.push((self.z[l][j], format!("z{}{}", SUP[l + 1], SUB[j + 1])));
                    out.push((self.a[l][j], format!("a{}{}", SUP[l + 1], SUB[j + 1])));
                }
            }
        }
        out.push((self.cost, "C".into()));
        out
    }

    /// The chain rule from the cost to `leaf`, with textbook names.
    pub fn chain_rule(&self, leaf: Var<'t, f64>) -> ChainRule<'t, f64> {
        self.names()
            .into_iter()
            .fold(self.cost.chain_rule(leaf), |c, (v, n)| c.name(v, &n))
    }

    /// DOT options naming every textbook quantity, with gradients.
    pub fn dot_options(&self) -> DotOptions {
        self.names()
            .into_iter()
            .fold(DotOptions::default().gradients(true), |o, (v, n)| {
                o.name(v, &n)
            })
    }
}

/// The tutorial's numbers (docs/tutorial.md): one sample, its target, and
/// the starting weights.
pub fn tutorial() -> (Weights, [f64; 4], f64) {
    let weights = Weights {
        w: vec![
            vec![vec![0.2, -0.4, 0.1, 0.3], vec![-0.5, 0.3, 0.2, 0.6]],
            vec![vec![0.7, -0.2], vec![0.4, 0.9]],
            vec![vec![1.2, -0.8]],
        ],
        b: vec![vec![0.1, -0.1], vec![0.0, 0.2], vec![0.3]],
    };
    (weights, [0.5, 0.1, 0.2, 0.7], 1.0)
}
