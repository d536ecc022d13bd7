//! ops v2, activations: finite-difference property tests in f64, first and
//! second order, on random shapes (0-d and zero-size included), and exact
//! checks of PyTorch's conventions at kinks and boundaries.

#[path = "support/props_v2.rs"]
mod props;

use props::{check, config, tensor, value_and_grad};
use proptest::prelude::*;

proptest! {
    #![proptest_config(config())]

    #[test]
    fn softsign(x in tensor(-5.0, 5.0, &[0.0], 0.05)) {
        check(&[x], |v| v[0].softsign())?;
    }
}

#[test]
fn softsign_is_smooth_at_zero() {
    let (y, g) = value_and_grad(&[0.0, -0.0, 1.0, -3.0], |x| x.softsign());
    assert_eq!(y, [0.0, 0.0, 0.5, -0.75]);
    assert_eq!(g, [1.0, 1.0, 0.25, 0.0625]);
}
