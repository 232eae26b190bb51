import { describe, expect, it } from "vitest";
import {
  createTrajectory,
  gradientDescent,
  gradientFlow,
  trajectoryColumns,
  type Progress,
} from "../../src/dynamics/index.js";
import type { Objective } from "../../src/model/objective.js";
import { fdGradient, logistic, quadratic, testVector, threeLayerLinear, twoLayer } from "./objectives.js";

// A = Q diag(λ) Qᵀ with Q the rotation by φ: the flow is θ(t) = Q e^{−Λt} Qᵀ θ0 and GD is
// θ_k = Q (I − ηΛ)^k Qᵀ θ0.
const phi = 0.4;
const lam = [1, 3];
const Q = [
  [Math.cos(phi), -Math.sin(phi)],
  [Math.sin(phi), Math.cos(phi)],
];
const A = [0, 1].map((i) => [0, 1].map((j) => Q[i][0] * lam[0] * Q[j][0] + Q[i][1] * lam[1] * Q[j][1]));
function spectral(theta0: Float64Array, fn: (l: number) => number): Float64Array {
  const c = [0, 1].map((k) => Q[0][k] * theta0[0] + Q[1][k] * theta0[1]);
  const out = new Float64Array(2);
  for (let i = 0; i < 2; i++) out[i] = Q[i][0] * fn(lam[0]) * c[0] + Q[i][1] * fn(lam[1]) * c[1];
  return out;
}
const theta0 = new Float64Array([1, -0.5]);
const rel = (a: Float64Array, b: Float64Array) => Math.hypot(a[0] - b[0], a[1] - b[1]) / Math.hypot(b[0], b[1]);

// Separable points for logistic regression.
const xs = [[2, 0], [0, 1], [-1, -3]];
const ys = [1, 1, -1];

describe("test objectives: hand-written gradients agree with finite differences", () => {
  const cases: [string, Objective][] = [
    ["quadratic", quadratic(A)],
    ["logistic", logistic(xs, ys)],
    ["two-layer leaky", twoLayer([[1, 0.5], [-0.3, 1], [0.7, -0.8]], [1, -0.5, 0.3], 3, 0.2)],
    ["three-layer linear", threeLayerLinear([[1, 0.5], [-0.3, 1], [0.7, -0.8]], [1, -0.5, 0.3], 2)],
  ];
  for (const [name, obj] of cases) {
    it(name, () => {
      const th = testVector(obj.dim, 7);
      const g = new Float64Array(obj.dim);
      obj.evaluate(th, g);
      const fd = fdGradient(obj, th);
      for (let i = 0; i < obj.dim; i++) expect(Math.abs(g[i] - fd[i])).toBeLessThan(1e-7 * (1 + Math.abs(fd[i])));
    });
  }
  it("evaluateScaled(u, s) equals e^{−(L−1)s}∇ℒ(e^s u)", () => {
    for (const obj of [twoLayer([[1, 0.5], [-0.3, 1]], [1, -0.5], 3, 0.2), threeLayerLinear([[1, 0.5], [-0.3, 1]], [1, -0.5], 2)]) {
      const u = testVector(obj.dim, 3);
      const s = 0.3;
      const L = obj.homogeneity!;
      const theta = u.map((x) => Math.exp(s) * x);
      const g = new Float64Array(obj.dim);
      const gs = new Float64Array(obj.dim);
      const v = obj.evaluate(theta, g);
      const w = obj.evaluateScaled!(u, s, gs);
      expect(w.loss).toBeCloseTo(v.loss, 12);
      for (let i = 0; i < obj.dim; i++) expect(gs[i] * Math.exp((L - 1) * s)).toBeCloseTo(g[i], 12);
    }
  });
});

