// Householder QR and column-pivoted QR (qr.ts), against residual bounds, ml-matrix and a slow
// reference pivoted QR that recomputes every partial norm. eps = 2.2e-16.
import { describe, expect, it } from "vitest";
import { EigenvalueDecomposition, Matrix as MlMatrix, QrDecomposition, SingularValueDecomposition } from "ml-matrix";
import {
  qr,
  qrApplyQ,
  qrApplyQt,
  nullSpace,
  qrPivoted,
  qrQ,
  qrR,
  toRows,
  type Matrix,
} from "../../src/linalg/index.js";
import { naiveProduct as mul } from "../helpers/naive.js";
import { testRng } from "../helpers/random.js";

const EPS = Number.EPSILON;


function fro(A: Matrix): number {
  let s = 0;
  for (const v of A.data) s += v * v;
  return Math.sqrt(s);
}

function diffFro(A: Matrix, B: Matrix): number {
  expect([A.rows, A.cols]).toEqual([B.rows, B.cols]);
  let s = 0;
  for (let i = 0; i < A.data.length; i++) s += (A.data[i] - B.data[i]) ** 2;
  return Math.sqrt(s);
}

function eye(n: number): Matrix {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return { rows: n, cols: n, data: out };
}

function permuteColumns(A: Matrix, perm: Int32Array): Matrix {
  const out = new Float64Array(A.rows * A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) out[i * A.cols + j] = A.data[i * A.cols + perm[j]];
  return { rows: A.rows, cols: A.cols, data: out };
}

/**
 * Householder QR backward error and loss of orthogonality are O(m·n·eps) in the worst case
 * (Higham, Thm 19.4) and O(√n·eps) in practice; 10·max(m, n)·eps bounds the observed values
 * by one to two orders of magnitude without being vacuous.
 */
const qrTol = (m: number, n: number): number => 10 * Math.max(m, n, 1) * EPS;

