/**
 * Exact Hessian–vector products of the CNN loss, by Pearlmutter's R-operator R{·} = d/dε (·)(θ + εv)|₀
 * written out for the stages of kernels.ts, v = (V_1, …, V_h, V_W), G = ∂ℒ/∂F, Λ = ∂²ℒ/∂F² (diagonal):
 *
 *   R-forward   conv:    R{Z_s} = V_s·Col_s + K_s·im2col(R{U_{s−1}}),  R{U_s} = σ′(Z_s) ⊙ R{Z_s}
 *               avgpool: R{U_s} = pool(R{U_{s−1}})                     (R{U_0} = 0: the data)
 *               head:    R{F} = R{flat U_S}·Wᵀ + flat(U_S)·V_Wᵀ,  R{G} = Λ ⊙ R{F}
 *   R-backward  (∇²ℒ v)_W = R{G}ᵀ flat(U_S) + Gᵀ R{flat U_S},
 *               dU_S = G·W,  R{dU_S} = R{G}·W + G·V_W
 *               conv:    dZ = dU ⊙ σ′(Z),  R{dZ} = R{dU} ⊙ σ′(Z) + dU ⊙ σ″(Z) ⊙ R{Z},
 *                        (∇²ℒ v)_{K_s} = R{dZ}·Col_sᵀ + dZ·im2col(R{U_{s−1}})ᵀ,
 *                        dU_{s−1} = col2im(K_sᵀ dZ),  R{dU_{s−1}} = col2im(K_sᵀ R{dZ} + V_sᵀ dZ)
 *               avgpool: dU_{s−1} = poolᵀ dU,  R{dU_{s−1}} = poolᵀ R{dU}.
 * σ″ = 0 for the piecewise-linear σ (a.e.; kinks are not seen). Blocked like the gradient.
 */
import { gemmRaw } from "../../linalg/gemm.js";
import type { LossName } from "../losses.js";
import { finishLoss, lossSumRange } from "../losses.js";
import type { LossValue } from "../objective.js";
import { avgPool, im2col, planesToRows, rowsToPlanes } from "./im2col.js";
import type { ConvWorkspace, SecondOrderBuffers } from "./kernels.js";
import {
  blockPlanes, checkCapacity, convForwardBlock, convGemm, convInputGradient, convWeightGradient, plane, poolTranspose,
  secondOrderBuffers,
} from "./kernels.js";

/** R-forward of one block after convForwardBlock (with σ″): R{Z_s}, R{U_s}, R{flat U_S}, R{F}. */
function rForwardBlock(ws: ConvWorkspace, sb: SecondOrderBuffers, theta: Float64Array, v: Float64Array, nb: number): void {
  const g = ws.geometry;
  let Rsrc: Float64Array | null = null; // R{U_{s−1}}; null: zero (upstream of every conv)
  g.stages.forEach((sg, s) => {
    const NP = nb * plane(sg.out);
    if (sg.stage.type === "conv") {
      const RZ = sb.RZ[s]!;
      convGemm(sg, nb, v, sg.offset, ws.col[s]!, 0, RZ);
      if (Rsrc !== null) {
        im2col(blockPlanes(Rsrc, nb, plane(sg.in)), sg.in.channels, sg.in.height, sg.in.width, sg.stage,
          sg.out.height, sg.out.width, nb, sb.Rcol[s]!, 0, NP);
        convGemm(sg, nb, theta, sg.offset, sb.Rcol[s]!, 1, RZ);
      }
      const RU = sb.RU[s]!;
      const D = ws.D[s]!;
      const len = sg.out.channels * NP;
      for (let t = 0; t < len; t++) RU[t] = D[t] * RZ[t];
      Rsrc = RU;
    } else if (Rsrc !== null) {
      avgPool(blockPlanes(Rsrc, nb, plane(sg.in)), sg.in.channels, sg.in.height, sg.in.width, sg.stage,
        sg.out.height, sg.out.width, nb, blockPlanes(sb.RU[s]!, nb, plane(sg.out)));
      Rsrc = sb.RU[s]!;
    }
  });
  const k = ws.arch.outputs;
  const F = g.features;
  gemmRaw(false, true, nb, k, F, 1, ws.feat, 0, F, v, g.headOffset, F, 0, sb.RF, 0, k);
  if (Rsrc !== null) {
    planesToRows(Rsrc, g.last.channels, plane(g.last), nb, sb.Rfeat, F);
    gemmRaw(false, true, nb, k, F, 1, sb.Rfeat, 0, F, theta, g.headOffset, F, 1, sb.RF, 0, k);
  }
}

