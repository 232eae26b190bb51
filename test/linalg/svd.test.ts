import { describe, expect, it } from "vitest";
import { Matrix as MlMatrix, SingularValueDecomposition } from "ml-matrix";
import { rank, singularValues, svd, type Matrix } from "../../src/linalg/index.js";
import { testRng } from "../helpers/random.js";

const EPS = 2 ** -52;

// Tolerances. A backward-stable SVD gives ‖A − UΣVᵀ‖_F ≤ c·max(m,n)·ε·‖A‖_F and singular values
// within c·max(m,n)·ε·‖A‖₂ of the exact ones (Weyl); the brief's acceptance bound for the
// residual is 1e-12·max(m,n), used below, and orthonormality is checked at the same level.
// One-sided Jacobi actually reaches orthogonality √len·ε per column pair, i.e. ‖UᵀU − I‖_max ≈ 1e-15.

/** Plain-loop ‖A − U diag(σ) Vᵀ‖_F / ‖A‖_F (independent of src). */
function residual(A: Matrix, s: Float64Array, U: Matrix, V: Matrix): number {
  const { rows: m, cols: n } = A;
  const r = s.length;
  let res = 0;
  let an = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let x = 0;
      for (let p = 0; p < r; p++) x += U.data[i * r + p] * s[p] * V.data[j * r + p];
      res += (x - A.data[i * n + j]) ** 2;
      an += A.data[i * n + j] ** 2;
    }
  }
  return an === 0 ? Math.sqrt(res) : Math.sqrt(res / an);
}

/** max |QᵀQ − I| over the entries, for Q with orthonormal columns. */
function orthError(Q: Matrix): number {
  const { rows, cols } = Q;
  let e = 0;
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let t = 0; t < rows; t++) s += Q.data[t * cols + i] * Q.data[t * cols + j];
      e = Math.max(e, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return e;
}

function nested(A: Matrix): number[][] {
  return Array.from({ length: A.rows }, (_, i) => Array.from(A.data.subarray(i * A.cols, (i + 1) * A.cols)));
}

function expectGood(A: Matrix, label = ""): ReturnType<typeof svd> {
  const r = svd(A);
  const { rows: m, cols: n } = A;
  const k = Math.min(m, n);
  expect(r.U!.rows).toBe(m);
  expect(r.U!.cols).toBe(k);
  expect(r.V!.rows).toBe(n);
  expect(r.V!.cols).toBe(k);
  expect(r.converged).toBe(true);
  const big = Math.max(m, n, 1);
  expect(residual(A, r.values, r.U!, r.V!), `${label} residual`).toBeLessThanOrEqual(1e-12 * big);
  expect(orthError(r.U!), `${label} U`).toBeLessThanOrEqual(1e-12 * big);
  expect(orthError(r.V!), `${label} V`).toBeLessThanOrEqual(1e-12 * big);
  for (let i = 1; i < k; i++) expect(r.values[i]).toBeLessThanOrEqual(r.values[i - 1]);
  for (const x of r.values) expect(x).toBeGreaterThanOrEqual(0);
  return r;
}

describe("svd: random shapes against ml-matrix", () => {
  const shapes: [number, number][] = [[1, 1], [1, 7], [7, 1], [5, 3], [3, 5], [20, 20], [60, 25], [25, 60], [97, 64], [150, 150]];
  for (const [m, n] of shapes) {
    it(`${m}×${n}`, () => {
      const A = testRng(m * 1000 + n).randn(m, n);
      const r = expectGood(A, `${m}×${n}`);
      const ref = new SingularValueDecomposition(new MlMatrix(nested(A)), { autoTranspose: true }).diagonal;
      // Both are backward stable: agreement to c·max(m,n)·ε·σ_max.
      const tol = 100 * Math.max(m, n) * EPS * r.values[0];
      for (let i = 0; i < r.values.length; i++) expect(Math.abs(r.values[i] - ref[i])).toBeLessThanOrEqual(tol);
    });
  }
});

