/**
 * KKT points of the constrained NCF problem max 𝒩(u) s.t. ‖u‖ = 1 (docs/science/small-init.md §2.3):
 * ‖u‖ = 1 and L·𝒩(u)·u ∈ ∂𝒩(u) (Euler's identity fixes the multiplier), found by many seeded
 * starts of Riemannian ascent (the NCF flow ψ̇ = ∇𝒩(ψ) seen on the sphere), refined, checked by
 * the Clarke residual, de-duplicated up to the model's symmetries and classified.
 *
 * Two-layer nets (separable, Kumar & Haupt TMLR 2024): every active neuron block of a KKT point
 * is a reduced single-neuron KKT direction ŵ_j with output sign s_j, balanced as
 * u_j = r_j·(√(p/(p+1))·ŵ_j, s_j/√(p+1)); for L = 2 all active neurons share the value
 * κ_p·s_j f(ŵ_j) = 𝒩(u), for L > 2 the radii satisfy r_j^{L−2} ∝ 1/(κ_p s_j f(ŵ_j)). The search
 * refines each ascent end point neuron by neuron on its kink face (reduced.ts) and also embeds
 * every reduced KKT direction as a one-neuron KKT point, so saddles are listed too.
 * Symmetries: points with the same outputs H(x_i; u) on the data (which are invariant under
 * neuron permutations, sign flips (w, a) → (−w, −a) of odd σ, and redistribution of mass among
 * neurons of one direction) are the same point.
 */
import { distance, dot, nrm2 } from "../linalg/index.js";
import { activationHomogeneity, twoLayerParts } from "../model/index.js";
import { unitSphere, normal, type Rng } from "../random/index.js";
import { sampledClarkeResidual, twoLayerClarkeResidual, type ClarkeResidual } from "./clarke.js";
import { ncfEvaluator, ncfOutputs, type NcfEvaluator } from "./correlation.js";
import type { NcfProblem } from "./problem.js";
import { neuronValueFactor, reducedKktDirections, refineOnKinkFace, singleNeuronCorrelation, type ReducedDirection } from "./reduced.js";
import { sphereAscent } from "./sphereAscent.js";

/** Kind of a KKT point: decided analytically (global max) or by sampled perturbations. */
export type KktKind = "global max" | "local max" | "saddle" | "local min" | "degenerate";

export interface NcfKktPoint {
  /** Unit vector in THE θ layout. */
  u: Float64Array;
  /** 𝒩(u). */
  value: number;
  /** Clarke residual dist(L𝒩(u)u, ∂𝒩(u)). */
  residual: number;
  /** ‖∇𝒩(u) − L𝒩(u)u‖ with the single (left) gradient. */
  gradientResidual: number;
  kinks: number;
  kind: KktKind;
  nonNegative: boolean;
  /** How many starts (ascents or reduced directions) reached it. */
  hits: number;
  /** Two-layer: number of neurons with nonzero mass. */
  activeNeurons?: number;
  /** Perturbation test: fraction of sampled perturbations that increased / decreased 𝒩. */
  perturbation: { up: number; down: number; samples: number; eps: number };
}

export interface NcfKktOptions {
  /** Seeded starts of the full-network ascent (default 32). */
  starts?: number;
  rng: Rng;
  /** Ascent iteration cap (default 4000). */
  maxIter?: number;
  /** Perturbations for classification (default 64) and their size (default 1e-3). */
  classifySamples?: number;
  classifyEps?: number;
  /**
   * A candidate is a KKT point when its Clarke residual is at most residualTol·L·max|𝒩| over all
   * candidates (default NCF_RESIDUAL_TOL): ‖∇𝒩(u)‖ ≥ uᵀ∇𝒩(u) = L𝒩(u) on the sphere (Euler), so
   * L·max|𝒩| is the scale of the gradients the residual compares. The others are returned as
   * `unconverged`, unclassified.
   */
  residualTol?: number;
}

/** Default relative residual tolerance of a KKT point (see NcfKktOptions.residualTol). */
export const NCF_RESIDUAL_TOL = 1e-6;

/** An ascent end point whose Clarke residual misses the tolerance: not a KKT point (yet). */
export interface NcfUnconvergedPoint {
  u: Float64Array;
  value: number;
  residual: number;
  gradientResidual: number;
  hits: number;
}

export interface NcfKktResult {
  /** The KKT points: candidates whose residual meets the tolerance, best value first. */
  points: NcfKktPoint[];
  /** Candidates whose residual misses it (distinct up to symmetries), best value first. */
  unconverged: NcfUnconvergedPoint[];
  /** The tolerance: residual ≤ residualTol·residualScale, residualScale = L·max|𝒩| over the candidates. */
  residualTol: number;
  residualScale: number;
  /** max value over the KKT points (NaN when none converged). */
  best: number;
  /** Two-layer: 𝒩* = κ_p max|f| from the reduced problem (null for deep nets). */
  ncfStar: number | null;
  reduced: ReducedDirection[] | null;
  starts: number;
}

