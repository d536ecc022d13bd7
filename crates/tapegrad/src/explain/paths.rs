//! The chain rule spelled out: every path from a scalar output to one
//! leaf, the local derivative on each edge, each path's product, and their
//! sum beside the gradient the engine computed.

use super::graph::{fmt_num, kind, shape_of, wide};
use super::node_grads::node_gradients;
use crate::tape::{GradBuffers, Inner, NodeId, Values};
use crate::{Float, Shape, Var};
use std::collections::HashMap;
use std::fmt;

/// Why the paths of a graph cannot be listed.
///
/// ```
/// use tapegrad::{PathError, Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let w = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
/// let err = w.sum().chain_rule(w).paths().unwrap_err();
/// assert!(matches!(err, PathError::NotScalar { op: "param", .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    /// A node on a path holds more than one element: a path through it
    /// carries a Jacobian, not a number (use [`Var::gradient_trace`]).
    NotScalar {
        /// The node's op.
        op: &'static str,
        /// The node's index on the tape.
        index: usize,
        /// Its shape.
        shape: Shape,
    },
    /// The output and the leaf were recorded on different tapes.
    OtherTape,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::NotScalar { op, index, shape } => write!(
                f,
                "tapegrad: chain_rule: node {index} ({op}) has shape {shape}; paths need \
                 one-element nodes (for tensor graphs use gradient_trace)"
            ),
            PathError::OtherTape => {
                write!(
                    f,
                    "tapegrad: chain_rule: output and leaf are on different tapes"
                )
            }
        }
    }
}

impl std::error::Error for PathError {}

/// What to list: built by [`Var::chain_rule`], refined with names for the
/// nodes and a cap on the number of paths written out.
///
/// ```
/// use tapegrad::Tape;
/// let tape = Tape::<f64>::new();
/// let x = tape.scalar(3.0);
/// let y = x * x;
/// let paths = y.chain_rule(x).name(x, "x").name(y, "y").paths()?;
/// assert_eq!(paths.paths[0].to_string(), "∂y/∂x = 6.0000 = 6.0000");
/// # Ok::<(), tapegrad::PathError>(())
/// ```
#[must_use]
pub struct ChainRule<'t, T: Float> {
    output: Var<'t, T>,
    leaf: Var<'t, T>,
    max_paths: usize,
    names: HashMap<NodeId, String>,
}

/// One path from the output down to the leaf.
///
/// ```
/// use tapegrad::Tape;
/// let tape = Tape::<f64>::new();
/// let x = tape.scalar(0.5);
/// let y = x.exp().tanh();
/// let p = &y.chain_rule(x).paths()?.paths[0];
/// assert_eq!(p.nodes.len(), 3);            // tanh ← exp ← x
/// assert_eq!(p.product, p.locals[0] * p.locals[1]);
/// # Ok::<(), tapegrad::PathError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ChainPath<T> {
    /// Names of the nodes from the output to the leaf.
    pub nodes: Vec<String>,
    /// `locals[k]` is `∂nodes[k]/∂nodes[k+1]`, from the op's backward rule.
    pub locals: Vec<T>,
    /// The product of the local derivatives, taken from the output down.
    pub product: T,
    /// Whether each node was named with [`ChainRule::name`] (the output
    /// and the leaf always count as named): the written form multiplies
    /// the factors between two named nodes into one, the textbook's
    /// `∂a₂/∂z₂` instead of one factor per recorded op.
    pub named: Vec<bool>,
}

