/**
 * The worker pool of the wasm kernels (src/linalg/kernels/pool.ts) and the threaded GEMM
 * (kernels/gemmThreads.ts, assembly/gemm.ts gemmThreaded): SPLITSCAPE_THREADS validation, and
 * products on 2 and 3 threads (also with every job left to the workers) BITWISE equal to the
 * one-thread product — which itself matches gemmReference to rounding. A worker that fails
 * leaves a correct result (the caller recomputes) and retires the pool. The tridiagonal
 * reduction's session (kernels/reductionSession.ts) and the decompositions built on it (eigh,
 * eigvalsh, svd): bitwise the same on 1, 2 and 3 threads and with every job left to the workers.
 */
import { afterEach, describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import { GEMM_PARALLEL_MIN_WORK, gemmRaw, gemmReference, gemmThreads } from "../../src/linalg/gemm.js";
import { GEMM_MIN_THREAD_ROWS, lastThreadedGemm } from "../../src/linalg/kernels/gemmThreads.js";
import { MAX_THREADS, poolTesting, threadCount } from "../../src/linalg/kernels/pool.js";
import { eigh, eighCheck, eigvalsh, svd } from "../../src/linalg/index.js";
import { withArena } from "../../src/linalg/arena.js";
import { lastReflectorRun, REFLECTOR_ROWS } from "../../src/linalg/kernels/reflectorRows.js";
import { tridiagonalize, tridiagonalizeWorkspace } from "../../src/linalg/tridiagonalize.js";
import { lastReductionSession, REDUCTION_PARALLEL_MIN, REDUCTION_STALL_LIMIT, reductionTesting, SYMV_CHUNKS, SYMV_WIDE_MIN, symvChunks } from "../../src/linalg/kernels/reductionSession.js";
import { testRng } from "../helpers/random.js";
import { bits, withThreads } from "../helpers/threads.js";

function lcgArray(len: number, seed: number): Float64Array {
  const x = new Float64Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 4294967296 - 0.5;
  }
  return x;
}

interface Case { m: number; n: number; k: number; tA: boolean; tB: boolean; alpha: number; beta: number }

/** C = α·op(A)·op(B) + β·C0 on `threads` threads (C0 with a NaN when β = 0: it must not propagate). */
function product(c: Case, threads: string): Float64Array {
  const { m, n, k, tA, tB, alpha, beta } = c;
  const a = lcgArray(m * k, 1);
  const b = lcgArray(k * n, 2);
  const out = lcgArray(m * n, 3);
  if (beta === 0) out[7] = NaN;
  withThreads(threads, () => gemmRaw(tA, tB, m, n, k, alpha, a, 0, tA ? m : k, b, 0, tB ? k : n, beta, out, 0, n));
  return out;
}

function reference(c: Case): Float64Array {
  const { m, n, k, tA, tB, alpha, beta } = c;
  const out = lcgArray(m * n, 3);
  gemmReference(tA, tB, m, n, k, alpha, lcgArray(m * k, 1), 0, tA ? m : k, lcgArray(k * n, 2), 0, tB ? k : n, beta, out, 0, n);
  return out;
}

function bitwiseEqual(x: Float64Array, y: Float64Array): boolean {
  const bx = new BigUint64Array(x.buffer, x.byteOffset, x.length);
  const by = new BigUint64Array(y.buffer, y.byteOffset, y.length);
  return bx.length === by.length && bx.every((v, i) => v === by[i]);
}

afterEach(() => {
  poolTesting.callerIdle = false;
  reductionTesting.callerIdle = false;
  reductionTesting.stallLimit = REDUCTION_STALL_LIMIT;
  poolTesting.failWorkers = false;
  poolTesting.revive();
});

describe("SPLITSCAPE_THREADS", () => {
  it("a positive integer sets the thread count (capped at MAX_THREADS)", () => {
    expect(withThreads("1", threadCount)).toBe(1);
    expect(withThreads("3", threadCount)).toBe(3);
    expect(withThreads("1000", threadCount)).toBe(MAX_THREADS);
    const cores = withThreads(undefined, threadCount);
    expect(cores).toBeGreaterThanOrEqual(1);
    expect(cores).toBeLessThanOrEqual(MAX_THREADS);
  });

  it("anything else is an InputError naming the variable and the value", () => {
    for (const bad of ["two", "0", "-2", "1.5", "3 threads"]) {
      expect(() => withThreads(bad, threadCount)).toThrow(InputError);
      expect(() => withThreads(bad, threadCount)).toThrow(`SPLITSCAPE_THREADS: expected a positive integer, got "${bad}"`);
    }
  });

  it("a bad value stops a threaded product before it starts (and a small one never reads it)", () => {
    expect(() => product({ m: 300, n: 300, k: 300, tA: false, tB: false, alpha: 1, beta: 0 }, "many")).toThrow(InputError);
    expect(() => product({ m: 8, n: 8, k: 8, tA: false, tB: false, alpha: 1, beta: 0 }, "many")).not.toThrow();
  });
});

