/**
 * F on a grid θ(x, y) = θ₀ + x·U + y·V (y ≡ 0 without V), batched through GEMMs.
 *
 * The first layer's pre-activations are affine in the grid coordinates:
 *   Z(x, y) = X̃ W̃(x, y)ᵀ = X̃W̃₀ᵀ + x·X̃W̃_Uᵀ + y·X̃W̃_Vᵀ = Z₀ + x·Z_U + y·Z_V,
 * (W̃ = [W | b], X̃ = [X | 1] with input biases), so three GEMMs (n×d̃ by d̃×m) serve every grid
 * point; what is left per point is element-wise: σ of Z₀ + xZ_U + yZ_V and, for a two-layer
 * network, the output Σ_j a_j(x, y) σ(z_ij) — O(n·m) per point instead of O(n·m·d̃). For a
 * piecewise-linear σ (relu, leaky_relu, linear) a two-layer row panel is summed exactly by a
 * sweep over the kinks instead (outputsPiecewiseLinearPanel): O(n·m·log nx + n·nx) per panel.
 * Deeper MLP layers get their weights W_l(x, y) per point and one GEMM each (H_{l−1}W_lᵀ).
 * The loss is taken in log space (model/losses.ts, lossOnOutputs), the penalty (β/2)‖θ_reg‖²
 * directly from θ(x, y).
 *
 * The grid is evaluated in row panels (all x for one y): Z₀ + y·Z_V is formed once per panel,
 * and panels are independent given the read-only Z₀, Z_U, Z_V. Two-layer networks with σ ∈
 * {relu, leaky_relu, linear, tanh, sigmoid} run their panels on the wasm kernel and the worker
 * pool (panelKernel.ts, assembly/slice.ts: the same sweep, and the G = e^{−cz} recurrence in
 * f64x2); MLPs and other σ run them here (evaluateRowPanel), one after another on the calling
 * thread. `sliceGridNaive` evaluates one network at a time (the reference).
 */
import { InputError } from "../common/errors.js";
import { gemmRaw } from "../linalg/gemm.js";
import type { Activation, Model, ModelData } from "../model/index.js";
import { mlpWeights, outputDim, lossOnOutputs, piecewiseLinearSlope, twoLayerParts, type Architecture } from "../model/index.js";
import { applyActivation } from "../model/activations.js";
import { objectiveValue, penaltyMask, type ObjectiveSpec } from "../inspect/index.js";
import { panelKernelApplies, panelKernelLossSums } from "./panelKernel.js";

/** The precomputed products may hold at most this many float64 entries (256 MB). */
export const SLICE_MAX_ENTRIES = 1 << 25;

/** What to evaluate. */
export interface GridProblem {
  readonly model: Model;
  readonly data: ModelData;
  readonly spec: ObjectiveSpec;
  readonly U: Float64Array;
  readonly V: Float64Array | null;
  readonly xs: Float64Array;
  /** [0] for a 1-D slice. */
  readonly ys: Float64Array;
}

/** Values on the grid, row-major (ys.length × xs.length): value[j·nx + i] at (xs[i], ys[j]). */
export interface GridValues {
  readonly objective: Float64Array;
  readonly loss: Float64Array;
  readonly logLoss: Float64Array;
  readonly penalty: Float64Array;
}

/** Everything a row panel reads (shared, read-only) — see the file comment. */
interface SliceContext {
  readonly problem: GridProblem;
  readonly n: number;
  readonly k: number;
  readonly mask: Uint8Array;
  /** First-layer products n×h₁. */
  readonly Z0: Float64Array;
  readonly ZU: Float64Array;
  readonly ZV: Float64Array;
  readonly h1: number;
  /** Two-layer: outgoing weights (m×k) and output biases (k) of θ₀, U, V. */
  readonly out: { a: Float64Array[]; c: Float64Array[] } | null;
  /** MLP: W_l of θ₀, U, V for l ≥ 2. */
  readonly deep: { W0: Float64Array[]; WU: Float64Array[]; WV: Float64Array[] } | null;
}

