// Cholesky (cholesky.ts) and triangular solves (triangular.ts), against residual bounds, closed
// forms and ml-matrix. eps = 2.2e-16; every tolerance says where it comes from.
import { describe, expect, it } from "vitest";
import { CholeskyDecomposition, Matrix as MlMatrix } from "ml-matrix";
import { cholesky, choleskyInPlace, choleskyLogDet, choleskySolve, choleskyWithShift, fromRows, NotPositiveDefiniteError, SingularMatrixError, solveTriangular, toRows, type Matrix } from "../../src/linalg/index.js";
import { choleskyAppendRow, choleskyDeleteRow } from "../../src/linalg/cholesky.js";
import { naiveProduct as mul } from "../helpers/naive.js";
import { testRng } from "../helpers/random.js";

const EPS = Number.EPSILON;


function fro(A: Matrix | Float64Array): number {
  const d = A instanceof Float64Array ? A : A.data;
  let s = 0;
  for (const v of d) s += v * v;
  return Math.sqrt(s);
}

function diffFro(A: Matrix, B: Matrix): number {
  let s = 0;
  for (let i = 0; i < A.data.length; i++) s += (A.data[i] - B.data[i]) ** 2;
  return Math.sqrt(s);
}

describe("cholesky", () => {
  it("handles 0×0 and 1×1", () => {
    expect(cholesky({ rows: 0, cols: 0, data: new Float64Array(0) }).data.length).toBe(0);
    expect(toRows(cholesky(fromRows([[9]])))).toEqual([[3]]);
    expect(() => cholesky(fromRows([[0]]))).toThrow(NotPositiveDefiniteError);
    expect(() => cholesky(fromRows([[1, 2]]))).toThrow(/not square/);
  });

  it("factors a small matrix exactly", () => {
    // A = L·Lᵀ with L = [[2,0,0],[1,3,0],[-1,2,1]], all products exact in float64.
    const A = fromRows([[4, 2, -2], [2, 10, 5], [-2, 5, 6]]);
    expect(toRows(cholesky(A))).toEqual([[2, 0, 0], [1, 3, 0], [-1, 2, 1]]);
  });

  for (const n of [5, 50, 64, 65, 150]) {
    it(`backward error ‖LLᵀ − A‖ ≤ 4n·eps·‖A‖ for random SPD, n = ${n} (blocked when n > 64)`, () => {
      const g = testRng(100 + n);
      const A = g.randomSpd(n, 1e4);
      const L = cholesky(A);
      // Higham, Thm 10.3: LLᵀ = A + ΔA with |ΔA| ≤ γ_{n+1}|L||Lᵀ|; ‖|L||Lᵀ|‖_F ≤ n·‖A‖_F
      // is pessimistic, and the observed error is O(√n·eps): 4n·eps leaves a wide margin.
      expect(diffFro(mul(L, L, false, true), A) / fro(A)).toBeLessThan(4 * n * EPS);
      for (let i = 0; i < n; i++) {
        expect(L.data[i * n + i]).toBeGreaterThan(0);
        for (let j = i + 1; j < n; j++) expect(L.data[i * n + j]).toBe(0);
      }
    });
  }

  it("agrees with ml-matrix's CholeskyDecomposition", () => {
    const g = testRng(7);
    const n = 30;
    const A = g.randomSpd(n, 100);
    const L = cholesky(A);
    const Lml = new CholeskyDecomposition(new MlMatrix(toRows(A))).lowerTriangularMatrix;
    const ref: Matrix = { rows: n, cols: n, data: Float64Array.from(Lml.to1DArray()) };
    // Forward error of the Cholesky factor is ≲ κ(A)·(backward error); κ = 100 and a backward
    // error ~ n·eps give 100·30·eps ≈ 7e-13 for both factors together: 1e-12.
    expect(diffFro(L, ref) / fro(ref)).toBeLessThan(1e-12);
  });

  it("reads only the lower triangle and does not mutate its input", () => {
    const g = testRng(8);
    const A = g.randomSpd(70, 10);
    const B = { rows: 70, cols: 70, data: A.data.slice() };
    for (let i = 0; i < 70; i++) for (let j = i + 1; j < 70; j++) B.data[i * 70 + j] = NaN;
    const copy = B.data.slice();
    expect(diffFro(cholesky(B), cholesky(A))).toBe(0);
    expect(B.data).toEqual(copy);
  });

  it("in-place variant overwrites its argument with L", () => {
    const g = testRng(9);
    const A = g.randomSpd(20, 10);
    const L = cholesky(A);
    const W = { rows: 20, cols: 20, data: A.data.slice() };
    expect(choleskyInPlace(W)).toBe(W);
    expect(diffFro(W, L)).toBe(0);
  });

  it("reports the failing pivot index and value", () => {
    // [[1,2],[2,1]]: pivot 1 is 1 − 2² = −3.
    try {
      cholesky(fromRows([[1, 2], [2, 1]]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NotPositiveDefiniteError);
      expect((e as NotPositiveDefiniteError).pivot).toBe(1);
      expect((e as NotPositiveDefiniteError).value).toBe(-3);
      expect((e as Error).message).toMatch(/pivot 1 is -3/);
    }
    // A failure deep inside the blocked path: an SPD matrix with one diagonal entry spoiled.
    const g = testRng(10);
    const A = g.randomSpd(150, 10);
    A.data[100 * 150 + 100] = -1;
    expect(() => cholesky(A)).toThrow(expect.objectContaining({ pivot: 100 }));
    // NaN is reported, not propagated.
    expect(() => cholesky(fromRows([[NaN]]))).toThrow(/NaN/);
  });

  it("solves SPD systems, including κ = 1e10, with a backward-stable residual", () => {
    for (const [n, cond] of [[40, 1e2], [120, 1e10]] as const) {
      const g = testRng(n);
      const A = g.randomSpd(n, cond);
      const xTrue = g.randnVec(n);
      const b = mul(A, { rows: n, cols: 1, data: xTrue }).data;
      const L = cholesky(A);
      const x = choleskySolve(L, b);
      const r = mul(A, { rows: n, cols: 1, data: x }).data.map((v, i) => v - b[i]);
      // Normwise backward stability (Higham Thm 10.4): ‖b − Ax‖ ≤ c·n·eps·‖A‖·‖x‖ with c small.
      expect(fro(r) / (fro(A) * fro(x))).toBeLessThan(4 * n * EPS);
      // Forward error ≤ κ·(backward error): κ·n·eps is 2.7e-4 at κ = 1e10, n = 120; 10× that.
      const err = fro(x.map((v, i) => v - xTrue[i])) / fro(xTrue);
      expect(err).toBeLessThan(10 * cond * n * EPS);
      // Matrix right-hand side: same numbers column by column (nrhs = 5 takes the blocked path).
      const B = g.randn(n, 5);
      const X = choleskySolve(L, B);
      for (let t = 0; t < 5; t++) {
        const bt = Float64Array.from({ length: n }, (_, i) => B.data[i * 5 + t]);
        const xt = choleskySolve(L, bt);
        const xcol = Float64Array.from({ length: n }, (_, i) => X.data[i * 5 + t]);
        // Blocked and unblocked substitution differ only in summation order: κ·eps-level.
        expect(fro(xcol.map((v, i) => v - xt[i])) / fro(xt)).toBeLessThan(10 * cond * n * EPS);
      }
    }
  });

  it("log-determinant matches the constructed spectrum", () => {
    const g = testRng(11);
    const n = 25;
    const cond = 1e6;
    const A = g.randomSpd(n, cond);
    // λ_i = cond^{−i/(n−1)} ⇒ log det = −(n/2)·log(cond). Relative accuracy of each log L_ii is
    // ~κ·eps relative to the diagonal; the total absolute error is far below 1e-8.
    expect(choleskyLogDet(cholesky(A))).toBeCloseTo((-n / 2) * Math.log(cond), 8);
  });
});

describe("choleskyWithShift", () => {
  it("adds no shift to an SPD matrix", () => {
    const A = testRng(12).randomSpd(10, 10);
    const res = choleskyWithShift(A);
    expect(res.shift).toBe(0);
    expect(res.attempts).toBe(1);
  });

  it("shifts an indefinite matrix just past its smallest eigenvalue", () => {
    // A = I − 2·q·qᵀ (a reflector, eigenvalues 1 and −1): the needed shift is > 1, and the
    // schedule δ₀·10ᵏ overshoots the threshold by at most its growth factor 10.
    const g = testRng(13);
    const n = 12;
    const q = g.randomOrthonormal(n, 1).data;
    const A: Matrix = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A.data[i * n + j] = (i === j ? 1 : 0) - 2 * q[i] * q[j];
    const res = choleskyWithShift(A);
    expect(res.shift).toBeGreaterThan(1);
    expect(res.shift).toBeLessThan(10 + 1e-9);
    const shifted = { rows: n, cols: n, data: A.data.slice() };
    for (let i = 0; i < n; i++) shifted.data[i * n + i] += res.shift;
    expect(diffFro(mul(res.L, res.L, false, true), shifted) / fro(shifted)).toBeLessThan(4 * n * EPS);
  });

  it("shifts a singular Gram matrix by a tiny amount", () => {
    const g = testRng(14);
    const G = g.randn(3, 8); // rank 3 Gram matrix GᵀG of size 8
    const A = mul(G, G, true, false);
    const res = choleskyWithShift(A);
    expect(res.shift).toBeGreaterThan(0);
    // The zero eigenvalues need a shift of the order of the rounding in A: ≤ 1e-8·‖A‖ is
    // generous (the schedule starts at n·eps·max a_ii ≈ 1e-14 and grows 10× per attempt).
    expect(res.shift).toBeLessThan(1e-8 * fro(A));
  });
});

describe("solveTriangular", () => {
  /** A well-scaled random triangular matrix (|diagonal| ≥ 2√n keeps x of moderate size). */
  function triangle(n: number, lower: boolean, seed: number): Matrix {
    const g = testRng(seed);
    const T = g.randn(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) if (lower ? j > i : j < i) T.data[i * n + j] = NaN; // never read
      T.data[i * n + i] += (T.data[i * n + i] >= 0 ? 2 : -2) * Math.sqrt(n);
    }
    return T;
  }

  /** The triangle of T as a dense matrix (zeros elsewhere), optionally with unit diagonal. */
  function dense(T: Matrix, lower: boolean, unit: boolean): Matrix {
    const n = T.rows;
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) if (lower ? j <= i : j >= i) out[i * n + j] = T.data[i * n + j];
      if (unit) out[i * n + i] = 1;
    }
    return { rows: n, cols: n, data: out };
  }

  for (const n of [1, 7, 150]) {
    for (const lower of [true, false]) {
      for (const trans of [false, true]) {
        for (const unitDiagonal of [false, true]) {
          it(`n=${n} lower=${lower} trans=${trans} unit=${unitDiagonal}: componentwise backward stable`, () => {
            const T = triangle(n, lower, n * 8 + (lower ? 4 : 0) + (trans ? 2 : 0) + (unitDiagonal ? 1 : 0));
            if (unitDiagonal) for (let i = 0; i < n; i++) T.data[i * n + i] = NaN; // never read
            const D = dense(T, lower, unitDiagonal);
            const g = testRng(n + 1);
            const nrhs = 6; // ≥ 4 and n > 64 takes the blocked (GEMM) path
            const B = g.randn(n, nrhs);
            const X = solveTriangular(T, B, { lower, trans, unitDiagonal });
            const absD: Matrix = { rows: n, cols: n, data: D.data.map(Math.abs) };
            const absX: Matrix = { rows: n, cols: nrhs, data: X.data.map(Math.abs) };
            const R = mul(D, X, trans);
            const bound = mul(absD, absX, trans);
            // Higham Thm 8.5: (T + ΔT)x = b with |ΔT| ≤ γ_n|T|, so |b − op(T)x| ≤ γ_n·|op(T)||x|
            // componentwise, γ_n ≈ n·eps. The blocked path adds one GEMM accumulation of the
            // same order: allow 2n·eps.
            for (let i = 0; i < n * nrhs; i++) {
              expect(Math.abs(R.data[i] - B.data[i])).toBeLessThanOrEqual(2 * n * EPS * bound.data[i] + 1e-300);
            }
            // Vector right-hand side: same bound.
            const b = g.randnVec(n);
            const x = solveTriangular(T, b, { lower, trans, unitDiagonal });
            const r = mul(D, { rows: n, cols: 1, data: x }, trans);
            const bx = mul(absD, { rows: n, cols: 1, data: x.map(Math.abs) }, trans);
            for (let i = 0; i < n; i++) {
              expect(Math.abs(r.data[i] - b[i])).toBeLessThanOrEqual(2 * n * EPS * bx.data[i] + 1e-300);
            }
          });
        }
      }
    }
  }

  it("rejects a zero diagonal with its index, and bad shapes", () => {
    const U = fromRows([[1, 2, 3], [0, 0, 1], [0, 0, 2]]);
    expect(() => solveTriangular(U, new Float64Array(3), { lower: false })).toThrow(SingularMatrixError);
    expect(() => solveTriangular(U, new Float64Array(3), { lower: false })).toThrow(/diagonal entry 1 is 0/);
    expect(() => solveTriangular(U, new Float64Array(3), { lower: false, unitDiagonal: true })).not.toThrow();
    expect(() => solveTriangular(U, new Float64Array(2), { lower: false })).toThrow(RangeError);
    expect(() => solveTriangular(fromRows([[1, 2]]), new Float64Array(1), { lower: true })).toThrow(/square/);
  });

  it("does not mutate its inputs and handles 0 columns", () => {
    const L = fromRows([[2, 0], [1, 4]]);
    const b = Float64Array.from([2, 9]);
    expect(Array.from(solveTriangular(L, b, { lower: true }))).toEqual([1, 2]);
    expect(Array.from(b)).toEqual([2, 9]);
    expect(solveTriangular(L, { rows: 2, cols: 0, data: new Float64Array(0) }, { lower: true }).cols).toBe(0);
  });
});

