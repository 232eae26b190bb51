// Is the optimal face a point? (docs/science/convex.md §3 and §7,
// the optimal set and minimum-norm interpolation). Over the optimal directions ū_k (fit vectors f_k) the
// optimal set of the convex program is the polytope
//   F = {c ≥ 0 (, s free) : Σ_k c_k f_k (+ X s) = t,  Σ_k c_k = T}
// with t = ŷ*, T = ν*ᵀŷ*/β at β > 0 (Σ c is then fixed automatically; the row is kept for
// robustness), and t = y, T = the minimum Σ(‖u‖ + ‖v‖) for minimum-norm interpolation. F is a
// point iff min c_k = max c_k over F for every coordinate (and every skip coefficient): 2·(K + d)
// LPs, solved with HiGHS.
//
// Numerical form. The directions come from a solve accurate to ~1e-12, so F is computed with a
// slack δ on every equality row: first δ* = min ‖residual‖_∞ over c ≥ 0 (one LP), then
// δ = max(2δ*, 1e-10·scale) (1e-10 = the LP feasibility tolerance) and the ranges are taken over
// the δ-thickened face. A range is "zero" when ≤ tol·scale, scale = max(T, max|c|, max|s|);
// default tol 1e-6: a truly unique face's ranges are about δ·(condition of the active fits),
// ≤ 1e-10·1e4 here, while the non-unique faces of the tests have ranges ≥ 1e-2·scale. The
// report keeps maxRange/scale so the separation can be judged.
import type { Highs } from "highs";
import type { Matrix } from "../../linalg/index.js";
import type { ConvexProblem, PatternSet } from "../program/index.js";
import { type DenseLp, directionsOfDual, type LpSolution, type MinNormSolution, refineFaceDirections, solveDenseLp } from "./minNorm.js";
import { type OptimalDirection, optimalDirections, type OptimalDirectionsOptions } from "./optimalSet.js";

/** The optimal face F (see the file comment). */
export interface OptimalFace {
  /** Fit vectors f_k (length n each). */
  readonly fits: readonly Float64Array[];
  /** Right-hand side t (ŷ* or y). */
  readonly target: Float64Array;
  /** Σ c_k on the face (T). */
  readonly total: number;
  /** Free skip columns X (n×d) or null. */
  readonly skipX: Matrix | null;
  /** The unit direction and output sign behind each fit (to evaluate the network off the data). */
  readonly directions: ReadonlyArray<{ readonly sign: 1 | -1; readonly direction: Float64Array }>;
}

/** min and max of one coordinate over the face. */
export interface CoordinateRange {
  readonly min: number;
  readonly max: number;
  /** max − min. */
  readonly range: number;
}

/** A point of the face: weights c (one per direction) and skip s (or null). */
export interface FacePoint {
  readonly weights: Float64Array;
  readonly skip: Float64Array | null;
}

/** Options of `faceUniqueness`. */
export interface FaceUniquenessOptions {
  /** A range counts as zero when ≤ tol·scale. Default 1e-6 (see the file comment). */
  readonly tol?: number;
  /**
   * Inputs z (rows, in the augmented input space of X) at which to range the network function
   * f(z) = Σ c_k σ_k (ū_kᵀz)_+ (+ sᵀz) over the face. With a free skip the parameters are never
   * unique (a pair ±ū of active directions trades c for s: (ūᵀz)_+ − (−ūᵀz)_+ = ūᵀz), so
   * uniqueness then means uniqueness of the function; see `lineTestPoints` for 1-D data.
   */
  readonly functionPoints?: Matrix;
}

