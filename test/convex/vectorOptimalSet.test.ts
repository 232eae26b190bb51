// The optimal set of vector outputs (docs/science/convex.md §8.1; convex/extensions/vector/optimalSet.ts).
// Independent references:
//  * a rank-one target Y = y vᵀ (‖v‖ = 1) is the scalar problem on y in disguise (½‖f vᵀ − y vᵀ‖² =
//    ½‖f − y‖², ‖Λᵀ(Xu)_+‖ = |νᵀ(Xu)_+|): the vector set must equal the scalar one computed by cone
//    projections (optimalSet) — the same directions, z = ±v, the same 22 vertices, m* = 4, M* = 5;
//  * the dual norm's maximisers against a dense grid of 400 000 angles on the circle (D = 2), with
//    the grid's local maxima refined by golden-section search;
//  * the vertices of P* against brute force over every support with ml-matrix (SVD rank,
//    pseudo-inverse least squares, residual and positivity);
//  * every vertex network is a global optimum by the branch-and-bound certificate
//    (certifyVectorNetwork) with objective equal to the certified dual bound.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  certifyVectorNetwork, convexProblem, enumeratePatterns, optimalSet, polishVectorOptimum, solveRelu, solveVectorByAtoms,
  vectorCertificateFromPrediction, vectorObjective, vectorOptimalSet, vectorOptimalTarget, vectorProblem, vectorVertexNetwork, withBias,
  type VectorProblem,
} from "../../src/convex/index.js";
import type { Matrix } from "../../src/linalg/index.js";
import { bruteVertices } from "../helpers/convex.js";

const circle = JSON.parse(readFileSync("examples/papers/convex-circle5-data.json", "utf8")) as { X: number[][]; y: number[] };
const X: Matrix = { rows: 5, cols: 2, data: Float64Array.from(circle.X.flat()) };

function problemOf(Y: number[][], beta: number): VectorProblem {
  return vectorProblem(X, { rows: Y.length, cols: Y[0].length, data: Float64Array.from(Y.flat()) }, beta, "square", enumeratePatterns(X));
}

/** Solve, polish, and the optimal set. */
function solved(pr: VectorProblem) {
  const sol = solveVectorByAtoms(pr);
  const pol = polishVectorOptimum(pr, sol.certificate.prediction)!;
  return { pol, os: vectorOptimalSet(pr, pol.prediction) };
}

/** Local maxima (value ≥ 0.999β) of g(θ) = ‖Λᵀ(X u(θ))_+‖ over a grid, refined by golden section: [θ, g/β]. */
function gridMaxima(Lambda: Matrix, beta: number, XX: Matrix = X): [number, number][] {
  const c = Lambda.cols;
  const g = (th: number): number => {
    const z = new Float64Array(c);
    for (let k = 0; k < XX.rows; k++) {
      const a = Math.max(0, XX.data[2 * k] * Math.cos(th) + XX.data[2 * k + 1] * Math.sin(th));
      for (let o = 0; o < c; o++) z[o] += Lambda.data[k * c + o] * a;
    }
    return Math.hypot(...z);
  };
  const N = 400_000;
  const h = (2 * Math.PI) / N;
  const vals = Array.from({ length: N }, (_, i) => g(-Math.PI + i * h));
  const out: [number, number][] = [];
  for (let i = 0; i < N; i++) {
    const v = vals[i];
    if (!(v >= vals[(i + N - 1) % N] && v > vals[(i + 1) % N] && v >= 0.999 * beta)) continue;
    let a = -Math.PI + (i - 1) * h;
    let b = -Math.PI + (i + 1) * h;
    const r = (Math.sqrt(5) - 1) / 2;
    for (let it = 0; it < 60; it++) {
      const x1 = b - r * (b - a);
      const x2 = a + r * (b - a);
      if (g(x1) >= g(x2)) b = x2;
      else a = x1;
    }
    const th = (a + b) / 2;
    out.push([Math.atan2(Math.sin(th), Math.cos(th)), g(th) / beta]);
  }
  return out;
}

