/**
 * inspectNetwork on constructed networks whose answers are known (issue 23, "Done when"):
 *  - a copy-and-divide split of a trained, refined narrow tanh network is recognised as a split
 *    (groups, merged width, function error at rounding) and its plateau class is the one
 *    `plateau` (analyzePlateau) gives for the same λ;
 *  - the network of a convex optimum certifies as global;
 *  - a random ReLU network is "neither" with descent neurons that really lower the objective,
 *    checked here by building the wider network by hand and evaluating F with the model's loss;
 *  - a strict saddle (a tanh network at θ = 0: λ_min = −‖Xᵀy‖ in closed form) shows negative
 *    curvature along the reported direction, measured by a second difference of the loss;
 *  - sections that do not apply say why.
 */
import { describe, expect, it } from "vitest";
import { convexProblem, convexToNetwork, enumeratePatterns, networkToModelJson, solveRelu, withBias } from "../../src/convex/index.js";
import { loadDataset, makeBuiltin } from "../../src/data/index.js";
import { trainModel } from "../../src/experiments/index.js";
import { inspectNetwork, type ConvexSection, type PlateauSection, type RedundancySection } from "../../src/inspect/index.js";
import {
  evaluateLoss, initializeModel, makeActivation, parseModelJson, twoLayerArchitecture, twoLayerParts, type Model,
} from "../../src/model/index.js";
import { analyzePlateau, designStationaryPoint, refineStationaryPoint, splitUnitCopyDivide } from "../../src/plateau/index.js";

/** A tanh 2→3→1 network trained by gradient flow on sin data, then refined (LM) to ‖∇L‖ ≤ 1e-12·scale. */
function trainedNarrow(): { model: Model; data: ReturnType<typeof makeBuiltin> } {
  const data = makeBuiltin("builtin:sin?n=40&d=2&seed=3");
  const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("tanh"), inputBias: true });
  const init = initializeModel(arch, { seed: 5 });
  const trained = trainModel(init, data, {
    method: "flow", loss: "square", mean: true, lr: 0.1, h: 0.01, rtol: 1e-8, atol: 1e-12, batchSize: 16, batchSeed: 0,
    stop: { maxTime: 200 }, maxSamples: 64,
  }).final;
  const refined = refineStationaryPoint(trained, data, "square");
  expect(refined.converged).toBe(true);
  return { model: refined.model, data };
}

