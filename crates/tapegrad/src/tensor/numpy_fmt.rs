//! NumPy's `str(array)` for float arrays (NumPy ≥ 1.14 defaults:
//! `precision=8`, `floatmode='maxprec'`, `linewidth=75`, no summarizing).
//!
//! One format for the whole array: scientific when the largest non-zero
//! magnitude is ≥ 1e8, the smallest < 1e-4, or their ratio > 1000;
//! otherwise positional. Positional values use the fewest digits that
//! identify them (at most 8 after the point), integer parts right-aligned
//! and fractional parts left-aligned with spaces; scientific values share
//! one mantissa precision and exponent width. Rows wrap at 75 columns.

use crate::Float;

const PRECISION: usize = 8;
const LINE_WIDTH: usize = 75;

/// The shortest digits that identify `x` in its own type, positional,
/// cut to `PRECISION` decimals: `(integer part with sign, fraction)`.
fn positional<T: Float>(x: T) -> (String, String) {
    let mut s = format!("{x}");
    if s.split_once('.').is_some_and(|(_, f)| f.len() > PRECISION) {
        s = format!("{x:.PRECISION$}");
    }
    match s.split_once('.') {
        Some((i, f)) => (i.to_string(), f.trim_end_matches('0').to_string()),
        None => (s, String::new()),
    }
}

/// The same in scientific notation: `(mantissa integer digit with sign,
/// mantissa fraction, exponent)`.
fn scientific<T: Float>(x: T) -> (String, String, i32) {
    let mut s = format!("{x:e}");
    let frac_len = |s: &str| {
        s.split_once('e')
            .map_or(0, |(m, _)| m.split_once('.').map_or(0, |(_, f)| f.len()))
    };
    if frac_len(&s) > PRECISION {
        s = format!("{x:.PRECISION$e}");
    }
    let (mantissa, exp) = s.split_once('e').expect("`{:e}` writes an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    match mantissa.split_once('.') {
        Some((i, f)) => (i.to_string(), f.trim_end_matches('0').to_string(), exp),
        None => (mantissa.to_string(), String::new(), exp),
    }
}

/// How every element of one array is printed.
enum Mode {
    Positional {
        pad_left: usize,
        pad_right: usize,
    },
    Scientific {
        pad_left: usize,
        precision: usize,
        exp_digits: usize,
    },
}

impl Mode {
    fn new<T: Float>(data: &[T]) -> Mode {
        let finite: Vec<T> = data.iter().copied().filter(|x| x.is_finite()).collect();
        let nonzero = finite
            .iter()
            .filter(|x| !x.is_zero())
            .map(|x| x.abs().to_f64());
        let (max, min) = nonzero.fold((0.0f64, f64::INFINITY), |(a, b), x| (a.max(x), b.min(x)));
        let scientific_mode = min.is_finite() && (max >= 1e8 || min < 1e-4 || max / min > 1000.0);
        let mut mode = if finite.is_empty() {
            Mode::Positional {
                pad_left: 0,
                pad_right: 0,
            }
        } else if scientific_mode {
            let parts: Vec<_> = finite.iter().map(|&x| scientific(x)).collect();
            Mode::Scientific {
                pad_left: parts.iter().map(|p| p.0.len()).max().unwrap_or(0),
                precision: parts.iter().map(|p| p.1.len()).max().unwrap_or(0),
                exp_digits: parts
                    .iter()
                    .map(|p| p.2.unsigned_abs().to_string().len().max(2))
                    .max()
                    .unwrap_or(2),
            }
        } else {
            let parts: Vec<_> = finite.iter().map(|&x| positional(x)).collect();
            Mode::Positional {
                pad_left: parts.iter().map(|p| p.0.len()).max().unwrap_or(0),
                pad_right: parts.iter().map(|p| p.1.len()).max().unwrap_or(0),
            }
        };
        if finite.len() != data.len() {
            // Room for "nan" / "inf" / "-inf" in the integer-part column.
            let neg_inf = data.iter().any(|x| x.is_infinite() && x.is_sign_negative());
            let right = mode.right_width() + 1;
            let need = 3usize
                .saturating_sub(right)
                .max((3 + usize::from(neg_inf)).saturating_sub(right));
            match &mut mode {
                Mode::Positional { pad_left, .. } | Mode::Scientific { pad_left, .. } => {
                    *pad_left = (*pad_left).max(need);
                }
            }
        }
        mode
    }

