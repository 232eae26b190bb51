// GEMM workloads: throughput of the public gemmRaw (wasm SIMD path, copies included) against
// NumPy's `a @ b` at the same thread count; the all-cores row of issue 22 (n = 1024 on every
// thread against our own one-thread rate, measured side by side); the TS fallback for scale; the
// TS↔wasm crossover; and the one-thread↔threads crossover behind GEMM_PARALLEL_MIN_WORK.
import { gemmBackend } from "../src/linalg/index.js";
import { gemmRaw, gemmRawTs, gemmRawWasm } from "../src/linalg/gemm.js";
import { makeRow, runSeconds, sideBySide, threadsLabel, withThreads, type BenchContext, type Row, type Workload } from "./harness.js";
import { numpyName, numpyRun } from "./numpy.js";

function randomSquare(n: number, seed: number): Float64Array {
  const x = new Float64Array(n * n);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = s / 2147483648 - 0.5;
  }
  return x;
}

function numpyGemm(n: number, transA: boolean, transB: boolean, threads: number): number | null {
  const op = (x: string, t: boolean): string => (t ? `${x}.T` : x);
  return numpyRun(
    `a = np.random.rand(${n}, ${n}); b = np.random.rand(${n}, ${n})\n` +
      `def run(): ${op("a", transA)} @ ${op("b", transB)}\n`,
    threads,
  );
}

/** One run of C = op(A)·op(B) (n×n) through gemmRaw on `threads` threads. */
function oursGemm(n: number, transA: boolean, transB: boolean, threads: number): () => number {
  const a = randomSquare(n, 1);
  const b = randomSquare(n, 2);
  const c = new Float64Array(n * n);
  return () => withThreads(threads, () => runSeconds(() => gemmRaw(transA, transB, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n)));
}

export const gemmWorkload: Workload = {
  name: "gemm",
  description: "C ← A·B, n×n float64, GFLOP/s = 2n³/t, vs NumPy (OpenBLAS) at the same thread count; n = 1024 on all threads vs our one thread",
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    const T = ctx.threads;
    const cases: [number, boolean, boolean, number][] = [64, 256, 512, 1024].map((n) => [n, false, false, 1]);
    cases.push([512, true, false, 1], [512, false, true, 1], [512, true, true, 1]);
    if (T > 1) cases.push([1024, false, false, T]);
    for (const [n, tA, tB, t] of cases) {
      const m = sideBySide(ctx.runs, oursGemm(n, tA, tB, t), () => numpyGemm(n, tA, tB, t));
      const label = `n=${n}` + (tA || tB ? ` ${tA ? "Aᵀ" : "A"}·${tB ? "Bᵀ" : "B"}` : "") + `, ${threadsLabel(t)}`;
      rows.push(makeRow({
        workload: "gemm", case: label, threads: t, runs: m.ours, flops: 2 * n ** 3,
        reference: m.ref === null ? null : { name: numpyName(t), runs: m.ref },
        ...(n === 1024 && !tA && !tB ? { headline: `GEMM 1024² vs NumPy, ${threadsLabel(t)}` } : {}),
      }));
    }
    if (T > 1) {
      const n = 1024;
      const m = sideBySide(ctx.runs, oursGemm(n, false, false, T), oursGemm(n, false, false, 1));
      rows.push(makeRow({
        workload: "gemm", case: `n=1024, ${threadsLabel(T)} vs our 1 thread`, threads: T, runs: m.ours, flops: 2 * n ** 3,
        reference: { name: "splitscape, 1 thread", runs: m.ref },
        goal: { ratio: 1.8, text: "≥ 1.8× our one-thread rate at 2 threads" },
        headline: "GEMM 1024², every core vs one",
      }));
    }
    for (const n of [64, 256]) {
      const a = randomSquare(n, 1);
      const b = randomSquare(n, 2);
      const c = new Float64Array(n * n);
      const m = sideBySide(ctx.runs, () => runSeconds(() => gemmRawTs(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n)), () => numpyGemm(n, false, false, 1));
      rows.push(makeRow({
        workload: "gemm", case: `n=${n} TS fallback, 1 thread`, threads: 1, runs: m.ours, flops: 2 * n ** 3,
        reference: m.ref === null ? null : { name: numpyName(1), runs: m.ref },
      }));
    }
    if (gemmBackend() !== "wasm-simd") for (const r of rows) r.note = "wasm SIMD unavailable: TS path measured";
    return rows;
  },
};

/**
 * The TS/wasm crossover for gemmRaw's dispatch: for small cubes, the TS kernel's time against
 * the forced wasm path (copies included). ratio = t_ts / t_wasm (> 1: wasm wins).
 */
export const gemmCrossoverWorkload: Workload = {
  name: "gemm-crossover",
  description: "small m×n×k products: forced wasm path vs TS kernel (ratio > 1: wasm faster)",
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    if (gemmBackend() !== "wasm-simd") return rows;
    const shapes: [number, number, number][] = [
      [4, 4, 4], [5, 5, 5], [6, 6, 6], [7, 7, 7], [8, 8, 8], [12, 12, 12], [16, 16, 16], [24, 24, 24],
      [32, 32, 32], [1, 64, 64], [64, 1, 64], [64, 64, 1], [2, 32, 32], [1, 1, 512], [3, 40, 3],
    ];
    const opts = { warmupSeconds: 0.1, batchSeconds: 0.02 };
    for (const [m, n, k] of shapes) {
      const a = randomSquare(Math.max(m, n, k), 3);
      const b = randomSquare(Math.max(m, n, k), 4);
      const c = new Float64Array(m * n);
      const r = sideBySide(
        ctx.runs,
        () => runSeconds(() => {
          gemmRawWasm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n);
        }, opts),
        () => runSeconds(() => gemmRawTs(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n), opts),
      );
      rows.push(makeRow({
        workload: "gemm-crossover", case: `${m}×${n}×${k} (mnk=${m * n * k}) wasm vs TS`, threads: 1, runs: r.ours,
        flops: 2 * m * n * k, reference: { name: "gemmRawTs", runs: r.ref },
      }));
    }
    return rows;
  },
};

/**
 * The one-thread/threads crossover behind GEMM_PARALLEL_MIN_WORK: square products forced onto
 * `threads` threads (SPLITSCAPE_THREADS) against one thread, measured side by side.
 * ratio = t_1 / t_threads (> 1: threads win).
 */
export const gemmThreadsWorkload: Workload = {
  name: "gemm-threads",
  description: "square n: all threads vs one thread through gemmRaw (ratio > 1: threads faster; sizes below GEMM_PARALLEL_MIN_WORK run on one thread anyway)",
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    if (ctx.threads <= 1 || gemmBackend() !== "wasm-simd") return rows;
    for (const n of [128, 160, 192, 256, 384, 512]) {
      const m = sideBySide(ctx.runs, oursGemm(n, false, false, ctx.threads), oursGemm(n, false, false, 1));
      rows.push(makeRow({
        workload: "gemm-threads", case: `n=${n} (mnk=${n ** 3}), ${threadsLabel(ctx.threads)} vs 1`, threads: ctx.threads, runs: m.ours,
        flops: 2 * n ** 3, reference: { name: "splitscape, 1 thread", runs: m.ref },
      }));
    }
    return rows;
  },
};
