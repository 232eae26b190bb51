// Activation patterns D_i = diag(1[X h ≥ 0]) of the data X (n×d; a bias is a column of ones):
// exact enumeration of the chambers of the arrangement {h : x_kᵀh = 0}, Gaussian sampling, or
// given gate vectors. Source: Pilanci & Ergen 2020, §2; docs/science/convex.md §1.2.
//
// Convention (docs/science/convex.md §10.1): D_kk = 1 iff x_kᵀh ≥ 0 (non-strict, as in the note;
// scnn uses >). For a direction inside a chamber no x_kᵀh is 0 and both agree. They differ only
// on cone boundaries: with ≥ every neuron w lies in the closed cone K of its own pattern
// 1[Xw ≥ 0], and a zero row x_k = 0 gets D_kk = 1 (its row of D_i X is 0 either way). Exact
// enumeration returns the chambers only: a boundary pattern's cone is lower-dimensional and lies
// in the union of the closed chamber cones, so it adds nothing to the convex program.
import { type Matrix, nrm2 } from "../../linalg/index.js";
import { fillNormal, fork, type Rng } from "../../random/index.js";
import { arrangementChambers, binomial, orthonormalBasis } from "./arrangement.js";

/** A set of distinct activation patterns of one data matrix. */
export interface PatternSet {
  /** Number of samples n (length of each mask). */
  readonly n: number;
  /** Input dimension d (length of each generator). */
  readonly d: number;
  /** Number of patterns P. */
  readonly count: number;
  /** P×n row-major 0/1: masks[i·n + k] = 1 iff x_kᵀh_i ≥ 0, i.e. (D_i)_kk. */
  readonly masks: Uint8Array;
  /** P×d row-major: a direction h_i with pattern i (a chamber's interior point, or the gate). */
  readonly generators: Float64Array;
  /**
   * True when the set holds every pattern of X (exact enumeration): only then is a dual
   * certificate a proof of global optimality. Sampled or given gates: false.
   */
  readonly exact: boolean;
  /** How the set was made. */
  readonly method: "exact" | "sample" | "gates" | "network";
  /** Gates drawn or given (before de-duplication); for exact, the number of chambers. */
  readonly requested: number;
  /** Numerical rank r of X. */
  readonly rank: number;
  /** 2·Σ_{k<r} C(n'−1, k), n' = nonzero rows: the count in general position (an upper bound). */
  readonly maxCount: number;
  /** The inequality convention of the masks: always ">=" (see the file comment). */
  readonly convention: ">=";
}

/** Thrown when exact enumeration is too large for the limits given; use sampling instead. */
export class TooManyPatternsError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "TooManyPatternsError";
  }
}

/** Options of `enumeratePatterns`. */
export interface EnumerateOptions {
  /** Refuse (TooManyPatternsError) when the general-position bound exceeds this. Default 20000. */
  readonly maxPatterns?: number;
  /** Refuse when more than this many (r−1)-subsets of rows would be examined. Default 2e6. */
  readonly maxSubsets?: number;
  /** Relative tolerance of the rank and zero-row decisions. Default 1e-10. */
  readonly rankTol?: number;
}

/**
 * The number of chambers of a central arrangement of n hyperplanes of rank r in general
 * position (Cover 1965; Pilanci & Ergen 2020, eq. 8): 2·Σ_{k=0}^{r−1} C(n−1, k). For 1-D data
 * with a bias (r = 2) this is 2n.
 *
 * @param n - number of hyperplanes (samples with x_k ≠ 0)
 * @param r - the rank of the data
 * @returns the general-position chamber count, an upper bound on the number of patterns
 * @example
 * ```ts
 * import { maxPatternCount } from "splitscape";
 * console.log(maxPatternCount(8, 2)); // 16: 1-D data with a bias has 2n patterns
 * ```
 */
export function maxPatternCount(n: number, r: number): number {
  if (n <= 0 || r <= 0) return 1;
  let s = 0;
  for (let k = 0; k < r; k++) s += binomial(n - 1, k);
  return 2 * s;
}

