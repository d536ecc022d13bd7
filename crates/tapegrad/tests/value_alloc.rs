//! `Tensor`'s value math reuses one scratch tape per thread: after the first
//! call, an op allocates only its result, never a tape.
//!
//! The counting allocator sees every thread of this binary, so the file
//! holds a single `#[test]`.

use tapegrad::Tensor;

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

#[test]
fn repeated_value_ops_allocate_only_their_results() {
    let a = Tensor::<f32>::arange(12).reshape([3, 4]);
    let b = Tensor::<f32>::ones([4]);
    let _ = &a + &b; // warm-up: builds and pools the tape
    let _ = a.sum_axis(0, false);
    let _ = a.matmul(&a.clone().reshape([4, 3]));
    let before = counting_alloc::allocations();
    for _ in 0..100 {
        let c = &a + &b;
        assert_eq!(c.numel(), 12);
    }
    let adds = counting_alloc::allocations() - before;
    assert_eq!(adds, 100, "one allocation (the result's data) per op");
    let before = counting_alloc::allocations();
    for _ in 0..100 {
        let s = a.sum_axis(0, false);
        assert_eq!(s.numel(), 4);
    }
    assert_eq!(counting_alloc::allocations() - before, 100);
}
