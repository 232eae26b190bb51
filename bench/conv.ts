// Conv workload: the full-batch loss + gradient (Objective.evaluate, what GD calls every step) of
// the embedding paper's MNIST CNN — Conv2d(1→10, 5×5) · leaky_relu(0.01) · AvgPool2d(2) ·
// Linear(1440→1), no biases, exponential loss averaged over the images — on n = 1000 images of
// 28×28, against the NumPy im2col + GEMM reference bench/conv_numpy.py, measured in the same run.
// The reference runs as its own command, `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3
// bench/conv_numpy.py …` with one BLAS thread (ours on one thread too, SPLITSCAPE_THREADS = 1);
// the two alternate side by side (harness.ts sideBySide) for the bench's runs, one run being the
// median of CALLS timed calls on each side, and each row reports the median over the runs. NumPy
// also returns its loss and gradient on the same images and θ, which must agree with ours (1e-12).
//
// Images: synthetic, of MNIST's shape and value range after the authors' Normalize((0.5,), (0.5,))
// — each pixel −1 (background) with probability 0.8, else uniform in [−1, 1] — so the benchmark
// needs no data package; the timing does not depend on the pixel values (every kernel is dense).
//
//   npm run bench -- conv            (or: npx tsx bench/conv.ts)
//
// Block size (kernels.ts CONV_BLOCK_ENTRIES; samples per block = entries / (25·576)): the rows
// "block b" below time lossGradientInto with b samples per block.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { convArchitecture, initializeModel, makeActivation, makeObjective, type ConvArchitecture } from "../src/model/index.js";
import { createWorkspace, lossGradientInto } from "../src/model/network.js";
import { makeRow, median, sideBySide, withThreads, type BenchContext, type Row, type Workload } from "./harness.js";

const N = 1000;
const CHANNELS = 10;
const KERNEL = 5;
const SLOPE = 0.01;
/** Timed calls in one run (after one warm-up call); the run's time is their median. */
const CALLS = 5;
/** Goal: within 2× of NumPy's time (t_numpy / t_ours ≥ 0.5). */
const GOAL = { ratio: 0.5, text: "within 2× of NumPy im2col + GEMM (≥ 0.5)" };

/** The MNIST CNN of the embedding paper's run_mnist_experiments notebook (10 channels). */
export function mnistCnn(channels = CHANNELS): ConvArchitecture {
  return convArchitecture({
    dims: 2, input: { channels: 1, height: 28, width: 28 }, outputs: 1, activation: makeActivation("leaky_relu", SLOPE),
    stages: [{ type: "conv", channels, kernel: KERNEL }, { type: "avgpool", kernel: 2 }],
  });
}

/** n synthetic normalised-MNIST-like images (see the file comment) and ±1 labels, from a fixed LCG. */
function images(n: number, seed: number): { X: Float64Array; y: Float64Array } {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const X = new Float64Array(n * 784);
  for (let t = 0; t < X.length; t++) X[t] = u() < 0.8 ? -1 : 2 * u() - 1;
  const y = Float64Array.from({ length: n }, () => (u() < 0.5 ? -1 : 1));
  return { X, y };
}

/** One run: CALLS timed calls after one warm-up call, their median in seconds. */
function medianCall(fn: () => void): number {
  fn();
  const out: number[] = [];
  for (let r = 0; r < CALLS; r++) {
    const t0 = performance.now();
    fn();
    out.push((performance.now() - t0) / 1000);
  }
  return median(out);
}

interface NumpyResult {
  numpy: string;
  seconds: number[];
  loss: number;
  gradient: number[];
}

/** One run of the NumPy reference in its own command (`runs` timed calls); the reason when it cannot run. */
function numpyRound(file: string, runs: number): NumpyResult | string {
  const script = fileURLToPath(new URL("./conv_numpy.py", import.meta.url));
  const r = spawnSync("env", [
    "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", "python3", script, file, String(N), String(CHANNELS), String(KERNEL), String(SLOPE), String(runs),
  ], {
    encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
  });
  if (r.error !== undefined || r.status !== 0) return `python3/numpy reference failed: ${(r.error?.message ?? r.stderr).trim().split("\n").pop()}`;
  return JSON.parse(r.stdout) as NumpyResult;
}

