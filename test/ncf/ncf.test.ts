import { describe, expect, it } from "vitest";
import { makeBuiltin } from "../../src/data/index.js";
import { makeObjective, mlpArchitecture, twoLayerArchitecture, type Activation } from "../../src/model/index.js";
import {
  angularScan, escapeTime, ncfEvaluator, ncfFlow, ncfFlowEscapeTime, ncfKktPoints, ncfProblem, neuralCorrelationGradient,
  reducedOptimum, refineTwoLayerKktPoint, smallInitEscape, twoLayerClarkeResidual,
} from "../../src/ncf/index.js";
import { fork, unitSphere } from "../../src/random/index.js";

const leaky: Activation = { name: "leaky_relu", slope: 0.1 };

function randomUnit(seed: number, p: number): Float64Array {
  return unitSphere(fork(seed, "test-u"), p);
}

describe("neural correlation function", () => {
  const ds = makeBuiltin("builtin:sin?n=20&d=5&seed=3");
  const cases = [
    { name: "two-layer leaky_relu", arch: twoLayerArchitecture({ d: 5, m: 4, activation: leaky }), L: 2 },
    { name: "two-layer relu_power 2", arch: twoLayerArchitecture({ d: 5, m: 4, activation: { name: "relu_power", power: 2 } }), L: 3 },
    { name: "mlp 5→4→3→1 leaky_relu", arch: mlpArchitecture([5, 4, 3, 1], leaky), L: 3 },
  ];
  for (const c of cases) {
    it(`${c.name}: ∇𝒩 agrees with central differences away from kinks`, () => {
      const prob = ncfProblem(c.arch, ds);
      expect(prob.L).toBe(c.L);
      const u = randomUnit(7, prob.p);
      const { value, gradient } = neuralCorrelationGradient(prob, u);
      const ev = ncfEvaluator(prob);
      // 𝒩 is a polynomial of degree L on each cone of fixed sign patterns; central differences
      // with h = 1e-5 have truncation error O(h²·|𝒩‴|) ≈ 1e-10 and rounding ≈ ε|𝒩|/h ≈ 1e-10,
      // provided no pre-activation changes sign within h (a random u keeps |z| ≫ 1e-5).
      const h = 1e-5;
      const v = Float64Array.from(u);
      let maxErr = 0;
      let scale = 0;
      for (let k = 0; k < prob.p; k++) {
        v[k] = u[k] + h;
        const fp = ev(v, null);
        v[k] = u[k] - h;
        const fm = ev(v, null);
        v[k] = u[k];
        maxErr = Math.max(maxErr, Math.abs((fp - fm) / (2 * h) - gradient[k]));
        scale = Math.max(scale, Math.abs(gradient[k]));
      }
      expect(maxErr).toBeLessThan(1e-7 * Math.max(1, scale));
      expect(Number.isFinite(value)).toBe(true);
    });
    it(`${c.name}: Euler identity ⟨u, ∇𝒩(u)⟩ = L·𝒩(u)`, () => {
      const prob = ncfProblem(c.arch, ds);
      for (const seed of [1, 2, 3]) {
        const u = randomUnit(seed, prob.p);
        const { value, gradient } = neuralCorrelationGradient(prob, u);
        let ug = 0;
        let gn = 0;
        for (let k = 0; k < prob.p; k++) {
          ug += u[k] * gradient[k];
          gn += gradient[k] ** 2;
        }
        // both sides are sums of O(n·p) rounded terms of size ≤ ‖∇𝒩‖: 1e-12 relative is 100× that rounding.
        expect(Math.abs(ug - c.L * value)).toBeLessThan(1e-12 * Math.max(1, Math.sqrt(gn)) * prob.p);
      }
    });
  }
  it("mean convention divides 𝒩 by n", () => {
    const arch = twoLayerArchitecture({ d: 5, m: 3, activation: leaky });
    const u = randomUnit(4, 18);
    const a = neuralCorrelationGradient(ncfProblem(arch, ds), u).value;
    const b = neuralCorrelationGradient(ncfProblem(arch, ds, { mean: true }), u).value;
    expect(b).toBeCloseTo(a / 20, 13);
  });
});

