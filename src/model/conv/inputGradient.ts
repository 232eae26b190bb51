/**
 * Gradients of a conv network with respect to its INPUT, blocked like the θ-gradient of
 * kernels.ts. For rows R_i (k outputs) the reverse pass of ⟨R_i, f(x_i; θ)⟩ runs all the way
 * down to the data:
 *
 *   dU_S = R·W (head),  conv s: dZ_s = dU_s ⊙ σ′(Z_s),  dU_{s−1} = col2im(K_sᵀ dZ_s)
 *   (col2im is the adjoint of im2col, zero padding dropped);  avgpool s: dU_{s−1} = poolᵀ dU_s;
 *   G_i = dU_0 of sample i, in the C,H,W order of the data row.
 *
 * σ′ at a kink is applyActivation's left derivative (relu: 0 at 0), as in PyTorch's autograd.
 */
import { gemmRaw } from "../../linalg/gemm.js";
import { planesToRows, rowsToPlanes } from "./im2col.js";
import type { ConvWorkspace } from "./kernels.js";
import { checkCapacity, convForwardBlock, convInputGradient, plane, poolTranspose } from "./kernels.js";

/**
 * G ← [∇ₓ⟨R_i, f(x_i; θ)⟩]_i for the first n rows of X (G and X are n×d, d = C₀·H₀·W₀; R is
 * n×k). The weight gradients are not formed.
 */
export function convInputVjp(ws: ConvWorkspace, theta: Float64Array, X: Float64Array, n: number, R: Float64Array, G: Float64Array): void {
  checkCapacity(ws, n);
  const g = ws.geometry;
  const k = ws.arch.outputs;
  const F = g.features;
  for (let r0 = 0; r0 < n; r0 += ws.block) {
    const nb = Math.min(ws.block, n - r0);
    // dU_S = R·W: straight into G when there is no stage (the features are the data).
    const dfeat = g.stages.length === 0 ? G.subarray(r0 * F, (r0 + nb) * F) : ws.dfeat;
    gemmRaw(false, false, nb, F, k, 1, R, r0 * k, k, theta, g.headOffset, F, 0, dfeat, 0, F);
    if (g.stages.length === 0) continue;
    convForwardBlock(ws, theta, X, r0, nb, null, ws.F, 1);
    let cur = ws.da;
    rowsToPlanes(ws.dfeat, F, g.last.channels, plane(g.last), nb, cur);
    for (let s = g.stages.length - 1; s >= 0; s--) {
      const sg = g.stages[s];
      const next = cur === ws.da ? ws.db : ws.da;
      if (sg.stage.type === "conv") {
        const D = ws.D[s]!;
        const len = nb * sg.out.channels * plane(sg.out);
        for (let t = 0; t < len; t++) cur[t] *= D[t];
        convInputGradient(ws, sg, nb, theta, cur, next, null);
      } else {
        poolTranspose(sg, nb, cur, next);
      }
      cur = next;
    }
    const inp = ws.arch.input;
    const d = inp.channels * inp.height * inp.width;
    planesToRows(cur, inp.channels, inp.height * inp.width, nb, G.subarray(r0 * d, (r0 + nb) * d), d);
  }
}
