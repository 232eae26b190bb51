// The multiply-add of the f64x2 kernels, c + a·b on two lanes, fused where the build allows.
//
// scripts/build-wasm.mjs builds gemm.ts and twolayer.ts twice: with relaxed SIMD, where
// f64x2.relaxed_madd is one fused multiply-add on hosts with FMA (x86-64 FMA3, every AArch64):
// one rounding and one instruction instead of two; and without it, a multiply then an add. The
// loader (src/linalg/kernels/wasm.ts, preferFused) runs the fused build wherever the engine
// validates it. Measured on the 2-core Intel Xeon (Sapphire Rapids class): the 4×4 micro-kernel on
// L1 data 20.1 → 24.7 GFLOP/s; mul+add issue two µops per product on its three vector ports,
// the FMA one on its two.
//
// Either build computes every result by the same operations on every thread count; the two
// builds differ from each other in the last bits (one rounding fewer per multiply-add).

/** c + a·b on two f64 lanes: fused (one rounding) in the relaxed-SIMD build, else mul then add. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}
