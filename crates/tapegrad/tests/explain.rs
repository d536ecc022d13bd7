//! The graph explainers: chain-rule paths whose sum is the engine's
//! gradient (exactly, in f64, where every product and sum is exact), the
//! per-node gradient trace of tensor graphs, and DOT export.

use proptest::prelude::*;
use tapegrad::{DotOptions, PathError, Tape, Tensor, Var};

/// Sum of the listed path products, in the order they are listed.
fn path_sum(p: &tapegrad::ChainPaths<f64>) -> f64 {
    p.paths.iter().map(|p| p.product).sum()
}

#[test]
fn micrograd_expression_paths_sum_to_the_engine_gradient() {
    // micrograd's README expression: x is used in many places.
    let tape = Tape::<f64>::new();
    let x = tape.scalar(-4.0);
    let z = x * 2.0 + 2.0 + x;
    let q = z.relu() + z * x;
    let h = (z * z).relu();
    let y = h + q + q * x;
    let engine = y.backward()[x].item();
    let p = y.chain_rule(x).max_paths(usize::MAX).paths().unwrap();
    assert_eq!(engine, 46.0);
    assert_eq!(p.engine, 46.0);
    assert_eq!(p.paths.len() as u128, p.total);
    assert!(p.total > 5, "fan-out gives many paths, got {}", p.total);
    assert_eq!(path_sum(&p), engine);
    assert_eq!(p.listed_sum, engine);
    assert_eq!(p.memoized, engine);
    // Every path runs from y to x and its product is its locals' product.
    for path in &p.paths {
        assert_eq!(path.nodes.first().unwrap(), &p.output);
        assert_eq!(path.nodes.last().unwrap(), &p.leaf);
        assert_eq!(path.locals.len() + 1, path.nodes.len());
        assert_eq!(path.product, path.locals.iter().product::<f64>());
    }
}

#[test]
fn a_leaf_read_twice_by_one_op_is_one_edge_with_both_contributions() {
    let tape = Tape::<f64>::new();
    let x = tape.scalar(3.0);
    let y = x * x;
    let p = y.chain_rule(x).paths().unwrap();
    assert_eq!((p.total, p.paths[0].locals.as_slice()), (1, &[6.0][..]));
}

#[test]
fn textbook_weight_has_one_path_and_first_layer_weight_two() {
    // 1 input → 2 sigmoid units → 1 output, squared error: ∂C/∂w (first
    // layer) goes through both hidden units only when the input fans out.
    let tape = Tape::<f64>::new();
    let x = tape.constant_scalar(0.5);
    let w1 = tape.scalar(0.25);
    let h = (x * w1).sigmoid();
    let (v1, v2) = (tape.scalar(0.5), tape.scalar(-0.75));
    let (a1, a2) = ((h * v1).sigmoid(), (h * v2).sigmoid());
    let out = a1 + a2;
    let c = (out - 1.0).powi(2) * 0.5;
    let through_w1 = c.chain_rule(w1).paths().unwrap();
    let through_v2 = c.chain_rule(v2).paths().unwrap();
    assert_eq!((through_w1.total, through_v2.total), (2, 1));
    let g = c.backward();
    assert!((through_w1.listed_sum - g[w1].item()).abs() <= 1e-16);
    assert_eq!(through_v2.listed_sum, g[v2].item());
    let text = through_v2.to_string();
    assert!(text.starts_with("∂mul_scalar#"), "{text}");
    assert!(text.contains("engine's gradient"), "{text}");
}

#[test]
fn exploding_path_counts_are_capped_and_still_summed() {
    let tape = Tape::<f64>::new();
    let x = tape.scalar(1.0);
    let mut y = x;
    for _ in 0..100 {
        y = y * 0.5 + y * 0.5; // two paths per step
    }
    let p = y.chain_rule(x).max_paths(4).paths().unwrap();
    assert_eq!(p.total, 1u128 << 100);
    assert_eq!(p.paths.len(), 4);
    assert_eq!(p.listed_sum, 4.0 * 0.5f64.powi(100));
    assert_eq!((p.memoized, p.engine), (1.0, 1.0));
    assert!(p.to_string().contains("more paths not written out"));
}

#[test]
fn tensor_nodes_on_a_path_are_an_error_naming_the_node() {
    let tape = Tape::<f64>::new();
    let w = tape.param(Tensor::from_vec(vec![1.0, 2.0], [2]));
    let y = w.tanh().sum();
    match y.chain_rule(w).paths() {
        Err(PathError::NotScalar { op, shape, .. }) => {
            assert_eq!((op, shape.dims()), ("tanh", &[2][..]));
        }
        other => panic!("expected NotScalar, got {other:?}"),
    }
    let other = Tape::<f64>::new();
    let z = other.scalar(1.0);
    assert_eq!(y.chain_rule(z).paths().unwrap_err(), PathError::OtherTape);
}

#[test]
fn an_unreached_leaf_has_no_paths_and_zero_gradient() {
    let tape = Tape::<f64>::new();
    let (a, b) = (tape.scalar(1.0), tape.scalar(2.0));
    let y = a.exp();
    let p = y.chain_rule(b).paths().unwrap();
    assert_eq!((p.total, p.listed_sum, p.engine), (0, 0.0, 0.0));
}