/// Every path from an output to a leaf, or the first `max_paths` of them.
///
/// `memoized` sums the products of all paths the way backward does: each
/// node's gradient once, from the output back, so that a shared stretch of
/// path is multiplied once instead of once per path.
///
/// ```
/// use tapegrad::Tape;
/// let tape = Tape::<f64>::new();
/// let x = tape.scalar(2.0);
/// let y = x * x + x;                       // ∂y/∂x = 2x + 1
/// let p = y.chain_rule(x).paths()?;
/// assert_eq!(p.total, 2);                  // through the product, and direct
/// let sum: f64 = p.paths.iter().map(|p| p.product).sum();
/// assert_eq!((sum, p.engine), (5.0, 5.0));
/// # Ok::<(), tapegrad::PathError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ChainPaths<T> {
    /// The output's name.
    pub output: String,
    /// The leaf's name.
    pub leaf: String,
    /// The listed paths, at most `max_paths` of them.
    pub paths: Vec<ChainPath<T>>,
    /// How many paths there are (saturating at `u128::MAX`).
    pub total: u128,
    /// The sum of the listed paths' products.
    pub listed_sum: T,
    /// The sum over all paths, memoized from the output backwards.
    pub memoized: T,
    /// The gradient the engine's reverse walk computed.
    pub engine: T,
}

impl<'t, T: Float> Var<'t, T> {
    /// The chain rule from this scalar to `leaf`, path by path: see
    /// [`ChainRule`].
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::<f64>::new();
    /// let (a, b) = (tape.scalar(3.0), tape.scalar(-2.0));
    /// let c = a * b;
    /// let y = c * a;                           // a²b, a used twice
    /// let p = y.chain_rule(a).paths()?;
    /// assert_eq!((p.total, p.engine), (2, 2.0 * 3.0 * -2.0));
    /// # Ok::<(), tapegrad::PathError>(())
    /// ```
    pub fn chain_rule(self, leaf: Var<'t, T>) -> ChainRule<'t, T> {
        ChainRule {
            output: self,
            leaf,
            max_paths: 32,
            names: HashMap::new(),
        }
    }
}

impl<'t, T: Float> ChainRule<'t, T> {
    /// Writes out at most `n` paths (default 32); the sum over all of them
    /// is still reported, memoized.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.scalar(1.0);
    /// let mut y = x;
    /// for _ in 0..20 { y = y * 1.0 + y; }      // 2²⁰ paths
    /// let p = y.chain_rule(x).max_paths(3).paths()?;
    /// assert_eq!((p.paths.len(), p.total), (3, 1 << 20));
    /// assert_eq!(p.memoized, p.engine);
    /// # Ok::<(), tapegrad::PathError>(())
    /// ```
    pub fn max_paths(mut self, n: usize) -> Self {
        self.max_paths = n;
        self
    }

    /// Names a node in the output (`z₂`, `a₂`, …); unnamed nodes show as
    /// `op#index`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.scalar(1.0);
    /// let p = x.exp().chain_rule(x).name(x, "x").paths()?;
    /// assert_eq!(p.paths[0].nodes, ["exp#1", "x"]);
    /// # Ok::<(), tapegrad::PathError>(())
    /// ```
    pub fn name(mut self, var: Var<'t, T>, name: &str) -> Self {
        self.names.insert(var.id, name.to_owned());
        self
    }