describe("qr", () => {
  const shapes: [number, number][] = [[0, 4], [4, 0], [1, 1], [1, 5], [5, 1], [50, 20], [20, 50], [33, 33],
    [150, 150], [300, 120], [110, 200]];
  for (const [m, n] of shapes) {
    it(`${m}×${n}: A = QR, QᵀQ = I, R upper trapezoidal${Math.min(m, n) >= 96 ? " (blocked)" : ""}`, () => {
      const g = testRng(m * 1000 + n);
      const A = g.randn(m, n);
      const copy = A.data.slice();
      const f = qr(A);
      expect(A.data).toEqual(copy);
      const k = Math.min(m, n);
      const Q = qrQ(f);
      const R = qrR(f);
      expect([Q.rows, Q.cols, R.rows, R.cols]).toEqual([m, k, k, n]);
      for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) expect(R.data[i * n + j]).toBe(0);
      const tol = qrTol(m, n);
      if (m * n > 0) expect(diffFro(mul(Q, R), A) / fro(A)).toBeLessThan(tol);
      expect(diffFro(mul(Q, Q, true), eye(k))).toBeLessThan(tol);
      // Full Q: m×m orthogonal whose first k columns are the thin Q, and A = Q_full·R_full.
      const Qf = qrQ(f, { full: true });
      const Rf = qrR(f, { full: true });
      expect(diffFro(mul(Qf, Qf, true), eye(m))).toBeLessThan(tol);
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) expect(Qf.data[i * m + j]).toBe(Q.data[i * k + j]);
      if (m * n > 0) expect(diffFro(mul(Qf, Rf), A) / fro(A)).toBeLessThan(tol);
    });
  }

  it("R agrees with ml-matrix's QR up to row signs (tall, well conditioned, blocked path)", () => {
    const g = testRng(3);
    const [m, n] = [300, 120];
    const A = g.randn(m, n);
    const R = qrR(qr(A));
    const Rml = new QrDecomposition(new MlMatrix(toRows(A))).upperTriangularMatrix.to2DArray();
    let s = 0;
    for (let i = 0; i < n; i++) {
      const sign = Math.sign(R.data[i * n + i]) * Math.sign(Rml[i][i]);
      for (let j = 0; j < n; j++) s += (R.data[i * n + j] - sign * Rml[i][j]) ** 2;
    }
    // R is unique up to row signs for full-rank A; its forward error is ≲ κ(A)·(backward error)
    // with κ ≈ (√300 + √120)/(√300 − √120) ≈ 4.4 for Gaussian A: κ·qrTol ≈ 3e-12.
    expect(Math.sqrt(s) / fro(R)).toBeLessThan(5 * qrTol(m, n));
  });

  for (const [m, n, nrhs] of [[40, 25, 1], [40, 25, 3], [200, 120, 10], [130, 300, 9]] as const) {
    it(`applies Q and Qᵀ without forming Q: ${m}×${n}, ${nrhs} right-hand sides`, () => {
      const g = testRng(m + n + nrhs);
      const f = qr(g.randn(m, n));
      const Qf = qrQ(f, { full: true });
      const B = g.randn(m, nrhs);
      const bCopy = B.data.slice();
      const tol = qrTol(m, n);
      // Q·B and Qᵀ·B agree with the explicit products at the rounding level of ‖B‖.
      expect(diffFro(qrApplyQt(f, B), mul(Qf, B, true)) / fro(B)).toBeLessThan(tol);
      expect(diffFro(qrApplyQ(f, B), mul(Qf, B)) / fro(B)).toBeLessThan(tol);
      // Round trip Q·(Qᵀ·B) = B.
      expect(diffFro(qrApplyQ(f, qrApplyQt(f, B)), B) / fro(B)).toBeLessThan(tol);
      // Vector form equals the first column.
      const b = Float64Array.from({ length: m }, (_, i) => B.data[i * nrhs]);
      const qtb = qrApplyQt(f, b);
      const ref = mul(Qf, { rows: m, cols: 1, data: b }, true).data;
      for (let i = 0; i < m; i++) expect(Math.abs(qtb[i] - ref[i])).toBeLessThan(tol * fro(B));
      expect(B.data).toEqual(bCopy);
    });
  }

  it("handles a zero column (τ = 0) and a zero matrix", () => {
    const A: Matrix = { rows: 4, cols: 3, data: Float64Array.from([1, 0, 2, 3, 0, 1, -1, 0, 4, 2, 0, 0]) };
    const f = qr(A);
    expect(f.tau[1]).toBe(0);
    expect(diffFro(mul(qrQ(f), qrR(f)), A) / fro(A)).toBeLessThan(qrTol(4, 3));
    const Z = qr({ rows: 3, cols: 3, data: new Float64Array(9) });
    expect(Array.from(Z.tau)).toEqual([0, 0, 0]);
    expect(qrQ(Z).data).toEqual(eye(3).data);
  });

  it("rejects right-hand sides of the wrong height", () => {
    const f = qr(testRng(1).randn(5, 3));
    expect(() => qrApplyQt(f, new Float64Array(4))).toThrow(RangeError);
    expect(() => qrApplyQ(f, { rows: 3, cols: 2, data: new Float64Array(6) })).toThrow(RangeError);
  });
});

/**
 * Slow reference: Householder QR with column pivoting that recomputes every partial column norm
 * from scratch at each step (no downdating), on a column-major copy. Returns perm and |R_ii|.
 */
function referencePivotedQR(A: Matrix): { perm: number[]; diag: number[] } {
  const { rows: m, cols: n } = A;
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) cols.push(Array.from({ length: m }, (_, i) => A.data[i * n + j]));
  const perm = Array.from({ length: n }, (_, j) => j);
  const diag: number[] = [];
  for (let i = 0; i < Math.min(m, n); i++) {
    let best = i;
    let bestNorm = -1;
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let r = i; r < m; r++) s += cols[j][r] ** 2;
      if (Math.sqrt(s) > bestNorm) {
        bestNorm = Math.sqrt(s);
        best = j;
      }
    }
    [cols[i], cols[best]] = [cols[best], cols[i]];
    [perm[i], perm[best]] = [perm[best], perm[i]];
    diag.push(bestNorm);
    // Reflect column i to (±‖·‖, 0, …) and apply to the rest.
    const x = cols[i];
    const alpha = x[i];
    const beta = alpha >= 0 ? -bestNorm : bestNorm;
    if (bestNorm === 0) continue;
    const v = x.map((t, r) => (r < i ? 0 : r === i ? alpha - beta : t));
    const vv = v.reduce((s, t) => s + t * t, 0);
    for (let j = i; j < n; j++) {
      const c = cols[j];
      let d = 0;
      for (let r = i; r < m; r++) d += v[r] * c[r];
      const f = (2 * d) / vv;
      for (let r = i; r < m; r++) c[r] -= f * v[r];
    }
  }
  return { perm, diag };
}

