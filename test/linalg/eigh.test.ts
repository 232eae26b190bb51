import { describe, expect, it } from "vitest";
import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";
import { eigh, eighCheck, eigvalsh, type Matrix } from "../../src/linalg/index.js";
import { testRng, withSpectrum } from "../helpers/random.js";

const EPS = 2 ** -52;

// Tolerances. A backward-stable symmetric eigensolver returns pairs with
// ‖A − VΛVᵀ‖_F ≤ c·n·ε·‖A‖_F and ‖VᵀV − I‖_F ≤ c·n·ε for a modest c; the brief's acceptance
// bound is 1e-12·n for both (≈ 4500·n·ε), which these checks use. Eigenvalues of two backward-
// stable solvers agree to O(n·ε·‖A‖₂) by Weyl's inequality; we allow 100·n·ε·‖A‖_max·n (the max
// norm times n bounds ‖A‖₂).

/** Plain-loop residual ‖A V − V Λ‖_F/‖A‖_F and orthogonality ‖VᵀV − I‖_F (independent of src). */
function quality(A: Matrix, values: Float64Array, V: Matrix): { res: number; orth: number } {
  const n = A.rows;
  let res = 0;
  let an = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += A.data[i * n + t] * V.data[t * n + j];
      const r = s - V.data[i * n + j] * values[j];
      res += r * r;
      an += A.data[i * n + j] ** 2;
    }
  }
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += V.data[t * n + i] * V.data[t * n + j];
      orth += (s - (i === j ? 1 : 0)) ** 2;
    }
  }
  return { res: an === 0 ? Math.sqrt(res) : Math.sqrt(res / an), orth: Math.sqrt(orth) };
}


function maxAbs(A: Matrix): number {
  let m = 0;
  for (const x of A.data) m = Math.max(m, Math.abs(x));
  return m;
}

function expectGood(A: Matrix, label = ""): ReturnType<typeof eigh> {
  const n = A.rows;
  const r = eigh(A);
  const { res, orth } = quality(A, r.values, r.vectors!);
  expect(res, `${label} residual`).toBeLessThanOrEqual(1e-12 * n);
  expect(orth, `${label} orthogonality`).toBeLessThanOrEqual(1e-12 * n);
  for (let i = 1; i < n; i++) expect(r.values[i]).toBeGreaterThanOrEqual(r.values[i - 1]);
  return r;
}

function tridiagonal(diag: ArrayLike<number>, off: ArrayLike<number>): Matrix {
  const n = diag.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = diag[i];
    if (i + 1 < n) {
      a[i * n + i + 1] = off[i];
      a[(i + 1) * n + i] = off[i];
    }
  }
  return { rows: n, cols: n, data: a };
}

describe("eigh: random symmetric matrices", () => {
  for (const n of [2, 3, 7, 31, 33, 64, 100, 257]) {
    it(`n = ${n}: values match ml-matrix, residual and orthogonality O(nε)`, () => {
      const A = testRng(n).randomSymmetric(n);
      const r = expectGood(A, `n=${n}`);
      const ref = new EigenvalueDecomposition(new MlMatrix(toNested(A)), { assumeSymmetric: true })
        .realEigenvalues.sort((x, y) => x - y);
      const tol = 100 * n * n * EPS * maxAbs(A);
      for (let i = 0; i < n; i++) expect(Math.abs(r.values[i] - ref[i])).toBeLessThanOrEqual(tol);
      // A tighter look at what we actually achieve (documents the margin): typically ≲ 10 n ε.
      const { residual, orthogonality } = eighCheck(A, r);
      expect(residual).toBeLessThan(50 * n * EPS);
      expect(orthogonality).toBeLessThan(50 * n * EPS);
    });
  }

  it("eigvalsh (QL, values only) agrees with eigh (divide and conquer)", () => {
    const A = testRng(5).randomSymmetric(120);
    const a = eigvalsh(A);
    const b = eigh(A).values;
    const tol = 100 * 120 * EPS * maxAbs(A) * 120;
    for (let i = 0; i < 120; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol);
    expect(eigh(A, { vectors: false }).vectors).toBeNull();
  });
});

