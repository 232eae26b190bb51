/**
 * The inner Hessian against independent computations on the wide network:
 *  - the second-order expansion of the loss along a child-splitting direction (symmetric second
 *    differences of L at θ_λ): L(θ_λ ± tΔ) − L* = ½t²·λ(1 − λ)uᵀH_ju + O(t⁴);
 *  - the dense Hessian of the wide network restricted to the ξ directions (δ_1, δ_2) =
 *    ((1 − λ)e_s, −λe_s): exactly λ(1 − λ)H_j (Fukumizu–Amari), at any θ and for any loss.
 */
import { describe, expect, it } from "vitest";
import { fromRows } from "../../src/linalg/index.js";
import { evaluateLoss, hessian, makeActivation, twoLayerArchitecture, type LossName, type Model } from "../../src/model/index.js";
import { innerHessian, splitUnitCopyDivide } from "../../src/plateau/index.js";
import { designed } from "./cases.js";

/** Direction in the wide θ moving child inputs by δ_1 = (1 − λ)u (unit j) and δ_2 = −λu (unit m). */
function splitDirection(wide: Model, m: number, unit: number, lambda: number, u: Float64Array): Float64Array {
  const arch = wide.arch;
  if (arch.kind !== "two-layer") throw new Error("two-layer expected");
  const { d } = arch;
  const M = m + 1;
  const v = new Float64Array(wide.theta.length);
  const bOff = M * d + M;
  for (const [c, f] of [[unit, 1 - lambda], [m, -lambda]] as const) {
    for (let s = 0; s < d; s++) v[c * d + s] = f * u[s];
    if (arch.inputBias) v[bOff + c] = f * u[d];
  }
  return v;
}

describe("inner Hessian H_j", () => {
  for (const inputBias of [false, true]) {
    it(`matches the second-order expansion of the wide loss along ξ (finite differences${inputBias ? ", biases" : ""})`, () => {
      const c = designed("indefinite", "minimum", { inputBias, seed: inputBias ? 7 : 3 });
      const H = innerHessian(c.model, c.data, "square", 0);
      const dt = H.dim;
      const m = 3;
      for (const lambda of [0.3, -0.4, 1.7]) {
        const wide = splitUnitCopyDivide(c.model, 0, [lambda, 1 - lambda]);
        const L0 = evaluateLoss(wide, c.data, "square").loss;
        for (let trial = 0; trial < dt; trial++) {
          const u = new Float64Array(dt).map((_, s) => Math.cos(1.3 * s + 0.7 * trial + 0.2));
          const v = splitDirection(wide, m, 0, lambda, u);
          let uHu = 0;
          for (let s = 0; s < dt; s++) for (let r = 0; r < dt; r++) uHu += u[s] * H.matrix.data[s * dt + r] * u[r];
          const expected = lambda * (1 - lambda) * uHu;
          const at = (s: number): number => evaluateLoss({ arch: wide.arch, theta: wide.theta.map((x, i) => x + s * v[i]) }, c.data, "square").loss;
          const D = (t: number): number => (at(t) + at(-t) - 2 * L0) / (t * t);
          // D(t) = λ(1 − λ)uᵀH_ju + c₄t² + O(t⁴); Richardson (4D(t/2) − D(t))/3 removes c₄t², which
          // can be 10² times the quadratic coefficient here. Left: O(t⁴) ≈ 1e-10 relative and the
          // rounding of D(1e-3), 4ε·L/t² ≈ 2e-9 absolute for L ≈ 2.
          const second = (4 * D(1e-3) - D(2e-3)) / 3;
          expect(Math.abs(second - expected)).toBeLessThan(1e-6 * Math.abs(expected) + 2e-8);
        }
      }
    });
  }

  const losses: LossName[] = ["square", "logistic", "exponential"];
  for (const loss of losses) {
    it(`equals the wide Hessian restricted to the ξ directions divided by λ(1 − λ) (${loss}, any θ)`, () => {
      const arch = twoLayerArchitecture({ d: 3, m: 4, activation: makeActivation("softplus"), inputBias: true, outputBias: true });
      const theta = Float64Array.from({ length: 4 * 3 + 4 + 4 + 1 }, (_, i) => Math.sin(1.7 * i + 0.3));
      const model: Model = { arch, theta };
      const X = fromRows(Array.from({ length: 9 }, (_, i) => [Math.cos(i), Math.sin(2 * i), 0.3 * i - 1]));
      const Y = { rows: 9, cols: 1, data: Float64Array.from({ length: 9 }, (_, i) => (i % 3 === 0 ? 1 : -1)) };
      const data = { X, Y };
      const unit = 2;
      const H = innerHessian(model, data, loss, unit);
      const dt = H.dim;
      expect(dt).toBe(4);
      for (const lambda of [0.25, -0.6]) {
        const wide = splitUnitCopyDivide(model, unit, [lambda, 1 - lambda]);
        const Hw = hessian(wide, data, loss);
        const p = Hw.rows;
        const V: Float64Array[] = [];
        for (let s = 0; s < dt; s++) {
          const e = new Float64Array(dt);
          e[s] = 1;
          V.push(splitDirection(wide, 4, unit, lambda, e));
        }
        let scale = 0;
        for (let s = 0; s < dt * dt; s++) scale = Math.max(scale, Math.abs(H.matrix.data[s]));
        for (let s = 0; s < dt; s++) {
          for (let r = 0; r < dt; r++) {
            let q = 0;
            for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) q += V[s][i] * Hw.data[i * p + j] * V[r][j];
            const expected = lambda * (1 - lambda) * H.matrix.data[s * dt + r];
            expect(Math.abs(q - expected)).toBeLessThan(1e-11 * Math.max(1, Math.abs(lambda * (1 - lambda)) * scale));
          }
        }
      }
    });
  }

  it("has the sign convention r = f − y: flipping the residual sign flips H_j", () => {
    const c = designed("positive-definite");
    const H = innerHessian(c.model, c.data, "square", 0);
    expect(H.inertia.inertia).toEqual({ positive: 2, negative: 0, zero: 0 });
    const flipped = { ...c.data, Y: { ...c.data.Y, data: c.data.Y.data.map((y, i) => y + 2 * c.residual[i]) } };
    const Hf = innerHessian(c.model, flipped, "square", 0);
    for (let i = 0; i < 4; i++) expect(Hf.matrix.data[i]).toBeCloseTo(-H.matrix.data[i], 12);
  });
});
