// Conv workload: the full-batch loss + gradient (Objective.evaluate, what GD calls every step) of
// the embedding paper's MNIST CNN — Conv2d(1→10, 5×5) · leaky_relu(0.01) · AvgPool2d(2) ·
// Linear(1440→1), no biases, exponential loss averaged over the images — on n = 1000 images of
// 28×28, against the NumPy im2col + GEMM reference bench/conv_numpy.py, measured in the same run.
// The reference runs as its own command, `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3
// bench/conv_numpy.py …` with one BLAS thread (ours is single-threaded too); the two alternate for
// ROUNDS rounds of RUNS timed runs each and each side reports the median of all its runs. NumPy
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
import {
  convArchitecture, createWorkspace, initializeModel, lossGradientInto, makeActivation, makeObjective, type ConvArchitecture,
} from "../src/model/index.js";
import { makeRow, type Row, type Workload } from "./harness.js";

const N = 1000;
const CHANNELS = 10;
const KERNEL = 5;
const SLOPE = 0.01;
const ROUNDS = 3;
const RUNS = 5;

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

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** `runs` timed calls (after one warm-up call), seconds each. */
function timeRuns(fn: () => void, runs: number): number[] {
  fn();
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    out.push((performance.now() - t0) / 1000);
  }
  return out;
}

interface NumpyResult {
  numpy: string;
  seconds: number[];
  loss: number;
  gradient: number[];
}

/** One round of the NumPy reference in its own command; null (with the reason) when it cannot run. */
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
  description: `MNIST CNN (conv 10@5×5 · leaky_relu · avgpool 2 · linear), n = ${N}: full-batch exponential loss + gradient vs NumPy im2col + GEMM (medians of ${ROUNDS}×${RUNS} alternating runs); GFLOP/s counts the two conv GEMMs`,
  async run(): Promise<Row[]> {
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
    const ours: number[] = [];
    const ref: number[] = [];
    let np: NumpyResult | string = "not run";
    try {
      for (let round = 0; round < ROUNDS; round++) {
        ours.push(...timeRuns(step, RUNS));
        np = numpyRound(file, RUNS);
        if (typeof np === "string") break;
        ref.push(...np.seconds);
      }
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
      note = `numpy ${np.numpy}; vs NumPy: max rel. gradient/loss difference ${agree.toExponential(1)}${agree <= 1e-12 ? "" : " — MISMATCH (> 1e-12)"}; spread ours ${(Math.min(...ours) * 1e3).toFixed(0)}–${(Math.max(...ours) * 1e3).toFixed(0)} ms, NumPy ${(Math.min(...ref) * 1e3).toFixed(0)}–${(Math.max(...ref) * 1e3).toFixed(0)} ms`;
    }
    const rows = [makeRow("conv", `gradient n=${N} c=${CHANNELS} (median)`, median(ours), flops,
      { name: "numpy im2col+GEMM", seconds: ref.length > 0 ? median(ref) : null }, note)];
    for (const block of [4, 18, 64, 256]) {
      const ws = createWorkspace(arch, N, { block });
      const g = new Float64Array(obj.dim);
      const t = median(timeRuns(() => lossGradientInto(ws, theta, X, y, N, "exponential", true, 1, g), RUNS));
      rows.push(makeRow("conv", `block ${block} samples`, t, flops, null));
    }
    return rows;
  },
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await convWorkload.run()) {
    const ratio = r.ratio === null ? "—" : `t_numpy/t_ours = ${r.ratio.toFixed(2)}`;
    console.log(`${r.case.padEnd(36)} ${(r.seconds * 1e3).toFixed(1).padStart(8)} ms  ${ratio}${r.note ? `  (${r.note})` : ""}`);
  }
}