describe("svd: closed forms", () => {
  it("diagonal (with signs and repeats): σ = sorted |d|", () => {
    const d = [3, -1, 0, 2, -3, 0.5, 2];
    const n = d.length;
    const A = { rows: n + 2, cols: n, data: new Float64Array((n + 2) * n) };
    d.forEach((x, i) => (A.data[i * n + i] = x));
    const r = expectGood(A);
    expect(Array.from(r.values)).toEqual(d.map(Math.abs).sort((x, y) => y - x));
  });

  it("rank-one outer product x yᵀ: σ₁ = ‖x‖‖y‖, others 0, u₁ = ±x/‖x‖", () => {
    const g = testRng(3);
    const x = g.randnVec(40);
    const y = g.randnVec(25);
    const A = { rows: 40, cols: 25, data: new Float64Array(1000) };
    for (let i = 0; i < 40; i++) for (let j = 0; j < 25; j++) A.data[i * 25 + j] = x[i] * y[j];
    const nx = Math.hypot(...x);
    const ny = Math.hypot(...y);
    const r = expectGood(A);
    expect(Math.abs(r.values[0] - nx * ny)).toBeLessThan(1e-13 * nx * ny);
    for (let i = 1; i < 25; i++) expect(r.values[i]).toBeLessThan(1e-14 * nx * ny);
    const sign = Math.sign(r.U!.data[0] * x[0]);
    for (let i = 0; i < 40; i++) expect(Math.abs(sign * r.U!.data[i * 25] - x[i] / nx)).toBeLessThan(1e-14);
    expect(rank(A)).toBe(1);
  });

  it("orthogonal × diag × orthogonal with known σ, tall and wide", () => {
    const sigma = [10, 7, 7, 3, 1, 0.5, 0.5, 0.1];
    for (const [m, n] of [[30, 8], [8, 30], [8, 8]]) {
      const A = testRng(m + n).withSingularValues(m, n, sigma);
      const r = expectGood(A, `${m}×${n}`);
      // ‖A‖ = 10: every σ to ~ max(m,n)·ε·10 (A carries its own construction rounding of that order).
      for (let i = 0; i < 8; i++) expect(Math.abs(r.values[i] - sigma[i])).toBeLessThan(1e-13);
    }
  });

  it("ill-conditioned (κ = 1e12): all σ to absolute accuracy O(nε σ_max), vectors orthonormal", () => {
    const n = 60;
    const sigma = Array.from({ length: n }, (_, i) => 10 ** ((-12 * i) / (n - 1)));
    const A = testRng(8).withSingularValues(90, n, sigma);
    const r = expectGood(A);
    for (let i = 0; i < n; i++) expect(Math.abs(r.values[i] - sigma[i])).toBeLessThan(100 * 90 * EPS);
    expect(rank(A)).toBe(n);
    expect(rank(A, 1e-6)).toBe(Math.floor((6 * (n - 1)) / 12) + 1);
  });

  it("rank-deficient, wide and tall: zero σ get orthonormal singular vectors", () => {
    const sigma = [5, 4, 3, 0, 0, 0];
    for (const [m, n] of [[6, 20], [20, 6]]) {
      const A = testRng(m * n).withSingularValues(m, n, sigma);
      const r = expectGood(A, `${m}×${n}`);
      for (let i = 3; i < 6; i++) expect(r.values[i]).toBeLessThan(1e-14);
      expect(rank(A)).toBe(3);
    }
    // All ones (rank one): the preconditioned columns beyond the first are rounding-level or
    // below the underflow threshold, and must still come out orthonormal.
    const ones = expectGood({ rows: 40, cols: 40, data: new Float64Array(1600).fill(1) }, "ones");
    expect(Math.abs(ones.values[0] - 40)).toBeLessThan(1e-13);
    expect(rank({ rows: 40, cols: 40, data: new Float64Array(1600).fill(1) })).toBe(1);
    // Exactly zero columns: σ = 0 exactly, U completed to an orthonormal set.
    const Z = { rows: 5, cols: 3, data: Float64Array.of(1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0, 5, 0, 0) };
    const rz = expectGood(Z);
    expect(rz.values[1]).toBe(0);
    expect(rz.values[2]).toBe(0);
  });
});

describe("svd: edge cases, scaling and validation", () => {
  it("0×n, n×0, 0×0 and the zero matrix", () => {
    for (const [m, n] of [[0, 4], [4, 0], [0, 0]]) {
      const r = svd({ rows: m, cols: n, data: new Float64Array(0) });
      expect(r.values.length).toBe(0);
      expect([r.U!.rows, r.U!.cols, r.V!.rows, r.V!.cols]).toEqual([m, 0, n, 0]);
      expect(rank({ rows: m, cols: n, data: new Float64Array(0) })).toBe(0);
    }
    const r = expectGood({ rows: 4, cols: 3, data: new Float64Array(12) });
    expect(Array.from(r.values)).toEqual([0, 0, 0]);
  });

  it("scaling by 2^±900 scales σ exactly", () => {
    const A = testRng(4).randn(30, 20);
    const s = singularValues(A);
    for (const p of [900, -900]) {
      const f = 2 ** p;
      const sb = singularValues({ rows: 30, cols: 20, data: A.data.map((x) => x * f) });
      for (let i = 0; i < 20; i++) expect(sb[i]).toBe(s[i] * f);
    }
  });

  it("vectors: 'none' gives the same values and no vectors; non-finite input throws", () => {
    const A = testRng(5).randn(40, 30);
    const a = svd(A, { vectors: "none" });
    const b = svd(A);
    expect(a.U).toBeNull();
    expect(a.V).toBeNull();
    for (let i = 0; i < 30; i++) expect(Math.abs(a.values[i] - b.values[i])).toBeLessThan(1e-13 * b.values[0]);
    expect(() => svd({ rows: 1, cols: 2, data: Float64Array.of(1, Infinity) })).toThrow(/non-finite/);
  });
});
