// Minimum-norm interpolation by a two-layer ReLU network, the β → 0 limit of (NC)
// (docs/science/convex.md §7):
//   min_θ Σ_j (‖w_j‖² + α_j²)  s.t.  f_θ(X) (+ X s) = y
//     = 2 · min Σ_i (‖u_i‖ + ‖v_i‖)  s.t.  Σ_i D_i X (u_i − v_i) (+ X s) = y,  u_i, v_i ∈ K_i,   (M)
// with an optional free, unpenalised skip connection X s (for 1-D data with a bias column,
// X = [x, 1], the skip term is the affine function a·x + b). The factor 2 is the balanced map
// of "Maps": a block of norm t becomes one neuron with ‖w‖ = |α| = √t.
//
// Method: column generation. Over a finite set of unit directions ū_k ∈ K_{i_k} with output signs
// σ_k and fit vectors f_k = σ_k (X ū_k)_+, (M) restricted to them is the LP
//   min Σ_k c_k  s.t.  Σ_k c_k f_k (+ X s) = y,  c ≥ 0 (s free),
// whose dual is max νᵀy s.t. f_kᵀν ≤ 1 (and Xᵀν = 0 with the skip). The dual of (M) itself is
// max νᵀy s.t. ‖Π_{K_i}(±Xᵀ D_i ν)‖ ≤ 1 for all patterns i (and Xᵀν = 0): the note's (D) with
// β = 1 and the quadratic term dropped (max over u ∈ K ∩ unit ball of gᵀu is ‖Π_K g‖). Pricing:
// for each pattern and sign, if ‖Π‖ > 1 the direction Π/‖Π‖ enters as a column. When no ratio
// exceeds 1 + tol, ν/max(1, s) (s = the largest ratio, over every pattern) is feasible for the
// dual of (M), so primal LP value − dual value is a certificate — a proof of the global
// minimum-norm value when the pattern set is exact (enumeratePatterns).
//
// The LP solver is HiGHS (npm `highs`, wasm); its loader is asynchronous, so callers pass the
// loaded instance (`const highs = await loadHighs()`), and every function here is synchronous.
import type { Highs } from "highs";
import { distance, lstsq, type Matrix, nrm2 } from "../../linalg/index.js";
import type { ReluNetwork } from "../network/index.js";
import { convexProblem, MIN_NORM_TOL, orthonormalBasis, patternMask, type PatternSet, projectOntoCone } from "../program/index.js";
import { coneDualNorms } from "./certificate.js";
import { type OptimalDirection, optimalDirections } from "./optimalSet.js";

/**
 * Load the HiGHS wasm runtime (asynchronous; load once and pass the instance around). The
 * package's types describe a CommonJS module (default import = namespace object) while Node's
 * ESM loader gives its .mjs build (default import = the loader function); both are accepted.
 *
 * @returns the HiGHS instance the LP-based functions (`minNormInterpolation`, the uniqueness tests) take
 * @example
 * ```ts
 * import { loadHighs } from "splitscape";
 * const highs = await loadHighs();
 * console.log(typeof highs.solve); // "function"
 * ```
 */
export async function loadHighs(): Promise<Highs> {
  // Imported here, not at the top: the HiGHS module is large and only LPs need it.
  const mod = (await import("highs")).default as unknown as (() => Promise<Highs>) | { default: () => Promise<Highs> };
  const loader = typeof mod === "function" ? mod : mod.default;
  return loader();
}

/** A dense LP: min (or max) costᵀx s.t. rowLower ≤ A x ≤ rowUpper, colLower ≤ x ≤ colUpper. */
export interface DenseLp {
  /** rows × cols, row-major. */
  readonly A: Matrix;
  readonly cost: ArrayLike<number>;
  readonly rowLower: ArrayLike<number>;
  readonly rowUpper: ArrayLike<number>;
  /** ±Infinity for a missing bound. */
  readonly colLower: ArrayLike<number>;
  readonly colUpper: ArrayLike<number>;
  readonly maximize?: boolean;
}

/** The solution of a DenseLp. */
export interface LpSolution {
  /** True when HiGHS proved optimality (model status "optimal"); otherwise x and rowDual are NaN. */
  readonly optimal: boolean;
  /** HiGHS model status code (highs.constants.modelStatus). */
  readonly status: number;
  readonly objective: number;
  readonly x: Float64Array;
  /** Row duals y: cost − Aᵀy = reduced costs (HiGHS convention, checked in the tests). */
  readonly rowDual: Float64Array;
}

/**
 * HiGHS primal and dual feasibility tolerance used for every LP here: the smallest value HiGHS
 * accepts (1e-10), so LP values and duals are accurate to about 1e-10 relative.
 */
export const LP_TOLERANCE = 1e-10;