    /// Lists the paths and checks them against the engine.
    ///
    /// # Errors
    /// [`PathError::NotScalar`] when a node on a path has more than one
    /// element, [`PathError::OtherTape`] when the leaf is on another tape.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.scalar(0.25);
    /// let y = x.tanh() * x.sigmoid();
    /// let p = y.chain_rule(x).paths()?;
    /// assert_eq!(p.total, 2);
    /// assert!((p.listed_sum - p.engine).abs() < 1e-15);
    /// # Ok::<(), tapegrad::PathError>(())
    /// ```
    pub fn paths(&self) -> Result<ChainPaths<T>, PathError> {
        if !std::ptr::eq(self.output.tape, self.leaf.tape) {
            return Err(PathError::OtherTape);
        }
        let (out, leaf) = (self.output.id, self.leaf.id);
        if self.output.numel() != 1 {
            let inner = self.output.tape.inner.borrow();
            return Err(not_scalar(&inner, out));
        }
        let engine = node_gradients(self.output)
            .get(leaf as usize)
            .cloned()
            .flatten()
            .map_or(T::zero(), |g| g[0]);
        let inner = self.output.tape.inner.borrow();
        let edges = local_derivatives(&inner, out, leaf)?;
        let name = |id: NodeId| {
            self.names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("{}#{id}", kind(&inner, id)))
        };
        let mut paths = Vec::new();
        let mut stack = vec![(out, T::one())];
        let mut locals = Vec::new();
        walk(
            &edges,
            leaf,
            &mut stack,
            &mut locals,
            &mut |stack, locals, product| {
                let last = stack.len() - 1;
                paths.push(ChainPath {
                    named: stack
                        .iter()
                        .enumerate()
                        .map(|(k, (id, _))| k == 0 || k == last || self.names.contains_key(id))
                        .collect(),
                    nodes: stack.iter().map(|&(id, _)| name(id)).collect(),
                    locals: locals.to_vec(),
                    product,
                });
                paths.len() < self.max_paths
            },
        );
        let listed_sum = paths.iter().map(|p| p.product).sum();
        let (total, memoized) = count_and_sum(&edges, out, leaf);
        Ok(ChainPaths {
            output: name(out),
            leaf: name(leaf),
            paths,
            total,
            listed_sum,
            memoized,
            engine,
        })
    }
}

/// For every node that lies on a path from `out` to `leaf`, its inputs on
/// such paths with the local derivative ∂node/∂input, from the op's own
/// backward rule seeded with 1. An input read twice (`x * x`) gets one edge
/// carrying both contributions, as its gradient buffer does.
fn local_derivatives<T: Float>(
    inner: &Inner<T>,
    out: NodeId,
    leaf: NodeId,
) -> Result<HashMap<NodeId, Vec<(NodeId, T)>>, PathError> {
    let n = out as usize + 1;
    let mut reaches = vec![false; n];
    let mut reached = vec![false; n];
    if leaf <= out {
        reaches[leaf as usize] = true;
    }
    for id in leaf as usize + 1..n {
        reaches[id] = inner.nodes[id]
            .op
            .inputs(&inner.links)
            .iter()
            .any(|&i| reaches[i as usize]);
    }
    reached[out as usize] = reaches[out as usize];
    let v = Values {
        nodes: &inner.nodes,
        values: &inner.values,
        shapes: &inner.shapes,
        numels: &inner.numels,
        links: &inner.links,
        customs: &inner.customs,
    };
    let mut scratch = GradBuffers::default();
    let mut edges = HashMap::new();
    for id in (leaf..=out).rev() {
        if !reached[id as usize] {
            continue;
        }
        if shape_of(inner, id).numel() != 1 {
            return Err(not_scalar(inner, id));
        }
        if id == leaf {
            continue;
        }
        let op = inner.nodes[id as usize].op;
        scratch.reset(n);
        op.backward(id, &[T::one()], &v, &mut scratch);
        let mut mine: Vec<(NodeId, T)> = Vec::new();
        for &i in op.inputs(&inner.links).iter() {
            if !reaches[i as usize] || mine.iter().any(|&(j, _)| j == i) {
                continue;
            }
            if let Some(g) = scratch.take(i) {
                if g.len() != 1 {
                    return Err(not_scalar(inner, i));
                }
                mine.push((i, g[0]));
                scratch.give_back(g);
                reached[i as usize] = true;
            }
        }
        edges.insert(id, mine);
    }
    Ok(edges)
}

fn not_scalar<T: Float>(inner: &Inner<T>, id: NodeId) -> PathError {
    PathError::NotScalar {
        op: kind(inner, id),
        index: id as usize,
        shape: shape_of(inner, id).clone(),
    }
}

type Stack<T> = Vec<(NodeId, T)>;

/// Receives each finished path; answers whether to go on.
type Emit<'a, T> = dyn FnMut(&Stack<T>, &[T], T) -> bool + 'a;

