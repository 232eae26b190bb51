/**
 * Exact Hessian–vector products and dense Hessians.
 *  - HVP vs 8th-order central differences of the gradient along v (h = 1e-3; tolerance 2e-8
 *    relative to max(1, ‖Hv‖∞): rounding ≈ 2ε‖∇ℒ‖/h ≈ 1e-12, truncation O(h⁸)); the gradient itself
 *    is checked against an independent reference in gradient.test.ts. Kinks: a case is compared
 *    only when the sign pattern of all pre-activations is constant along the stencil.
 *  - Self-adjointness ⟨u, Hv⟩ = ⟨Hu, v⟩ of the R-operator (1e-12 relative: exact up to rounding).
 *  - Dense Hessian columns equal HVPs with unit vectors, and the Gauss–Newton assembly equals the
 *    HVP-column assembly (1e-12 relative); the result is exactly symmetric.
 */
import { describe, expect, it } from "vitest";
import {
  hessian, hessianOperator, inputDim, hessianVectorProduct, lossAndGradient, makeActivation, mlpArchitecture, outputDim,
  paramCount, twoLayerArchitecture, type Activation, type Architecture, type LossName, type Model,
} from "../../src/model/index.js";
import { activationPattern, fd8Vec, lcg, maxAbs, maxAbsDiff } from "./reference.js";

const ACTIVATIONS: Activation[] = [
  makeActivation("relu"), makeActivation("leaky_relu", 0.2), makeActivation("linear"),
  makeActivation("relu_power", 2), makeActivation("relu_power", 3), makeActivation("tanh"),
  makeActivation("sigmoid"), makeActivation("softplus"), makeActivation("gelu"), makeActivation("swish"),
  makeActivation("erf"),
];
const LOSSES: LossName[] = ["logistic", "exponential", "square"];
const KINKED = new Set(["relu", "leaky_relu", "relu_power"]);

function architectures(act: Activation): Architecture[] {
  return [
    twoLayerArchitecture({ d: 3, m: 4, activation: act }),
    twoLayerArchitecture({ d: 3, m: 4, activation: act, inputBias: true, outputBias: true }),
    twoLayerArchitecture({ d: 3, m: 4, k: 3, activation: act, inputBias: true, outputBias: true }),
    mlpArchitecture([3, 4, 3, 2], act),
    mlpArchitecture([3, 5, 1], act),
  ];
}

function setup(arch: Architecture, loss: LossName, seed: number, n = 6): {
  model: Model; data: { X: { rows: number; cols: number; data: Float64Array }; Y: { rows: number; cols: number; data: Float64Array } };
  X: number[][];
} {
  const u = lcg(seed);
  const p = paramCount(arch);
  const d = inputDim(arch);
  const k = outputDim(arch);
  // relu_power(3) in a 3-layer MLP is homogeneous of degree 1 + 3 + 9 = 13: keep its outputs O(1)
  // (with θ ~ 0.9 its exponential loss reaches 1e44 and the 8th-order stencil's truncation error shows).
  const deepPower = arch.kind === "mlp" && arch.widths.length > 3 && arch.activation.name === "relu_power";
  const theta = Float64Array.from({ length: p }, () => (deepPower ? 0.6 : 0.9) * u());
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => 1.5 * u()));
  const Y = Array.from({ length: n * k }, () => (loss === "square" ? u() : u() < 0 ? -1 : 1));
  return {
    model: { arch, theta },
    X,
    data: { X: { rows: n, cols: d, data: Float64Array.from(X.flat()) }, Y: { rows: n, cols: k, data: Float64Array.from(Y) } },
  };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * b[t];
  return s;
}

const kinkStats = { cases: 0, skipped: 0 };