/** Solve a dense LP with HiGHS (dual simplex, then primal simplex if that ends "unknown"), quietly, at LP_TOLERANCE. */
export function solveDenseLp(highs: Highs, lp: DenseLp): LpSolution {
  const { rows: m, cols: nc, data } = lp.A;
  const starts = new Int32Array(nc + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let j = 0; j < nc; j++) {
    for (let i = 0; i < m; i++) {
      const a = data[i * nc + j];
      if (a !== 0) { idx.push(i); val.push(a); }
    }
    starts[j + 1] = idx.length;
  }
  const inf = highs.infinity;
  const clip = (v: number): number => (v === Infinity ? inf : v === -Infinity ? -inf : v);
  const model = highs.createModel({
    numCols: nc, numRows: m,
    sense: lp.maximize ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
    colCost: Float64Array.from(lp.cost), colLower: Float64Array.from(lp.colLower, clip), colUpper: Float64Array.from(lp.colUpper, clip),
    rowLower: Float64Array.from(lp.rowLower, clip), rowUpper: Float64Array.from(lp.rowUpper, clip),
    matrix: { format: "csc", numRows: m, numCols: nc, starts, indices: Int32Array.from(idx), values: Float64Array.from(val) },
  });
  try {
    model.options.set({ output_flag: false, primal_feasibility_tolerance: LP_TOLERANCE, dual_feasibility_tolerance: LP_TOLERANCE });
    model.run();
    let status = model.getModelStatus();
    if (status === highs.constants.modelStatus.unknown) {
      // Dual simplex can end in "unknown" on nearly degenerate LPs (the thin optimal faces of
      // uniqueness.ts, whose fits are dependent up to ~1e-8); primal simplex from scratch solves them.
      model.clearSolver();
      model.options.set({ simplex_strategy: 4 });
      model.run();
      status = model.getModelStatus();
    }
    const optimal = status === highs.constants.modelStatus.optimal;
    if (!optimal) return { optimal, status, objective: NaN, x: new Float64Array(nc).fill(NaN), rowDual: new Float64Array(m).fill(NaN) };
    const sol = model.getSolution();
    return { optimal, status, objective: model.getObjectiveValue(), x: sol.colValue, rowDual: sol.rowDual };
  } finally {
    model.dispose();
  }
}

/** One column of the restricted LP: a unit direction in a pattern cone and its output sign. */
export interface MinNormColumn {
  readonly sign: 1 | -1;
  /** Unit direction ū (length d). */
  readonly direction: Float64Array;
  /** σ (X ū)_+ (length n): what the neuron (√c ū, σ√c) adds to the output, per unit of c. */
  readonly fit: Float64Array;
}

/** Options of `minNormInterpolation`. */
export interface MinNormOptions {
  /** Free, unpenalised skip connection X s. Default false. */
  readonly skip?: boolean;
  /**
   * Stop when every pattern's dual ratio ‖Π_{K_i}(±Xᵀ D_i ν)‖ is ≤ 1 + tol. Default 1e-9 (10×
   * the LP tolerance, so a column already in the LP never re-enters by LP rounding).
   */
  readonly tol?: number;
  /** Column-generation rounds before giving up (converged: false). Default 100. */
  readonly maxRounds?: number;
  /** Extra starting columns (e.g. the optimal directions of a small-β solve). */
  readonly initialDirections?: ReadonlyArray<{ readonly sign: 1 | -1; readonly direction: ArrayLike<number> }>;
  /** Newton polish of the LP result (see polishKkt). Default true. */
  readonly polish?: boolean;
}

/** The minimum-norm interpolant and its certificate. */
export interface MinNormSolution {
  /** min Σ_i (‖u_i‖ + ‖v_i‖) (the LP value Σ c_k of the returned point). */
  readonly value: number;
  /** 2·value = Σ_j (‖w_j‖² + α_j²) of `network`: the minimum network norm. */
  readonly networkNorm: number;
  /** Dual value νᵀy of the feasible dual point `nu` (a lower bound on `value`). */
  readonly dualValue: number;
  /** value − dualValue (≥ 0 up to rounding). */
  readonly gap: number;
  readonly relativeGap: number;
  /** Dual point, feasible for the dual of (M) over the pattern set (rescaled by 1/max(1, s)). */
  readonly nu: Float64Array;
  /** s: the largest dual ratio ‖Π_{K_i}(±Xᵀ D_i ν)‖ over all patterns before rescaling. */
  readonly maxDualRatio: number;
  /** The final columns: the polished optimal directions, or every LP column when not polished. */
  readonly columns: MinNormColumn[];
  /** c_k ≥ 0 per column (polished, or the LP solution refined on its support). */
  readonly weights: Float64Array;
  /** Indices of the columns with c_k > 0 (the neurons of `network`, in order). */
  readonly active: number[];
  /** The skip coefficients s (length d), or null without skip. */
  readonly skip: Float64Array | null;
  /** Balanced network: neuron (√c_k ū_k, σ_k √c_k) per active column. */
  readonly network: ReluNetwork;
  /** ‖Σ c_k f_k (+ X s) − y‖ / ‖y‖ of the returned point. */
  readonly residual: number;
  /** Column-generation rounds (restricted LP solves). */
  readonly rounds: number;
  /** Columns of the last restricted LP. */
  readonly lpColumns: number;
  /** True when the Newton polish (on the KKT system of the LP's support) was accepted. */
  readonly polished: boolean;
  readonly converged: boolean;
  /** True when the pattern set is exact: then the gap proves global minimality. */
  readonly exact: boolean;
  readonly tol: number;
}

/**
 * Unit directions whose dual ratio ‖Π_{K_i}(±Xᵀ D_i ν)‖ is at least `threshold`, de-duplicated
 * across cone boundaries, with the largest ratio over all patterns. This is `optimalDirections`
 * (Theorem 1) at β = 1 for the dual point ν itself (a square-loss problem with targets ν and
 * prediction 0 has −∇L = ν), activeTol = 1 − threshold.
 */
