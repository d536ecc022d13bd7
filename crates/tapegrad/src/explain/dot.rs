//! Graphviz DOT of the graph that leads to an output, micrograd's
//! `draw_dot` for tapes: one box per node with its op and shape, optionally
//! its value and gradient; parameters blue, constants grey, the output gold.
//! Large graphs stay readable: a depth limit cuts the far end, and nodes
//! recorded by the same source line with the same op and shape (a loop
//! body, a layer applied to many scalars) merge into one box `×count`.

use super::graph::{distances, fmt_values, kind, shape_of, value_of, UNREACHED};
use super::node_grads::node_gradients;
use crate::tape::{Inner, NodeId};
use crate::{Float, Tape, Var};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// What [`Var::to_dot_with`] draws.
///
/// ```
/// use tapegrad::{DotOptions, Tape};
/// let tape = Tape::<f64>::new();
/// let x = tape.scalar(3.0);
/// let y = (x * x).tanh();
/// let dot = y.to_dot_with(&DotOptions::default().gradients(true).name(x, "x"));
/// assert!(dot.contains("x\\nparam []\\nvalue 3.0000\\ngrad"));
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct DotOptions {
    values: bool,
    gradients: bool,
    max_depth: Option<usize>,
    collapse_above: usize,
    names: HashMap<usize, String>,
    left_to_right: bool,
}

impl Default for DotOptions {
    /// Values shown, no gradients, no depth limit, repeated structure
    /// merged above 200 nodes, drawn left to right.
    fn default() -> Self {
        DotOptions {
            values: true,
            gradients: false,
            max_depth: None,
            collapse_above: 200,
            names: HashMap::new(),
            left_to_right: true,
        }
    }
}

impl DotOptions {
    /// Whether each box shows the node's value (elements up to four, the
    /// norm above).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let y = tape.scalar(0.5).exp();
    /// let opts = tapegrad::DotOptions::default().values(false);
    /// assert!(!y.to_dot_with(&opts).contains("value"));
    /// ```
    pub fn values(mut self, on: bool) -> Self {
        self.values = on;
        self
    }

    /// Whether each box shows the gradient of the output with respect to
    /// it (runs one backward pass; the output must be a scalar).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(2.0);
    /// let dot = (x * x).to_dot_with(&tapegrad::DotOptions::default().gradients(true));
    /// assert!(dot.contains("grad 4.0000"));
    /// ```
    pub fn gradients(mut self, on: bool) -> Self {
        self.gradients = on;
        self
    }

    /// Draws only nodes at most `depth` edges from the output; the rest
    /// become one box saying how many were left out.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let mut y = tape.scalar(0.1);
    /// for _ in 0..50 { y = y.tanh(); }
    /// let dot = y.to_dot_with(&tapegrad::DotOptions::default().max_depth(3));
    /// assert!(dot.contains("47 more nodes"));
    /// ```
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = Some(depth);
        self
    }

    /// Merges nodes recorded by one source line with one op and shape into
    /// one box when more than `n` nodes are drawn (default 200; `0` always
    /// merges, `usize::MAX` never does).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let mut y = tape.scalar(0.1);
    /// for _ in 0..50 { y = y.tanh(); }
    /// let dot = y.to_dot_with(&tapegrad::DotOptions::default().collapse_above(0));
    /// assert!(dot.contains("tanh ×49")); // and the output, drawn on its own
    /// ```
    pub fn collapse_above(mut self, n: usize) -> Self {
        self.collapse_above = n;
        self
    }

    /// Labels a node with a name of yours (`w₂₂`, `loss`).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let w = tape.scalar(0.5);
    /// let dot = w.exp().to_dot_with(&tapegrad::DotOptions::default().name(w, "w"));
    /// assert!(dot.contains("\"w\\nparam"));
    /// ```
    pub fn name<T: Float>(mut self, var: Var<'_, T>, name: &str) -> Self {
        self.names.insert(var.index(), name.to_owned());
        self
    }

    /// Draws inputs left of their consumers (default) or above them.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let y = tape.scalar(0.5).exp();
    /// let dot = y.to_dot_with(&tapegrad::DotOptions::default().left_to_right(false));
    /// assert!(!dot.contains("rankdir"));
    /// ```
    pub fn left_to_right(mut self, on: bool) -> Self {
        self.left_to_right = on;
        self
    }
}

impl<T: Float> Var<'_, T> {
    /// The graph that leads to this value, in Graphviz DOT, with the default
    /// [`DotOptions`]. Render it with `dot -Tsvg graph.dot -o graph.svg`
    /// where Graphviz is installed, or with `tapegrad::dot_to_svg`
    /// (feature `svg`, pure Rust).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::<f32>::new();
    /// let x = tape.constant(Tensor::ones([4, 3]));
    /// let w = tape.param(Tensor::ones([3, 2]));
    /// let dot = x.matmul(w).relu().sum().to_dot();
    /// assert!(dot.starts_with("digraph tapegrad {"));
    /// assert!(dot.contains("matmul [4, 2]"));
    /// ```
    #[must_use]
    pub fn to_dot(self) -> String {
        self.to_dot_with(&DotOptions::default())
    }

    /// [`to_dot`](Var::to_dot) with options.
    ///
    /// # Panics
    /// When gradients are asked for and this value is not a single element.
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let x = tape.scalar(-1.0);
    /// let dot = x.relu().to_dot_with(&tapegrad::DotOptions::default().gradients(true));
    /// assert!(dot.contains("grad 0.0000"));
    /// ```
    #[must_use]
    #[track_caller]
    pub fn to_dot_with(self, opts: &DotOptions) -> String {
        let grads = opts.gradients.then(|| node_gradients(self));
        let inner = self.tape.inner.borrow();
        render(&inner, self.id, opts, grads.as_deref())
    }
}