/**
 * Clarke residual for either architecture.
 *
 * Two-layer nets: the exact box residual (twoLayerClarkeResidual); other architectures: gradient
 * sampling (sampledClarkeResidual).
 *
 * @param prob - the NCF problem
 * @param ev - its evaluator (ncfEvaluator(prob))
 * @param u - a unit point u
 * @param rng - the generator for gradient sampling (unused for two-layer nets)
 * @returns the Clarke residual, the gradient residual, the kinks and the method used
 * @example
 * ```ts
 * import { clarkeResidual, fork, makeActivation, makeBuiltin, ncfEvaluator, ncfProblem, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("relu") }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const u = new Float64Array(prob.p).fill(1 / Math.sqrt(prob.p));
 * console.log(clarkeResidual(prob, ncfEvaluator(prob), u, fork(1, "c")));
 * ```
 */
export function clarkeResidual(prob: NcfProblem, ev: NcfEvaluator, u: Float64Array, rng: Rng): ClarkeResidual {
  return prob.arch.kind === "two-layer" ? twoLayerClarkeResidual(prob, u) : sampledClarkeResidual(prob, ev, u, rng);
}

/**
 * Two-layer: assemble a KKT point from neuron directions: unit neuron blocks
 * (√(p/(p+1))ŵ_j, s_j/√(p+1)) with radii r_j (L = 2: the given masses; L > 2: r_j ∝ c_j^{−1/(L−2)}),
 * Σ r_j² = 1. Neurons not listed are zero.
 */
export function assembleTwoLayerPoint(
  prob: NcfProblem, neurons: ReadonlyArray<{ index: number; w: Float64Array; sign: number; mass: number; c: number }>,
): Float64Array {
  const arch = prob.arch;
  if (arch.kind !== "two-layer") throw new RangeError("assembleTwoLayerPoint: two-layer only");
  const p = activationHomogeneity(arch.activation) ?? 1;
  const L = prob.L;
  const u = new Float64Array(prob.p);
  const { W, a } = twoLayerParts(arch, u);
  const r2 = neurons.map((nr) => (L === 2 ? nr.mass : Math.pow(Math.max(nr.c, 1e-300), -2 / (L - 2))));
  const tot = r2.reduce((s, v) => s + v, 0);
  const cw = Math.sqrt(p / (p + 1));
  const ca = 1 / Math.sqrt(p + 1);
  neurons.forEach((nr, t) => {
    const r = Math.sqrt(r2[t] / tot);
    for (let k = 0; k < arch.d; k++) W[nr.index * arch.d + k] = r * cw * nr.w[k];
    a[nr.index] = r * ca * nr.sign;
  });
  return u;
}

/**
 * Refine a point of a two-layer net neuron by neuron into a KKT point (see the module comment):
 * each neuron of non-negligible mass is moved onto its kink face; for L = 2 only the neurons of
 * the largest normalised value are kept (the others decay under the NCF flow), with their masses.
 * Neurons with mass below massTol·max mass (default 1e-8) are dropped first.
 *
 * @param prob - an NCF problem of a two-layer net
 * @param u - an approximate KKT point (e.g. the end of an ascent or of the NCF flow)
 * @param opts - `massTol`: relative mass below which a neuron is dropped
 * @returns the refined unit point u
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, ncfEvaluator, ncfFlow, ncfProblem, refineTwoLayerKktPoint, twoLayerArchitecture, twoLayerClarkeResidual } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const flow = ncfFlow(ncfEvaluator(prob), 2, new Float64Array(prob.p).fill(0.1), { tEnd: 60 });
 * const u = refineTwoLayerKktPoint(prob, flow.u);
 * console.log(twoLayerClarkeResidual(prob, flow.u).residual, twoLayerClarkeResidual(prob, u).residual);
 * ```
 */