export function directionsOfDual(
  X: Matrix, patterns: PatternSet, nu: Float64Array, threshold: number, dedupTol = 1e-9,
): { directions: OptimalDirection[]; maxDualRatio: number } {
  const problem = convexProblem(X, nu, 1, "square", patterns);
  const od = optimalDirections(problem, new Float64Array(X.rows), { activeTol: 1 - threshold, dedupTol });
  return { directions: od.directions, maxDualRatio: od.maxDualRatio };
}

/** σ (X ū)_+: the fit vector of a unit direction. */
export function fitVector(X: Matrix, direction: ArrayLike<number>, sign: 1 | -1): Float64Array {
  const { rows: n, cols: d, data } = X;
  const f = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += data[k * d + t] * direction[t];
    f[k] = s > 0 ? sign * s : 0;
  }
  return f;
}

/**
 * Minimum-norm interpolation (M) by column generation (see the file comment): start from the
 * directions of the pattern generators (both signs) and `initialDirections`, solve the restricted
 * LP with HiGHS (with big-M artificial columns ±e_k so every restricted LP is feasible; M grows
 * ×100 if an artificial stays in use), add every direction with dual ratio > 1 + tol, repeat.
 * Then: the LP solution is refined by least squares on its support, ν is projected onto
 * {Xᵀν = 0} (skip), s = max ratio over all patterns (exact projections, `coneDualNorms`), and
 * ν/max(1, s) gives the dual value. Throws RangeError on bad input or when y cannot be
 * interpolated by the pattern set (e.g. equal inputs with different targets).
 *
 * @param highs - the HiGHS instance (`await loadHighs()`)
 * @param X - the data in X̃-space, n × d (`withBias` for a bias)
 * @param y - the n targets to interpolate
 * @param patterns - the activation patterns (`enumeratePatterns` for a proof)
 * @param opts - `skip` connection, `tol`, `maxRounds`, `initialDirections`, `polish`
 * @returns the minimum value Σ|α_j|‖w_j‖, its dual bound and gap, the columns and weights, and the interpolating network
 * @example
 * ```ts
 * import { enumeratePatterns, loadHighs, minNormInterpolation, networkOutput, withBias } from "splitscape";
 * const highs = await loadHighs();
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.of(-2, -1, 0, 1, 2) });
 * const sol = minNormInterpolation(highs, X, Float64Array.of(0, 1, 1, 1, 0), enumeratePatterns(X));
 * console.log(sol.value, sol.relativeGap, Array.from(networkOutput(sol.network, X))); // interpolates y
 * ```
 */