describe("Hessian–vector products", () => {
  let seed = 11;
  for (const act of ACTIVATIONS) {
    for (const loss of LOSSES) {
      for (const arch of architectures(act)) {
        const mySeed = seed++;
        const label = arch.kind === "two-layer"
          ? `two-layer k=${arch.k}${arch.inputBias ? " +b" : ""}${arch.outputBias ? " +c" : ""}`
          : arch.kind === "mlp" ? `mlp ${arch.widths.join("→")}` : arch.kind;
        it(`${act.name}${act.name === "relu_power" ? act.power : ""} · ${loss} · ${label}`, () => {
          const { model, data, X } = setup(arch, loss, mySeed);
          const p = paramCount(arch);
          const u = lcg(mySeed + 1000);
          const v = Float64Array.from({ length: p }, () => u());
          const w = Float64Array.from({ length: p }, () => u());
          const mean = mySeed % 2 === 0;
          const op = hessianOperator(model, data, loss, { mean });
          const Hv = op.apply(v);
          const Hw = op.apply(w);
          const scale = Math.max(1, maxAbs(Hv));
          // Self-adjoint: ⟨w, Hv⟩ = ⟨Hw, v⟩.
          expect(Math.abs(dot(w, Hv) - dot(Hw, v))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(dot(w, Hv))));
          // Finite differences of the gradient along v.
          const h = 1e-3;
          const at = (s: number): Float64Array => model.theta.map((x, t) => x + s * v[t]);
          if (KINKED.has(act.name)) {
            kinkStats.cases++;
            const base = activationPattern(arch, model.theta, X);
            for (let q = -4; q <= 4; q++) {
              if (activationPattern(arch, at(q * h), X) !== base) {
                kinkStats.skipped++; // the stencil crosses a kink: finite differences are meaningless there
                return;
              }
            }
          }
          const fd = fd8Vec((s) => lossAndGradient({ arch, theta: at(s) }, data, loss, { mean }).gradient!, h);
          expect(maxAbsDiff(fd, Hv)).toBeLessThanOrEqual(2e-8 * scale);
        });
      }
    }
  }
});

describe("Hessian–vector products: coverage", () => {
  it("most kinked cases were compared with finite differences (stencil clear of every kink)", () => {
    expect(kinkStats.cases).toBeGreaterThan(0);
    expect(kinkStats.skipped).toBeLessThanOrEqual(0.2 * kinkStats.cases);
  });
});

describe("dense Hessian", () => {
  const cases: { act: Activation; loss: LossName; arch: (a: Activation) => Architecture }[] = [];
  for (const act of [makeActivation("relu"), makeActivation("tanh"), makeActivation("relu_power", 3), makeActivation("gelu")]) {
    for (const loss of LOSSES) {
      cases.push({ act, loss, arch: (a) => twoLayerArchitecture({ d: 3, m: 4, activation: a, inputBias: true, outputBias: true }) });
      cases.push({ act, loss, arch: (a) => twoLayerArchitecture({ d: 2, m: 3, k: 2, activation: a, inputBias: true }) });
      cases.push({ act, loss, arch: (a) => mlpArchitecture([2, 3, 3, 1], a) });
    }
  }
  let seed = 500;
  for (const c of cases) {
    const arch = c.arch(c.act);
    const mySeed = seed++;
    it(`${c.act.name} · ${c.loss} · ${arch.kind === "two-layer" ? `two-layer k=${arch.k}` : arch.kind === "mlp" ? `mlp ${arch.widths.join("→")}` : arch.kind}`, () => {
      const { model, data } = setup(arch, c.loss, mySeed, 8);
      const p = paramCount(arch);
      const H = hessian(model, data, c.loss);
      expect(H.rows).toBe(p);
      const scale = Math.max(1, maxAbs(H.data));
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) expect(H.data[i * p + j]).toBe(H.data[j * p + i]);
      const e = new Float64Array(p);
      for (let t = 0; t < p; t++) {
        e.fill(0);
        e[t] = 1;
        const col = hessianVectorProduct(model, data, c.loss, e);
        const Hcol = Float64Array.from({ length: p }, (_, i) => H.data[i * p + t]);
        expect(maxAbsDiff(col, Hcol)).toBeLessThanOrEqual(1e-12 * scale);
      }
      if (arch.kind === "two-layer") {
        const Hh = hessian(model, data, c.loss, { method: "hvp" });
        const Hg = hessian(model, data, c.loss, { method: "gauss-newton" });
        expect(maxAbsDiff(Hh.data, Hg.data)).toBeLessThanOrEqual(1e-12 * scale);
      }
    });
  }
  it("the two-layer Gauss–Newton assembly works across Jacobian blocks and empty data", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("softplus"), outputBias: true });
    const { model, data } = setup(arch, "logistic", 3, 40);
    const Hg = hessian(model, data, "logistic", { method: "gauss-newton" });
    const Hh = hessian(model, data, "logistic", { method: "hvp" });
    expect(maxAbsDiff(Hg.data, Hh.data)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(Hh.data)));
    const empty = { X: { rows: 0, cols: 2, data: new Float64Array(0) }, Y: { rows: 0, cols: 1, data: new Float64Array(0) } };
    expect(maxAbs(hessian(model, empty, "logistic").data)).toBe(0);
  });
  it("rejects the Gauss–Newton method for an MLP", () => {
    const arch = mlpArchitecture([2, 2, 1], makeActivation("relu"));
    const { model, data } = setup(arch, "square", 1);
    expect(() => hessian(model, data, "square", { method: "gauss-newton" })).toThrow(/two-layer/);
  });
});