/** R-backward of one block: out ← β·out + (∇²ℒ v) of the block (G = ws.dF at gOff, R{G} = sb.RG). */
function rBackwardBlock(
  ws: ConvWorkspace, sb: SecondOrderBuffers, theta: Float64Array, v: Float64Array, nb: number, gOff: number,
  out: Float64Array, beta: number,
): void {
  const g = ws.geometry;
  const k = ws.arch.outputs;
  const F = g.features;
  const G = ws.dF;
  gemmRaw(true, false, k, F, nb, 1, sb.RG, 0, k, ws.feat, 0, F, beta, out, g.headOffset, F);
  if (g.convStages.length === 0) return;
  gemmRaw(true, false, k, F, nb, 1, G, gOff, k, sb.Rfeat, 0, F, 1, out, g.headOffset, F);
  gemmRaw(false, false, nb, F, k, 1, G, gOff, k, theta, g.headOffset, F, 0, ws.dfeat, 0, F);
  gemmRaw(false, false, nb, F, k, 1, sb.RG, 0, k, theta, g.headOffset, F, 0, sb.Rdfeat, 0, F);
  gemmRaw(false, false, nb, F, k, 1, G, gOff, k, v, g.headOffset, F, 1, sb.Rdfeat, 0, F);
  let cur = ws.da;
  let rcur = sb.ra;
  rowsToPlanes(ws.dfeat, F, g.last.channels, plane(g.last), nb, cur);
  rowsToPlanes(sb.Rdfeat, F, g.last.channels, plane(g.last), nb, rcur);
  for (let s = g.stages.length - 1; s >= 0; s--) {
    const sg = g.stages[s];
    const next = cur === ws.da ? ws.db : ws.da;
    const rnext = rcur === sb.ra ? sb.rb : sb.ra;
    if (sg.stage.type === "conv") {
      const D = ws.D[s]!;
      const D2 = sb.D2[s]!;
      const RZ = sb.RZ[s]!;
      const len = nb * sg.out.channels * plane(sg.out);
      for (let t = 0; t < len; t++) {
        const du = cur[t];
        rcur[t] = rcur[t] * D[t] + du * D2[t] * RZ[t];
        cur[t] = du * D[t];
      }
      convWeightGradient(sg, nb, rcur, ws.col[s]!, beta, out, 0);
      if (!ws.convBefore[s]) return;
      convWeightGradient(sg, nb, cur, sb.Rcol[s]!, 1, out, 0);
      convInputGradient(ws, sg, nb, theta, cur, next, null);
      convInputGradient(ws, sg, nb, theta, rcur, rnext, { kernel: v, dZ: cur });
    } else {
      if (!ws.convBefore[s]) return;
      poolTranspose(sg, nb, cur, next);
      poolTranspose(sg, nb, rcur, rnext);
    }
    cur = next;
    rcur = rnext;
  }
}

/** out ← ∇²ℒ(θ)·v (exact R-operator, formulas above); returns ℒ(θ). */
export function convHvp(
  ws: ConvWorkspace, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, v: Float64Array, out: Float64Array,
): LossValue {
  checkCapacity(ws, n);
  const sb = secondOrderBuffers(ws);
  const k = ws.arch.outputs;
  const s = mean ? 1 / n : 1;
  let total = 0;
  if (n === 0) out.fill(0, 0, ws.geometry.size);
  for (let r0 = 0; r0 < n; r0 += ws.block) {
    const nb = Math.min(ws.block, n - r0);
    convForwardBlock(ws, theta, X, r0, nb, sb.D2, ws.F, 1);
    total += lossSumRange(loss, ws.F, Y, r0 * k, nb * k, s, ws.dF, sb.d2F);
    rForwardBlock(ws, sb, theta, v, nb);
    for (let t = 0; t < nb * k; t++) sb.RG[t] = sb.d2F[r0 * k + t] * sb.RF[t];
    rBackwardBlock(ws, sb, theta, v, nb, r0 * k, out, r0 === 0 ? 0 : 1);
  }
  return finishLoss(loss, total, ws.F, Y, n, k, mean);
}
