/**
 * Gradients of every activation × loss × architecture against (1) the naive per-sample reference
 * in reference.ts and (2) 8th-order central finite differences of the loss.
 *
 * Tolerances: library vs reference are two exact computations that differ only in summation
 * order, so they agree to 1e-12 relative to max(1, ‖∇ℒ‖∞) (a wrong term is O(1)). Finite
 * differences with h = 1e-3: truncation O(h⁸) ≈ 1e-24·|ℒ⁽⁹⁾|, rounding ≈ 2ε|ℒ|/h ≈ 1e-11 for
 * |ℒ| ≲ 20, so 2e-8 relative to max(1, ‖∇ℒ‖∞) is comfortable yet 1e4× below any real error.
 * At a kink finite differences are meaningless: for relu-type σ (and relu_power, whose σ″ jumps)
 * a coordinate is compared only if the sign pattern of every pre-activation is the same at all
 * 8 stencil points (i.e. every |pre-activation| stays clear of 0 along the stencil); each case
 * still has to check at least 80% of its coordinates.
 */
import { describe, expect, it } from "vitest";
import {
  inputDim, lossAndGradient, makeActivation, mlpArchitecture, outputDim, paramCount,
  twoLayerArchitecture, type Activation, type Architecture, type LossName,
} from "../../src/model/index.js";
import { createWorkspace, lossGradientInto } from "../../src/model/network.js";
import { activationPattern, fd8, lcg, maxAbs, maxAbsDiff, refGradient, refLossValue } from "./reference.js";

const ACTIVATIONS: Activation[] = [
  makeActivation("relu"), makeActivation("leaky_relu", 0.1), makeActivation("linear"),
  makeActivation("relu_power", 2), makeActivation("relu_power", 3), makeActivation("tanh"),
  makeActivation("sigmoid"), makeActivation("softplus"), makeActivation("gelu"), makeActivation("swish"),
  makeActivation("erf"),
];
const LOSSES: LossName[] = ["logistic", "exponential", "square"];
const KINKED = new Set(["relu", "leaky_relu", "relu_power"]);

function architectures(act: Activation): { label: string; arch: Architecture }[] {
  const out: { label: string; arch: Architecture }[] = [];
  for (const k of [1, 3]) {
    for (const [inputBias, outputBias] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      out.push({
        label: `two-layer k=${k}${inputBias ? " +b" : ""}${outputBias ? " +c" : ""}`,
        arch: twoLayerArchitecture({ d: 3, m: 4, k, activation: act, inputBias, outputBias }),
      });
    }
  }
  out.push({ label: "mlp 3→4→1", arch: mlpArchitecture([3, 4, 1], act) });
  out.push({ label: "mlp 3→4→3→2", arch: mlpArchitecture([3, 4, 3, 2], act) });
  out.push({ label: "mlp 3→2 (no hidden layer)", arch: mlpArchitecture([3, 2], act) });
  return out;
}

interface Problem {
  theta: Float64Array;
  X: number[][];
  Y: number[][];
  data: { X: { rows: number; cols: number; data: Float64Array }; Y: { rows: number; cols: number; data: Float64Array } };
}

function problem(arch: Architecture, loss: LossName, seed: number, n = 7): Problem {
  const u = lcg(seed);
  const p = paramCount(arch);
  const d = inputDim(arch);
  const k = outputDim(arch);
  const theta = Float64Array.from({ length: p }, () => 0.9 * u());
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => 1.5 * u()));
  const Y = Array.from({ length: n }, () => Array.from({ length: k }, () => (loss === "square" ? u() : u() < 0 ? -1 : 1)));
  return {
    theta, X, Y,
    data: {
      X: { rows: n, cols: d, data: Float64Array.from(X.flat()) },
      Y: { rows: n, cols: k, data: Float64Array.from(Y.flat()) },
    },
  };
}

describe("gradient: every activation × loss × architecture", () => {
  let seed = 1;
  for (const act of ACTIVATIONS) {
    for (const loss of LOSSES) {
      for (const { label, arch } of architectures(act)) {
        const mySeed = seed++;
        for (const mean of [false, true]) {
          if (mean && !(label === "two-layer k=1 +b +c" || label === "mlp 3→4→3→2")) continue;
          it(`${act.name}${act.name === "relu_power" ? act.power : ""} · ${loss}${mean ? " (mean)" : ""} · ${label}`, () => {
            const P = problem(arch, loss, mySeed);
            const model = { arch, theta: P.theta };
            const r = lossAndGradient(model, P.data, loss, { mean });
            const g = r.gradient!;
            // Loss value and gradient vs the naive reference.
            const refL = refLossValue(arch, P.theta, P.X, P.Y, loss, mean);
            expect(Math.abs(r.loss - refL)).toBeLessThanOrEqual(1e-13 * Math.max(1, refL));
            expect(Math.abs(r.logLoss - Math.log(refL))).toBeLessThanOrEqual(1e-13);
            const gRef = refGradient(arch, P.theta, P.X, P.Y, loss, mean);
            const scale = Math.max(1, maxAbs(gRef));
            expect(maxAbsDiff(g, gRef)).toBeLessThanOrEqual(1e-12 * scale);
            // 8th-order central differences, coordinate by coordinate, away from kinks.
            const h = 1e-3;
            const base = activationPattern(arch, P.theta, P.X);
            let checked = 0;
            for (let t = 0; t < P.theta.length; t++) {
              const at = (s: number): Float64Array => {
                const th = P.theta.slice();
                th[t] += s;
                return th;
              };
              if (KINKED.has(act.name)) {
                let stable = true;
                for (let q = -4; q <= 4 && stable; q++) stable = activationPattern(arch, at(q * h), P.X) === base;
                if (!stable) continue;
              }
              const fd = fd8((s) => refLossValue(arch, at(s), P.X, P.Y, loss, mean), h);
              expect(Math.abs(fd - g[t])).toBeLessThanOrEqual(2e-8 * scale);
              checked++;
            }
            expect(checked).toBeGreaterThanOrEqual(0.8 * P.theta.length);
          });
        }
      }
    }
  }
});

describe("gradient: blocked two-layer kernels", () => {
  it("row blocks of 3 (and the default blocks of a large batch) reproduce the reference", () => {
    for (const act of [makeActivation("relu"), makeActivation("tanh")]) {
      for (const k of [1, 2]) {
        const arch = twoLayerArchitecture({ d: 3, m: 5, k, activation: act, inputBias: true, outputBias: true });
        const P = problem(arch, "logistic", 99 + k, 11);
        const ws = createWorkspace(arch, 11, { block: 3 });
        const g = new Float64Array(paramCount(arch));
        const v = lossGradientInto(ws, P.theta, P.data.X.data, P.data.Y.data, 11, "logistic", false, 1, g);
        const gRef = refGradient(arch, P.theta, P.X, P.Y, "logistic", false);
        expect(maxAbsDiff(g, gRef)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(gRef)));
        expect(Math.abs(v.loss - refLossValue(arch, P.theta, P.X, P.Y, "logistic", false))).toBeLessThan(1e-12);
      }
    }
  });
  it("a batch with n·m above the block size is split into blocks and still exact", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 40, activation: makeActivation("relu"), inputBias: true });
    const n = 4000; // n·m = 160000 > 2·65536 → blocks of 1638 rows
    const P = problem(arch, "exponential", 7, n);
    const r = lossAndGradient({ arch, theta: P.theta }, P.data, "exponential");
    const gRef = refGradient(arch, P.theta, P.X, P.Y, "exponential", false);
    expect(maxAbsDiff(r.gradient!, gRef)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(gRef)));
  });
});