/** A = R Rᵀ for a random m×k R (k > m: positive definite), as nested arrays for ml-matrix. */
function gramOfRandomRows(g: ReturnType<typeof testRng>, m: number, k: number): { R: Float64Array; A: number[][] } {
  const R = g.randn(m, k).data;
  const A = Array.from({ length: m }, (_, a) => Array.from({ length: m }, (_, c) => {
    let s = 0;
    for (let t = 0; t < k; t++) s += R[a * k + t] * R[c * k + t];
    return s;
  }));
  return { R, A };
}

describe("choleskyDeleteRow", () => {
  // Against ml-matrix's Cholesky of A with row/column i removed (independent code): the factor
  // is unique with positive diagonal, so the entries must agree to rounding (1e-12·‖A‖).
  it("equals the factor of the reduced matrix, for every deleted position", () => {
    const g = testRng(77);
    const m = 9;
    const ld = 12;
    const { A } = gramOfRandomRows(g, m, m + 3);
    const full = new CholeskyDecomposition(new MlMatrix(A)).lowerTriangularMatrix;
    for (let i = 0; i < m; i++) {
      const L = new Float64Array(ld * ld);
      for (let a = 0; a < m; a++) for (let c = 0; c <= a; c++) L[a * ld + c] = full.get(a, c);
      choleskyDeleteRow(L, ld, m, i);
      const keep = Array.from({ length: m }, (_, t) => t).filter((t) => t !== i);
      const ref = new CholeskyDecomposition(new MlMatrix(keep.map((a) => keep.map((c) => A[a][c])))).lowerTriangularMatrix;
      for (let a = 0; a < m - 1; a++) {
        for (let c = 0; c <= a; c++) expect(Math.abs(L[a * ld + c] - ref.get(a, c))).toBeLessThan(1e-12 * 30);
        expect(L[a * ld + a]).toBeGreaterThan(0);
      }
    }
  });
});