export function minNormInterpolation(
  highs: Highs, X: Matrix, y: Float64Array, patterns: PatternSet, opts: MinNormOptions = {},
): MinNormSolution {
  const { rows: n, cols: d } = X;
  if (y.length !== n) throw new RangeError(`minNormInterpolation: y has ${y.length} entries, X has ${n} rows`);
  if (patterns.n !== n || patterns.d !== d) throw new RangeError(`minNormInterpolation: patterns are for ${patterns.n}×${patterns.d} data, X is ${n}×${d}`);
  for (let k = 0; k < n * d; k++) if (!Number.isFinite(X.data[k])) throw new RangeError("minNormInterpolation: X has a non-finite entry");
  for (let k = 0; k < n; k++) if (!Number.isFinite(y[k])) throw new RangeError("minNormInterpolation: y has a non-finite entry");
  const tol = opts.tol ?? MIN_NORM_TOL;
  if (!(tol > 0)) throw new RangeError(`minNormInterpolation: tol must be positive, got ${tol}`);
  const skip = opts.skip ?? false;
  const maxRounds = opts.maxRounds ?? 100;
  const ds = skip ? d : 0;

  const columns: MinNormColumn[] = [];
  const addColumn = (sign: 1 | -1, dir: ArrayLike<number>): boolean => {
    const nrm = nrm2(Float64Array.from({ length: d }, (_, t) => dir[t]));
    if (!(nrm > 0) || !Number.isFinite(nrm)) return false;
    const u = Float64Array.from({ length: d }, (_, t) => dir[t] / nrm);
    if (columns.some((c) => c.sign === sign && distance(c.direction, u) <= 1e-12)) return false;
    const fit = fitVector(X, u, sign);
    if (fit.every((v) => v === 0)) return false;
    columns.push({ sign, direction: u, fit });
    return true;
  };
  for (let i = 0; i < patterns.count; i++) {
    const g = patterns.generators.subarray(i * d, (i + 1) * d);
    addColumn(1, g);
    addColumn(-1, g);
  }
  for (const c of opts.initialDirections ?? []) addColumn(c.sign, c.direction);

  let rowScale = 0;
  for (let k = 0; k < n; k++) {
    const s = nrm2(X.data.subarray(k * d, (k + 1) * d));
    if (s > 0) rowScale = Math.max(rowScale, 1 / s);
  }
  // Big-M: exact penalty once M > ‖ν*‖_∞; ν* scales like 1/‖x_k‖, so start a factor 1e3 above.
  let bigM = 1e3 * Math.max(1, rowScale);
  const bigMLimit = 1e13 * Math.max(1, rowScale);
  let lp: LpSolution | null = null;
  let rounds = 0;
  let converged = false;
  let artificialUse = 0;
  while (rounds < maxRounds) {
    rounds++;
    lp = solveRestricted(highs, X, y, columns, ds, bigM);
    if (!lp.optimal) throw new RangeError(`minNormInterpolation: HiGHS did not solve the restricted LP (model status ${lp.status})`);
    const K = columns.length;
    artificialUse = 0;
    for (let j = K + ds; j < K + ds + 2 * n; j++) artificialUse += lp.x[j];
    const nu = lp.rowDual;
    const priced = directionsOfDual(X, patterns, nu, 1 + tol);
    let added = 0;
    for (const dir of priced.directions) if (addColumn(dir.sign, dir.direction)) added++;
    if (added > 0) continue;
    if (artificialUse > 0) {
      if (bigM >= bigMLimit) throw new RangeError("minNormInterpolation: y cannot be interpolated with these patterns (artificial columns stay in use)");
      bigM *= 100;
      continue;
    }
    converged = priced.maxDualRatio <= 1 + tol;
    break;
  }
  if (lp === null) throw new RangeError("minNormInterpolation: maxRounds must be at least 1");
  if (artificialUse > 0) throw new RangeError("minNormInterpolation: no interpolating point found within maxRounds (artificial columns in use)");

  const K = columns.length;
  const lpWeights = Float64Array.from(lp.x.subarray(0, K), (v) => Math.max(v, 0));
  const lpSkip = skip ? lp.x.slice(K, K + d) : null;
  let point: { columns: MinNormColumn[]; weights: Float64Array; skip: Float64Array | null; nu: Float64Array } = {
    columns, ...refineOnSupport(X, y, columns, lpWeights, lpSkip), nu: lp.rowDual.slice(),
  };
  let polished = false;
  if (opts.polish ?? true) {
    const pol = polishKkt(X, y, patterns, lp.rowDual, columns, lpWeights, lpSkip);
    if (pol !== null) {
      point = pol;
      polished = true;
    }
  }
  const { columns: cols, weights: w, skip: skipCoef } = point;
  const cert = feasibleDual(X, y, patterns, point.nu, skip);
  let value = 0;
  const active: number[] = [];
  for (let j = 0; j < cols.length; j++) if (w[j] > 0) { value += w[j]; active.push(j); }

  const out = new Float64Array(n);
  for (const j of active) for (let k = 0; k < n; k++) out[k] += w[j] * cols[j].fit[k];
  if (skipCoef !== null) for (let k = 0; k < n; k++) for (let t = 0; t < d; t++) out[k] += X.data[k * d + t] * skipCoef[t];
  const r = distance(out, y);
  const yn = nrm2(y);
  const residual = yn > 0 ? r / yn : r;

  const W = new Float64Array(active.length * d);
  const alpha = new Float64Array(active.length);
  active.forEach((j, m) => {
    const rt = Math.sqrt(w[j]);
    for (let t = 0; t < d; t++) W[m * d + t] = rt * cols[j].direction[t];
    alpha[m] = cols[j].sign * rt;
  });
  const gap = value - cert.dualValue;
  return {
    value, networkNorm: 2 * value, dualValue: cert.dualValue, gap, relativeGap: value > 0 ? gap / value : gap,
    nu: cert.nu, maxDualRatio: cert.s, columns: cols, weights: w, active, skip: skipCoef,
    network: { W, alpha, m: active.length, D: d }, residual, rounds, lpColumns: K, polished, converged,
    exact: patterns.exact, tol,
  };
}

/**
 * The certificate's dual point: ν projected onto {Xᵀν = 0} (with skip; least squares), then
 * s = max_{i,±} ‖Π_{K_i}(±Xᵀ D_i ν)‖ over every pattern (exact projections where it can exceed
 * 1 − 1e-6, `coneDualNorms` at β = 1) and ν_f = ν/max(1, s): feasible for the dual of (M), so
 * ν_fᵀy is a lower bound on the minimum (weak duality: Σ c_k ≥ Σ c_k f_kᵀν_f = (y − Xs)ᵀν_f = yᵀν_f).
 */
export function feasibleDual(
  X: Matrix, y: Float64Array, patterns: PatternSet, nuIn: Float64Array, skip: boolean,
): { nu: Float64Array; s: number; dualValue: number } {
  const { rows: n, cols: d } = X;
  const nu = nuIn.slice();
  if (skip) {
    const z = lstsq(X, nu).x;
    for (let k = 0; k < n; k++) {
      let t = 0;
      for (let j = 0; j < d; j++) t += X.data[k * d + j] * z[j];
      nu[k] -= t;
    }
  }
  const { sPlus, sMinus } = coneDualNorms(convexProblem(X, y, 1, "square", patterns), nu);
  let s = 0;
  for (let i = 0; i < sPlus.length; i++) s = Math.max(s, sPlus[i], sMinus[i]);
  const scale = s > 1 ? 1 / s : 1;
  let dualValue = 0;
  for (let k = 0; k < n; k++) {
    nu[k] *= scale;
    dualValue += nu[k] * y[k];
  }
  return { nu, s, dualValue };
}