/**
 * The pattern 1[X h ≥ 0] of direction h (length n, 0/1).
 *
 * @param X - the data, n × d
 * @param h - a direction, length d
 * @param out - optional output buffer of length n, overwritten
 * @returns the 0/1 mask 1[X h ≥ 0], length n (the diagonal of D)
 * @example
 * ```ts
 * import { patternOf, withBias } from "splitscape";
 * const X = withBias({ rows: 4, cols: 1, data: Float64Array.of(-1, -0.2, 0.3, 1) });
 * console.log(Array.from(patternOf(X, [1, -0.1]))); // [0, 0, 1, 1]: the ReLU x − 0.1 is active right of 0.1
 * ```
 */
export function patternOf(X: Matrix, h: ArrayLike<number>, out: Uint8Array = new Uint8Array(X.rows)): Uint8Array {
  const { rows: n, cols: d, data } = X;
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += data[k * d + j] * h[j];
    out[k] = s >= 0 ? 1 : 0;
  }
  return out;
}

/** A string key of a 0/1 mask (for de-duplication and look-up). */
export function maskKey(mask: Uint8Array): string {
  let s = "";
  for (let k = 0; k < mask.length; k++) s += mask[k] === 1 ? "1" : "0";
  return s;
}

/**
 * Mask of pattern i (a view).
 *
 * @param set - the pattern set
 * @param i - the pattern index, 0 ≤ i < set.count
 * @returns a view of the n-entry 0/1 mask of pattern i (do not write to it)
 * @example
 * ```ts
 * import { enumeratePatterns, patternMask, withBias } from "splitscape";
 * const X = withBias({ rows: 3, cols: 1, data: Float64Array.of(-1, 0.5, 1) });
 * const set = enumeratePatterns(X);
 * for (let i = 0; i < set.count; i++) console.log(Array.from(patternMask(set, i)).join(""));
 * ```
 */
export function patternMask(set: PatternSet, i: number): Uint8Array {
  return set.masks.subarray(i * set.n, (i + 1) * set.n);
}

/** Map from mask key to pattern index. */
export function patternIndex(set: PatternSet): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < set.count; i++) m.set(maskKey(patternMask(set, i)), i);
  return m;
}

/** Row-space basis (rows of an r×d orthonormal matrix) and the nonzero-row flags of X. */
export function rowSpace(X: Matrix, rankTol = 1e-10): { basis: Float64Array[]; nonzero: Uint8Array } {
  const { rows: n, cols: d, data } = X;
  const rows: Float64Array[] = [];
  let scale = 0;
  const norms = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = data.slice(k * d, (k + 1) * d);
    rows.push(r);
    norms[k] = nrm2(r);
    scale = Math.max(scale, norms[k]);
  }
  const nonzero = new Uint8Array(n);
  for (let k = 0; k < n; k++) nonzero[k] = norms[k] > rankTol * scale ? 1 : 0;
  return { basis: orthonormalBasis(rows, rankTol), nonzero };
}

/**
 * Every activation pattern of X, exactly: the chambers of the arrangement {h : x_kᵀh = 0}
 * (see `arrangementChambers`), computed in the r-dimensional row space of X (directions in the
 * null space of X do not change any pattern). Zero rows are not hyperplanes; their mask entry is
 * 1 (≥). In general position the count equals `maxPatternCount(n, r)` (Cover 1965); with
 * repeated or otherwise degenerate rows it is smaller. Throws TooManyPatternsError when that
 * bound exceeds `maxPatterns` (use `samplePatterns`).
 *
 * @param X - the data, n × d
 * @param opts - `maxPatterns`, the bound above which it refuses (TooManyPatternsError)
 * @returns every pattern D_i = diag(1[X h ≥ 0]), with `exact: true`
 * @example
 * ```ts
 * import { enumeratePatterns, withBias } from "splitscape";
 * const X = withBias({ rows: 8, cols: 1, data: Float64Array.from([-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1]) });
 * console.log(enumeratePatterns(X).count); // 16
 * ```
 */
