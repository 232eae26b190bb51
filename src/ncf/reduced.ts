/**
 * The reduced single-neuron problem of a bias-free two-layer net (docs/science/small-init.md §2.4):
 *   f(ŵ) = c·Σ_i y_i σ(ŵᵀx_i),  ‖ŵ‖ = 1,
 * a neuron u_j = (w, a) contributes a·f(w) to 𝒩, and max a·f(w) over a² + ‖w‖² = 1 is
 * κ_p·|f(ŵ)| with ‖w‖² = p/(p+1), a² = 1/(p+1) and κ_p = √(p^p/(p+1)^{p+1}) for σ homogeneous of
 * degree p (κ_1 = ½, the balanced neuron |a| = ‖w‖). Hence 𝒩* = κ_p·max_{‖ŵ‖=1} |f(ŵ)|,
 * i.e. ½ max |Σ y_i σ(ŵᵀx_i)| for (leaky) ReLU (Kumar & Haupt, TMLR 2024).
 * The directions are found by seeded Riemannian ascent of ±f and, for piecewise-linear σ, an
 * exact refinement onto the face of kinks (f is linear on each cone of fixed sign pattern).
 */
import { nrm2, sliceNorm } from "../linalg/index.js";
import { activationDerivative, activationHomogeneity, activationValue, kinkInterval, type Activation } from "../model/index.js";
import { unitSphere, type Rng } from "../random/index.js";
import { boxLeastSquares, DEFAULT_KINK_TOL } from "./clarke.js";
import type { NcfProblem } from "./problem.js";
import { sphereAscent } from "./sphereAscent.js";

/** The activation of a two-layer problem (RangeError for deep nets). */
export function twoLayerActivation(prob: NcfProblem): Activation {
  if (prob.arch.kind !== "two-layer") throw new RangeError("the reduced single-neuron problem needs a two-layer network");
  return prob.arch.activation;
}

/**
 * κ_p = √(p^p/(p+1)^{p+1}): the value of the best neuron (w, a) on the unit sphere per unit |f(ŵ)|.
 *
 * @param p - the degree of σ (1 for relu / leaky_relu, p for relu_power)
 * @returns κ_p (κ_1 = ½)
 * @example
 * ```ts
 * import { neuronValueFactor } from "splitscape";
 * console.log(neuronValueFactor(1), neuronValueFactor(2)); // 0.5, √(4/27)
 * ```
 */
export function neuronValueFactor(p: number): number {
  return Math.sqrt(Math.pow(p, p) / Math.pow(p + 1, p + 1));
}

/**
 * f(w) = c·Σ_i y_i σ(wᵀx_i) and (into grad) c·Σ_i y_i σ′(wᵀx_i)x_i (left derivative at kinks).
 *
 * @param prob - an NCF problem of a two-layer net
 * @param w - a neuron direction w (length d)
 * @param grad - where to write the gradient (length d), or null
 * @returns f(w)
 * @example
 * ```ts
 * import { makeActivation, makeBuiltin, ncfProblem, singleNeuronCorrelation, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1"));
 * const grad = new Float64Array(2);
 * console.log(singleNeuronCorrelation(prob, Float64Array.of(1, 0), grad), Array.from(grad));
 * ```
 */
export function singleNeuronCorrelation(prob: NcfProblem, w: Float64Array, grad: Float64Array | null = null): number {
  const act = twoLayerActivation(prob);
  const { X, y, n, d, scale } = prob;
  grad?.fill(0);
  let f = 0;
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let k = 0; k < d; k++) z += w[k] * X[i * d + k];
    f += y[i] * activationValue(act, z);
    if (grad) {
      const s = scale * y[i] * activationDerivative(act, z);
      for (let k = 0; k < d; k++) grad[k] += s * X[i * d + k];
    }
  }
  return scale * f;
}

/**
 * Clarke residual of the reduced KKT condition for maximising s·f on the sphere at unit ŵ:
 * dist(q·s·f(ŵ)·ŵ, s·∂f(ŵ)) with q the degree of σ (Euler), kinks |ŵᵀx_i| ≤ tol·‖x_i‖.
 *
 * @param prob - an NCF problem of a two-layer net
 * @param w - a unit direction ŵ (length d)
 * @param sign - s = ±1: maximise s·f
 * @param kinkTol - |ŵᵀx_i| ≤ kinkTol·‖x_i‖ counts as a kink (default DEFAULT_KINK_TOL)
 * @returns the residual and the number of kinks at ŵ
 * @example
 * ```ts
 * import { fork, makeActivation, makeBuiltin, ncfProblem, reducedClarkeResidual, reducedOptimum, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1"));
 * const best = reducedOptimum(prob, { rng: fork(1, "reduced") });
 * console.log(reducedClarkeResidual(prob, best.w, best.sign)); // residual ≈ 0
 * ```
 */
