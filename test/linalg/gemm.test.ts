import { describe, expect, it } from "vitest";
import { Matrix as MlMatrix } from "ml-matrix";
import { GEMM_WASM_MAX_BYTES, GEMM_WASM_MIN_WORK, fromRows, gemm, gemmBackend, gemmDispatch, gemv, gram, matmul, toRows } from "../../src/linalg/index.js";
import { gemmRaw, gemmRawTs, gemmRawWasm, gemvRaw } from "../../src/linalg/gemm.js";
import { gemmReference } from "../../src/linalg/gemm.js";
// The loader is internal to linalg (not on its face); it is tested here directly because its
// browser-worker branch (no Buffer) is not otherwise exercised under Node.
import { decodeBase64Portable, instantiateBase64 } from "../../src/linalg/kernels/wasm.js";
import { wasmBase64 } from "../../src/linalg/kernels/gemm.wasm.generated.js";

const EPS = 2 ** -52;

/** Deterministic uniform(-1, 1) generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** A rows×cols view at offset `off` with stride `ld` inside a larger random array. */
interface View { data: Float64Array; off: number; ld: number; rows: number; cols: number }

function randomView(rows: number, cols: number, pad: number, rand: () => number): View {
  const ld = cols + pad;
  const off = pad * 3 + 1;
  const data = new Float64Array(off + rows * ld + pad + 2);
  for (let i = 0; i < data.length; i++) data[i] = rand();
  return { data, off, ld, rows, cols };
}

function at(v: View, i: number, j: number): number {
  return v.data[v.off + i * v.ld + j];
}

type Gemm = typeof gemmRaw;

const wasmForced: Gemm = (...args) => {
  expect(gemmRawWasm(...args)).toBe(true);
};

/**
 * Runs `impl` and the oracle on identical copies and checks, elementwise,
 *   |C − C_ref| ≤ 8·max(k,1)·eps·(|α|·(|op(A)|·|op(B)|)_ij + |β|·|C0_ij|).
 * Why: each of the two results is a sum of k products computed in some order; the standard
 * bound for a recursively summed dot product is |fl(Σ aₚbₚ) − Σ aₚbₚ| ≤ γ_k Σ|aₚ||bₚ| with
 * γ_k = k·u/(1 − k·u), u = eps/2 (Higham, Accuracy and Stability, §3.1). The scaling by α and
 * the β·C update add two roundings. The difference of two such results is at most twice the
 * bound, ≈ 2·(k+2)·u ≤ 8·k·eps·(...) for k ≥ 1, with room for blocked summation orders. For k = 0
 * both sides compute the same single rounding of β·C. NaN in C0 with β = 0 is not read, so C0
 * enters the bound only when β ≠ 0. Entries of `c` outside the view must be left untouched.
 */
function check(
  impl: Gemm, tA: boolean, tB: boolean, m: number, n: number, k: number,
  alpha: number, beta: number, pad: number, seed: number, nanC = false,
): void {
  const rand = rng(seed);
  const A = tA ? randomView(k, m, pad, rand) : randomView(m, k, pad, rand);
  const B = tB ? randomView(n, k, pad, rand) : randomView(k, n, pad, rand);
  const C = randomView(m, n, pad, rand);
  if (nanC) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) C.data[C.off + i * C.ld + j] = NaN;
  const c0 = C.data.slice();
  const got = C.data.slice();
  const want = C.data.slice();
  impl(tA, tB, m, n, k, alpha, A.data, A.off, A.ld, B.data, B.off, B.ld, beta, got, C.off, C.ld);
  gemmReference(tA, tB, m, n, k, alpha, A.data, A.off, A.ld, B.data, B.off, B.ld, beta, want, C.off, C.ld);
  const opA = (i: number, p: number): number => (tA ? at(A, p, i) : at(A, i, p));
  const opB = (p: number, j: number): number => (tB ? at(B, j, p) : at(B, p, j));
  const inView = new Uint8Array(got.length);
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const idx = C.off + i * C.ld + j;
      inView[idx] = 1;
      let absAB = 0;
      for (let p = 0; p < k; p++) absAB += Math.abs(opA(i, p) * opB(p, j));
      const cTerm = beta === 0 ? 0 : Math.abs(beta * c0[idx]);
      const tol = 8 * Math.max(k, 1) * EPS * (Math.abs(alpha) * absAB + cTerm);
      const err = Math.abs(got[idx] - want[idx]);
      if (!(err <= tol)) {
        throw new Error(
          `C[${i},${j}] = ${got[idx]}, reference ${want[idx]}, |diff| ${err} > tol ${tol} ` +
            `(m=${m} n=${n} k=${k} tA=${tA} tB=${tB} α=${alpha} β=${beta})`,
        );
      }
      worst = Math.max(worst, tol > 0 ? err / tol : 0);
    }
  }
  for (let t = 0; t < got.length; t++) {
    if (!inView[t] && !Object.is(got[t], c0[t])) throw new Error(`wrote outside the C view at ${t}`);
  }
  expect(worst).toBeLessThanOrEqual(1);
}