describe("qrPivoted", () => {
  for (const [m, n] of [[30, 12], [12, 30], [60, 60], [1, 4], [4, 1]] as const) {
    it(`${m}×${n}: A·P = Q·R with non-increasing |R_ii| and full rank`, () => {
      const g = testRng(m * 7 + n);
      const A = g.randn(m, n);
      const f = qrPivoted(A);
      const k = Math.min(m, n);
      expect(Array.from(f.perm).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, j) => j));
      const tol = qrTol(m, n);
      expect(diffFro(mul(qrQ(f), qrR(f)), permuteColumns(A, f.perm)) / fro(A)).toBeLessThan(tol);
      // Each |R_ii| is the largest remaining partial norm, so the diagonal cannot increase;
      // downdated norms are accurate to ~√eps relative before recomputation: allow 1e-7 slack.
      for (let i = 1; i < k; i++) {
        expect(Math.abs(f.qr.data[i * n + i])).toBeLessThanOrEqual(Math.abs(f.qr.data[(i - 1) * n + i - 1]) * (1 + 1e-7));
      }
      expect(f.rank).toBe(k);
      expect(f.tol).toBe(Math.max(m, n) * EPS * Math.abs(f.qr.data[0]));
    });
  }

  it("finds the rank of low-rank products and of prescribed spectra", () => {
    const g = testRng(21);
    expect(qrPivoted(g.lowRank(60, 40, 7)).rank).toBe(7);
    expect(qrPivoted(g.lowRank(25, 50, 3)).rank).toBe(3);
    // σ = 1 … 1e-6 then 1e-20: the default tol (max(m,n)·eps·|R00| ≈ 1e-14) keeps 7 directions.
    const A = g.withSingularValues(40, 20, [1, 0.1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-20]);
    expect(qrPivoted(A).rank).toBe(7);
    // A looser relative threshold or an absolute one cuts more.
    expect(qrPivoted(A, { rcond: 3e-4 }).rank).toBe(4);
    expect(qrPivoted(A, { tol: 0.5 * 1e-2 }).rank).toBeLessThanOrEqual(3);
    expect(qrPivoted({ rows: 3, cols: 2, data: new Float64Array(6) }).rank).toBe(0);
    expect(qrPivoted({ rows: 0, cols: 3, data: new Float64Array(0) }).rank).toBe(0);
  });

  it("handles zero and repeated columns", () => {
    const g = testRng(22);
    const B = g.randn(10, 3);
    // Columns: b0, 0, b1, b0, b2, 2·b1 → rank 3.
    const A: Matrix = { rows: 10, cols: 6, data: new Float64Array(60) };
    const src = [0, -1, 1, 0, 2, 1];
    const scale = [1, 0, 1, 1, 1, 2];
    for (let i = 0; i < 10; i++) for (let j = 0; j < 6; j++) A.data[i * 6 + j] = src[j] < 0 ? 0 : scale[j] * B.data[i * 3 + src[j]];
    const f = qrPivoted(A);
    expect(f.rank).toBe(3);
    expect(diffFro(mul(qrQ(f), qrR(f)), permuteColumns(A, f.perm)) / fro(A)).toBeLessThan(qrTol(10, 6));
    expect(f.perm[5]).toBe(1); // the zero column has the smallest norm throughout and is pivoted last
  });

  it("recomputes partial norms when downdating cancels (LAWN 176 safeguard)", () => {
    // Every column is e₀·(1 + j/100) plus 1e-9 noise: after the first step the remaining partial
    // norms drop by 9 orders of magnitude, so ν·√(1 − (r/ν)²) alone would be pure rounding.
    const g = testRng(23);
    const [m, n] = [20, 10];
    const A = g.randn(m, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) A.data[i * n + j] *= 1e-9;
    for (let j = 0; j < n; j++) A.data[j] = 1 + j / 100;
    const f = qrPivoted(A);
    const ref = referencePivotedQR(A);
    expect(Array.from(f.perm)).toEqual(ref.perm);
    // Recomputed norms of the 1e-9 remainders are exact to O(eps) relative to themselves, but
    // the remainder itself carries rounding ~eps·‖A‖ ≈ 2e-16 against 1e-9: relative 1e-6.
    for (let i = 0; i < n; i++) {
      const d = Math.abs(f.qr.data[i * n + i]);
      expect(Math.abs(d - ref.diag[i]) / ref.diag[i]).toBeLessThan(1e-6);
    }
  });
});