describe("gradientFlow on a quadratic against the closed form", () => {
  it("DOPRI5: θ(2) = Q e^{−2Λ} Qᵀ θ0 to 1e-9; t hits maxTime exactly; loss and ‖∇ℒ‖ reported", () => {
    const obj = quadratic(A);
    const r = gradientFlow(obj, theta0, { stop: { maxTime: 2 }, rtol: 1e-10, atol: 1e-14 });
    expect(r.stop).toBe("maxTime");
    expect(r.t).toBe(2);
    const exact = spectral(theta0, (l) => Math.exp(-2 * l));
    expect(rel(r.theta, exact)).toBeLessThan(1e-9);
    const g = new Float64Array(2);
    const v = obj.evaluate(r.theta, g);
    expect(r.loss).toBeCloseTo(v.loss, 15);
    expect(r.gradNorm).toBeCloseTo(Math.hypot(g[0], g[1]), 15);
    expect(r.logNorm).toBeCloseTo(Math.log(Math.hypot(r.theta[0], r.theta[1])), 14);
    // FSAL: no evaluations beyond the integrator's own.
    expect(r.evaluations).toBe(6 * (r.steps + r.rejections) + 2);
  });

  it("RK4 with h = 0.01: error O(h⁴)", () => {
    const r = gradientFlow(quadratic(A), theta0, { method: "rk4", h: 0.01, stop: { maxTime: 2 } });
    expect(r.stop).toBe("maxTime");
    expect(r.t).toBe(2);
    expect(r.steps).toBe(200);
    expect(rel(r.theta, spectral(theta0, (l) => Math.exp(-2 * l)))).toBeLessThan(1e-8);
  });

  it("GD: θ_k = (I − ηA)^k θ0 after k = 50 steps (to rounding), t = kη", () => {
    const eta = 0.1;
    const r = gradientDescent(quadratic(A), theta0, { lr: eta, stop: { maxSteps: 50 } });
    expect(r.stop).toBe("maxSteps");
    expect(r.steps).toBe(50);
    expect(r.t).toBeCloseTo(5, 12);
    expect(rel(r.theta, spectral(theta0, (l) => (1 - eta * l) ** 50))).toBeLessThan(1e-13);
  });

  it("GD stops before a step that would pass maxTime", () => {
    const r = gradientFlow(quadratic(A), theta0, { method: "gd", lr: 0.1, stop: { maxTime: 1 } });
    expect(r.stop).toBe("maxTime");
    expect(r.steps).toBe(10);
    expect(r.t).toBeCloseTo(1, 12);
  });
});

describe("gradientFlow stopping rules", () => {
  it("loss below 1e-300 (compared in log space)", () => {
    const r = gradientFlow(quadratic(A), theta0, { stop: { lossBelow: 1e-300 }, rtol: 1e-8, atol: 1e-300 });
    expect(r.stop).toBe("loss");
    expect(r.logLoss).toBeLessThanOrEqual(Math.log(1e-300));
    expect(r.logLoss).toBeGreaterThan(Math.log(1e-300) - 5);
    // ℒ ≈ ½λ₁c₁²e^{−2λ₁t} along the slow mode: t ≈ 345 here.
    expect(r.t).toBeGreaterThan(300);
    expect(r.t).toBeLessThan(400);
  });

  it("log-loss level below the float64 range", () => {
    const r = gradientFlow(logistic(xs, ys), new Float64Array(2), { method: "gd", lr: 1, stop: { logLossBelow: -800, maxSteps: 100000 } });
    // The logistic loss decays like 1/t: −800 is out of reach, the step cap fires instead.
    expect(r.stop).toBe("maxSteps");
    const q = quadratic(A);
    const s = gradientFlow(q, theta0, { stop: { logLossBelow: -800 }, rtol: 1e-8, atol: 0 });
    expect(s.stop).toBe("loss");
    expect(s.logLoss).toBeLessThanOrEqual(-800);
    expect(s.loss).toBe(0); // underflowed, while logLoss stays exact
  });

  it("gradient norm, parameter norm, steps, callback", () => {
    const g = gradientFlow(quadratic(A), theta0, { stop: { gradNormBelow: 1e-6 } });
    expect(g.stop).toBe("gradNorm");
    expect(g.gradNorm).toBeLessThanOrEqual(1e-6);

    const n = gradientFlow(logistic(xs, ys), new Float64Array(2), { stop: { normAbove: 3 } });
    expect(n.stop).toBe("norm");
    expect(Math.exp(n.logNorm)).toBeGreaterThanOrEqual(3);

    const m = gradientFlow(quadratic(A), theta0, { stop: { maxSteps: 7 } });
    expect(m.stop).toBe("maxSteps");
    expect(m.steps).toBe(7);

    const c = gradientFlow(quadratic(A), theta0, { onStep: (p) => p.step >= 5 });
    expect(c.stop).toBe("callback");
    expect(c.steps).toBe(5);
  });

  it("wall clock (with an injected clock)", () => {
    let clock = 0;
    const r = gradientFlow(logistic(xs, ys), new Float64Array(2), {
      stop: { maxWallMs: 1000 },
      now: () => (clock += 10),
    });
    expect(r.stop).toBe("wallClock");
    expect(r.elapsedMs).toBeGreaterThanOrEqual(1000);
  });

  it("non-finite loss stops with nonFinite", () => {
    const bad: Objective = {
      dim: 1, samples: 1, homogeneity: null,
      evaluate(theta, grad) {
        if (grad) grad[0] = -1;
        const loss = theta[0] > 1 ? NaN : Math.exp(-theta[0]);
        return { loss, logLoss: Math.log(loss) };
      },
    };
    const r = gradientFlow(bad, new Float64Array([0]), { method: "gd", lr: 0.3, stop: { maxSteps: 100 } });
    expect(r.stop).toBe("nonFinite");
    // DOPRI5 sees a finite field; the monitor catches the NaN loss at the first accepted point past θ = 1.
    const d = gradientFlow(bad, new Float64Array([0]), { stop: { maxTime: 10 } });
    expect(d.stop).toBe("nonFinite");
    expect(d.t).toBeGreaterThan(1);
    expect(d.t).toBeLessThan(2);
  });
});

