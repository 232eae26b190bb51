import { describe, expect, it } from "vitest";
import { createTrajectory, gradientFlow, smallInitFlow, trajectoryColumns } from "../../src/dynamics/index.js";
import type { Objective } from "../../src/model/objective.js";
import { quadratic, testVector, threeLayerLinear, twoLayer } from "./objectives.js";

// Regression data: 6 points in R³, y = x₁ − 0.5x₂ + noise. Square loss (sum).
const d = 3;
const n = 6;
const X: number[][] = [];
const Y: number[] = [];
const rv = testVector(n * d + n, 5);
for (let i = 0; i < n; i++) {
  X.push([rv[i * d], rv[i * d + 1], rv[i * d + 2]]);
  Y.push(X[i][0] - 0.5 * X[i][1] + 0.3 * rv[n * d + i]);
}
// For the two-layer linear net the NCF is 𝒩(θ) = Σ_j v_j w_jᵀb with b = Σ_i y_i x_i; its Hessian
// has top eigenvalue ‖b‖, so near 0 the norm grows like e^{‖b‖t} once aligned and the escape
// time shifts by exactly log(δ₁/δ₂)/‖b‖ between two initial scales.
const b = [0, 1, 2].map((k) => X.reduce((s, x, i) => s + Y[i] * x[k], 0));
const normB = Math.hypot(...b);

const lin2 = twoLayer(X, Y, 4, 1);
const leaky2 = twoLayer(X, Y, 4, 0.2);
const w2 = testVector(lin2.dim, 9);
const lin3 = threeLayerLinear(X, Y, 3);
const w3 = testVector(lin3.dim, 4);

function compare(a: { theta: Float64Array; u: Float64Array; s: number }, p: Float64Array) {
  const np = Math.hypot(...p);
  let e = 0;
  let c = 0;
  for (let i = 0; i < p.length; i++) {
    e += (a.theta[i] - p[i]) ** 2;
    c += (a.u[i] * p[i]) / np;
  }
  return { rel: Math.sqrt(e) / np, oneMinusCos: 1 - c, ds: a.s - Math.log(np) };
}

/** Plain DOPRI5 flow from θ(0) = δ·w0, with atol at the scale of θ. */
function plain(obj: Objective, w0: Float64Array, delta: number, T: number) {
  return gradientFlow(obj, w0.map((x) => delta * x), { stop: { maxTime: T }, rtol: 1e-10, atol: delta * 1e-14 });
}

describe("smallInitFlow, L = 2: the rescaled (s, u) flow equals the plain flow", () => {
  for (const [name, obj, tol] of [["two-layer linear", lin2, 1e-8], ["two-layer leaky ReLU (a = 0.2)", leaky2, 1e-7]] as const) {
    it(`${name}, δ = 1e-20: same trajectory before, at and after the escape`, () => {
      const delta = 1e-20;
      // Switch time, checked against the plain flow's crossing of ‖θ‖ = 1e-3 (located as an event).
      const sw = smallInitFlow(obj, w2, { delta, rtol: 1e-10, stop: { maxSteps: 1e5, lossBelow: 2 } });
      expect(sw.switched).toBe(true);
      expect(sw.timeMode).toBe("physical");
      const ev = gradientFlow(obj, w2.map((x) => delta * x), {
        rtol: 1e-10, atol: delta * 1e-14, stop: { maxTime: 1e3 },
        dopri5: { events: [{ g: (_t, y) => Math.log(Math.hypot(...y)) - Math.log(1e-3), direction: 1, terminal: true }] },
      });
      expect(ev.stop).toBe("event");
      expect(Math.abs(ev.t - sw.tSwitch) / sw.tSwitch).toBeLessThan(1e-9); // observed 1.5e-11
      for (const f of [0.3, 0.9, 1.0, 1.1, 1.3, 2]) {
        const T = f * sw.tSwitch;
        const a = smallInitFlow(obj, w2, { delta, rtol: 1e-10, stop: { maxTime: T } });
        const p = plain(obj, w2, delta, T);
        expect(a.t).toBe(T);
        expect(p.t).toBe(T);
        if (f !== 1) expect(a.switched).toBe(f > 1); // at f = 1 the two terminal events tie
        const c = compare(a, p.theta);
        // observed: rel ≤ 6e-10 (linear), 7e-9 (leaky); |Δs| ≤ 7e-10; 1 − cos ≤ 2e-15
        expect(c.rel).toBeLessThan(tol);
        expect(Math.abs(c.ds)).toBeLessThan(1e-8);
        expect(Math.abs(c.oneMinusCos)).toBeLessThan(1e-12);
        expect(Math.abs(a.logLoss - p.logLoss)).toBeLessThan(1e-8);
      }
    });
  }

  it("δ = 1e-80 and 1e-200: no underflow, no NaN, ‖θ‖ tracked as s; the escape shifts by log(δ₁/δ₂)/‖b‖", () => {
    const tSwitch: number[] = [];
    for (const logDelta of [Math.log(1e-20), Math.log(1e-80), -200 * Math.LN10]) {
      const tr = createTrajectory();
      const r = smallInitFlow(lin2, w2, { logDelta, rtol: 1e-10, stop: { lossBelow: 0.0447 }, trajectory: tr });
      expect(r.stop).toBe("loss");
      expect(r.switched).toBe(true);
      tSwitch.push(r.tSwitch);
      const c = trajectoryColumns(tr);
      // log ‖θ(0)‖ = log δ + log ‖w0‖, exactly, even where δ·w0 or δ² would underflow.
      expect(c.logNorm[0]).toBeCloseTo(logDelta + Math.log(Math.hypot(...w2)), 12);
      for (const col of [c.t, c.logLoss, c.loss, c.logNorm, c.gradNorm]) expect(col.every(Number.isFinite)).toBe(true);
      expect(c.gradNorm.every((g) => g >= 0)).toBe(true);
      // The initial loss is ½Σy² (outputs ~ δ² are invisible), the final one the least-squares level.
      expect(c.loss[0]).toBeCloseTo(0.5 * Y.reduce((s, y) => s + y * y, 0), 12);
      expect(r.loss).toBeLessThan(0.0447);
      // The switch sample is recorded, at ‖θ‖ = 1e-3.
      const k = c.phase.indexOf(1);
      expect(k).toBeGreaterThan(0);
      expect(c.logNorm[k - 1]).toBeCloseTo(Math.log(1e-3), 9);
    }
    // Δt = log(δ₁/δ₂)/‖b‖ (scale equivariance of the flow near 0): observed errors 2e-11, 4e-11.
    expect(Math.abs(tSwitch[1] - tSwitch[0] - (60 * Math.LN10) / normB)).toBeLessThan(1e-8);
    expect(Math.abs(tSwitch[2] - tSwitch[0] - (180 * Math.LN10) / normB)).toBeLessThan(1e-8);
  });

  it("plain: false stays in (s, u) to the end and reaches the same limit", () => {
    const a = smallInitFlow(lin2, w2, { delta: 1e-80, rtol: 1e-10, stop: { maxTime: 200 }, plain: false });
    const p = smallInitFlow(lin2, w2, { delta: 1e-80, rtol: 1e-10, stop: { maxTime: 200 } });
    expect(a.switched).toBe(false);
    expect(p.switched).toBe(true);
    expect(Math.abs(a.s - p.s)).toBeLessThan(1e-9);
    expect(compare(a, p.theta).rel).toBeLessThan(1e-8);
  });
});