describe("eigh: closed forms", () => {
  it("tridiagonal Toeplitz (2, −1): λ_k = 2 − 2cos(kπ/(n+1)), v_k ∝ sin(jkπ/(n+1))", () => {
    const n = 150;
    const A = tridiagonal(new Array(n).fill(2), new Array(n - 1).fill(-1));
    const r = expectGood(A);
    for (let k = 1; k <= n; k++) {
      // Eigenvalues of a matrix of norm ≤ 4 to absolute accuracy ~ nε·4.
      expect(Math.abs(r.values[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1))))).toBeLessThan(1e-13);
    }
    // Eigenvectors (simple, well-separated eigenvalues: gap ≥ ~4e-4) agree up to sign to
    // O(ε‖A‖/gap) ≈ 1e-12.
    for (const k of [1, 2, 75, 150]) {
      const exact = (j: number): number => Math.sqrt(2 / (n + 1)) * Math.sin((j * k * Math.PI) / (n + 1));
      const got = (j: number): number => r.vectors!.data[(j - 1) * n + (k - 1)];
      let dot = 0;
      for (let j = 1; j <= n; j++) dot += exact(j) * got(j);
      const sign = Math.sign(dot);
      let err = 0;
      for (let j = 1; j <= n; j++) err = Math.max(err, Math.abs(sign * got(j) - exact(j)));
      expect(err).toBeLessThan(1e-10);
    }
  });

  it("2×2: [[a, b], [b, c]] by formula", () => {
    const [a, b, c] = [3, 1.5, -2];
    const r = eigh({ rows: 2, cols: 2, data: Float64Array.of(a, b, b, c) });
    const m = (a + c) / 2;
    const h = Math.hypot((a - c) / 2, b);
    expect(r.values[0]).toBeCloseTo(m - h, 14);
    expect(r.values[1]).toBeCloseTo(m + h, 14);
  });

  it("Wilkinson W⁺₂₁ and ten copies glued by 1e-14 (pathologically close pairs)", () => {
    const w = 21;
    const diag = Array.from({ length: w }, (_, i) => Math.abs(i - 10));
    const single = expectGood(tridiagonal(diag, new Array(w - 1).fill(1)));
    // The two largest eigenvalues of W⁺₂₁ agree to 15 digits (10.746194182903...).
    expect(single.values[20] - single.values[19]).toBeLessThan(1e-12);
    expect(single.values[20]).toBeCloseTo(10.746194182903393, 12);
    const copies = 10;
    const d: number[] = [];
    const e: number[] = [];
    for (let c = 0; c < copies; c++) {
      d.push(...diag);
      for (let i = 0; i < w - 1; i++) e.push(1);
      if (c + 1 < copies) e.push(1e-14);
    }
    expectGood(tridiagonal(d, e), "glued");
  });
});

describe("eigh: repeated and clustered eigenvalues", () => {
  it("identity: λ = 1, V orthogonal", () => {
    const n = 80;
    const I = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
    const r = expectGood(I);
    for (const x of r.values) expect(x).toBe(1);
  });

  it("diagonal with repeated entries: exact values", () => {
    const n = 90;
    const diag = Array.from({ length: n }, (_, i) => (i * 7) % 3 - 1);
    const r = expectGood(tridiagonal(diag, new Array(n - 1).fill(0)));
    const sorted = [...diag].sort((x, y) => x - y);
    for (let i = 0; i < n; i++) expect(r.values[i]).toBe(sorted[i]);
  });

  it("a cluster of 50 equal eigenvalues in a random basis (n = 150)", () => {
    const lambda = Array.from({ length: 150 }, (_, i) => (i < 50 ? 2 : i - 75));
    const A = withSpectrum(lambda, 11);
    const r = expectGood(A);
    const sorted = [...lambda].sort((x, y) => x - y);
    // ‖A‖ ≈ 75: eigenvalues to ~1e-12 absolute (A itself carries ~nε‖A‖ construction error).
    for (let i = 0; i < 150; i++) expect(Math.abs(r.values[i] - sorted[i])).toBeLessThan(1e-11);
  });

  it("a cluster spread over 1e-13 and a ±1 spectrum", () => {
    expectGood(withSpectrum(Array.from({ length: 120 }, (_, i) => (i < 50 ? 1 + 1e-13 * i : i)), 12), "tight");
    expectGood(withSpectrum(Array.from({ length: 120 }, (_, i) => (i % 2 ? 1 : -1)), 13), "±1");
  });

  it("rank one and a graded spectrum 1 … 1e-15 (absolute accuracy O(nε‖A‖))", () => {
    const n = 100;
    const rank1 = Array.from({ length: n }, (_, i) => (i === 0 ? 3 : 0));
    const r1 = expectGood(withSpectrum(rank1, 14));
    expect(r1.values[n - 1]).toBeCloseTo(3, 12);
    for (let i = 0; i < n - 1; i++) expect(Math.abs(r1.values[i])).toBeLessThan(1e-13);
    const graded = Array.from({ length: n }, (_, i) => 10 ** ((-15 * i) / (n - 1)));
    const r2 = expectGood(withSpectrum(graded, 15));
    const sorted = [...graded].sort((x, y) => x - y);
    for (let i = 0; i < n; i++) expect(Math.abs(r2.values[i] - sorted[i])).toBeLessThan(1e-13);
  });
});

