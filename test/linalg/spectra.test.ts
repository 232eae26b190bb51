/**
 * The fast spectral paths against independent references:
 *  - tridiagonal eigenvalues by Pal–Walker–Kahan (tridiagonalEigenvalues, LAPACK dsterf) against
 *    the previous implicit QL (tridiagonalEigenvaluesQL) and a cyclic Jacobi written here, on
 *    random, graded, clustered (glued Wilkinson), huge- and tiny-scaled matrices;
 *  - the blocked Householder reduction itself: QᵀAQ = T and QᵀQ = I to O(nε) with Q formed
 *    from the stored reflectors, for n across the panel edges and with identity reflectors;
 *  - eigvalsh on the arena (f64x2 symv, resident GEMM) against that Jacobi on dense random,
 *    graded and clustered matrices;
 *  - eigh's backward error ‖AV − VΛ‖_F/(nε‖A‖_F) and ‖VᵀV − I‖_F/(nε) within the bounds of
 *    eigh.test.ts (≤ 1e-12·n, ≈ 4500nε), bitwise the same on 1 and 2 threads, and the TS arena
 *    (no resident memory) agreeing to rounding.
 * Eigenvalues of two backward-stable solvers differ by O(nε‖A‖₂) (Weyl); the bounds below are
 * 50·n·ε·‖A‖₂ with ‖A‖₂ bounded by max_i Σ_j |a_ij|.
 */
import { describe, expect, it } from "vitest";
import { eigh, eigvalsh, svd, type Matrix } from "../../src/linalg/index.js";
import { arenaTesting, withArena, type Arena } from "../../src/linalg/arena.js";
import { tridiagonalEigenvalues, tridiagonalEigenvaluesQL } from "../../src/linalg/tridiagonal.js";
import { applyQTransposeRight, backTransformWorkspace, tridiagonalize, tridiagonalizeWorkspace } from "../../src/linalg/tridiagonalize.js";
import { testRng, withSpectrum } from "../helpers/random.js";
import { withThreads } from "../helpers/threads.js";

const EPS = 2 ** -52;

/** Eigenvalues of a dense symmetric matrix by cyclic two-sided Jacobi (Rutishauser's rotation), ascending. */
function jacobiEigenvalues(A: Matrix): Float64Array {
  const n = A.rows;
  const a = Float64Array.from(A.data);
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] ** 2;
      for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    }
    if (off <= (EPS * EPS * diag) / 4) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * n + i]).sort();
}

function tridiagonalMatrix(d: ArrayLike<number>, e: ArrayLike<number>): Matrix {
  const n = d.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = d[i];
    if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = e[i];
  }
  return { rows: n, cols: n, data: a };
}

/** max_i Σ_j |a_ij| ≥ ‖A‖₂. */
function normBound(A: Matrix): number {
  let m = 0;
  for (let i = 0; i < A.rows; i++) {
    let s = 0;
    for (let j = 0; j < A.cols; j++) s += Math.abs(A.data[i * A.cols + j]);
    m = Math.max(m, s);
  }
  return m;
}