describe("KKT points of the constrained NCF", () => {
  it("linear activation: 𝒩* = ½‖Σ y_i x_i‖ (closed form), found by the reduced and the full search", () => {
    const ds = makeBuiltin("builtin:sin?n=15&d=3&seed=5");
    const prob = ncfProblem(twoLayerArchitecture({ d: 3, m: 3, activation: { name: "linear" } }), ds);
    const s = new Float64Array(3);
    for (let i = 0; i < 15; i++) for (let k = 0; k < 3; k++) s[k] += ds.Y.data[i] * ds.X.data[i * 3 + k];
    const exact = 0.5 * Math.hypot(...s);
    const red = reducedOptimum(prob, { starts: 4, rng: fork(1, "r") });
    // 𝒩 is a quadratic form; ascent + exact face refinement reach it to rounding: 1e-12 relative.
    expect(Math.abs(red.value - exact)).toBeLessThan(1e-12 * exact);
    const r = ncfKktPoints(prob, { starts: 6, rng: fork(2, "k") });
    expect(Math.abs(r.best - exact)).toBeLessThan(1e-10 * exact);
    expect(r.points[0].residual).toBeLessThan(1e-10 * exact);
  });

  for (const act of [leaky, { name: "relu" } as Activation]) {
    it(`d = 2, ${act.name}: the exhaustive angular scan confirms the KKT search's best value`, () => {
      const ds = makeBuiltin("builtin:sin?n=20&d=2&seed=11");
      const prob = ncfProblem(twoLayerArchitecture({ d: 2, m: 3, activation: act }), ds);
      const scan = angularScan(prob);
      const r = ncfKktPoints(prob, { starts: 12, rng: fork(3, "k") });
      // The scan is exact (f is linear on each arc between kink angles); the search's best
      // point is an exact face solution: agreement to 1e-10 relative, and nothing exceeds the scan.
      expect(Math.abs(r.best - scan.ncfStar)).toBeLessThan(1e-10 * scan.ncfStar);
      expect(Math.abs((r.ncfStar ?? 0) - scan.ncfStar)).toBeLessThan(1e-10 * scan.ncfStar);
      for (const p of r.points) expect(p.value).toBeLessThanOrEqual(scan.ncfStar * (1 + 1e-12));
      expect(r.points[0].kind).toBe("global max");
    });
  }

  it("reference setting: Clarke residuals vanish at the points found, single gradients need not", () => {
    const ds = makeBuiltin("builtin:sin?n=20&d=5&seed=1");
    const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 6, activation: leaky }), ds);
    const r = ncfKktPoints(prob, { starts: 12, rng: fork(4, "k") });
    expect(r.points.length).toBeGreaterThan(0);
    for (const p of r.points) {
      // exact kink-face solutions: the residual is rounding, ≤ 1e-10·𝒩
      expect(p.residual).toBeLessThan(1e-10 * Math.abs(p.value));
      expect(Math.abs(Math.hypot(...p.u) - 1)).toBeLessThan(1e-14);
    }
    expect(r.best).toBeCloseTo(r.ncfStar ?? NaN, 10);
    // a non-KKT point has a large residual
    const u = randomUnit(9, prob.p);
    expect(twoLayerClarkeResidual(prob, u).residual).toBeGreaterThan(1e-2);
  });

  it("deep net: ascent finds non-negative KKT points with small sampled Clarke residual", () => {
    const ds = makeBuiltin("builtin:sin?n=12&d=3&seed=2");
    const prob = ncfProblem(mlpArchitecture([3, 3, 3, 1], { name: "relu_power", power: 2 }), ds);
    const r = ncfKktPoints(prob, { starts: 6, rng: fork(5, "k"), maxIter: 6000 });
    expect(r.best).toBeGreaterThan(0);
    // smooth (relu_power 2 is C¹): the ascent stops at ‖rg‖ ≤ 1e-11·|𝒩| or on a tiny step; 1e-6 relative.
    expect(r.points[0].residual).toBeLessThan(1e-6 * r.best);
  });
});

