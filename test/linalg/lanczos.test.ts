import { describe, expect, it } from "vitest";
import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";
import { lanczos, type Matrix } from "../../src/linalg/index.js";
import { testRng, withSpectrum } from "../helpers/random.js";

const EPS = 2 ** -52;

// Tolerances. For a unit vector x and θ = xᵀAx, some eigenvalue lies within ‖Ax − θx‖ of θ
// (and within ‖r‖²/gap when the rest of the spectrum is a gap away), so we check the Ritz values
// against the oracle to the returned true residual plus rounding (100·n·ε·‖A‖). The Lanczos
// estimate |β y_m| that stops the iteration equals the true residual up to O(n·ε·‖A‖) rounding
// of the recurrences, so the true residuals are checked against 2·threshold.

/** Plain-loop dense matvec (the operator is given only through it). */
function matvecOf(A: Matrix): (x: Float64Array, y: Float64Array) => void {
  const n = A.rows;
  return (x, y) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A.data[i * n + j] * x[j];
      y[i] = s;
    }
  };
}

/** Oracle: all eigenvalues ascending from ml-matrix. */
function oracle(A: Matrix): number[] {
  const rows = Array.from({ length: A.rows }, (_, i) => Array.from(A.data.subarray(i * A.cols, (i + 1) * A.cols)));
  return new EigenvalueDecomposition(new MlMatrix(rows), { assumeSymmetric: true }).realEigenvalues.sort((a, b) => a - b);
}


function normOf(values: number[]): number {
  return Math.max(Math.abs(values[0]), Math.abs(values[values.length - 1]));
}

/** Checks values against `expected`, residuals, and orthonormality of the returned vectors. */
function expectPairs(r: ReturnType<typeof lanczos>, expected: number[], anorm: number, n: number): void {
  expect(r.converged).toBe(true);
  expect(r.values.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(r.values[i] - expected[i])).toBeLessThanOrEqual(r.residuals[i] + 100 * n * EPS * anorm);
    expect(r.residuals[i]).toBeLessThanOrEqual(2 * r.threshold);
  }
  const c = r.vectors.cols;
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += r.vectors.data[t * c + i] * r.vectors.data[t * c + j];
      expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-10);
    }
  }
}

describe("lanczos: random symmetric indefinite n = 200 against ml-matrix", () => {
  const n = 200;
  const A = testRng(200).randomSymmetric(n);
  const ev = oracle(A);
  const anorm = normOf(ev);

  it("smallest k = 4 (the most negative eigenvalues)", () => {
    const r = lanczos(matvecOf(A), n, { k: 4, which: "smallest", seed: 1 });
    expect(ev[0]).toBeLessThan(0);
    expectPairs(r, ev.slice(0, 4), anorm, n);
  });

  it("largest k = 3", () => {
    const r = lanczos(matvecOf(A), n, { k: 3, which: "largest", seed: 2 });
    expectPairs(r, ev.slice(n - 3), anorm, n);
  });

  it("both ends, k = 2 per end", () => {
    const r = lanczos(matvecOf(A), n, { k: 2, which: "both", seed: 3 });
    expectPairs(r, [ev[0], ev[1], ev[n - 2], ev[n - 1]], anorm, n);
  });

  it("is deterministic for a seed, and accepts a start vector", () => {
    const a = lanczos(matvecOf(A), n, { k: 2, seed: 7 });
    const b = lanczos(matvecOf(A), n, { k: 2, seed: 7 });
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(a.matvecs).toBe(b.matvecs);
    const v0 = new Float64Array(n).fill(1);
    expectPairs(lanczos(matvecOf(A), n, { k: 2, v0 }), ev.slice(0, 2), anorm, n);
  });
});