const SHAPES: [number, number, number][] = [
  [0, 5, 3], [5, 0, 3], [4, 6, 0], [1, 1, 1], [1, 7, 13], [4, 4, 4], [3, 5, 2], [17, 33, 5],
  [65, 1, 129], [1, 64, 64], [130, 131, 67], [9, 10, 600], [5, 2053, 3], [133, 7, 520],
];
const SCALARS: [number, number][] = [[1, 0], [-0.7, 1.3], [2, 1], [0, 0.5], [0, 0], [1.5, -1]];
const TRANS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

describe("gemm backend", () => {
  it("loads the wasm SIMD kernel under Node", () => {
    expect(gemmBackend()).toBe("wasm-simd");
  });
  it("dispatches products from the crossover up to wasm, tiny and single-row ones to TS", () => {
    expect(gemmDispatch(130, 131, 67)).toBe("wasm-simd");
    expect(gemmDispatch(8, 8, 8)).toBe("wasm-simd");
    expect(gemmDispatch(64, 1, 64)).toBe("wasm-simd");
    expect(gemmDispatch(4, 4, 4)).toBe("ts");
    expect(gemmDispatch(1, 512, 512)).toBe("ts");
    expect(gemmDispatch(130, 131, 67, 0)).toBe("ts");
    expect(GEMM_WASM_MIN_WORK).toBeGreaterThan(4 * 4 * 4);
    const a = new Float64Array(4);
    const c = new Float64Array(4);
    expect(gemmRawWasm(false, false, 2, 2, 2, 1, a, 0, 2, a, 0, 2, 0, c, 0, 2)).toBe(true);
  });
});

