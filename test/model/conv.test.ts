/**
 * The conv kind against independent references:
 *  - outputs vs the naive nested-loop network of convReference.ts (relative 1e-12: both sum the
 *    same ≤ 200 products per entry in different orders, ~1e-15 each, through ≤ 3 layers) and vs
 *    PyTorch's own float64 outputs on its state_dict (fixtures/torch-cnn-relu-nobias.json, 1e-13);
 *  - ∇ℒ vs 8th-order central differences of the naive reference loss along every coordinate
 *    (h = 1e-3: truncation (h⁸/630)|ℒ⁽⁹⁾| ≈ 1e-27|ℒ⁽⁹⁾|, rounding ≤ 2.1·ε_ℒ/h ≈ 2e-12|ℒ| with
 *    ε_ℒ ≈ 1e-15|ℒ|; tolerance 1e-9·max(1, ‖∇ℒ‖∞)); for kinked σ (relu-type, relu_power) only
 *    where the sign pattern of every pre-activation is constant over the stencil (≥ 70% of them);
 *  - HVP vs the same differences of the (checked) gradient, tolerance 1e-8·max(1, ‖Hv‖∞);
 *    self-adjointness ⟨u, Hv⟩ = ⟨Hu, v⟩ and the dense Hessian = stacked HVPs to 1e-12 relative;
 *  - Jacobian rows vs differences of the outputs; block sizes 1, 2, default agree to 1e-13;
 *  - homogeneity Φ(cθ) = c^L Φ(θ) with L from the architecture.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  forward, hessian, hessianOperator, homogeneityOrder, lossAndGradient,
  makeActivation, makeObjective, outputJacobian, parseModelJson, type Activation, type ConvArchitecture, type LossName,
} from "../../src/model/index.js";
import { createWorkspace, lossGradientInto } from "../../src/model/network.js";
import { convProblem, testArchitectures } from "./convCases.js";
import { refConvForward, refConvLoss, refConvPattern } from "./convReference.js";
import { fd8, fd8Vec, lcg, maxAbs, maxAbsDiff } from "./reference.js";

const ACTS: Activation[] = [
  makeActivation("relu"), makeActivation("leaky_relu", 0.1), makeActivation("linear"), makeActivation("tanh"),
  makeActivation("relu_power", 2), makeActivation("softplus"),
];
const LOSSES: LossName[] = ["logistic", "exponential", "square"];

function withCoordinate(theta: Float64Array, t: number, h: number): Float64Array {
  const th = theta.slice();
  th[t] += h;
  return th;
}

function along(theta: Float64Array, v: Float64Array, h: number): Float64Array {
  return theta.map((x, i) => x + h * v[i]);
}

const KINKED = new Set(["relu", "leaky_relu", "relu_power"]);

/** σ smooth, or the pattern constant at θ + q·h·v for q = −4…4 (the fd8 stencil). */
function stencilIsSmooth(arch: ConvArchitecture, theta: Float64Array, v: Float64Array, X: number[][], h: number): boolean {
  if (!KINKED.has(arch.activation.name)) return true;
  const p0 = refConvPattern(arch, theta, X);
  for (let q = -4; q <= 4; q++) if (q !== 0 && refConvPattern(arch, along(theta, v, q * h), X) !== p0) return false;
  return true;
}