function maxDiff(x: Float64Array, y: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** The tridiagonal families: name, d, e. */
function tridiagonalCases(): [string, number[], number[]][] {
  const g = testRng(7);
  const cases: [string, number[], number[]][] = [];
  const n = 120;
  cases.push(["random", Array.from({ length: n }, () => g.normal()), Array.from({ length: n - 1 }, () => g.normal())]);
  cases.push(["graded 1 … 1e-30", Array.from({ length: n }, (_, i) => 10 ** (-30 * i / n)), Array.from({ length: n - 1 }, (_, i) => 10 ** (-30 * (i + 0.5) / n))]);
  const w = 21;
  const wd = Array.from({ length: w }, (_, i) => Math.abs(i - 10));
  const d: number[] = [];
  const e: number[] = [];
  for (let c = 0; c < 6; c++) {
    d.push(...wd);
    for (let i = 0; i < w - 1; i++) e.push(1);
    if (c < 5) e.push(1e-14);
  }
  cases.push(["glued Wilkinson W21+", d, e]);
  cases.push(["(2, −1) Toeplitz", new Array(n).fill(2), new Array(n - 1).fill(-1)]);
  cases.push(["split by zeros", Array.from({ length: 40 }, (_, i) => i % 7), Array.from({ length: 39 }, (_, i) => (i % 5 === 0 ? 0 : 0.5))]);
  for (const [name, s] of [["× 1e300", 1e300], ["× 1e-300", 1e-300]] as const) {
    cases.push([`random ${name}`, cases[0][1].map((x) => x * s), cases[0][2].map((x) => x * s)]);
  }
  return cases;
}

describe("tridiagonal eigenvalues: Pal–Walker–Kahan", () => {
  for (const [name, d, e] of tridiagonalCases()) {
    it(`${name} (n = ${d.length}): = implicit QL and = Jacobi to O(nε‖T‖)`, () => {
      const n = d.length;
      const pwk = tridiagonalEigenvalues(Float64Array.from(d), Float64Array.from(e));
      const ql = tridiagonalEigenvaluesQL(Float64Array.from(d), Float64Array.from(e));
      const T = tridiagonalMatrix(d, e);
      const scale = Math.max(...d.map(Math.abs), ...e.map(Math.abs));
      const unit: Matrix = { ...T, data: T.data.map((x) => x / scale) };
      const jac = jacobiEigenvalues(unit).map((x) => x * scale);
      const tol = 50 * n * EPS * normBound(T);
      for (let i = 1; i < n; i++) expect(pwk[i]).toBeGreaterThanOrEqual(pwk[i - 1]);
      expect(maxDiff(pwk, jac)).toBeLessThanOrEqual(tol);
      // The QL path does not scale: at 1e-300 its products go subnormal (relative errors of
      // 1e-10 are seen; eigh scales A to max-norm 1 before it ever ran). PWK scales each block.
      if (!name.includes("1e-300")) expect(maxDiff(pwk, ql)).toBeLessThanOrEqual(tol);
    });
  }

  it("2×2 and 1×1 blocks by the closed form; the smaller eigenvalue keeps its relative accuracy", () => {
    const v = tridiagonalEigenvalues(Float64Array.of(1, 1e-20), Float64Array.of(1e-10));
    // [[1, 1e-10], [1e-10, 1e-20]] is singular: λ = 0, 1 + 1e-20. The determinant form gives the
    // small one to a few ulps of b² = 1e-20 (the trace form would leave an error of ε·1 ≈ 2e-16).
    expect(Math.abs(v[0])).toBeLessThanOrEqual(4 * EPS * 1e-20);
    expect(v[1]).toBe(1);
    expect(Array.from(tridiagonalEigenvalues(Float64Array.of(-3), new Float64Array(0)))).toEqual([-3]);
  });
});

/**
 * Reduce A on an arena and form Qᵀ from the reflectors (applyQTransposeRight on I), then measure
 * ‖QᵀAQ − T‖_F/‖A‖_F and ‖QᵀQ − I‖_F by plain loops; both are O(nε) for a backward-stable
 * reduction (Golub & Van Loan §8.3.1: T = Qᵀ(A + E)Q with ‖E‖_F = O(nε‖A‖_F)).
 */
function reductionErrors(A: Matrix): { reduction: number; orthogonality: number } {
  const n = A.rows;
  return withArena(2 * n * n + tridiagonalizeWorkspace(n) + backTransformWorkspace(n, n), 16, (ar: Arena) => {
    const h = ar.heap;
    const a0 = ar.alloc(n * n);
    h.set(A.data, a0);
    const tri = tridiagonalize(ar, a0, n);
    const z = ar.alloc(n * n);
    h.fill(0, z, z + n * n);
    for (let i = 0; i < n; i++) h[z + i * n + i] = 1;
    applyQTransposeRight(ar, tri, z, n);
    const qt = h.slice(z, z + n * n); // row i of Qᵀ = column i of Q
    const aq = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += A.data[i * n + t] * qt[j * n + t];
        aq[i * n + j] = s;
      }
    }
    let red = 0;
    let orth = 0;
    let an = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let o = 0;
        for (let t = 0; t < n; t++) {
          s += qt[i * n + t] * aq[t * n + j];
          o += qt[i * n + t] * qt[j * n + t];
        }
        const tij = i === j ? tri.d[i] : Math.abs(i - j) === 1 ? tri.e[Math.min(i, j)] : 0;
        red += (s - tij) ** 2;
        orth += (o - (i === j ? 1 : 0)) ** 2;
        an += A.data[i * n + j] ** 2;
      }
    }
    return { reduction: Math.sqrt(red / an), orthogonality: Math.sqrt(orth) };
  });
}