/** One direction of the KKT polish: its cone (mask), output sign and active face basis. */
interface FaceDirection {
  readonly sign: 1 | -1;
  readonly mask: Uint8Array;
  /** Orthonormal basis of the span of the active cone constraints' rows x_j. */
  readonly basis: Float64Array[];
}

/**
 * Newton polish of the column-generation result (the restricted LP's directions are only
 * accurate to ~√tol: the dual ratio is flat at its maximiser). On a fixed set of directions
 * with fixed active cone faces, ū_k(ν) = P_k g_k/‖P_k g_k‖ with g_k = σ_k Xᵀ D_k ν and P_k the
 * projector onto the face subspace; the optimality conditions of (M) on that set,
 *   ‖P_k g_k(ν)‖ = 1,  Σ_k c_k σ_k D_k X ū_k(ν) (+ X s) = y,  (Xᵀν = 0),
 * are square in (ν, c, s) and are solved by Gauss–Newton (least-squares steps, halving line
 * search on ‖residual‖). Jacobian: ∂‖P g‖/∂ν = f_kᵀ, ∂(c_k f_k)/∂ν = c_k D_k X (P_k − ū ūᵀ) Xᵀ D_k/‖P g‖,
 * ∂/∂c_k = f_k, ∂/∂s = X. The result is accepted only if c ≥ 0, every face guess is confirmed
 * by an exact cone projection, and no pattern's ratio exceeds 1 + 1e-12 (otherwise the
 * violating directions join the set with c = 0 and Newton runs again, up to 5 times).
 * Returns null when any check fails (the caller keeps the LP point).
 */
function polishKkt(
  X: Matrix, y: Float64Array, patterns: PatternSet, nuLp: Float64Array,
  columns: MinNormColumn[], weights: Float64Array, skip: Float64Array | null,
): { columns: MinNormColumn[]; weights: Float64Array; skip: Float64Array | null; nu: Float64Array } | null {
  const { rows: n, cols: d } = X;
  const cand = directionsOfDual(X, patterns, nuLp, 1 - 1e-4).directions;
  const c0 = new Float64Array(cand.length);
  for (let j = 0; j < columns.length; j++) {
    if (!(weights[j] > 0)) continue;
    let best = -1;
    let bestDist = Infinity;
    cand.forEach((cd, k) => {
      if (cd.sign !== columns[j].sign) return;
      const dist = distance(cd.direction, columns[j].direction);
      if (dist < bestDist) { bestDist = dist; best = k; }
    });
    if (best < 0 || bestDist > 1e-2) return null;
    c0[best] += weights[j];
  }
  let nu: Float64Array = nuLp.slice();
  const elems: FaceDirection[] = [];
  const c: number[] = [];
  const addElem = (sign: 1 | -1, pattern: number, cInit: number): void => {
    const mask = patternMask(patterns, pattern);
    const proj = projectOntoCone(X.data, n, d, mask, adjointOf(X, mask, nu, sign));
    const rows = Array.from(proj.active, (k) => X.data.slice(k * d, (k + 1) * d));
    elems.push({ sign, mask, basis: orthonormalBasis(rows, 1e-12) });
    c.push(cInit);
  };
  cand.forEach((cd, k) => { if (c0[k] > 0) addElem(cd.sign, cd.patterns[0], c0[k]); });
  let s: Float64Array | null = skip === null ? null : skip.slice();
  // The last primal point whose weights were ≥ 0 and whose faces were confirmed: a later round
  // may fix only the dual (see below), and the certificate may pair the two.
  let primal: { columns: MinNormColumn[]; weights: Float64Array; skip: Float64Array | null } | null = null;
  for (let round = 0; round < 5; round++) {
    const gn = gaussNewton(X, y, elems, nu, Float64Array.from(c), s);
    if (gn === null) return null;
    nu = gn.nu;
    s = gn.skip;
    const cGn = s === null ? restoreNonnegative(X, y, elems, nu, gn.c) : gn.c;
    const accepted = cGn !== null && acceptWeights(X, elems, nu, cGn, c);
    if (accepted) {
      const cols: MinNormColumn[] = [];
      const w: number[] = [];
      elems.forEach((e, k) => {
        if (!(c[k] > 0)) return;
        cols.push(faceColumn(X, e, nu));
        w.push(c[k]);
      });
      primal = { columns: cols, weights: Float64Array.from(w), skip: s === null ? null : s.slice() };
    } else if (primal === null) {
      return null;
    }
    // A round whose weights are rejected still moved ν: when the dual optimum is not unique
    // (x = −2..2, y = (0, 1, 1, 1, 0)), the first round's ν can sit 2.7e-10 outside the dual
    // feasible set (the cones next to a kink on a data point, an inequality Newton cannot impose),
    // and the priced near-duplicates added as ratio-1 equations move it inside, while their
    // weights leak to ∓2e-10. The earlier primal point is still exact, and any ν with every ratio
    // ≤ 1 + 1e-12 certifies it (the gap is computed from the pair).
    const nuCheck = skip === null ? nu : feasibleDual(X, y, patterns, nu, true).nu;
    const priced = directionsOfDual(X, patterns, nuCheck, 1 + 1e-12).directions;
    if (priced.length === 0) return { ...primal, nu };
    for (const pd of priced) addElem(pd.sign, pd.patterns[0], 0);
  }
  return null;
}

