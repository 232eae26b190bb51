/**
 * A deliberately naive, independent reference for the conv tests: the network computed per sample
 * by direct nested loops over (out channel, position, in channel, kernel offset) with explicit
 * zero-padding tests, pooling by direct window sums, and θ offsets walked here from the stage list
 * (nothing from src/model/conv: no im2col, no GEMM, no geometry helpers). Only the architecture
 * record's fields and the plain σ / losses of reference.ts are shared.
 */
import type { ConvArchitecture } from "../../src/model/index.js";
import { refLoss, refSigma, type RefLoss } from "./reference.js";

/** Pre-activations of every conv (C·H·W, PyTorch order) and the outputs, for one input. */
export interface RefConvPass {
  pre: number[][];
  out: number[];
}

/** Outputs of one sample x (C₀·H₀·W₀ in C,H,W order). */
export function refConvForward(arch: ConvArchitecture, theta: ArrayLike<number>, x: ArrayLike<number>): RefConvPass {
  let C = arch.input.channels;
  let H = arch.input.height;
  let W = arch.input.width;
  let u: number[] = Array.from(x);
  let off = 0;
  const pre: number[][] = [];
  for (const st of arch.stages) {
    const [kh, kw] = st.kernel;
    const [sy, sx] = st.stride;
    const [py, px] = st.padding;
    const Ho = Math.floor((H + 2 * py - kh) / sy) + 1;
    const Wo = Math.floor((W + 2 * px - kw) / sx) + 1;
    const at = (c: number, y: number, xx: number): number => (y < 0 || y >= H || xx < 0 || xx >= W ? 0 : u[(c * H + y) * W + xx]);
    if (st.type === "conv") {
      const Co = st.channels;
      const z: number[] = [];
      for (let o = 0; o < Co; o++) {
        for (let oy = 0; oy < Ho; oy++) {
          for (let ox = 0; ox < Wo; ox++) {
            let s = 0;
            for (let i = 0; i < C; i++) {
              for (let dy = 0; dy < kh; dy++) {
                for (let dx = 0; dx < kw; dx++) {
                  s += theta[off + ((o * C + i) * kh + dy) * kw + dx] * at(i, oy * sy + dy - py, ox * sx + dx - px);
                }
              }
            }
            z.push(s);
          }
        }
      }
      pre.push(z);
      u = z.map((v) => refSigma(arch.activation, v));
      off += Co * C * kh * kw;
      C = Co;
    } else {
      const v: number[] = [];
      for (let c = 0; c < C; c++) {
        for (let oy = 0; oy < Ho; oy++) {
          for (let ox = 0; ox < Wo; ox++) {
            let s = 0;
            for (let dy = 0; dy < kh; dy++) for (let dx = 0; dx < kw; dx++) s += at(c, oy * sy + dy - py, ox * sx + dx - px);
            v.push(s / (kh * kw));
          }
        }
      }
      u = v;
    }
    H = Ho;
    W = Wo;
  }
  const F = u.length;
  const out: number[] = [];
  for (let c = 0; c < arch.outputs; c++) {
    let s = 0;
    for (let f = 0; f < F; f++) s += theta[off + c * F + f] * u[f];
    out.push(s);
  }
  if (off + arch.outputs * F !== theta.length) throw new Error(`reference: θ has ${theta.length} entries, the stages need ${off + arch.outputs * F}`);
  return { pre, out };
}

/** ℒ = s·Σ_i Σ_c ℓ(f_c(x_i); Y_ic), s = 1 or 1/n. */
export function refConvLoss(
  arch: ConvArchitecture, theta: ArrayLike<number>, X: number[][], Y: number[][], loss: RefLoss, mean: boolean,
): number {
  let total = 0;
  for (let i = 0; i < X.length; i++) {
    const f = refConvForward(arch, theta, X[i]).out;
    for (let c = 0; c < f.length; c++) total += refLoss(loss, f[c], Y[i][c]).value;
  }
  return mean ? total / X.length : total;
}

/** Sign pattern of every conv pre-activation over the samples (FD is valid while it is constant). */
export function refConvPattern(arch: ConvArchitecture, theta: ArrayLike<number>, X: number[][]): string {
  let s = "";
  for (const x of X) for (const z of refConvForward(arch, theta, x).pre) for (const v of z) s += v > 0 ? "+" : v < 0 ? "-" : "0";
  return s;
}
