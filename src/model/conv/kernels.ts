/**
 * Batch kernels of the bias-free CNN (architecture.ts) over n samples, processed in blocks of nb
 * samples. Per block, with U_0 = the data rows, stage s maps U_{s−1} to
 *
 *   conv:     Col_s = im2col(U_{s−1}),  Z_s = K_s·Col_s,  U_s = σ(Z_s)       (one GEMM per block)
 *   avgpool:  U_s = pool(U_{s−1})
 *   head:     F = flat(U_S)·Wᵀ                                               (forward)
 *
 * and, given R = ∂ℒ/∂F (VJP, PyTorch's autograd order in reverse):
 *
 *   ∂W = Rᵀ flat(U_S),  dU_S = R·W;  conv: dZ = dU ⊙ σ′(Z), ∂K_s = dZ·Col_sᵀ, dU_{s−1} = col2im(K_sᵀ dZ);
 *   avgpool: dU_{s−1} = poolᵀ dU.
 *
 * Internal tensors are "C,N,HW" planes (im2col.ts), so K·Col and dZ·Colᵀ are single GEMMs over
 * the block (linalg gemmRaw: the wasm f64x2 kernel). Every step is per sample until the weight
 * reductions, which accumulate block by block (β = 1 after the first), so results do not depend on
 * the block size beyond rounding. Workspaces are explicit scratch records, not re-entrant.
 */
import { gemmRaw } from "../../linalg/gemm.js";
import { applyActivation } from "../activations.js";
import type { LossName } from "../losses.js";
import { finishLoss, lossSumRange } from "../losses.js";
import type { LossValue } from "../objective.js";
import type { ConvArchitecture, ConvGeometry, StageGeometry } from "./architecture.js";
import { convGeometry } from "./architecture.js";
import type { Planes } from "./im2col.js";
import { avgPool, avgPoolTransposeAdd, col2imAdd, im2col, planesToRows, rowsToPlanes } from "./im2col.js";

/**
 * Target size, in float64 entries, of the largest per-block buffer (an im2col matrix or an
 * activation tensor): 2^18 entries = 2 MB, so one block's buffers stay in L2/L3. On the MNIST
 * CNN of bench/conv.ts (im2col 25 × 576 per image) that is 18 images per block; its "block b" rows
 * (measured on a shared, heavily loaded 2-core machine) put 4–18 images per block within noise
 * of each other and 64–256 images ~1.4× slower (whole-batch buffers stream 115 MB im2col matrices).
 */
export const CONV_BLOCK_ENTRIES = 1 << 18;

export interface SecondOrderBuffers {
  /** σ″(Z_s), R{Z_s}, R{U_s}, im2col(R{U_{s−1}}) per stage (null where unused). */
  D2: (Float64Array | null)[];
  RZ: (Float64Array | null)[];
  RU: (Float64Array | null)[];
  Rcol: (Float64Array | null)[];
  /** R{flat(U_S)} (nb×F), R{F}, R{G} (nb×k), ∂²ℒ/∂F² (capacity×k). */
  Rfeat: Float64Array;
  RF: Float64Array;
  RG: Float64Array;
  d2F: Float64Array;
  /** Ping-pong buffers of R{dU}, and R{dfeat}. */
  ra: Float64Array;
  rb: Float64Array;
  Rdfeat: Float64Array;
}

/** Scratch memory of the conv kernels for up to `capacity` samples, in blocks of `block`. */
export interface ConvWorkspace {
  readonly kind: "conv";
  readonly arch: ConvArchitecture;
  readonly geometry: ConvGeometry;
  readonly capacity: number;
  readonly block: number;
  /** Per stage: Z_s and σ′(Z_s) (conv only), U_s, and Col_s (conv only), for one block. */
  readonly Z: (Float64Array | null)[];
  readonly D: (Float64Array | null)[];
  readonly U: Float64Array[];
  readonly col: (Float64Array | null)[];
  /** Whether a conv stage precedes stage s (then dU_{s−1} and R{U_{s−1}} are needed). */
  readonly convBefore: boolean[];
  /** flat(U_S) and its gradient, nb×F. */
  readonly feat: Float64Array;
  readonly dfeat: Float64Array;
  /** Ping-pong buffers of dU (largest stage tensor) and the col2im input. */
  readonly da: Float64Array;
  readonly db: Float64Array;
  readonly dcol: Float64Array;
  /** capacity×k: outputs F and ∂ℒ/∂F of the whole batch. */
  readonly F: Float64Array;
  readonly dF: Float64Array;
  /** k-vector R = e_c for the Jacobian. */
  readonly unit: Float64Array;
  second: SecondOrderBuffers | null;
}