describe("smallInitFlow, L = 3: reparametrised time dτ = e^{(L−2)s} dt", () => {
  it("δ = 1e-6: same trajectory as the plain flow (t ≈ 5e5 at the escape) and after the switch", () => {
    const delta = 1e-6;
    const sw = smallInitFlow(lin3, w3, { delta, rtol: 1e-10, stop: { lossBelow: 2 } });
    expect(sw.timeMode).toBe("reparametrised");
    expect(sw.switched).toBe(true);
    expect(sw.tSwitch).toBeGreaterThan(1e5);
    expect(Math.log(sw.tSwitch)).toBeCloseTo(sw.logTSwitch, 12);
    for (const T of [0.3 * sw.tSwitch, 0.9 * sw.tSwitch, sw.tSwitch, sw.tSwitch + 2, sw.tSwitch + 10]) {
      const a = smallInitFlow(lin3, w3, { delta, rtol: 1e-10, stop: { maxTime: T } });
      const p = plain(lin3, w3, delta, T);
      expect(Math.abs(a.t - T)).toBeLessThan(1e-9 * T); // maxTime is a terminal event on w = t·e^{(L−2)s₀}
      expect(compare(a, p.theta).rel).toBeLessThan(1e-7); // observed ≤ 7.5e-9
      expect(Math.abs(a.logLoss - p.logLoss)).toBeLessThan(1e-7);
    }
  });

  it("δ = 1e-20 vs 1e-80: the escape time scales like δ^{−(L−2)} (log t shifts by 60 ln 10), all finite", () => {
    const logT: number[] = [];
    for (const delta of [1e-20, 1e-80]) {
      const tr = createTrajectory();
      const r = smallInitFlow(lin3, w3, { delta, rtol: 1e-10, stop: { lossBelow: 0.0447 }, trajectory: tr });
      expect(r.stop).toBe("loss");
      expect(r.switched).toBe(true);
      logT.push(r.logTSwitch);
      const c = trajectoryColumns(tr);
      for (const col of [c.logT.slice(1), c.logLoss, c.logNorm]) expect(col.every(Number.isFinite)).toBe(true);
      // After the switch, t ≈ t_switch cannot resolve the O(1) dynamics; tPhase = t − t_switch does.
      const post = c.tPhase.filter((_, i) => c.phase[i] === 1);
      expect(post.length).toBeGreaterThan(5);
      for (let i = 1; i < post.length; i++) expect(post[i]).toBeGreaterThan(post[i - 1]);
      expect(post[post.length - 1]).toBeLessThan(1e3);
    }
    // In τ the rescaled dynamics do not depend on δ (up to O(δ³)), and t = δ^{−1}·F(τ) with F
    // converging: log t_switch(1e-80) − log t_switch(1e-20) = 60 ln 10 to rounding.
    expect(Math.abs(logT[1] - logT[0] - 60 * Math.LN10)).toBeLessThan(1e-8);
  });
});

describe("smallInitFlow: input checks", () => {
  it("needs a homogeneous objective with evaluateScaled and a scale", () => {
    expect(() => smallInitFlow(quadratic([[1]]), new Float64Array([1]), { delta: 1e-3 })).toThrow(/homogeneous/);
    expect(() => smallInitFlow(lin2, w2, {})).toThrow(/delta/);
    expect(() => smallInitFlow(lin2, new Float64Array(lin2.dim), { delta: 1e-3 })).toThrow(/nonzero/);
  });
});