function combine(dst: Float64Array, a: Float64Array, x: number, b: Float64Array, y: number, c: Float64Array): void {
  for (let t = 0; t < dst.length; t++) dst[t] = a[t] + x * b[t] + y * c[t];
}

/** X̃ (n×d̃) and the W̃ rows of θ (m×d̃) for the first layer. */
function firstLayer(arch: Architecture, theta: Float64Array): Float64Array {
  if (arch.kind === "conv" || arch.kind === "parallel-three-layer") throw new RangeError(`slice: ${arch.kind} models are not supported`);
  if (arch.kind === "mlp") return mlpWeights(arch, theta)[0];
  const P = twoLayerParts(arch, theta);
  if (!P.b) return P.W;
  const { d, m } = arch;
  const W = new Float64Array(m * (d + 1));
  for (let j = 0; j < m; j++) {
    W.set(P.W.subarray(j * d, (j + 1) * d), j * (d + 1));
    W[j * (d + 1) + d] = P.b[j];
  }
  return W;
}

function augmentedInputs(arch: Architecture, data: ModelData): { X: Float64Array; dt: number } {
  const d = data.X.cols;
  if (arch.kind !== "two-layer" || !arch.inputBias) return { X: data.X.data, dt: d };
  const n = data.X.rows;
  const X = new Float64Array(n * (d + 1));
  for (let i = 0; i < n; i++) {
    X.set(data.X.data.subarray(i * d, (i + 1) * d), i * (d + 1));
    X[i * (d + 1) + d] = 1;
  }
  return { X, dt: d + 1 };
}

/** The three first-layer GEMMs and the per-architecture weights (InputError beyond SLICE_MAX_ENTRIES). */
export function prepareSlice(problem: GridProblem): SliceContext {
  const { model, data } = problem;
  const arch = model.arch;
  if (arch.kind === "conv" || arch.kind === "parallel-three-layer") throw new RangeError(`slice: ${arch.kind} models are not supported`);
  const n = data.X.rows;
  const h1 = arch.kind === "two-layer" ? arch.m : arch.widths[1];
  const entries = 3 * n * h1;
  if (entries > SLICE_MAX_ENTRIES) {
    throw new InputError("--data", `the batched slice keeps 3·n·width = ${entries} entries (n = ${n}, first-layer width ${h1}); the limit is ${SLICE_MAX_ENTRIES}`);
  }
  const { X, dt } = augmentedInputs(arch, data);
  const V = problem.V ?? new Float64Array(model.theta.length);
  const product = (theta: Float64Array): Float64Array => {
    const Z = new Float64Array(n * h1);
    gemmRaw(false, true, n, h1, dt, 1, X, 0, dt, firstLayer(arch, theta), 0, dt, 0, Z, 0, h1);
    return Z;
  };
  const thetas = [model.theta, problem.U, V];
  const [Z0, ZU, ZV] = thetas.map(product);
  let out: SliceContext["out"] = null;
  let deep: SliceContext["deep"] = null;
  if (arch.kind === "two-layer") {
    const parts = thetas.map((t) => twoLayerParts(arch, t));
    out = { a: parts.map((P) => P.a), c: parts.map((P) => P.c ?? new Float64Array(arch.k)) };
  } else {
    const Ws = thetas.map((t) => mlpWeights(arch, t).slice(1));
    deep = { W0: Ws[0], WU: Ws[1], WV: Ws[2] };
  }
  return { problem, n, k: outputDim(arch), mask: penaltyMask(arch), Z0, ZU, ZV, h1, out, deep };
}

/** Samples per block of the two-layer panel loop: a block of Z_b and Z_U rows stays in L1/L2 across every x. */
const SAMPLE_BLOCK = 16;

/**
 * Two-layer outputs of every point of a row panel (smooth σ: element-wise):
 * F[i·n·k + s·k + q] = c_q(x_i) + Σ_u a_uq(x_i)·σ(Zb_su + x_i·ZU_su),
 * with A (nx × m·k) and C (nx × k) the per-point output weights and biases. Loops samples in blocks
 * (outer) and grid points (inner), so each block of Zb, ZU is read from cache nx times.
 */
