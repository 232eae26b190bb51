// NNLS (nnls.ts): verified by its KKT conditions, recomputed here, and against brute force over
// all active sets for n ≤ 8 (ml-matrix solves each unconstrained subproblem). eps = 2.2e-16.
import { describe, expect, it } from "vitest";
import { Matrix as MlMatrix, QrDecomposition, SingularValueDecomposition } from "ml-matrix";
import { lstsq, nnls, type Matrix, type NnlsResult } from "../../src/linalg/index.js";
import { testRng } from "../helpers/random.js";

const EPS = Number.EPSILON;

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

function residual(A: Matrix, x: ArrayLike<number>, b: Float64Array): Float64Array {
  const r = b.slice();
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) r[i] -= A.data[i * A.cols + j] * x[j];
  return r;
}

function columns(A: Matrix, idx: number[]): number[][] {
  return Array.from({ length: A.rows }, (_, i) => idx.map((j) => A.data[i * A.cols + j]));
}

/**
 * Brute force: for every support S with linearly independent columns, the unconstrained LS
 * solution on A_S; keep those with all coefficients > 0 (plus x = 0). An NNLS optimum with
 * independent support exists (Lawson & Hanson, ch. 23) and is among them, and every candidate
 * is feasible, so the smallest residual among candidates is the optimal value.
 */
function bruteForce(A: Matrix, b: Float64Array): { x: Float64Array; residual: number } {
  const { rows: m, cols: n } = A;
  let best = { x: new Float64Array(n), residual: norm(b) };
  for (let mask = 1; mask < 1 << n; mask++) {
    const idx: number[] = [];
    for (let j = 0; j < n; j++) if (mask & (1 << j)) idx.push(j);
    if (idx.length > m) continue;
    const AS = new MlMatrix(columns(A, idx));
    const svd = new SingularValueDecomposition(AS, { autoTranspose: true });
    const sv = svd.diagonal;
    if (sv[sv.length - 1] <= 1e-10 * sv[0]) continue; // dependent columns: skip this support
    const z = new QrDecomposition(AS).solve(MlMatrix.columnVector(Array.from(b))).to1DArray();
    if (z.some((v) => !(v > 0))) continue;
    const x = new Float64Array(n);
    idx.forEach((j, t) => (x[j] = z[t]));
    const r = norm(residual(A, x, b));
    if (r < best.residual) best = { x, residual: r };
  }
  return best;
}

/**
 * KKT check, recomputed from A, x, b (independently of the solver's own report):
 * x ≥ 0; w = Aᵀ(b − Ax) ≤ δ_j where x_j = 0; |w_j| ≤ δ_j where x_j > 0. δ_j is the rounding
 * scale of w_j: Householder QR is columnwise backward stable (each a_j perturbed by ≤ ε‖a_j‖)
 * and r = b − Ax carries rounding ≤ ε·(‖|A||x|‖ + ‖b‖), so w_j is exact up to
 * δ_j = ε·‖a_j‖·(‖|A||x|‖ + ‖b‖), ε = 10·max(m,n)·eps. The solver's entry threshold
 * tol·‖a_j‖·‖b‖ is below δ_j. Column-scaled, so badly scaled columns are judged fairly.
 */
