// Where a network sits relative to the optimal set: vertex networks (from the NNLS of
// optimalSetVertices) must be located in P* with their own weights; splitting a neuron keeps the
// point of P*; a rotated neuron is unmatched. Descent neurons are checked by a finite difference of
// the nonconvex objective: F(θ ∪ {(√t ū, σ√t)}) − F(θ) = t·rate + O(t²).
import { describe, expect, it } from "vitest";
import {
  descentNeurons, locateInOptimalSet, nonconvexObjective, optimalSet, solveRelu,
  vertexToNetwork, type ReluNetwork,
} from "../../src/convex/index.js";
import { sixPointProblem } from "../helpers/convex.js";

const problem = sixPointProblem();

function withNeuron(net: ReluNetwork, w: Float64Array, a: number): ReluNetwork {
  const W = new Float64Array((net.m + 1) * net.D);
  W.set(net.W);
  W.set(w, net.m * net.D);
  const alpha = new Float64Array(net.m + 1);
  alpha.set(net.alpha);
  alpha[net.m] = a;
  return { W, alpha, m: net.m + 1, D: net.D };
}

describe("locateInOptimalSet", () => {
  const sol = solveRelu(problem, { tol: 1e-12, maxIterations: 200000 });
  const os = optimalSet(problem, sol.prediction);

  it("locates every vertex network at its own vertex of P*", () => {
    expect(os.vertices).not.toBeNull();
    for (const v of os.vertices!) {
      const loc = locateInOptimalSet(vertexToNetwork(os.directions, v), os.directions, sol.prediction);
      expect(loc.unmatched).toEqual([]);
      expect(loc.support).toEqual(v.support);
      v.support.forEach((k, j) => expect(Math.abs(loc.weights[k] - v.weights[j])).toBeLessThan(1e-12 * (1 + v.weights[j])));
      // The NNLS of the vertex reproduced ŷ* to 1e-6 (its residualTol); the located point must too.
      expect(loc.residual).toBeLessThan(1e-6);
      expect(loc.vertex).toBe(true);
    }
  });

  it("a split neuron stays at the same point of P*; a rotated one is unmatched", () => {
    const v = os.vertices![os.sparsest];
    const net = vertexToNetwork(os.directions, v);
    // Split neuron 0 into fractions 0.3 and 0.7 of its c (each balanced: scale by √0.3, √0.7).
    const D = net.D;
    const w0 = net.W.slice(0, D);
    const split = withNeuron(
      { W: Float64Array.from(net.W, (x, i) => (i < D ? x * Math.sqrt(0.3) : x)), alpha: Float64Array.from(net.alpha, (x, j) => (j === 0 ? x * Math.sqrt(0.3) : x)), m: net.m, D },
      Float64Array.from(w0, (x) => x * Math.sqrt(0.7)), net.alpha[0] * Math.sqrt(0.7),
    );
    const loc = locateInOptimalSet(split, os.directions, sol.prediction);
    expect(loc.unmatched).toEqual([]);
    expect(loc.support).toEqual(v.support);
    expect(Math.abs(loc.weights[v.support[0]] - v.weights[0])).toBeLessThan(1e-12);
    // Independent: the split network still attains the optimum on the nonconvex objective.
    const obj = nonconvexObjective(split, problem.X, problem.y, problem.beta, "square").objective;
    expect(Math.abs(obj - sol.primalValue) / sol.primalValue).toBeLessThan(1e-8);

    const rotated = { ...net, W: net.W.slice() };
    rotated.W[0] += 1e-2 * Math.hypot(...w0);
    expect(locateInOptimalSet(rotated, os.directions, sol.prediction).unmatched).toEqual([0]);
  });
});

describe("descentNeurons", () => {
  it("the zero network: adding the most violated direction lowers F at the predicted rate", () => {
    const zero: ReluNetwork = { W: new Float64Array(0), alpha: new Float64Array(0), m: 0, D: 2 };
    const F0 = nonconvexObjective(zero, problem.X, problem.y, problem.beta, "square");
    const nu = problem.y.slice(); // ν = y − 0
    const desc = descentNeurons(problem, nu, 3);
    expect(desc.length).toBeGreaterThan(0);
    for (let i = 1; i < desc.length; i++) {
      expect(desc[i].dualRatio).toBeLessThanOrEqual(desc[i - 1].dualRatio);
      // De-duplicated across cone boundaries: distinct directions (or signs).
      for (let j = 0; j < i; j++) {
        if (desc[j].sign === desc[i].sign) expect(Math.max(...desc[i].direction.map((v, t) => Math.abs(v - desc[j].direction[t])))).toBeGreaterThan(1e-9);
      }
    }
    for (const dn of desc) {
      expect(dn.rate).toBeLessThan(0);
      for (const t of [1e-4, 1e-5]) {
        const r = Math.sqrt(t);
        const net = withNeuron(zero, Float64Array.from(dn.direction, (x) => r * x), dn.sign * r);
        const F = nonconvexObjective(net, problem.X, problem.y, problem.beta, "square").objective;
        // (F(t) − F(0))/t − rate = O(t·‖(Xū)_+‖²/2): below 1e-3 relative at t ≤ 1e-4 on this data.
        expect(Math.abs((F - F0.objective) / t - dn.rate)).toBeLessThan(1e-3 * Math.abs(dn.rate) + t * 10);
      }
    }
  });

  it("none at the optimum", () => {
    const sol = solveRelu(problem, { tol: 1e-12, maxIterations: 200000 });
    expect(descentNeurons(problem, sol.nu, 5, 1e-6)).toEqual([]);
  });
});