export function reducedClarkeResidual(prob: NcfProblem, w: Float64Array, sign: number, kinkTol = DEFAULT_KINK_TOL): { residual: number; kinks: number } {
  const act = twoLayerActivation(prob);
  const q = activationHomogeneity(act) ?? 1;
  const box = kinkInterval(act);
  const { X, y, n, d, scale } = prob;
  const f = sign * singleNeuronCorrelation(prob, w);
  const rhs = new Float64Array(d);
  for (let k = 0; k < d; k++) rhs[k] = q * f * w[k];
  const cols: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let k = 0; k < d; k++) z += w[k] * X[i * d + k];
    const coef = sign * scale * y[i];
    if (box && Math.abs(z) <= kinkTol * sliceNorm(X, i * d, i * d + d) && coef !== 0) {
      const c = new Float64Array(d);
      for (let k = 0; k < d; k++) c[k] = coef * X[i * d + k];
      cols.push(c);
    } else {
      const s = coef * activationDerivative(act, z);
      for (let k = 0; k < d; k++) rhs[k] -= s * X[i * d + k];
    }
  }
  if (box && cols.length > 0) return { residual: boxLeastSquares(cols, rhs, box.lo, box.hi).residual, kinks: cols.length };
  return { residual: nrm2(rhs), kinks: 0 };
}

/** Orthonormal basis (modified Gram–Schmidt, dependent vectors dropped) of the given vectors. */
function orthonormalBasis(vs: Float64Array[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const v0 of vs) {
    const v = Float64Array.from(v0);
    const n0 = nrm2(v);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of out) {
        let c = 0;
        for (let k = 0; k < v.length; k++) c += q[k] * v[k];
        for (let k = 0; k < v.length; k++) v[k] -= c * q[k];
      }
    }
    const nv = nrm2(v);
    if (nv > 1e-10 * n0) out.push(v.map((x) => x / nv));
  }
  return out;
}

/**
 * Exact refinement of an approximate maximiser ŵ of s·f for piecewise-linear σ: for kink
 * tolerances τ from 0 up to 3e-2, K = {i : |ŵᵀx_i| ≤ τ‖x_i‖}, g₀ = s·c·Σ_{i∉K} y_i σ′(ŵᵀx_i)x_i
 * (f is linear with gradient g₀ on the face {ŵᵀx_i = 0, i ∈ K} near ŵ), and the face maximiser
 * ŵ′ = P g₀/‖P g₀‖ with P the projector onto span{x_i : i ∈ K}^⊥. Candidates whose sign pattern
 * off K changes are dropped; the one with the smallest Clarke residual wins (ties: larger value).
 */
export function refineOnKinkFace(prob: NcfProblem, w: Float64Array, sign: number): { w: Float64Array; residual: number; kinks: number } {
  const act = twoLayerActivation(prob);
  const { X, y, n, d, scale } = prob;
  const start = reducedClarkeResidual(prob, w, sign);
  let best = { w: Float64Array.from(w), residual: start.residual, kinks: start.kinks, value: sign * singleNeuronCorrelation(prob, w) };
  if (!kinkInterval(act) && act.name !== "linear") return best;
  const z = new Float64Array(n);
  const xn = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += w[k] * X[i * d + k];
    z[i] = s;
    xn[i] = sliceNorm(X, i * d, i * d + d);
  }
  for (const tau of [0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2]) {
    const kinkRows: Float64Array[] = [];
    const g0 = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const xi = X.subarray(i * d, i * d + d);
      if (Math.abs(z[i]) <= tau * xn[i]) kinkRows.push(xi);
      else {
        const s = sign * scale * y[i] * activationDerivative(act, z[i]);
        for (let k = 0; k < d; k++) g0[k] += s * xi[k];
      }
    }
    const Q = orthonormalBasis(kinkRows);
    for (const q of Q) {
      let c = 0;
      for (let k = 0; k < d; k++) c += q[k] * g0[k];
      for (let k = 0; k < d; k++) g0[k] -= c * q[k];
    }
    const gn = nrm2(g0);
    if (!(gn > 0)) continue;
    const cand = g0.map((v) => v / gn);
    let consistent = true;
    for (let i = 0; i < n && consistent; i++) {
      if (Math.abs(z[i]) <= tau * xn[i]) continue;
      let zc = 0;
      for (let k = 0; k < d; k++) zc += cand[k] * X[i * d + k];
      if (zc * z[i] < 0 && Math.abs(zc) > 1e-12 * xn[i]) consistent = false;
    }
    if (!consistent) continue;
    const r = reducedClarkeResidual(prob, cand, sign);
    const value = sign * singleNeuronCorrelation(prob, cand);
    const scaleR = Math.max(1e-300, Math.abs(value));
    if (r.residual < best.residual - 1e-12 * scaleR || (r.residual <= best.residual + 1e-12 * scaleR && value > best.value)) {
      best = { w: cand, residual: r.residual, kinks: r.kinks, value };
    }
  }
  return best;
}

