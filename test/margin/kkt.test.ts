/**
 * Margins and the Clarke-aware KKT certificate at constructed points whose max-margin solution
 * and multipliers are known in closed form.
 *
 * Tolerances: at an exact KKT point the NNLS reproduces θ̂ = Σλ_k h_k from a few exact columns,
 * so ε/‖θ̂‖ is at the rounding level (≤ 1e-14) and λ, Σλ = ‖θ̂‖²/L agree to 1e-13 relative.
 * Scale invariance: θ̂ = θ/q_min^{1/L} is the same point up to one rounding per entry, so the
 * certificates agree to 1e-12. The kink QP equals the minimum over slope boxes; the brute-force
 * grid (201 slopes per kink) approaches it from above within O(grid step²) ≈ 1e-4 relative.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import { nnls } from "../../src/linalg/index.js";
import { kktCertificate, marginSummary, normalizedMargin, smoothedMargin } from "../../src/margin/index.js";
import { affineLayers, conventionSlopes, forwardSample, sampleGradient } from "../../src/margin/sampleNet.js";
import {
  evaluateLoss, makeActivation, marginGradients, mlpArchitecture, outputDim, paramCount, twoLayerArchitecture, type Architecture, type Model, type ModelData,
} from "../../src/model/index.js";
import { splitUnit } from "../../src/splitting/index.js";
import { testRng } from "../helpers/random.js";

const relu = makeActivation("relu");

function dataOf(X: number[][], y: number[]): ModelData {
  return {
    X: { rows: X.length, cols: X[0].length, data: Float64Array.from(X.flat()) },
    Y: { rows: y.length, cols: 1, data: Float64Array.from(y) },
  };
}

describe("margins", () => {
  it("γ̄ = q_min/‖θ‖^L is scale invariant; γ̃ (exponential, logistic) ≤ γ̄ and ≥ γ̄ − log N/‖θ‖^L", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 2, activation: relu });
    const theta = Float64Array.from([1, 0, -1, 0, 1, -1]);
    const data = dataOf([[1, 0], [-1, 0], [2, 0.5]], [1, -1, 1]);
    const m: Model = { arch, theta };
    expect(normalizedMargin(m, data)).toBeCloseTo(1 / 4, 15);
    const big: Model = { arch, theta: theta.map((v) => 300 * v) };
    expect(Math.abs(normalizedMargin(big, data) - 0.25)).toBeLessThanOrEqual(1e-15);
    for (const loss of ["exponential", "logistic"] as const) {
      const s = smoothedMargin(big, data, loss); // margins 9e4: ℒ underflows, log ℒ does not
      expect(s).toBeLessThanOrEqual(0.25);
      expect(s).toBeGreaterThanOrEqual(0.25 - Math.log(3) / 300 ** 2 - 1e-15);
    }
    expect(evaluateLoss(big, data, "exponential").loss).toBe(0);
    const sum = marginSummary(m, data, "exponential");
    expect(sum.homogeneity).toBe(2);
    expect(sum.qmin).toBe(1);
    expect(sum.smoothedMargin).toBeCloseTo(-Math.log(2 * Math.exp(-1) + Math.exp(-2)) / 4, 14);
  });

  it("non-homogeneous models are an InputError with the reason", () => {
    const data = dataOf([[1, 0]], [1]);
    const tanh: Model = { arch: twoLayerArchitecture({ d: 2, m: 1, activation: makeActivation("tanh") }), theta: new Float64Array(3).fill(1) };
    expect(() => normalizedMargin(tanh, data)).toThrow(InputError);
    expect(() => kktCertificate(tanh, data)).toThrow(/tanh is not positively homogeneous/);
    const biased: Model = { arch: twoLayerArchitecture({ d: 2, m: 1, activation: relu, outputBias: true }), theta: new Float64Array(4).fill(1) };
    expect(() => kktCertificate(biased, data)).toThrow(/output bias/);
  });
});

describe("per-sample margin gradients (used for the certificate) agree with model.marginGradients", () => {
  const cases: Architecture[] = [
    twoLayerArchitecture({ d: 3, m: 4, k: 2, activation: makeActivation("leaky_relu", 0.1), inputBias: true, outputBias: true }),
    mlpArchitecture([3, 4, 3, 2], makeActivation("relu")),
    mlpArchitecture([3, 2], relu),
  ];
  for (const arch of cases) {
    it(arch.kind + " " + (arch.kind === "mlp" ? arch.widths.join("→") : "2-output with biases"), () => {
      const g = testRng(3);
      const theta = g.randnVec(paramCount(arch));
      const k = outputDim(arch);
      const n = 6;
      const X = g.randn(n, 3);
      const Y = { rows: n, cols: k, data: Float64Array.from({ length: n * k }, (_, t) => (t % 3 === 0 ? 1 : -1)) };
      const H = marginGradients({ arch, theta }, { X, Y });
      const layers = affineLayers(arch);
      const p = theta.length;
      for (let i = 0; i < n; i++) {
        const pass = forwardSample(layers, arch.activation, theta, X.data.subarray(i * 3, i * 3 + 3));
        for (let c = 0; c < k; c++) {
          const w = new Float64Array(k);
          w[c] = Y.data[i * k + c];
          const h = new Float64Array(p);
          sampleGradient(layers, theta, pass, w, conventionSlopes(arch.activation, pass), h);
          for (let t = 0; t < p; t++) expect(Math.abs(h[t] - H.data[(i * k + c) * p + t])).toBeLessThanOrEqual(1e-13);
        }
      }
    });
  }
});

describe("KKT certificate at exact KKT points", () => {
  it("linear model (L = 1): w = (1, 0), λ = (½, ½, 0), Σλ = ‖w‖²", () => {
    const arch = mlpArchitecture([2, 1], relu);
    const data = dataOf([[1, 1], [-1, 1], [3, 0]], [1, -1, 1]);
    const c = kktCertificate({ arch, theta: Float64Array.from([3, 0]) }, data);
    expect(c.status).toBe("ok");
    expect(c.homogeneity).toBe(1);
    expect(c.qmin).toBe(3);
    expect(c.epsilonRelative!).toBeLessThanOrEqual(1e-14);
    expect(c.delta!).toBeLessThanOrEqual(1e-14);
    expect(c.activeTol).toBe(1e-12);
    // with all constraints (τ = ∞) the NNLS is degenerate: h₃ = (3, 0) ∥ θ̂ alone gives ε = 0 but δ = 2/3
    const all = kktCertificate({ arch, theta: Float64Array.from([3, 0]) }, data, { activeTol: Infinity });
    expect(all.epsilonRelative!).toBeLessThanOrEqual(1e-14);
    expect(all.delta!).toBeGreaterThan(0.1);
    expect(Math.abs(c.lambda![0] - 0.5)).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(c.lambda![1] - 0.5)).toBeLessThanOrEqual(1e-14);
    expect(c.lambda![2]).toBe(0);
    expect(c.support).toEqual([0, 1]);
    expect(Math.abs(c.sumLambda! - c.normSquaredOverL!)).toBeLessThanOrEqual(1e-14);
    expect(c.method).toBe("nnls");
  });

  it("two-layer ReLU on two points: θ = h₁ + h₂, λ = (1, 1), Σλ = ‖θ‖²/2 = 2; ε and λ scale invariant", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 2, activation: relu });
    const data = dataOf([[1, 0], [-1, 0]], [1, -1]);
    const theta = Float64Array.from([1, 0, -1, 0, 1, -1]);
    const c = kktCertificate({ arch, theta }, data);
    expect(c.epsilon!).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(c.lambda![0] - 1)).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(c.lambda![1] - 1)).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(c.sumLambda! - 2)).toBeLessThanOrEqual(1e-14);
    expect(c.eulerGap!).toBeLessThanOrEqual(1e-14);
    for (const s of [1e-3, 7.3, 1e4]) {
      const cs = kktCertificate({ arch, theta: theta.map((v) => s * v) }, data);
      expect(Math.abs(cs.epsilonRelative! - c.epsilonRelative!)).toBeLessThanOrEqual(1e-14);
      for (let k = 0; k < 2; k++) expect(Math.abs(cs.lambda![k] - c.lambda![k])).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(cs.normalizedMargin - c.normalizedMargin)).toBeLessThanOrEqual(1e-15);
    }
  });

  it("an approximate point: ε, ε_rel, δ, λ are invariant under θ → sθ to 1e-12", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("leaky_relu", 0.05) });
    const data = dataOf([[1, 0.2], [-1, 0.1], [0.3, 1.5], [-0.2, -1.2], [2, 1]], [1, -1, 1, -1, 1]);
    const theta = Float64Array.from([1.1, 0.1, -0.9, 0.2, 0.3, 1.0, 1.2, -1.1, 0.8]);
    const c = kktCertificate({ arch, theta }, data);
    expect(c.status).toBe("ok");
    expect(c.epsilonRelative!).toBeGreaterThan(1e-6); // not a KKT point
    const cs = kktCertificate({ arch, theta: theta.map((v) => 13.7 * v) }, data);
    expect(Math.abs(cs.epsilon! - c.epsilon!)).toBeLessThanOrEqual(1e-12 * c.normalizedNorm!);
    expect(Math.abs(cs.delta! - c.delta!)).toBeLessThanOrEqual(1e-12 * Math.max(1, c.delta!));
    for (let k = 0; k < 5; k++) expect(Math.abs(cs.lambda![k] - c.lambda![k])).toBeLessThanOrEqual(1e-12 * Math.max(1, c.sumLambda!));
  });

  it("deep bias-free ReLU chains: q = w₃w₂w₁ has its max-margin point at (1, 1, 1), λ = 1 = ‖θ‖²/3", () => {
    for (const widths of [[1, 1, 1], [1, 1, 1, 1]]) {
      const arch = mlpArchitecture(widths, relu);
      const L = widths.length - 1;
      const c = kktCertificate({ arch, theta: new Float64Array(L).fill(2) }, dataOf([[1]], [1]));
      expect(c.homogeneity).toBe(L);
      expect(c.epsilonRelative!).toBeLessThanOrEqual(1e-15);
      expect(Math.abs(c.lambda![0] - 1)).toBeLessThanOrEqual(1e-15);
      expect(Math.abs(c.sumLambda! - c.normSquaredOverL!)).toBeLessThanOrEqual(1e-15);
    }
  });

  it("splitting maps the certificate: ε, δ, λ and the margins are unchanged (claim 1)", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 2, activation: relu });
    const data = dataOf([[1, 0], [-1, 0], [2, 1]], [1, -1, 1]);
    const model: Model = { arch, theta: Float64Array.from([1, 0, -1, 0, 1, -1]) };
    const wide = splitUnit(model, 0, [0.6, 0.8]).model;
    const a = kktCertificate(model, data);
    const b = kktCertificate(wide, data);
    expect(b.epsilon!).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(b.qmin - a.qmin)).toBeLessThanOrEqual(1e-15);
    for (let k = 0; k < 3; k++) expect(Math.abs(b.lambda![k] - a.lambda![k])).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(b.delta! - a.delta!)).toBeLessThanOrEqual(1e-14);
  });

  it("vector outputs (k = 2, one-vs-all margins): one constraint per (sample, output), exact point", () => {
    // two copies of the linear max-margin problem, one per output: W = [[1, 0], [0, 1]]
    const arch = mlpArchitecture([2, 2], relu);
    const X = { rows: 2, cols: 2, data: Float64Array.from([1, 1, -1, 1]) };
    const Y = { rows: 2, cols: 2, data: Float64Array.from([1, 1, -1, 1]) };
    const c = kktCertificate({ arch, theta: Float64Array.from([1, 0, 0, 1]) }, { X, Y });
    expect(c.constraints).toBe(4);
    expect(c.epsilonRelative!).toBeLessThanOrEqual(1e-15);
    expect(Array.from(c.lambda!).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it("non-separated data: status not-separated, a message, no NaN", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 2, activation: relu });
    const c = kktCertificate({ arch, theta: Float64Array.from([1, 0, -1, 0, 1, -1]) }, dataOf([[1, 0], [-1, 0]], [1, 1]));
    expect(c.status).toBe("not-separated");
    expect(c.message).toMatch(/does not separate/);
    expect(c.epsilon).toBeNull();
    expect(JSON.stringify(c)).not.toMatch(/NaN/);
  });
});

/** ε for FIXED kink slopes: NNLS over the columns h_k(s). */
function epsilonAtSlopes(model: Model, data: ModelData, kinkSlopes: Map<string, number>): number {
  const layers = affineLayers(model.arch);
  const q = Array.from({ length: data.X.rows }, (_, i) => {
    const pass = forwardSample(layers, model.arch.activation, model.theta, data.X.data.subarray(i * data.X.cols, (i + 1) * data.X.cols));
    return data.Y.data[i] * pass.pre[pass.pre.length - 1][0];
  });
  const qmin = Math.min(...q);
  const L = model.arch.kind === "mlp" ? model.arch.widths.length - 1 : 2;
  const th = model.theta.map((v) => v / Math.pow(qmin, 1 / L));
  const p = th.length;
  const n = data.X.rows;
  const A = new Float64Array(p * n);
  for (let i = 0; i < n; i++) {
    const pass = forwardSample(layers, model.arch.activation, th, data.X.data.subarray(i * data.X.cols, (i + 1) * data.X.cols));
    const slopes = conventionSlopes(model.arch.activation, pass);
    for (const [key, s] of kinkSlopes) {
      const [si, l, u] = key.split(",").map(Number);
      if (si === i) slopes[l][u] = s;
    }
    const h = new Float64Array(p);
    sampleGradient(layers, th, pass, Float64Array.of(data.Y.data[i]), slopes, h);
    for (let t = 0; t < p; t++) A[t * n + i] = h[t];
  }
  return nnls({ rows: p, cols: n, data: A }, th).residualNorm;
}