describe("eigh: scaling, edge cases and validation", () => {
  it("scaling by 2^p scales the eigenvalues exactly and leaves the vectors unchanged (scaled and unscaled paths)", () => {
    // max|a| < 1 here: 2^±99 stays inside [2⁻¹⁰⁰, 2¹⁰⁰] (no internal scaling), 2^±102 and 2^±900
    // are scaled back to max-norm ≈ 1. Power-of-two scaling commutes with every rounding, so all
    // must agree with p = 0 bit for bit.
    const A = testRng(21).randomSymmetric(60);
    const r = eigh(A);
    for (const p of [99, -99, 102, -102, 900, -900]) {
      const f = 2 ** p;
      const B = { rows: 60, cols: 60, data: A.data.map((x) => x * f) };
      const rb = eigh(B);
      for (let i = 0; i < 60; i++) expect(rb.values[i]).toBe(r.values[i] * f);
      expect(Array.from(rb.vectors!.data)).toEqual(Array.from(r.vectors!.data));
    }
  });

  it("0×0, 1×1 and the zero matrix", () => {
    const e0 = eigh({ rows: 0, cols: 0, data: new Float64Array(0) });
    expect(e0.values.length).toBe(0);
    expect(e0.vectors!.rows).toBe(0);
    const e1 = eigh({ rows: 1, cols: 1, data: Float64Array.of(-4.5) });
    expect(Array.from(e1.values)).toEqual([-4.5]);
    expect(Array.from(e1.vectors!.data)).toEqual([1]);
    const z = eigh({ rows: 5, cols: 5, data: new Float64Array(25) });
    expect(Array.from(z.values)).toEqual([0, 0, 0, 0, 0]);
    expect(quality({ rows: 5, cols: 5, data: new Float64Array(25) }, z.values, z.vectors!).orth).toBe(0);
  });

  it("rejects non-square, non-finite and asymmetric input; symmetrises within symmetryTol", () => {
    expect(() => eigh({ rows: 2, cols: 3, data: new Float64Array(6) })).toThrow(/square/);
    expect(() => eigh({ rows: 2, cols: 2, data: Float64Array.of(1, NaN, NaN, 1) })).toThrow(/non-finite/);
    expect(() => eigh({ rows: 2, cols: 2, data: Float64Array.of(1, 2, 3, 1) })).toThrow(/not symmetric/);
    // An asymmetry of 1e-12 relative is accepted; the result is that of (A + Aᵀ)/2 = [[1, 2], [2, 1]].
    const r = eigh({ rows: 2, cols: 2, data: Float64Array.of(1, 2 + 2e-12, 2 - 2e-12, 1) });
    expect(Math.abs(r.asymmetry - 2e-12)).toBeLessThan(1e-15); // 4e-12/2, up to the rounding of 2 ± 2e-12
    expect(r.values[0]).toBeCloseTo(-1, 14);
    expect(r.values[1]).toBeCloseTo(3, 14);
    expect(eigh({ rows: 2, cols: 2, data: Float64Array.of(1, 2, 3, 1) }, { symmetryTol: Infinity }).values[1]).toBeCloseTo(3.5, 14);
  });
});

function toNested(A: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < A.rows; i++) out.push(Array.from(A.data.subarray(i * A.cols, (i + 1) * A.cols)));
  return out;
}
