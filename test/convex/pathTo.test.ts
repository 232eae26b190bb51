// `nonIncreasingPath` to a chosen vertex of P* (`convex --path --to vertex:K`, docs/science/convex.md §6
// step 4). Five points on the unit circle at β = 0.2 (docs/science/convex.md §5.2: 22 vertices,
// m* = 4, M* = 5; every component is a singleton at width 5, the set is connected from width 6).
// Independent references:
//  * the end network against the vertex's own network (vertexToNetwork), neuron by neuron up to
//    permutation, and its objective by a plain-loop objective against the certified dual bound;
//  * the objective along the whole sampled path re-evaluated by the plain-loop objective
//    (non-increasing up to 1e-12 relative), and constant (= F*) on the segments inside P*;
//  * the route's segments against the width: every consecutive pair of vertices has |S ∪ S'| ≤ m,
//    counted here from the supports.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  convexProblem, enumeratePatterns, nonIncreasingPath, optimalSet, PathComponentError, solveRelu, vertexToNetwork,
  type ConvexProblem, type ReluNetwork,
} from "../../src/convex/index.js";
import { runCli as run } from "../helpers/cli.js";
import { naiveObjective } from "../helpers/convex.js";

const CIRCLE = "examples/papers/convex-circle5-data.json";

function circleProblem(): ConvexProblem {
  const { X, y } = JSON.parse(readFileSync(CIRCLE, "utf8")) as { X: number[][]; y: number[] };
  const M = { rows: X.length, cols: 2, data: Float64Array.from(X.flat()) };
  return convexProblem(M, Float64Array.from(y), 0.2, "square", enumeratePatterns(M));
}