/** The coordinate ranges of F and the verdict. */
export interface FaceUniqueness {
  /** Per direction k: min/max of c_k over F. */
  readonly weights: CoordinateRange[];
  /** Per skip coefficient: min/max of s_t over F (empty without skip). */
  readonly skip: CoordinateRange[];
  /** Largest range. */
  readonly maxRange: number;
  /** max(T, largest |coordinate| seen): ranges are compared with tol·scale. */
  readonly scale: number;
  readonly tol: number;
  /** True iff maxRange ≤ tol·scale. */
  readonly unique: boolean;
  /** δ*: the smallest ∞-norm equality residual over c ≥ 0 (how exactly the face is attained). */
  readonly minResidual: number;
  /** δ: the slack used on the equality rows. */
  readonly slack: number;
  /** For the coordinate of largest range: the LP solutions at its min and max (two points of F). */
  readonly witnesses: { readonly coordinate: number; readonly isSkip: boolean; readonly low: FacePoint; readonly high: FacePoint } | null;
  /** Per function point: min/max of f(z) over F (empty without functionPoints). */
  readonly functionRanges: CoordinateRange[];
  /** Largest function range (0 without points). */
  readonly maxFunctionRange: number;
  /** max |f(z)| seen (≥ the target scale): function ranges are compared with tol·functionScale. */
  readonly functionScale: number;
  /** True iff every function range is ≤ tol·functionScale (null without functionPoints). */
  readonly functionUnique: boolean | null;
  /** LPs solved. */
  readonly lpSolves: number;
}

/** The equality system of F: rows 0..n−1 the fits (and skip columns), row n Σ c; variables c (≥ 0) then s (free). */
interface FaceSystem {
  readonly n: number;
  readonly K: number;
  readonly ds: number;
  readonly nv: number;
  rowCoef(row: number, v: number): number;
  rhs(row: number): number;
  colLower(v: number): number;
}

function faceSystem(face: OptimalFace): FaceSystem {
  const n = face.target.length;
  const K = face.fits.length;
  const ds = face.skipX === null ? 0 : face.skipX.cols;
  return {
    n, K, ds, nv: K + ds,
    rowCoef: (row, v) => (row < n ? (v < K ? face.fits[v][row] : face.skipX!.data[row * ds + (v - K)]) : v < K ? 1 : 0),
    rhs: (row) => (row < n ? face.target[row] : face.total),
    colLower: (v) => (v < K ? 0 : -Infinity),
  };
}

/** δ* = min δ s.t. −δ ≤ row − rhs ≤ δ for every equality row (one LP over [c, s, δ]). */
function minResidualLp(highs: Highs, sys: FaceSystem): number {
  const { n, nv } = sys;
  const nc = nv + 1;
  const R = 2 * (n + 1);
  const A = new Float64Array(R * nc);
  const lo = new Float64Array(R).fill(-Infinity);
  const hi = new Float64Array(R).fill(Infinity);
  for (let row = 0; row <= n; row++) {
    for (let v = 0; v < nv; v++) {
      A[row * nc + v] = sys.rowCoef(row, v);
      A[(n + 1 + row) * nc + v] = sys.rowCoef(row, v);
    }
    A[row * nc + nv] = -1;
    hi[row] = sys.rhs(row);
    A[(n + 1 + row) * nc + nv] = 1;
    lo[n + 1 + row] = sys.rhs(row);
  }
  const cost = new Float64Array(nc);
  cost[nv] = 1;
  const cl = Float64Array.from({ length: nc }, (_, v) => (v < nv ? sys.colLower(v) : 0));
  const res = solveDenseLp(highs, { A: { rows: R, cols: nc, data: A }, cost, rowLower: lo, rowUpper: hi, colLower: cl, colUpper: new Float64Array(nc).fill(Infinity) });
  if (!res.optimal) throw new RangeError(`faceUniqueness: the residual LP was not solved (HiGHS model status ${res.status})`);
  return Math.max(res.objective, 0);
}

/** The δ-thickened face as an LP of its own, min/max of any linear function over it (counts the LPs). */
class ThickFace {
  lpSolves = 0;
  private readonly lp: Omit<DenseLp, "cost" | "maximize">;