describe("threaded GEMM", () => {
  const cases: Case[] = [];
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      cases.push({ m: 300, n: 257, k: 301, tA, tB, alpha: 0.7, beta: 0 });
      cases.push({ m: 517, n: 130, k: 333, tA, tB, alpha: -1, beta: 0.5 });
    }
  }
  cases.push({ m: 259, n: 1031, k: 600, tA: false, tB: false, alpha: 1, beta: 1 }); // > one pack job of columns, > one KC block (512)
  cases.push({ m: 70, n: 600, k: 700, tA: false, tB: true, alpha: 1, beta: 0 }); // thin jobs of GEMM_MIN_THREAD_ROWS
  cases.push({ m: 600, n: 5, k: 4000, tA: true, tB: false, alpha: 2, beta: 1 }); // narrow C, many KC blocks

  it("the dispatch: threads only from GEMM_PARALLEL_MIN_WORK and two row jobs", () => {
    withThreads("4", () => {
      expect(gemmThreads(2 * GEMM_MIN_THREAD_ROWS, 1000, 1000)).toBe(2);
      expect(gemmThreads(2 * GEMM_MIN_THREAD_ROWS - 1, 4000, 4000)).toBe(1);
      expect(gemmThreads(300, 300, Math.floor(GEMM_PARALLEL_MIN_WORK / 90000) - 1)).toBe(1);
      expect(gemmThreads(1000, 1000, 1000)).toBe(4);
      expect(gemmThreads(3 * GEMM_MIN_THREAD_ROWS, 1000, 1000)).toBe(3);
    });
    expect(withThreads("1", () => gemmThreads(1000, 1000, 1000))).toBe(1);
  });

  for (const c of cases) {
    const label = `${c.m}×${c.n}×${c.k} ${c.tA ? "Aᵀ" : "A"}·${c.tB ? "Bᵀ" : "B"}, α=${c.alpha}, β=${c.beta}`;
    it(`${label}: 2 and 3 threads, and workers alone, bitwise = 1 thread ≈ reference`, () => {
      const one = product(c, "1");
      const ref = reference(c);
      // The one-thread kernel against the plain triple loop: |error| ≤ k·ε·Σ|a||b| ≤ k·ε·k/4.
      let err = 0;
      for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(one[i] - ref[i]));
      expect(err).toBeLessThanOrEqual(c.k * 2.2e-16 * c.k * Math.abs(c.alpha) / 4 + 2.2e-16);
      for (const t of ["2", "3"]) {
        const many = product(c, t);
        expect(lastThreadedGemm.threads).toBe(withThreads(t, () => gemmThreads(c.m, c.n, c.k)));
        expect(lastThreadedGemm.threads).toBeGreaterThan(1);
        expect(bitwiseEqual(many, one)).toBe(true);
      }
      poolTesting.callerIdle = true;
      const workersOnly = product(c, "2");
      expect(lastThreadedGemm.workers).toBe(1);
      expect(lastThreadedGemm.callerJobs).toBe(0);
      expect(bitwiseEqual(workersOnly, one)).toBe(true);
    });
  }

  it("a failing worker: the caller recomputes (same bits, C restored first) and the pool retires", () => {
    const c: Case = { m: 400, n: 300, k: 200, tA: false, tB: true, alpha: 1.5, beta: -0.5 };
    const one = product(c, "1");
    product(c, "2"); // the pool exists
    expect(poolTesting.size()).toBeGreaterThan(0);
    poolTesting.failWorkers = true;
    const after = product(c, "2");
    expect(bitwiseEqual(after, one)).toBe(true);
    expect(poolTesting.size()).toBe(0);
    // Retired: later products run on the calling thread only.
    poolTesting.failWorkers = false;
    expect(bitwiseEqual(product(c, "2"), one)).toBe(true);
    expect(lastThreadedGemm.workers).toBe(0);
  });
});

