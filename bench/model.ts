// Model workloads: the full-batch gradient step of a two-layer ReLU network with the logistic
// loss (forward, loss, backward — what the integrators call ~1e5 times) against the same step in
// NumPy (single-threaded OpenBLAS), and dense Hessians with p ≈ 1000 parameters.
//
//   npm run bench -- model model-hessian        (or: npx tsx bench/model.ts)
import { pathToFileURL } from "node:url";
import {
  hessian, makeActivation, makeObjective, mlpArchitecture, paramCount, twoLayerArchitecture, type Architecture,
} from "../src/model/index.js";
import { bestSeconds, makeRow, type Row, type Workload } from "./harness.js";
import { numpyInfo, numpyTime } from "./numpy.js";

/** (n, d, m) of the gradient-step cases. */
export const STEP_SIZES: [number, number, number][] = [[200, 2, 20], [1000, 20, 100], [10000, 50, 500]];

/** Uniform numbers in [−1, 1) from a fixed LCG (the bench only needs reproducible data). */
function uniform(len: number, seed: number, scale = 1): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = scale * ((s / 4294967296) * 2 - 1);
  }
  return out;
}

function problem(arch: Architecture, n: number, d: number, seed: number) {
  const X = { rows: n, cols: d, data: uniform(n * d, seed) };
  const y = uniform(n, seed + 1).map((v) => (v < 0 ? -1 : 1));
  const Y = { rows: n, cols: 1, data: y };
  const theta = uniform(paramCount(arch), seed + 2, 1 / Math.sqrt(d));
  return { X, Y, theta };
}

/** The NumPy step: forward, logistic loss, backward (same shapes and operations). */
function numpyStepSnippet(n: number, d: number, m: number): string {
  return [
    `X = np.random.standard_normal((${n}, ${d})); y = np.sign(np.random.standard_normal(${n}))`,
    `W = np.random.standard_normal((${m}, ${d})) / np.sqrt(${d}); a = np.random.standard_normal(${m}) / ${m}`,
    "def run():",
    "    Z = X @ W.T; H = np.maximum(Z, 0); f = H @ a; q = y * f",
    "    loss = np.sum(np.logaddexp(0, -q)); g = -y / (1 + np.exp(q))",
    "    ga = H.T @ g; dZ = np.outer(g, a) * (Z > 0); gW = dZ.T @ X",
    "    return loss, gW, ga",
  ].join("\n");
}

/** Gradient steps per second, ours vs NumPy, for STEP_SIZES. */
export const modelStepWorkload: Workload = {
  name: "model",
  description: "two-layer ReLU, logistic loss: full-batch loss+gradient step (Objective.evaluate) vs NumPy; GFLOP/s counts the two n·m·d GEMMs",
  async run(): Promise<Row[]> {
    const rows: Row[] = [];
    const np = numpyInfo();
    const note = np === null ? "python3/numpy unavailable: no ratio" : undefined;
    for (const [n, d, m] of STEP_SIZES) {
      const arch = twoLayerArchitecture({ d, m, activation: makeActivation("relu") });
      const { X, Y, theta } = problem(arch, n, d, 17);
      const obj = makeObjective(arch, { X, Y }, "logistic");
      const grad = new Float64Array(obj.dim);
      const t = bestSeconds(() => obj.evaluate(theta, grad));
      const ref = np === null ? null : numpyTime(numpyStepSnippet(n, d, m));
      const row = makeRow("model", `step n=${n} d=${d} m=${m} (${(1 / t).toFixed(0)} steps/s)`, t, 4 * n * m * d,
        { name: np ?? "numpy", seconds: ref }, note);
      rows.push(row);
    }
    return rows;
  },
};

/** Dense Hessians with p ≈ 1000: two-layer (Gauss–Newton assembly vs p HVPs) and an MLP. */
export const modelHessianWorkload: Workload = {
  name: "model-hessian",
  description: "dense Hessian, p ≈ 1000 (n = 1000 samples, logistic loss)",
  async run(): Promise<Row[]> {
    const rows: Row[] = [];
    const n = 1000;
    const cases: { label: string; arch: Architecture; d: number; method: "gauss-newton" | "hvp" }[] = [
      { label: "two-layer relu 20→48→1", arch: twoLayerArchitecture({ d: 20, m: 48, activation: makeActivation("relu") }), d: 20, method: "gauss-newton" },
      { label: "two-layer relu 20→48→1", arch: twoLayerArchitecture({ d: 20, m: 48, activation: makeActivation("relu") }), d: 20, method: "hvp" },
      { label: "two-layer tanh 20→48→1 (+b)", arch: twoLayerArchitecture({ d: 20, m: 47, activation: makeActivation("tanh"), inputBias: true }), d: 20, method: "gauss-newton" },
      { label: "two-layer tanh 20→48→1 (+b)", arch: twoLayerArchitecture({ d: 20, m: 47, activation: makeActivation("tanh"), inputBias: true }), d: 20, method: "hvp" },
      { label: "mlp relu 10→30→20→1", arch: mlpArchitecture([10, 30, 20, 1], makeActivation("relu")), d: 10, method: "hvp" },
    ];
    for (const c of cases) {
      const { X, Y, theta } = problem(c.arch, n, c.d, 5);
      const p = paramCount(c.arch);
      const t = bestSeconds(() => hessian({ arch: c.arch, theta }, { X, Y }, "logistic", { method: c.method }),
        { warmupSeconds: 0.5, batchSeconds: 0.2, batches: 3 });
      rows.push(makeRow("model-hessian", `${c.label} p=${p} ${c.method}`, t, null, null));
    }
    return rows;
  },
};

/** Both model workloads (for callers without the bench driver). */
export async function runModelBench(): Promise<Row[]> {
  return [...(await modelStepWorkload.run()), ...(await modelHessianWorkload.run())];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await runModelBench()) {
    const ratio = r.ratio === null ? "—" : `${r.ratio.toFixed(2)}× NumPy`;
    console.log(`${r.workload.padEnd(14)} ${r.case.padEnd(48)} ${(r.seconds * 1e3).toFixed(3).padStart(10)} ms  ${ratio}${r.note ? `  (${r.note})` : ""}`);
  }
}