function outputsTwoLayerPanel(ctx: SliceContext, ws: PanelWorkspace, xs: Float64Array): void {
  const { n, k, ZU, h1: m } = ctx;
  const { Zb, A, C, Fp: F, buf } = ws;
  const act: Activation = ctx.problem.model.arch.activation;
  const nk = n * k;
  const mk = m * k;
  for (let s0 = 0; s0 < n; s0 += SAMPLE_BLOCK) {
    const s1 = Math.min(n, s0 + SAMPLE_BLOCK);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const aOff = i * mk;
      for (let s = s0; s < s1; s++) {
        const row = s * m;
        for (let u = 0; u < m; u++) buf[u] = Zb[row + u] + x * ZU[row + u];
        applyActivation(act, buf, 0, m, buf, null, null);
        for (let q = 0; q < k; q++) {
          let acc = C[i * k + q];
          for (let u = 0; u < m; u++) acc += buf[u] * A[aOff + u * k + q];
          F[i * nk + s * k + q] = acc;
        }
      }
    }
  }
}

/**
 * The first index i with (A + xs[i]·B > 0) === (B > 0) — where a unit switches on (B > 0) or
 * off (B < 0) along the row; the test is monotone in i. Guessed from the kink −A/B on the
 * (equally spaced) grid and corrected by the test itself, so it equals a binary search.
 */
function crossing(xs: Float64Array, A: number, B: number, step: number): number {
  const nx = xs.length;
  const up = B > 0;
  const guess = Math.ceil((-A / B - xs[0]) / step);
  let i = guess >= 0 ? (guess <= nx ? guess : nx) : 0;
  while (i > 0 && (A + xs[i - 1] * B > 0) === up) i--;
  while (i < nx && (A + xs[i] * B > 0) !== up) i++;
  return i;
}

/**
 * Two-layer outputs of a row panel for piecewise-linear σ(z) = z·(s₀ + (1 − s₀)·[z > 0]), exactly
 * by sweeping: along the row a unit's term (P + xQ)(A + xB)·σ-slope is a quadratic in x that
 * switches slope once, at x* = −A/B (A = Zb, B = Z_U, P, Q its outgoing weights at y and their
 * x-rate). Per sample, the quadratics of the active units enter difference arrays at the grid
 * index where they switch on (binary search of the same test A + x_i·B > 0 as the element-wise
 * loop), prefix sums give the active coefficients at every x_i, and
 *   f(x_i) = c(x_i) + s₀·Σ_all q_u(x_i) + (1 − s₀)·Σ_active q_u(x_i).
 * O(n·m·log nx + n·nx) per panel instead of O(n·m·nx); the rounding is that of the expanded
 * coefficients and their running sums, of the order ε·Σ_u |a_u||z_u| like the direct sum.
 */
function outputsPiecewiseLinearPanel(ctx: SliceContext, ws: PanelWorkspace, xs: Float64Array, s0: number): void {
  const { n, k, ZU, h1: m } = ctx;
  const { Zb, Fp: F, D } = ws;
  const { a, c } = ctx.out!;
  const nx = xs.length;
  const nk = n * k;
  const stride = 3 * k; // per grid index: (c0, c1, c2) for each output
  const dl = 1 - s0;
  const step = nx > 1 ? (xs[nx - 1] - xs[0]) / (nx - 1) : 1;
  // Outgoing weights at this panel's y: P = a₀ + y·a_V (ws.ab), Q = a_U; output bias c(x) = cb + x·c_U.
  const P = ws.ab;
  const Q = a[1];
  const all = ws.allQ;
  for (let s = 0; s < n; s++) {
    D.fill(0);
    all.fill(0);
    const row = s * m;
    for (let u = 0; u < m; u++) {
      const A = Zb[row + u];
      const B = ZU[row + u];
      let from = 0;
      let to = nx;
      if (B > 0) from = crossing(xs, A, B, step);
      else if (B < 0) to = crossing(xs, A, B, step);
      else if (!(A > 0)) to = 0;
      for (let q = 0; q < k; q++) {
        const p = P[u * k + q];
        const r = Q[u * k + q];
        const q0 = p * A;
        const q1 = p * B + r * A;
        const q2 = r * B;
        all[3 * q] += q0;
        all[3 * q + 1] += q1;
        all[3 * q + 2] += q2;
        if (from < to) {
          D[from * stride + 3 * q] += q0;
          D[from * stride + 3 * q + 1] += q1;
          D[from * stride + 3 * q + 2] += q2;
          D[to * stride + 3 * q] -= q0;
          D[to * stride + 3 * q + 1] -= q1;
          D[to * stride + 3 * q + 2] -= q2;
        }
      }
    }
    for (let q = 0; q < k; q++) {
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      for (let i = 0; i < nx; i++) {
        c0 += D[i * stride + 3 * q];
        c1 += D[i * stride + 3 * q + 1];
        c2 += D[i * stride + 3 * q + 2];
        const x = xs[i];
        const active = c0 + x * (c1 + x * c2);
        const every = all[3 * q] + x * (all[3 * q + 1] + x * all[3 * q + 2]);
        F[i * nk + s * k + q] = ws.cb[q] + x * c[1][q] + s0 * every + dl * active;
      }
    }
  }
}