/** Rows of a conv stage's im2col matrix: in_ch·kh·kw (= the columns of its weight matrix). */
export function colRows(g: StageGeometry): number {
  return g.in.channels * g.stage.kernel[0] * g.stage.kernel[1];
}

/** Entries of one channel plane, H·W. */
export function plane(g: StageGeometry["out"]): number {
  return g.height * g.width;
}

/** Samples per block: the largest per-sample buffer times nb stays ≤ CONV_BLOCK_ENTRIES (≥ 1). */
export function convBlockSamples(arch: ConvArchitecture, capacity: number): number {
  const g = convGeometry(arch);
  let perSample = g.features;
  for (const sg of g.stages) {
    perSample = Math.max(perSample, sg.out.channels * plane(sg.out), sg.in.channels * plane(sg.in));
    if (sg.stage.type === "conv") perSample = Math.max(perSample, colRows(sg) * plane(sg.out));
  }
  return Math.max(1, Math.min(Math.max(1, capacity), Math.floor(CONV_BLOCK_ENTRIES / perSample)));
}

/** A workspace for up to `capacity` samples (`block` samples per block; default convBlockSamples). */
export function createConvWorkspace(arch: ConvArchitecture, capacity: number, block?: number): ConvWorkspace {
  const g = convGeometry(arch);
  const cap = Math.max(1, capacity);
  const b = Math.max(1, Math.min(cap, block ?? convBlockSamples(arch, cap)));
  const Z: (Float64Array | null)[] = [];
  const D: (Float64Array | null)[] = [];
  const U: Float64Array[] = [];
  const col: (Float64Array | null)[] = [];
  const convBefore: boolean[] = [];
  let seenConv = false;
  let maxTensor = 1;
  let maxCol = 1;
  for (const sg of g.stages) {
    const len = b * sg.out.channels * plane(sg.out);
    maxTensor = Math.max(maxTensor, len, b * sg.in.channels * plane(sg.in));
    convBefore.push(seenConv);
    U.push(new Float64Array(len));
    if (sg.stage.type === "conv") {
      Z.push(new Float64Array(len));
      D.push(new Float64Array(len));
      const c = b * colRows(sg) * plane(sg.out);
      col.push(new Float64Array(c));
      maxCol = Math.max(maxCol, c);
      seenConv = true;
    } else {
      Z.push(null);
      D.push(null);
      col.push(null);
    }
  }
  const k = arch.outputs;
  return {
    kind: "conv", arch, geometry: g, capacity, block: b, Z, D, U, col, convBefore,
    feat: new Float64Array(b * g.features), dfeat: new Float64Array(b * g.features),
    da: new Float64Array(maxTensor), db: new Float64Array(maxTensor), dcol: new Float64Array(maxCol),
    F: new Float64Array(cap * k), dF: new Float64Array(cap * k), unit: new Float64Array(k), second: null,
  };
}