describe("conv forward", () => {
  for (const act of ACTS) {
    for (const { name, arch } of testArchitectures(act)) {
      it(`${act.name} · ${name}: outputs = naive nested loops`, () => {
        const { model, X, data } = convProblem(arch, "logistic", 3);
        const F = forward(model, data.X);
        const ref = X.flatMap((x) => refConvForward(arch, model.theta, x).out);
        expect(maxAbsDiff(F.data, ref)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(ref)));
      });
    }
  }

  it("reproduces PyTorch's float64 outputs from its state_dict (Conv2d 3×3 · ReLU · Conv2d s2 p1 · ReLU · Linear)", () => {
    const fx = JSON.parse(readFileSync(new URL("./fixtures/torch-cnn-relu-nobias.json", import.meta.url), "utf8"));
    const model = parseModelJson(fx.model, "fixture");
    const X = { rows: fx.X.length, cols: fx.X[0].length, data: Float64Array.from(fx.X.flat() as number[]) };
    const F = forward(model, X);
    const torch = (fx.output as number[][]).flat();
    expect(maxAbsDiff(F.data, torch)).toBeLessThanOrEqual(1e-13 * maxAbs(torch));
  });

  it("is positively homogeneous of the architecture's order (#conv + 1 for degree-1 σ; relu_power 2: 1 + 2(1 + 2) = 7)", () => {
    const cases: [Activation, number][] = [[makeActivation("relu"), 3], [makeActivation("leaky_relu", 0.2), 3], [makeActivation("relu_power", 2), 7]];
    for (const [act, L] of cases) {
      const arch = testArchitectures(act)[0].arch;
      expect(homogeneityOrder(arch)).toBe(L);
      const { model, data } = convProblem(arch, "logistic", 5);
      const c = 1.7;
      const F1 = forward(model, data.X).data;
      const Fc = forward({ arch, theta: model.theta.map((v) => c * v) }, data.X).data;
      expect(maxAbsDiff(Fc, F1.map((v) => v * c ** L))).toBeLessThanOrEqual(1e-12 * maxAbs(Fc));
    }
    expect(homogeneityOrder(testArchitectures(makeActivation("tanh"))[0].arch)).toBeNull();
    expect(homogeneityOrder(testArchitectures(makeActivation("tanh"))[3].arch)).toBe(1); // no conv: linear
  });
});

describe("conv loss gradient", () => {
  let seed = 100;
  for (const act of ACTS) {
    for (const loss of LOSSES) {
      for (const { name, arch } of testArchitectures(act)) {
        const mySeed = seed++;
        it(`${act.name} · ${loss} · ${name}: ∇ℒ = central differences of the naive loss`, () => {
          const { model, X, Y, data } = convProblem(arch, loss, mySeed);
          const mean = mySeed % 2 === 0;
          const ev = lossAndGradient(model, data, loss, { mean });
          expect(Math.abs(ev.loss - refConvLoss(arch, model.theta, X, Y, loss, mean))).toBeLessThanOrEqual(1e-13 * Math.max(1, ev.loss));
          const g = ev.gradient!;
          const tol = 1e-9 * Math.max(1, maxAbs(g));
          let checked = 0;
          const e = new Float64Array(g.length);
          for (let t = 0; t < g.length; t++) {
            e.fill(0);
            e[t] = 1;
            if (!stencilIsSmooth(arch, model.theta, e, X, 1e-3)) continue;
            const fd = fd8((h) => refConvLoss(arch, withCoordinate(model.theta, t, h), X, Y, loss, mean), 1e-3);
            expect(Math.abs(fd - g[t]), `coordinate ${t}`).toBeLessThanOrEqual(tol);
            checked++;
          }
          expect(checked).toBeGreaterThanOrEqual(KINKED.has(act.name) ? 0.7 * g.length : g.length);
        });
      }
    }
  }

  it("does not depend on the block size (1, 2, default: same sums in another order, 1e-13)", () => {
    for (const { arch } of testArchitectures(makeActivation("leaky_relu", 0.05))) {
      const { model, data } = convProblem(arch, "logistic", 7, 7);
      const grads = [1, 2, undefined].map((block) => {
        const ws = createWorkspace(arch, 7, { block });
        const g = new Float64Array(model.theta.length);
        const v = lossGradientInto(ws, model.theta, data.X.data, data.Y.data, 7, "logistic", false, 1, g);
        return { g, loss: v.loss };
      });
      for (const r of grads.slice(1)) {
        expect(Math.abs(r.loss - grads[0].loss)).toBeLessThanOrEqual(1e-13 * grads[0].loss);
        expect(maxAbsDiff(r.g, grads[0].g)).toBeLessThanOrEqual(1e-13 * maxAbs(grads[0].g));
      }
    }
  });

  it("evaluateScaled(u, s) of the objective = evaluate at e^s·u, with e^{−(L−1)s}·∇ℒ", () => {
    const arch = testArchitectures(makeActivation("relu"))[0].arch;
    const { model, data } = convProblem(arch, "exponential", 9);
    const obj = makeObjective(arch, data, "exponential");
    const s = 0.3;
    const g1 = new Float64Array(obj.dim);
    const g2 = new Float64Array(obj.dim);
    const a = obj.evaluate(model.theta.map((v) => Math.exp(s) * v), g1);
    const b = obj.evaluateScaled!(model.theta, s, g2);
    expect(Math.abs(a.loss - b.loss)).toBeLessThanOrEqual(1e-13 * a.loss);
    expect(maxAbsDiff(g1.map((v) => v * Math.exp(-2 * s)), g2)).toBeLessThanOrEqual(1e-12 * maxAbs(g2));
  });
});