/** Grid points between exact evaluations of e^{−c|z|} in the geometric recurrence (bounds its rounding drift to ~16ε). */
const EXP_RESTART = 16;

/**
 * Two-layer outputs of a row panel for σ = tanh or sigmoid, from E = e^{−c|z|} (tanh: c = 2,
 * σ = sign(z)(1 − E)/(1 + E) = ±(2/(1 + E) − 1); sigmoid: c = 1, σ = 1/(1 + E) for z > 0, E/(1 + E)
 * = 1 − 1/(1 + E) otherwise: one division per point).
 * Along the row z_i = A + x_i·B is affine on an equally spaced grid, so on each side of the sign
 * change |z_i| moves by ±B·h per point and E_i = E_{i−1}·ρ with ρ = e^{∓cBh}: one exponential
 * every EXP_RESTART points instead of one per point (the recurrence restarts from an exact
 * e^{−c|z_i|}, so its relative drift stays ≲ 16ε). The value formulas are exact in E; near z = 0
 * they lose relative, not absolute, accuracy (~ε), the level of the rounding of z itself.
 */
function outputsExpPanel(ctx: SliceContext, ws: PanelWorkspace, xs: Float64Array, tanh: boolean): void {
  const { n, k, ZU, h1: m } = ctx;
  const { Zb, Fp: F } = ws;
  const { a, c } = ctx.out!;
  const nx = xs.length;
  const nk = n * k;
  const cc = tanh ? 2 : 1;
  const h = nx > 1 ? (xs[nx - 1] - xs[0]) / (nx - 1) : 1;
  const P = ws.ab;
  const Q = a[1];
  const acc = ws.D; // nx·k accumulators of one sample (ws.D has (nx + 1)·3k entries)
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < nx; i++) for (let q = 0; q < k; q++) acc[i * k + q] = ws.cb[q] + xs[i] * c[1][q];
    const row = s * m;
    for (let u = 0; u < m; u++) {
      const A = Zb[row + u];
      const B = ZU[row + u];
      // Points [0, split) have one sign of z, [split, nx) the other (B = 0: one segment).
      const split = B > 0 ? crossing(xs, A, B, h) : B < 0 ? crossing(xs, A, B, h) : nx;
      for (let seg = 0; seg < 2; seg++) {
        const i0 = seg === 0 ? 0 : split;
        const i1 = seg === 0 ? split : nx;
        if (i0 >= i1) continue;
        const positive = A + xs[i0] * B > 0;
        const rho = Math.exp(-cc * (positive ? B : -B) * h);
        // σ = α + β/(1 + E) on the segment: tanh ±(2/(1 + E) − 1), sigmoid 1/(1 + E) or 1 − 1/(1 + E).
        const alpha = tanh ? (positive ? -1 : 1) : positive ? 0 : 1;
        const beta = tanh ? (positive ? 2 : -2) : positive ? 1 : -1;
        let E = 0;
        let left = 0;
        for (let i = i0; i < i1; i++) {
          const x = xs[i];
          if (left === 0) {
            E = Math.exp(-cc * Math.abs(A + x * B));
            left = EXP_RESTART;
          } else {
            E *= rho;
          }
          left--;
          const v = alpha + beta / (1 + E);
          if (k === 1) acc[i] += (P[u] + x * Q[u]) * v;
          else for (let q = 0; q < k; q++) acc[i * k + q] += (P[u * k + q] + x * Q[u * k + q]) * v;
        }
      }
    }
    for (let i = 0; i < nx; i++) for (let q = 0; q < k; q++) F[i * nk + s * k + q] = acc[i * k + q];
  }
}

