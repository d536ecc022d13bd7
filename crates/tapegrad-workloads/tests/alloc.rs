//! Heap allocations per warmed-up step of every workload.
//!
//! On x86-64 with AVX2 or AVX-512, `f32` products of every size run in
//! tapegrad's own kernel, which keeps its packing buffers per thread, so W2
//! and its GEMMs alone must allocate nothing there too. Elsewhere products
//! of 2¹⁸ multiply-adds or more run in the `gemm` crate, which allocates
//! its packing buffers on every call; then W2 must allocate exactly what
//! its eight GEMMs alone allocate (W2's step with the GEMMs removed
//! allocates nothing).
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
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f")
        || (std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma"))
    {
        assert_eq!(of(Name::MlpLarge), 0, "W2 allocates in its GEMMs");
    }
}