  constructor(private readonly highs: Highs, sys: FaceSystem, slack: number) {
    const { n, nv } = sys;
    const A = new Float64Array((n + 1) * nv);
    const lo = new Float64Array(n + 1);
    const hi = new Float64Array(n + 1);
    for (let row = 0; row <= n; row++) {
      for (let v = 0; v < nv; v++) A[row * nv + v] = sys.rowCoef(row, v);
      lo[row] = sys.rhs(row) - slack;
      hi[row] = sys.rhs(row) + slack;
    }
    this.lp = {
      A: { rows: n + 1, cols: nv, data: A }, rowLower: lo, rowUpper: hi,
      colLower: Float64Array.from({ length: nv }, (_, v) => sys.colLower(v)), colUpper: new Float64Array(nv).fill(Infinity),
    };
  }

  /** The LP solutions minimising and maximising costᵀx over the face; RangeError naming `what` when HiGHS fails. */
  extremes(cost: Float64Array, what: string): [LpSolution, LpSolution] {
    const out: LpSolution[] = [];
    for (const maximize of [false, true]) {
      const res = solveDenseLp(this.highs, { ...this.lp, cost, maximize });
      this.lpSolves++;
      if (!res.optimal) throw new RangeError(`faceUniqueness: LP for ${what} was not solved (HiGHS model status ${res.status})`);
      out.push(res);
    }
    return [out[0], out[1]];
  }
}

/** Per coordinate (c then s): its range over the face, the two LP points, and the largest |coordinate| seen. */
function coordinateRanges(face: ThickFace, sys: FaceSystem): { ranges: CoordinateRange[]; points: { low: FacePoint; high: FacePoint }[]; largest: number } {
  const { K, ds, nv } = sys;
  const toPoint = (x: Float64Array): FacePoint => ({ weights: x.slice(0, K), skip: ds > 0 ? x.slice(K, nv) : null });
  const ranges: CoordinateRange[] = [];
  const points: { low: FacePoint; high: FacePoint }[] = [];
  let largest = 0;
  for (let v = 0; v < nv; v++) {
    const cost = new Float64Array(nv);
    cost[v] = 1;
    const [low, high] = face.extremes(cost, `coordinate ${v}`);
    for (const res of [low, high]) for (let u = 0; u < nv; u++) largest = Math.max(largest, Math.abs(res.x[u]));
    ranges.push({ min: low.x[v], max: high.x[v], range: high.x[v] - low.x[v] });
    points.push({ low: toPoint(low.x), high: toPoint(high.x) });
  }
  return { ranges, points, largest };
}

/** Per function point z: the range of f(z) = Σ c_k σ_k (ū_kᵀz)_+ + sᵀz (linear in (c, s)) over the face, and the largest |f| seen. */
function functionRangesOf(face: ThickFace, sys: FaceSystem, directions: OptimalFace["directions"], Z: Matrix): { ranges: CoordinateRange[]; largest: number } {
  const { K, ds, nv } = sys;
  const D = Z.cols;
  if (directions.length !== K) throw new RangeError(`faceUniqueness: ${directions.length} directions for ${K} fits`);
  if (K > 0 && directions[0].direction.length !== D) throw new RangeError(`faceUniqueness: function points have ${D} columns, directions ${directions[0].direction.length}`);
  if (ds > 0 && ds !== D) throw new RangeError(`faceUniqueness: function points have ${D} columns, the skip ${ds}`);
  const ranges: CoordinateRange[] = [];
  let largest = 0;
  for (let p = 0; p < Z.rows; p++) {
    const z = Z.data.subarray(p * D, (p + 1) * D);
    const cost = new Float64Array(nv);
    directions.forEach((dir, k) => {
      let t = 0;
      for (let q = 0; q < D; q++) t += dir.direction[q] * z[q];
      cost[k] = t > 0 ? dir.sign * t : 0;
    });
    for (let q = 0; q < ds; q++) cost[K + q] = z[q];
    const [low, high] = face.extremes(cost, `function point ${p}`);
    largest = Math.max(largest, Math.abs(low.objective), Math.abs(high.objective));
    ranges.push({ min: low.objective, max: high.objective, range: high.objective - low.objective });
  }
  return { ranges, largest };
}

