/**
 * Deterministic test matrices, dependency-free (only a type import of the Matrix record), so any
 * test file can use it without pulling in the code under test.
 *
 *   const g = testRng(42);
 *   g.normal(); g.randn(5, 3); g.randomOrthogonal(4); g.withSingularValues(6, 4, [3, 2, 1e-8]);
 *   g.randomSpd(10, 1e6); g.randomSymmetric(5); g.lowRank(8, 6, 2);
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state) seeded
 * by splitmix32 from the seed, uniforms with 53 random bits, normals by Box–Muller. Orthonormal
 * bases come from modified Gram–Schmidt with one re-orthogonalisation pass ("twice is enough",
 * Giraud et al. 2005) of Gaussian columns: the positive-diagonal R convention makes Q Haar
 * distributed, and ‖QᵀQ − I‖ is a few ulps. Everything here is independent of src/linalg.
 */
import type { Matrix } from "../../src/linalg/index.js";

export interface TestRng {
  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal deviate. */
  normal(): number;
  /** Vector of n standard normals. */
  randnVec(n: number): Float64Array;
  /** m×n matrix of standard normals. */
  randn(m: number, n: number): Matrix;
  /** m×k matrix with orthonormal columns (k ≤ m; default k = m), Haar distributed. */
  randomOrthonormal(m: number, k?: number): Matrix;
  /** n×n orthogonal matrix, Haar distributed. */
  randomOrthogonal(n: number): Matrix;
  /**
   * U·diag(σ)·Vᵀ (m×n) with U (m×p), V (n×p) random orthonormal, p = σ.length ≤ min(m, n):
   * the singular values are exactly σ (up to rounding); zeros in σ give a rank-deficient matrix.
   */
  withSingularValues(m: number, n: number, sigma: ArrayLike<number>): Matrix;
  /**
   * Symmetric positive definite n×n matrix Q·diag(λ)·Qᵀ with λ geometric from 1 down to 1/cond
   * (so κ₂ = cond), exactly symmetric (the lower triangle is mirrored).
   */
  randomSpd(n: number, cond: number): Matrix;
  /** Exactly symmetric n×n matrix (G + Gᵀ)/2 with G Gaussian. */
  randomSymmetric(n: number): Matrix;
  /** Rank-r m×n product G₁·G₂ of Gaussian m×r and r×n factors. */
  lowRank(m: number, n: number, r: number): Matrix;
}

/** A deterministic generator of test matrices: same seed, same numbers, on every engine. */
export function testRng(seed: number): TestRng {
  // splitmix32 → four sfc32 state words.
  let sm = seed >>> 0;
  const splitmix = (): number => {
    sm = (sm + 0x9e3779b9) >>> 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = 1;
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next32();

  const uniform = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;

  let spare = NaN;
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = NaN;
      return z;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };

  const randnVec = (n: number): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = normal();
    return out;
  };

  const randn = (m: number, n: number): Matrix => ({ rows: m, cols: n, data: randnVec(m * n) });

  const randomOrthonormal = (m: number, k = m): Matrix => {
    if (k > m) throw new RangeError(`randomOrthonormal: k = ${k} > m = ${m}`);
    const g = randn(m, k);
    orthonormaliseColumns(g);
    return g;
  };

  const randomOrthogonal = (n: number): Matrix => randomOrthonormal(n, n);

  const withSingularValues = (m: number, n: number, sigma: ArrayLike<number>): Matrix => {
    const p = sigma.length;
    if (p > Math.min(m, n)) throw new RangeError(`withSingularValues: ${p} values for a ${m}×${n} matrix`);
    const u = randomOrthonormal(m, p);
    const v = randomOrthonormal(n, p);
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let t = 0; t < p; t++) {
        const s = u.data[i * p + t] * sigma[t];
        if (s === 0) continue;
        for (let j = 0; j < n; j++) out[i * n + j] += s * v.data[j * p + t];
      }
    }
    return { rows: m, cols: n, data: out };
  };

  const randomSpd = (n: number, cond: number): Matrix => {
    const lambda = new Float64Array(n);
    for (let i = 0; i < n; i++) lambda[i] = n === 1 ? 1 : Math.pow(cond, -i / (n - 1));
    const a = withSingularValuesSym(randomOrthogonal(n), lambda);
    return a;
  };

  const randomSymmetric = (n: number): Matrix => {
    const g = randn(n, n);
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const s = 0.5 * (g.data[i * n + j] + g.data[j * n + i]);
        out[i * n + j] = s;
        out[j * n + i] = s;
      }
    }
    return { rows: n, cols: n, data: out };
  };

  const lowRank = (m: number, n: number, r: number): Matrix => {
    const g1 = randn(m, r);
    const g2 = randn(r, n);
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let t = 0; t < r; t++) {
        const s = g1.data[i * r + t];
        for (let j = 0; j < n; j++) out[i * n + j] += s * g2.data[t * n + j];
      }
    }
    return { rows: m, cols: n, data: out };
  };

  return {
    uniform,
    normal,
    randnVec,
    randn,
    randomOrthonormal,
    randomOrthogonal,
    withSingularValues,
    randomSpd,
    randomSymmetric,
    lowRank,
  };
}

/** Q·diag(λ)·Qᵀ, with the upper triangle mirrored from the lower so the result is exactly symmetric. */
function withSingularValuesSym(q: Matrix, lambda: ArrayLike<number>): Matrix {
  const n = q.rows;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += q.data[i * n + t] * lambda[t] * q.data[j * n + t];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return { rows: n, cols: n, data: out };
}

/** In place: the columns of g (m×k, k ≤ m, full rank) become orthonormal; MGS twice. */
function orthonormaliseColumns(g: Matrix): void {
  const { rows: m, cols: k, data } = g;
  for (let j = 0; j < k; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += data[i * k + p] * data[i * k + j];
        for (let i = 0; i < m; i++) data[i * k + j] -= dot * data[i * k + p];
      }
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += data[i * k + j] * data[i * k + j];
    nrm = Math.sqrt(nrm);
    if (nrm === 0) throw new Error("orthonormaliseColumns: a Gaussian column vanished (cannot happen)");
    for (let i = 0; i < m; i++) data[i * k + j] /= nrm;
  }
}

/** Q diag(λ) Qᵀ for a Haar-random orthogonal Q of the given seed, exactly symmetric. */
export function withSpectrum(lambda: ArrayLike<number>, seed: number): Matrix {
  return withSingularValuesSym(testRng(seed).randomOrthogonal(lambda.length), lambda);
}