describe("choleskyAppendRow", () => {
  // Growing the factor row by row must give ml-matrix's Cholesky of the whole matrix (independent
  // code, unique factor with positive diagonal) to rounding; a dependent row returns a pivot² ≈ 0.
  it("builds the factor of A one row at a time and flags a dependent row", () => {
    const g = testRng(78);
    const m = 9;
    const ld = 12;
    const { R, A } = gramOfRandomRows(g, m, m + 3);
    const L = new Float64Array(ld * ld);
    for (let a = 0; a < m; a++) {
      for (let c = 0; c < a; c++) L[a * ld + c] = A[a][c];
      const pivot2 = choleskyAppendRow(L, ld, a, A[a][a]);
      expect(pivot2).toBeGreaterThan(0);
      L[a * ld + a] = Math.sqrt(pivot2);
    }
    const ref = new CholeskyDecomposition(new MlMatrix(A)).lowerTriangularMatrix;
    for (let a = 0; a < m; a++) for (let c = 0; c <= a; c++) expect(Math.abs(L[a * ld + c] - ref.get(a, c))).toBeLessThan(1e-12 * 30);
    // Row m = row 0 + row 1 of the Gram's generator: its pivot² vanishes to rounding.
    const dep = Array.from({ length: m + 3 }, (_, k) => R[k] + R[(m + 3) + k]);
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let k = 0; k < m + 3; k++) s += dep[k] * R[c * (m + 3) + k];
      L[m * ld + c] = s;
    }
    const dd = dep.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(choleskyAppendRow(L, ld, m, dd))).toBeLessThan(1e-10 * dd);
  });
});
