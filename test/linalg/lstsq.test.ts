// Least squares (lstsq.ts): normal-equation residuals, known minimum-norm solutions built from
// an explicit U·S·Vᵀ, and ml-matrix's solve as an oracle. eps = 2.2e-16.
import { describe, expect, it } from "vitest";
import { Matrix as MlMatrix, solve as mlSolve } from "ml-matrix";
import { lstsq, toRows, type Matrix } from "../../src/linalg/index.js";
import { naiveProduct as mul } from "../helpers/naive.js";
import { testRng } from "../helpers/random.js";

const EPS = Number.EPSILON;


const vec = (x: Float64Array): Matrix => ({ rows: x.length, cols: 1, data: x });

function norm(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s);
}

function dist(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
  return Math.sqrt(s);
}

/**
 * The backward-error bound on the normal-equation residual. A backward-stable solver returns the
 * exact solution of min ‖(A + δA)x − (b + δb)‖ with ‖δA‖ ≤ ε‖A‖, ‖δb‖ ≤ ε‖b‖, ε = c·max(m,n)·eps;
 * then ‖Aᵀ(Ax − b)‖ ≤ ε·‖A‖·(‖r‖ + ‖A‖·‖x‖ + ‖b‖) to first order. c = 10 covers the constants.
 */
function normalBound(A: Matrix, x: Float64Array, b: Float64Array, r: number): number {
  const nA = norm(A.data);
  return 10 * Math.max(A.rows, A.cols) * EPS * nA * (r + nA * norm(x) + norm(b));
}

/** A = U·diag(s)·Vᵀ with U, V orthonormal (m×r, n×r): returns A and its pseudo-inverse action. */
function construct(m: number, n: number, s: number[], seed: number) {
  const g = testRng(seed);
  const r = s.length;
  const U = g.randomOrthonormal(m, r);
  const V = g.randomOrthonormal(n, r);
  const US: Matrix = { rows: m, cols: r, data: U.data.map((v, idx) => v * s[idx % r]) };
  const A = mul(US, V, false, true);
  /** A⁺·b = V·diag(1/s)·Uᵀ·b: the minimum-norm least-squares solution. */
  const pinv = (b: Float64Array): Float64Array => {
    const c = mul(U, vec(b), true).data.map((v, i) => v / s[i]);
    return mul(V, vec(c)).data;
  };
  return { A, U, V, pinv, g };
}

describe("lstsq, full rank", () => {
  for (const [m, n] of [[40, 10], [10, 10], [300, 120], [1, 1]] as const) {
    for (const method of ["cod", "qr"] as const) {
      it(`${m}×${n} (${method}): matches ml-matrix and satisfies the normal equations`, () => {
        const g = testRng(m + n);
        const A = g.randn(m, n);
        const b = g.randnVec(m);
        const aCopy = A.data.slice();
        const bCopy = b.slice();
        const res = lstsq(A, b, { method });
        expect(A.data).toEqual(aCopy);
        expect(b).toEqual(bCopy);
        expect(res.rank).toBe(n);
        expect(res.method).toBe(method);
        expect(res.normalResidualNorm).toBeLessThan(normalBound(A, res.x, b, res.residualNorm));
        const ref = Float64Array.from(mlSolve(new MlMatrix(toRows(A)), MlMatrix.columnVector(Array.from(b))).to1DArray());
        // Both are backward stable; Gaussian A has κ ≲ 20 here, so solutions agree to
        // κ·(backward error) ≲ 20·10·max(m,n)·eps·(1 + κ·‖r‖/‖A‖‖x‖): 1e-11 relative.
        expect(dist(res.x, ref) / norm(ref)).toBeLessThan(1e-11);
        // Reported residual is the true one.
        const r = mul(A, vec(res.x)).data.map((v, i) => b[i] - v);
        expect(Math.abs(res.residualNorm - norm(r))).toBeLessThanOrEqual(1e-14 * norm(b));
      });
    }
  }

  it("κ = 1e10, consistent right-hand side: forward error ≲ κ·eps", () => {
    const [m, n] = [60, 20];
    const s = Array.from({ length: n }, (_, i) => Math.pow(1e-10, i / (n - 1)));
    const { A, g } = construct(m, n, s, 31);
    const xTrue = g.randnVec(n);
    const b = mul(A, vec(xTrue)).data;
    for (const method of ["cod", "qr"] as const) {
      const res = lstsq(A, b, { method });
      // rcond = 60·eps ≈ 1.3e-14 ≪ 1e-10: full rank is kept.
      expect(res.rank).toBe(n);
      expect(res.method).toBe(method);
      // With r = 0 the LS forward error is ≲ κ·ε (no κ² term), ε = 10·max(m,n)·eps the
      // backward error: 1e10·600·eps ≈ 1.3e-3 (observed ~2e-7).
      expect(dist(res.x, xTrue) / norm(xTrue)).toBeLessThan(1e10 * 10 * m * EPS);
      expect(res.residualNorm).toBeLessThan(10 * m * EPS * norm(A.data) * norm(res.x));
      expect(res.normalResidualNorm).toBeLessThan(normalBound(A, res.x, b, res.residualNorm));
    }
  });

  it("matrix right-hand side equals column-by-column solves", () => {
    const g = testRng(32);
    const A = g.randn(30, 8);
    const B = g.randn(30, 4);
    const res = lstsq(A, B);
    expect([res.x.rows, res.x.cols]).toEqual([8, 4]);
    for (let t = 0; t < 4; t++) {
      const bt = Float64Array.from({ length: 30 }, (_, i) => B.data[i * 4 + t]);
      const rt = lstsq(A, bt);
      const xt = Float64Array.from({ length: 8 }, (_, i) => res.x.data[i * 4 + t]);
      // Same reflectors, different but equivalent operation order: rounding level.
      expect(dist(xt, rt.x)).toBeLessThan(1e-13 * norm(rt.x));
      expect(Math.abs(res.residualNorms[t] - rt.residualNorm)).toBeLessThan(1e-13 * norm(bt));
      expect(res.normalResidualNorms[t]).toBeLessThan(normalBound(A, xt, bt, rt.residualNorm));
    }
  });
});

