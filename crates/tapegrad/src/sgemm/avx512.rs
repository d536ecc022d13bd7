//! The AVX-512F kernel: a 12 × 32 tile in 24 `zmm` accumulators (27 of the
//! 32 registers in use).

use std::arch::x86_64::{
    __m512, _mm512_add_ps, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_set1_ps, _mm512_setzero_ps,
    _mm512_storeu_ps, _mm_prefetch, _MM_HINT_T0,
};

super::register_tile::register_tile!(
    /// The AVX-512F kernel (`f32`, 16 lanes).
    Avx512, feature: "avx512f", vector: __m512, lanes: 16, rows: 12,
    setzero: _mm512_setzero_ps, load: _mm512_loadu_ps, store: _mm512_storeu_ps,
    set1: _mm512_set1_ps, fma: _mm512_fmadd_ps, add: _mm512_add_ps
);
