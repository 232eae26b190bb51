// The non-increasing path to a global optimum (docs/science/convex.md §6). Independent checks:
//  * every stage is re-interpolated here from its two end networks with this file's own
//    implementation of the two interpolation rules, on a fine t-grid (201 points), and the
//    objective (nonconvexObjective) must not increase by more than rounding + the certified gap
//    of the optimum z* (a convex function on a segment that ends at an ε-minimiser rises by at
//    most ε anywhere on it);
//  * rebalancing, merging and pruning keep the network output (networkOutput on the fine grid);
//  * after pruning the fit vectors are linearly independent (a Gram–Schmidt written here);
//  * the end point lies between the dual lower bound and the primal value of an exact solve
//    done here, certifyNetwork calls it a global optimum, and on one instance it matches SCS;
//  * closed forms: a single unbalanced neuron (penalty along s²), and a 2-point instance whose
//    Carathéodory step is solvable by hand;
//  * too-narrow widths throw PathWidthError with the width needed, and that width works.
import { describe, expect, it } from "vitest";
import {
  certifyNetwork, convexProblem, enumeratePatterns, networkOutput, nonconvexObjective, optimalSet, solveRelu,
  vertexToNetwork, withBias, type ConvexLossName, type ConvexProblem, type ReluNetwork,
} from "../../src/convex/index.js";
import { nonIncreasingPath, PathWidthError, type PathReport, type PathStage } from "../../src/convex/landscape/path.js";
import { labels, makeBuiltin } from "../../src/data/index.js";
import { pathPlot } from "../../src/report/pathFigure.js";
import { renderSvg } from "../../src/report/render.js";
import { testRng } from "../helpers/random.js";
import { scsReluValue } from "./scsReference.js";

const EPS = Number.EPSILON;
const FINE = 201;

function problemOf(address: string, beta: number, loss: ConvexLossName = "square"): ConvexProblem {
  const ds = makeBuiltin(address);
  const X = withBias(ds.X);
  const y = loss === "logistic" ? labels(ds) : Float64Array.from(ds.Y.data);
  return convexProblem(X, y, beta, loss, enumeratePatterns(X));
}

function randomNetwork(seed: number, m: number, D: number, scale = 1): ReluNetwork {
  const g = testRng(seed);
  const W = g.randn(m, D).data.map((v) => scale * v);
  const alpha = g.randnVec(m).map((v) => scale * v);
  return { W, alpha, m, D };
}

function rowNorm(a: Float64Array, j: number, D: number): number {
  let s = 0;
  for (let t = 0; t < D; t++) s += a[j * D + t] ** 2;
  return Math.sqrt(s);
}

/** This file's own interpolation of a stage (the rules stated in PathInterpolation). */
function interpolate(stage: PathStage, t: number): ReluNetwork {
  const { start, end } = stage;
  const { m, D } = start;
  const W = new Float64Array(m * D);
  const alpha = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    if (stage.interpolation === "rescale") {
      const wn = rowNorm(start.W, j, D);
      const a = start.alpha[j];
      const s2 = wn > 0 && a !== 0 ? 1 + t * (Math.abs(a) / wn - 1) : (1 - t) ** 2;
      const sa = wn > 0 && a !== 0 ? 1 / Math.sqrt(s2) : 1 - t;
      for (let k = 0; k < D; k++) W[j * D + k] = Math.sqrt(s2) * start.W[j * D + k];
      alpha[j] = sa * a;
    } else {
      const q = Array.from({ length: D }, (_, k) => (1 - t) * Math.abs(start.alpha[j]) * start.W[j * D + k] + t * Math.abs(end.alpha[j]) * end.W[j * D + k]);
      const c = Math.hypot(...q);
      const sign = start.alpha[j] !== 0 ? Math.sign(start.alpha[j]) : Math.sign(end.alpha[j]);
      if (c === 0) continue;
      for (let k = 0; k < D; k++) W[j * D + k] = q[k] / Math.sqrt(c);
      alpha[j] = sign * Math.sqrt(c);
    }
  }
  return { W, alpha, m, D };
}