export function enumeratePatterns(X: Matrix, opts: EnumerateOptions = {}): PatternSet {
  const { rows: n, cols: d } = X;
  const rankTol = opts.rankTol ?? 1e-10;
  const { basis, nonzero } = rowSpace(X, rankTol);
  const r = basis.length;
  const nz: number[] = [];
  for (let k = 0; k < n; k++) if (nonzero[k]) nz.push(k);
  const bound = maxPatternCount(nz.length, r);
  const maxPatterns = opts.maxPatterns ?? 20000;
  if (bound > maxPatterns) {
    throw new TooManyPatternsError(
      `exact enumeration: up to ${bound} patterns (n = ${nz.length} nonzero rows, rank ${r}) exceed the limit ${maxPatterns}; sample patterns instead`,
    );
  }
  const maxSubsets = opts.maxSubsets ?? 2e6;
  if (r > 0 && binomial(nz.length, r - 1) > maxSubsets) {
    throw new TooManyPatternsError(
      `exact enumeration: C(${nz.length}, ${r - 1}) line subsets exceed the limit ${maxSubsets}; sample patterns instead`,
    );
  }
  if (r === 0 || nz.length === 0) {
    return makeSet(n, d, [new Uint8Array(n).fill(1)], [new Float64Array(d)], { exact: true, method: "exact", requested: 1, rank: r, maxCount: 1 });
  }
  const coords = nz.map((k) => Float64Array.from(basis, (b) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += X.data[k * d + j] * b[j];
    return s;
  }));
  const chambers = arrangementChambers(coords, { zeroTol: 1e-10, maxSubsets });
  const masks: Uint8Array[] = [];
  const gens: Float64Array[] = [];
  for (const ch of chambers) {
    const mask = new Uint8Array(n).fill(1);
    nz.forEach((k, t) => { mask[k] = ch.signs[t] > 0 ? 1 : 0; });
    const h = new Float64Array(d);
    for (let t = 0; t < r; t++) for (let j = 0; j < d; j++) h[j] += ch.point[t] * basis[t][j];
    const hn = nrm2(h);
    for (let j = 0; j < d; j++) h[j] /= hn;
    masks.push(mask);
    gens.push(h);
  }
  sortPatterns(masks, gens);
  return makeSet(n, d, masks, gens, { exact: true, method: "exact", requested: chambers.length, rank: r, maxCount: bound });
}

/**
 * Patterns 1[X g ≥ 0] of the given gate vectors (rows of `gates`, d columns), de-duplicated
 * (first gate kept as the generator), in gate order. `exact` is false.
 *
 * @param X - the data, n × d
 * @param gates - the gate vectors as rows, G × d
 * @param method - recorded as the set's `method` (default "gates")
 * @returns the distinct patterns of the gates with their first gate as generator; `exact` is false
 * @example
 * ```ts
 * import { patternsFromGates, withBias } from "splitscape";
 * const X = withBias({ rows: 4, cols: 1, data: Float64Array.of(-1, -0.2, 0.3, 1) });
 * const gates = { rows: 3, cols: 2, data: Float64Array.of(1, 0, 2, 0, -1, 0.5) };
 * console.log(patternsFromGates(X, gates).count); // 2: the first two gates give one pattern
 * ```
 */
export function patternsFromGates(X: Matrix, gates: Matrix, method: PatternSet["method"] = "gates"): PatternSet {
  if (gates.cols !== X.cols) {
    throw new RangeError(`patternsFromGates: gates have ${gates.cols} columns, X has ${X.cols}`);
  }
  const n = X.rows;
  const d = X.cols;
  const seen = new Set<string>();
  const masks: Uint8Array[] = [];
  const gens: Float64Array[] = [];
  for (let g = 0; g < gates.rows; g++) {
    const h = gates.data.subarray(g * d, (g + 1) * d);
    const mask = patternOf(X, h);
    const key = maskKey(mask);
    if (seen.has(key)) continue;
    seen.add(key);
    masks.push(mask);
    gens.push(h.slice());
  }
  const { basis, nonzero } = rowSpace(X);
  let nnz = 0;
  for (let k = 0; k < n; k++) nnz += nonzero[k];
  return makeSet(n, d, masks, gens, { exact: false, method, requested: gates.rows, rank: basis.length, maxCount: maxPatternCount(nnz, basis.length) });
}