/** F without directions (ν* = 0): {0} if the target is 0 (y = 0 or ŷ* = 0), empty otherwise (RangeError). */
function emptyFaceUniqueness(face: OptimalFace, tol: number, functionPoints: Matrix | undefined): FaceUniqueness {
  let r = face.total;
  for (let k = 0; k < face.target.length; k++) r = Math.max(r, Math.abs(face.target[k]));
  if (r > 0) throw new RangeError("faceUniqueness: no directions, but the target is nonzero (the face is empty)");
  const zeros = Array.from({ length: functionPoints?.rows ?? 0 }, () => ({ min: 0, max: 0, range: 0 }));
  return {
    weights: [], skip: [], maxRange: 0, scale: Number.MIN_VALUE, tol, unique: true, minResidual: 0, slack: 0, witnesses: null,
    functionRanges: zeros, maxFunctionRange: 0, functionScale: Number.MIN_VALUE,
    functionUnique: functionPoints === undefined ? null : true, lpSolves: 0,
  };
}

/**
 * Coordinate ranges of the optimal face F = {c ≥ 0, s : Σ c_k f_k (+ X s) = t, Σ c_k = T}
 * (thickened by the slack δ of the file comment) by 2·(K + d) + 1 LPs; unique iff every range is
 * ≤ tol·scale. Throws RangeError on inconsistent shapes or when an LP is not solved.
 *
 * @param highs - the HiGHS instance (`await loadHighs()`)
 * @param face - fit vectors f_k, target t, total T, optional skip data, and the directions
 * @param opts - `tol` on the ranges, `functionPoints` to range the network function at
 * @returns the range of every weight (and skip) coordinate, the largest range, and whether the face is a point
 * @example
 * ```ts
 * import { faceUniqueness, loadHighs } from "splitscape";
 * const highs = await loadHighs();
 * // two independent fits, Σc_k f_k = t and Σc_k = 2 leave one point: c = (1, 1)
 * const face = { fits: [Float64Array.of(1, 0), Float64Array.of(0, 1)], target: Float64Array.of(1, 1), total: 2, skipX: null,
 *   directions: [{ sign: 1 as const, direction: Float64Array.of(1, 0) }, { sign: 1 as const, direction: Float64Array.of(0, 1) }] };
 * console.log(faceUniqueness(highs, face).unique); // true
 * ```
 */
export function faceUniqueness(highs: Highs, face: OptimalFace, opts: FaceUniquenessOptions = {}): FaceUniqueness {
  const tol = opts.tol ?? 1e-6;
  const n = face.target.length;
  for (const f of face.fits) if (f.length !== n) throw new RangeError(`faceUniqueness: a fit vector has ${f.length} entries, the target ${n}`);
  if (face.skipX !== null && face.skipX.rows !== n) throw new RangeError(`faceUniqueness: skip matrix has ${face.skipX.rows} rows, the target ${n}`);
  if (!Number.isFinite(face.total) || face.total < 0) throw new RangeError(`faceUniqueness: total must be finite and ≥ 0, got ${face.total}`);
  const sys = faceSystem(face);
  if (sys.nv === 0) return emptyFaceUniqueness(face, tol, opts.functionPoints);
  let tScale = face.total;
  for (let k = 0; k < n; k++) tScale = Math.max(tScale, Math.abs(face.target[k]));
  tScale = Math.max(tScale, Number.MIN_VALUE);
  const minResidual = minResidualLp(highs, sys);
  const slack = Math.max(2 * minResidual, 1e-10 * tScale);
  const thick = new ThickFace(highs, sys, slack);
  const coords = coordinateRanges(thick, sys);
  const scale = Math.max(face.total, coords.largest, Number.MIN_VALUE);
  const Z = opts.functionPoints;
  const fn = Z === undefined ? { ranges: [], largest: 0 } : functionRangesOf(thick, sys, face.directions, Z);
  const functionScale = Math.max(tScale, fn.largest);
  const maxFunctionRange = fn.ranges.reduce((m, r) => Math.max(m, r.range), 0);
  let maxRange = 0;
  let arg = -1;
  coords.ranges.forEach((r, v) => { if (r.range > maxRange) { maxRange = r.range; arg = v; } });
  const K = sys.K;
  return {
    weights: coords.ranges.slice(0, K), skip: coords.ranges.slice(K), maxRange, scale, tol, unique: maxRange <= tol * scale,
    minResidual, slack,
    witnesses: arg < 0 ? null : { coordinate: arg < K ? arg : arg - K, isSkip: arg >= K, ...coords.points[arg] },
    functionRanges: fn.ranges, maxFunctionRange, functionScale,
    functionUnique: Z === undefined ? null : maxFunctionRange <= tol * functionScale,
    lpSolves: 1 + thick.lpSolves,
  };
}