export function secondOrderBuffers(ws: ConvWorkspace): SecondOrderBuffers {
  if (ws.second) return ws.second;
  const b = ws.block;
  const g = ws.geometry;
  const k = ws.arch.outputs;
  const D2: (Float64Array | null)[] = [];
  const RZ: (Float64Array | null)[] = [];
  const RU: (Float64Array | null)[] = [];
  const Rcol: (Float64Array | null)[] = [];
  g.stages.forEach((sg, s) => {
    const len = b * sg.out.channels * plane(sg.out);
    const isConv = sg.stage.type === "conv";
    D2.push(isConv ? new Float64Array(len) : null);
    RZ.push(isConv ? new Float64Array(len) : null);
    RU.push(ws.convBefore[s] || isConv ? new Float64Array(len) : null);
    Rcol.push(isConv && ws.convBefore[s] ? new Float64Array(b * colRows(sg) * plane(sg.out)) : null);
  });
  ws.second = {
    D2, RZ, RU, Rcol,
    Rfeat: new Float64Array(b * g.features), RF: new Float64Array(b * k), RG: new Float64Array(b * k),
    d2F: new Float64Array(Math.max(1, ws.capacity) * k),
    ra: new Float64Array(ws.da.length), rb: new Float64Array(ws.da.length), Rdfeat: new Float64Array(b * g.features),
  };
  return ws.second;
}

/** RangeError when n samples do not fit the workspace. */
export function checkCapacity(ws: ConvWorkspace, n: number): void {
  if (n > ws.capacity) throw new RangeError(`conv workspace holds ${ws.capacity} samples, got ${n}`);
}

/** The block's data rows r0…r0+nb−1 as planes (N,C,H,W storage). */
function inputPlanes(ws: ConvWorkspace, X: Float64Array, r0: number): Planes {
  const inp = ws.arch.input;
  const P = inp.height * inp.width;
  return { data: X, off: r0 * inp.channels * P, cStride: P, iStride: inp.channels * P };
}

/** A C,N,HW tensor of nb samples with planes of P entries. */
export function blockPlanes(data: Float64Array, nb: number, P: number): Planes {
  return { data, off: 0, cStride: nb * P, iStride: P };
}

/** Stage s's output (or the input for s < 0) as planes. */
function stageOutput(ws: ConvWorkspace, X: Float64Array, r0: number, nb: number, s: number): Planes {
  return s < 0 ? inputPlanes(ws, X, r0) : blockPlanes(ws.U[s], nb, plane(ws.geometry.stages[s].out));
}

/** Z ← K·Col (+ β·Z) for conv stage sg over nb samples; K at kOff in `kernel`. */
export function convGemm(sg: StageGeometry, nb: number, kernel: Float64Array, kOff: number, col: Float64Array, beta: number, Z: Float64Array): void {
  const Q = colRows(sg);
  const NP = nb * plane(sg.out);
  gemmRaw(false, false, sg.out.channels, NP, Q, 1, kernel, kOff, Q, col, 0, NP, beta, Z, 0, NP);
}

/** grad[K_s] ← β·grad + dZ·Colᵀ. */
export function convWeightGradient(sg: StageGeometry, nb: number, dZ: Float64Array, col: Float64Array, beta: number, grad: Float64Array, gOff: number): void {
  const Q = colRows(sg);
  const NP = nb * plane(sg.out);
  gemmRaw(false, true, sg.out.channels, Q, NP, 1, dZ, 0, NP, col, 0, NP, beta, grad, gOff + sg.offset, Q);
}

/** dst ← 0, then dst += col2im(K_sᵀ·dZ) (the gradient with respect to the stage's input). */
export function convInputGradient(
  ws: ConvWorkspace, sg: StageGeometry, nb: number, kernel: Float64Array, dZ: Float64Array, dst: Float64Array,
  extra: { kernel: Float64Array; dZ: Float64Array } | null,
): void {
  const Q = colRows(sg);
  const NP = nb * plane(sg.out);
  const Pin = plane(sg.in);
  gemmRaw(true, false, Q, NP, sg.out.channels, 1, kernel, sg.offset, Q, dZ, 0, NP, 0, ws.dcol, 0, NP);
  if (extra) gemmRaw(true, false, Q, NP, sg.out.channels, 1, extra.kernel, sg.offset, Q, extra.dZ, 0, NP, 1, ws.dcol, 0, NP);
  dst.fill(0, 0, nb * sg.in.channels * Pin);
  col2imAdd(ws.dcol, 0, NP, sg.in.channels, sg.in.height, sg.in.width, sg.stage, sg.out.height, sg.out.width, nb, blockPlanes(dst, nb, Pin));
}