/**
 * N Gaussian gates g ~ N(0, I_d) from the stream fork(seed, "convex-gates") (or `rng`), their
 * patterns 1[X g ≥ 0] de-duplicated (see patternsFromGates). `exact` is false: a certificate
 * over these patterns is relative to them (docs/science/convex.md §2).
 *
 * @param X - the data, n × d
 * @param count - N, the number of Gaussian gates drawn (the result may hold fewer distinct patterns)
 * @param seedOrRng - a seed (default 0) or a random stream
 * @returns the distinct sampled patterns; `exact` is false
 * @example
 * ```ts
 * import { makeBuiltin, samplePatterns, withBias } from "splitscape";
 * const X = withBias(makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1").X);
 * const set = samplePatterns(X, 200, 7);
 * console.log(set.count, set.exact); // ≤ 200, false
 * ```
 */
export function samplePatterns(X: Matrix, count: number, seedOrRng: number | Rng = 0): PatternSet {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`samplePatterns: count must be a positive integer, got ${count}`);
  const rng = typeof seedOrRng === "number" ? fork(seedOrRng, "convex-gates") : seedOrRng;
  const gates = new Float64Array(count * X.cols);
  fillNormal(rng, gates);
  return patternsFromGates(X, { rows: count, cols: X.cols, data: gates }, "sample");
}

/**
 * The union of `set` and the patterns 1[X h ≥ 0] of the given directions (rows of `dirs`), with
 * the index of each direction's pattern in the result. Exactness is kept (an exact set already
 * holds every chamber pattern; a boundary pattern of a direction on a cone boundary is added).
 */
export function withPatternsOf(X: Matrix, set: PatternSet, dirs: Matrix): { set: PatternSet; index: Int32Array } {
  const n = set.n;
  const d = set.d;
  const idx = patternIndex(set);
  const masks: Uint8Array[] = [];
  const gens: Float64Array[] = [];
  for (let i = 0; i < set.count; i++) {
    masks.push(set.masks.slice(i * n, (i + 1) * n));
    gens.push(set.generators.slice(i * d, (i + 1) * d));
  }
  const index = new Int32Array(dirs.rows);
  for (let j = 0; j < dirs.rows; j++) {
    const h = dirs.data.subarray(j * d, (j + 1) * d);
    const mask = patternOf(X, h);
    const key = maskKey(mask);
    let i = idx.get(key);
    if (i === undefined) {
      i = masks.length;
      idx.set(key, i);
      masks.push(mask);
      gens.push(h.slice());
    }
    index[j] = i;
  }
  const out = makeSet(n, d, masks, gens, set);
  return { set: out, index };
}

/** Sort patterns by mask (lexicographic, 1 before 0) so exact sets have a canonical order. */
function sortPatterns(masks: Uint8Array[], gens: Float64Array[]): void {
  const order = masks.map((_, i) => i);
  const keys = masks.map(maskKey);
  order.sort((a, b) => (keys[a] < keys[b] ? 1 : keys[a] > keys[b] ? -1 : 0));
  const m2 = order.map((i) => masks[i]);
  const g2 = order.map((i) => gens[i]);
  for (let i = 0; i < masks.length; i++) { masks[i] = m2[i]; gens[i] = g2[i]; }
}

/** The provenance fields of a pattern set (how it was made). */
type PatternProvenance = Pick<PatternSet, "exact" | "method" | "requested" | "rank" | "maxCount">;

/** A PatternSet from per-pattern masks (length n) and generators (length d). */
function makeSet(n: number, d: number, masks: Uint8Array[], gens: Float64Array[], from: PatternProvenance): PatternSet {
  const P = masks.length;
  const all = new Uint8Array(P * n);
  const g = new Float64Array(P * d);
  for (let i = 0; i < P; i++) {
    all.set(masks[i], i * n);
    g.set(gens[i], i * d);
  }
  const { exact, method, requested, rank, maxCount } = from;
  return { n, d, count: P, masks: all, generators: g, exact, method, requested, rank, maxCount, convention: ">=" };
}