describe("conv Hessian", () => {
  let seed = 500;
  for (const act of ACTS) {
    for (const loss of LOSSES) {
      for (const { name, arch } of testArchitectures(act).slice(0, 3)) {
        const mySeed = seed++;
        it(`${act.name} · ${loss} · ${name}: HVP = differences of ∇ℒ; self-adjoint; dense = stacked HVPs`, () => {
          const { model, X, data } = convProblem(arch, loss, mySeed);
          const p = model.theta.length;
          const u = lcg(mySeed + 1);
          const v = Float64Array.from({ length: p }, () => u());
          const w = Float64Array.from({ length: p }, () => u());
          const op = hessianOperator(model, data, loss);
          const Hv = op.apply(v);
          const Hw = op.apply(w);
          if (stencilIsSmooth(arch, model.theta, v, X, 1e-3)) {
            const fd = fd8Vec((h) => lossAndGradient({ arch, theta: along(model.theta, v, h) }, data, loss).gradient!, 1e-3);
            expect(maxAbsDiff(Hv, fd)).toBeLessThanOrEqual(1e-8 * Math.max(1, maxAbs(Hv)));
          }
          let uHv = 0;
          let Huv = 0;
          for (let t = 0; t < p; t++) {
            uHv += w[t] * Hv[t];
            Huv += Hw[t] * v[t];
          }
          expect(Math.abs(uHv - Huv)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(uHv), maxAbs(Hv) * p));
          const H = hessian(model, data, loss);
          const e = new Float64Array(p);
          let asym = 0;
          for (let t = 0; t < p; t++) {
            e.fill(0);
            e[t] = 1;
            const col = op.apply(e);
            for (let r = 0; r < p; r++) {
              asym = Math.max(asym, Math.abs(H.data[r * p + t] - H.data[t * p + r]));
              expect(Math.abs(H.data[r * p + t] - col[r])).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(H.data)));
            }
          }
          expect(asym).toBe(0);
        });
      }
    }
  }
});

describe("conv Jacobian", () => {
  it("rows = differences of the outputs along random directions", () => {
    for (const { arch } of testArchitectures(makeActivation("leaky_relu", 0.1))) {
      const { model, X, data } = convProblem(arch, "logistic", 21, 4);
      const J = outputJacobian(model, data.X);
      const u = lcg(22);
      const v = Float64Array.from({ length: J.cols }, () => u());
      if (!stencilIsSmooth(arch, model.theta, v, X, 1e-3)) continue;
      const fd = fd8Vec((h) => forward({ arch, theta: along(model.theta, v, h) }, data.X).data, 1e-3);
      const Jv = new Float64Array(J.rows);
      for (let r = 0; r < J.rows; r++) for (let t = 0; t < J.cols; t++) Jv[r] += J.data[r * J.cols + t] * v[t];
      expect(maxAbsDiff(Jv, fd)).toBeLessThanOrEqual(1e-9 * Math.max(1, maxAbs(Jv)));
    }
  });
});
