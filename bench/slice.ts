// Slice workload: a 101 × 101 plane through a network of ≈ 1,000 parameters on 1,000 samples,
// batched (slice/evaluate.ts: three first-layer GEMMs, then the row panels — two-layer relu and
// tanh on the wasm panel kernel, assembly/slice.ts, on 1 thread and on all threads of the worker
// pool; the MLP on the TS panels) against the naive evaluation of one network θ(x, y) at a time
// through the model's own loss, measured side by side in the same run. The naive reference is
// timed on NAIVE_ROWS rows of the grid and scaled to the whole grid per point (it costs the same
// at every point). For the two-layer cases a third row times the TS panels (the kernel's oracle)
// on one thread. Every time is the median of the runs; the note gives the median CPU seconds of
// the process (all threads), which is what a loaded machine does not inflate.
//
//   npm run bench -- slice        (or: npx tsx bench/slice.ts)
import { pathToFileURL } from "node:url";
import {
  makeActivation, mlpArchitecture, paramCount, twoLayerArchitecture, type Architecture, type Model,
} from "../src/model/index.js";
import { axisValues, sliceGrid, type GridProblem } from "../src/slice/index.js";
import { sliceGridNaive } from "../src/slice/evaluate.js";
import { fillNormal, fork } from "../src/random/index.js";
import { benchThreads, makeRow, median, sideBySide, threadsLabel, withThreads, type BenchContext, type Row, type Workload } from "./harness.js";

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

/** The cases: (label, architecture, input dimension, on the wasm kernel). */
const CASES: [string, Architecture, number, boolean][] = [
  ["two-layer relu 10→83→1 (+b), p = 996", twoLayerArchitecture({ d: 10, m: 83, activation: makeActivation("relu"), inputBias: true }), 10, true],
  ["two-layer tanh 10→83→1 (+b), p = 996", twoLayerArchitecture({ d: 10, m: 83, activation: makeActivation("tanh"), inputBias: true }), 10, true],
  ["mlp leaky_relu 10→30→20→1, p = 920", mlpArchitecture([10, 30, 20, 1], makeActivation("leaky_relu", 0.1)), 10, false],
];

export const sliceWorkload: Workload = {
  name: "slice",
  description: `${GRID}×${GRID} plane through a ~1,000-parameter network on ${SAMPLES} samples: batched (GEMMs + row panels, two-layer on the wasm kernel and the pool) vs one network at a time (timed on ${NAIVE_ROWS} rows, scaled per point)`,
  run: async (ctx: BenchContext): Promise<Row[]> => sliceRows(ctx),
};

/** Wall and CPU seconds (all threads of the process) of one call. */
function timed(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const wall = seconds(fn);
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

/** The rows of the slice workload. */
function sliceRows(ctx: BenchContext): Row[] {
  const rows: Row[] = [];
  for (const [label, arch, d, kernel] of CASES) {
    const full = problem(arch, d, GRID);
    const few = problem(arch, d, NAIVE_ROWS);
    sliceGridNaive({ ...few, ys: few.ys.subarray(0, 1), xs: few.xs.subarray(0, 5) }); // warm-up
    const naive = (): number => (seconds(() => sliceGridNaive(few)) * GRID) / NAIVE_ROWS;
    const variants: [string, number, "auto" | "typescript"][] = kernel
      ? [...[...new Set([1, ctx.threads])].map((t): [string, number, "auto"] => ["wasm kernel", t, "auto"]), ["TS panels", 1, "typescript"]]
      : [["TS panels", 1, "typescript"]];
    for (const [what, threads, engine] of variants) {
      const cpu: number[] = [];
      const r = withThreads(threads, () => {
        sliceGrid({ ...full, ys: full.ys.subarray(0, 2) }, { kernel: engine }); // warm-up (JIT, wasm tier-up)
        return sideBySide(ctx.runs, () => {
          const t = timed(() => sliceGrid(full, { kernel: engine }));
          cpu.push(t.cpu);
          return t.wall;
        }, naive);
      });
      rows.push(makeRow({
        workload: "slice", case: `${label}, ${what}, ${threadsLabel(threads)}`, threads, runs: r.ours,
        reference: r.ref === null ? null : { name: `one network at a time (${NAIVE_ROWS} rows, scaled)`, runs: r.ref },
        note: `${GRID * GRID} points; CPU ${median(cpu).toFixed(2)} s${arch.kind === "two-layer" && arch.activation.name === "tanh" && what === "wasm kernel" ? "; target ≤ 3 s wall at idle (issue 24)" : ""}`,
      }));
    }
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await sliceWorkload.run({ runs: 3, threads: benchThreads() })) {
    console.log(`${r.case}: ${(r.seconds * 1e3).toFixed(0)} ms (${r.note}), reference ${((r.reference?.seconds ?? NaN) * 1e3).toFixed(0)} ms, ratio ${r.ratio?.toFixed(2)}`);
  }
}