describe("tridiagonalize: blocked Householder (dsytrd/dlatrd) on the arena", () => {
  // Panels of 8 columns and update tiles of 96 rows: sizes below, at and across their edges.
  for (const n of [1, 2, 3, 8, 9, 17, 33, 97, 150]) {
    it(`n = ${n}: ‖QᵀAQ − T‖_F/‖A‖_F ≤ 10nε and ‖QᵀQ − I‖_F ≤ 10nε`, () => {
      const q = reductionErrors(testRng(40 + n).randomSymmetric(n));
      expect(q.reduction).toBeLessThanOrEqual(10 * n * EPS);
      expect(q.orthogonality).toBeLessThanOrEqual(10 * n * EPS);
    });
  }

  it("identity reflectors (τ = 0: blocks that are already decoupled, inside a panel) and a zero first column", () => {
    // diag(B₁, B₂, B₃) with blocks of 5, 20 and 35 rows: rows 4 and 24 have nothing right of the
    // block boundary to annihilate; then the same with a zero first row and column.
    const n = 60;
    const g = testRng(44);
    const a = new Float64Array(n * n);
    const blocks = [[0, 5], [5, 25], [25, 60]];
    for (const [lo, hi] of blocks) {
      const B = g.randomSymmetric(hi - lo);
      for (let i = lo; i < hi; i++) for (let j = lo; j < hi; j++) a[i * n + j] = B.data[(i - lo) * (hi - lo) + (j - lo)];
    }
    for (const A of [{ rows: n, cols: n, data: a }, { rows: n, cols: n, data: a.map((x, k) => (k < n || k % n === 0 ? 0 : x)) }]) {
      const q = reductionErrors(A);
      expect(q.reduction).toBeLessThanOrEqual(10 * n * EPS);
      expect(q.orthogonality).toBeLessThanOrEqual(10 * n * EPS);
      expect(maxDiff(eigvalsh(A), jacobiEigenvalues(A))).toBeLessThanOrEqual(50 * n * EPS * normBound(A));
    }
  });
});

describe("eigvalsh on the arena against Jacobi", () => {
  const g = testRng(3);
  const n = 70;
  const random = g.randomSymmetric(n);
  const graded = withSpectrum(Array.from({ length: n }, (_, i) => 10 ** (-14 * i / n) * (i % 2 ? 1 : -1)), 21);
  const clustered = withSpectrum(Array.from({ length: n }, (_, i) => (i < 30 ? 1 + 1e-14 * i : i / 10)), 22);
  for (const [name, A] of [["random", random], ["graded ±1 … 1e-14", graded], ["clustered", clustered]] as const) {
    it(`${name}: |λ − λ_Jacobi| ≤ 50nε‖A‖`, () => {
      const v = eigvalsh(A);
      expect(maxDiff(v, jacobiEigenvalues(A))).toBeLessThanOrEqual(50 * n * EPS * normBound(A));
    });
  }
});

/** ‖AV − VΛ‖_F/(nε‖A‖_F) and ‖VᵀV − I‖_F/(nε) by plain loops. */
function backwardErrors(A: Matrix, values: Float64Array, V: Matrix): { residual: number; orthogonality: number } {
  const n = A.rows;
  let res = 0;
  let an = 0;
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let o = 0;
      for (let t = 0; t < n; t++) {
        s += A.data[i * n + t] * V.data[t * n + j];
        o += V.data[t * n + i] * V.data[t * n + j];
      }
      res += (s - V.data[i * n + j] * values[j]) ** 2;
      an += A.data[i * n + j] ** 2;
      orth += (o - (i === j ? 1 : 0)) ** 2;
    }
  }
  return { residual: Math.sqrt(res / an) / (n * EPS), orthogonality: Math.sqrt(orth) / (n * EPS) };
}

describe("eigh on the arena", () => {
  it("n = 400: backward errors within eigh.test.ts's bound (4500nε), 1 and 2 threads bitwise equal", () => {
    const n = 400;
    const A = testRng(5).randomSymmetric(n);
    const one = withThreads("1", () => eigh(A));
    const two = withThreads("2", () => eigh(A));
    const q = backwardErrors(A, one.values, one.vectors!);
    expect(q.residual).toBeLessThanOrEqual(4500);
    expect(q.orthogonality).toBeLessThanOrEqual(4500);
    expect(Array.from(new BigUint64Array(two.values.buffer))).toEqual(Array.from(new BigUint64Array(one.values.buffer)));
    expect(Array.from(new BigUint64Array(two.vectors!.data.buffer))).toEqual(Array.from(new BigUint64Array(one.vectors!.data.buffer)));
  });

  it("the TypeScript arena (no resident memory) agrees: values to 50nε‖A‖, both backward stable", () => {
    const n = 150;
    const A = withSpectrum(Array.from({ length: n }, (_, i) => (i < 40 ? 0.5 : Math.sin(i))), 9);
    const wasm = eigh(A);
    arenaTesting.forceTs = true;
    let ts: ReturnType<typeof eigh>;
    try {
      ts = eigh(A);
    } finally {
      arenaTesting.forceTs = false;
    }
    expect(maxDiff(wasm.values, ts.values)).toBeLessThanOrEqual(50 * n * EPS * normBound(A));
    for (const r of [wasm, ts]) {
      const q = backwardErrors(A, r.values, r.vectors!);
      expect(q.residual).toBeLessThanOrEqual(4500);
      expect(q.orthogonality).toBeLessThanOrEqual(4500);
    }
  });
});

