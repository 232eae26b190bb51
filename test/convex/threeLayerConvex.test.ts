// The convex program of the path-regularised parallel three-layer network and its optimal set
// (src/convex/extensions/threeLayer/{pathNorm,dualNorm,convexProgram,optimalSet}.ts). Independent
// references: the output by explicit loops; AM–GM/Cauchy–Schwarz for the cubic penalty against the
// path cost; central finite differences for the cubic objective's gradient; the arrangement form
// of (C3) solved by SCS from the raw masks (scsThreeLayer.ts, no shared code); random blocks for the
// dual norm (none may exceed the proven upper bound); gradient descent on the nonconvex network from
// random starts (never below the certified optimum).
import { beforeAll, describe, expect, it } from "vitest";
import type { Highs } from "highs";
import { convexProblem, enumeratePatterns, loadHighs, optimalSet, solveRelu } from "../../src/convex/index.js";
import { threeLayerOutput, type ThreeLayerNetwork } from "../../src/convex/extensions/threeLayer/index.js";
import {
  balanceThreeLayer, cubicDecayObjective, threeLayerPathNorm, threeLayerPathObjective, trainThreeLayerCubic,
} from "../../src/convex/extensions/threeLayer/pathNorm.js";
import { threeLayerDualNorm } from "../../src/convex/extensions/threeLayer/dualNorm.js";
import { blocksToNetwork, solveThreeLayerConvex, type ThreeLayerConvexSolution } from "../../src/convex/extensions/threeLayer/convexProgram.js";
import { threeLayerOptimalSet } from "../../src/convex/extensions/threeLayer/optimalSet.js";
import type { Matrix } from "../../src/linalg/index.js";
import { testRng } from "../helpers/random.js";
import { scsThreeLayerValue } from "./scsThreeLayer.js";

function randomNet(seed: number, m: number, m1: number, D: number, scale = 1): ThreeLayerNetwork {
  const g = testRng(seed);
  return { W1: g.randn(m * m1, D).data.map((v) => scale * v), W2: g.randnVec(m * m1).map((v) => scale * v), alpha: g.randnVec(m).map((v) => scale * v), m, m1, D };
}

/** (β/3) Σ_j (‖W_{1j}‖³_F + ‖w_{2j}‖³ + |α_j|³) and the path cost Σ_j |α_j| Σ_k ‖w_{1jk}‖|w_{2jk}|, by loops. */
function costs(net: ThreeLayerNetwork): { cubic: number; path: number } {
  let cubic = 0;
  let path = 0;
  for (let j = 0; j < net.m; j++) {
    let w1 = 0, w2 = 0, p = 0;
    for (let k = 0; k < net.m1; k++) {
      let r = 0;
      for (let t = 0; t < net.D; t++) r += net.W1[(j * net.m1 + k) * net.D + t] ** 2;
      w1 += r;
      w2 += net.W2[j * net.m1 + k] ** 2;
      p += Math.sqrt(r) * Math.abs(net.W2[j * net.m1 + k]);
    }
    cubic += (w1 ** 1.5 + w2 ** 1.5 + Math.abs(net.alpha[j]) ** 3) / 3;
    path += Math.abs(net.alpha[j]) * p;
  }
  return { cubic, path };
}

/** Four points of the unit circle (2-D, no bias) with mixed-sign targets. */
function circle4(): { X: Matrix; y: Float64Array } {
  const ang = [0.3, 1.9, 3.4, 4.6];
  return { X: { rows: 4, cols: 2, data: new Float64Array(ang.flatMap((a) => [Math.cos(a), Math.sin(a)])) }, y: Float64Array.from([1, -0.6, 0.9, -0.4]) };
}

let highs: Highs;
beforeAll(async () => { highs = await loadHighs(); });