describe("lanczos: clustered and repeated spectra", () => {
  it("a cluster of 20 eigenvalues within 2e-7 at the bottom (n = 200, k = 5)", () => {
    const n = 200;
    const lambda = Array.from({ length: n }, (_, i) => (i < 20 ? -1 + 1e-8 * i : (5 * i) / n));
    const A = withSpectrum(lambda, 31);
    const r = lanczos(matvecOf(A), n, { k: 5, seed: 4 });
    expectPairs(r, lambda.slice(0, 5), 5, n);
  });

  it("a threefold smallest eigenvalue is found three times (k = 4)", () => {
    const n = 150;
    const lambda = Array.from({ length: n }, (_, i) => (i < 3 ? -2 : i / n));
    const A = withSpectrum(lambda, 32);
    const r = lanczos(matvecOf(A), n, { k: 4 });
    expectPairs(r, [-2, -2, -2, 3 / n], 2, n);
  });
});

describe("lanczos: diagonal operators with known extremes", () => {
  it("diag of a permutation of −100.5 … 4899.5 (n = 5000, both ends)", () => {
    const n = 5000;
    const d = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) - 100.5);
    const r = lanczos((x, y) => {
      for (let i = 0; i < n; i++) y[i] = d[i] * x[i];
    }, n, { k: 2, which: "both" });
    expect(r.converged).toBe(true);
    const expected = [-100.5, -99.5, 4897.5, 4898.5];
    // The extremes are separated by gaps of 1 from the rest: eigenvalue error ≤ ‖r‖²/gap.
    for (let i = 0; i < 4; i++) expect(Math.abs(r.values[i] - expected[i])).toBeLessThan(1e-9);
    for (const res of r.residuals) expect(res).toBeLessThanOrEqual(2 * r.threshold);
    // The eigenvectors are the unit vectors e_j of the extreme entries (up to sign).
    const j = d.indexOf(-100.5);
    expect(Math.abs(Math.abs(r.vectors.data[j * 4]) - 1)).toBeLessThan(1e-9);
  });

  it("the zero operator and an invariant start vector", () => {
    const n = 100;
    const z = lanczos((_x, y) => y.fill(0), n, { k: 2 });
    expect(z.converged).toBe(true);
    expect(Array.from(z.values)).toEqual([0, 0]);
    // Start in an eigenvector of diag(1..n): the Krylov space is invariant at once, and the
    // method must continue with a fresh direction to find the smallest eigenvalue 1.
    const d = Float64Array.from({ length: n }, (_, i) => i + 1);
    const v0 = new Float64Array(n);
    v0[50] = 1;
    const r = lanczos((x, y) => {
      for (let i = 0; i < n; i++) y[i] = d[i] * x[i];
    }, n, { k: 1, v0, basisSize: 30 });
    expect(r.values[0]).toBeCloseTo(1, 9);
  });
});

describe("lanczos: small n and validation", () => {
  it("n ≤ k: every eigenpair (dense path); k = 0: nothing", () => {
    const A = testRng(9).randomSymmetric(5);
    const ev = oracle(A);
    const r = lanczos(matvecOf(A), 5, { k: 8 });
    expect(r.values.length).toBe(5);
    for (let i = 0; i < 5; i++) expect(Math.abs(r.values[i] - ev[i])).toBeLessThan(1e-13);
    for (const res of r.residuals) expect(res).toBeLessThan(1e-13);
    const both = lanczos(matvecOf(A), 5, { k: 2, which: "both" });
    expect(Array.from(both.values)).toEqual([r.values[0], r.values[1], r.values[3], r.values[4]]);
    expect(lanczos(matvecOf(A), 5, { k: 0 }).values.length).toBe(0);
    expect(lanczos(() => undefined, 0).values.length).toBe(0);
  });

  it("rejects a bad n, k, start vector or basis size", () => {
    const f = (x: Float64Array, y: Float64Array): void => y.set(x);
    expect(() => lanczos(f, -1)).toThrow(RangeError);
    expect(() => lanczos(f, 10, { k: 1.5 })).toThrow(RangeError);
    expect(() => lanczos(f, 10, { v0: new Float64Array(3) })).toThrow(/v0/);
    expect(() => lanczos(f, 100, { k: 5, basisSize: 6 })).toThrow(/basisSize/);
    expect(() => lanczos((_x, y) => y.fill(NaN), 100)).toThrow(/non-finite/);
  });
});
