import { describe, expect, it } from "vitest";
import { gradientDescent } from "../../src/dynamics/index.js";
import { makeObjective } from "../../src/model/index.js";
import { commutationRun, paperData, paperModel, roundingLevel, UNIT_ROUNDOFF } from "../../src/reproduce/index.js";
import { cycledBatches, HALF_SPLIT, splitEveryUnit } from "../../src/reproduce/reproductions/embedding.js";
import { applyEmbedding } from "../../src/splitting/index.js";

const data = paperData("embedding-separable-data.json");
const start = paperModel("embedding-separable-init.json");
const T = splitEveryUnit(start.arch, 1);

describe("commutationRun (the embedding notebooks' side-by-side loop)", () => {
  it("the narrow run is plain GD: the same iterates as dynamics' gradientDescent, bit for bit, and its losses", () => {
    const r = commutationRun(T, data, start.theta, { loss: "exponential", lr: 0.1, steps: 300 });
    const losses: number[] = [];
    const gd = gradientDescent(makeObjective(start.arch, data, "exponential", { mean: true }), start.theta, {
      lr: 0.1, stop: { maxSteps: 300 }, onStep: (p) => { losses.push(p.loss); },
    });
    expect(Array.from(r.theta)).toEqual(Array.from(gd.theta));
    expect(Array.from(r.loss)).toEqual(losses);
  });

  it("the split uses the notebooks' c = 1/√2 (not SQRT1_2) and starts the wide net at Tθ₀ (e₀ = 0)", () => {
    expect(HALF_SPLIT[0]).toBe(1 / Math.sqrt(2));
    expect(T.scale.every((c) => c === 1 / Math.sqrt(2))).toBe(true);
    const r = commutationRun(T, data, start.theta, { loss: "exponential", lr: 0.1, steps: 10 });
    expect(r.error[0]).toBe(0);
  });

  it("identical batches: the error stays at rounding level; different batches or a perturbed start: it does not", () => {
    const perm = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    const same = cycledBatches(perm, 16);
    const other = cycledBatches([...perm].reverse(), 16);
    const K = 3000;
    const ok = commutationRun(T, data, start.theta, { loss: "exponential", lr: 0.1, steps: K, batches: { narrow: same, wide: same }, lossEvery: 7 });
    const maxOk = Math.max(...ok.error);
    expect(maxOk).toBeGreaterThan(0); // roundings do differ …
    expect(maxOk).toBeLessThanOrEqual(roundingLevel(K, ok.maxNorm)); // … at rounding level
    const bad = commutationRun(T, data, start.theta, { loss: "exponential", lr: 0.1, steps: K, batches: { narrow: same, wide: other }, lossEvery: 7 });
    expect(Math.max(...bad.error)).toBeGreaterThan(1e6 * roundingLevel(K, bad.maxNorm));
    // a wide start off Tθ₀ by 1e-9 is remembered (the error starts there and does not vanish)
    const eta0 = applyEmbedding(T, start.theta).map((v, i) => v + (i === 0 ? 1e-9 : 0));
    const off = commutationRun(T, data, start.theta, { loss: "exponential", lr: 0.1, steps: 50, eta0 });
    expect(off.error[0]).toBeCloseTo(1e-9, 15); // up to the rounding of η₀ + 1e-9
    expect(off.error[50]).toBeGreaterThan(1e-12);
  });

  it("SGD records the full-batch loss every lossEvery steps only; the rounding level is 10·√K·2⁻⁵³·max‖θ‖", () => {
    const b = cycledBatches(Array.from({ length: 100 }, (_, i) => i), 16);
    const r = commutationRun(T, data, start.theta, { loss: "exponential", lr: 0.1, steps: 21, batches: { narrow: b, wide: b }, lossEvery: 7 });
    expect([0, 7, 14, 21].every((k) => Number.isFinite(r.loss[k]))).toBe(true);
    expect(Number.isNaN(r.loss[1]) && Number.isNaN(r.loss[20])).toBe(true);
    expect(roundingLevel(100, 3)).toBe(10 * 10 * UNIT_ROUNDOFF * 3);
    expect(UNIT_ROUNDOFF).toBe(2 ** -53);
  });

  it("cycledBatches replays the first epoch: batch k is batch k mod ⌈n/B⌉, the last one short", () => {
    const b = cycledBatches(Array.from({ length: 100 }, (_, i) => 99 - i), 16);
    expect(Array.from(b(0))).toEqual(Array.from({ length: 16 }, (_, i) => 99 - i));
    expect(b(6).length).toBe(4);
    expect(Array.from(b(7))).toEqual(Array.from(b(0)));
  });
});
