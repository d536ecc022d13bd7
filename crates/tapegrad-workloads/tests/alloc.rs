//! Heap allocations per warmed-up step of every workload.
//!
//! Products of 2¹⁸ multiply-adds or more run in the `gemm` crate, which
//! allocates its packing buffers on every call; everything else (the tape,
//! the ops, the backward pass, the small-product kernel) allocates nothing
//! once warmed up. So W1, W3, W4 and W5 must allocate nothing, and W2 must
//! allocate exactly what its eight GEMMs alone allocate (W2's step with the
//! GEMMs removed allocates nothing).
//!
//! The counting allocator sees every thread of this binary, so the file
//! holds a single `#[test]` and nothing else runs while it measures.

use tapegrad_workloads::{build, Name};

#[path = "../../tapegrad/tests/support/counting_alloc.rs"]
mod counting_alloc;

/// Allocations of one step after `warmup` steps, the fewest over 3 steps
/// (a rayon worker may allocate once when it first parks).
fn allocations_per_step(name: Name) -> usize {
    let mut w = build::<f32>(name);
    for _ in 0..3 {
        w.step();
    }
    (0..3)
        .map(|_| {
            let before = counting_alloc::allocations();
            w.step();
            counting_alloc::allocations() - before
        })
        .min()
        .expect("three steps")
}

#[test]
fn warmed_up_steps_allocate_nothing_outside_gemm() {
    let counts: Vec<(Name, usize)> = Name::ALL
        .into_iter()
        .map(|n| (n, allocations_per_step(n)))
        .collect();
    eprintln!("allocations per step: {counts:?}");
    let of = |name: Name| {
        counts
            .iter()
            .find(|(n, _)| *n == name)
            .expect("every name")
            .1
    };
    let gemm_free = [
        Name::MicrogradDemo,
        Name::MicrogradDemoTensor,
        Name::OnlineTiny,
        Name::DeepNarrow,
        Name::ScalarChain,
    ];
    let allocating: Vec<_> = gemm_free
        .iter()
        .map(|&n| (n, of(n)))
        .filter(|(_, c)| *c > 0)
        .collect();
    assert!(allocating.is_empty(), "allocating steps: {allocating:?}");
    assert_eq!(
        of(Name::MlpLarge),
        of(Name::MlpLargeGemmOnly),
        "W2 allocates outside its GEMMs"
    );
}
