/**
 * Margins and the KKT certificate of conv networks (the model layer's conv sample passes).
 *  - One-sample passes: pre-activations = the naive nested-loop reference; the kink scale bounds
 *    |z| (Cauchy–Schwarz); the margin gradient with the convention slopes = the batch Jacobian row.
 *  - Exact KKT points known in closed form (a conv whose kernel spans the input is a two-layer
 *    net): ε/‖θ̂‖ at rounding level (≤ 1e-14), λ and Σλ = ‖θ̂‖²/L exact, and the point that needs
 *    the interior Clarke slope s = t at a kink.
 *  - A trained tiny conv net (loss-based GD on the exponential loss, ‖θ‖ 0.5 → 64): an approximate
 *    KKT point, checked independently (ε recomputed from the batch margin gradients; Euler's
 *    identity ⟨θ̂, h_k⟩ = L q̂_k), and T maps its certificate: |ε(Tθ) − ε(θ)|/‖θ̂‖ ≤ 1e-12,
 *    δ, λ, q_min and γ̄ unchanged to 1e-12.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { lossBasedGradientDescent } from "../../src/dynamics/index.js";
import { kktCertificate, marginLogGradient, marginSummary } from "../../src/margin/index.js";
import { evaluateSample } from "../../src/margin/sampleNet.js";
import {
  activationDerivative, convArchitecture, forward, initializeModel, makeActivation, makeObjective, marginGradients, outputJacobian,
  type ConvArchitecture, type Model, type ModelData,
} from "../../src/model/index.js";
import { splitUnit } from "../../src/splitting/index.js";
import { convProblem, testArchitectures } from "../model/convCases.js";
import { refConvForward } from "../model/convReference.js";
import { lcg, maxAbs, maxAbsDiff } from "../model/reference.js";

const relu = makeActivation("relu");
const leaky = makeActivation("leaky_relu", 0.1);

function dataOf(X: number[][], y: number[]): ModelData {
  return {
    X: { rows: X.length, cols: X[0].length, data: Float64Array.from(X.flat()) },
    Y: { rows: y.length, cols: 1, data: Float64Array.from(y) },
  };
}

/** 1-D conv over a length-2 input whose kernel spans it: f = Σ_c a_c σ(w_cᵀx), a two-layer net. */
function fullWidth(channels: number): ConvArchitecture {
  return convArchitecture({ dims: 1, input: { channels: 1, width: 2 }, outputs: 1, activation: relu, stages: [{ type: "conv", channels, kernel: 2 }] });
}

describe("conv one-sample passes (KKT building blocks)", () => {
  it("pre-activations = the naive reference, kink scale ≥ |z|, gradient = the Jacobian row", () => {
    for (const { arch } of testArchitectures(leaky).slice(0, 3)) {
      const { model, X, data } = convProblem(arch, "logistic", 71, 3);
      const J = outputJacobian(model, data.X);
      for (let i = 0; i < X.length; i++) {
        const x = Float64Array.from(X[i]);
        const ev = evaluateSample(arch, model.theta, x);
        const ref = refConvForward(arch, model.theta, x);
        ref.pre.forEach((z, l) => {
          expect(maxAbsDiff(ev.pre[l], z)).toBeLessThanOrEqual(1e-13 * Math.max(1, maxAbs(z)));
          for (let r = 0; r < z.length; r++) expect(Math.abs(z[r])).toBeLessThanOrEqual(ev.kinkScale(l, r) * (1 + 1e-12));
        });
        expect(maxAbsDiff(ev.pre[ev.pre.length - 1], ref.out)).toBeLessThanOrEqual(1e-13 * Math.max(1, maxAbs(ref.out)));
        const slopes = ev.pre.slice(0, -1).map((z) => z.map((v) => activationDerivative(leaky, v)));
        for (let c = 0; c < arch.outputs; c++) {
          const w = new Float64Array(arch.outputs);
          w[c] = 1;
          const g = new Float64Array(J.cols);
          ev.gradient(w, slopes, g);
          const row = J.data.subarray((i * arch.outputs + c) * J.cols, (i * arch.outputs + c + 1) * J.cols);
          expect(maxAbsDiff(g, row)).toBeLessThanOrEqual(1e-13 * Math.max(1, maxAbs(row)));
        }
      }
    }
  });
});

describe("conv KKT certificate at exact points", () => {
  it("two channels spanning the input on two points: θ = h₁ + h₂, λ = (1, 1), Σλ = ‖θ‖²/2 = 2", () => {
    const model: Model = { arch: fullWidth(2), theta: Float64Array.from([1, 0, -1, 0, 1, -1]) };
    const c = kktCertificate(model, dataOf([[1, 0], [-1, 0]], [1, -1]));
    expect(c.status).toBe("ok");
    expect(c.homogeneity).toBe(2);
    expect(c.epsilonRelative!).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(c.lambda![0] - 1)).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(c.lambda![1] - 1)).toBeLessThanOrEqual(1e-14);
    expect(c.eulerGap!).toBeLessThanOrEqual(1e-14);
  });

  it("a point that needs the interior Clarke slope s = t at a conv unit's kink", () => {
    // channels w₀ = (0, 1), w₁ = (1, 0), head a = (1, 1); x₁ = (1, 0) sits on the kink of channel 0
    const t = 0.5;
    const model: Model = { arch: fullWidth(2), theta: Float64Array.from([0, 1, 1, 0, 1, 1]) };
    const data = dataOf([[1, 0], [-t, 1]], [1, 1]);
    const c = kktCertificate(model, data);
    expect(c.method).toBe("kink-vertex-nnls");
    expect(c.epsilon!).toBeLessThanOrEqual(1e-15);
    expect(c.kinks).toHaveLength(1);
    expect(c.kinks[0]).toMatchObject({ sample: 0, layer: 1, unit: 0, relaxed: true });
    expect(Math.abs(c.kinks[0].slope! - t)).toBeLessThanOrEqual(1e-15);
    const fixed = kktCertificate(model, data, { maxKinksPerConstraint: 0 });
    expect(Math.abs(fixed.epsilon! - t * Math.sqrt(2 / (2 + t * t)))).toBeLessThanOrEqual(1e-15);
  });
});