describe("vector outputs: a rank-one target is the scalar problem", () => {
  it("the same directions, vertices, m* = 4 and M* = 5 as the scalar optimal set (five points on the circle, β = 0.2)", () => {
    const v = [0.6, 0.8];
    const pr = problemOf(circle.y.map((y) => [v[0] * y, v[1] * y]), 0.2);
    const { pol, os } = solved(pr);
    expect(pol.certificate.relativeGap).toBeLessThan(1e-12);
    const scalar = convexProblem(X, Float64Array.from(circle.y), 0.2, "square", enumeratePatterns(X));
    const sos = optimalSet(scalar, solveRelu(scalar, { tol: 1e-12, maxIterations: 200_000 }).prediction);
    expect([os.mStar, os.MStar, os.vertices!.length]).toEqual([4, 5, 22]);
    expect(os.directions!.length).toBe(sos.directions.length);
    // Direction k of the vector set ↔ the scalar direction with the same u; z = sign·v.
    const match = os.directions!.map((d) => {
      const j = sos.directions.findIndex((s) => Math.hypot(s.direction[0] - d.direction[0], s.direction[1] - d.direction[1]) < 1e-8);
      expect(j).toBeGreaterThanOrEqual(0);
      const sgn = sos.directions[j].sign;
      expect(Math.abs(d.outputDirection[0] - sgn * v[0]) + Math.abs(d.outputDirection[1] - sgn * v[1])).toBeLessThan(1e-8);
      return j;
    });
    const key = (s: number[]): string => [...s].sort((a, b) => a - b).join(",");
    expect(os.vertices!.map((vx) => key(vx.support.map((k) => match[k]))).sort()).toEqual(sos.vertices!.map((vx) => key(vx.support)).sort());
    // The staircase: connected from m* + 2 = 6 ≤ nc + 1 = 11.
    expect(os.connectedFrom).toBe(6);
    expect(os.connectivityWidth).toBe(11);
  });
});

describe("vector outputs: two genuinely different target columns", () => {
  const Y = [[1, 0.5], [1, -0.5], [1, 0.3], [1, -0.2], [1, 0.1]];
  for (const beta of [0.2, 0.1]) {
    it(`five points on the circle, β = ${beta}: directions vs a grid, vertices vs brute force, vertex networks certified`, () => {
      const pr = problemOf(Y, beta);
      const { pol, os } = solved(pr);
      expect(pol.certificate.relativeGap).toBeLessThan(1e-12);
      // The exact dual norm agrees with the branch-and-bound certificate's bounds.
      const bb = vectorCertificateFromPrediction(pr, pol.prediction, pol.certificate.primalValue, { tol: 1e-9 });
      expect(pol.certificate.s).toBeGreaterThanOrEqual(bb.sLower * (1 - 1e-12));
      expect(pol.certificate.s).toBeLessThanOrEqual(bb.s * (1 + 1e-12));
      // Directions: the grid's maximisers at value β are exactly the active directions.
      const grid = gridMaxima(os.Lambda, beta).filter(([, r]) => r >= 1 - 1e-5);
      expect(grid.length).toBe(os.directions!.length);
      for (const [th] of grid) {
        expect(os.directions!.some((d) => Math.hypot(d.direction[0] - Math.cos(th), d.direction[1] - Math.sin(th)) < 1e-6)).toBe(true);
      }
      // Vertices by brute force.
      const target = vectorOptimalTarget(pr, pol.prediction);
      expect(os.vertices!.map((v) => v.support.join(",")).sort()).toEqual(bruteVertices(os.directions!.map((d) => d.fit), target));
      expect(os.MStar!).toBeLessThanOrEqual(10); // ≤ nc
      // Every vertex network: objective = F* (to the certified dual bound) and certified global.
      for (const v of os.vertices!) {
        const net = vectorVertexNetwork(os.directions!, v, 2, 2);
        const value = vectorObjective(net, pr.X, pr.Y, beta).objective;
        expect(Math.abs(value - bb.dualValue) / value).toBeLessThan(1e-12);
        expect(certifyVectorNetwork(pr, net, { tol: 1e-9 }).classification).toBe("global optimum");
      }
      expect(os.connectedFrom!).toBeLessThanOrEqual(os.connectivityWidth);
    });
  }
});