describe("gemmRaw against gemmReference", () => {
  const impls: [string, Gemm][] = [["wasm", wasmForced], ["dispatch", gemmRaw], ["ts", gemmRawTs]];
  for (const [name, impl] of impls) {
    for (const [tA, tB] of TRANS) {
      it(`${name}, transA=${tA} transB=${tB}: all shapes and α/β, contiguous and strided views`, () => {
        let seed = 1;
        for (const [m, n, k] of SHAPES) {
          for (const [alpha, beta] of SCALARS) {
            check(impl, tA, tB, m, n, k, alpha, beta, 0, seed++);
            check(impl, tA, tB, m, n, k, alpha, beta, 3, seed++);
          }
        }
      });
    }
    it(`${name}: β = 0 never reads C (NaN in C does not propagate)`, () => {
      let seed = 100;
      for (const [tA, tB] of TRANS) {
        for (const [m, n, k] of SHAPES) check(impl, tA, tB, m, n, k, 1.25, 0, 2, seed++, true);
      }
    });
  }

  it("α = 0 reads neither A nor B: C ← β·C exactly", () => {
    const a = new Float64Array(64 * 64).fill(NaN);
    const c = Float64Array.from({ length: 64 * 64 }, (_, i) => i);
    gemmRaw(false, false, 64, 64, 64, 0, a, 0, 64, a, 0, 64, 0.5, c, 0, 64);
    for (let i = 0; i < c.length; i++) expect(c[i]).toBe(i * 0.5);
    expect(gemmRawWasm(false, true, 64, 64, 64, 0, a, 0, 64, a, 0, 64, 0, c, 0, 64)).toBe(true);
    expect(c.every((v) => v === 0)).toBe(true);
  });

  it("splits products whose operands exceed the wasm budget (m, n and k halves)", () => {
    // Each shape needs more than GEMM_WASM_MAX_BYTES of operands but little arithmetic.
    const big = Math.ceil(GEMM_WASM_MAX_BYTES / 8 / 4) + 7;
    const shapes: [number, number, number][] = [[big, 2, 2], [2, big, 2], [2, 2, big]];
    let seed = 7;
    for (const [m, n, k] of shapes) {
      const rand = rng(seed++);
      const a = Float64Array.from({ length: m * k }, rand);
      const b = Float64Array.from({ length: k * n }, rand);
      const c = Float64Array.from({ length: m * n }, rand);
      const want = c.slice();
      expect(gemmRawWasm(false, true, m, n, k, 0.5, a, 0, k, b, 0, k, -2, c, 0, n)).toBe(true);
      gemmReference(false, true, m, n, k, 0.5, a, 0, k, b, 0, k, -2, want, 0, n);
      // Entries in (-1, 1): |α|·|A||B| ≤ 0.5·k and |β·C0| ≤ 2 (see `check` for the bound).
      let bad = 0;
      for (let i = 0; i < c.length; i++) {
        if (!(Math.abs(c[i] - want[i]) <= 8 * k * EPS * (0.5 * k + 2))) bad++;
      }
      expect(bad).toBe(0);
    }
  });

  it("rejects views that do not fit their arrays", () => {
    const x = new Float64Array(12);
    expect(() => gemmRaw(false, false, 3, 4, 4, 1, x, 0, 4, x, 0, 4, 0, x, 0, 4)).toThrow(RangeError);
    expect(() => gemmRaw(false, false, 3, 3, 3, 1, x, 0, 2, x, 0, 3, 0, x, 0, 3)).toThrow(RangeError);
    expect(() => gemmRaw(false, false, -1, 3, 3, 1, x, 0, 3, x, 0, 3, 0, x, 0, 3)).toThrow(RangeError);
  });
});

describe("gemm against ml-matrix", () => {
  const rand = rng(42);
  const ml = (rows: number, cols: number, data: Float64Array): MlMatrix =>
    MlMatrix.from1DArray(rows, cols, Array.from(data));
  for (const [m, n, k] of [[1, 7, 13], [17, 33, 5], [65, 1, 129], [130, 131, 67], [64, 64, 64]]) {
    for (const [tA, tB] of TRANS) {
      it(`${m}×${n}×${k}, transA=${tA} transB=${tB}`, () => {
        const A = { rows: tA ? k : m, cols: tA ? m : k, data: new Float64Array(m * k).map(rand) };
        const B = { rows: tB ? n : k, cols: tB ? k : n, data: new Float64Array(k * n).map(rand) };
        const C = matmul(A, B, tA, tB);
        let mA = ml(A.rows, A.cols, A.data);
        let mB = ml(B.rows, B.cols, B.data);
        if (tA) mA = mA.transpose();
        if (tB) mB = mB.transpose();
        const ref = mA.mmul(mB).to2DArray();
        // Entries of A, B are in (-1, 1): |A||B| ≤ k, so the elementwise bound is 8·k·eps·k.
        const tol = 8 * k * EPS * k;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) expect(Math.abs(C.data[i * n + j] - ref[i][j])).toBeLessThanOrEqual(tol);
        }
      });
    }
  }
});

