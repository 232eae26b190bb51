/**
 * Channel splitting of a conv network (model/conv): the splitting map T of the KKT-point embedding
 * principle (arXiv 2505.12419, its experiment 4 and MNIST CNN) with a conv layer's output channel
 * as the unit. Output channel j of conv layer l becomes K copies — the first stays at j, copies
 * 2…K are appended after the last channel (as for units, INTERFACES.md) — with
 *   incoming: filter K_l[j, :, :, :] → inScale_i · K_l[j, :, :, :]
 *   outgoing: every weight that reads channel j downstream → outScale_i · (that weight): the next
 *             conv's input slice K_{l+1}[:, j, :, :], or, when l is the last conv, the head's
 *             columns of channel j at every spatial position (features j·H·W … (j+1)·H·W − 1).
 * Splitting: inScale = outScale = c_i (c_i ≥ 0, Σc_i² = 1); copy-and-divide: inScale = 1,
 * outScale = λ_i (Σλ_i = 1). Pooling between the two is linear and channel-wise, so
 * pool(c·σ(z)) = c·pool(σ(z)): for σ(z) = a·max(z, 0) + b·min(z, 0) the split copies carry
 * c_i σ(Z_j) and the next layer sees Σ c_i² σ(Z_j) = σ(Z_j) (function preservation); TᵀT = I;
 * ∇Φ̃(Tθ) = T∇Φ(θ). Validation of the coefficients and of the layer/unit is splitting/split.ts's.
 */
import type { ConvArchitecture } from "../model/index.js";
import { convGeometry, convWithChannels } from "../model/index.js";
import type { EmbeddingMap } from "./embeddingMap.js";

/** Per wide channel of the split layer: the narrow channel it copies and its incoming/outgoing factors. */
export interface ChannelPlan {
  readonly src: Int32Array;
  readonly inScale: Float64Array;
  readonly outScale: Float64Array;
}

/**
 * The EmbeddingMap of a channel split of conv layer `layer` (1-based) described by `plan`
 * (one entry per wide channel; see the file comment). The caller validates layer and plan.
 */
export function channelEmbedding(arch: ConvArchitecture, layer: number, plan: ChannelPlan): EmbeddingMap {
  const to = convWithChannels(arch, layer, plan.src.length);
  const A = convGeometry(arch);
  const B = convGeometry(to);
  const source = new Int32Array(B.size);
  const scale = new Float64Array(B.size);
  let before = 0; // the conv layer whose channels stage s reads (0: the input)
  B.stages.forEach((sb, s) => {
    if (sb.stage.type !== "conv") return;
    const sa = A.stages[s];
    const Cout = sb.out.channels;
    const Cin = sb.in.channels;
    const kk = sb.stage.kernel[0] * sb.stage.kernel[1];
    const ownLayer = sb.layer === layer;
    const readsLayer = before === layer;
    for (let o = 0; o < Cout; o++) {
      const so = ownLayer ? plan.src[o] : o;
      const fo = ownLayer ? plan.inScale[o] : 1;
      for (let i = 0; i < Cin; i++) {
        const si = readsLayer ? plan.src[i] : i;
        const f = fo * (readsLayer ? plan.outScale[i] : 1);
        const wide = sb.offset + (o * Cin + i) * kk;
        const narrow = sa.offset + (so * sa.in.channels + si) * kk;
        for (let t = 0; t < kk; t++) {
          source[wide + t] = narrow + t;
          scale[wide + t] = f;
        }
      }
    }
    before = sb.layer;
  });
  const P = B.last.height * B.last.width;
  const readsLayer = before === layer;
  for (let c = 0; c < arch.outputs; c++) {
    for (let ch = 0; ch < B.last.channels; ch++) {
      const sc = readsLayer ? plan.src[ch] : ch;
      const f = readsLayer ? plan.outScale[ch] : 1;
      for (let p = 0; p < P; p++) {
        source[B.headOffset + c * B.features + ch * P + p] = A.headOffset + c * A.features + sc * P + p;
        scale[B.headOffset + c * B.features + ch * P + p] = f;
      }
    }
  }
  return { from: arch, to, source, scale };
}
