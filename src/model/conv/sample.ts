/**
 * One-sample passes with explicit activation slopes, for the Clarke-aware KKT certificate
 * (margin/kkt.ts): where a unit sits on a kink its derivative may be any s in ∂σ(0), so the margin
 * gradient h(s) is formed with chosen slopes. A "unit" of conv layer l is one entry (c, y, x) of
 * its pre-activation Z_l, indexed c·H_l·W_l + y·W_l + x (PyTorch's C,H,W order).
 * Runs the batch kernels (kernels.ts) on a block of one sample, with σ′(Z_l) replaced by the slopes.
 */
import type { ConvArchitecture } from "./architecture.js";
import type { ConvWorkspace } from "./kernels.js";
import { colRows, convBackwardBlock, convForwardBlock, createConvWorkspace, plane } from "./kernels.js";

/** Pre-activations of one input and the scales of the kink test. */
export interface ConvSamplePass {
  /** The input row x (C₀·H₀·W₀). */
  readonly x: Float64Array;
  /** Z_l (C_l·H_l·W_l) of every conv layer l = 1…h, then the outputs f(x; θ) (k). */
  readonly pre: Float64Array[];
  /**
   * Per conv layer and unit (c, y, x): ‖K_l[c]‖·‖input patch at (y, x)‖ ≥ |Z_l[c, y, x]|
   * (Cauchy–Schwarz; the zero padding counts as zeros), the scale of the relative kink test.
   */
  readonly scale: Float64Array[];
}

const workspaces = new WeakMap<ConvArchitecture, ConvWorkspace>();

function sampleWorkspace(arch: ConvArchitecture): ConvWorkspace {
  let ws = workspaces.get(arch);
  if (ws === undefined) {
    ws = createConvWorkspace(arch, 1, 1);
    workspaces.set(arch, ws);
  }
  return ws;
}

/** Forward pass of one input x: pre-activations, outputs and kink-test scales (see ConvSamplePass). */
export function convSampleForward(arch: ConvArchitecture, theta: Float64Array, x: Float64Array): ConvSamplePass {
  const ws = sampleWorkspace(arch);
  const g = ws.geometry;
  const out = new Float64Array(arch.outputs);
  convForwardBlock(ws, theta, x, 0, 1, null, out, 1);
  const pre: Float64Array[] = [];
  const scale: Float64Array[] = [];
  for (const s of g.convStages) {
    const sg = g.stages[s];
    const P = plane(sg.out);
    const Q = colRows(sg);
    const C = sg.out.channels;
    pre.push(ws.Z[s]!.slice(0, C * P));
    const col = ws.col[s]!;
    const patch = new Float64Array(P);
    for (let q = 0; q < Q; q++) for (let p = 0; p < P; p++) patch[p] += col[q * P + p] ** 2;
    const sc = new Float64Array(C * P);
    for (let c = 0; c < C; c++) {
      let kn = 0;
      for (let q = 0; q < Q; q++) kn += theta[sg.offset + c * Q + q] ** 2;
      kn = Math.sqrt(kn);
      for (let p = 0; p < P; p++) sc[c * P + p] = kn * Math.sqrt(patch[p]);
    }
    scale.push(sc);
  }
  pre.push(out);
  return { x, pre, scale };
}

/**
 * g += alpha·∇_θ ⟨w, f(θ; x)⟩ with σ′(Z_l) replaced by slopes[l − 1] (one array per conv layer,
 * C_l·H_l·W_l entries; w has k entries: w = y_c e_c gives the margin gradient of constraint (x, c)).
 */
export function convSampleGradient(
  arch: ConvArchitecture, theta: Float64Array, pass: ConvSamplePass, w: Float64Array,
  slopes: readonly Float64Array[], g: Float64Array, alpha = 1,
): void {
  const ws = sampleWorkspace(arch);
  const geo = ws.geometry;
  convForwardBlock(ws, theta, pass.x, 0, 1, null, new Float64Array(arch.outputs), 1);
  geo.convStages.forEach((s, l) => ws.D[s]!.set(slopes[l]));
  const R = Float64Array.from(w, (v) => alpha * v);
  convBackwardBlock(ws, theta, 1, R, 0, g, 0, 1);
}