/** A KKT direction of the reduced problem: unit ŵ maximising s·f locally (up to the Clarke residual). */
export interface ReducedDirection {
  w: Float64Array;
  /** s = ±1: the sign of the output weight a (s·f(ŵ) > 0 for a useful neuron). */
  sign: number;
  /** s·f(ŵ) (normalised single-neuron correlation). */
  f: number;
  /** κ_p·s·f(ŵ): the value 𝒩 of the balanced unit neuron (ŵ, s). */
  value: number;
  residual: number;
  kinks: number;
  /** How many starts reached it. */
  hits: number;
}

export interface ReducedSearchOptions {
  starts?: number;
  rng: Rng;
  maxIter?: number;
  /** Directions closer than this in 1 − cos are the same (default 1e-7). */
  dedupTol?: number;
}

/**
 * KKT directions of max s·f(ŵ) on the sphere, s = ±1: `starts` seeded starts for each sign,
 * Riemannian ascent, kink-face refinement, de-duplication; sorted by value, best first.
 *
 * @param prob - an NCF problem of a two-layer net
 * @param opts - the seeded `rng`, the number of starts per sign, maxIter and the de-duplication tolerance
 * @returns the distinct KKT directions ŵ with sign, f, value κ_p|f|, Clarke residual and hit count, best first
 * @example
 * ```ts
 * import { fork, makeActivation, makeBuiltin, ncfProblem, reducedKktDirections, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1"));
 * for (const dir of reducedKktDirections(prob, { starts: 8, rng: fork(1, "reduced") })) console.log(dir.sign, dir.value, dir.residual);
 * ```
 */
export function reducedKktDirections(prob: NcfProblem, opts: ReducedSearchOptions): ReducedDirection[] {
  const act = twoLayerActivation(prob);
  const p = activationHomogeneity(act) ?? 1;
  const kappa = neuronValueFactor(p);
  const d = prob.d;
  const starts = opts.starts ?? 32;
  const dedup = opts.dedupTol ?? 1e-7;
  const out: ReducedDirection[] = [];
  for (const sign of [1, -1]) {
    const F = (w: Float64Array, g: Float64Array | null): number => {
      const v = sign * singleNeuronCorrelation(prob, w, g);
      if (g) for (let k = 0; k < d; k++) g[k] *= sign;
      return v;
    };
    for (let s = 0; s < starts; s++) {
      const w0 = unitSphere(opts.rng, d);
      const asc = sphereAscent(F, w0, { maxIter: opts.maxIter ?? 3000 });
      const ref = refineOnKinkFace(prob, asc.u, sign);
      const f = sign * singleNeuronCorrelation(prob, ref.w);
      const found = out.find((o) => o.sign === sign && 1 - dotUnit(o.w, ref.w) < dedup);
      if (found) {
        found.hits++;
        if (ref.residual < found.residual) Object.assign(found, { w: ref.w, f, value: kappa * f, residual: ref.residual, kinks: ref.kinks });
      } else {
        out.push({ w: ref.w, sign, f, value: kappa * f, residual: ref.residual, kinks: ref.kinks, hits: 1 });
      }
    }
  }
  return out.sort((a, b) => b.value - a.value);
}

