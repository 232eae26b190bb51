// Certificates and maps. A global optimum (solved exactly on all patterns, gap ≤ 1e-8) mapped to
// a network must certify as 'global optimum'; perturbing it (unbalancing, or moving off the
// optimum) must not; the optimum of a subsampled problem (few patterns) certifies as
// 'stationary' when its objective is above the global one. (C)→(NC) preserves the objective to
// 1e-12 relative (the maps are exact algebra), (NC)→(C) preserves the prediction and does not
// increase the objective. Per-pattern values ‖Π_K(±XᵀDν)‖ are checked against the full NNLS.
import { describe, expect, it } from "vitest";
import {
  certifyNetwork, coneDualNorms, convexProblem, convexToNetwork, mergeDuplicateNeurons, dualCertificate, enumeratePatterns,
  networkToConvex, nonconvexObjective, patternMask, patternsFromGates, solveRelu, withBias, type ReluNetwork,
} from "../../src/convex/index.js";
import { projectOntoConeNnls } from "../../src/convex/program/cone.js";
import { testRng } from "../helpers/random.js";

function instance(seed: number, n = 8, beta = 0.2) {
  const g = testRng(seed);
  const X = withBias(g.randn(n, 2));
  const y = g.randnVec(n);
  const problem = convexProblem(X, y, beta, "square", enumeratePatterns(X));
  return { X, y, problem, g };
}

describe("maps between convex points and networks", () => {
  it("(C)→(NC) keeps the objective; (NC)→(C) keeps ŷ and does not increase it", () => {
    const { X, y, problem } = instance(31);
    const sol = solveRelu(problem, { tol: 1e-9 });
    const net = convexToNetwork(sol.U, sol.V, X.cols);
    expect(net.m).toBe(sol.activeNeurons);
    const nc = nonconvexObjective(net, X, y, problem.beta, "square");
    expect(Math.abs(nc.objective - sol.primalValue)).toBeLessThan(1e-12 * sol.primalValue);
    for (let k = 0; k < X.rows; k++) expect(Math.abs(nc.prediction[k] - sol.prediction[k])).toBeLessThan(1e-12);
    // Back to (C): an unbalanced copy of the network (scale w by c, α by 1/c) maps to the same ŷ.
    const W = net.W.map((v) => 2 * v);
    const alpha = net.alpha.map((v) => v / 2);
    const unbalanced: ReluNetwork = { ...net, W, alpha };
    const back = networkToConvex(unbalanced, X);
    const pr2 = convexProblem(X, y, problem.beta, "square", back.patterns);
    const cert = dualCertificate(pr2, back);
    const ncU = nonconvexObjective(unbalanced, X, y, problem.beta, "square");
    expect(cert.primalValue).toBeLessThanOrEqual(ncU.objective + 1e-12);
    for (let k = 0; k < X.rows; k++) expect(Math.abs(cert.prediction[k] - ncU.prediction[k])).toBeLessThan(1e-12);
    expect(cert.infeasibility).toBeLessThan(1e-14);
  });
});

describe("mergeDuplicateNeurons", () => {
  it("merges equal directions of one sign, keeping output and objective", () => {
    const { X, y, problem } = instance(38, 6, 0.05);
    const u = Float64Array.from([0.6, -0.8, 0]); // unit: the neurons below are balanced
    const net: ReluNetwork = {
      W: Float64Array.from([...u.map((v) => v * 0.5), ...u.map((v) => v * 2), 0.1, 0.2, 0.3]),
      alpha: Float64Array.from([0.5, 2, -Math.hypot(0.1, 0.2, 0.3)]), m: 3, D: 3,
    };
    const merged = mergeDuplicateNeurons(net, 1e-9);
    expect(merged.m).toBe(2);
    const a = nonconvexObjective(net, X, y, problem.beta, "square");
    const b = nonconvexObjective(merged, X, y, problem.beta, "square");
    expect(Math.abs(a.objective - b.objective)).toBeLessThan(1e-14);
    for (let k = 0; k < X.rows; k++) expect(Math.abs(a.prediction[k] - b.prediction[k])).toBeLessThan(1e-14);
  });
});