describe("escape from small initialisation", () => {
  it("escapeTime: log(1/δ)/(2𝒩*) for L = 2, halved rate for logistic, δ^{−(L−2)} scaling for L = 3", () => {
    expect(escapeTime({ ncfStar: 2, L: 2, delta: 1e-20 }).t).toBeCloseTo(Math.log(1e20) / 4, 12);
    expect(escapeTime({ ncfStar: 2, L: 2, delta: 1e-20, loss: "logistic" }).t).toBeCloseTo(Math.log(1e20) / 2, 12);
    const a = escapeTime({ ncfStar: 1, L: 3, logDelta: -80 * Math.LN10 });
    const b = escapeTime({ ncfStar: 1, L: 3, logDelta: -81 * Math.LN10 });
    expect(Number.isFinite(a.logT)).toBe(true);
    expect(b.logT - a.logT).toBeCloseTo(Math.LN10, 10);
    expect(a.logT).toBeCloseTo(80 * Math.LN10 - Math.log(3), 10);
  });

  it("observed escape time matches the prediction within the derived band; no underflow at δ = 1e-80", () => {
    const ds = makeBuiltin("builtin:sin?n=10&d=2&seed=4");
    const arch = twoLayerArchitecture({ d: 2, m: 3, activation: leaky });
    const prob = ncfProblem(arch, ds);
    const ncfStar = angularScan(prob).ncfStar;
    const ev = ncfEvaluator(prob);
    const w0 = randomUnit(21, prob.p);
    const flow = ncfFlow(ev, 2, w0, { tEnd: 60 });
    const uHat = refineTwoLayerKktPoint(prob, flow.u);
    const obj = makeObjective(arch, ds, "square");
    const level = 1e-2;
    const observed: number[] = [];
    for (const logDelta of [-20, -40, -80].map((e) => e * Math.LN10)) {
      const pred1 = escapeTime({ ncfStar, L: 2, logDelta });
      const predRho = escapeTime({ ncfStar, L: 2, logDelta, level });
      const e = smallInitEscape(obj, w0, uHat, { logDelta, tMax: pred1.t + 2, level });
      expect(e.anyNonFinite).toBe(false);
      expect(Number.isFinite(e.tEscape)).toBe(true);
      // Rigorous lower bound (square loss, sum): d/dt log‖w‖ ≤ 2𝒩*, so t(ρ) ≥ log(ρ/δ)/(2𝒩*);
      // 1e-6 covers the RK4 error of log‖w‖ (h = 2e-3, smooth between kinks).
      expect(e.tEscape).toBeGreaterThanOrEqual(predRho.t - 1e-6);
      // Upper: the NCF flow's lag behind the maximal rate, lag(t) = t − (log‖ψ(t)‖ − log‖ψ(0)‖)/(2𝒩*)
      // (nondecreasing), plus 0.05 for the O(‖w‖²) nonlinear slow-down at ρ = 1e-2.
      const lag = Math.max(...flow.samples.filter((s) => s.tau <= e.tEscape).map((s) => s.tau - (s.logNorm - flow.samples[0].logNorm) / (2 * ncfStar)));
      expect(e.tEscape).toBeLessThanOrEqual(predRho.t + lag + 0.05);
      observed.push(e.tEscape / pred1.t);
      expect(e.alignmentAtEscape).toBeGreaterThan(0);
      expect(e.alignmentAtEscape).toBeLessThanOrEqual(1 + 1e-12);
    }
    // observed/predicted → 1 as δ → 0: |ratio − 1| ≤ (log(1/ρ) + 2𝒩*·lag + 0.1)/log(1/δ) shrinks.
    expect(Math.abs(observed[2] - 1)).toBeLessThan(Math.abs(observed[0] - 1) + 1e-9);
  });
});

