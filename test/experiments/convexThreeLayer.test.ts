// The `convex-three-layer-directions` kind (family "convex", a tour headline). Its headline run
// passes every verdict, is deterministic and builds its figures; the reported numbers are checked
// against quantities recomputed here from the returned final networks, independently of
// src/convex/extensions/threeLayer/: the output by explicit loops over samples, ν = y − f (square loss
// ½‖f − y‖²), the dual candidate Π_K(σ Xᵀ D_i D2_j ν)/‖·‖ with Π_K by the single-NNLS formula
// (projectOntoConeNnls, not the active-set projection the library uses), the gradient by central
// finite differences, and the balance residuals by hand.
import { describe, expect, it } from "vitest";
import { projectOntoConeNnls } from "../../src/convex/program/cone.js";
import { makeBuiltin } from "../../src/data/index.js";
import "../../src/experiments/kinds/index.js";
import { getExperiment } from "../../src/experiments/registry.js";
import type { ExperimentResult, RunContext, RunSpec } from "../../src/experiments/types.js";
import type { Matrix } from "../../src/linalg/index.js";
import { fork } from "../../src/random/index.js";

const KIND = "convex-three-layer-directions";

function ctx(seed: number): RunContext {
  return { seed, rng: (s) => fork(seed, s), metric: () => {}, log: () => {} };
}

async function runKind(params: Record<string, unknown>, seed = 0): Promise<{ res: ExperimentResult; spec: RunSpec }> {
  const def = getExperiment(KIND)!;
  const spec = { kind: KIND, seed, params: def.schema.parse(params) as Record<string, unknown> };
  return { res: await def.run(spec, ctx(seed)), spec };
}

interface NetJson { m: number; m1: number; D: number; W1: number[]; W2: number[]; alpha: number[] }

/** H (neuron-major, n per neuron), Z (block-major) and f by explicit loops. */
function forward(net: NetJson, X: Matrix): { H: number[][]; Z: number[][]; f: number[] } {
  const n = X.rows;
  const H: number[][] = [];
  const Z: number[][] = [];
  const f = new Array<number>(n).fill(0);
  for (let j = 0; j < net.m; j++) {
    const z = new Array<number>(n).fill(0);
    for (let k = 0; k < net.m1; k++) {
      const h = new Array<number>(n).fill(0);
      for (let q = 0; q < n; q++) {
        for (let t = 0; t < net.D; t++) h[q] += X.data[q * net.D + t] * net.W1[(j * net.m1 + k) * net.D + t];
        z[q] += Math.max(0, h[q]) * net.W2[j * net.m1 + k];
      }
      H.push(h);
    }
    for (let q = 0; q < n; q++) f[q] += Math.max(0, z[q]) * net.alpha[j];
    Z.push(z);
  }
  return { H, Z, f };
}

function objective(net: NetJson, X: Matrix, y: Float64Array, beta: number): number {
  const { f } = forward(net, X);
  let l = 0;
  for (let q = 0; q < X.rows; q++) l += 0.5 * (f[q] - y[q]) ** 2;
  const sq = [...net.W1, ...net.W2, ...net.alpha].reduce((s, v) => s + v * v, 0);
  return l + 0.5 * beta * sq;
}

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

/**
 * Per neuron: the distance of w̄ to Π_K(σ Xᵀ D_i D2_j ν)/‖·‖ (2 when the projection is 0), with
 * D_i = 1[Xw > 0] in the vector and K of 1[Xw ≥ 0], and whether it is active (reaches the output,
 * and ‖X‖_F‖w₁‖|w₂α| > activeTol·max(‖y‖, largest such bound): the kind's stated rule).
 */
function directionCheck(net: NetJson, X: Matrix, y: Float64Array, activeTol: number): Array<{ active: boolean; distance: number }> {
  const { H, Z, f } = forward(net, X);
  const n = X.rows;
  const D = net.D;
  const nu = Array.from(y, (v, q) => v - f[q]);
  const xF = norm(X.data);
  const size = H.map((_, nk) => xF * norm(net.W1.slice(nk * D, (nk + 1) * D)) * Math.abs(net.W2[nk] * net.alpha[Math.floor(nk / net.m1)]));
  const scale = Math.max(norm(y), ...size);
  return H.map((h, nk) => {
    const j = Math.floor(nk / net.m1);
    const w = net.W1.slice(nk * D, (nk + 1) * D);
    const sigma = Math.sign(net.alpha[j] * net.W2[nk]);
    const g = new Float64Array(D);
    const mask = new Uint8Array(n);
    let reaches = false;
    for (let q = 0; q < n; q++) {
      mask[q] = h[q] >= 0 ? 1 : 0;
      if (h[q] > 0 && Z[j][q] > 0) {
        reaches = true;
        for (let t = 0; t < D; t++) g[t] += sigma * nu[q] * X.data[q * D + t];
      }
    }
    const pr = projectOntoConeNnls(X.data, n, D, mask, g);
    const wn = norm(w);
    const distance = pr.norm > 0 ? norm(w.map((v, t) => v / wn - pr.projection[t] / pr.norm)) : 2;
    return { active: reaches && size[nk] > activeTol * scale, distance };
  });
}