describe("threaded tridiagonal reduction (eigh, eigvalsh, svd)", () => {
  // Large enough for the session to post workers, with trailing sizes on both sides of the
  // product split (SYMV_SPLIT_MIN) and a last panel shorter than PANEL.
  const n = REDUCTION_PARALLEL_MIN + 13;
  const A = testRng(2201).randomSymmetric(n);

  /** The whole output of tridiagonalize (d, e, τ and the reflectors' triangle) as bits. */
  function reduce(threads: string): bigint[] {
    return withThreads(threads, () => withArena(n * n + tridiagonalizeWorkspace(n), 8, (ar) => {
      const a = ar.alloc(n * n);
      ar.heap.set(A.data, a);
      const t = tridiagonalize(ar, a, n);
      const refl = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) refl[i * n + j] = ar.heap[t.h + i * n + j];
      return [...bits(t.d), ...bits(t.e), ...bits(t.tau), ...bits(refl)];
    }));
  }

  it("tridiagonalize: 2 and 3 threads, and workers alone, bitwise = 1 thread", () => {
    const one = reduce("1");
    expect(lastReductionSession.threads).toBe(1);
    for (const t of ["2", "3"]) {
      expect(reduce(t)).toEqual(one);
      expect(lastReductionSession.threads).toBe(Number(t));
      expect(lastReductionSession.workers).toBe(Number(t) - 1);
    }
    reductionTesting.callerIdle = true;
    expect(reduce("2")).toEqual(one);
    expect(lastReductionSession.workers).toBe(1);
    expect(lastReductionSession.callerJobs).toBe(0);
    expect(lastReductionSession.jobs).toBeGreaterThan(n);
  });

  it("products of SYMV_CHUNKS chunks (trailing sizes from SYMV_WIDE_MIN on): 1 and 3 threads, the same bits", () => {
    const nw = SYMV_WIDE_MIN + 9;
    expect(symvChunks(nw)).toBe(SYMV_CHUNKS);
    expect(symvChunks(nw - 10)).toBeLessThan(SYMV_CHUNKS);
    const W = testRng(2203).randomSymmetric(nw);
    const reduceWide = (threads: string): bigint[] => withThreads(threads, () => withArena(nw * nw + tridiagonalizeWorkspace(nw), 8, (ar) => {
      const a = ar.alloc(nw * nw);
      ar.heap.set(W.data, a);
      const t = tridiagonalize(ar, a, nw);
      return [...bits(t.d), ...bits(t.e), ...bits(t.tau)];
    }));
    const one = reduceWide("1");
    expect(reduceWide("3")).toEqual(one);
    expect(lastReductionSession.workers).toBe(2);
  });

  it("the stall fallback (the caller goes on alone once workers held it up): the same bits", () => {
    const one = reduce("1");
    reductionTesting.stallLimit = 0;
    expect(reduce("2")).toEqual(one);
    expect(lastReductionSession.workers).toBe(1);
    expect(lastReductionSession.solo).toBe(true);
  });

  it("eigh and eigvalsh: the same bits on 1 and 2 threads, residual and orthogonality O(nε)", () => {
    const one = withThreads("1", () => eigh(A));
    const two = withThreads("2", () => eigh(A));
    expect(bits(two.values)).toEqual(bits(one.values));
    expect(bits(two.vectors!.data)).toEqual(bits(one.vectors!.data));
    expect(bits(withThreads("2", () => eigvalsh(A)))).toEqual(bits(withThreads("1", () => eigvalsh(A))));
    // Backward stability bound of the Householder reduction and divide and conquer: c·n·ε with
    // c = 1 (the measured values are ~0.05·nε; the bound has room for the constant).
    const { residual, orthogonality } = eighCheck(A, two);
    expect(residual).toBeLessThan(n * 2.2e-16);
    expect(orthogonality).toBeLessThan(n * 2.2e-16);
  });

  it("eigh's back-transformation by chunks of rows: 3 threads, and the workers alone, give the 1-thread bits", () => {
    const one = withThreads("1", () => eigh(A));
    expect(lastReflectorRun.threads).toBe(1);
    const three = withThreads("3", () => eigh(A));
    expect(lastReflectorRun).toMatchObject({ threads: 3, workers: 2 });
    expect(bits(three.vectors!.data)).toEqual(bits(one.vectors!.data));
    poolTesting.callerIdle = true;
    const alone = withThreads("2", () => eigh(A));
    expect(lastReflectorRun).toMatchObject({ threads: 2, workers: 1, callerChunks: 0 });
    expect(bits(alone.vectors!.data)).toEqual(bits(one.vectors!.data));
    expect(Math.ceil(n / REFLECTOR_ROWS)).toBeGreaterThanOrEqual(3); // several chunks to share
  });

  it("svd (its Gram eigendecomposition reduces on the session): the same bits on 1 and 2 threads", () => {
    const B = testRng(2202).randn(n, n);
    const one = withThreads("1", () => svd(B));
    const two = withThreads("2", () => svd(B));
    expect(bits(two.values)).toEqual(bits(one.values));
    expect(bits(two.U!.data)).toEqual(bits(one.U!.data));
    expect(bits(two.V!.data)).toEqual(bits(one.V!.data));
  });

  it("a failing worker: the reduction throws, the pool retires, and later reductions run alone with the same bits", () => {
    const one = reduce("1");
    reduce("2"); // the pool exists
    poolTesting.failWorkers = true;
    expect(() => reduce("2")).toThrow(/failed on a worker/);
    expect(poolTesting.size()).toBe(0);
    poolTesting.failWorkers = false;
    expect(reduce("2")).toEqual(one);
    expect(lastReductionSession.workers).toBe(0);
  });
});
