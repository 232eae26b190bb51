/**
 * Losses in log space: exact log ℒ where ℒ underflows (margins 1e3, losses below 1e-300), no NaN
 * or Inf, derivative outputs vs finite differences, and the shares / normalised output gradient.
 * Tolerances: "exact" cases use toBe (the value is formed by the same two roundings as the
 * expected expression); others 1e-14 relative (a few roundings) or 1e-9 for finite differences.
 */
import { describe, expect, it } from "vitest";
import {
  LOSS_NAMES, logLossOnOutputs, logLossTerm, lossOnOutputs, lossShares, lossTerm, normalizedOutputGradient, type LossName,
} from "../../src/model/index.js";
import { fd8 } from "./reference.js";

describe("log-space losses", () => {
  it("exponential loss, all margins 1000: ℒ underflows, log ℒ = log n − 1000 exactly", () => {
    for (const n of [1, 7, 49, 1000]) {
      const F = new Float64Array(n).fill(1000);
      const Y = new Float64Array(n).fill(1);
      const dF = new Float64Array(n);
      const d2F = new Float64Array(n);
      const r = lossOnOutputs("exponential", F, Y, n, 1, false, dF, d2F);
      expect(r.loss).toBe(0);
      expect(r.logLoss).toBe(-1000 + Math.log(n));
      expect(dF.every((v) => v === 0 && Number.isFinite(v))).toBe(true);
      const m = lossOnOutputs("exponential", F, Y, n, 1, true, null, null);
      expect(m.logLoss).toBe(-1000); // mean: log((n·e^{−1000})/n)
    }
  });
  it("logistic loss at margins ±1000 and mixed", () => {
    const F = Float64Array.from([1000, -1000, 2000]);
    const Y = Float64Array.from([1, -1, 1]);
    const r = lossOnOutputs("logistic", F, Y, 3, 1, false, null, null);
    expect(r.loss).toBe(0);
    expect(r.logLoss).toBe(-1000 + Math.log(2)); // e^{−1000} + e^{−1000} + e^{−2000}
    const neg = lossOnOutputs("logistic", Float64Array.from([-1000]), Float64Array.from([1]), 1, 1, false, null, null);
    expect(neg.loss).toBe(1000);
    expect(neg.logLoss).toBe(Math.log(1000));
    // a moderate margin: log ℓ(q) = log log1p(e^{−q}) to full precision
    expect(Math.abs(logLossTerm("logistic", 30, 1) - Math.log(Math.log1p(Math.exp(-30))))).toBeLessThan(1e-13);
  });
  it("exponential loss at margins −1000 overflows ℒ but keeps log ℒ", () => {
    const r = lossOnOutputs("exponential", Float64Array.from([-1000, 3]), Float64Array.from([1, 1]), 2, 1, false, null, null);
    expect(r.loss).toBe(Infinity);
    expect(r.logLoss).toBe(1000);
  });
  it("square loss below 1e-300 keeps an accurate log", () => {
    const n = 5;
    // residuals r_i = (i+1)·1e-160: ℒ = ½ Σ r_i² = 27.5e-320, far below the smallest normal double
    const F = Float64Array.from({ length: n }, (_, i) => (i + 1) * 1e-160);
    const Y = new Float64Array(n);
    const r = lossOnOutputs("square", F, Y, n, 1, false, null, null);
    expect(Number.isFinite(r.logLoss)).toBe(true);
    let want = 0;
    for (let i = 0; i < n; i++) want += 0.5 * (F[i] / 1e-160) ** 2; // = 27.5 up to rounding
    expect(Math.abs(r.logLoss - (Math.log(want) - 320 * Math.LN10))).toBeLessThan(1e-12);
    const exact = lossOnOutputs("square", Y, Y, n, 1, false, null, null);
    expect(exact.loss).toBe(0);
    expect(exact.logLoss).toBe(-Infinity);
  });
  it("direct and log-space paths agree where both are valid", () => {
    for (const name of LOSS_NAMES) {
      const F = Float64Array.from([0.3, -1.2, 2.5, 4, -0.1, 7]);
      const Y = name === "square" ? Float64Array.from([0.1, 0.2, -0.3, 1, 2, 6]) : Float64Array.from([1, -1, 1, 1, -1, -1]);
      for (const mean of [false, true]) {
        const r = lossOnOutputs(name, F, Y, 3, 2, mean, null, null);
        expect(Math.abs(r.logLoss - logLossOnOutputs(name, F, Y, 3, 2, mean))).toBeLessThan(1e-14 * Math.max(1, Math.abs(r.logLoss)));
        let sum = 0;
        for (let t = 0; t < 6; t++) sum += lossTerm(name, F[t], Y[t]);
        expect(Math.abs(r.loss - (mean ? sum / 3 : sum))).toBeLessThan(1e-14 * sum);
      }
    }
  });
});