function expectKkt(A: Matrix, b: Float64Array, res: NnlsResult): void {
  const { rows: m, cols: n } = A;
  const eps = 10 * Math.max(m, n, 1) * EPS;
  const absAx = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) absAx[i] += Math.abs(A.data[i * n + j]) * res.x[j];
  const scale = norm(absAx) + norm(b);
  expect(res.converged).toBe(true);
  const r = residual(A, res.x, b);
  expect(Math.abs(res.residualNorm - norm(r))).toBeLessThanOrEqual(eps * scale + 1e-300);
  let maxDelta = 1e-300;
  for (let j = 0; j < n; j++) {
    let w = 0;
    let colNorm = 0;
    for (let i = 0; i < m; i++) {
      w += A.data[i * n + j] * r[i];
      colNorm += A.data[i * n + j] ** 2;
    }
    colNorm = Math.sqrt(colNorm);
    const delta = eps * colNorm * scale + 1e-300;
    maxDelta = Math.max(maxDelta, delta);
    expect(res.x[j]).toBeGreaterThanOrEqual(0);
    if (res.x[j] > 0) expect(Math.abs(w)).toBeLessThanOrEqual(delta);
    else expect(w).toBeLessThanOrEqual(delta);
    // The reported dual differs from ours only by summation order in r and in a_jᵀr, i.e. by
    // ≲ ‖a_j‖·(n·eps·‖|A||x|‖ + m·eps·‖r‖) ≤ δ_j.
    expect(Math.abs(res.dual[j] - w)).toBeLessThanOrEqual(delta);
  }
  expect(res.kktResidual).toBeLessThanOrEqual(maxDelta);
  expect(res.dualInfeasibility).toBeLessThanOrEqual(maxDelta);
  expect(res.stationarity).toBeLessThanOrEqual(maxDelta);
  expect(Array.from(res.passive)).toEqual(Array.from(res.x.keys()).filter((j) => res.x[j] > 0));
}

/** Residual agreement with brute force: both are optimal values, computed to rounding ~eps·‖b‖. */
function expectOptimal(A: Matrix, b: Float64Array, res: NnlsResult, unique: boolean): void {
  const bf = bruteForce(A, b);
  expect(Math.abs(res.residualNorm - bf.residual)).toBeLessThanOrEqual(1e-12 * Math.max(norm(b), 1e-300));
  if (unique) {
    // Full column rank ⇒ strictly convex ⇒ unique x. Gaussian subproblems have κ ≲ 1e2, so the
    // two solutions agree to ~κ·1e-14 relative: 1e-10.
    for (let j = 0; j < A.cols; j++) expect(Math.abs(res.x[j] - bf.x[j])).toBeLessThanOrEqual(1e-10 * (norm(bf.x) + 1));
  }
}

describe("nnls against brute force over active sets", () => {
  const shapes: [number, number][] = [[10, 6], [12, 8], [8, 8], [5, 8], [3, 3], [6, 1]];
  for (const [m, n] of shapes) {
    for (let seed = 0; seed < 6; seed++) {
      it(`${m}×${n}, seed ${seed}`, () => {
        const g = testRng(1000 * m + 10 * n + seed);
        const A = g.randn(m, n);
        // Half the seeds: b = A·x₀ + noise with x₀ of mixed signs (some constraints active).
        const b = seed % 2 === 0 ? g.randnVec(m) : (() => {
          const x0 = g.randnVec(n);
          const r = residual(A, x0.map((v) => -v), new Float64Array(m));
          return r.map((v) => v + 0.1 * g.normal());
        })();
        const aCopy = A.data.slice();
        const bCopy = b.slice();
        const res = nnls(A, b);
        expect(A.data).toEqual(aCopy);
        expect(b).toEqual(bCopy);
        expectKkt(A, b, res);
        expectOptimal(A, b, res, m >= n);
      });
    }
  }
});