describe("path cost and cubic weight decay", () => {
  it("cubic ≥ path on any network (AM–GM, Cauchy–Schwarz), with equality after balancing; the output is unchanged", () => {
    const X = testRng(1).randn(6, 3);
    for (const seed of [11, 12, 13]) {
      const net = randomNet(seed, 3, 4, 3);
      const c = costs(net);
      expect(threeLayerPathNorm(net)).toBeCloseTo(c.path, 12);
      expect(c.cubic).toBeGreaterThanOrEqual(c.path * (1 - 1e-14));
      const bal = balanceThreeLayer(net);
      const cb = costs(bal);
      // Rounding of cube roots and square roots: a few ulps relative.
      expect(Math.abs(cb.cubic - c.path)).toBeLessThan(1e-13 * c.path);
      expect(Math.abs(cb.path - c.path)).toBeLessThan(1e-13 * c.path);
      const f0 = threeLayerOutput(net, X);
      const f1 = threeLayerOutput(bal, X);
      for (let q = 0; q < 6; q++) expect(Math.abs(f0[q] - f1[q])).toBeLessThan(1e-13 * (1 + Math.abs(f0[q])));
    }
  });

  it("the cubic objective's gradient (central finite differences)", () => {
    const g = testRng(5);
    const X = g.randn(5, 3);
    const y = g.randnVec(5);
    const net = randomNet(21, 2, 3, 3);
    const obj = cubicDecayObjective(net, X, y, 0.3);
    const theta = new Float64Array([...net.W1, ...net.W2, ...net.alpha]);
    const grad = new Float64Array(theta.length);
    obj.evaluate(theta, grad);
    // Step 1e-6: truncation ≈ h²|F'''| ≈ 1e-12, rounding ≈ ε|F|/h ≈ 1e-10; no pre-activation of
    // these seeds is within 1e-3 of a kink (a step of 1e-6 crosses none).
    const h = 1e-6;
    for (let i = 0; i < theta.length; i++) {
      const keep = theta[i];
      theta[i] = keep + h;
      const p = obj.evaluate(theta, null).loss;
      theta[i] = keep - h;
      const q = obj.evaluate(theta, null).loss;
      theta[i] = keep;
      expect(Math.abs((p - q) / (2 * h) - grad[i])).toBeLessThan(1e-7 * (1 + Math.abs(grad[i])));
    }
  });
});