describe("the kink QP (vertex NNLS) against brute force over the slope box", () => {
  // Unit 0 has w₀ = (1, 0): samples (0, t) sit exactly on its kink.
  const cases: Array<{ name: string; arch: Architecture; theta: number[]; X: number[][]; y: number[] }> = [
    {
      name: "relu, one kink (unit 0, w₀ = (1, 0), on x = (0, 1))",
      arch: twoLayerArchitecture({ d: 2, m: 3, activation: relu }),
      theta: [1, 0, 0.3, 1, -1, -0.5, 0.7, 1.2, -1],
      X: [[0, 1], [1, 1], [-1, -1.3]],
      y: [1, 1, -1],
    },
    {
      name: "leaky relu (a = 0.2), two kinks on one sample (units 0, 1 on x = (0, 2))",
      arch: twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("leaky_relu", 0.2) }),
      theta: [1, 0, -2, 0, 0, 1, -0.8, 0.5, 1.1],
      X: [[0, 2], [1, 1], [0.5, 1.5], [0.5, -1]],
      y: [1, 1, 1, -1],
    },
  ];
  for (const cs of cases) {
    it(cs.name, () => {
      const model: Model = { arch: cs.arch, theta: Float64Array.from(cs.theta) };
      const data = dataOf(cs.X, cs.y);
      const cert = kktCertificate(model, data, { activeTol: Infinity });
      expect(cert.status).toBe("ok");
      const kinks = cert.kinks.filter((k) => k.relaxed);
      expect(kinks.length).toBeGreaterThanOrEqual(1);
      expect(cert.method).toBe("kink-vertex-nnls");
      // brute force: a grid over the box of slopes
      const lo = kinks[0].interval[0];
      const hi = kinks[0].interval[1];
      const G = 200;
      let best = Infinity;
      const grid = (rest: typeof kinks, chosen: Map<string, number>): void => {
        if (rest.length === 0) {
          best = Math.min(best, epsilonAtSlopes(model, data, chosen));
          return;
        }
        for (let t = 0; t <= G; t += rest.length > 1 ? 10 : 1) {
          const next = new Map(chosen);
          next.set(`${rest[0].sample},${rest[0].layer - 1},${rest[0].unit}`, lo + ((hi - lo) * t) / G);
          grid(rest.slice(1), next);
        }
      };
      grid(kinks, new Map());
      expect(cert.epsilon!).toBeLessThanOrEqual(best * (1 + 1e-12) + 1e-15);
      expect(best - cert.epsilon!).toBeLessThanOrEqual(2e-2 * best + 1e-12);
      // the slopes the certificate reports reproduce its ε exactly
      const chosen = new Map<string, number>();
      for (const k of kinks) chosen.set(`${k.sample},${k.layer - 1},${k.unit}`, k.slope ?? lo);
      expect(Math.abs(epsilonAtSlopes(model, data, chosen) - cert.epsilon!)).toBeLessThanOrEqual(1e-12 * cert.normalizedNorm!);
      // and relaxing never hurts: the convention slope alone is no better
      const fixed = kktCertificate(model, data, { maxKinksPerConstraint: 0, activeTol: Infinity });
      expect(cert.epsilon!).toBeLessThanOrEqual(fixed.epsilon! * (1 + 1e-12) + 1e-15);
    });
  }

  it("an exact KKT point that NEEDS an interior Clarke slope s = t at a ReLU kink (two-layer and as an mlp)", () => {
    // units w₀ = (0, 1), w₁ = (1, 0), a = (1, 1); x₁ = (1, 0) sits on the kink of unit 0,
    // x₃ = (−t, 1). θ = h₁(s₀) + h₃ holds iff s₀ = t: the w₀ block needs λ₁s₀x₁ + λ₃x₃ = (0, 1).
    const t = 0.5;
    const data = dataOf([[1, 0], [-t, 1]], [1, 1]);
    const models: Model[] = [
      { arch: twoLayerArchitecture({ d: 2, m: 2, activation: relu }), theta: Float64Array.from([0, 1, 1, 0, 1, 1]) },
      { arch: mlpArchitecture([2, 2, 1], relu), theta: Float64Array.from([0, 1, 1, 0, 1, 1]) },
    ];
    for (const model of models) {
      const c = kktCertificate(model, data);
      expect(c.method).toBe("kink-vertex-nnls");
      expect(c.epsilon!).toBeLessThanOrEqual(1e-15);
      expect(c.kinks).toHaveLength(1);
      expect(c.kinks[0]).toMatchObject({ sample: 0, layer: 1, unit: 0, relaxed: true });
      expect(Math.abs(c.kinks[0].slope! - t)).toBeLessThanOrEqual(1e-15);
      expect(Math.abs(c.sumLambda! - 2)).toBeLessThanOrEqual(1e-14);
      // the convention σ′(0) = 0 alone cannot certify it: h₁ ⊥ h₃, so ε is the part of
      // (0, 1 | 0, 0 | 1, 0) orthogonal to h₃ = (−t, 1 | 0, 0 | 1, 0): ε = t·√(2/(2 + t²))
      const fixed = kktCertificate(model, data, { maxKinksPerConstraint: 0 });
      expect(Math.abs(fixed.epsilon! - t * Math.sqrt(2 / (2 + t * t)))).toBeLessThanOrEqual(1e-15);
      expect(fixed.kinks[0].relaxed).toBe(false);
    }
  });

  it("exact KKT point with units on kinks: ε ≈ 0, kinks reported, Σλ = ‖θ‖²/2 = 3", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 3, activation: relu });
    const theta = Float64Array.from([1, 0, -1, 0, 0, 1, 1, -1, -1]);
    const data = dataOf([[1, 0], [-1, 0], [0, 1]], [1, -1, -1]);
    const c = kktCertificate({ arch, theta }, data);
    expect(c.epsilon!).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(c.sumLambda! - 3)).toBeLessThanOrEqual(1e-14);
    expect(c.kinks.map((k) => `${k.sample}:${k.unit}`).sort()).toEqual(["0:2", "1:2", "2:0", "2:1"]);
  });
});