export const convWorkload: Workload = {
  name: "conv",
  description: `MNIST CNN (conv 10@5×5 · leaky_relu · avgpool 2 · linear), n = ${N}: full-batch exponential loss + gradient vs NumPy im2col + GEMM, one thread each (one run = median of ${CALLS} calls); GFLOP/s counts the two conv GEMMs`,
  run: async (ctx: BenchContext): Promise<Row[]> => withThreads(1, () => convRows(ctx)),
};

/** The rows of the conv workload (called on one thread). */
function convRows(ctx: BenchContext): Row[] {
  const arch = mnistCnn();
  const { X, y } = images(N, 7);
  const theta = initializeModel(arch, { seed: 1 }).theta;
  const data = { X: { rows: N, cols: 784, data: X }, Y: { rows: N, cols: 1, data: y } };
  const obj = makeObjective(arch, data, "exponential", { mean: true });
  const grad = new Float64Array(obj.dim);
  let loss = NaN;
  const step = (): void => {
    loss = obj.evaluate(theta, grad).loss;
  };
  const dir = mkdtempSync(join(tmpdir(), "splitscape-conv-bench-"));
  const file = join(dir, "input.bin");
  const buf = new Float64Array(X.length + y.length + theta.length);
  buf.set(X);
  buf.set(y, X.length);
  buf.set(theta, X.length + y.length);
  writeFileSync(file, new Uint8Array(buf.buffer));
  let np = "not run" as NumpyResult | string;
  let r: { ours: number[]; ref: number[] | null };
  try {
    r = sideBySide(ctx.runs, () => medianCall(step), () => {
      np = numpyRound(file, CALLS);
      return typeof np === "string" ? null : median(np.seconds);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const flops = 2 * (2 * N * 576 * 25 * CHANNELS); // K·Col and dZ·Colᵀ
  let note: string;
  if (typeof np === "string") {
    note = np;
  } else {
    let dg = 0;
    let scale = 0;
    for (let t = 0; t < grad.length; t++) {
      dg = Math.max(dg, Math.abs(grad[t] - np.gradient[t]));
      scale = Math.max(scale, Math.abs(np.gradient[t]));
    }
    const agree = Math.max(dg / scale, Math.abs(loss - np.loss) / np.loss);
    note = `vs NumPy: max rel. gradient/loss difference ${agree.toExponential(1)}${agree <= 1e-12 ? "" : " — MISMATCH (> 1e-12)"}`;
  }
  const rows = [makeRow({
    workload: "conv", case: `gradient n=${N} c=${CHANNELS}, 1 thread`, threads: 1, runs: r.ours, flops,
    reference: r.ref === null ? null : { name: `numpy ${typeof np === "string" ? "" : np.numpy} im2col+GEMM (bench/conv_numpy.py), 1 thread`, runs: r.ref },
    goal: GOAL, note,
  })];
  for (const block of [4, 18, 64, 256]) {
    const ws = createWorkspace(arch, N, { block });
    const g = new Float64Array(obj.dim);
    const runs = Array.from({ length: ctx.runs }, () => medianCall(() => lossGradientInto(ws, theta, X, y, N, "exponential", true, 1, g)));
    rows.push(makeRow({ workload: "conv", case: `block ${block} samples, 1 thread`, threads: 1, runs, flops }));
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await convWorkload.run({ runs: 3, threads: 1 })) {
    const ratio = r.ratio === null ? "—" : `t_numpy/t_ours = ${r.ratio.toFixed(2)}`;
    console.log(`${r.case.padEnd(36)} ${(r.seconds * 1e3).toFixed(1).padStart(8)} ms  ${ratio}${r.note ? `  (${r.note})` : ""}`);
  }
}