describe("nnls on degenerate problems", () => {
  it("repeated columns", () => {
    const g = testRng(1);
    const B = g.randn(9, 3);
    const src = [0, 1, 0, 2, 1, 0];
    const A: Matrix = { rows: 9, cols: 6, data: new Float64Array(54) };
    for (let i = 0; i < 9; i++) for (let j = 0; j < 6; j++) A.data[i * 6 + j] = B.data[i * 3 + src[j]];
    for (let seed = 0; seed < 5; seed++) {
      const b = testRng(50 + seed).randnVec(9);
      const res = nnls(A, b);
      expectKkt(A, b, res);
      expectOptimal(A, b, res, false);
      // An independent support: at most one copy of each column is used.
      const used = new Set(Array.from(res.passive).map((j) => src[j]));
      expect(used.size).toBe(res.passive.length);
    }
  });

  it("zero columns stay at zero", () => {
    const g = testRng(2);
    const A = g.randn(8, 5);
    for (let i = 0; i < 8; i++) {
      A.data[i * 5 + 1] = 0;
      A.data[i * 5 + 4] = 0;
    }
    const b = g.randnVec(8);
    const res = nnls(A, b);
    expect(res.x[1]).toBe(0);
    expect(res.x[4]).toBe(0);
    expectKkt(A, b, res);
    expectOptimal(A, b, res, false);
    const Z = nnls({ rows: 4, cols: 3, data: new Float64Array(12) }, g.randnVec(4));
    expect(Array.from(Z.x)).toEqual([0, 0, 0]);
    expect(Z.converged).toBe(true);
  });

  it("b = 0 gives x = 0 with no iterations", () => {
    const A = testRng(3).randn(6, 4);
    const res = nnls(A, new Float64Array(6));
    expect(Array.from(res.x)).toEqual([0, 0, 0, 0]);
    expect(res.iterations).toBe(0);
    expect(res.residualNorm).toBe(0);
    expect(res.kktResidual).toBe(0);
  });

  it("b in the polar cone gives x = 0; b in the cone is fitted exactly", () => {
    const g = testRng(4);
    const A = g.randn(10, 6);
    for (let i = 0; i < 60; i++) A.data[i] = Math.abs(A.data[i]); // A ≥ 0 entrywise
    const bNeg = g.randnVec(10).map((v) => -Math.abs(v)); // ⇒ Aᵀb ≤ 0
    const r0 = nnls(A, bNeg);
    expect(Array.from(r0.x)).toEqual([0, 0, 0, 0, 0, 0]);
    expectKkt(A, bNeg, r0);

    const x0 = Float64Array.from([0.5, 0, 2, 0, 0, 1.5]);
    const bIn = residual(A, x0.map((v) => -v), new Float64Array(10));
    const r1 = nnls(A, bIn);
    expectKkt(A, bIn, r1);
    // Exact fit: residual at rounding level; x = x₀ to κ(A_S)·eps-level.
    expect(r1.residualNorm).toBeLessThan(1e-13 * norm(bIn));
    for (let j = 0; j < 6; j++) expect(Math.abs(r1.x[j] - x0[j])).toBeLessThan(1e-12);
  });

  it("badly scaled and nearly parallel columns", () => {
    const g = testRng(5);
    const A = g.randn(12, 6);
    for (let i = 0; i < 12; i++) {
      A.data[i * 6 + 1] *= 1e6;
      A.data[i * 6 + 2] *= 1e-6;
      A.data[i * 6 + 4] = A.data[i * 6 + 3] + 1e-9 * g.normal();
    }
    for (let seed = 0; seed < 4; seed++) {
      const b = testRng(60 + seed).randnVec(12);
      const res = nnls(A, b);
      expectKkt(A, b, res);
      const bf = bruteForce(A, b);
      // Supports holding the nearly parallel pair have κ ~ 1e9 (kept by the brute force's 1e10
      // cut-off): both sides are optimal values computed to ~κ·eps relative; allow 1e-9.
      expect(Math.abs(res.residualNorm - bf.residual)).toBeLessThanOrEqual(1e-9 * bf.residual);
    }
  });

  it("empty shapes and 1×1", () => {
    expect(nnls({ rows: 0, cols: 3, data: new Float64Array(0) }, new Float64Array(0)).x).toEqual(new Float64Array(3));
    const e = nnls({ rows: 2, cols: 0, data: new Float64Array(0) }, Float64Array.from([3, 4]));
    expect(e.x.length).toBe(0);
    expect(e.residualNorm).toBe(5);
    expect(nnls({ rows: 1, cols: 1, data: Float64Array.from([2]) }, Float64Array.from([-1])).x[0]).toBe(0);
    expect(nnls({ rows: 1, cols: 1, data: Float64Array.from([2]) }, Float64Array.from([4])).x[0]).toBe(2);
  });

  it("rejects non-finite input and bad shapes", () => {
    const A = testRng(6).randn(3, 2);
    expect(() => nnls(A, new Float64Array(2))).toThrow(RangeError);
    expect(() => nnls(A, Float64Array.from([1, NaN, 0]))).toThrow(/non-finite/);
    A.data[3] = Infinity;
    expect(() => nnls(A, new Float64Array(3))).toThrow(/non-finite entry at 1, 1/);
  });

  it("stops at the iteration limit with a feasible, unconverged x", () => {
    const g = testRng(7);
    const A = g.randn(20, 10);
    const b = g.randnVec(20);
    const res = nnls(A, b, { maxIterations: 1 });
    expect(res.converged).toBe(false);
    for (const v of res.x) expect(v).toBeGreaterThanOrEqual(0);
  });
});