impl<T: Float> Tape<T> {
    /// The graph that leads to `output`, in Graphviz DOT: the same as
    /// [`output.to_dot_with(opts)`](Var::to_dot_with).
    ///
    /// ```
    /// let tape = tapegrad::Tape::<f64>::new();
    /// let y = tape.scalar(1.0).exp();
    /// assert_eq!(tape.to_dot(y, &tapegrad::DotOptions::default()), y.to_dot());
    /// ```
    #[must_use]
    #[track_caller]
    pub fn to_dot(&self, output: Var<'_, T>, opts: &DotOptions) -> String {
        output.to_dot_with(opts)
    }
}

/// A box in the drawing: one node, or several merged ones.
struct Group {
    label: String,
    style: &'static str,
}

fn render<T: Float>(
    inner: &Inner<T>,
    root: NodeId,
    opts: &DotOptions,
    grads: Option<&[Option<Vec<T>>]>,
) -> String {
    let depth = distances(inner, root);
    let limit = opts.max_depth.map_or(u32::MAX - 1, |d| d as u32);
    let shown: Vec<NodeId> = (0..=root)
        .filter(|&id| depth[id as usize] <= limit)
        .collect();
    let hidden = (0..=root)
        .filter(|&id| depth[id as usize] != UNREACHED && depth[id as usize] > limit)
        .count();
    let collapse = shown.len() > opts.collapse_above;
    let key = |id: NodeId| {
        let shape = shape_of(inner, id).to_string();
        (
            inner.locations[id as usize].to_string(),
            kind(inner, id),
            shape,
        )
    };
    // Only structure that repeats is merged; a one-off node keeps its box.
    let mut repeats: HashMap<(String, &'static str, String), usize> = HashMap::new();
    if collapse {
        for &id in &shown {
            *repeats.entry(key(id)).or_insert(0) += 1;
        }
    }

    // Each shown node's box: itself, or its (line, op, shape) group.
    let mut group_of: HashMap<NodeId, usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut members: BTreeMap<(String, &'static str, String), (usize, usize)> = BTreeMap::new();
    for &id in &shown {
        let node = &inner.nodes[id as usize];
        let shape = shape_of(inner, id).to_string();
        let style = if id == root {
            "fillcolor=\"#ffd966\", style=filled"
        } else if node.is_param {
            "fillcolor=\"#9fc5e8\", style=filled"
        } else if node.op.inputs(&inner.links).is_empty() {
            "fillcolor=\"#e0e0e0\", style=filled"
        } else {
            "fillcolor=white"
        };
        let merged = collapse && id != root && !opts.names.contains_key(&(id as usize));
        if merged && repeats[&key(id)] > 1 {
            let entry = members.entry(key(id)).or_insert_with(|| {
                groups.push(Group {
                    label: String::new(),
                    style,
                });
                (groups.len() - 1, 0)
            });
            entry.1 += 1;
            group_of.insert(id, entry.0);
            continue;
        }
        let mut label = match opts.names.get(&(id as usize)) {
            Some(n) => format!("{n}\\n{} {shape}", kind(inner, id)),
            None => format!("n{id} {} {shape}", kind(inner, id)),
        };
        if opts.values {
            let _ = write!(label, "\\nvalue {}", fmt_values(value_of(inner, id)));
        }
        if let Some(g) = grads {
            match &g[id as usize] {
                Some(g) => {
                    let _ = write!(label, "\\ngrad {}", fmt_values(g));
                }
                None if node.requires_grad => label.push_str("\\ngrad 0"),
                None => {}
            }
        }
        groups.push(Group { label, style });
        group_of.insert(id, groups.len() - 1);
    }
    for ((location, op, shape), (g, count)) in &members {
        groups[*g].label = format!("{op} ×{count} {shape}\\nat {location}");
    }

    // Edges between boxes, counted when boxes merge.
    let mut edges: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut cut_into: Vec<usize> = Vec::new();
    for &id in &shown {
        let to = group_of[&id];
        for &i in inner.nodes[id as usize].op.inputs(&inner.links).iter() {
            match group_of.get(&i) {
                Some(&from) => *edges.entry((from, to)).or_insert(0) += 1,
                None if !cut_into.contains(&to) => cut_into.push(to),
                None => {}
            }
        }
    }

    let mut out = String::from("digraph tapegrad {\n");
    if opts.left_to_right {
        out.push_str("  rankdir=LR;\n");
    }
    out.push_str("  node [shape=box, fontsize=12];\n");
    for (k, g) in groups.iter().enumerate() {
        let _ = writeln!(out, "  g{k} [label=\"{}\", {}];", escape(&g.label), g.style);
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "  cut [label=\"… {hidden} more nodes\\nbeyond depth {limit}\", fillcolor=\"#f4cccc\", style=filled];"
        );
        for to in cut_into {
            let _ = writeln!(out, "  cut -> g{to};");
        }
    }
    for ((from, to), count) in edges {
        if count > 1 {
            let _ = writeln!(out, "  g{from} -> g{to} [label=\"×{count}\"];");
        } else {
            let _ = writeln!(out, "  g{from} -> g{to};");
        }
    }
    out.push_str("}\n");
    out
}

/// Quotes for a DOT string; the `\n` line breaks written above stay.
fn escape(s: &str) -> String {
    s.replace('"', "\\\"")
}