describe("lstsq, rank deficient and underdetermined: minimum-norm solutions", () => {
  const cases: [number, number, number[]][] = [
    [30, 12, [5, 3, 2, 1]], // tall, rank 4 < n
    [12, 30, [4, 2, 1]], // wide, rank 3 < m
    [10, 25, [3, 2.5, 2, 1.5, 1, 0.9, 0.8, 0.7, 0.6, 0.5]], // wide, full row rank
    [20, 20, [1, 1, 1, 1e-3]], // square, rank 4
  ];
  for (const [m, n, s] of cases) {
    it(`${m}×${n}, rank ${s.length}: x = A⁺b`, () => {
      const { A, V, pinv, g } = construct(m, n, s, m * 31 + n);
      const b = g.randnVec(m);
      const xStar = pinv(b);
      const res = lstsq(A, b);
      expect(res.rank).toBe(s.length);
      // Perturbation theory for LS (Wedin; Higham Thm 20.1) applied to the kept rank-r part:
      // ‖Δx‖/‖x‖ ≲ ε·(κ + κ²·‖r‖/(‖A‖₂‖x‖)), κ = σ₁/σ_r, ε = 10·max(m,n)·eps the backward error.
      const kEff = s[0] / s[s.length - 1];
      const eps = 10 * Math.max(m, n) * EPS;
      const fwd = eps * (kEff + (kEff * kEff * res.residualNorm) / (s[0] * norm(xStar)));
      expect(dist(res.x, xStar) / norm(xStar)).toBeLessThan(fwd);
      // Minimum norm: x has no component in null(A) = range(V)^⊥: ‖x − V·Vᵀx‖ ≈ 0.
      const proj = mul(V, mul(V, vec(res.x), true)).data;
      expect(dist(res.x, proj)).toBeLessThan(100 * kEff * Math.max(m, n) * EPS * norm(res.x));
      expect(res.normalResidualNorm).toBeLessThan(normalBound(A, res.x, b, res.residualNorm) * kEff);
      // "qr" detects nothing wrong only if R has no small diagonal: for these it must fall back
      // to (or agree with) the minimum-norm answer.
      const viaQr = lstsq(A, b, { method: "qr" });
      if (s.length < Math.min(m, n)) expect(viaQr.method).toBe("cod");
    });
  }

  for (const [m, n] of [[10, 30], [110, 260]] as const) {
    it(`underdetermined full row rank ${m}×${n}: x = Aᵀ(AAᵀ)⁻¹b via both methods`, () => {
      const g = testRng(41 + m);
      const A = g.randn(m, n);
      const b = g.randnVec(m);
      const Aml = new MlMatrix(toRows(A));
      const y = mlSolve(Aml.mmul(Aml.transpose()), MlMatrix.columnVector(Array.from(b)));
      const xStar = Float64Array.from(Aml.transpose().mmul(y).to1DArray());
      for (const method of ["cod", "qr"] as const) {
        const res = lstsq(A, b, { method });
        expect(res.method).toBe(method);
        expect(res.rank).toBe(m);
        // κ(AAᵀ) = κ(A)² ≲ 25 for these Gaussian shapes ((√n+√m)/(√n−√m))²; the
        // normal-equations oracle loses κ²·n·eps ≈ 1.4e-12 at most: 1e-11.
        expect(dist(res.x, xStar) / norm(xStar)).toBeLessThan(1e-11);
        expect(res.residualNorm).toBeLessThan(100 * n * EPS * norm(A.data) * norm(res.x));
      }
    });
  }

  it("repeated columns split the weight equally (the minimum-norm choice)", () => {
    const g = testRng(42);
    const B = g.randn(15, 3);
    // Columns b0, b1, b0, b2: any split x0 + x2 = c is optimal; the minimum norm is x0 = x2.
    const A: Matrix = { rows: 15, cols: 4, data: new Float64Array(60) };
    for (let i = 0; i < 15; i++) {
      A.data[i * 4] = B.data[i * 3];
      A.data[i * 4 + 1] = B.data[i * 3 + 1];
      A.data[i * 4 + 2] = B.data[i * 3];
      A.data[i * 4 + 3] = B.data[i * 3 + 2];
    }
    const b = g.randnVec(15);
    const res = lstsq(A, b);
    const full = lstsq(B, b);
    expect(res.rank).toBe(3);
    // Rounding-level agreement with the full-rank 15×3 problem (κ(B) is small).
    expect(Math.abs(res.x[0] - res.x[2])).toBeLessThan(1e-13 * norm(full.x));
    expect(Math.abs(res.x[0] + res.x[2] - full.x[0])).toBeLessThan(1e-13 * norm(full.x));
    expect(Math.abs(res.x[1] - full.x[1])).toBeLessThan(1e-13 * norm(full.x));
    expect(Math.abs(res.x[3] - full.x[2])).toBeLessThan(1e-13 * norm(full.x));
  });

  it("rcond truncates small singular directions (truncated minimum-norm solution)", () => {
    const { A, U, V } = construct(20, 6, [1, 1e-6], 43);
    const b = testRng(44).randnVec(20);
    const res = lstsq(A, b, { rcond: 1e-3 });
    expect(res.rank).toBe(1);
    expect(res.rcond).toBe(1e-3);
    // Expected: v₁·(u₁ᵀb)/σ₁. The dropped 1e-6 direction perturbs R₁₁ and the kept
    // direction by O(1e-6) (the size of R22 relative to R11): compare to 1e-5.
    const c = mul(U, vec(b), true).data[0];
    const expected = Float64Array.from({ length: 6 }, (_, i) => V.data[i * 2] * c);
    expect(dist(res.x, expected) / norm(expected)).toBeLessThan(1e-5);
    // The default rcond keeps both.
    expect(lstsq(A, b).rank).toBe(2);
  });
});