describe("output derivatives", () => {
  const cases: [LossName, number, number][] = [
    ["logistic", 0.7, 1], ["logistic", -2.3, 1], ["logistic", 1.9, -1], ["exponential", 0.4, -1],
    ["exponential", -1.5, 1], ["square", 0.3, -0.8], ["square", 2, 2.5],
  ];
  it.each(cases)("%s at f = %d, y = %d", (name, f, y) => {
    const dF = new Float64Array(1);
    const d2F = new Float64Array(1);
    lossOnOutputs(name, Float64Array.of(f), Float64Array.of(y), 1, 1, false, dF, d2F);
    const g = fd8((t) => lossTerm(name, f + t, y), 1e-3);
    const h = fd8((t) => {
      const o = new Float64Array(1);
      lossOnOutputs(name, Float64Array.of(f + t), Float64Array.of(y), 1, 1, false, o, null);
      return o[0];
    }, 1e-3);
    expect(Math.abs(dF[0] - g)).toBeLessThan(1e-10);
    expect(Math.abs(d2F[0] - h)).toBeLessThan(1e-10);
    // mean scales by 1/n
    const dm = new Float64Array(2);
    lossOnOutputs(name, Float64Array.of(f, f), Float64Array.of(y, y), 2, 1, true, dm, null);
    expect(Math.abs(dm[0] - dF[0] / 2)).toBeLessThan(1e-16 + 1e-15 * Math.abs(dF[0]));
  });
});

describe("loss shares and the normalised output gradient", () => {
  it("shares e^{log ℓ_i − log ℒ} sum to 1 at margins of 1e3", () => {
    const F = Float64Array.from([1000, 1001, 1003]);
    const Y = Float64Array.from([1, 1, 1]);
    const w = lossShares("exponential", F, Y, 3, 1);
    const z = 1 + Math.exp(-1) + Math.exp(-3);
    // each share is e^{(log ℓ_i) − (log ℒ)}: a few roundings, so 4e-15
    expect(Math.abs(w[0] - 1 / z)).toBeLessThan(4e-15);
    expect(Math.abs(w[1] - Math.exp(-1) / z)).toBeLessThan(4e-15);
    expect(Math.abs(w[0] + w[1] + w[2] - 1)).toBeLessThan(4e-15);
  });
  it("(∂ℒ/∂F)/ℒ is finite where both underflow, and equals the ratio where they do not", () => {
    for (const name of ["exponential", "logistic"] as const) {
      // margins 1000 and 1001: ℒ ≈ e^{−1000}(1 + e^{−1}) underflows, the ratio does not
      const big = normalizedOutputGradient(name, Float64Array.from([1000, -1001]), Float64Array.from([1, -1]), 2, 1, new Float64Array(2));
      expect(big.every(Number.isFinite)).toBe(true);
      const z = 1 + Math.exp(-1);
      expect(Math.abs(big[0] - -1 / z)).toBeLessThan(4e-15);
      expect(Math.abs(big[1] - Math.exp(-1) / z)).toBeLessThan(4e-15);
      const F = Float64Array.from([0.5, -0.2, 1.4]);
      const Y = Float64Array.from([1, -1, -1]);
      const dF = new Float64Array(3);
      const r = lossOnOutputs(name, F, Y, 3, 1, false, dF, null);
      const ng = normalizedOutputGradient(name, F, Y, 3, 1, new Float64Array(3));
      for (let t = 0; t < 3; t++) expect(Math.abs(ng[t] - dF[t] / r.loss)).toBeLessThan(1e-14);
    }
    const sq = normalizedOutputGradient("square", Float64Array.from([1 + 1e-200, 1]), Float64Array.from([1, 1]), 2, 1, new Float64Array(2));
    expect(sq[1]).toBe(0);
    expect(Number.isFinite(sq[0])).toBe(true);
  });
});
