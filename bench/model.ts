// Model workloads: the full-batch gradient step of a two-layer ReLU network with the logistic
// loss (forward, loss, backward — what the integrators call ~1e5 times) against the same step in
// NumPy at the same BLAS thread count (1, and all cores), and dense Hessians with p ≈ 1000
// parameters.
//
//   npm run bench -- model model-hessian
import {
  hessian, makeActivation, makeObjective, mlpArchitecture, paramCount, twoLayerArchitecture, type Architecture,
} from "../src/model/index.js";
import { twoLayerWasmSlabs } from "../src/model/twoLayerWasm.js";
import { makeRow, runSeconds, sideBySide, threadsLabel, withThreads, type BenchContext, type Row, type Workload } from "./harness.js";
import { numpyName, numpyRun } from "./numpy.js";

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

/** Gradient steps per second, ours vs NumPy, for STEP_SIZES on one thread and the larger two on all. */
export const modelStepWorkload: Workload = {
  name: "model",
  description: "two-layer ReLU, logistic loss: full-batch loss+gradient step (Objective.evaluate) vs NumPy at the same thread count; GFLOP/s counts the two n·m·d GEMMs",
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    const cases: [number, number, number, number][] = STEP_SIZES.map(([n, d, m]) => [n, d, m, 1]);
    if (ctx.threads > 1) for (const [n, d, m] of STEP_SIZES.slice(1)) cases.push([n, d, m, ctx.threads]);
    for (const [n, d, m, t] of cases) {
      const arch = twoLayerArchitecture({ d, m, activation: makeActivation("relu") });
      const { X, Y, theta } = problem(arch, n, d, 17);
      // Created with the larger thread count, so the step has per-thread buffers for it.
      const obj = withThreads(Math.max(t, ctx.threads), () => makeObjective(arch, { X, Y }, "logistic"));
      const grad = new Float64Array(obj.dim);
      const r = sideBySide(
        ctx.runs,
        () => withThreads(t, () => runSeconds(() => obj.evaluate(theta, grad))),
        () => numpyRun(numpyStepSnippet(n, d, m), t),
      );
      const big = n === 10000;
      rows.push(makeRow({
        workload: "model", case: `step n=${n} d=${d} m=${m}, ${threadsLabel(t)}`, threads: t, runs: r.ours, flops: 4 * n * m * d,
        reference: r.ref === null ? null : { name: numpyName(t), runs: r.ref },
        note: `${(1 / (r.ours.slice().sort((a, b) => a - b)[r.ours.length >> 1])).toFixed(1)} steps/s`,
        ...(big ? { goal: { ratio: 1.2, text: "≥ 1.2× NumPy at the same thread count" }, headline: `two-layer ReLU logistic gradient (10000, 50, 500), ${threadsLabel(t)}` } : {}),
      }));
    }
    return rows;
  },
};

/**
 * The slabs' thread crossover (TWO_LAYER_SLAB_MIN_WORK): the step on all threads against our
 * own one-thread step, side by side, at sizes of 3, 3 and 8 slabs. ratio = t_1 / t_threads.
 */
export const modelThreadsWorkload: Workload = {
  name: "model-threads",
  description: "two-layer ReLU logistic step: all threads vs our one thread (ratio > 1: threads faster)",
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    if (ctx.threads <= 1) return rows;
    for (const [n, d, m] of [[1000, 40, 100], [2000, 20, 100], [10000, 50, 500]] as [number, number, number][]) {
      const arch = twoLayerArchitecture({ d, m, activation: makeActivation("relu") });
      const { X, Y, theta } = problem(arch, n, d, 17);
      const obj = withThreads(ctx.threads, () => makeObjective(arch, { X, Y }, "logistic"));
      const grad = new Float64Array(obj.dim);
      const one = (t: number) => () => withThreads(t, () => runSeconds(() => obj.evaluate(theta, grad)));
      const r = sideBySide(ctx.runs, one(ctx.threads), one(1));
      rows.push(makeRow({
        workload: "model-threads", case: `step n=${n} d=${d} m=${m} (${twoLayerWasmSlabs(n, d, m).slabs} slabs), ${threadsLabel(ctx.threads)} vs 1`,
        threads: ctx.threads, runs: r.ours, flops: 4 * n * m * d, reference: { name: "splitscape, 1 thread", runs: r.ref },
      }));
    }
    return rows;
  },
};

/** Dense Hessians with p ≈ 1000: two-layer (Gauss–Newton assembly vs p HVPs) and an MLP. */
export const modelHessianWorkload: Workload = {
  name: "model-hessian",
  description: "dense Hessian, p ≈ 1000 (n = 1000 samples, logistic loss)",
  async run(ctx: BenchContext): Promise<Row[]> {
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
      const r = sideBySide(ctx.runs, () => runSeconds(() => hessian({ arch: c.arch, theta }, { X, Y }, "logistic", { method: c.method }),
        { warmupSeconds: 0.5, batchSeconds: 0.3 }), null);
      rows.push(makeRow({ workload: "model-hessian", case: `${c.label} p=${p} ${c.method}`, threads: null, runs: r.ours }));
    }
    return rows;
  },
};