describe("nnls at KKT-certificate sizes", () => {
  it("ReLU feature matrix with duplicate and dead features (m = 300, n = 80)", () => {
    // Columns relu(X·u_k) for random directions u_k on 300 samples in R³, with 20 exact
    // duplicates and 5 dead (all-zero) features: the shape of the convex-reformulation certificates.
    const g = testRng(8);
    const [m, d] = [300, 3];
    const X = g.randn(m, d);
    const dirs: Float64Array[] = [];
    for (let k = 0; k < 55; k++) dirs.push(g.randnVec(d));
    for (let k = 0; k < 20; k++) dirs.push(dirs[k * 2]);
    const n = dirs.length + 5;
    const A: Matrix = { rows: m, cols: n, data: new Float64Array(m * n) };
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < dirs.length; k++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += X.data[i * d + t] * dirs[k][t];
        A.data[i * n + k] = Math.max(s, 0);
      }
    }
    const y = Float64Array.from({ length: m }, (_, i) => Math.sin(2 * X.data[i * d]) + 0.3 * X.data[i * d + 1] ** 2);
    const res = nnls(A, y);
    expectKkt(A, y, res);
    for (let j = dirs.length; j < n; j++) expect(res.x[j]).toBe(0);
    // Column order must not matter for the optimal value: reverse the columns and re-solve.
    const Ar: Matrix = { rows: m, cols: n, data: new Float64Array(m * n) };
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) Ar.data[i * n + j] = A.data[i * n + (n - 1 - j)];
    const rr = nnls(Ar, y);
    expectKkt(Ar, y, rr);
    // Two KKT points of the same convex problem: f(x) − f* ≤ δ·(‖x‖₁ + ‖x*‖₁) from the
    // certificates, i.e. the residual norms agree to ~1e-10 relative.
    expect(Math.abs(res.residualNorm - rr.residualNorm)).toBeLessThan(1e-10 * norm(y));
  });

  it("coincides with least squares when the unconstrained solution is positive (m = 500, n = 60)", () => {
    const g = testRng(9);
    const [m, n] = [500, 60];
    const A = g.randn(m, n);
    const x0 = Float64Array.from({ length: n }, () => 1 + g.uniform());
    const b = residual(A, x0.map((v) => -v), new Float64Array(m)).map((v) => v + 0.01 * g.normal());
    const res = nnls(A, b);
    expectKkt(A, b, res);
    expect(res.passive.length).toBe(n);
    const ls = lstsq(A, b);
    // Same problem, both backward stable, κ(A) ≈ 1.8: agreement ~1e-14·κ relative; 1e-12.
    for (let j = 0; j < n; j++) expect(Math.abs(res.x[j] - ls.x[j])).toBeLessThan(1e-12 * norm(ls.x));
  });
});