describe("progress reports", () => {
  it("are throttled to the interval (injected clock), carry a fraction, and end with a final report", () => {
    let clock = 0;
    const calls: { at: number; final: boolean; fraction: number; step: number }[] = [];
    gradientFlow(quadratic(A), theta0, {
      method: "gd",
      lr: 0.01,
      stop: { maxSteps: 2000 },
      now: () => (clock += 3),
      onProgress: (p: Progress) => calls.push({ at: clock, final: p.final, fraction: p.fraction, step: p.step }),
    });
    expect(calls.length).toBeGreaterThan(5);
    const running = calls.filter((c) => !c.final);
    for (let i = 1; i < running.length; i++) expect(running[i].at - running[i - 1].at).toBeGreaterThanOrEqual(100);
    const last = calls[calls.length - 1];
    expect(last.final).toBe(true);
    expect(last.fraction).toBe(1);
    expect(last.step).toBe(2000);
    for (const c of calls) expect(c.fraction).toBeGreaterThanOrEqual(0);
  });

  it("a real-clock progress callback is called (at least the final report)", () => {
    let n = 0;
    gradientFlow(logistic(xs, ys), new Float64Array(2), { stop: { maxTime: 1e3 }, onProgress: () => void n++ });
    expect(n).toBeGreaterThanOrEqual(1);
  });
});

describe("trajectory recording", () => {
  it("keeps log-spaced samples with the first and last, and user metrics", () => {
    const tr = createTrajectory({
      dLogT: 0.1,
      dLogLoss: 0.1,
      metrics: {
        names: ["gamma"],
        compute(theta, logScale, out) {
          // normalised margin q_min/‖θ‖ of the linear classifier
          let qmin = Infinity;
          for (let k = 0; k < xs.length; k++) qmin = Math.min(qmin, ys[k] * (theta[0] * xs[k][0] + theta[1] * xs[k][1]));
          out[0] = qmin / Math.hypot(theta[0], theta[1]);
          void logScale;
        },
      },
    });
    // GD with a small step: 1e5 steps to t = 1e4, far more than the samples kept.
    const r = gradientFlow(logistic(xs, ys), new Float64Array([0.1, -0.2]), { method: "gd", lr: 0.1, stop: { maxTime: 1e4 }, trajectory: tr });
    const c = trajectoryColumns(tr);
    expect(c.t[0]).toBe(0);
    expect(c.t[c.t.length - 1]).toBe(r.t);
    expect(c.step[c.step.length - 1]).toBe(r.steps);
    expect(r.steps).toBe(100000);
    for (let i = 2; i < tr.count - 1; i++) {
      const moved = Math.abs(c.logT[i] - c.logT[i - 1]) >= 0.1 || Math.abs(c.logLoss[i] - c.logLoss[i - 1]) >= 0.1 || Math.abs(c.logNorm[i] - c.logNorm[i - 1]) >= 0.5;
      expect(moved).toBe(true);
    }
    // log t from 0.1 to 1e4 at 0.1 per sample: ≈ 115 samples (plus a few loss-driven ones).
    expect(tr.count).toBeGreaterThan(50);
    expect(tr.count).toBeLessThan(400);
    expect(c.metrics.gamma).toHaveLength(tr.count);
    expect(c.metrics.gamma[tr.count - 1]).toBeGreaterThan(0.8);
  });

  it("halves itself under the cap, keeping the first sample and doubling the thresholds", () => {
    const tr = createTrajectory({ maxSamples: 16, dLogT: 0.01, dLogLoss: 0.01 });
    const r = gradientFlow(logistic(xs, ys), new Float64Array(2), { method: "gd", lr: 0.5, stop: { maxSteps: 5000 }, trajectory: tr });
    expect(tr.count).toBeLessThanOrEqual(16);
    expect(tr.decimations).toBeGreaterThan(0);
    expect(tr.dLogT).toBeCloseTo(0.01 * 2 ** tr.decimations, 15);
    expect(tr.t[0]).toBe(0);
    expect(tr.step[tr.count - 1]).toBe(r.steps);
    for (let i = 1; i < tr.count; i++) expect(tr.t[i]).toBeGreaterThan(tr.t[i - 1]);
  });
});