describe("solveThreeLayerConvex (C3)", () => {
  let sol: ThreeLayerConvexSolution;
  const { X, y } = circle4();
  const beta = 0.1;
  const P = enumeratePatterns(X);
  beforeAll(() => { sol = solveThreeLayerConvex(highs, X, y, beta, { patterns: P }); }, 120_000);

  it("is certified and agrees with the arrangement form solved by SCS", async () => {
    expect(sol.exact).toBe(true);
    expect(sol.relativeGap).toBeLessThan(1e-9);
    const ref = await scsThreeLayerValue(X.data, 4, 2, y, beta, P.masks, P.count);
    expect(ref.status).toMatch(/^solved$/i);
    // SCS at eps 1e-9 on this conic form: its objective is accurate to about 1e-8 relative.
    expect(Math.abs(ref.value - sol.primalValue)).toBeLessThan(1e-7 * sol.primalValue);
  }, 120_000);

  it("its network reaches the optimum on the nonconvex objective (output recomputed by model/)", () => {
    const v = threeLayerPathObjective(sol.network, X, y, beta);
    const cubic = costs(sol.network).cubic;
    expect(Math.abs(v - sol.primalValue)).toBeLessThan(1e-12 * sol.primalValue);
    // Balanced: the cubic penalty equals the path cost.
    expect(Math.abs(beta * cubic - beta * threeLayerPathNorm(sol.network))).toBeLessThan(1e-13);
  });

  it("no random block beats the proven dual-norm bound, and the bound is attained", () => {
    const dn = sol.dualNorm;
    expect(dn.lower).toBeLessThanOrEqual(dn.upper);
    expect(dn.upper - dn.lower).toBeLessThan(1e-9 * dn.upper);
    let best = 0;
    for (let t = 0; t < 20000; t++) {
      // A block of 1–3 neurons of random signs and unit path cost: s νᵀ(h)_+.
      const k = 1 + (t % 3);
      const net = randomNet(1000 + t, 1, k, 2);
      const path = threeLayerPathNorm(net);
      const f = threeLayerOutput(net, X);
      let v = 0;
      for (let q = 0; q < 4; q++) v += sol.nu[q] * f[q];
      best = Math.max(best, Math.abs(v) / path);
    }
    expect(best).toBeLessThanOrEqual(dn.upper * (1 + 1e-12));
    // Random search comes within a few percent of the maximum (a sanity check of `lower`).
    expect(best).toBeGreaterThan(0.8 * dn.lower);
  });

  it("gradient descent on the cubic-decayed network from random starts never goes below the optimum", () => {
    let bestPath = Infinity;
    for (const seed of [31, 32, 33, 34]) {
      const g = testRng(seed);
      const init: ThreeLayerNetwork = { W1: g.randn(24, 2).data.map((v) => 0.5 * v), W2: g.randnVec(24).map((v) => 0.5 * v), alpha: g.randnVec(6).map((v) => 0.5 * v), m: 6, m1: 4, D: 2 };
      const r = trainThreeLayerCubic(X, y, beta, init, { lr: 0.02, steps: 20000 });
      expect(r.finite).toBe(true);
      const pathValue = threeLayerPathObjective(r.net, X, y, beta);
      // Lower bound: the certified dual value (weak duality) holds for every network.
      expect(r.objective).toBeGreaterThanOrEqual(pathValue * (1 - 1e-14));
      expect(pathValue).toBeGreaterThanOrEqual(sol.dualValue * (1 - 1e-12));
      bestPath = Math.min(bestPath, pathValue);
    }
    // The best start gets within 1% (two of these four reach ≈ 0.05%; plain GD keeps a one-sided
    // gradient at the outer kinks z_q = 0 where the optimal blocks sit, so it does not converge
    // exactly; the others stop at worse stationary points or plateaus).
    expect(bestPath).toBeLessThan(1.01 * sol.primalValue);
  }, 120_000);

  it("the optimal set: blocks of value β, finitely many first-layer directions, P* with m* ≤ M* ≤ n", () => {
    const os = threeLayerOptimalSet(highs, X, P, beta, sol);
    expect(os.blocks.length).toBeGreaterThan(0);
    for (const b of os.blocks) expect(Math.abs(b.dualRatio - 1)).toBeLessThan(1e-6);
    // Every block of the solution is one of the optimal blocks (same fit).
    for (const sb of sol.blocks) {
      expect(os.blocks.some((b) => b.sign === sb.atom.sign && b.fit.every((v, q) => Math.abs(v - sb.atom.fit[q]) < 1e-6))).toBe(true);
    }
    // Every first-layer neuron of the solution's network points along one of the finite set.
    for (const sb of sol.blocks) {
      for (const e of sb.atom.neurons) {
        const ok = os.blocks.some((b) => b.directions.some((d) => d.sign === e.sign && Math.hypot(d.direction[0] - e.direction[0], d.direction[1] - e.direction[1]) < 1e-5));
        expect(ok).toBe(true);
      }
    }
    if (os.finite && os.mStar !== null && os.MStar !== null) {
      expect(os.mStar).toBeLessThanOrEqual(os.MStar);
      expect(os.MStar).toBeLessThanOrEqual(4);
      expect(os.mStar).toBeLessThanOrEqual(sol.blocks.length);
    }
  });
});