describe("vector outputs: 1-D data with a bias (optimal directions on cone faces)", () => {
  it("examples/two-outputs.json, β = 0.05: the face maximisers (kinks at data points) vs a grid, vertices vs brute force", () => {
    const d = JSON.parse(readFileSync("examples/two-outputs.json", "utf8")) as { X: number[][]; y: number[][] };
    const XX = withBias({ rows: d.X.length, cols: 1, data: Float64Array.from(d.X.flat()) });
    const pr = vectorProblem(XX, { rows: d.y.length, cols: 2, data: Float64Array.from(d.y.flat()) }, 0.05, "square", enumeratePatterns(XX));
    const { pol, os } = solved(pr);
    // Neurons sit on kinks here (no Newton refinement): the gap is the solver's, ~1e-7.
    expect(pol.certificate.relativeGap).toBeLessThan(1e-7);
    const grid = gridMaxima(os.Lambda, 0.05, XX).filter(([, r]) => r >= 1 - 1e-5);
    expect(grid.length).toBe(os.directions!.length);
    for (const [th] of grid) {
      expect(os.directions!.some((dd) => Math.hypot(dd.direction[0] - Math.cos(th), dd.direction[1] - Math.sin(th)) < 1e-6)).toBe(true);
    }
    // Some optimal direction is on a cone face: x_kᵀu = 0 for a data point (a kink).
    const onFace = os.directions!.filter((dd) => d.X.some(([x]) => Math.abs(x * dd.direction[0] + dd.direction[1]) < 1e-9));
    expect(onFace.length).toBeGreaterThan(0);
    const target = vectorOptimalTarget(pr, pol.prediction);
    expect(os.vertices!.map((v) => v.support.join(",")).sort()).toEqual(bruteVertices(os.directions!.map((dd) => dd.fit), target, 1e-6)); // F* to ~1e-7: residuals at that level
    for (const v of os.vertices!) {
      const net = vectorVertexNetwork(os.directions!, v, 2, 2);
      const value = vectorObjective(net, pr.X, pr.Y, 0.05).objective;
      expect(Math.abs(value - pol.certificate.dualValue) / value).toBeLessThan(1e-7);
    }
    expect(os.MStar!).toBeLessThanOrEqual(16);
  });
});

describe("vector outputs: the softmax loss (F* unique up to row shifts)", () => {
  it("every z_k ⊥ 1, the vertex reproduces the centred F*, and its network is a certified global optimum", () => {
    const Y = [[1, 0], [0, 1], [1, 0], [0.5, 0.5], [0, 1]];
    const pr = vectorProblem(X, { rows: 5, cols: 2, data: Float64Array.from(Y.flat()) }, 0.1, "softmax", enumeratePatterns(X));
    const { pol, os } = solved(pr);
    expect(pol.certificate.relativeGap).toBeLessThan(1e-7);
    for (const d of os.directions!) expect(Math.abs(d.outputDirection[0] + d.outputDirection[1])).toBeLessThan(1e-12);
    const target = vectorOptimalTarget(pr, pol.prediction);
    for (let k = 0; k < 5; k++) expect(Math.abs(target[2 * k] + target[2 * k + 1])).toBeLessThan(1e-12);
    expect(os.vertices!.length).toBeGreaterThan(0);
    for (const v of os.vertices!) {
      const net = vectorVertexNetwork(os.directions!, v, 2, 2);
      const value = vectorObjective(net, pr.X, pr.Y, 0.1, "softmax").objective;
      expect(Math.abs(value - pol.certificate.dualValue) / value).toBeLessThan(1e-7);
      expect(certifyVectorNetwork(pr, net, { tol: 1e-6 }).classification).toBe("global optimum");
    }
  });
});

describe("convex with k > 1 target columns: the optimal set in the JSON", () => {
  it("mStar, MStar, directions with output directions, vertices and connectivity (rank-one circle target)", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { runCli } = await import("../helpers/cli.js");
    const dir = mkdtempSync(join(tmpdir(), "splitscape-vset-"));
    try {
      const data = join(dir, "d.json");
      writeFileSync(data, JSON.stringify({ X: circle.X, y: circle.y.map((y) => [0.6 * y, 0.8 * y]) }));
      const r = await runCli("convex", "--data", data, "--beta", "0.2", "--json");
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out);
      expect([j.mStar, j.MStar]).toEqual([4, 5]);
      expect(j.directions).toHaveLength(10);
      expect(j.directions[0].outputDirection).toHaveLength(2);
      expect(j.optimalSet.vertices).toBe(22);
      expect(j.optimalSet.connectedFrom).toBe(6);
      expect(j.optimalSet.connectedBoundHolds).toBe(true);
      expect(j.optimalSet.sparsestObjectiveError).toBeLessThan(1e-12);
      expect(j.optimalSet.polished.relativeGap).toBeLessThan(1e-12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