describe("certifyNetwork", () => {
  it("a known optimum certifies as global, perturbations do not", () => {
    const { X, problem, g } = instance(32);
    const sol = solveRelu(problem, { tol: 1e-10 });
    expect(sol.converged).toBe(true);
    const net = convexToNetwork(sol.U, sol.V, X.cols);
    const good = certifyNetwork(problem, net);
    expect(good.classification).toBe("global optimum");
    expect(good.balanced).toBe(true);
    expect(good.maxStationarityResidual).toBeLessThan(1e-6);
    expect(good.certificate.relativeGap).toBeLessThan(1e-8);
    // Unbalanced (same function, larger penalty): neither.
    const unb = certifyNetwork(problem, { ...net, W: net.W.map((v) => 1.5 * v), alpha: net.alpha.map((v) => v / 1.5) });
    expect(unb.classification).toBe("neither");
    expect(unb.balanced).toBe(false);
    // Moved off the optimum (random perturbation of the weights, then rebalanced): not global.
    const W = net.W.map((v) => v + 0.05 * g.normal());
    const alpha = net.alpha.slice();
    for (let j = 0; j < net.m; j++) {
      let s = 0;
      for (let t = 0; t < net.D; t++) s += W[j * net.D + t] ** 2;
      alpha[j] = Math.sign(alpha[j]) * Math.sqrt(Math.sqrt(s) * Math.abs(alpha[j]));
      const c = Math.abs(alpha[j]) / Math.sqrt(s);
      for (let t = 0; t < net.D; t++) W[j * net.D + t] *= c;
    }
    const moved = certifyNetwork(problem, { ...net, W, alpha });
    expect(moved.classification).not.toBe("global optimum");
    expect(moved.certificate.relativeGap).toBeGreaterThan(1e-6);
  });

  it("the optimum of a subsampled problem is stationary, not global", () => {
    for (const seed of [33, 34, 35, 36]) {
      const { X, y, problem, g } = instance(seed, 10, 0.05);
      const global = solveRelu(problem, { tol: 1e-10 });
      const sub = convexProblem(X, y, problem.beta, "square", patternsFromGates(X, g.randn(3, X.cols)));
      const local = solveRelu(sub, { tol: 1e-12 });
      if (local.primalValue <= global.primalValue * (1 + 1e-6)) continue; // subsample happened to suffice
      const net = convexToNetwork(local.U, local.V, X.cols);
      const cert = certifyNetwork(problem, net);
      expect(cert.classification).toBe("stationary");
      expect(cert.certificate.s).toBeGreaterThan(problem.beta);
      return;
    }
    throw new Error("no seed gave a strictly suboptimal subsample");
  });
});

describe("coneDualNorms", () => {
  it("matches the note's NNLS projection for every pattern and sign", () => {
    const { X, problem, g } = instance(37, 7);
    const nu = g.randnVec(X.rows);
    const { sPlus, sMinus, projections } = coneDualNorms(problem, nu, { exactAbove: 0 });
    expect(projections).toBeGreaterThan(0);
    const { rows: n, cols: d } = X;
    for (let i = 0; i < problem.patterns.count; i++) {
      const mask = patternMask(problem.patterns, i);
      const gi = new Float64Array(d);
      for (let k = 0; k < n; k++) if (mask[k]) for (let j = 0; j < d; j++) gi[j] += nu[k] * X.data[k * d + j];
      const p = projectOntoConeNnls(X.data, n, d, mask, gi).norm;
      const m = projectOntoConeNnls(X.data, n, d, mask, gi.map((v) => -v)).norm;
      expect(Math.abs(sPlus[i] - p)).toBeLessThan(1e-10 * (1 + p));
      expect(Math.abs(sMinus[i] - m)).toBeLessThan(1e-10 * (1 + m));
    }
  });
});