/** dst ← poolᵀ(g) for pooling stage sg. */
export function poolTranspose(sg: StageGeometry, nb: number, g: Float64Array, dst: Float64Array): void {
  const Pin = plane(sg.in);
  dst.fill(0, 0, nb * sg.in.channels * Pin);
  avgPoolTransposeAdd(blockPlanes(g, nb, plane(sg.out)), sg.in.channels, sg.in.height, sg.in.width, sg.stage,
    sg.out.height, sg.out.width, nb, blockPlanes(dst, nb, Pin));
}

/** flat(U_S) of the block into `rows` (nb×F; the data rows themselves when there is no stage). */
function flatten(ws: ConvWorkspace, X: Float64Array, r0: number, nb: number, rows: Float64Array): void {
  const g = ws.geometry;
  const F = g.features;
  if (g.stages.length === 0) {
    rows.set(X.subarray(r0 * F, (r0 + nb) * F));
    return;
  }
  planesToRows(ws.U[g.stages.length - 1], g.last.channels, plane(g.last), nb, rows, F);
}

/**
 * Forward pass of samples r0…r0+nb−1: fills Col_s, Z_s, σ′(Z_s) (and σ″ into D2 when given), U_s,
 * flat(U_S), and out[r0·k …] = κ·f(x_i; θ).
 */
export function convForwardBlock(
  ws: ConvWorkspace, theta: Float64Array, X: Float64Array, r0: number, nb: number,
  D2: (Float64Array | null)[] | null, out: Float64Array, kappa: number,
): void {
  const g = ws.geometry;
  const act = ws.arch.activation;
  g.stages.forEach((sg, s) => {
    const src = stageOutput(ws, X, r0, nb, s - 1);
    const Po = plane(sg.out);
    if (sg.stage.type === "conv") {
      const NP = nb * Po;
      im2col(src, sg.in.channels, sg.in.height, sg.in.width, sg.stage, sg.out.height, sg.out.width, nb, ws.col[s]!, 0, NP);
      convGemm(sg, nb, theta, sg.offset, ws.col[s]!, 0, ws.Z[s]!);
      applyActivation(act, ws.Z[s]!, 0, sg.out.channels * NP, ws.U[s], ws.D[s], D2 ? D2[s] : null);
    } else {
      avgPool(src, sg.in.channels, sg.in.height, sg.in.width, sg.stage, sg.out.height, sg.out.width, nb, blockPlanes(ws.U[s], nb, Po));
    }
  });
  flatten(ws, X, r0, nb, ws.feat);
  const k = ws.arch.outputs;
  const F = g.features;
  gemmRaw(false, true, nb, k, F, 1, ws.feat, 0, F, theta, g.headOffset, F, 0, out, r0 * k, k);
  if (kappa !== 1) for (let t = r0 * k; t < (r0 + nb) * k; t++) out[t] *= kappa;
}

/**
 * Backward pass of the block after convForwardBlock: grad[gOff …] ← β·grad + Σ_i R_iᵀ ∂f(x_i)/∂θ
 * with R_i = R[rOff + i·k …]; β = 0 overwrites (first block), 1 accumulates. Uses σ′(Z_s) from
 * ws.D (conv/sample.ts replaces it by chosen kink slopes).
 */
export function convBackwardBlock(
  ws: ConvWorkspace, theta: Float64Array, nb: number, R: Float64Array, rOff: number,
  grad: Float64Array, gOff: number, beta: number,
): void {
  const g = ws.geometry;
  const k = ws.arch.outputs;
  const F = g.features;
  gemmRaw(true, false, k, F, nb, 1, R, rOff, k, ws.feat, 0, F, beta, grad, gOff + g.headOffset, F);
  const S = g.stages.length;
  if (g.convStages.length === 0) return;
  gemmRaw(false, false, nb, F, k, 1, R, rOff, k, theta, g.headOffset, F, 0, ws.dfeat, 0, F);
  let cur = ws.da;
  rowsToPlanes(ws.dfeat, F, g.last.channels, plane(g.last), nb, cur);
  for (let s = S - 1; s >= 0; s--) {
    const sg = g.stages[s];
    const next = cur === ws.da ? ws.db : ws.da;
    if (sg.stage.type === "conv") {
      const D = ws.D[s]!;
      const len = nb * sg.out.channels * plane(sg.out);
      for (let t = 0; t < len; t++) cur[t] *= D[t];
      convWeightGradient(sg, nb, cur, ws.col[s]!, beta, grad, gOff);
      if (!ws.convBefore[s]) return;
      convInputGradient(ws, sg, nb, theta, cur, next, null);
    } else {
      if (!ws.convBefore[s]) return;
      poolTranspose(sg, nb, cur, next);
    }
    cur = next;
  }
}