/// Depth-first over the paths; `emit` gets each finished path with its
/// product and answers whether to go on.
fn walk<T: Float>(
    edges: &HashMap<NodeId, Vec<(NodeId, T)>>,
    leaf: NodeId,
    stack: &mut Stack<T>,
    locals: &mut Vec<T>,
    emit: &mut Emit<'_, T>,
) -> bool {
    let &(id, product) = stack.last().expect("the path starts at the output");
    if id == leaf {
        return emit(stack, locals, product);
    }
    for &(i, d) in edges.get(&id).map_or(&[][..], Vec::as_slice) {
        stack.push((i, product * d));
        locals.push(d);
        let go_on = walk(edges, leaf, stack, locals, emit);
        stack.pop();
        locals.pop();
        if !go_on {
            return false;
        }
    }
    true
}

/// The number of paths and the sum of their products, each node visited
/// once from the output back (backward's memoization).
fn count_and_sum<T: Float>(
    edges: &HashMap<NodeId, Vec<(NodeId, T)>>,
    out: NodeId,
    leaf: NodeId,
) -> (u128, T) {
    let mut count: HashMap<NodeId, u128> = HashMap::from([(out, 1)]);
    let mut adjoint: HashMap<NodeId, T> = HashMap::from([(out, T::one())]);
    if !edges.contains_key(&out) && out != leaf {
        return (0, T::zero());
    }
    for id in (leaf..=out).rev() {
        let (Some(&c), Some(&a)) = (count.get(&id), adjoint.get(&id)) else {
            continue;
        };
        for &(i, d) in edges.get(&id).map_or(&[][..], Vec::as_slice) {
            let ci = count.entry(i).or_insert(0);
            *ci = ci.saturating_add(c);
            *adjoint.entry(i).or_insert(T::zero()) += a * d;
        }
    }
    (
        count.get(&leaf).copied().unwrap_or(0),
        adjoint.get(&leaf).copied().unwrap_or(T::zero()),
    )
}

impl<T: Float> fmt::Display for ChainPath<T> {
    /// `∂y/∂u · ∂u/∂x = (a) · (b) = product`, one factor per stretch
    /// between named nodes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut factors = Vec::new();
        let (mut from, mut d) = (0, T::one());
        for (k, &local) in self.locals.iter().enumerate() {
            d *= local;
            if self.named[k + 1] {
                factors.push((format!("∂{}/∂{}", self.nodes[from], self.nodes[k + 1]), d));
                (from, d) = (k + 1, T::one());
            }
        }
        if factors.is_empty() {
            return write!(f, "(the output itself) = 1");
        }
        let paren = factors.len() > 1;
        let names: Vec<&str> = factors.iter().map(|(n, _)| n.as_str()).collect();
        let values: Vec<String> = factors
            .iter()
            .map(|&(_, d)| match fmt_num(wide(d)) {
                s if paren => format!("({s})"),
                s => s,
            })
            .collect();
        write!(
            f,
            "{} = {} = {}",
            names.join(" · "),
            values.join(" · "),
            fmt_num(wide(self.product))
        )
    }
}

impl<T: Float> fmt::Display for ChainPaths<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.total == 1 { "" } else { "s" };
        writeln!(f, "∂{}/∂{}: {} path{s}", self.output, self.leaf, self.total)?;
        for (k, p) in self.paths.iter().enumerate() {
            writeln!(f, "  path {}: {p}", k + 1)?;
        }
        let listed = self.paths.len() as u128;
        if listed < self.total {
            writeln!(
                f,
                "  … {} more paths not written out; the {listed} listed sum to {:e}",
                self.total - listed,
                self.listed_sum
            )?;
        } else {
            writeln!(f, "  sum of the paths     = {:e}", self.listed_sum)?;
        }
        writeln!(f, "  memoized (backward)  = {:e}", self.memoized)?;
        write!(f, "  engine's gradient    = {:e}", self.engine)
    }
}