/// A random scalar DAG with fan-out: node k combines two earlier nodes.
/// Products take one leaf operand, values are multiples of 1/4: every
/// product and sum is exact in f64, so the path sum must equal the engine
/// to the last bit.
#[derive(Clone, Debug)]
enum Step {
    Add(usize, usize),
    Sub(usize, usize),
    MulLeaf(usize, usize),
    Relu(usize),
    Neg(usize),
    Abs(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Step::Add(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Step::Sub(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Step::MulLeaf(a, b)),
        any::<usize>().prop_map(Step::Relu),
        any::<usize>().prop_map(Step::Neg),
        any::<usize>().prop_map(Step::Abs),
    ]
}

fn build<'t>(
    tape: &'t Tape<f64>,
    leaves: &[i8],
    steps: &[Step],
) -> (Vec<Var<'t, f64>>, Var<'t, f64>) {
    let ls: Vec<Var<'t, f64>> = leaves
        .iter()
        .map(|&k| tape.scalar(f64::from(k) / 4.0))
        .collect();
    let mut nodes = ls.clone();
    for s in steps {
        let n = nodes.len();
        let v = match *s {
            Step::Add(a, b) => nodes[a % n] + nodes[b % n],
            Step::Sub(a, b) => nodes[a % n] - nodes[b % n],
            Step::MulLeaf(a, b) => nodes[a % n] * ls[b % ls.len()],
            Step::Relu(a) => nodes[a % n].relu(),
            Step::Neg(a) => -nodes[a % n],
            Step::Abs(a) => nodes[a % n].abs(),
        };
        nodes.push(v);
    }
    // The output reads every node, so every leaf has paths.
    let out = nodes.iter().skip(1).fold(nodes[0], |acc, &v| acc + v);
    (ls, out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_fan_out_graphs_sum_exactly_to_the_engine(
        leaves in prop::collection::vec(-8i8..=8, 1..4),
        steps in prop::collection::vec(step(), 1..12),
    ) {
        let tape = Tape::<f64>::new();
        let (ls, out) = build(&tape, &leaves, &steps);
        let g = out.backward();
        for &l in &ls {
            let p = out.chain_rule(l).max_paths(usize::MAX).paths().unwrap();
            prop_assert_eq!(p.paths.len() as u128, p.total);
            prop_assert_eq!(path_sum(&p), g[l].item());
            prop_assert_eq!(p.memoized, g[l].item());
            prop_assert_eq!(p.engine, g[l].item());
        }
    }
}

#[test]
fn gradient_trace_reports_the_engine_gradient_of_every_node() {
    let tape = Tape::<f64>::new();
    let x = tape.constant(Tensor::from_vec((0..12).map(f64::from).collect(), [4, 3]));
    let w = tape.param(Tensor::from_vec(
        vec![0.1, -0.2, 0.3, 0.4, -0.5, 0.6],
        [3, 2],
    ));
    let b = tape.param(Tensor::from_vec(vec![0.05, -0.05], [2]));
    let loss = (x.matmul(w) + b).tanh().mean();
    let trace = loss.gradient_trace();
    let g = loss.backward();
    let row = |v: Var<'_, f64>| trace.rows.iter().find(|r| r.index == v.index()).unwrap();
    let norm = |t: &Tensor<f64>| t.data().iter().map(|x| x * x).sum::<f64>().sqrt();
    assert_eq!(row(w).grad_norm, Some(norm(&g[w])));
    assert_eq!(row(b).grad_norm, Some(norm(&g[b])));
    assert_eq!(row(w).shape.dims(), &[3, 2]);
    assert_eq!(row(x).grad_norm, None); // a constant: no gradient flows in
    assert_eq!(row(loss).grad_norm, Some(1.0));
    assert_eq!(trace.rows.len(), 7); // mean, tanh, add, matmul, b, w, x
}

#[test]
fn dot_marks_params_constants_and_the_output() {
    let tape = Tape::<f64>::new();
    let x = tape.constant_scalar(2.0);
    let w = tape.scalar(0.5);
    let y = (x * w).sigmoid();
    let dot = y.to_dot_with(&DotOptions::default().gradients(true).name(w, "w"));
    assert!(
        dot.contains("w\\nparam []\\nvalue 0.5000\\ngrad 0.3932"),
        "{dot}"
    );
    assert!(dot.contains("n0 const []\\nvalue 2.0000"), "{dot}");
    assert!(dot.contains("#9fc5e8") && dot.contains("#e0e0e0") && dot.contains("#ffd966"));
    assert_eq!(dot.matches(" -> ").count(), 3);
}

#[test]
fn a_thousand_node_graph_collapses_into_one_box_per_source_line() {
    let tape = Tape::<f64>::new();
    let w = tape.scalar(0.9);
    let mut h = tape.constant_scalar(1.0);
    for _ in 0..600 {
        h = (h * w).tanh();
    }
    assert!(tape.len() > 1000);
    let dot = h.to_dot();
    let boxes = |dot: &str| {
        dot.lines()
            .filter(|l| l.contains("[label=") && !l.contains("->"))
            .count()
    };
    let boxes_all = boxes(&dot);
    assert_eq!(boxes_all, 5, "{dot}"); // w, the input, mul ×600, tanh ×599, the output
    assert!(dot.contains("tanh ×599"), "{dot}");
    assert!(dot.contains("mul ×600"), "{dot}");
    // The depth limit keeps the nearest nodes and counts the rest.
    let near = h.to_dot_with(
        &DotOptions::default()
            .max_depth(4)
            .collapse_above(usize::MAX),
    );
    assert_eq!(boxes(&near), 5 + 1 + 1, "{near}"); // depths 0..=4, w, and the cut
    assert!(near.contains("more nodes"));
}

#[cfg(feature = "svg")]
#[test]
fn dot_renders_to_svg_without_graphviz() {
    let tape = Tape::<f64>::new();
    let x = tape.scalar(0.5);
    let svg = tapegrad::dot_to_svg(&(x.exp() * x).to_dot()).unwrap();
    assert!(svg.starts_with("<svg") || svg.contains("<svg"));
    assert!(svg.contains("exp") && svg.contains("mul"));
    assert!(tapegrad::dot_to_svg("digraph { -> }").is_err());
}
