// Chambers (full-dimensional cells) of a central hyperplane arrangement {h : c_kᵀh = 0} in ℝʳ,
// enumerated exactly by recursion on the rank. Small dense helpers (Gram–Schmidt, null vectors)
// live here too; they are meant for the small r of exact enumeration, not for large d.
import { dot, nrm2 } from "../../linalg/index.js";

/** One chamber: the sign of c_kᵀh (±1) for every hyperplane, and an interior point h. */
export interface Chamber {
  readonly signs: Int8Array;
  readonly point: Float64Array;
}

/** Options of `arrangementChambers`. */
export interface ArrangementOptions {
  /**
   * A vector c_j lies on the line ℝv (v a unit vector) when |c_jᵀv| ≤ zeroTol·‖c_j‖.
   * Default 1e-10: well above rounding (r·eps), well below any real separation of the data.
   */
  readonly zeroTol?: number;
  /** Give up (RangeError) when more than this many (r−1)-subsets would be examined. */
  readonly maxSubsets?: number;
}

/** Binomial coefficient C(n, k) as a float (exact below 2⁵³). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const kk = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= kk; i++) c = (c * (n - kk + i)) / i;
  return Math.round(c);
}

/**
 * Orthonormal basis of span{rows} by pivoted modified Gram–Schmidt with one
 * re-orthogonalisation pass ("twice is enough"): the row of largest remaining residual is taken
 * next; stops when every residual is ≤ relTol·(largest input norm). Returns the basis rows.
 */
export function orthonormalBasis(rows: Float64Array[], relTol: number): Float64Array[] {
  const res = rows.map((r) => r.slice());
  let scale = 0;
  for (const r of res) scale = Math.max(scale, nrm2(r));
  const basis: Float64Array[] = [];
  if (scale === 0) return basis;
  const used = new Uint8Array(res.length);
  for (;;) {
    let best = -1;
    let bestNorm = relTol * scale;
    for (let i = 0; i < res.length; i++) {
      if (used[i]) continue;
      const nr = nrm2(res[i]);
      if (nr > bestNorm) { bestNorm = nr; best = i; }
    }
    if (best < 0) break;
    used[best] = 1;
    const q = res[best];
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dot(q, b);
        for (let t = 0; t < q.length; t++) q[t] -= c * b[t];
      }
    }
    const nq = nrm2(q);
    if (nq <= relTol * scale) continue;
    for (let t = 0; t < q.length; t++) q[t] /= nq;
    basis.push(q);
    for (let i = 0; i < res.length; i++) {
      if (used[i]) continue;
      const c = dot(res[i], q);
      for (let t = 0; t < q.length; t++) res[i][t] -= c * q[t];
    }
    if (basis.length === q.length) break;
  }
  return basis;
}

/**
 * An orthonormal basis of the orthogonal complement of span(basis) in ℝʳ (basis orthonormal):
 * Gram–Schmidt (twice) of the unit vectors e_t, largest residual first.
 */
export function orthogonalComplement(basis: Float64Array[], r: number): Float64Array[] {
  const out: Float64Array[] = [];
  const all = [...basis];
  while (all.length < r) {
    let best: Float64Array | null = null;
    let bestNorm = 0;
    for (let t = 0; t < r; t++) {
      const e = new Float64Array(r);
      e[t] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const b of all) {
          const c = dot(e, b);
          for (let s = 0; s < r; s++) e[s] -= c * b[s];
        }
      }
      const ne = nrm2(e);
      if (ne > bestNorm) { bestNorm = ne; best = e; }
    }
    if (best === null || bestNorm < 1e-8) break;
    for (let s = 0; s < r; s++) best[s] /= bestNorm;
    all.push(best);
    out.push(best);
  }
  return out;
}

/** Next k-subset of {0..m−1} in lexicographic order (in place); false after the last. */
function nextSubset(idx: Int32Array, m: number): boolean {
  const k = idx.length;
  let i = k - 1;
  while (i >= 0 && idx[i] === m - k + i) i--;
  if (i < 0) return false;
  idx[i]++;
  for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  return true;
}