/** Balanced ends of every contribution stage, with one sign per slot where both ends are nonzero. */
function checkBalancedEnds(stage: PathStage): void {
  if (stage.interpolation !== "contribution") return;
  const D = stage.start.D;
  for (const net of [stage.start, stage.end]) {
    for (let j = 0; j < net.m; j++) {
      const wn = rowNorm(net.W, j, D);
      expect(Math.abs(wn - Math.abs(net.alpha[j]))).toBeLessThanOrEqual(8 * EPS * Math.max(wn, 1e-300));
    }
  }
  for (let j = 0; j < stage.start.m; j++) {
    if (stage.start.alpha[j] !== 0 && stage.end.alpha[j] !== 0) expect(Math.sign(stage.start.alpha[j])).toBe(Math.sign(stage.end.alpha[j]));
  }
}

/**
 * Fine-grid re-evaluation: the largest rise of F along the path (per step), continuity between
 * stages, and the output drift of the output-preserving stages.
 */
function recheck(pr: ConvexProblem, report: PathReport): { rise: number; outputDrift: number } {
  const { X, y, beta, loss } = pr;
  let prev = NaN;
  let rise = 0;
  let outputDrift = 0;
  report.stages.forEach((stage, si) => {
    if (si > 0) expect(stage.start).toBe(report.stages[si - 1].end);
    checkBalancedEnds(stage);
    const f0 = networkOutput(stage.start, X);
    const scale = Math.max(1, ...f0.map(Math.abs));
    for (let i = 0; i < FINE; i++) {
      const t = i / (FINE - 1);
      const net = interpolate(stage, t);
      const F = nonconvexObjective(net, X, y, beta, loss).objective;
      if (!Number.isNaN(prev)) rise = Math.max(rise, (F - prev) / Math.max(1, prev));
      prev = F;
      if (stage.kind === "rebalance" || stage.kind === "merge" || stage.kind === "prune") {
        const f = networkOutput(net, X);
        for (let k = 0; k < f.length; k++) outputDrift = Math.max(outputDrift, Math.abs(f[k] - f0[k]) / scale);
      }
    }
  });
  return { rise, outputDrift };
}

/** Fit vectors σ_j (X w_j)_+ of the active neurons. */
function fits(net: ReluNetwork, X: ConvexProblem["X"]): Float64Array[] {
  const out: Float64Array[] = [];
  for (let j = 0; j < net.m; j++) {
    if (net.alpha[j] === 0 || rowNorm(net.W, j, net.D) === 0) continue;
    const one: ReluNetwork = { W: net.W.slice(j * net.D, (j + 1) * net.D), alpha: Float64Array.of(net.alpha[j]), m: 1, D: net.D };
    out.push(networkOutput(one, X));
  }
  return out;
}

/** Smallest Gram–Schmidt pivot of the normalised columns (0 for dependent columns). */
function minPivot(cols: Float64Array[]): number {
  const Q: number[][] = [];
  let worst = Infinity;
  for (const c of cols) {
    const n0 = Math.hypot(...c);
    let v = Array.from(c, (x) => x / n0);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of Q) {
        const dot = q.reduce((s, x, k) => s + x * v[k], 0);
        v = v.map((x, k) => x - dot * q[k]);
      }
    }
    const nv = Math.hypot(...v);
    worst = Math.min(worst, nv);
    if (nv === 0) return 0;
    Q.push(v.map((x) => x / nv));
  }
  return worst;
}

/** End of the Carathéodory stages: the start of the convex segment. */
function prunedNetwork(report: PathReport): ReluNetwork {
  return report.stages.find((s) => s.kind === "convex segment")!.start;
}

const INSTANCES: Array<[string, string, number]> = [
  ["1-D + bias, n = 8", "builtin:teacher?n=8&d=1&task=regression&noise=0.3&seed=1", 0.02],
  ["1-D + bias, n = 10", "builtin:teacher?n=10&d=1&task=regression&noise=0.5&seed=7", 0.05],
  ["2-D + bias, n = 8", "builtin:sin?n=8&d=2&seed=2", 0.05],
  ["2-D + bias, n = 10", "builtin:sin?n=10&d=2&seed=5&noise=0.1", 0.02],
];