describe("inspectNetwork", () => {
  it("recognises a copy-and-divide split of a trained narrow network, and its plateau class matches `plateau`", () => {
    const { model: narrow, data } = trainedNarrow();
    for (const lambda of [[0.3, 0.7], [1.4, -0.4]]) {
      const wide = splitUnitCopyDivide(narrow, 1, lambda);
      const r = inspectNetwork(wide, data, { loss: "square" });
      expect(r.stationarity.stationary).toBe(true);
      const red = r.redundancy as RedundancySection;
      expect(red.verdict).toBe("exact split");
      expect(red.width).toBe(4);
      expect(red.mergedWidth).toBe(3);
      expect(red.groups.map((g) => g.members)).toEqual([[1, 3]]);
      expect(red.groups[0].outScale[0]).toBeCloseTo(lambda[0], 13);
      expect(Math.max(red.functionError.data.relative, red.functionError.random.relative)).toBeLessThanOrEqual(1e-14);
      const pl = r.plateau as PlateauSection;
      expect(pl.applies).toBe(true);
      const ref = analyzePlateau(narrow, data, "square", { unit: 1, lambdas: [lambda], refine: false });
      expect(pl.groups[0].cls).toBe(ref.points[0].cls);
      expect(pl.verdict).toBe(ref.points[0].cls);
      // The multi-group inertia formula reduces to plateau's and matches the measured inertia.
      expect(pl.agrees).toBe(true);
      expect(r.checksPass).toBe(true);
    }
  });

  it("at a designed local minimum with H_j ≻ 0 the class follows λ: minimum inside [0, 1], strict saddle outside", () => {
    const c = designStationaryPoint({ seed: 3, d: 2, m: 3, activation: makeActivation("tanh"), target: "positive-definite", stationary: "minimum", inputBias: true, unit: 0 });
    const expected: Array<[number[], string]> = [[[0.25, 0.75], "local minimum"], [[1.5, -0.5], "strict saddle"], [[0.2, 0.3, 0.5], "local minimum"]];
    for (const [lambda, cls] of expected) {
      const wide = splitUnitCopyDivide(c.model, 0, lambda);
      const r = inspectNetwork(wide, c.data, { loss: "square" });
      const pl = r.plateau as PlateauSection;
      const ref = analyzePlateau(c.model, c.data, "square", { unit: 0, lambdas: [lambda], refine: false });
      expect(ref.points[0].cls).toBe(cls);
      expect(pl.verdict).toBe(cls);
      expect(pl.agrees).toBe(true);
      // The stationarity section agrees: a split of a strict minimum is a (degenerate) minimum, never "minimum" outright.
      expect(r.stationarity.verdict).toBe(cls === "strict saddle" ? "strict saddle" : "undetermined");
    }
  });

  it("certifies the network of a convex optimum as a global optimum", () => {
    const data = loadDataset("examples/line6.json");
    const beta = 0.02;
    const X = withBias(data.X);
    const sol = solveRelu(convexProblem(X, data.Y.data.slice(), beta, "square", enumeratePatterns(X)), { tol: 1e-12 });
    const net = convexToNetwork(sol.U, sol.V, X.cols);
    const model = parseModelJson(networkToModelJson(net, true), "optimum");
    const r = inspectNetwork(model, data, { loss: "square", beta });
    const cv = r.convex as ConvexSection;
    expect(cv.verdict).toBe("global optimum");
    expect(cv.exactPatterns).toBe(true);
    expect(cv.descentNeurons).toEqual([]);
    expect(Math.abs(cv.improvement!)).toBeLessThanOrEqual(1e-9 * cv.objective);
    expect(cv.mStar).toBe(5); // the README's line6 example: m* = 5
    expect(r.checksPass).toBe(true);
  });

  it("a random ReLU network is 'neither', and each descent neuron really lowers F", () => {
    const data = makeBuiltin("builtin:teacher?n=30&d=2&seed=2&task=regression");
    const arch = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu"), inputBias: true });
    const model = initializeModel(arch, { seed: 11 });
    const beta = 0.05;
    const r = inspectNetwork(model, data, { loss: "square", beta, convexSeconds: 1 });
    const cv = r.convex as ConvexSection;
    expect(cv.verdict).toBe("neither");
    expect(cv.descentNeurons.length).toBeGreaterThan(0);
    // Independent check: append (√t ū, σ√t) by hand and evaluate L + (β/2)‖θ‖² with the model's loss.
    const F = (m: Model): number => {
      let s = 0;
      for (const v of m.theta) s += v * v;
      return evaluateLoss(m, data, "square").loss + 0.5 * beta * s;
    };
    const F0 = F(model);
    for (const dn of cv.descentNeurons) {
      const wide = twoLayerArchitecture({ d: 2, m: 5, activation: makeActivation("relu"), inputBias: true });
      const theta = new Float64Array(5 * 2 + 5 + 5);
      const P = twoLayerParts(wide, theta);
      const Q = twoLayerParts(arch, model.theta);
      for (let j = 0; j < 4; j++) { P.W[2 * j] = Q.W[2 * j]; P.W[2 * j + 1] = Q.W[2 * j + 1]; P.a[j] = Q.a[j]; P.b![j] = Q.b![j]; }
      const r0 = Math.sqrt(dn.t);
      P.W[8] = r0 * dn.direction[0];
      P.W[9] = r0 * dn.direction[1];
      P.b![4] = r0 * dn.direction[2];
      P.a[4] = dn.sign * r0;
      const drop = F({ arch: wide, theta }) - F0;
      expect(drop).toBeLessThan(0);
      expect(drop).toBeCloseTo(dn.deltaObjective, 10);
      expect(dn.rate).toBeLessThan(0);
    }
    expect(r.checksPass).toBe(true);
  });

  it("a strict saddle: tanh at θ = 0 has λ_min = −‖Xᵀy‖, and the loss curves down along the reported direction", () => {
    const data = makeBuiltin("builtin:sin?n=20&d=3&seed=7");
    const arch = twoLayerArchitecture({ d: 3, m: 2, activation: makeActivation("tanh") });
    const model: Model = { arch, theta: new Float64Array(2 * 3 + 2) };
    const r = inspectNetwork(model, data, { loss: "square" });
    const st = r.stationarity;
    expect(st.stationary).toBe(true);
    expect(st.verdict).toBe("strict saddle");
    // ∂²L/∂a_j∂w_j = Σ r_i σ′(0) x_i = −Xᵀy and every other block vanishes: eigenvalues ±‖Xᵀy‖.
    const g = new Float64Array(3);
    for (let i = 0; i < 20; i++) for (let t = 0; t < 3; t++) g[t] += data.Y.data[i] * data.X.data[i * 3 + t];
    const norm = Math.hypot(...g);
    expect(st.curvature.minEigenvalue / -norm - 1).toBeLessThan(1e-13);
    // Independent second difference of the loss along v (the model's own evaluator).
    const v = st.negativeCurvature!.direction;
    const L = (t: number): number => evaluateLoss({ arch, theta: Float64Array.from(model.theta, (x, i) => x + t * v[i]) }, data, "square").loss;
    const h = 1e-3;
    const d2 = (L(h) - 2 * L(0) + L(-h)) / (h * h);
    const d2half = (L(h / 2) - 2 * L(0) + L(-h / 2)) / ((h * h) / 4);
    const fdError = 2 * Math.abs(d2 - d2half) + (16 * 2.2e-16 * L(0)) / (h * h);
    expect(Math.abs(d2half - st.curvature.minEigenvalue)).toBeLessThanOrEqual(fdError);
    expect(L(0.1)).toBeLessThan(L(0));
    expect(st.negativeCurvature!.check.lowers).toBe(true);
  });

  it("sections that do not apply say why, in one line", () => {
    const data = makeBuiltin("builtin:sin?n=20&d=2&seed=1");
    const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("tanh"), outputBias: true });
    const r = inspectNetwork(initializeModel(arch, { seed: 1 }), data, { loss: "square" });
    for (const key of ["margin", "convex", "plateau"] as const) {
      const s = r[key];
      expect(s.applies).toBe(false);
      if (!s.applies) {
        expect(s.reason.length).toBeGreaterThan(10);
        expect(s.reason).not.toMatch(/\n/);
      }
    }
    expect((r.margin as { reason: string }).reason).toMatch(/regression/);
    expect((r.convex as { reason: string }).reason).toMatch(/ReLU/);
  });
});
