/**
 * The parallel three-layer architecture f(x) = Σ_j a_j σ(Σ_k w_{2jk} σ(w_{1jk}ᵀx)) against an
 * independent reference written here with scalar loops over the θ layout of architecture.ts
 * (W1 | W2 | a), its own backpropagation formulas, and 8th-order central finite differences.
 *
 * Tolerances: library vs reference differ only in summation order (1e-12 relative to
 * max(1, ‖·‖∞); a wrong term is O(1)); finite differences with h = 1e-3 on smooth σ (tanh) carry
 * O(h⁸) truncation and ≈ 2ε|ℒ|/h ≈ 1e-11 rounding, so 1e-8 relative is comfortable. For relu the
 * finite-difference check keeps only coordinates whose stencil crosses no kink (≥ 80% of them).
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import {
  forward, hessian, hessianVectorProduct, homogeneityOrder, inputGradient, lossAndGradient, makeActivation, modelToJson, modelToStateDict,
  outputJacobian, outputVjp, paramCount, parallelThreeLayerArchitecture, parallelThreeLayerParts, parseModelJson, safetensorsModelBytes,
  type Activation, type LossName, type ParallelThreeLayerArchitecture,
} from "../../src/model/index.js";
import { splitUnit } from "../../src/splitting/index.js";
import { fd8, fd8Vec, lcg, maxAbs, maxAbsDiff, refLoss, refSigma, refSigmaPrime } from "./reference.js";

/** Pre-activations and output of one sample: h1[j·m1 + k], z2[j], f. */
function refPass(arch: ParallelThreeLayerArchitecture, theta: ArrayLike<number>, x: ArrayLike<number>) {
  const { d, m, m1, activation: act } = arch;
  const oW2 = m * m1 * d;
  const oa = oW2 + m * m1;
  const h1: number[] = [];
  const z2: number[] = [];
  let f = 0;
  for (let j = 0; j < m; j++) {
    let z = 0;
    for (let k = 0; k < m1; k++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += theta[(j * m1 + k) * d + i] * x[i];
      h1.push(s);
      z += theta[oW2 + j * m1 + k] * refSigma(act, s);
    }
    z2.push(z);
    f += theta[oa + j] * refSigma(act, z);
  }
  return { h1, z2, f };
}

/** ∇ℒ by backpropagation written out per sample (ℒ = Σ_i ℓ(f(x_i); y_i)). */
function refGradient(arch: ParallelThreeLayerArchitecture, theta: Float64Array, X: number[][], y: number[], loss: LossName): Float64Array {
  const { d, m, m1, activation: act } = arch;
  const oW2 = m * m1 * d;
  const oa = oW2 + m * m1;
  const g = new Float64Array(theta.length);
  X.forEach((x, i) => {
    const { h1, z2, f } = refPass(arch, theta, x);
    const r = refLoss(loss, f, y[i]).slope;
    for (let j = 0; j < m; j++) {
      g[oa + j] += r * refSigma(act, z2[j]);
      const dz2 = r * theta[oa + j] * refSigmaPrime(act, z2[j]);
      for (let k = 0; k < m1; k++) {
        const nk = j * m1 + k;
        g[oW2 + nk] += dz2 * refSigma(act, h1[nk]);
        const dh = dz2 * theta[oW2 + nk] * refSigmaPrime(act, h1[nk]);
        for (let t = 0; t < d; t++) g[nk * d + t] += dh * x[t];
      }
    }
  });
  return g;
}

function setup(act: Activation, loss: LossName, seed: number) {
  const arch = parallelThreeLayerArchitecture({ d: 3, m: 2, m1: 3, activation: act });
  const u = lcg(seed);
  const n = 6;
  const theta = Float64Array.from({ length: paramCount(arch) }, () => 0.9 * u());
  const X = Array.from({ length: n }, () => Array.from({ length: 3 }, () => 1.5 * u()));
  const y = Array.from({ length: n }, () => (loss === "square" ? u() : u() < 0 ? -1 : 1));
  const data = { X: { rows: n, cols: 3, data: Float64Array.from(X.flat()) }, Y: { rows: n, cols: 1, data: Float64Array.from(y) } };
  return { arch, theta, X, y, data, model: { arch, theta } };
}

const ACTS = [makeActivation("tanh"), makeActivation("relu")];
const LOSSES: LossName[] = ["square", "logistic"];

