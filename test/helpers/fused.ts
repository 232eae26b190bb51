// The cases of test/linalg/fused.test.ts, shared with its child process (fusedChild.ts).
import type { gemmRawWasm } from "../../src/linalg/gemm.js";
import { paramCount, twoLayerArchitecture, makeActivation } from "../../src/model/index.js";
import { createTwoLayerWasm, twoLayerWasmBind, twoLayerWasmLossGradient } from "../../src/model/twoLayerWasm.js";
import { lcg } from "../model/reference.js";

/**
 * The 1×1 product C = a₀b₀ + a₁b₁ with a = (−1, 1 + 2⁻³⁰), b = (1, 1 − 2⁻³⁰) on the wasm
 * kernel. Exactly, a₁b₁ = 1 − 2⁻⁶⁰, so C = −2⁻⁶⁰. The micro-kernel accumulates in k order:
 * fused, fma(a₁, b₁, −1) rounds once and gives −2⁻⁶⁰; separate, a₁b₁ first rounds to 1 and
 * C = 0.
 */
export function fusedProbe(gemm: typeof gemmRawWasm): number {
  const a = Float64Array.of(-1, 1 + 2 ** -30);
  const b = Float64Array.of(1, 1 - 2 ** -30);
  const c = new Float64Array(1);
  if (!gemm(false, false, 1, 1, 2, 1, a, 0, 2, b, 0, 1, 0, c, 0, 1)) throw new Error("wasm gemm unavailable");
  return c[0];
}

/** Entries of a 37×29×53 product: the sizes leave edge tiles in both directions. */
export const PRODUCT = { m: 37, n: 29, k: 53 };

/** The operands of the product case (uniform in (−1, 1), fixed seeds). */
export function productOperands(): { a: Float64Array; b: Float64Array } {
  const u = lcg(7);
  const { m, n, k } = PRODUCT;
  return { a: Float64Array.from({ length: m * k }, u), b: Float64Array.from({ length: k * n }, u) };
}

/** C = A·B of productOperands on the wasm kernel. */
export function fusedCaseProduct(gemm: typeof gemmRawWasm): Float64Array {
  const { m, n, k } = PRODUCT;
  const { a, b } = productOperands();
  const c = new Float64Array(m * n);
  if (!gemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n)) throw new Error("wasm gemm unavailable");
  return c;
}

/** The two-layer case: d = 7, m = 24 ReLU neurons, 300 samples with ±1 labels, fixed seeds. */
export function gradientCase() {
  const arch = twoLayerArchitecture({ d: 7, m: 24, activation: makeActivation("relu") });
  const n = 300;
  const u = lcg(11);
  const X = Float64Array.from({ length: n * arch.d }, u);
  const Y = Float64Array.from({ length: n }, () => (u() < 0 ? -1 : 1));
  const theta = Float64Array.from({ length: paramCount(arch) }, () => u() / Math.sqrt(arch.d));
  return { arch, n, X, Y, theta };
}

/** The mean logistic loss's gradient of gradientCase on the wasm two-layer step. */
export function fusedCaseGradient(): Float64Array {
  const { arch, n, X, Y, theta } = gradientCase();
  const w = createTwoLayerWasm(arch, n);
  if (w === null) throw new Error("wasm two-layer step unavailable");
  twoLayerWasmBind(w, X, Y, n);
  const g = new Float64Array(paramCount(arch));
  twoLayerWasmLossGradient(w, theta, X, Y, n, "logistic", true, 0, g);
  return g;
}
