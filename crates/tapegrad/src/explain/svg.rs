//! DOT to SVG without a system library, through the pure-Rust `layout-rs`.

use layout::backends::svg::SVGWriter;
use layout::gv::{DotParser, GraphBuilder};
use std::fmt;

/// The DOT text could not be parsed.
///
/// ```
/// let err = tapegrad::dot_to_svg("digraph { a -> }").unwrap_err();
/// assert!(err.to_string().contains("DOT"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SvgError(String);

impl fmt::Display for SvgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tapegrad: dot_to_svg: cannot parse the DOT text: {}",
            self.0
        )
    }
}

impl std::error::Error for SvgError {}

/// Lays out and draws a DOT graph as SVG (feature `svg`). The layout is
/// simpler than Graphviz's; with Graphviz installed,
/// `dot -Tsvg graph.dot -o graph.svg` draws the same text.
///
/// # Errors
/// [`SvgError`] when `dot` is not valid DOT.
///
/// ```
/// let tape = tapegrad::Tape::<f64>::new();
/// let x = tape.scalar(2.0);
/// let svg = tapegrad::dot_to_svg(&(x * x).to_dot())?;
/// assert!(svg.contains("<svg") && svg.contains("mul"));
/// # Ok::<(), tapegrad::SvgError>(())
/// ```
pub fn dot_to_svg(dot: &str) -> Result<String, SvgError> {
    let mut parser = DotParser::new(dot);
    let graph = parser.process().map_err(SvgError)?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut svg = SVGWriter::new();
    visual.do_it(false, false, false, &mut svg);
    Ok(sorted_styles(svg.finalize()))
}

/// layout-rs writes one CSS class per font size from a `HashMap`, so their
/// order changes from run to run; sorting them makes the same graph give the
/// same bytes, which the committed figures are checked against.
fn sorted_styles(svg: String) -> String {
    let (Some(open), Some(close)) = (svg.find("<style>\n"), svg.find("</style>")) else {
        return svg;
    };
    let body = open + "<style>\n".len();
    if close < body {
        return svg;
    }
    let mut rules: Vec<&str> = svg[body..close].lines().collect();
    rules.sort_unstable();
    let mut out = String::with_capacity(svg.len());
    out.push_str(&svg[..body]);
    for rule in rules {
        out.push_str(rule);
        out.push('\n');
    }
    out.push_str(&svg[close..]);
    out
}

#[cfg(test)]
mod tests {
    use super::sorted_styles;

    #[test]
    fn style_rules_come_out_in_one_order() {
        let a = "<svg><style>\n.a14 { x }\n.a12 { y }\n</style><g/></svg>";
        let b = "<svg><style>\n.a12 { y }\n.a14 { x }\n</style><g/></svg>";
        assert_eq!(sorted_styles(a.to_string()), b);
        assert_eq!(sorted_styles(b.to_string()), b);
        assert_eq!(sorted_styles("<svg/>".to_string()), "<svg/>");
    }
}