/** The column of a face direction at the dual point ν: ū = P g/‖P g‖ with g = σ Xᵀ D ν, and its fit. */
function faceColumn(X: Matrix, e: FaceDirection, nu: Float64Array): MinNormColumn {
  const p = faceProject(e.basis, adjointOf(X, e.mask, nu, e.sign));
  const r = nrm2(p);
  const u = Float64Array.from(p, (v) => v / r);
  return { sign: e.sign, direction: u, fit: fitVector(X, u, e.sign) };
}

/**
 * When the optimal face is not a point, the square KKT system of polishKkt is singular along
 * the face, and Gauss–Newton's least-squares (minimum-norm) steps may leak weight into columns
 * that started at 0, leaving them slightly negative (≈ −2e-9 on the constructed example of
 * convex/example-2). ν and the directions are still the converged ones, and every c ≥ 0 with
 * Σ c_k f_k = y is optimal (Σ c_k = Σ c_k f_kᵀν = yᵀν, each f_kᵀν = 1), so the negative
 * columns are dropped and the rest re-solved by least squares on the fits at ν. Weights already
 * ≥ −1e-12·Σ|c| (or below −1e-6·Σ|c|: a wrong face, not a leak) are returned unchanged; the
 * re-solved point is used only if it is > 0 and its residual is at the polish's rounding level,
 * else null. (NNLS over all columns is no substitute: the fits of a non-point face are linearly
 * dependent, and Lawson–Hanson stops at a ~1e-8 residual there.)
 */
function restoreNonnegative(X: Matrix, y: Float64Array, elems: FaceDirection[], nu: Float64Array, c: Float64Array): Float64Array | null {
  const total = c.reduce((a, b) => a + Math.abs(b), 0);
  const worst = c.reduce((a, b) => Math.min(a, b), 0);
  if (worst >= -1e-12 * total || worst < -1e-6 * total) return c;
  const n = X.rows;
  const S: number[] = [];
  c.forEach((v, j) => { if (v > 0) S.push(j); });
  if (S.length === 0 || S.length > n) return null;
  const fits = S.map((j) => faceColumn(X, elems[j], nu).fit);
  const A = new Float64Array(n * S.length);
  for (let k = 0; k < n; k++) fits.forEach((f, q) => { A[k * S.length + q] = f[k]; });
  const z = lstsq({ rows: n, cols: S.length, data: A }, y).x;
  if (!z.every((v) => v > 0)) return null;
  const r = new Float64Array(n);
  let yScale = 0;
  for (let k = 0; k < n; k++) {
    let v = -y[k];
    fits.forEach((f, q) => { v += z[q] * f[k]; });
    r[k] = v;
    yScale = Math.max(yScale, Math.abs(y[k]));
  }
  if (!(nrm2(r) <= 1e-11 * Math.max(1, yScale, total))) return null;
  const out = new Float64Array(c.length);
  S.forEach((j, q) => { out[j] = z[q]; });
  return out;
}

/** σ Xᵀ D ν (D = diag(mask)). */
function adjointOf(X: Matrix, mask: Uint8Array, nu: Float64Array, sign: 1 | -1): Float64Array {
  const { rows: n, cols: d, data } = X;
  const g = new Float64Array(d);
  for (let k = 0; k < n; k++) if (mask[k]) for (let t = 0; t < d; t++) g[t] += nu[k] * data[k * d + t];
  if (sign < 0) for (let t = 0; t < d; t++) g[t] = -g[t];
  return g;
}

/** P g = g − Σ_q (qᵀg) q: projection onto the orthogonal complement of the basis. */
function faceProject(basis: Float64Array[], g: Float64Array): Float64Array {
  const p = g.slice();
  for (const q of basis) {
    let t = 0;
    for (let j = 0; j < p.length; j++) t += q[j] * p[j];
    for (let j = 0; j < p.length; j++) p[j] -= t * q[j];
  }
  return p;
}