/** Workspace of one row panel (per worker when panels run in parallel). */
interface PanelWorkspace {
  readonly Zb: Float64Array;
  /** Outputs of every point of the panel (nx × n·k; MLP: one point). */
  readonly Fp: Float64Array;
  readonly buf: Float64Array;
  /** Two-layer: output weights and biases per point of the panel (nx × m·k, nx × k). */
  readonly A: Float64Array;
  readonly C: Float64Array;
  /** Two-layer: a₀ + y·a_V and c₀ + y·c_V of the panel; piecewise-linear sweep: difference arrays ((nx + 1) × 3k) and Σ_all coefficients (3k). */
  readonly ab: Float64Array;
  readonly cb: Float64Array;
  readonly D: Float64Array;
  readonly allQ: Float64Array;
  readonly theta: Float64Array;
  /** MLP: activations and weights per layer. */
  readonly H: Float64Array[];
  readonly W: Float64Array[];
}

function panelWorkspace(ctx: SliceContext): PanelWorkspace {
  const arch = ctx.problem.model.arch;
  const nx = ctx.problem.xs.length;
  const two = arch.kind === "two-layer";
  return {
    Zb: new Float64Array(ctx.n * ctx.h1), Fp: new Float64Array((two ? nx : 1) * ctx.n * ctx.k), buf: new Float64Array(ctx.h1),
    A: new Float64Array(two ? nx * ctx.h1 * ctx.k : 0), C: new Float64Array(two ? nx * ctx.k : 0),
    ab: new Float64Array(two ? ctx.h1 * ctx.k : 0), cb: new Float64Array(ctx.k),
    D: new Float64Array(two ? (nx + 1) * 3 * ctx.k : 0), allQ: new Float64Array(3 * ctx.k),
    theta: new Float64Array(ctx.problem.model.theta.length),
    H: arch.kind === "mlp" ? arch.widths.slice(1).map((w) => new Float64Array(ctx.n * w)) : [],
    W: ctx.deep ? ctx.deep.W0.map((w) => new Float64Array(w.length)) : [],
  };
}

/** MLP outputs at (x, y) with Zb = Z₀ + y·Z_V already formed. */
function outputsMlp(ctx: SliceContext, ws: PanelWorkspace, x: number, y: number): Float64Array {
  const arch = ctx.problem.model.arch;
  if (arch.kind !== "mlp" || ctx.deep === null) throw new RangeError("outputsMlp: not an MLP");
  const { n } = ctx;
  const L = arch.widths.length - 1;
  const H1 = ws.H[0];
  for (let t = 0; t < H1.length; t++) H1[t] = ws.Zb[t] + x * ctx.ZU[t];
  if (L === 1) return H1;
  applyActivation(arch.activation, H1, 0, H1.length, H1, null, null);
  for (let l = 1; l < L; l++) {
    const W = ws.W[l - 1];
    combine(W, ctx.deep.W0[l - 1], x, ctx.deep.WU[l - 1], y, ctx.deep.WV[l - 1]);
    const rows = arch.widths[l + 1];
    const cols = arch.widths[l];
    gemmRaw(false, true, n, rows, cols, 1, ws.H[l - 1], 0, cols, W, 0, cols, 0, ws.H[l], 0, rows);
    if (l < L - 1) applyActivation(arch.activation, ws.H[l], 0, ws.H[l].length, ws.H[l], null, null);
  }
  return ws.H[L - 1];
}

