//! The AVX2 + FMA kernel: a 6 × 16 tile in 12 `ymm` accumulators (15 of the
//! 16 registers in use).

use std::arch::x86_64::{
    __m256, _mm256_add_ps, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_set1_ps, _mm256_setzero_ps,
    _mm256_storeu_ps, _mm_prefetch, _MM_HINT_T0,
};

super::register_tile::register_tile!(
    /// The AVX2 + FMA kernel (`f32`, 8 lanes).
    Avx2Fma, feature: "avx2,fma", vector: __m256, lanes: 8, rows: 6,
    setzero: _mm256_setzero_ps, load: _mm256_loadu_ps, store: _mm256_storeu_ps,
    set1: _mm256_set1_ps, fma: _mm256_fmadd_ps, add: _mm256_add_ps
);