describe("conv KKT certificate of a trained net, and its image under channel splitting", () => {
  // 1-D, 1×5 → conv 2 k2 → leaky relu → avgpool 2 → head: p = 2·2 + 2·2 = 8, L = 2
  const arch = convArchitecture({
    dims: 1, input: { channels: 1, width: 5 }, outputs: 1, activation: leaky,
    stages: [{ type: "conv", channels: 2, kernel: 2 }, { type: "avgpool", kernel: 2 }],
  });
  const u = lcg(6 * 99);
  const X = { rows: 6, cols: 5, data: Float64Array.from({ length: 30 }, u) };
  const teacher = forward(initializeModel(arch, { seed: 6 }), X).data; // labels a conv net can fit
  const data: ModelData = { X, Y: { rows: 6, cols: 1, data: Float64Array.from(teacher, (v) => (v > 0 ? 1 : -1)) } };
  const theta0 = initializeModel(arch, { seed: 106, scale: 0.5 }).theta;
  let reason = "";
  let model: Model = { arch, theta: theta0 };
  beforeAll(() => {
    const r = lossBasedGradientDescent(makeObjective(arch, data, "exponential"), theta0, {
      alpha0: 0.02, alphaMax: 0.02, alphaNormRef: 5, logGradient: marginLogGradient(arch, data, "exponential"),
      stop: { maxSteps: 100_000, normAbove: 64 },
    });
    reason = r.reason;
    model = { arch, theta: r.theta };
  });

  it("reaches ‖θ‖ = 64 with an (ε, δ)-KKT certificate: ε/‖θ̂‖ < 1e-2, δ/(‖θ̂‖²/L) < 1e-2, far better than at the start", () => {
    const c = kktCertificate(model, data);
    expect(reason).toMatch(/norm/);
    expect(c.status).toBe("ok");
    expect(c.epsilonRelative!).toBeLessThan(1e-2);
    expect(c.delta! / c.normSquaredOverL!).toBeLessThan(1e-2);
    const start = kktCertificate({ arch, theta: theta0 }, data);
    expect(start.status === "not-separated" || start.epsilonRelative! + start.delta! / start.normSquaredOverL! > 0.1).toBe(true);
    // independent of the certificate's sample passes: ε from the batch margin gradients at θ̂
    const thetaHat = model.theta.map((v) => v / c.scale!);
    const H = marginGradients({ arch, theta: thetaHat }, data);
    const res = Float64Array.from(thetaHat);
    for (let k = 0; k < H.rows; k++) for (let t = 0; t < H.cols; t++) res[t] -= c.lambda![k] * H.data[k * H.cols + t];
    expect(Math.abs(Math.hypot(...res) - c.epsilon!)).toBeLessThanOrEqual(1e-12 * c.normalizedNorm!);
    // Euler's identity for the L-homogeneous net: ⟨θ̂, ∇q_k(θ̂)⟩ = L·q̂_k
    for (let k = 0; k < H.rows; k++) {
      let s = 0;
      for (let t = 0; t < H.cols; t++) s += thetaHat[t] * H.data[k * H.cols + t];
      expect(Math.abs(s - 2 * c.normalizedMargins[k])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(s)));
    }
  });

  it("T maps the certificate: |ε(Tθ) − ε(θ)|/‖θ̂‖ ≤ 1e-12, same δ, λ, q_min, γ̄ (channel 1 → c = (0.6, 0.8))", () => {
    const wide = splitUnit(model, { layer: 1, unit: 1 }, [0.6, 0.8]).model;
    const a = kktCertificate(model, data);
    const b = kktCertificate(wide, data);
    expect(Math.abs(b.epsilon! - a.epsilon!) / a.normalizedNorm!).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(b.delta! - a.delta!)).toBeLessThanOrEqual(1e-12 * Math.max(1, a.normSquaredOverL!));
    for (let k = 0; k < 6; k++) expect(Math.abs(b.lambda![k] - a.lambda![k])).toBeLessThanOrEqual(1e-12 * a.sumLambda!);
    expect(Math.abs(b.qmin - a.qmin)).toBeLessThanOrEqual(1e-12 * a.qmin);
    const ma = marginSummary(model, data, "exponential");
    const mb = marginSummary(wide, data, "exponential");
    expect(Math.abs(mb.normalizedMargin - ma.normalizedMargin)).toBeLessThanOrEqual(1e-12 * ma.normalizedMargin);
    expect(Math.abs(mb.smoothedMargin! - ma.smoothedMargin!)).toBeLessThanOrEqual(1e-12 * Math.abs(ma.smoothedMargin!));
  });
});