    /// Width right of the point.
    fn right_width(&self) -> usize {
        match *self {
            Mode::Positional { pad_right, .. } => pad_right,
            Mode::Scientific {
                precision,
                exp_digits,
                ..
            } => precision + exp_digits + 2,
        }
    }

    fn format<T: Float>(&self, x: T) -> String {
        if !x.is_finite() {
            let s = if x.is_nan() {
                "nan"
            } else if x.is_sign_negative() {
                "-inf"
            } else {
                "inf"
            };
            let left = match *self {
                Mode::Positional { pad_left, .. } | Mode::Scientific { pad_left, .. } => pad_left,
            };
            return format!("{s:>w$}", w = left + self.right_width() + 1);
        }
        match *self {
            Mode::Positional {
                pad_left,
                pad_right,
            } => {
                let (i, f) = positional(x);
                format!("{i:>pad_left$}.{f:<pad_right$}")
            }
            Mode::Scientific {
                pad_left,
                precision,
                exp_digits,
            } => {
                let (i, f, e) = scientific(x);
                let sign = if e < 0 { '-' } else { '+' };
                let e = e.unsigned_abs();
                format!("{i:>pad_left$}.{f:0<precision$}e{sign}{e:0>exp_digits$}")
            }
        }
    }
}

/// A 0-d array prints as its scalar does in Python (`repr`): the shortest
/// round-trip digits, with `.0` on whole numbers and exponents from 1e16
/// and below 1e-4 written `1e+16`, `1e-05`.
fn scalar<T: Float>(x: T) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x.is_sign_negative() { "-inf" } else { "inf" }.into();
    }
    let s = format!("{x:?}");
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = e.strip_prefix('-').map_or(('+', e), |d| ('-', d));
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// `str(numpy.array(data).reshape(dims))`.
pub(crate) fn format_array<T: Float>(data: &[T], dims: &[usize]) -> String {
    if dims.is_empty() {
        return scalar(data[0]);
    }
    if data.is_empty() {
        return "[]".into();
    }
    let mode = Mode::new(data);
    let words: Vec<String> = data.iter().map(|&x| mode.format(x)).collect();
    let mut out = String::new();
    recurse(&mut out, &words, dims, " ", LINE_WIDTH);
    out
}

/// NumPy's `_formatArray`: `hanging` is the indent of continuation lines,
/// `width` the room left on a line.
fn recurse(out: &mut String, words: &[String], dims: &[usize], hanging: &str, width: usize) {
    let start = out.len();
    let next_hanging = format!("{hanging} ");
    let next_width = width.saturating_sub(1);
    let n = dims[0];
    if dims.len() == 1 {
        // Room up to the separator or the closing bracket.
        let elem_width = width.saturating_sub(1);
        let mut line = hanging.to_string();
        for (i, w) in words.iter().enumerate() {
            if line.len() + w.len() > elem_width && line.len() > hanging.len() {
                out.push_str(line.trim_end());
                out.push('\n');
                line = hanging.to_string();
            }
            line.push_str(w);
            if i + 1 < n {
                line.push(' ');
            }
        }
        out.push_str(&line);
    } else {
        let chunk = words.len().checked_div(n).unwrap_or(0);
        let sep = "\n".repeat(dims.len() - 1);
        for i in 0..n {
            out.push_str(hanging);
            recurse(
                out,
                &words[i * chunk..(i + 1) * chunk],
                &dims[1..],
                &next_hanging,
                next_width,
            );
            if i + 1 < n {
                out.push_str(&sep);
            }
        }
    }
    // Drop the hanging indent of the first line and add the brackets.
    let body = out.split_off(start);
    out.push('[');
    out.push_str(&body[hanging.len().min(body.len())..]);
    out.push(']');
}