/** F ← f(X; θ) for the first n rows of X (F is n×k). */
export function convForward(ws: ConvWorkspace, theta: Float64Array, X: Float64Array, n: number, F: Float64Array): void {
  checkCapacity(ws, n);
  for (let r0 = 0; r0 < n; r0 += ws.block) convForwardBlock(ws, theta, X, r0, Math.min(ws.block, n - r0), null, F, 1);
}

/** Output VJP: grad ← Σ_i R_iᵀ ∂f(x_i; θ)/∂θ (see the file comment). */
export function convVjp(ws: ConvWorkspace, theta: Float64Array, X: Float64Array, n: number, R: Float64Array, grad: Float64Array): void {
  checkCapacity(ws, n);
  if (n === 0) {
    grad.fill(0, 0, ws.geometry.size);
    return;
  }
  for (let r0 = 0; r0 < n; r0 += ws.block) {
    const nb = Math.min(ws.block, n - r0);
    convForwardBlock(ws, theta, X, r0, nb, null, ws.F, 1);
    convBackwardBlock(ws, theta, nb, R, r0 * ws.arch.outputs, grad, 0, r0 === 0 ? 0 : 1);
  }
}

/**
 * Fused loss and gradient: F = κ·f(X; θ), ℒ = s·Σ ℓ(F; Y) (s = 1/n with mean); when grad is given,
 * grad ← Σ_i (∂ℒ/∂F_i)ᵀ ∂f(x_i)/∂θ (= ∇ℒ for κ = 1). F stays in ws.F, ∂ℒ/∂F in ws.dF.
 */
export function convLossGradient(
  ws: ConvWorkspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, kappa: number, grad: Float64Array | null,
): LossValue {
  checkCapacity(ws, n);
  const k = ws.arch.outputs;
  const s = mean ? 1 / n : 1;
  let total = 0;
  if (n === 0) grad?.fill(0, 0, ws.geometry.size);
  for (let r0 = 0; r0 < n; r0 += ws.block) {
    const nb = Math.min(ws.block, n - r0);
    convForwardBlock(ws, theta, X, r0, nb, null, ws.F, kappa);
    total += lossSumRange(loss, ws.F, Y, r0 * k, nb * k, s, grad ? ws.dF : null, null);
    if (grad) convBackwardBlock(ws, theta, nb, ws.dF, r0 * k, grad, 0, r0 === 0 ? 0 : 1);
  }
  return finishLoss(loss, total, ws.F, Y, n, k, mean);
}

/**
 * Per-sample output Jacobian J (n·k × p, row i·k + c = ∂f_c(x_i)/∂θ, row stride ldJ): one forward
 * pass per sample and one backward pass per output with R = e_c.
 */
export function convJacobian(ws: ConvWorkspace, theta: Float64Array, X: Float64Array, n: number, J: Float64Array, ldJ: number): void {
  checkCapacity(ws, n);
  const k = ws.arch.outputs;
  for (let i = 0; i < n; i++) {
    convForwardBlock(ws, theta, X, i, 1, null, ws.F, 1);
    for (let c = 0; c < k; c++) {
      ws.unit.fill(0);
      ws.unit[c] = 1;
      convBackwardBlock(ws, theta, 1, ws.unit, 0, J, (i * k + c) * ldJ, 0);
    }
  }
}