/** Row panel j: every x at y = ys[j], written into `out` at offset j·nx. */
export function evaluateRowPanel(ctx: SliceContext, j: number, out: GridValues, ws: PanelWorkspace = panelWorkspace(ctx)): void {
  const { problem, n, k } = ctx;
  const { xs, ys, data, spec, model } = problem;
  const y = ys[j];
  const nx = xs.length;
  const mean = spec.mean ?? false;
  combine(ws.Zb, ctx.Z0, 0, ctx.Z0, y, ctx.ZV); // Zb = Z₀ + y·Z_V
  if (ctx.out) {
    const { a, c } = ctx.out;
    combine(ws.ab, a[0], 0, a[0], y, a[2]);
    combine(ws.cb, c[0], 0, c[0], y, c[2]);
    const slope = piecewiseLinearSlope(model.arch.activation);
    const act = model.arch.activation.name;
    if (slope !== null) {
      outputsPiecewiseLinearPanel(ctx, ws, xs, slope);
    } else if (act === "tanh" || act === "sigmoid") {
      outputsExpPanel(ctx, ws, xs, act === "tanh");
    } else {
      const mk = a[0].length;
      for (let i = 0; i < nx; i++) {
        const x = xs[i];
        for (let t = 0; t < mk; t++) ws.A[i * mk + t] = ws.ab[t] + x * a[1][t];
        for (let t = 0; t < k; t++) ws.C[i * k + t] = ws.cb[t] + x * c[1][t];
      }
      outputsTwoLayerPanel(ctx, ws, xs);
    }
  }
  for (let i = 0; i < nx; i++) {
    const x = xs[i];
    const F = ctx.out ? ws.Fp.subarray(i * n * k, (i + 1) * n * k) : outputsMlp(ctx, ws, x, y);
    const lv = lossOnOutputs(spec.loss, F, data.Y.data, n, k, mean, null, null);
    const pen = penaltyAt(ctx, x, y);
    const at = j * nx + i;
    out.loss[at] = lv.loss;
    out.logLoss[at] = lv.logLoss;
    out.penalty[at] = pen;
    out.objective[at] = lv.loss + pen;
  }
}

/** (β/2)‖θ_reg(x, y)‖² at one grid point (θ(x, y) formed entry by entry, as the naive path). */
function penaltyAt(ctx: SliceContext, x: number, y: number): number {
  const { model, U, V, spec } = ctx.problem;
  const beta = spec.beta ?? 0;
  if (beta === 0) return 0;
  const { mask } = ctx;
  let pen = 0;
  for (let t = 0; t < model.theta.length; t++) {
    const v = model.theta[t] + x * U[t] + (V ? y * V[t] : 0);
    if (mask[t]) pen += v * v;
  }
  return 0.5 * beta * pen;
}

function allocate(nx: number, ny: number): GridValues {
  const size = nx * ny;
  return { objective: new Float64Array(size), loss: new Float64Array(size), logLoss: new Float64Array(size), penalty: new Float64Array(size) };
}

/**
 * Loss sums below this (after the mean) take the log-space path (model/losses.ts finishLoss,
 * DIRECT_SUM_MIN): the kernel's points there are recomputed one network at a time.
 */
const LOG_SPACE_BELOW = 1e-280;

/**
 * The two-layer grid on the wasm panel kernel (panelKernel.ts), or null where it does not apply.
 * The kernel returns unscaled loss sums; the mean, the log and the penalty are taken here, and a
 * point whose loss is not a finite number ≥ LOG_SPACE_BELOW (log space, NaN, overflow) is
 * evaluated one network at a time by the model's own loss instead.
 */