function dotUnit(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

/**
 * 𝒩* = κ_p·max_{‖ŵ‖=1} |f(ŵ)| (½ max |Σ y_i σ(ŵᵀx_i)| for degree p = 1), from
 * reducedKktDirections; returns the maximiser with its Clarke residual.
 *
 * @param prob - an NCF problem of a two-layer net
 * @param opts - the seeded `rng`, starts, maxIter and the de-duplication tolerance
 * @returns the best direction (ŵ, sign, f, value = 𝒩*, residual) with every direction found
 * @example
 * ```ts
 * import { fork, makeActivation, makeBuiltin, ncfProblem, reducedOptimum, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1"));
 * console.log(reducedOptimum(prob, { rng: fork(1, "reduced") }).value); // 𝒩*
 * ```
 */
export function reducedOptimum(prob: NcfProblem, opts: ReducedSearchOptions): ReducedDirection & { directions: ReducedDirection[] } {
  const dirs = reducedKktDirections(prob, opts);
  return { ...dirs[0], directions: dirs };
}

/**
 * d = 2 only: the exact maximum of |f| on the circle. For piecewise-linear σ, f(ŵ) = ŵᵀg_A on
 * each arc A between consecutive kink angles (angle(x_i) ± π/2), so its max over the arc is ‖g_A‖
 * if angle(g_A) lies in A, else an end point: enumerating the ≤ 2n arcs is exhaustive. For other
 * σ a grid of `grid` angles (default 20000) with golden-section refinement around each local max.
 * Returns max|f|, 𝒩* = κ_p·max|f|, the maximising angle and the profile on a coarse grid.
 *
 * @param prob - an NCF problem of a two-layer net with d = 2 (RangeError otherwise)
 * @param opts - the grid size for smooth σ and the number of profile points
 * @returns max|f|, 𝒩*, the maximising angle and sign, and the profile (angle, f)
 * @example
 * ```ts
 * import { angularScan, fork, makeActivation, makeBuiltin, ncfProblem, reducedOptimum, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1"));
 * console.log(angularScan(prob).ncfStar, reducedOptimum(prob, { rng: fork(1, "r") }).value); // the same 𝒩*
 * ```
 */
export function angularScan(prob: NcfProblem, opts: { grid?: number; profile?: number } = {}): {
  maxAbsF: number; ncfStar: number; angle: number; sign: number; profile: Array<{ angle: number; f: number }>;
} {
  const act = twoLayerActivation(prob);
  if (prob.d !== 2) throw new RangeError(`angularScan: needs d = 2, got d = ${prob.d}`);
  const kappa = neuronValueFactor(activationHomogeneity(act) ?? 1);
  const fAt = (th: number): number => singleNeuronCorrelation(prob, Float64Array.of(Math.cos(th), Math.sin(th)));
  let best = { v: -Infinity, angle: 0, sign: 1 };
  const consider = (th: number): void => {
    const f = fAt(th);
    if (Math.abs(f) > best.v) best = { v: Math.abs(f), angle: th, sign: f >= 0 ? 1 : -1 };
  };
  const { X, n } = prob;
  if (kinkInterval(act) || act.name === "linear") {
    const cuts: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = Math.atan2(X[2 * i + 1], X[2 * i]);
      if (X[2 * i] === 0 && X[2 * i + 1] === 0) continue;
      cuts.push(mod2pi(a + Math.PI / 2), mod2pi(a - Math.PI / 2));
    }
    cuts.sort((p, q) => p - q);
    if (cuts.length === 0) cuts.push(0);
    for (let c = 0; c < cuts.length; c++) {
      const lo = cuts[c];
      const hi = c + 1 < cuts.length ? cuts[c + 1] : cuts[0] + 2 * Math.PI;
      consider(lo);
      if (hi - lo < 1e-15) continue;
      const mid = 0.5 * (lo + hi);
      const g = new Float64Array(2);
      singleNeuronCorrelation(prob, Float64Array.of(Math.cos(mid), Math.sin(mid)), g);
      for (const s of [1, -1]) {
        const ang = mod2pi(Math.atan2(s * g[1], s * g[0]));
        const inArc = (ang >= lo && ang <= hi) || (ang + 2 * Math.PI >= lo && ang + 2 * Math.PI <= hi);
        if (inArc) consider(ang);
      }
    }
  } else {
    const N = opts.grid ?? 20000;
    const vals = new Float64Array(N);
    for (let t = 0; t < N; t++) vals[t] = Math.abs(fAt((2 * Math.PI * t) / N));
    for (let t = 0; t < N; t++) {
      if (vals[t] >= vals[(t + N - 1) % N] && vals[t] >= vals[(t + 1) % N]) {
        let a = (2 * Math.PI * (t - 1)) / N;
        let b = (2 * Math.PI * (t + 1)) / N;
        const phi = (Math.sqrt(5) - 1) / 2;
        for (let it = 0; it < 80; it++) {
          const c1 = b - phi * (b - a);
          const c2 = a + phi * (b - a);
          if (Math.abs(fAt(c1)) > Math.abs(fAt(c2))) b = c2;
          else a = c1;
        }
        consider(0.5 * (a + b));
      }
    }
  }
  const P = opts.profile ?? 361;
  const profile: Array<{ angle: number; f: number }> = [];
  for (let t = 0; t < P; t++) {
    const th = (2 * Math.PI * t) / (P - 1);
    profile.push({ angle: th, f: fAt(th) });
  }
  return { maxAbsF: best.v, ncfStar: kappa * best.v, angle: best.angle, sign: best.sign, profile };
}

function mod2pi(a: number): number {
  const t = a % (2 * Math.PI);
  return t < 0 ? t + 2 * Math.PI : t;
}