describe("threeLayerDualNorm", () => {
  it("for ν ≥ 0 equals max over outer patterns of the two-layer dual norm of D2ν (a block is then no better than one neuron)", () => {
    // For ν ≥ 0, νᵀ(h)_+ = Σ_q (ν_q h_q)_+ = max_{D2} (D2ν)ᵀh, so ρ₃(ν) = max_{D2} max_{h∈H} (D2ν)ᵀh,
    // and max_{h∈H} gᵀh over the unit path ball is attained by one neuron ±(Xu)_+: the maximum of
    // max_{‖u‖=1} |Σ_{q∈D2} ν_q (x_qᵀu)_+| over D2, here by a fine grid over the circle.
    const { X } = circle4();
    const nu = Float64Array.from([0.3, 0.1, 0.5, 0.2]);
    const dn = threeLayerDualNorm(highs, X, enumeratePatterns(X), nu);
    let grid = 0;
    for (let t = 0; t < 200000; t++) {
      const a = (2 * Math.PI * t) / 200000;
      let s = 0;
      for (let q = 0; q < 4; q++) s += nu[q] * Math.max(0, X.data[2 * q] * Math.cos(a) + X.data[2 * q + 1] * Math.sin(a));
      grid = Math.max(grid, s);
    }
    // Grid spacing 3e-5 rad: the maximum of a piecewise-smooth function is found to ≈ 1e-9·‖ν‖₁.
    expect(Math.abs(dn.upper - grid)).toBeLessThan(1e-8);
    expect(Math.abs(dn.lower - grid)).toBeLessThan(1e-8);
  }, 60_000);
});

describe("three layers against two layers (the five-point circle of §5.2, y = 1, β = 0.2)", () => {
  it("same optimum, the same 10 directions and 22 vertices (m* = 4, M* = 5) as extreme blocks, and one block suffices", () => {
    // For y ≥ 0 here ν* ≥ 0, so ρ₃(ν) = max_{D2} ρ₂(D2ν) = ρ₂(ν): the two-layer dual optimum is
    // feasible for three layers and the optima agree; every optimal block is a positive two-layer
    // neuron, and all of them share the nonnegative orthant, so they merge into a single block.
    const n = 5;
    const X: Matrix = { rows: n, cols: 2, data: new Float64Array(Array.from({ length: n }, (_, k) => [Math.cos((2 * Math.PI * k) / n), Math.sin((2 * Math.PI * k) / n)]).flat()) };
    const y = new Float64Array(n).fill(1);
    const beta = 0.2;
    const P = enumeratePatterns(X);
    const problem = convexProblem(X, y, beta, "square", P);
    const two = solveRelu(problem, { tol: 1e-12, maxIterations: 200_000 });
    const twoSet = optimalSet(problem, two.prediction);
    const sol = solveThreeLayerConvex(highs, X, y, beta, { patterns: P, tol: 1e-11 });
    expect(Math.abs(sol.primalValue - two.primalValue)).toBeLessThan(1e-9 * two.primalValue);
    const os = threeLayerOptimalSet(highs, X, P, beta, sol);
    expect(os.extreme.length).toBe(twoSet.directions.length);
    expect(os.extremeVertices?.length).toBe(twoSet.vertices?.length);
    expect([os.extremeMin, os.extremeMax]).toEqual([twoSet.mStar, twoSet.MStar]);
    expect(os.fewestBlocks).toBe(1);
    // Every pair of vertices merges into one block: one component from one block on.
    expect(os.blockComponents.every((c) => c.components === 1)).toBe(true);
    // The one-block network: all neurons of the witness vertex in one block; its objective on the
    // nonconvex network (model/ forward) is the optimum.
    const w = os.fewestBlocksWitness!;
    const total = w.vertex.weights.reduce((a, b) => a + b, 0);
    const neurons = w.vertex.support.flatMap((k, i) => os.extreme[k].neurons.map((e) => ({ ...e, pattern: 0, weight: (e.weight * w.vertex.weights[i]) / total })));
    const atom = { outer: new Uint8Array(n).fill(1), sign: 1 as const, neurons, fit: new Float64Array(n), cost: 1 };
    const net = blocksToNetwork([{ atom, coefficient: total }], 2);
    expect(net.m).toBe(1);
    expect(Math.abs(threeLayerPathObjective(net, X, y, beta) - sol.primalValue)).toBeLessThan(1e-9 * sol.primalValue);
  }, 120_000);
});