describe("parallel three-layer architecture", () => {
  it("lays θ out as W1 | W2 | a and describes itself", () => {
    const arch = parallelThreeLayerArchitecture({ d: 4, m: 2, m1: 3, activation: makeActivation("relu") });
    expect(paramCount(arch)).toBe(2 * 3 * 4 + 2 * 3 + 2);
    const theta = Float64Array.from({ length: paramCount(arch) }, (_, i) => i);
    const { W1, W2, a } = parallelThreeLayerParts(arch, theta);
    expect([W1[0], W1.length, W2[0], W2.length, a[0], a.length]).toEqual([0, 24, 24, 6, 30, 2]);
    expect(homogeneityOrder(arch)).toBe(3);
    expect(() => parallelThreeLayerArchitecture({ d: 4, m: 0, m1: 3, activation: makeActivation("relu") })).toThrow(RangeError);
  });

  for (const act of ACTS) {
    for (const loss of LOSSES) {
      it(`${act.name} · ${loss}: outputs and gradient = the reference; gradient = finite differences off kinks`, () => {
        const { arch, theta, X, y, data, model } = setup(act, loss, 11);
        const F = forward(model, data.X).data;
        const fRef = X.map((x) => refPass(arch, theta, x).f);
        expect(maxAbsDiff(F, fRef)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(fRef)));
        const ev = lossAndGradient(model, data, loss);
        const gRef = refGradient(arch, theta, X, y, loss);
        expect(maxAbsDiff(ev.gradient!, gRef)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(gRef)));
        const value = (th: Float64Array) => X.reduce((s, x, i) => s + refLoss(loss, refPass(arch, th, x).f, y[i]).value, 0);
        const signs = (th: Float64Array) => X.map((x) => { const p = refPass(arch, th, x); return [...p.h1, ...p.z2].map((v) => v > 0).join(); }).join("|");
        let checked = 0;
        for (let t = 0; t < theta.length; t++) {
          const at = (s: number) => { const th = theta.slice(); th[t] += s; return th; };
          if (act.name === "relu" && [1, 2, 3, 4].some((q) => signs(at(q * 1e-3)) !== signs(theta) || signs(at(-q * 1e-3)) !== signs(theta))) continue;
          checked++;
          const g = fd8((s) => value(at(s)), 1e-3);
          expect(Math.abs(g - ev.gradient![t])).toBeLessThanOrEqual(1e-8 * Math.max(1, maxAbs(gRef)));
        }
        expect(checked).toBeGreaterThanOrEqual(0.8 * theta.length);
      });
    }
  }

  it("tanh: Hessian–vector products = finite differences of the gradient; the dense Hessian is their matrix", () => {
    const { theta, data, model } = setup(makeActivation("tanh"), "logistic", 5);
    const u = lcg(99);
    const v = Float64Array.from(theta, () => u());
    const Hv = hessianVectorProduct(model, data, "logistic", v);
    const fd = fd8Vec((s) => lossAndGradient({ ...model, theta: theta.map((x, t) => x + s * v[t]) }, data, "logistic").gradient!, 1e-3);
    expect(maxAbsDiff(Hv, fd)).toBeLessThanOrEqual(1e-8 * Math.max(1, maxAbs(fd)));
    const H = hessian(model, data, "logistic");
    const p = theta.length;
    const Hv2 = Float64Array.from({ length: p }, (_, r) => { let s = 0; for (let c = 0; c < p; c++) s += H.data[r * p + c] * v[c]; return s; });
    expect(maxAbsDiff(Hv2, Hv)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(Hv)));
  });

  it("the per-sample Jacobian's rows are the output VJPs with unit vectors", () => {
    const { data, model } = setup(makeActivation("tanh"), "square", 7);
    const J = outputJacobian(model, data.X);
    const n = data.X.rows;
    for (let i = 0; i < n; i++) {
      const R = new Float64Array(n);
      R[i] = 1;
      const g = outputVjp(model, data.X, { rows: n, cols: 1, data: R });
      expect(maxAbsDiff(J.data.subarray(i * J.cols, (i + 1) * J.cols), g)).toBe(0);
    }
  });

  it("model files: W1 as m blocks of m1 rows round-trips exactly; shape errors name the field", () => {
    const { model } = setup(makeActivation("relu"), "square", 3);
    const json = modelToJson(model);
    expect(json.kind).toBe("parallel-three-layer");
    const back = parseModelJson(JSON.parse(JSON.stringify(json)), "m.json");
    expect(back.arch).toEqual(model.arch);
    expect(Array.from(back.theta)).toEqual(Array.from(model.theta));
    const bad = { ...json, W1: (json as { W1: number[][][] }).W1.slice(0, 1) };
    expect(() => parseModelJson(bad, "m.json")).toThrow(/m\.json: W1: has 1 blocks, expected 2/);
    const short = { ...json, a: [1] };
    expect(() => parseModelJson(short, "m.json")).toThrow(/m\.json: a: has 1 entries, expected 2/);
  });

  it("input gradient (through the MLP embedding) = 8th-order differences of the reference in x; R weights the rows", () => {
    const { arch, theta, X, data, model } = setup(makeActivation("tanh"), "square", 13);
    const n = X.length;
    const R = Float64Array.from({ length: n }, (_, i) => 0.5 + i);
    const G = inputGradient(model, data.X, { rows: n, cols: 1, data: R });
    expect([G.rows, G.cols]).toEqual([n, 3]);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < 3; t++) {
        const g = fd8((s) => refPass(arch, theta, X[i].map((v, q) => (q === t ? v + s : v))).f, 1e-3);
        // h = 1e-3 on tanh: O(h⁸) truncation and ≈ 2ε|f|/h rounding, as for the θ-gradient above.
        expect(Math.abs(G.data[i * 3 + t] - R[i] * g)).toBeLessThanOrEqual(1e-8 * Math.max(1, R[i] * Math.abs(g)));
      }
    }
  });

  it("features defined for other kinds refuse it with an InputError naming the kind: safetensors weights, splitting", () => {
    const { model } = setup(makeActivation("relu"), "square", 3);
    expect(() => modelToStateDict(model)).toThrow(InputError);
    expect(() => safetensorsModelBytes(model)).toThrow(/a PyTorch Sequential .* is defined for two-layer, mlp and conv networks, got parallel-three-layer 3→2×3→1 relu/);
    expect(() => splitUnit(model, { layer: 1, unit: 0 }, [0.6, 0.8])).toThrow(/neuron splitting is defined for two-layer, mlp and conv networks, got parallel-three-layer/);
  });
});