/** Nonzero neurons (α, w) sorted. */
function neurons(net: ReluNetwork): number[][] {
  const out: number[][] = [];
  for (let j = 0; j < net.m; j++) if (net.alpha[j] !== 0) out.push([net.alpha[j], ...net.W.subarray(j * net.D, (j + 1) * net.D)]);
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** A fixed 3-neuron start, far from optimal. */
const START: ReluNetwork = { m: 3, D: 2, W: Float64Array.from([-0.5, 1.2, 0.9, -0.3, 0.4, 0.8]), alpha: Float64Array.from([1.1, -0.7, 0.6]) };

describe("nonIncreasingPath to a chosen vertex of P*", () => {
  const pr = circleProblem();
  const sol = solveRelu(pr, { tol: 1e-12, maxIterations: 200_000 });
  const os = optimalSet(pr, sol.prediction);
  const V = os.vertices!;

  it("the instance: 22 vertices, m* = 4, M* = 5, a certified optimum", () => {
    expect(sol.relativeGap).toBeLessThan(1e-12);
    expect(V.length).toBe(22);
    expect([os.mStar, os.MStar]).toEqual([4, 5]);
  });

  it("width 6 (connected): every vertex is reached, the objective never rises, the end IS the vertex", () => {
    let routed = 0;
    for (let K = 0; K < V.length; K++) {
      const rep = nonIncreasingPath(pr, START, { width: 6, optimum: sol, vertex: K, keepNetworks: true });
      const target = neurons(vertexToNetwork(os.directions, V[K]));
      const end = neurons(rep.final);
      expect(end.length).toBe(target.length);
      end.forEach((row, j) => row.forEach((v, t) => expect(Math.abs(v - target[j][t])).toBeLessThan(1e-12)));
      expect(rep.vertex).toEqual({ index: K, support: V[K].support.length });
      // Along the path, re-evaluated independently: non-increasing up to rounding.
      const objs = rep.stages.flatMap((st) => st.networks!.map((net) => naiveObjective(net, pr)));
      for (let i = 1; i < objs.length; i++) expect(objs[i] - objs[i - 1]).toBeLessThanOrEqual(1e-12 * objs[0]);
      expect(Math.abs(objs[objs.length - 1] - sol.dualValue)).toBeLessThan(1e-12);
      // Inside P* the objective is F*; the route's consecutive vertices fit the width.
      for (const st of rep.stages.filter((s) => s.kind === "optimal set")) {
        for (const net of st.networks!) expect(Math.abs(naiveObjective(net, pr) - sol.dualValue)).toBeLessThan(1e-12);
      }
      if (rep.route.length > 1) {
        routed++;
        expect(rep.route[rep.route.length - 1]).toBe(K);
        for (let r = 1; r < rep.route.length; r++) {
          expect(new Set([...V[rep.route[r - 1]].support, ...V[rep.route[r]].support]).size).toBeLessThanOrEqual(6);
        }
      }
    }
    expect(routed).toBeGreaterThan(0); // some vertices are reached only through the component
  });

  it("width 5 (every component a singleton): a vertex is reached directly or the path says it is not in reach", () => {
    let refused = 0;
    for (let K = 0; K < V.length; K++) {
      try {
        const rep = nonIncreasingPath(pr, START, { width: 5, optimum: sol, vertex: K });
        expect(rep.route.length).toBeLessThanOrEqual(1); // a singleton component: no vertex-to-vertex segment
        expect(neurons(rep.final).length).toBe(V[K].support.length);
      } catch (e) {
        expect(e).toBeInstanceOf(PathComponentError);
        expect((e as PathComponentError).needed).toBeGreaterThan(5);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});

describe("convex --path --to vertex:K", () => {
  const model = `${process.env.TMPDIR ?? "/tmp"}/splitscape-pathto-${process.pid}.json`;
  const net = { kind: "two-layer", activation: "relu", W: [[-0.5, 1.2], [0.9, -0.3], [0.4, 0.8]], a: [1.1, -0.7, 0.6] };

  it("ends at the chosen vertex (JSON), or exits 2 with one line when it is out of reach at --width", async () => {
    const { writeFileSync, rmSync } = await import("node:fs");
    writeFileSync(model, JSON.stringify(net));
    try {
      const ok = await run("convex", "--path", "--model", model, "--data", CIRCLE, "--beta", "0.2", "--to", "vertex:15", "--width", "6", "--json");
      expect(ok.code).toBe(0);
      const j = JSON.parse(ok.out);
      expect(j.to.endsAtVertex).toBe(true);
      expect(j.vertex.index).toBe(15);
      expect(j.nonIncreasing).toBe(true);
      expect(Math.abs(j.endObjective - j.to.vertexObjective)).toBeLessThan(1e-12);
      const far = await run("convex", "--path", "--model", model, "--data", CIRCLE, "--beta", "0.2", "--to", "vertex:15", "--width", "5");
      expect(far.code).toBe(2);
      expect(far.out).toBe("");
      expect(far.err.trim().split("\n")).toHaveLength(1);
      expect(far.err).toMatch(/vertex 15 of P\* is not reachable at width 5/);
      const bad = await run("convex", "--path", "--model", model, "--data", CIRCLE, "--beta", "0.2", "--to", "vertex:22");
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/22 vertices/);
    } finally {
      rmSync(model, { force: true });
    }
  });
});

describe("convex --path --to model:FILE", () => {
  const dir = `${process.env.TMPDIR ?? "/tmp"}/splitscape-pathto-model-${process.pid}`;

  it("ends at the vertex an irreducible optimal network is; a non-optimal or reducible network is exit 2", async () => {
    const { mkdirSync, writeFileSync, rmSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    try {
      const pr = circleProblem();
      const os = optimalSet(pr, solveRelu(pr, { tol: 1e-12, maxIterations: 200_000 }).prediction);
      const v = vertexToNetwork(os.directions, os.vertices![10]);
      const rows = [...Array(v.m).keys()].reverse(); // a permuted copy
      const file = (name: string, W: number[][], a: number[]): string => {
        const f = `${dir}/${name}.json`;
        writeFileSync(f, JSON.stringify({ kind: "two-layer", activation: "relu", W, a }));
        return f;
      };
      const target = file("v10", rows.map((j) => [v.W[2 * j], v.W[2 * j + 1]]), rows.map((j) => v.alpha[j]));
      const start = file("start", START_ROWS.W, START_ROWS.a);
      const r = await run("convex", "--path", "--model", start, "--data", CIRCLE, "--beta", "0.2", "--to", `model:${target}`, "--width", "6", "--json");
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.to.vertex).toBe(10);
      expect(j.to.endsAtVertex).toBe(true);
      // The end is the model itself up to permutation (its neurons, independently compared).
      const end = neurons({ m: j.finalNetwork.W.length, D: 2, W: Float64Array.from(j.finalNetwork.W.flat()), alpha: Float64Array.from(j.finalNetwork.a) });
      const want = neurons(v);
      end.forEach((row, i) => row.forEach((x, t) => expect(Math.abs(x - want[i][t])).toBeLessThan(1e-9)));
      // Not optimal, and optimal but reducible (neuron 0 split in two halves: same function and objective).
      const bad = await run("convex", "--path", "--model", start, "--data", CIRCLE, "--beta", "0.2", "--to", `model:${start}`);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/not a certified global optimum/);
      const h = Math.SQRT1_2;
      const split = file("split", [[h * v.W[0], h * v.W[1]], [h * v.W[0], h * v.W[1]], ...rows.slice(0, -1).map((q) => [v.W[2 * q], v.W[2 * q + 1]])],
        [h * v.alpha[0], h * v.alpha[0], ...rows.slice(0, -1).map((q) => v.alpha[q])]);
      const red = await run("convex", "--path", "--model", start, "--data", CIRCLE, "--beta", "0.2", "--to", `model:${split}`, "--width", "7");
      expect(red.code).toBe(2);
      expect(red.err).toMatch(/only an irreducible optimal network/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const START_ROWS = { W: [[-0.5, 1.2], [0.9, -0.3], [0.4, 0.8]], a: [1.1, -0.7, 0.6] };