export function refineTwoLayerKktPoint(prob: NcfProblem, u: Float64Array, opts: { massTol?: number } = {}): Float64Array {
  const arch = prob.arch;
  if (arch.kind !== "two-layer") return u;
  const { W, a } = twoLayerParts(arch, u);
  const d = arch.d;
  const kappa = neuronValueFactor(activationHomogeneity(arch.activation) ?? 1);
  const mass: number[] = [];
  for (let j = 0; j < arch.m; j++) {
    let s = a[j] * a[j];
    for (let k = 0; k < d; k++) s += W[j * d + k] ** 2;
    mass.push(s);
  }
  const maxMass = Math.max(...mass);
  const cand: Array<{ index: number; w: Float64Array; sign: number; mass: number; c: number }> = [];
  for (let j = 0; j < arch.m; j++) {
    if (mass[j] < (opts.massTol ?? 1e-8) * maxMass) continue;
    const w = Float64Array.from(W.subarray(j * d, j * d + d));
    const wn = nrm2(w);
    if (!(wn > 0)) continue;
    for (let k = 0; k < d; k++) w[k] /= wn;
    const sign = a[j] >= 0 ? 1 : -1;
    const ref = refineOnKinkFace(prob, w, sign);
    cand.push({ index: j, w: ref.w, sign, mass: mass[j], c: kappa * sign * singleNeuronCorrelation(prob, ref.w) });
  }
  if (cand.length === 0) return u;
  if (prob.L === 2) {
    const cMax = Math.max(...cand.map((c) => c.c));
    const keep = cand.filter((c) => c.c >= cMax - 1e-9 * Math.abs(cMax));
    return assembleTwoLayerPoint(prob, keep);
  }
  return assembleTwoLayerPoint(prob, cand.filter((c) => c.c > 0));
}

/**
 * Kind by perturbation: 𝒩 at (u + ε·ξ)/‖u + ε·ξ‖ for `samples` random tangent ξ (unit), and
 * for ±ε along each coordinate's tangent component; "local max" if none increases 𝒩 by more
 * than 1e-12·max(1, |𝒩|), "local min" if none decreases it, "saddle" if both occur.
 * Sampling cannot prove a local max (a narrow ascent cone may be missed): it is a test.
 */
export function classifyByPerturbation(
  ev: NcfEvaluator, u: Float64Array, value: number, rng: Rng, samples = 64, eps = 1e-3,
): { kind: Exclude<KktKind, "global max">; up: number; down: number; samples: number; eps: number } {
  const p = u.length;
  const v = new Float64Array(p);
  const xi = new Float64Array(p);
  const tol = 1e-12 * Math.max(1, Math.abs(value));
  let up = 0;
  let down = 0;
  let total = 0;
  const test = (): void => {
    const ux = dot(u, xi);
    for (let k = 0; k < p; k++) xi[k] -= ux * u[k];
    const nx = nrm2(xi);
    if (!(nx > 0)) return;
    for (let k = 0; k < p; k++) v[k] = u[k] + (eps * xi[k]) / nx;
    const nv = nrm2(v);
    for (let k = 0; k < p; k++) v[k] /= nv;
    const dv = ev(v, null) - value;
    total++;
    if (dv > tol) up++;
    else if (dv < -tol) down++;
  };
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < p; k++) xi[k] = normal(rng);
    test();
  }
  for (let k = 0; k < p; k++) {
    for (const sg of [1, -1]) {
      xi.fill(0);
      xi[k] = sg;
      test();
    }
  }
  const kind = up === 0 && down > 0 ? "local max" : down === 0 && up > 0 ? "local min" : up > 0 && down > 0 ? "saddle" : "degenerate";
  return { kind, up: up / Math.max(1, total), down: down / Math.max(1, total), samples: total, eps };
}

/**
 * Two-layer, L = 2: a KKT point with value 𝒩(u) < 𝒩* and a free (zero) neuron is not a local
 * max: with e the free neuron placed at the best reduced direction (unit, balanced),
 * 𝒩(cos φ·u + sin φ·e) = cos²φ·𝒩(u) + sin²φ·𝒩* > 𝒩(u) for every φ ≠ 0 (separable blocks).
 * Its active neurons were reached by ascent, so they sit at local maxima of the reduced problem
 * and 𝒩 also decreases along some direction: the point is labelled "saddle".
 */
function freeNeuronSaddle(prob: NcfProblem, active: number | undefined, value: number, ncfStar: number | null): boolean {
  if (prob.arch.kind !== "two-layer" || prob.L !== 2 || ncfStar === null || active === undefined) return false;
  return active < prob.arch.m && value < ncfStar * (1 - 1e-9);
}

/**
 * KKT points of max 𝒩(u), ‖u‖ = 1: seeded ascents (+ reduced one-neuron embeddings for
 * two-layer nets), refinement, Clarke residual, de-duplication by outputs, the residual test
 * (NcfKktOptions.residualTol), classification of the points that pass. Sorted by value, best
 * first; the candidates that miss the tolerance are listed apart as `unconverged`.
 *
 * @param prob - the NCF problem
 * @param opts - the seeded `rng`, starts, maxIter, the perturbation test's samples and ε, and residualTol
 * @returns the KKT points (u, 𝒩, residuals, kind) best first, the unconverged candidates, 𝒩* and the reduced directions
 * @example
 * ```ts
 * import { fork, makeActivation, makeBuiltin, ncfKktPoints, ncfProblem, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const r = ncfKktPoints(prob, { starts: 6, rng: fork(2, "k") });
 * console.log(r.ncfStar, r.points.map((p) => [p.kind, p.value]));
 * ```
 */