/**
 * Options of the two wrappers: `functionPoints` may also be "line" for 1-D data with a bias
 * column (X = [x, 1]): the points of `lineTestPoints` for the face's directions.
 */
export type FaceWrapperOptions = Omit<FaceUniquenessOptions, "functionPoints"> & { readonly functionPoints?: Matrix | "line" };

function resolvePoints(
  X: Matrix, directions: ReadonlyArray<{ readonly direction: Float64Array }>, opts: FaceWrapperOptions,
): FaceUniquenessOptions {
  const fp = opts.functionPoints;
  if (fp !== "line") return { ...opts, functionPoints: fp };
  if (X.cols !== 2) throw new RangeError(`functionPoints "line" needs 1-D data with a bias column (2 columns), X has ${X.cols}`);
  const xs = Float64Array.from({ length: X.rows }, (_, k) => X.data[2 * k]);
  return { ...opts, functionPoints: lineTestPoints(directions, xs) };
}

/** Uniqueness of the optimum of (C) at β > 0, with the directions it ran over. */
export interface UniquenessAtBeta extends FaceUniqueness {
  readonly directions: OptimalDirection[];
  readonly face: OptimalFace;
}

/**
 * Uniqueness of the optimal set of (C) at β > 0 from the optimal prediction ŷ* of a
 * high-accuracy exact solve (solveRelu, gap ≲ 1e-10): F over the active directions of
 * `optimalDirections` (Theorem 1), t = ŷ*, T = (ν*ᵀŷ*)/β.
 *
 * @param highs - the HiGHS instance (`await loadHighs()`)
 * @param problem - the convex problem (exact patterns)
 * @param yhat - the optimal prediction ŷ* of a high-accuracy solve
 * @param opts - options of `optimalDirections`, `tol`, and `functionPoints` ("line" for 1-D data with a bias)
 * @returns the face's ranges and verdict `unique`, with the directions and the face
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, loadHighs, solveRelu, uniquenessAtBeta, withBias } from "splitscape";
 * const highs = await loadHighs();
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const u = uniquenessAtBeta(highs, problem, solveRelu(problem, { tol: 1e-12 }).prediction);
 * console.log(u.unique, u.maxRange);
 * ```
 */
export function uniquenessAtBeta(
  highs: Highs, problem: ConvexProblem, yhat: Float64Array, opts: OptimalDirectionsOptions & FaceWrapperOptions = {},
): UniquenessAtBeta {
  const od = optimalDirections(problem, yhat, opts);
  let nuY = 0;
  for (let k = 0; k < yhat.length; k++) nuY += od.nu[k] * yhat[k];
  const face: OptimalFace = {
    fits: od.directions.map((d) => d.fit), target: yhat, total: nuY / problem.beta, skipX: null, directions: od.directions,
  };
  return { ...faceUniqueness(highs, face, resolvePoints(problem.X, od.directions, opts)), directions: od.directions, face };
}

/** Options of `minNormUniqueness`. */
export type MinNormUniquenessOptions = FaceWrapperOptions & {
  /** A direction is on the face when its dual ratio is ≥ 1 − activeTol. Default 1e-7. */
  readonly activeTol?: number;
};

