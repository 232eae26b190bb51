/**
 * Shared cases of the conv tests: small architectures covering 1-D and 2-D convolutions, stride,
 * padding, pooling (with padding, before any conv, alone) and several outputs, and seeded problems.
 */
import {
  convArchitecture, paramCount, type Activation, type ConvArchitecture, type LossName, type Model,
} from "../../src/model/index.js";
import { lcg } from "./reference.js";

/** Test architectures: 1-D and 2-D, stride, padding, pooling (with padding, before a conv), several outputs. */
export function testArchitectures(act: Activation): { name: string; arch: ConvArchitecture }[] {
  return [
    {
      name: "2-D conv s[1,2] p[1,0] → avgpool 2 s1 p1 → conv 2×2 s2 p1 → 2 outputs",
      arch: convArchitecture({
        dims: 2, input: { channels: 2, height: 6, width: 5 }, outputs: 2, activation: act,
        stages: [
          { type: "conv", channels: 3, kernel: [3, 2], stride: [1, 2], padding: [1, 0] },
          { type: "avgpool", kernel: 2, stride: 1, padding: 1 },
          { type: "conv", channels: 2, kernel: 2, stride: 2, padding: 1 },
        ],
      }),
    },
    {
      name: "1-D conv k3 s2 p1 → avgpool 2 → conv k2 s2 p1",
      arch: convArchitecture({
        dims: 1, input: { channels: 2, width: 9 }, outputs: 1, activation: act,
        stages: [
          { type: "conv", channels: 3, kernel: 3, stride: 2, padding: 1 },
          { type: "avgpool", kernel: 2 },
          { type: "conv", channels: 2, kernel: 2, stride: 2, padding: 1 },
        ],
      }),
    },
    {
      name: "2-D avgpool 2 → conv 3×3 p1 (pooling before any conv)",
      arch: convArchitecture({
        dims: 2, input: { channels: 1, height: 6, width: 6 }, outputs: 1, activation: act,
        stages: [{ type: "avgpool", kernel: 2 }, { type: "conv", channels: 2, kernel: 3, padding: 1 }],
      }),
    },
    {
      name: "2-D avgpool only (linear) → 3 outputs",
      arch: convArchitecture({
        dims: 2, input: { channels: 2, height: 4, width: 4 }, outputs: 3, activation: act,
        stages: [{ type: "avgpool", kernel: [2, 1], stride: [2, 1] }],
      }),
    },
  ];
}

function inputLength(arch: ConvArchitecture): number {
  return arch.input.channels * arch.input.height * arch.input.width;
}

/** θ, n inputs and targets (±1, or reals for the square loss). */
export function convProblem(arch: ConvArchitecture, loss: LossName, seed: number, n = 5) {
  const u = lcg(seed);
  const theta = Float64Array.from({ length: paramCount(arch) }, () => 0.8 * u());
  const d = inputLength(arch);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => 1.2 * u()));
  const k = arch.outputs;
  const Y = Array.from({ length: n }, () => Array.from({ length: k }, () => (loss === "square" ? u() : u() < 0 ? -1 : 1)));
  const data = {
    X: { rows: n, cols: d, data: Float64Array.from(X.flat()) },
    Y: { rows: n, cols: k, data: Float64Array.from(Y.flat()) },
  };
  return { model: { arch, theta } as Model, X, Y, data };
}