export function ncfKktPoints(prob: NcfProblem, opts: NcfKktOptions): NcfKktResult {
  const ev = ncfEvaluator(prob);
  const starts = opts.starts ?? 32;
  const rng = opts.rng;
  const candidates: Float64Array[] = [];
  for (let s = 0; s < starts; s++) {
    const u0 = unitSphere(rng, prob.p);
    const asc = sphereAscent(ev, u0, { maxIter: opts.maxIter ?? 4000 });
    candidates.push(prob.arch.kind === "two-layer" ? refineTwoLayerKktPoint(prob, asc.u) : asc.u);
  }
  let reduced: ReducedDirection[] | null = null;
  let ncfStar: number | null = null;
  if (prob.arch.kind === "two-layer") {
    reduced = reducedKktDirections(prob, { starts: Math.max(8, starts), rng });
    ncfStar = reduced.length > 0 ? Math.max(0, reduced[0].value) : 0;
    for (const r of reduced) {
      if (!(r.f > 0)) continue;
      candidates.push(assembleTwoLayerPoint(prob, [{ index: 0, w: r.w, sign: r.sign, mass: 1, c: r.value }]));
    }
  }
  const distinct = deduplicate(prob, ev, candidates, rng);
  const residualTol = opts.residualTol ?? NCF_RESIDUAL_TOL;
  const residualScale = prob.L * Math.max(0, ...distinct.map((c) => Math.abs(c.value)));
  const passes = (c: Candidate): boolean => c.res.residual <= residualTol * residualScale;
  const points = distinct.filter(passes).map((c) => classifyCandidate(prob, ev, c, ncfStar, rng, opts));
  const unconverged: NcfUnconvergedPoint[] = distinct.filter((c) => !passes(c)).map((c) => ({
    u: c.u, value: c.value, residual: c.res.residual, gradientResidual: c.res.gradientResidual, hits: c.hits,
  }));
  points.sort((x, y) => y.value - x.value);
  unconverged.sort((x, y) => y.value - x.value);
  const best = points.length > 0 ? points[0].value : NaN;
  return { points, unconverged, residualTol, residualScale, best, ncfStar, reduced, starts };
}

/** A distinct candidate point with its value, outputs on the data, Clarke residual and hits. */
interface Candidate { u: Float64Array; out: Float64Array; value: number; res: ClarkeResidual; hits: number }

/**
 * Merge candidates with the same outputs H(x_i; u) on the data (the same point up to the
 * model's symmetries, see the module comment): relative output distance ≤ 1e-6. A merged point
 * keeps the representative with the smallest residual and counts the hits.
 */
function deduplicate(prob: NcfProblem, ev: NcfEvaluator, candidates: readonly Float64Array[], rng: Rng): Candidate[] {
  const acc: Candidate[] = [];
  for (const u of candidates) {
    const value = ev(u, null);
    const res = clarkeResidual(prob, ev, u, rng);
    const out = ncfOutputs(prob, u);
    const on = nrm2(out);
    const same = acc.find((a) => distance(a.out, out) <= 1e-6 * Math.max(on, nrm2(a.out), 1e-300));
    if (same) {
      same.hits++;
      if (res.residual < same.res.residual) Object.assign(same, { u, out, value, res });
    } else acc.push({ u, out, value, res, hits: 1 });
  }
  return acc;
}

/** A converged candidate as a KKT point: active neurons, kind (analytic or by perturbation). */
function classifyCandidate(prob: NcfProblem, ev: NcfEvaluator, a: Candidate, ncfStar: number | null, rng: Rng, opts: NcfKktOptions): NcfKktPoint {
  const cls = classifyByPerturbation(ev, a.u, a.value, rng, opts.classifySamples ?? 64, opts.classifyEps ?? 1e-3);
  const isGlobal = ncfStar !== null && a.value >= ncfStar * (1 - 1e-9) && ncfStar > 0;
  let active: number | undefined;
  if (prob.arch.kind === "two-layer") {
    const { W, a: av } = twoLayerParts(prob.arch, a.u);
    const d = prob.arch.d;
    active = 0;
    for (let j = 0; j < prob.arch.m; j++) {
      let s = av[j] * av[j];
      for (let k = 0; k < d; k++) s += W[j * d + k] ** 2;
      if (s > 1e-12) active++;
    }
  }
  return {
    u: a.u, value: a.value, residual: a.res.residual, gradientResidual: a.res.gradientResidual, kinks: a.res.kinks,
    kind: isGlobal ? "global max" : freeNeuronSaddle(prob, active, a.value, ncfStar) ? "saddle" : cls.kind, nonNegative: a.value >= 0, hits: a.hits, activeNeurons: active,
    perturbation: { up: cls.up, down: cls.down, samples: cls.samples, eps: cls.eps },
  };
}