/** Uniqueness of the minimum-norm interpolant, with the face directions. */
export interface MinNormUniqueness extends FaceUniqueness {
  readonly directions: OptimalDirection[];
  readonly face: OptimalFace;
  /**
   * Why a "not unique" verdict (unique or functionUnique false) cannot be trusted at the
   * solution's accuracy, or null when the verdict stands (see `minNormUniqueness`).
   */
  readonly undecided: string | null;
  /**
   * True when the face directions were refined together with the dual point by Newton (see
   * `minNormUniqueness`): the fits are then exact to rounding and the verdict stands at any gap.
   */
  readonly refined: boolean;
  /** Largest change of a coordinate of a face direction in the refinement (0 when not refined). */
  readonly directionShift: number;
  /** Largest dual ratio over all patterns at the refined ν (≤ 1 + 1e-12 when refined; NaN when not). */
  readonly refinedDualRatio: number;
}

/**
 * Uniqueness of the minimum-norm interpolant (in the convex variables, i.e. up to splitting a
 * neuron into parallel copies): F over the directions whose dual ratio at the certificate's ν is
 * ≥ 1 − activeTol (complementary slackness: every optimal point lives on them, for any dual
 * optimum), t = y, T = the minimum value. Use a polished solution (gap ~1e-15): the default
 * activeTol 1e-7 assumes it.
 *
 * An unpolished solution (the LP point of column generation, gap ~1e-10) gives a ν whose
 * ratio-1 directions are accurate only to ~√gap ≈ 1e-5 (the ratio is flat at its maximiser):
 * the face then holds spurious near-duplicates of a direction across a cone boundary, and
 * directions with kinks far outside the data where the true one has none. Such a face is larger
 * than the true one, so its "unique" verdict stands, but a "not unique" one may be an artefact
 * (e.g. x = −2..2, y = (0, 1, 1, 1, 0): the unique 1 − (−x−1)_+ − (x−1)_+ showed a function range
 * of 5.8 at a test point beyond a spurious kink at −5.6e4). Then `undecided` says so.
 *
 * @param highs - the HiGHS instance (`await loadHighs()`)
 * @param X - the data in X̃-space, n × d
 * @param y - the n targets
 * @param patterns - the activation patterns the solution was computed over
 * @param solution - a polished `minNormInterpolation` solution
 * @param opts - `activeTol` of the dual-ratio test, `tol`, `functionPoints`
 * @returns the face's ranges and verdict, its directions, and `undecided` when the solution is too coarse to tell
 * @example
 * ```ts
 * import { enumeratePatterns, loadHighs, minNormInterpolation, minNormUniqueness, withBias } from "splitscape";
 * const highs = await loadHighs();
 * const X = withBias({ rows: 5, cols: 1, data: Float64Array.of(-1.02, -0.98, -0.77, -0.09, 1.17) });
 * const y = Float64Array.of(0.62, -0.04, 0.97, -0.14, -0.97);
 * const patterns = enumeratePatterns(X);
 * const sol = minNormInterpolation(highs, X, y, patterns);
 * const u = minNormUniqueness(highs, X, y, patterns, sol, { functionPoints: "line" });
 * console.log(sol.polished, u.unique, u.maxRange); // true false …: a segment of optimal networks
 * ```
 */