describe("svd on the arena (sweeps over changed rows only)", () => {
  // One-sided Jacobi stops when every pair of columns satisfies |b_pᵀb_q| ≤ tol·‖b_p‖‖b_q‖
  // (tol = √len·ε), so every pair of left vectors has |u_pᵀu_q| ≤ tol up to the rounding of
  // forming u and the dot product: 4·tol checks that the sweeps which skip unchanged pairs still
  // certify all of them. Backward error as in svd.test.ts.
  for (const [m, n, seed] of [[300, 220, 1], [220, 300, 2], [400, 400, 3]]) {
    it(`${m}×${n}: all pairs of left vectors within 4·tolerance, residual ≤ 1e-12·max(m, n)`, () => {
      const A = testRng(seed).randn(m, n);
      const r = svd(A);
      const U = r.U!;
      const V = r.V!;
      const k = U.cols;
      let worst = 0;
      for (let i = 0; i < k; i++) {
        for (let j = i + 1; j < k; j++) {
          let s = 0;
          for (let t = 0; t < U.rows; t++) s += U.data[t * k + i] * U.data[t * k + j];
          worst = Math.max(worst, Math.abs(s));
        }
      }
      expect(worst).toBeLessThanOrEqual(4 * r.tolerance);
      let res = 0;
      let an = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let x = 0;
          for (let p = 0; p < k; p++) x += U.data[i * k + p] * r.values[p] * V.data[j * k + p];
          res += (x - A.data[i * n + j]) ** 2;
          an += A.data[i * n + j] ** 2;
        }
      }
      expect(Math.sqrt(res / an)).toBeLessThanOrEqual(1e-12 * Math.max(m, n));
    });
  }
});

describe("arena level-1 kernels", () => {
  /** Σ x_t y_t in four interleaved partial sums, (s0 + s2) + (s1 + s3), then the tail left to right. */
  function fourSums(x: ArrayLike<number>, y: ArrayLike<number>): number {
    const n = x.length;
    const body = n - (n % 4);
    const s = [0, 0, 0, 0];
    for (let t = 0; t < body; t++) s[t % 4] += x[t] * y[t];
    let total = (s[0] + s[2]) + (s[1] + s[3]);
    for (let t = body; t < n; t++) total += x[t] * y[t];
    return total;
  }

  for (const len of [1, 3, 256, 257, 258, 259]) {
    it(`dots3 and rotatePair give the same bits on the wasm and the TypeScript arena, len ${len} (four partial sums, then the tail)`, () => {
      const g = testRng(17 + len);
      const x = g.randnVec(len);
      const y = g.randnVec(len);
      const run = (ar: Arena) => {
        const X = ar.alloc(len);
        const Y = ar.alloc(len);
        ar.heap.set(x, X);
        ar.heap.set(y, Y);
        const d = new Float64Array(3);
        const nr = new Float64Array(2);
        ar.dots3(X, Y, len, d);
        ar.rotatePair(X, Y, len, 0.8, -0.6, nr);
        return [...d, ...nr, ...ar.heap.subarray(X, X + len), ...ar.heap.subarray(Y, Y + len)];
      };
      const wasm = withArena(2 * len, 2, (ar) => {
        expect(ar.engine).toBe("wasm-simd");
        return run(ar);
      });
      arenaTesting.forceTs = true;
      let ts: number[];
      try {
        ts = withArena(2 * len, 2, (ar) => {
          expect(ar.engine).toBe("ts");
          return run(ar);
        });
      } finally {
        arenaTesting.forceTs = false;
      }
      expect(Array.from(new BigUint64Array(Float64Array.from(wasm).buffer))).toEqual(Array.from(new BigUint64Array(Float64Array.from(ts).buffer)));
      // and against the summation order written out here, and the rotation entry by entry
      expect(wasm[0]).toBe(fourSums(x, x));
      expect(wasm[1]).toBe(fourSums(y, y));
      expect(wasm[2]).toBe(fourSums(x, y));
      const xr = x.map((a, t) => 0.8 * a + 0.6 * y[t]);
      const yr = x.map((a, t) => -0.6 * a + 0.8 * y[t]);
      expect(wasm.slice(5, 5 + len)).toEqual(Array.from(xr));
      expect(wasm[3]).toBe(fourSums(xr, xr));
      expect(wasm[4]).toBe(fourSums(yr, yr));
    });
  }
});

