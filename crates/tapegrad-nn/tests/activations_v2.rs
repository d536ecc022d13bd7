//! The activations added with the core's ops v2: each variant applies the
//! core op, PReLU's trainable slope starts at PyTorch's 0.25 and gets its
//! gradient, and the PyTorch equivalent names the right modules.

use tapegrad::{Tape, Tensor};
use tapegrad_nn::{Activation, Init, Mlp};

#[test]
fn each_variant_applies_its_core_op() {
    let tape = Tape::<f64>::new();
    let x = tape.constant(Tensor::from_vec(vec![-2.0, -0.5, 0.5, 4.0], [2, 2]));
    let cases = [
        (Activation::Gelu, x.gelu()),
        (Activation::GeluTanh, x.gelu_tanh()),
        (Activation::Silu, x.silu()),
        (Activation::Hardtanh(-1.0, 1.0), x.hardtanh(-1.0, 1.0)),
        (Activation::Relu6, x.relu6()),
        (Activation::Hardsigmoid, x.hardsigmoid()),
        (Activation::Hardswish, x.hardswish()),
        (Activation::Softsign, x.softsign()),
        (Activation::Celu(0.5), x.celu(0.5)),
        (Activation::Logsigmoid, x.logsigmoid()),
    ];
    for (a, want) in cases {
        assert_eq!(a.param_count(), 0, "{}", a.name());
        assert_eq!(a.apply(x, &[]).value(), want.value(), "{}", a.name());
    }
    let w = tape.param(Tensor::from_vec(vec![0.1, 0.2], [2]));
    let y = Activation::Prelu.apply(x, &[w]);
    assert_eq!(y.value().data(), &[-0.2, -0.1, 0.5, 4.0]);
}

#[test]
fn default_inits_follow_the_shape_of_the_function() {
    for a in [
        Activation::Softsign,
        Activation::Hardtanh(-1.0, 1.0),
        Activation::Hardsigmoid,
    ] {
        assert_eq!(a.default_init(), Init::XavierUniform, "{}", a.name());
    }
    for a in [
        Activation::Gelu,
        Activation::Silu,
        Activation::Relu6,
        Activation::Prelu,
    ] {
        assert_eq!(a.default_init(), Init::HeNormal, "{}", a.name());
    }
}

#[test]
fn prelu_slope_is_a_trained_parameter() {
    let mlp: Mlp<f64> = Mlp::new(2).hidden(3, Activation::Prelu).output(1);
    let names: Vec<&str> = mlp.params().iter().map(|(n, _)| n).collect();
    let slope = names
        .iter()
        .position(|n| n.ends_with("weight") && n.starts_with('1'));
    let slope = slope.unwrap_or_else(|| panic!("no PReLU weight among {names:?}"));
    let (_, info) = mlp.params().iter().nth(slope).unwrap();
    assert_eq!(mlp.params().values()[info.range()], [0.25; 3]);
    assert!(mlp.torch_equivalent().contains("nn.PReLU(3)"));
    assert_eq!(Activation::Prelu.param_shapes(3), [("weight", [3])]);
}