export function minNormUniqueness(
  highs: Highs, X: Matrix, y: Float64Array, patterns: PatternSet, solution: MinNormSolution, opts: MinNormUniquenessOptions = {},
): MinNormUniqueness {
  const activeTol = opts.activeTol ?? 1e-7;
  const { directions } = directionsOfDual(X, patterns, solution.nu, 1 - activeTol);
  const skipX = solution.skip === null ? null : X;
  const rough: OptimalFace = { fits: directions.map((d) => d.fit), target: y, total: solution.value, skipX, directions };
  const ref = directions.length === 0 ? null : refineFace(highs, X, y, patterns, solution, rough, directions, activeTol);
  const face: OptimalFace = ref === null ? rough : ref.face;
  const faceDirections = ref === null ? directions : ref.directions;
  const u = faceUniqueness(highs, face, resolvePoints(X, faceDirections, opts));
  const notUnique = !u.unique || u.functionUnique === false;
  const undecided = notUnique && !solution.polished && ref === null
    ? `undecided at this accuracy: the solution is not polished (relative gap ${solution.relativeGap.toExponential(1)}) and the face's directions could not be refined, so they are accurate only to ~√gap and its ranges may be artefacts`
    : null;
  return {
    ...u, directions: faceDirections, face, undecided, refined: ref !== null,
    directionShift: ref === null ? 0 : ref.shift, refinedDualRatio: ref === null ? NaN : ref.maxDualRatio,
  };
}

/**
 * A point of the rough face that is positive on every direction some point of it uses: the mean of
 * the maximisers of each c_k over the face thickened by max(2δ*, 1e-6·scale) (generous: it only
 * starts Newton). A convex combination of face points, so c_k > 0 wherever max c_k > 0.
 */
function interiorStart(highs: Highs, face: OptimalFace): { weights: Float64Array; skip: Float64Array | null } {
  const sys = faceSystem(face);
  let tScale = face.total;
  for (let k = 0; k < sys.n; k++) tScale = Math.max(tScale, Math.abs(face.target[k]));
  const thick = new ThickFace(highs, sys, Math.max(2 * minResidualLp(highs, sys), 1e-6 * tScale));
  const mean = new Float64Array(sys.nv);
  for (let v = 0; v < sys.K; v++) {
    const cost = new Float64Array(sys.nv);
    cost[v] = 1;
    const high = thick.extremes(cost, `coordinate ${v}`)[1];
    for (let u = 0; u < sys.nv; u++) mean[u] += high.x[u] / sys.K;
  }
  return { weights: mean.slice(0, sys.K), skip: sys.ds > 0 ? mean.slice(sys.K) : null };
}

/** Refined face directions closer than this (every coordinate, unit vectors) count as one (see refineFace). */
const MERGE_TOL = 1e-6;

/**
 * The face of `minNormUniqueness` with its directions and ν refined together by Newton
 * (`refineFaceDirections`, from an interior start), kept only when the refined ν is dual feasible
 * to rounding (largest ratio over every pattern ≤ 1 + 1e-12) and every direction active there is
 * within MERGE_TOL of a refined one; null otherwise (the caller keeps the rough face).
 * Directions read off a ν are accurate only to ~√(its error) — 6e-8 from a polished ν on
 * convex/example-2, where the rough face's LP range was 1e-2 instead of the closed form's 2.
 * Near-duplicates (same sign, within MERGE_TOL) are one direction split across a cone boundary
 * by a dual point on the edge of a non-unique dual optimal set (x = −2..2, y = (0, 1, 1, 1, 0):
 * kinks at −1 and −1 − 2.8e-8); their fits differ by ~1e-8, which the face LP would read as a
 * thin spurious continuum, and they leave the other directions' fits ill-conditioned (a kink at
 * −1.4e8 for the constant neuron). The one on the most cone constraints stays (its direction is
 * fixed by its face) and Newton runs once more on the merged set, its weights summed.
 */