/** Gauss–Newton on the face KKT system (see polishKkt); null when it does not reach rounding level. */
function gaussNewton(
  X: Matrix, y: Float64Array, elems: FaceDirection[], nu0: Float64Array, c0: Float64Array, s0: Float64Array | null,
): { nu: Float64Array; c: Float64Array; skip: Float64Array | null } | null {
  const { rows: n, cols: d, data } = X;
  const m = elems.length;
  const ds = s0 === null ? 0 : d;
  const R = m + n + ds;
  const C = n + m + ds;
  type Eval = { r: Float64Array; norm: number; u: Float64Array[]; rho: Float64Array; f: Float64Array[] };
  const evaluate = (nu: Float64Array, c: Float64Array, s: Float64Array | null): Eval => {
    const r = new Float64Array(R);
    const u: Float64Array[] = [];
    const f: Float64Array[] = [];
    const rho = new Float64Array(m);
    for (let k = 0; k < n; k++) r[m + k] = -y[k];
    elems.forEach((e, j) => {
      const p = faceProject(e.basis, adjointOf(X, e.mask, nu, e.sign));
      rho[j] = nrm2(p);
      const uj = Float64Array.from(p, (v) => v / rho[j]);
      const fj = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        if (!e.mask[k]) continue;
        let t = 0;
        for (let q = 0; q < d; q++) t += data[k * d + q] * uj[q];
        fj[k] = e.sign * t;
      }
      u.push(uj);
      f.push(fj);
      r[j] = rho[j] - 1;
      for (let k = 0; k < n; k++) r[m + k] += c[j] * fj[k];
    });
    if (s !== null) {
      for (let k = 0; k < n; k++) for (let q = 0; q < d; q++) r[m + k] += data[k * d + q] * s[q];
      for (let q = 0; q < d; q++) {
        let t = 0;
        for (let k = 0; k < n; k++) t += data[k * d + q] * nu[k];
        r[m + n + q] = t;
      }
    }
    return { r, norm: nrm2(r), u, rho, f };
  };
  let nu = nu0.slice();
  let c = c0.slice();
  let s = s0 === null ? null : s0.slice();
  let ev = evaluate(nu, c, s);
  if (!ev.rho.every((v) => v > 0)) return null;
  let yScale = 0;
  for (let k = 0; k < n; k++) yScale = Math.max(yScale, Math.abs(y[k]));
  for (let it = 0; it < 60; it++) {
    if (ev.norm <= 1e-15 * Math.max(1, yScale)) break;
    const J = new Float64Array(R * C);
    for (let j = 0; j < m; j++) {
      const e = elems[j];
      for (let k = 0; k < n; k++) {
        J[j * C + k] = ev.f[j][k];
        J[(m + k) * C + n + j] = ev.f[j][k];
      }
      // H += (c_j/ρ_j) A (P − ūūᵀ) Aᵀ with A = D_j X: column q of (P − ūūᵀ) Aᵀ per data row.
      const coef = c[j] / ev.rho[j];
      if (coef === 0) continue;
      const B: Float64Array[] = [];
      for (let k = 0; k < n; k++) {
        if (!e.mask[k]) { B.push(new Float64Array(0)); continue; }
        const xk = data.slice(k * d, (k + 1) * d);
        const pk = faceProject(e.basis, xk);
        let t = 0;
        for (let q = 0; q < d; q++) t += ev.u[j][q] * xk[q];
        for (let q = 0; q < d; q++) pk[q] -= t * ev.u[j][q];
        B.push(pk);
      }
      for (let a = 0; a < n; a++) {
        if (!e.mask[a]) continue;
        for (let b = 0; b < n; b++) {
          if (!e.mask[b]) continue;
          let t = 0;
          for (let q = 0; q < d; q++) t += data[a * d + q] * B[b][q];
          J[(m + a) * C + b] += coef * t;
        }
      }
    }
    for (let q = 0; q < ds; q++) {
      for (let k = 0; k < n; k++) {
        J[(m + k) * C + n + m + q] = data[k * d + q];
        J[(m + n + q) * C + k] = data[k * d + q];
      }
    }
    const step = lstsq({ rows: R, cols: C, data: J }, Float64Array.from(ev.r, (v) => -v)).x;
    let t = 1;
    let accepted = false;
    for (let h = 0; h < 40; h++, t /= 2) {
      const nu2 = Float64Array.from(nu, (v, k) => v + t * step[k]);
      const c2 = Float64Array.from(c, (v, j) => v + t * step[n + j]);
      const s2 = s === null ? null : Float64Array.from(s, (v, q) => v + t * step[n + m + q]);
      const ev2 = evaluate(nu2, c2, s2);
      if (ev2.rho.every((v) => v > 0) && ev2.norm < ev.norm) {
        nu = nu2; c = c2; s = s2; ev = ev2;
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
  }
  let total = 0;
  for (let j = 0; j < m; j++) total += Math.abs(c[j]);
  if (!(ev.norm <= 1e-11 * Math.max(1, yScale, total))) return null;
  return { nu, c, skip: s };
}

/** The restricted LP: columns [c (K), s (ds, free), artificial +e_k (n), −e_k (n)]. */
function solveRestricted(highs: Highs, X: Matrix, y: Float64Array, columns: MinNormColumn[], ds: number, bigM: number): LpSolution {
  const n = X.rows;
  const d = X.cols;
  const K = columns.length;
  const nc = K + ds + 2 * n;
  const A = new Float64Array(n * nc);
  const cost = new Float64Array(nc);
  const lo = new Float64Array(nc);
  const hi = new Float64Array(nc).fill(Infinity);
  for (let j = 0; j < K; j++) {
    cost[j] = 1;
    for (let k = 0; k < n; k++) A[k * nc + j] = columns[j].fit[k];
  }
  for (let t = 0; t < ds; t++) {
    lo[K + t] = -Infinity;
    for (let k = 0; k < n; k++) A[k * nc + K + t] = X.data[k * d + t];
  }
  for (let k = 0; k < n; k++) {
    const jp = K + ds + k;
    const jm = K + ds + n + k;
    cost[jp] = bigM;
    cost[jm] = bigM;
    A[k * nc + jp] = 1;
    A[k * nc + jm] = -1;
  }
  return solveDenseLp(highs, { A: { rows: n, cols: nc, data: A }, cost, rowLower: y, rowUpper: y, colLower: lo, colUpper: hi });
}

/**
 * Refine an LP solution on its support: least squares [F_S, X] z = y over the columns with c > 0
 * (and the skip). A basic LP solution has independent support columns, so the system has the LP
 * solution as its unique exact solution; the refinement only removes the LP's ~1e-10 residual.
 * It is kept only when every weight stays ≥ 0 and the residual decreases.
 */
function refineOnSupport(
  X: Matrix, y: Float64Array, columns: MinNormColumn[], weights: Float64Array, skip: Float64Array | null,
): { weights: Float64Array; skip: Float64Array | null } {
  const n = X.rows;
  const d = X.cols;
  const S: number[] = [];
  for (let j = 0; j < weights.length; j++) if (weights[j] > 0) S.push(j);
  const ds = skip === null ? 0 : d;
  const m = S.length + ds;
  const residualOf = (w: Float64Array, s: Float64Array | null): number => {
    const r = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      let v = -y[k];
      for (const j of S) v += w[j] * columns[j].fit[k];
      if (s !== null) for (let t = 0; t < d; t++) v += X.data[k * d + t] * s[t];
      r[k] = v;
    }
    return nrm2(r);
  };
  if (m === 0 || m > n) return { weights, skip };
  const A = new Float64Array(n * m);
  for (let k = 0; k < n; k++) {
    S.forEach((j, c) => { A[k * m + c] = columns[j].fit[k]; });
    for (let t = 0; t < ds; t++) A[k * m + S.length + t] = X.data[k * d + t];
  }
  const z = lstsq({ rows: n, cols: m, data: A }, y).x;
  const w2 = new Float64Array(weights.length);
  for (let c = 0; c < S.length; c++) {
    if (!(z[c] > 0)) return { weights, skip };
    w2[S[c]] = z[c];
  }
  const s2 = skip === null ? null : z.slice(S.length, S.length + d);
  if (residualOf(w2, s2) >= residualOf(weights, skip)) return { weights, skip };
  return { weights: w2, skip: s2 };
}