/**
 * All chambers of the central arrangement {h ∈ ℝʳ : c_kᵀh = 0}, k < m, for nonzero vectors c_k
 * that span ℝʳ (so every chamber is a pointed cone).
 *
 * Method (recursion on the rank): a pointed polyhedral cone of dimension r ≥ 2 has an extreme
 * ray, and every extreme ray of a chamber is a line ℝv cut out by r − 1 independent hyperplanes
 * of the arrangement. Near v, the chambers that touch the ray are v + ε·h for h in a chamber of
 * the local arrangement Z(v) = {c_j : c_jᵀv = 0} inside v^⊥ (rank r − 1), with the signs of the
 * other hyperplanes fixed to sign(c_jᵀv); the same local chambers sit around −v with those signs
 * flipped. So: for every line cut out by an (r−1)-subset, recurse on Z(v) in v^⊥; rank 1 has the
 * two chambers ±. Chambers are collected once each (keyed by sign vector). Work:
 * C(m, r−1) null vectors plus the local recursions; exact in degenerate position too (repeated
 * or parallel points, more than r−1 hyperplanes through a line), up to the zero test `zeroTol`.
 * The interior point of each chamber is v·(±1) + ε·h_local with ε small enough to keep the
 * signs off Z(v).
 *
 * @param vectors - the normals c_k of the hyperplanes, all of one length r, nonzero and spanning ℝʳ
 * @param opts - zero tolerance of the line test and the subset limit (RangeError above it)
 * @returns every chamber once, with its sign vector and an interior point
 * @example
 * ```ts
 * import { arrangementChambers } from "splitscape";
 * // three lines through the origin of the plane cut it into 6 chambers
 * const chambers = arrangementChambers([Float64Array.of(1, 0), Float64Array.of(0, 1), Float64Array.of(1, 1)]);
 * console.log(chambers.length); // 6
 * ```
 */
export function arrangementChambers(vectors: Float64Array[], opts: ArrangementOptions = {}): Chamber[] {
  const m = vectors.length;
  if (m === 0) throw new RangeError("arrangementChambers: no hyperplanes");
  const r = vectors[0].length;
  const zeroTol = opts.zeroTol ?? 1e-10;
  const maxSubsets = opts.maxSubsets ?? 5e6;
  const subsets = binomial(m, r - 1);
  if (subsets > maxSubsets) {
    throw new RangeError(`arrangementChambers: C(${m}, ${r - 1}) = ${subsets} line subsets exceed the limit ${maxSubsets}`);
  }
  return chambersRec(vectors, zeroTol);
}

function chambersRec(vecs: Float64Array[], zeroTol: number): Chamber[] {
  const m = vecs.length;
  const r = vecs[0].length;
  if (r === 1) {
    const s = new Int8Array(m);
    for (let k = 0; k < m; k++) s[k] = vecs[k][0] > 0 ? 1 : -1;
    const t = s.map((x) => -x);
    return [
      { signs: s, point: Float64Array.of(1) },
      { signs: Int8Array.from(t), point: Float64Array.of(-1) },
    ];
  }
  const norms = vecs.map((v) => nrm2(v));
  const out = new Map<string, Chamber>();
  const seenLines = new Set<string>();
  const idx = new Int32Array(r - 1);
  for (let i = 0; i < r - 1; i++) idx[i] = i;
  do {
    const rowsS = Array.from(idx, (j) => vecs[j]);
    const basisS = orthonormalBasis(rowsS, 1e-9);
    if (basisS.length !== r - 1) continue;
    const v = orthogonalComplement(basisS, r)[0];
    const zero: number[] = [];
    const proj = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      proj[j] = dot(vecs[j], v);
      if (Math.abs(proj[j]) <= zeroTol * norms[j]) zero.push(j);
    }
    const key = zero.join(",");
    if (seenLines.has(key)) continue;
    seenLines.add(key);
    // Local arrangement in v^⊥: coordinates in an orthonormal basis of v^⊥.
    const perp = orthogonalComplement([v], r);
    const local = zero.map((j) => Float64Array.from(perp, (b) => dot(vecs[j], b)));
    const sub = chambersRec(local, zeroTol);
    const inZ = new Uint8Array(m);
    for (const j of zero) inZ[j] = 1;
    let minOff = Infinity;
    for (let j = 0; j < m; j++) if (!inZ[j]) minOff = Math.min(minOff, Math.abs(proj[j]));
    for (const ch of sub) {
      // h_local in ℝʳ and the ε that keeps the off-line signs.
      const hl = new Float64Array(r);
      for (let b = 0; b < perp.length; b++) for (let t = 0; t < r; t++) hl[t] += ch.point[b] * perp[b][t];
      let maxOff = 0;
      for (let j = 0; j < m; j++) if (!inZ[j]) maxOff = Math.max(maxOff, Math.abs(dot(vecs[j], hl)));
      const eps = maxOff > 0 && Number.isFinite(minOff) ? Math.min(0.5, (0.5 * minOff) / maxOff) : 0.5;
      for (const sg of [1, -1]) {
        const signs = new Int8Array(m);
        let z = 0;
        for (let j = 0; j < m; j++) signs[j] = inZ[j] ? ch.signs[z++] : (sg * proj[j] > 0 ? 1 : -1);
        const k = signs.join("");
        if (out.has(k)) continue;
        const point = new Float64Array(r);
        for (let t = 0; t < r; t++) point[t] = sg * v[t] + eps * hl[t];
        out.set(k, { signs, point });
      }
    }
  } while (nextSubset(idx, m));
  return [...out.values()];
}