describe(KIND, () => {
  it("is a convex headline; its headline run passes every verdict, is deterministic and builds its figures", async () => {
    const def = getExperiment(KIND)!;
    expect(def.family).toBe("convex");
    expect(def.headline).toBeDefined();
    const seed = def.headline!.seed ?? 0;
    const { res, spec } = await runKind(def.headline!.params ?? {}, seed);
    for (const v of res.verdicts) expect(v.pass, `${v.claim}: ${v.measured} ${v.relation} ${v.tolerance}`).toBe(true);
    expect(res.verdicts.length).toBe(6); // both theorems, some smooth runs, the smooth claim, the decrease, own ∈ set
    const p = spec.params as { seeds: number; checkpoints: number };
    expect(res.series.runs).toHaveLength(p.seeds);
    expect(res.series.checkpoints).toHaveLength(p.seeds * (p.checkpoints + 1));
    const again = await runKind(def.headline!.params ?? {}, seed);
    expect(again.res.summary).toEqual(res.summary);
    const figs = def.figures(res, spec);
    expect(figs.map((f) => f.name)).toEqual(["distance-vs-gradient", "distance-training", "gradient-training"]);
    expect(() => JSON.stringify(figs)).not.toThrow();
  });

  it("reported distances, objectives, stationarity and balance agree with an independent recomputation from the returned networks", async () => {
    const def = getExperiment(KIND)!;
    const seed = def.headline!.seed ?? 0;
    const { res, spec } = await runKind(def.headline!.params ?? {}, seed);
    const p = spec.params as { beta: number; activeTol: number; gradTol: number };
    const ds = makeBuiltin(String(res.summary.data));
    const X = ds.X;
    const y = ds.Y.data;
    const nets = (res.extra as { networks: NetJson[] }).networks;
    let smoothChecked = 0;
    res.series.runs!.forEach((r, s) => {
      const net = nets[s];
      // Objective: the same formula summed in another order; rounding ≈ 1e-15 relative.
      expect(Math.abs(objective(net, X, y, p.beta) - Number(r.objective))).toBeLessThan(1e-12 * Number(r.objective));
      const checks = directionCheck(net, X, y, p.activeTol);
      const active = checks.filter((c) => c.active);
      expect(active.length).toBe(Number(r.active));
      if (active.length === 0) return;
      const maxDistance = Math.max(...active.map((c) => c.distance));
      // Two different projection algorithms (active-set vs one NNLS) on well-conditioned 5×6
      // data: they agree to ~1e-14 absolutely; 1e-6 relative covers the non-smooth runs' O(1e-4) values.
      expect(Math.abs(maxDistance - Number(r.maxDistance))).toBeLessThan(1e-11 + 1e-6 * maxDistance);
      if (r.outcome !== "smooth stationary") return;
      smoothChecked++;
      // Stationarity by central differences (h = 1e-6: truncation ≈ h² ≈ 1e-12, rounding ≈ ε|F|/h ≈ 1e-10
      // per component): ‖∇F‖ ≤ gradTol = 1e-8 is claimed, so the FD gradient must be ≤ 1e-7.
      const theta = [net.W1, net.W2, net.alpha];
      let g2 = 0;
      const h = 1e-6;
      for (const arr of theta) {
        for (let i = 0; i < arr.length; i++) {
          const keep = arr[i];
          arr[i] = keep + h;
          const fp = objective(net, X, y, p.beta);
          arr[i] = keep - h;
          const fm = objective(net, X, y, p.beta);
          arr[i] = keep;
          g2 += ((fp - fm) / (2 * h)) ** 2;
        }
      }
      expect(Math.sqrt(g2)).toBeLessThan(10 * p.gradTol);
      // Balance at stationarity, by hand: ‖w₁ⱼₖ‖ = |w₂ⱼₖ| and ‖w₂ⱼ‖ = |αⱼ| (≤ ‖∇F‖/β ≈ 1e-7 with ‖∇F‖ ≤ 1e-8).
      for (let nk = 0; nk < net.m * net.m1; nk++) expect(Math.abs(norm(net.W1.slice(nk * net.D, (nk + 1) * net.D)) - Math.abs(net.W2[nk]))).toBeLessThan(1e-7);
      for (let j = 0; j < net.m; j++) expect(Math.abs(norm(net.W2.slice(j * net.m1, (j + 1) * net.m1)) - Math.abs(net.alpha[j]))).toBeLessThan(1e-7);
      // The direction is in the finite set: distance far below the O(1) distances at initialisation.
      expect(maxDistance).toBeLessThan(1e-8);
    });
    expect(smoothChecked).toBeGreaterThanOrEqual(1);
  });

  it("a tiny spec: the theorems hold, outputs exist, and a too-strict tolerance makes the smooth claim fail", async () => {
    const params = { n: 4, d: 5, seeds: 2, steps: 4000, checkpoints: 3, m: 2, m1: 2 };
    const { res } = await runKind(params, 3);
    const byClaim = (prefix: string) => res.verdicts.find((v) => v.claim.startsWith(prefix));
    expect(byClaim("distance of every first-layer direction")!.pass).toBe(true);
    expect(byClaim("balance residuals")!.pass).toBe(true);
    expect(res.series.checkpoints).toHaveLength(2 * 4);
    expect(res.series.neurons!.length).toBeGreaterThan(0);
    for (const r of res.series.neurons!) expect(Number(r.distance)).toBeLessThanOrEqual(Number(r.bound) + 1e-12);
    expect(res.summary.patterns).toBe(16); // n < d: every one of the 2^n patterns is realisable
    // The same headline instance with distanceTol below rounding: the smooth claim must fail.
    const def = getExperiment(KIND)!;
    const strict = await runKind({ ...(def.headline!.params ?? {}), distanceTol: 1e-20 }, def.headline!.seed ?? 0);
    const claim = strict.res.verdicts.find((v) => v.claim.startsWith("at those runs"))!;
    expect(claim.pass).toBe(false);
  });

  it("rejects unknown parameters and data that are not one target column", async () => {
    await expect(runKind({ width: 3 })).rejects.toThrow();
    await expect(runKind({ data: "moons" })).rejects.toThrow();
  });
});