describe("nullSpace", () => {
  it("gives n − rank orthonormal rows with A·Nᵀ = 0, the rank agreeing with ml-matrix's SVD", () => {
    const g = testRng(31);
    const cases: Matrix[] = [g.randn(47, 50), g.lowRank(30, 50, 12), g.randn(3, 8), g.randn(12, 5), { rows: 0, cols: 4, data: new Float64Array(0) }];
    for (const A of cases) {
      const N = nullSpace(A);
      expect(N.cols).toBe(A.cols);
      const sv = A.rows === 0 ? [] : new SingularValueDecomposition(new MlMatrix(toRows(A)), { autoTranspose: true }).diagonal;
      const rank = sv.filter((s) => s > 1e-10 * sv[0]).length;
      expect(N.rows).toBe(A.cols - rank);
      // N·Nᵀ = I and A·Nᵀ = 0 to O(n·eps·‖A‖) (Householder Q is orthogonal to working precision).
      for (let a = 0; a < N.rows; a++) {
        for (let c = 0; c < N.rows; c++) {
          let s = 0;
          for (let j = 0; j < N.cols; j++) s += N.data[a * N.cols + j] * N.data[c * N.cols + j];
          expect(Math.abs(s - (a === c ? 1 : 0))).toBeLessThan(qrTol(A.cols, A.cols));
        }
      }
      const scale = A.rows === 0 ? 1 : fro(A);
      for (let i = 0; i < A.rows; i++) {
        for (let c = 0; c < N.rows; c++) {
          let s = 0;
          for (let j = 0; j < A.cols; j++) s += A.data[i * A.cols + j] * N.data[c * N.cols + j];
          expect(Math.abs(s) / scale).toBeLessThan(qrTol(A.rows, A.cols));
        }
      }
    }
  });
});

describe("test/helpers/random.ts (shared generator, checked with ml-matrix)", () => {
  it("is deterministic per seed and differs across seeds", () => {
    expect(testRng(5).randn(3, 4).data).toEqual(testRng(5).randn(3, 4).data);
    expect(testRng(5).normal()).not.toBe(testRng(6).normal());
    const u = testRng(1);
    for (let i = 0; i < 1000; i++) {
      const v = u.uniform();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });

  it("normals have mean ≈ 0 and variance ≈ 1", () => {
    const z = testRng(2).randnVec(20000);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    // Standard errors: 1/√20000 ≈ 0.007 for the mean, √(2/20000) ≈ 0.01 for the variance: 5σ.
    expect(Math.abs(mean)).toBeLessThan(0.035);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it("orthogonal, prescribed singular values, SPD with condition number, symmetric, low rank", () => {
    const g = testRng(3);
    const Q = g.randomOrthogonal(20);
    // MGS with re-orthogonalisation: orthogonal to a few ulps.
    expect(diffFro(mul(Q, Q, true), eye(20))).toBeLessThan(1e-14);
    const sigma = [5, 2, 1, 1e-3, 0];
    const sv = new SingularValueDecomposition(new MlMatrix(toRows(g.withSingularValues(9, 6, sigma)))).diagonal;
    // Singular values are perfectly conditioned: exact up to ~‖A‖·eps.
    sigma.forEach((s, i) => expect(Math.abs(sv[i] - s)).toBeLessThan(1e-13));
    expect(sv[5]).toBeLessThan(1e-13);
    const S = g.randomSpd(12, 1e8);
    for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) expect(S.data[i * 12 + j]).toBe(S.data[j * 12 + i]);
    const ev = new EigenvalueDecomposition(new MlMatrix(toRows(S)), { assumeSymmetric: true }).realEigenvalues.sort((a, b) => a - b);
    // Eigenvalues to absolute accuracy ~eps·‖S‖ ≈ 1e-15: λ_min = 1e-8 to 1e-6 relative.
    expect(Math.abs(ev[0] - 1e-8) / 1e-8).toBeLessThan(1e-6);
    expect(Math.abs(ev[11] - 1)).toBeLessThan(1e-13);
    const Y = g.randomSymmetric(7);
    for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) expect(Y.data[i * 7 + j]).toBe(Y.data[j * 7 + i]);
    expect(qrPivoted(g.lowRank(10, 8, 2)).rank).toBe(2);
  });
});