function sliceGridKernel(ctx: SliceContext): GridValues | null {
  const { problem, n, k } = ctx;
  const { model, data, spec, xs, ys } = problem;
  const arch = model.arch;
  if (arch.kind !== "two-layer" || ctx.out === null || !panelKernelApplies(arch.activation)) return null;
  const sums = panelKernelLossSums({
    n, m: ctx.h1, k, activation: arch.activation, loss: spec.loss, Z0: ctx.Z0, ZU: ctx.ZU, ZV: ctx.ZV,
    Y: data.Y.data, a: ctx.out.a, c: ctx.out.c, xs, ys,
  });
  if (sums === null) return null;
  const nx = xs.length;
  const out = allocate(nx, ys.length);
  const mean = spec.mean ?? false;
  for (let j = 0; j < ys.length; j++) {
    for (let i = 0; i < nx; i++) {
      const at = j * nx + i;
      const loss = mean ? sums[at] / n : sums[at];
      const pen = penaltyAt(ctx, xs[i], ys[j]);
      if (loss >= LOG_SPACE_BELOW && loss < Infinity) {
        out.loss[at] = loss;
        out.logLoss[at] = Math.log(loss);
      } else {
        const theta = Float64Array.from(model.theta, (t, p) => t + xs[i] * problem.U[p] + (problem.V ? ys[j] * problem.V[p] : 0));
        const v = objectiveValue({ arch, theta }, data, spec);
        out.loss[at] = v.loss;
        out.logLoss[at] = v.logLoss;
      }
      out.penalty[at] = pen;
      out.objective[at] = out.loss[at] + pen;
    }
  }
  return out;
}

/** Which evaluation sliceGrid uses: the wasm kernel where it applies (default), or the TS panels. */
export interface SliceGridOptions {
  readonly kernel?: "auto" | "typescript";
}

/**
 * F on the grid θ(x, y) = θ₀ + x·U + y·V, batched (see the file comment): the first layer's
 * pre-activations are affine in (x, y), Z = Z₀ + x·Z_U + y·Z_V, so three GEMMs serve every grid
 * point. Two-layer networks with σ ∈ {relu, leaky_relu, linear, tanh, sigmoid} run on the wasm
 * panel kernel and the worker pool, MLPs and two-layer networks with another σ by the TS row
 * panels on the calling thread, conv networks one network per grid point (each a batched im2col +
 * GEMM pass over all samples: a conv layer's input depends on θ(x, y), so the first-layer trick
 * covers only its first layer). The loss is taken in log space.
 *
 * @param problem - model θ₀, data, objective spec, directions U and V (null: a line) of length p, and the grid's xs and ys (ys = [0] on a line)
 * @param opts - kernel: "auto" (default) or "typescript" (the row panels on this thread)
 * @returns objective, loss, logLoss and penalty on the grid, row-major: entry j·nx + i at (xs[i], ys[j]); an InputError when the precomputed products would exceed SLICE_MAX_ENTRIES
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, axisValues, randomDirection, sliceGrid } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const U = randomDirection(net, 1, "filter").vector;
 * const xs = axisValues({ lo: -1, hi: 1, count: 21 });
 * const values = sliceGrid({ model: net, data, spec: { loss: "logistic" }, U, V: null, xs, ys: Float64Array.of(0) });
 * console.log(values.objective);
 * ```
 */
export function sliceGrid(problem: GridProblem, opts: SliceGridOptions = {}): GridValues {
  if (problem.model.arch.kind === "conv") return sliceGridNaive(problem);
  const ctx = prepareSlice(problem);
  if (opts.kernel !== "typescript") {
    const viaKernel = sliceGridKernel(ctx);
    if (viaKernel !== null) return viaKernel;
  }
  const out = allocate(problem.xs.length, problem.ys.length);
  const ws = panelWorkspace(ctx);
  for (let j = 0; j < problem.ys.length; j++) evaluateRowPanel(ctx, j, out, ws);
  return out;
}

/** The reference: one network θ(x, y) at a time through the model's own loss. */
export function sliceGridNaive(problem: GridProblem): GridValues {
  const { model, data, spec, U, V, xs, ys } = problem;
  const out = allocate(xs.length, ys.length);
  const theta = new Float64Array(model.theta.length);
  for (let j = 0; j < ys.length; j++) {
    for (let i = 0; i < xs.length; i++) {
      for (let t = 0; t < theta.length; t++) theta[t] = model.theta[t] + xs[i] * U[t] + (V ? ys[j] * V[t] : 0);
      const v = objectiveValue({ arch: model.arch, theta }, data, spec);
      const at = j * xs.length + i;
      out.objective[at] = v.objective;
      out.loss[at] = v.loss;
      out.logLoss[at] = v.logLoss;
      out.penalty[at] = v.penalty;
    }
  }
  return out;
}