function refineFace(
  highs: Highs, X: Matrix, y: Float64Array, patterns: PatternSet, solution: MinNormSolution, rough: OptimalFace,
  directions: OptimalDirection[], activeTol: number,
): { face: OptimalFace; directions: OptimalDirection[]; shift: number; maxDualRatio: number } | null {
  const start = interiorStart(highs, rough);
  let nu = solution.nu;
  let current = directions;
  let c0 = start.weights;
  let skip0 = solution.skip === null ? null : (start.skip ?? solution.skip);
  const near = (a: Float64Array, b: Float64Array, tol: number): boolean => a.every((v, t) => Math.abs(v - b[t]) <= tol);
  for (let pass = 0; pass < 2; pass++) {
    const r = refineFaceDirections(X, y, patterns, nu, current, c0, skip0);
    if (r === null) return null;
    const check = directionsOfDual(X, patterns, r.nu, 1 - activeTol);
    if (!(check.maxDualRatio <= 1 + 1e-12)) return null;
    for (const a of check.directions) if (!r.columns.some((c) => c.sign === a.sign && near(c.direction, a.direction, MERGE_TOL))) return null;
    const all: OptimalDirection[] = current.map((d, k) => ({ ...d, direction: r.columns[k].direction, fit: r.columns[k].fit }));
    const order = all.map((_, k) => k).sort((a, b) => r.activeRows[b] - r.activeRows[a] || a - b);
    const owner = new Array<number>(all.length).fill(-1);
    const kept: number[] = [];
    for (const k of order) {
      const j = kept.find((q) => all[q].sign === all[k].sign && near(all[q].direction, all[k].direction, MERGE_TOL));
      if (j === undefined) { kept.push(k); owner[k] = k; } else owner[k] = j;
    }
    kept.sort((a, b) => a - b);
    if (kept.length === all.length) {
      let shift = 0;
      all.forEach((d, k) => {
        const old = directions.find((o) => o.sign === d.sign && near(o.direction, d.direction, 1e-3)) ?? directions[k];
        for (let t = 0; t < d.direction.length; t++) shift = Math.max(shift, Math.abs(d.direction[t] - old.direction[t]));
      });
      let total = 0;
      for (let k = 0; k < y.length; k++) total += y[k] * r.nu[k];
      const face: OptimalFace = { fits: all.map((d) => d.fit), target: y, total, skipX: rough.skipX, directions: all };
      return { face, directions: all, shift, maxDualRatio: check.maxDualRatio };
    }
    const w = new Float64Array(all.length);
    all.forEach((_, k) => { w[owner[k]] += Math.abs(r.weights[k]); });
    nu = r.nu;
    current = kept.map((k) => all[k]);
    c0 = Float64Array.from(kept, (k) => w[k]);
    skip0 = r.skip;
  }
  return null;
}

/**
 * Test points that decide uniqueness of a 1-D network function on all of ℝ (inputs [x, 1]): every
 * face point is piecewise linear with kinks only at the active directions' kinks x = −b/w, so it
 * is fixed by its values at those kinks, at the data, and at one point beyond each end
 * (x_min − 1 − spread, x_max + 1 + spread). `directions` are unit [w, b] vectors.
 *
 * @param directions - unit directions [w, b] of 1-D inputs with a bias (length 2 each)
 * @param xs - the data's inputs x
 * @returns the test points as rows [x, 1]: the kinks, the data, and one point beyond each end
 * @example
 * ```ts
 * import { lineTestPoints } from "splitscape";
 * const P = lineTestPoints([{ direction: Float64Array.of(Math.SQRT1_2, -Math.SQRT1_2) }], [-1, 0, 2]);
 * console.log(P.rows, P.cols); // the kink x = 1, the data, two outer points; 2 columns
 * ```
 */
export function lineTestPoints(directions: ReadonlyArray<{ readonly direction: Float64Array }>, xs: ArrayLike<number>): Matrix {
  const pts: number[] = Array.from(xs);
  for (const { direction } of directions) {
    if (direction.length !== 2) throw new RangeError("lineTestPoints: directions must be [w, b] (1-D input with a bias)");
    const [w, b] = direction;
    if (Math.abs(w) > 1e-12) pts.push(-b / w);
  }
  const lo = Math.min(...pts);
  const hi = Math.max(...pts);
  const spread = hi - lo;
  pts.push(lo - 1 - spread, hi + 1 + spread);
  const uniq = [...new Set(pts)].sort((a, b) => a - b);
  const data = new Float64Array(2 * uniq.length);
  uniq.forEach((x, i) => { data[2 * i] = x; data[2 * i + 1] = 1; });
  return { rows: uniq.length, cols: 2, data };
}
