// Slice workload: a 101 × 101 plane through a network of ≈ 1,000 parameters on 1,000 samples,
// batched (slice/evaluate.ts: three first-layer GEMMs, then element-wise work per grid point in
// row panels) against the naive evaluation of one network θ(x, y) at a time through the model's
// own loss, measured in the same run. The naive reference is timed on NAIVE_ROWS rows of the
// grid and scaled to the whole grid per point (it costs the same at every point); the batched
// evaluation is timed on the whole grid, both on one thread (SPLITSCAPE_THREADS = 1; row panels
// are independent jobs, ready for the worker pool). The two alternate for the bench's runs and
// each row gives the medians.
//
//   npm run bench -- slice        (or: npx tsx bench/slice.ts)
import { pathToFileURL } from "node:url";
import {
  makeActivation, mlpArchitecture, paramCount, twoLayerArchitecture, type Architecture, type Model,
} from "../src/model/index.js";
import { axisValues, sliceGrid, type GridProblem } from "../src/slice/index.js";
import { sliceGridNaive } from "../src/slice/evaluate.js";
import { fillNormal, fork } from "../src/random/index.js";
import { makeRow, sideBySide, withThreads, type BenchContext, type Row, type Workload } from "./harness.js";

/** Grid points per axis and samples, as in issue 24's target. */
const GRID = 101;
const SAMPLES = 1000;
/** Rows of the grid the naive reference is timed on. */
const NAIVE_ROWS = 3;

/** Standard normals times `scale` from a seeded stream of the project's portable generator. */
function normals(len: number, seed: number, scale = 1): Float64Array {
  const out = fillNormal(fork(seed, "bench-slice"), new Float64Array(len));
  for (let i = 0; i < len; i++) out[i] *= scale;
  return out;
}

function problem(arch: Architecture, d: number, rows: number): GridProblem {
  const p = paramCount(arch);
  const X = { rows: SAMPLES, cols: d, data: normals(SAMPLES * d, 3) };
  const Y = { rows: SAMPLES, cols: 1, data: normals(SAMPLES, 4) };
  const model: Model = { arch, theta: normals(p, 5, 1 / Math.sqrt(d)) };
  const axis = axisValues({ lo: -1, hi: 1, count: GRID });
  return { model, data: { X, Y }, spec: { loss: "square", beta: 1e-3 }, U: normals(p, 6, 0.3), V: normals(p, 7, 0.3), xs: axis, ys: axis.subarray(0, rows) };
}

function seconds(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

/** The cases: (label, architecture, input dimension). */
const CASES: [string, Architecture, number][] = [
  ["two-layer relu 10→83→1 (+b), p = 996", twoLayerArchitecture({ d: 10, m: 83, activation: makeActivation("relu"), inputBias: true }), 10],
  ["two-layer tanh 10→83→1 (+b), p = 996", twoLayerArchitecture({ d: 10, m: 83, activation: makeActivation("tanh"), inputBias: true }), 10],
  ["mlp leaky_relu 10→30→20→1, p = 920", mlpArchitecture([10, 30, 20, 1], makeActivation("leaky_relu", 0.1)), 10],
];

export const sliceWorkload: Workload = {
  name: "slice",
  description: `${GRID}×${GRID} plane through a ~1,000-parameter network on ${SAMPLES} samples: batched (GEMMs + row panels) vs one network at a time (timed on ${NAIVE_ROWS} rows, scaled per point)`,
  run: async (ctx: BenchContext): Promise<Row[]> => withThreads(1, () => sliceRows(ctx)),
};

/** The rows of the slice workload (called on one thread). */
function sliceRows(ctx: BenchContext): Row[] {
  const rows: Row[] = [];
  for (const [label, arch, d] of CASES) {
    const full = problem(arch, d, GRID);
    sliceGrid({ ...full, ys: full.ys.subarray(0, 2) }); // warm-up (JIT, wasm GEMM)
    const few = problem(arch, d, NAIVE_ROWS);
    sliceGridNaive({ ...few, ys: few.ys.subarray(0, 1), xs: few.xs.subarray(0, 5) }); // warm-up
    const r = sideBySide(ctx.runs, () => seconds(() => sliceGrid(full)), () => (seconds(() => sliceGridNaive(few)) * GRID) / NAIVE_ROWS);
    rows.push(makeRow({
      workload: "slice", case: `${label}, 1 thread`, threads: 1, runs: r.ours,
      reference: r.ref === null ? null : { name: `one network at a time (${NAIVE_ROWS} rows, scaled)`, runs: r.ref },
      note: `${GRID * GRID} points`,
    }));
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await sliceWorkload.run({ runs: 3, threads: 1 })) console.log(`${r.case}: ${(r.seconds * 1e3).toFixed(0)} ms, reference ${((r.reference?.seconds ?? NaN) * 1e3).toFixed(0)} ms, ratio ${r.ratio?.toFixed(2)}`);
}
