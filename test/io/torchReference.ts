/**
 * A deliberately naive reference for the PyTorch mapping tests: a torch.nn.Sequential evaluated
 * from its layer list and state_dict by PyTorch's own definitions (Conv1d/Conv2d cross-correlation
 * with zero padding, AvgPool with count_include_pad=True, Flatten in C,H,W order, Linear y = Wx + b),
 * in direct loops over one sample — nothing from src/model (no conv architecture, θ layout,
 * im2col or GEMM). Only the activation values of test/model/reference.ts are shared.
 */
import type { LayerSpec, Tensor } from "../../src/io/index.js";
import { makeActivation } from "../../src/model/index.js";
import { refSigma } from "../model/reference.js";

/** f(x) of the Sequential `layers` with weights `sd` on one input x of shape `inputShape` (C,H,W or C,L), flattened. */
export function refSequential(layers: readonly LayerSpec[], sd: ReadonlyMap<string, Tensor>, inputShape: readonly number[], x: ArrayLike<number>): number[] {
  let C = inputShape[0];
  let H = inputShape.length === 3 ? inputShape[1] : 1;
  let W = inputShape[inputShape.length - 1];
  let u = Array.from(x);
  for (const l of layers) {
    if (l.kind === "conv" || l.kind === "avgpool") {
      // 1-D layers act on the last axis: height 1, kernel 1, stride 1, padding 0 along it.
      const two = (v: readonly number[], one: number): [number, number] => (l.dims === 2 ? [v[0], v[1]] : [one, v[0]]);
      const [kh, kw] = two(l.kernel, 1);
      const [sy, sx] = two(l.stride, 1);
      const [py, px] = two(l.padding, 0);
      const Ho = Math.floor((H + 2 * py - kh) / sy) + 1;
      const Wo = Math.floor((W + 2 * px - kw) / sx) + 1;
      const at = (c: number, y: number, xx: number): number => (y < 0 || y >= H || xx < 0 || xx >= W ? 0 : u[(c * H + y) * W + xx]);
      const w = l.kind === "conv" ? sd.get(`${l.key}.weight`)! : null;
      const outC = w === null ? C : w.shape[0];
      const v: number[] = [];
      for (let o = 0; o < outC; o++) {
        for (let oy = 0; oy < Ho; oy++) {
          for (let ox = 0; ox < Wo; ox++) {
            let s = 0;
            for (let dy = 0; dy < kh; dy++) {
              for (let dx = 0; dx < kw; dx++) {
                if (w === null) s += at(o, oy * sy + dy - py, ox * sx + dx - px) / (kh * kw);
                else for (let i = 0; i < C; i++) s += w.data[((o * C + i) * kh + dy) * kw + dx] * at(i, oy * sy + dy - py, ox * sx + dx - px);
              }
            }
            v.push(s + (sd.get(`${l.key}.bias`)?.data[o] ?? 0));
          }
        }
      }
      u = v;
      C = outC;
      H = Ho;
      W = Wo;
    } else if (l.kind === "activation") {
      const act = makeActivation(l.activation, l.param);
      u = u.map((z) => refSigma(act, z));
    } else if (l.kind === "linear") {
      const w = sd.get(`${l.key}.weight`)!;
      const [out, inp] = w.shape;
      const b = sd.get(`${l.key}.bias`);
      u = Array.from({ length: out }, (_, r) => u.reduce((s, ui, c) => s + w.data[r * inp + c] * ui, b?.data[r] ?? 0));
      C = out;
      H = 1;
      W = 1;
    }
    // flatten, identity: the C,H,W entries are already in flattened order.
  }
  return u;
}
