import { describe, expect, it } from "vitest";
import { logAddExp } from "../../src/dynamics/monitor.js";
import { createPoint, createTrajectory, offerSample, recordSample, trajectoryColumns, wantsSample } from "../../src/dynamics/trajectory.js";

function pointAt(step: number, t: number, logLoss = -1, logNorm = 0) {
  const p = createPoint();
  p.step = step;
  p.t = t;
  p.logT = Math.log(t);
  p.tPhase = t;
  p.loss = Math.exp(logLoss);
  p.logLoss = logLoss;
  p.logNorm = logNorm;
  p.gradNorm = 1;
  return p;
}

describe("trajectory thinning", () => {
  it("records the first point, then only when log t, log ℒ or log ‖θ‖ moved enough", () => {
    const tr = createTrajectory({ dLogT: 1, dLogLoss: 0.5, dLogNorm: 0.25 });
    const theta = new Float64Array(1);
    expect(offerSample(tr, pointAt(0, 0), theta)).toBe(true); // first (t = 0, log t = −∞)
    expect(offerSample(tr, pointAt(1, 1e-3), theta)).toBe(true); // −∞ → finite counts as a move
    expect(offerSample(tr, pointAt(2, 2e-3), theta)).toBe(false); // Δ log t = 0.69 < 1
    expect(offerSample(tr, pointAt(3, 3e-3), theta)).toBe(true); // Δ log t = 1.1
    expect(offerSample(tr, pointAt(4, 3.1e-3, -1.6), theta)).toBe(true); // Δ log ℒ = 0.6
    expect(offerSample(tr, pointAt(5, 3.2e-3, -1.6, 0.3), theta)).toBe(true); // Δ log ‖θ‖ = 0.3
    expect(wantsSample(tr, pointAt(6, 3.3e-3, -1.6, 0.3))).toBe(false);
    // Forced records skip exact duplicates only.
    expect(recordSample(tr, pointAt(6, 3.3e-3, -1.6, 0.3), theta)).toBe(true);
    expect(recordSample(tr, pointAt(6, 3.3e-3, -1.6, 0.3), theta)).toBe(false);
    expect(tr.count).toBe(6);
    const c = trajectoryColumns(tr);
    expect(c.step).toEqual([0, 1, 3, 4, 5, 6]);
    expect(c.norm[4]).toBeCloseTo(Math.exp(0.3), 15);
    expect(JSON.parse(JSON.stringify(c)).step).toEqual(c.step);
  });

  it("under the cap drops every other sample (the first stays) and doubles the thresholds", () => {
    const tr = createTrajectory({ maxSamples: 8, dLogT: 0.1 });
    const theta = new Float64Array(1);
    for (let k = 0; k < 200; k++) offerSample(tr, pointAt(k, Math.exp(0.1 * k)), theta);
    expect(tr.count).toBeLessThanOrEqual(8);
    expect(tr.decimations).toBeGreaterThan(0);
    expect(tr.step[0]).toBe(0);
    // What is kept is still evenly spaced in log t.
    const gaps = [];
    for (let i = 1; i < tr.count; i++) gaps.push(tr.logT[i] - tr.logT[i - 1]);
    expect(Math.max(...gaps) / Math.min(...gaps)).toBeLessThan(2.01);
  });

  it("computes user metrics only for recorded samples, from θ = e^{logScale}·theta", () => {
    let calls = 0;
    const tr = createTrajectory({
      dLogT: 1,
      metrics: {
        names: ["norm", "first"],
        compute(theta, logScale, out) {
          calls++;
          out[0] = Math.exp(logScale) * Math.hypot(...theta);
          out[1] = Math.exp(logScale) * theta[0];
        },
      },
    });
    const theta = new Float64Array([3, 4]);
    for (let k = 1; k <= 100; k++) offerSample(tr, pointAt(k, k), theta, Math.log(2));
    expect(calls).toBe(tr.count);
    const c = trajectoryColumns(tr);
    expect(c.metrics.norm.every((v) => Math.abs(v - 10) < 1e-12)).toBe(true);
    expect(c.metrics.first[0]).toBeCloseTo(6, 12);
  });
});

describe("logAddExp", () => {
  it("is log(e^a + e^b) without overflow", () => {
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 15);
  });
});