describe("Arena.symmetrize (eigh's symmetric part)", () => {
  /** Run symmetrize on a copy of `a` (n×n) in the wasm and in the TS arena: [upper triangle…, stats…] of each. */
  function both(a: Float64Array, n: number): { wasm: Float64Array; ts: Float64Array } {
    const run = (ar: Arena): Float64Array => {
      const at = ar.alloc(n * n);
      ar.heap.set(a, at);
      const stats = new Float64Array(3);
      ar.symmetrize(n, at, stats);
      return Float64Array.from([...ar.heap.subarray(at, at + n * n), ...stats]);
    };
    const wasm = withArena(n * n, 1, (ar) => {
      expect(ar.engine).toBe("wasm-simd");
      return run(ar);
    });
    arenaTesting.forceTs = true;
    try {
      return { wasm, ts: withArena(n * n, 1, run) };
    } finally {
      arenaTesting.forceTs = false;
    }
  }

  it("both engines give the bits of plain loops: ½a_ij + ½a_ji above the diagonal, the lower triangle untouched, max|a|, max|a − aᵀ|", () => {
    const g = testRng(77);
    // n = 45 and 70: tiles of 32 with partial edges, rows of odd and even length (the pair loop's scalar tail)
    for (const n of [1, 2, 3, 45, 70]) {
      const a = Float64Array.from(g.randnVec(n * n));
      const { wasm, ts } = both(a, n);
      expect(Array.from(new BigUint64Array(wasm.buffer))).toEqual(Array.from(new BigUint64Array(ts.buffer)));
      let amax = 0;
      let asym = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          amax = Math.max(amax, Math.abs(a[i * n + j]));
          asym = Math.max(asym, Math.abs(a[i * n + j] - a[j * n + i]));
          const want = j >= i ? 0.5 * a[i * n + j] + 0.5 * a[j * n + i] : a[i * n + j];
          expect(wasm[i * n + j]).toBe(want);
        }
      }
      expect(wasm[n * n]).toBe(amax);
      expect(wasm[n * n + 1]).toBe(asym);
      expect(wasm[n * n + 2]).toBe(0);
    }
  });

  it("reports a NaN anywhere, and the same infinity on both sides, by the flag; a lone infinity by max|a|", () => {
    const n = 37;
    const g = testRng(78);
    const base = Float64Array.from(g.randnVec(n * n));
    for (const [i, j, v, flag, amaxInf] of [
      [0, 0, NaN, 1, false], [3, 30, NaN, 1, false], [30, 3, NaN, 1, false], [36, 35, NaN, 1, false],
      [5, 33, Infinity, 0, true], [33, 5, -Infinity, 0, true],
    ] as [number, number, number, number, boolean][]) {
      const a = base.slice();
      a[i * n + j] = v;
      const { wasm, ts } = both(a, n);
      for (const out of [wasm, ts]) {
        expect(out[n * n + 2]).toBe(flag);
        expect(out[n * n] === Infinity).toBe(amaxInf);
      }
    }
    const a = base.slice();
    a[4 * n + 20] = Infinity;
    a[20 * n + 4] = Infinity;
    for (const out of Object.values(both(a, n))) expect(out[n * n + 2]).toBe(1);
  });

  it("eigh rejects a non-finite entry and an asymmetric matrix, whichever triangle holds it", () => {
    const n = 40;
    const g = testRng(79);
    const sym = Float64Array.from(g.randnVec(n * n));
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) sym[i * n + j] = sym[j * n + i];
    expect(() => eigvalsh({ rows: n, cols: n, data: sym })).not.toThrow();
    for (const [i, j] of [[2, 31], [31, 2]]) {
      const nan = sym.slice();
      nan[i * n + j] = NaN;
      expect(() => eigvalsh({ rows: n, cols: n, data: nan })).toThrow(/non-finite/);
      const skew = sym.slice();
      skew[i * n + j] += 1e-3;
      expect(() => eigvalsh({ rows: n, cols: n, data: skew })).toThrow(/not symmetric/);
    }
  });
});
