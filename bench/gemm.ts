// GEMM workloads: throughput of the public gemmRaw (wasm SIMD path, copies included) against
// NumPy's single-threaded `a @ b`, the TS fallback for scale, and the TS↔wasm crossover.
import { gemmBackend, gemmRaw, gemmRawTs, gemmRawWasm } from "../src/linalg/index.js";
import { bestSeconds, makeRow, type Row, type Workload } from "./harness.js";
import { numpyInfo, numpyTime } from "./numpy.js";

const SIZES = [64, 256, 512, 1024];

function randomSquare(n: number, seed: number): Float64Array {
  const x = new Float64Array(n * n);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = s / 2147483648 - 0.5;
  }
  return x;
}

function numpyGemmSeconds(n: number, transA: boolean, transB: boolean): number | null {
  const op = (x: string, t: boolean): string => (t ? `${x}.T` : x);
  return numpyTime(
    `a = np.random.rand(${n}, ${n}); b = np.random.rand(${n}, ${n})\n` +
      `def run(): ${op("a", transA)} @ ${op("b", transB)}\n`,
  );
}

/** C = op(A)·op(B) for square n×n operands through `gemmRaw` (dispatching to wasm SIMD). */
export const gemmWorkload: Workload = {
  name: "gemm",
  description: "C ← A·B, n×n float64, GFLOP/s = 2n³/t, vs NumPy (OpenBLAS) single thread",
  async run(): Promise<Row[]> {
    const rows: Row[] = [];
    const np = numpyInfo();
    const refName = np ?? "numpy";
    const note = np === null ? "python3/numpy unavailable: no ratio" : undefined;
    const cases: [number, boolean, boolean][] = SIZES.map((n) => [n, false, false]);
    cases.push([512, true, false], [512, false, true], [512, true, true]);
    for (const [n, tA, tB] of cases) {
      const a = randomSquare(n, 1);
      const b = randomSquare(n, 2);
      const c = new Float64Array(n * n);
      const t = bestSeconds(() => gemmRaw(tA, tB, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n));
      const ref = np === null ? null : numpyGemmSeconds(n, tA, tB);
      const label = `n=${n}` + (tA || tB ? ` ${tA ? "Aᵀ" : "A"}·${tB ? "Bᵀ" : "B"}` : "");
      rows.push(makeRow("gemm", label, t, 2 * n ** 3, { name: refName, seconds: ref }, note));
    }
    for (const n of [64, 256]) {
      const a = randomSquare(n, 1);
      const b = randomSquare(n, 2);
      const c = new Float64Array(n * n);
      const t = bestSeconds(() => gemmRawTs(false, false, n, n, n, 1, a, 0, n, b, 0, n, 0, c, 0, n));
      const ref = np === null ? null : numpyGemmSeconds(n, false, false);
      rows.push(makeRow("gemm", `n=${n} TS fallback`, t, 2 * n ** 3, { name: refName, seconds: ref }, note));
    }
    if (gemmBackend() !== "wasm-simd") {
      for (const r of rows) r.note = "wasm SIMD unavailable: TS path measured";
    }
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
  async run(): Promise<Row[]> {
    const rows: Row[] = [];
    if (gemmBackend() !== "wasm-simd") return rows;
    const shapes: [number, number, number][] = [
      [4, 4, 4], [5, 5, 5], [6, 6, 6], [7, 7, 7], [8, 8, 8], [12, 12, 12], [16, 16, 16], [24, 24, 24],
      [32, 32, 32], [1, 64, 64], [64, 1, 64], [64, 64, 1], [2, 32, 32], [1, 1, 512], [3, 40, 3],
    ];
    for (const [m, n, k] of shapes) {
      const a = randomSquare(Math.max(m, n, k), 3);
      const b = randomSquare(Math.max(m, n, k), 4);
      const c = new Float64Array(m * n);
      const opts = { warmupSeconds: 0.1, batchSeconds: 0.02 };
      const tTs = bestSeconds(() => gemmRawTs(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n), opts);
      const tW = bestSeconds(() => {
        gemmRawWasm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n);
      }, opts);
      rows.push(makeRow(
        "gemm-crossover", `${m}×${n}×${k} (mnk=${m * n * k}) wasm vs TS`, tW, 2 * m * n * k,
        { name: "gemmRawTs", seconds: tTs },
      ));
    }
    return rows;
  },
};