describe("gemm on Matrix records, gram and gemv", () => {
  it("gemm checks shapes", () => {
    const A = fromRows([[1, 2], [3, 4]]);
    expect(() => gemm(false, false, 1, A, fromRows([[1, 2, 3]]), 0, A)).toThrow(/op\(A\)/);
  });

  it("gram(A) = AᵀA, exactly symmetric, also into a given output", () => {
    const rand = rng(5);
    for (const [m, n] of [[0, 3], [3, 0], [1, 1], [7, 5], [40, 33]]) {
      const A = { rows: m, cols: n, data: new Float64Array(m * n).map(rand) };
      const G = gram(A);
      const want = matmul(A, A, true, false);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          expect(G.data[i * n + j]).toBe(G.data[j * n + i]);
          expect(Math.abs(G.data[i * n + j] - want.data[i * n + j])).toBeLessThanOrEqual(8 * m * EPS * m);
        }
      }
      const out = { rows: n, cols: n, data: new Float64Array(n * n).fill(NaN) };
      expect(gram(A, out)).toBe(out);
      expect(Array.from(out.data)).toEqual(Array.from(G.data));
    }
    expect(toRows(gram(fromRows([[1, 2], [3, 4]])))).toEqual([[10, 14], [14, 20]]);
  });

  it("gemv matches gemm with a one-column B, both orientations, α/β, NaN in y with β = 0", () => {
    const rand = rng(9);
    for (const [m, n] of [[0, 4], [4, 0], [1, 1], [5, 3], [33, 17]]) {
      const A = { rows: m, cols: n, data: new Float64Array(m * n).map(rand) };
      for (const trans of [false, true]) {
        const nx = trans ? m : n;
        const ny = trans ? n : m;
        for (const [alpha, beta] of [[1, 0], [-0.5, 2], [0, 1.5]]) {
          const x = new Float64Array(nx).map(rand);
          const y = new Float64Array(ny).map(beta === 0 ? () => NaN : rand);
          const want = y.slice();
          gemmReference(trans, false, ny, 1, nx, alpha, A.data, 0, n, x, 0, 1, beta, want, 0, 1);
          gemv(trans, alpha, A, x, beta, y);
          for (let i = 0; i < ny; i++) {
            expect(Math.abs(y[i] - want[i])).toBeLessThanOrEqual(8 * Math.max(nx, 1) * EPS * (nx + 2 * Math.abs(want[i]) + 1));
          }
        }
      }
    }
  });

  it("gemvRaw honours offsets and increments", () => {
    // A = [[1,2],[3,4]] stored at offset 1 with stride 3; x = (1, 1) every other entry.
    const a = Float64Array.from([9, 1, 2, 9, 3, 4, 9]);
    const x = Float64Array.from([1, 9, 1]);
    const y = Float64Array.from([7, 7, 7, 7]);
    gemvRaw(false, 2, 2, 1, a, 1, 3, x, 0, 2, 0, y, 1, 2);
    expect(Array.from(y)).toEqual([7, 3, 7, 7]);
    gemvRaw(true, 2, 2, 2, a, 1, 3, x, 0, 2, 1, y, 0, 1);
    expect(Array.from(y)).toEqual([15, 15, 7, 7]);
    expect(() => gemv(false, 1, fromRows([[1, 2]]), new Float64Array(3), 0, new Float64Array(1))).toThrow(RangeError);
  });
});

describe("wasm kernel loader", () => {
  it("portable base64 decoder agrees with Buffer, including padding and the kernel itself", () => {
    const rand = rng(3);
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor((rand() + 1) * 128));
      const b64 = Buffer.from(bytes).toString("base64");
      expect(Array.from(decodeBase64Portable(b64))).toEqual(Array.from(bytes));
    }
    expect(Buffer.from(decodeBase64Portable(wasmBase64)).equals(Buffer.from(wasmBase64, "base64"))).toBe(true);
  });

  it("returns null (TS fallback) for bytes the engine cannot compile", () => {
    expect(instantiateBase64("AGFzbQEAAAA=")).not.toBeNull(); // the empty module
    expect(instantiateBase64("AGFzbQEAAAAB")).toBeNull(); // truncated
  });
});
