//! An `Embedding` layer reads its row indices from a float input, so a
//! table with more rows than the float type counts exactly (2²⁴ in f32)
//! is refused instead of silently picking neighbouring rows.

use tapegrad::Tensor;
use tapegrad_nn::{Embedding, Model};

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let e = std::panic::catch_unwind(f).expect_err("must panic");
    e.downcast_ref::<String>().cloned().unwrap_or_else(|| {
        e.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default()
    })
}

#[test]
fn an_f32_table_beyond_two_to_the_24_rows_is_refused() {
    let rows = (1 << 24) + 2;
    let m = Model::<f32, _>::build(0, |s| Embedding::new(s, rows, 1));
    let msg = panic_message(|| {
        let _ = m.predict(&Tensor::from_vec(vec![3.0], [1]));
    });
    assert!(
        msg.contains("Embedding") && msg.contains("integer Indices"),
        "{msg}"
    );
    assert!(msg.contains("embedding_rows.rs"), "{msg}");
}

#[test]
fn the_same_table_in_f64_names_every_row() {
    let rows = (1 << 24) + 2;
    let m = Model::<f64, _>::build(0, |s| Embedding::new(s, rows, 1));
    let y = m.predict(&Tensor::from_vec(vec![16_777_217.0, 16_777_216.0], [2]));
    assert_ne!(
        y.data()[0],
        y.data()[1],
        "rows 2^24 + 1 and 2^24 are distinct"
    );
}