describe("CLI", () => {
  it("splitscape ncf --json prints points and best; bad activation exits 2", async () => {
    const { runCli } = await import("../helpers/cli.js");
    const r = await runCli("ncf", "--data", "builtin:sin?n=12&d=2&seed=1", "--activation", "leaky_relu:0.1", "--width", "3", "--starts", "4", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { points: Array<{ u: number[]; value: number; residual: number; kind: string }>; best: number };
    expect(j.points.length).toBeGreaterThan(0);
    expect(j.points[0].u.length).toBe(9);
    expect(j.best).toBe(j.points[0].value);
    expect(typeof j.points[0].kind).toBe("string");
    const bad = await runCli("ncf", "--data", "builtin:sin?n=12&d=2", "--activation", "tanh", "--json");
    expect(bad.code).toBe(2);
  });
});

describe("small-init integrators agree", () => {
  it("fixed-step RK4 (rescaled) and DOPRI5 (dynamics.smallInitFlow) give the same escape", () => {
    const ds = makeBuiltin("builtin:sin?n=20&d=5&seed=16");
    const arch = twoLayerArchitecture({ d: 5, m: 6, activation: leaky });
    const prob = ncfProblem(arch, ds);
    const w0 = unitSphere(fork(16, "w0"), prob.p);
    const flow = ncfFlow(ncfEvaluator(prob), 2, w0, { tEnd: 100 });
    const obj = makeObjective(arch, ds, "square");
    for (const logDelta of [-20 * Math.LN10, -80 * Math.LN10]) {
      const a = smallInitEscape(obj, w0, flow.u, { logDelta, tMax: 30, stopNorm: 0.05 });
      const b = smallInitEscape(obj, w0, flow.u, { logDelta, tMax: 30, stopNorm: 0.05, integrator: "dopri5", rtol: 1e-8 });
      // two independent integrators (measured: 9e-6 in t, 1.3e-4 in the alignment, which is
      // linearly interpolated between DOPRI5's long steps)
      expect(Math.abs(a.tEscape - b.tEscape)).toBeLessThan(1e-4);
      expect(Math.abs(a.alignmentAtEscape - b.alignmentAtEscape)).toBeLessThan(1e-3);
      expect(b.anyNonFinite).toBe(false);
    }
  });
});

describe("escape beyond the two-homogeneous square-loss case", () => {
  it("deep net (L = 3): t_esc ∝ δ^{−(L−2)}, above the 𝒩* bound, equal to the NCF-flow prediction", () => {
    const ds = makeBuiltin("builtin:sin?n=10&d=2&seed=4");
    const arch = mlpArchitecture([2, 3, 3, 1], leaky);
    const prob = ncfProblem(arch, ds);
    const best = ncfKktPoints(prob, { starts: 8, rng: fork(1, "k") }).best;
    const w0 = randomUnit(21, prob.p);
    const flow = ncfFlow(ncfEvaluator(prob), 3, w0, { tEnd: 30, sampleEvery: 0.005 });
    const obj = makeObjective(arch, ds, "square");
    const level = 0.1;
    const logT: number[] = [];
    for (const e of [-2, -4, -40]) {
      const logDelta = e * Math.LN10;
      const esc = smallInitEscape(obj, w0, flow.u, { logDelta, tMax: Infinity, level, stopNorm: 0.2 });
      const lt = Math.log(esc.tEscape);
      expect(esc.anyNonFinite).toBe(false);
      expect(Number.isFinite(lt)).toBe(true);
      // rigorous for the square loss: ṙ ≤ L𝒩*r^{L−1}, so t(ρ) ≥ (δ^{−1} − ρ^{−1})/(3𝒩*)
      expect(lt).toBeGreaterThanOrEqual(escapeTime({ ncfStar: best, L: 3, logDelta, level }).logT - 1e-9);
      // NCF-flow prediction δ^{−1}∫e^{−ρ_ψ}dτ: measured 1.6e-4 in log t (the O(‖w‖²) loss
      // correction near ρ = 0.1, RK4 and trapezoid errors); 2e-3 leaves a margin of ~10.
      expect(Math.abs(lt - ncfFlowEscapeTime(flow, 3, logDelta, level).logT)).toBeLessThan(2e-3);
      logT.push(lt);
    }
    // δ^{−(L−2)} scaling once δ ≪ ρ: log t(1e-40) − log t(1e-4) = 36 log 10 up to the ρ-dependent
    // end of the integral, relative size (δ/ρ)^{L−2} ≤ 1e-3 (at δ = 1e-2 it is 10% and dominates).
    expect(Math.abs(logT[2] - logT[1] - 36 * Math.LN10)).toBeLessThan(1e-3);
  });

  it("logistic loss: t_esc/(log(1/δ)/𝒩(û)) → 1 as δ → 0, and matches the NCF flow run at half speed", () => {
    const ds = makeBuiltin("builtin:teacher?n=16&d=3&seed=2");
    const arch = twoLayerArchitecture({ d: 3, m: 4, activation: leaky });
    const prob = ncfProblem(arch, ds);
    const ncfStar = ncfKktPoints(prob, { starts: 8, rng: fork(1, "k") }).ncfStar!;
    const w0 = randomUnit(21, prob.p);
    const flow = ncfFlow(ncfEvaluator(prob), 2, w0, { tEnd: 100, sampleEvery: 0.01 });
    const uHat = refineTwoLayerKktPoint(prob, flow.u, { massTol: 1e-6 });
    // From this w₀ the NCF flow reaches a KKT point of value 𝒩(û) ≈ 3.33 < 𝒩* ≈ 4.74: the growth
    // rate after alignment is λ·2𝒩(û), so the log(1/δ)/𝒩* formula applies with 𝒩(û) in place of 𝒩*.
    const ncfHat = ncfEvaluator(prob)(uHat, null);
    expect(ncfHat).toBeLessThan(ncfStar);
    const obj = makeObjective(arch, ds, "logistic");
    const dev: number[] = [];
    for (const e of [-20, -80]) {
      const logDelta = e * Math.LN10;
      const pred = escapeTime({ ncfStar: ncfHat, L: 2, logDelta, loss: "logistic" });
      const esc = smallInitEscape(obj, w0, uHat, { logDelta, tMax: pred.t * 2, level: 1e-2, stopNorm: 0.05 });
      dev.push(Math.abs(esc.tEscape / pred.t - 1));
      // −ℓ′(q) = ½ − q/4 + O(q³): the rate differs from ½·2𝒩 by O(‖w‖²) ≤ 1e-4 before ρ = 1e-2;
      // 0.02 in t covers that and the RK4/sampling error (measured below 1e-3).
      expect(Math.abs(esc.tEscape - ncfFlowEscapeTime(flow, 2, logDelta, 1e-2, 0.5).t)).toBeLessThan(0.02);
    }
    expect(dev[1]).toBeLessThan(dev[0]);
    expect(dev[1]).toBeLessThan(log10Band(80));
  });
});

/** |ratio − 1| ≤ (log(1/ρ) + 1)/log(1/δ) with ρ = 1e-2 (the level offset and an O(1) alignment lag). */
function log10Band(e: number): number {
  return (Math.log(100) + 1) / (e * Math.LN10);
}