describe("lstsq, degenerate shapes", () => {
  it("0×n gives x = 0, rank 0", () => {
    const res = lstsq({ rows: 0, cols: 3, data: new Float64Array(0) }, new Float64Array(0));
    expect(Array.from(res.x)).toEqual([0, 0, 0]);
    expect(res.rank).toBe(0);
    expect(res.residualNorm).toBe(0);
  });

  it("m×0 gives an empty x and residual ‖b‖", () => {
    const res = lstsq({ rows: 2, cols: 0, data: new Float64Array(0) }, Float64Array.from([3, 4]));
    expect(res.x.length).toBe(0);
    expect(res.residualNorm).toBe(5);
  });

  it("zero matrix, zero right-hand side, 1×1", () => {
    const Z = lstsq({ rows: 3, cols: 2, data: new Float64Array(6) }, Float64Array.from([1, 2, 3]));
    expect(Z.rank).toBe(0);
    expect(Array.from(Z.x)).toEqual([0, 0]);
    const g = testRng(45);
    const A = g.randn(5, 3);
    expect(Array.from(lstsq(A, new Float64Array(5)).x)).toEqual([0, 0, 0]);
    expect(lstsq({ rows: 1, cols: 1, data: Float64Array.from([4]) }, Float64Array.from([2])).x[0]).toBe(0.5);
    expect(() => lstsq(A, new Float64Array(4))).toThrow(RangeError);
  });
});