describe("non-increasing path to a global optimum", () => {
  for (const [name, address, beta] of INSTANCES) {
    it(`${name}: random networks (4 seeds, widths 3–24) reach the certified optimum without F increasing`, () => {
      const pr = problemOf(address, beta);
      const n = pr.X.rows;
      const ref = solveRelu(pr, { tol: 1e-12, maxIterations: 200_000 });
      expect(ref.relativeGap).toBeLessThan(1e-10);
      for (const [seed, m0, width] of [[1, 24, 24], [2, 16, 2 * n], [3, 3, 2 * n], [4, 12, 2 * n]] as const) {
        const net = randomNetwork(100 * seed + n, m0, pr.X.cols, seed === 4 ? 3 : 1);
        const report = nonIncreasingPath(pr, net, { width });
        expect(report.width).toBe(width);
        // The path starts at the input network (padded with zero neurons).
        const F0 = nonconvexObjective(net, pr.X, pr.y, pr.beta, "square").objective;
        expect(report.startObjective).toBe(F0);
        for (let j = 0; j < width; j++) expect(report.stages[0].start.alpha[j]).toBe(j < m0 ? net.alpha[j] : 0);
        // Non-increasing on the fine grid: relative rise per step ≤ 1e-14 (rounding of F, a sum of
        // n squares and m·(D + 1) squares, is ~n·ε relative) plus the certified relative gap of z*.
        const { rise, outputDrift } = recheck(pr, report);
        expect(rise).toBeLessThanOrEqual(1e-14 + ref.relativeGap);
        expect(report.maxIncrease).toBeLessThanOrEqual((1e-14 + ref.relativeGap) * Math.max(1, F0));
        // Output kept by rebalance/merge/prune: rounding of (X w)_+ α sums (measured ≤ 2e-15 of max|f|; bound 1e-13).
        expect(outputDrift).toBeLessThan(1e-13);
        // After Carathéodory: at most n active neurons with independent fit vectors.
        const pruned = prunedNetwork(report);
        const F = fits(pruned, pr.X);
        expect(F.length).toBeLessThanOrEqual(n);
        expect(minPivot(F)).toBeGreaterThan(1e-10);
        // The end: between the dual bound and the primal value of the reference solve.
        const end = report.endObjective;
        expect(end).toBeGreaterThanOrEqual(ref.dualValue - 1e-13 * ref.dualValue);
        expect(end - ref.dualValue).toBeLessThanOrEqual(ref.gap + 1e-12 * ref.primalValue);
        expect(Math.abs(end - ref.primalValue)).toBeLessThanOrEqual(ref.gap + 1e-12 * ref.primalValue);
        expect(report.endGap).toBeLessThanOrEqual(ref.gap + 1e-12 * ref.primalValue);
        // The dropped-zero network has the end objective and is certified globally optimal.
        expect(report.final.m).toBe(report.stages[report.stages.length - 1].points.at(-1)!.activeNeurons);
        expect(Math.abs(nonconvexObjective(report.final, pr.X, pr.y, pr.beta, "square").objective - end)).toBeLessThanOrEqual(4 * EPS * end);
        expect(certifyNetwork(pr, report.final).classification).toBe("global optimum");
        expect(report.finalClass).toBe("global optimum");
        // Ends at a sparsest vertex: width m*.
        expect(report.final.m).toBe(report.mStar);
      }
    });
  }

  it("logistic loss (1-D and 2-D + bias blobs): non-increasing, ends at the certified optimum", () => {
    for (const [address, seed] of [["builtin:blobs?n=10&d=1&seed=3", 5], ["builtin:blobs?n=10&d=2&seed=3", 6]] as const) {
      const pr = problemOf(address, 0.05, "logistic");
      const ref = solveRelu(pr, { tol: 1e-12, maxIterations: 200_000 });
      const report = nonIncreasingPath(pr, randomNetwork(seed, 10, pr.X.cols), { width: 20 });
      const { rise, outputDrift } = recheck(pr, report);
      expect(rise).toBeLessThanOrEqual(1e-14 + ref.relativeGap);
      expect(outputDrift).toBeLessThan(1e-13);
      expect(report.endObjective - ref.dualValue).toBeLessThanOrEqual(ref.gap + 1e-12 * ref.primalValue);
      expect(certifyNetwork(pr, report.final).classification).toBe("global optimum");
    }
  });

  it("matches an independent conic solve (SCS) of the same program on a 1-D instance", async () => {
    const pr = problemOf("builtin:teacher?n=8&d=1&task=regression&noise=0.3&seed=1", 0.02);
    const report = nonIncreasingPath(pr, randomNetwork(9, 10, 2), { width: 16 });
    const { X, y, beta, patterns } = pr;
    const scs = await scsReluValue(X.data, X.rows, X.cols, y, beta, patterns.masks, patterns.count, true);
    expect(scs.status).toMatch(/solved/i);
    // SCS at eps 1e-9 agrees with exact optima to ~1e-7 relative on these instances.
    expect(Math.abs(report.endObjective - scs.value)).toBeLessThan(1e-6 * scs.value);
  });

  it("rebalance of one neuron follows the closed form (β/2)(‖w‖²s² + α²/s²) and ends at β‖w‖|α|", () => {
    const X = withBias({ rows: 3, cols: 1, data: Float64Array.of(-1, 0.5, 2) });
    const pr = convexProblem(X, Float64Array.of(0.3, -0.2, 1), 0.1, "square", enumeratePatterns(X));
    const net: ReluNetwork = { W: Float64Array.of(3, 4), alpha: Float64Array.of(0.2), m: 1, D: 2 };
    const report = nonIncreasingPath(pr, net, { width: 6, samples: 11 });
    const st = report.stages[0];
    expect(st.kind).toBe("rebalance");
    for (const p of st.points) {
      const s2 = 1 + p.t * (0.2 / 5 - 1);
      expect(Math.abs(p.penalty - 0.05 * (25 * s2 + 0.04 / s2))).toBeLessThan(1e-14);
    }
    expect(Math.abs(st.points.at(-1)!.penalty - 0.1 * 5 * 0.2)).toBeLessThan(1e-15);
    expect(recheck(pr, report).rise).toBeLessThanOrEqual(1e-14);
  });

  it("Carathéodory on a hand-solvable instance: F_a + F_b − F_c = 0 removes a and b, c doubles", () => {
    // x = −1, 1 with bias: w_a = (1, 0) has fit (0, 1), w_b = (−1, 0) fit (1, 0), w_c = (0, 1) fit
    // (1, 1), all balanced with α = 1. γ = (1, 1, −1) (Σ c γ = 1 > 0, γ_max = 1, a tie): at t = 1
    // a and b vanish, c's contribution becomes 2·(0, 1), the penalty goes 3β → 2β linearly.
    const X: ConvexProblem["X"] = { rows: 2, cols: 2, data: Float64Array.of(-1, 1, 1, 1) };
    const beta = 0.1;
    const pr = convexProblem(X, Float64Array.of(1, 3), beta, "square", enumeratePatterns(X));
    const net: ReluNetwork = { W: Float64Array.of(1, 0, -1, 0, 0, 1), alpha: Float64Array.of(1, 1, 1), m: 3, D: 2 };
    const report = nonIncreasingPath(pr, net, { width: 8, samples: 5 });
    const prune = report.stages.filter((s) => s.kind === "prune");
    expect(prune.length).toBe(1);
    const st = prune[0];
    for (const p of st.points) expect(Math.abs(p.penalty - beta * (3 - p.t))).toBeLessThan(1e-14);
    const end = st.end;
    expect(end.alpha[0]).toBe(0);
    expect(end.alpha[1]).toBe(0);
    expect(Math.abs(end.alpha[2] - Math.SQRT2)).toBeLessThan(1e-15);
    expect(Math.abs(end.W[4]) + Math.abs(end.W[5] - Math.SQRT2)).toBeLessThan(1e-15);
    const out = networkOutput(end, X);
    expect(Math.abs(out[0] - 2) + Math.abs(out[1] - 2)).toBeLessThan(1e-14);
  });

  it("merges neurons of one pattern and sign (identical directions included) without raising F", () => {
    const pr = problemOf("builtin:sin?n=8&d=2&seed=2", 0.05);
    const base = randomNetwork(11, 4, 3);
    // Neuron 4 = neuron 0 scaled (same direction), neuron 5 = neuron 1 + a tiny turn (same pattern).
    const W = new Float64Array(6 * 3);
    W.set(base.W);
    for (let t = 0; t < 3; t++) W[4 * 3 + t] = 0.5 * base.W[t];
    for (let t = 0; t < 3; t++) W[5 * 3 + t] = base.W[3 + t] * (1 + 1e-3 * t);
    const alpha = Float64Array.of(...base.alpha, 2 * base.alpha[0], base.alpha[1]);
    const net: ReluNetwork = { W, alpha, m: 6, D: 3 };
    const report = nonIncreasingPath(pr, net, { width: 16 });
    const merge = report.stages.find((s) => s.kind === "merge");
    expect(merge).toBeDefined();
    const { rise, outputDrift } = recheck(pr, report);
    expect(rise).toBeLessThanOrEqual(1e-14 + report.optimum.relativeGap);
    expect(outputDrift).toBeLessThan(1e-13);
    expect(merge!.points.at(-1)!.penalty).toBeLessThanOrEqual(merge!.points[0].penalty);
  });

  it("from an optimal network the path stays at the optimum; dead and half-dead neurons vanish", () => {
    const pr = problemOf("builtin:teacher?n=8&d=1&task=regression&noise=0.3&seed=1", 0.02);
    const ref = solveRelu(pr, { tol: 1e-12, maxIterations: 200_000 });
    const os = optimalSet(pr, ref.prediction);
    const opt = vertexToNetwork(os.directions, os.vertices![os.sparsest]);
    const m = opt.m + 3;
    const W = new Float64Array(m * 2);
    W.set(opt.W);
    const alpha = new Float64Array(m);
    alpha.set(opt.alpha);
    // A neuron dead on the data (x ≤ 1 for all x: w = (1, −5)) and a half-dead one (α = 0, w ≠ 0),
    // plus w = 0 with α ≠ 0.
    W.set([1, -5], opt.m * 2);
    alpha[opt.m] = 0.7;
    W.set([0.3, 0.2], (opt.m + 1) * 2);
    alpha[opt.m + 2] = -0.4;
    const net: ReluNetwork = { W, alpha, m, D: 2 };
    const report = nonIncreasingPath(pr, net, { width: 2 * 8 });
    const { rise } = recheck(pr, report);
    expect(rise).toBeLessThanOrEqual(1e-14 + ref.relativeGap);
    // Only the extra neurons' penalty is lost: the start exceeds the optimum by their penalty.
    const extra = 0.5 * pr.beta * (1 + 25 + 0.49 + 0.09 + 0.04 + 0.16);
    expect(Math.abs(report.startObjective - extra - ref.primalValue)).toBeLessThanOrEqual(ref.gap + 1e-12);
    expect(Math.abs(report.endObjective - ref.primalValue)).toBeLessThanOrEqual(ref.gap + 1e-12 * ref.primalValue);
    expect(report.finalClass).toBe("global optimum");
  });

  it("too narrow: PathWidthError names the width needed, and that width works", () => {
    const pr = problemOf("builtin:teacher?n=8&d=1&task=regression&noise=0.3&seed=1", 0.02);
    const net = randomNetwork(1, 2, 2);
    let err: unknown;
    try {
      nonIncreasingPath(pr, net);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PathWidthError);
    expect(err).toBeInstanceOf(RangeError);
    const needed = (err as PathWidthError).needed;
    expect(needed).toBeGreaterThan(2);
    expect((err as Error).message).toContain(`needs width ≥ ${needed}`);
    const ok = nonIncreasingPath(pr, net, { width: needed });
    expect(ok.widthNeeded).toBe(needed);
    expect(ok.finalClass).toBe("global optimum");
    expect(() => nonIncreasingPath(pr, net, { width: needed - 1 })).toThrow(PathWidthError);
    // Going straight to the vertex (no stage 4) needs no more width.
    let straightNeed = 0;
    try {
      nonIncreasingPath(pr, net, { straight: true });
      straightNeed = 2;
    } catch (e) {
      straightNeed = (e as PathWidthError).needed;
    }
    expect(straightNeed).toBeLessThanOrEqual(needed);
    const st = nonIncreasingPath(pr, net, { width: straightNeed, straight: true });
    expect(st.stages.some((s) => s.kind === "optimal set")).toBe(false);
    expect(recheck(pr, st).rise).toBeLessThanOrEqual(1e-14 + st.optimum.relativeGap);
    expect(st.finalClass).toBe("global optimum");
  });

  it("rejects bad input", () => {
    const pr = problemOf("builtin:teacher?n=8&d=1&task=regression&noise=0.3&seed=1", 0.02);
    const net = randomNetwork(1, 4, 2);
    expect(() => nonIncreasingPath(pr, net, { width: 3 })).toThrow(/width must be an integer ≥ the input width 4/);
    expect(() => nonIncreasingPath(pr, randomNetwork(1, 4, 3))).toThrow(/input dimension 3, X has 2 columns/);
    const bad = { ...net, alpha: Float64Array.of(1, NaN, 0, 0) };
    expect(() => nonIncreasingPath(pr, bad)).toThrow(/non-finite/);
    expect(() => nonIncreasingPath(pr, net, { width: 20, samples: 1 })).toThrow(/samples/);
  });

  it("series: one row per sample in path order, position = stage + t, arclength non-decreasing", () => {
    const pr = problemOf("builtin:sin?n=8&d=2&seed=2", 0.05);
    const report = nonIncreasingPath(pr, randomNetwork(3, 12, 3), { samples: 7, keepNetworks: true });
    expect(report.series.length).toBe(7 * report.stages.length);
    report.series.forEach((r, i) => {
      expect(r.position).toBe(r.stage + r.t);
      if (i > 0) {
        expect(r.position).toBeGreaterThanOrEqual(report.series[i - 1].position);
        expect(r.arclength).toBeGreaterThanOrEqual(report.series[i - 1].arclength);
      }
      const p = report.stages[r.stage].points.find((q) => q.t === r.t)!;
      expect(r.objective).toBe(p.objective);
      expect(Math.abs(r.loss + r.penalty - r.objective)).toBeLessThanOrEqual(4 * EPS * r.objective);
    });
    for (const s of report.stages) expect(s.networks!.length).toBe(7);
    expect(report.series[0].objective).toBe(report.startObjective);
    // Negative control: the same stages walked backwards rise, and recheck sees it.
    const reversed = [...report.stages].reverse().map((st) => ({ ...st, start: st.end, end: st.start }));
    const back = recheck(pr, { ...report, stages: reversed });
    expect(back.rise).toBeGreaterThan(1e-2);
    expect(report.series.at(-1)!.objective).toBe(report.endObjective);
  });

  it("pathPlot: one line per quantity over the series, stage bands labelled, renders without warnings", async () => {
    const pr = problemOf("builtin:sin?n=8&d=2&seed=2", 0.05);
    const report = nonIncreasingPath(pr, randomNetwork(3, 12, 3), { samples: 9 });
    for (const x of ["position", "arclength"] as const) {
      const spec = pathPlot({ data: report.series, x, title: "path" });
      const layers = spec.layer as { data: { values: Record<string, unknown>[] } }[];
      expect(layers[0].data.values.length).toBe(3 * report.series.length);
      const labelled = layers.slice(1).flatMap((l) => l.data.values.map((v) => v.label)).filter((v) => v !== undefined);
      const kinds = [...new Set(report.stages.map((st) => st.kind))];
      for (const k of kinds) expect(labelled.some((l) => String(l).startsWith(k))).toBe(true);
      const warnings: string[] = [];
      const svg = await renderSvg(spec, warnings);
      expect(warnings).toEqual([]);
      expect(svg).toContain("<svg");
    }
  });
});