/**
 * Newton refinement of a set of face directions and the dual point together (used by
 * `minNormUniqueness`): the square system of polishKkt, ‖P_k g_k(ν)‖ = 1 and
 * Σ_k c_k σ_k D_k X ū_k(ν) (+ X s) = y (, Xᵀν = 0), over *every* given direction, started from
 * weights c0 that are positive on each direction some optimal point uses. A direction whose
 * weight is 0 throughout enters the system only by its ratio equation, which fixes ν only to
 * ~√eps along its curvature (the ratio is flat at its maximiser); with c_k > 0 the fit equation
 * pins it to rounding. Returns the directions at the refined ν (fits exact at that ν), ν, and the
 * number of independent active cone constraints of each (its face's codimension), the Newton
 * weights, or null when Newton does not reach rounding level or a face guess (the active
 * cone constraints, from the exact projection at the starting ν) is not confirmed at the end.
 */
export function refineFaceDirections(
  X: Matrix, y: Float64Array, patterns: PatternSet, nu0: Float64Array,
  directions: ReadonlyArray<{ readonly sign: 1 | -1; readonly patterns: readonly number[] }>, c0: Float64Array, skip0: Float64Array | null,
): { nu: Float64Array; columns: MinNormColumn[]; activeRows: number[]; weights: Float64Array; skip: Float64Array | null } | null {
  const { rows: n, cols: d } = X;
  const elems: FaceDirection[] = directions.map((dir) => {
    const mask = patternMask(patterns, dir.patterns[0]);
    const proj = projectOntoCone(X.data, n, d, mask, adjointOf(X, mask, nu0, dir.sign));
    const rows = Array.from(proj.active, (k) => X.data.slice(k * d, (k + 1) * d));
    return { sign: dir.sign, mask, basis: orthonormalBasis(rows, 1e-12) };
  });
  const gn = gaussNewton(X, y, elems, nu0, c0, skip0);
  if (gn === null) return null;
  if (!elems.every((e) => faceConfirmed(X, e, gn.nu))) return null;
  return { nu: gn.nu, columns: elems.map((e) => faceColumn(X, e, gn.nu)), activeRows: elems.map((e) => e.basis.length), weights: gn.c, skip: gn.skip };
}

/**
 * polishKkt's acceptance of Newton weights: none below −1e-12·Σ|c| (a wrong face, not rounding),
 * and every face guess confirmed by the exact cone projection at ν. On success writes max(c, 0)
 * into `out` and returns true; otherwise leaves `out` unchanged and returns false.
 */
function acceptWeights(X: Matrix, elems: FaceDirection[], nu: Float64Array, cGn: Float64Array, out: number[]): boolean {
  const total = cGn.reduce((a, b) => a + Math.abs(b), 0);
  for (let k = 0; k < elems.length; k++) if (cGn[k] < -1e-12 * total || !faceConfirmed(X, elems[k], nu)) return false;
  for (let k = 0; k < elems.length; k++) out[k] = Math.max(cGn[k], 0);
  return true;
}

/** The face guess of `e` holds at ν: the exact cone projection of σ Xᵀ D ν equals its face projection (to 1e-9 relative). */
function faceConfirmed(X: Matrix, e: FaceDirection, nu: Float64Array): boolean {
  const g = adjointOf(X, e.mask, nu, e.sign);
  const exact = projectOntoCone(X.data, X.rows, X.cols, e.mask, g).projection;
  return distance(exact, faceProject(e.basis, g)) <= 1e-9 * Math.max(1, nrm2(g));
}
