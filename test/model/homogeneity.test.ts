/**
 * Homogeneous networks: the order L from homogeneityOrder, Euler's identity ⟨θ, ∇_θ f(x)⟩ = L·f(x)
 * on every sample (per-sample Jacobian, 1e-13 relative: a sum of p exact products), the scaling
 * law f(cθ) = c^L f(θ), and large-margin behaviour (margins ~1e3: finite log-loss, no NaN, the
 * normalised gradient checked against a log-space formula written here).
 */
import { describe, expect, it } from "vitest";
import {
  forward, homogeneityOrder, inputDim, lossAndGradient, makeActivation, marginGradients, mlpArchitecture, normalizedGradient,
  outputJacobian, paramCount, twoLayerArchitecture, type Architecture,
} from "../../src/model/index.js";
import { lcg, maxAbs, maxAbsDiff } from "./reference.js";

const relu = makeActivation("relu");
const CASES: { label: string; arch: Architecture; L: number }[] = [
  { label: "two-layer relu", arch: twoLayerArchitecture({ d: 3, m: 5, activation: relu }), L: 2 },
  { label: "two-layer leaky_relu", arch: twoLayerArchitecture({ d: 3, m: 5, activation: makeActivation("leaky_relu", 0.01) }), L: 2 },
  { label: "two-layer linear, k = 2", arch: twoLayerArchitecture({ d: 3, m: 5, k: 2, activation: makeActivation("linear") }), L: 2 },
  { label: "two-layer relu_power 2", arch: twoLayerArchitecture({ d: 3, m: 5, activation: makeActivation("relu_power", 2) }), L: 3 },
  { label: "two-layer relu_power 3", arch: twoLayerArchitecture({ d: 3, m: 5, activation: makeActivation("relu_power", 3) }), L: 4 },
  { label: "two-layer relu with input bias b", arch: twoLayerArchitecture({ d: 3, m: 5, activation: relu, inputBias: true }), L: 2 },
  { label: "mlp 3→4→1 relu", arch: mlpArchitecture([3, 4, 1], relu), L: 2 },
  { label: "mlp 3→4→3→1 leaky_relu", arch: mlpArchitecture([3, 4, 3, 1], makeActivation("leaky_relu", 0.1)), L: 3 },
  { label: "mlp 2→3→2→2→1 relu", arch: mlpArchitecture([2, 3, 2, 2, 1], relu), L: 4 },
  { label: "mlp 3→4→3→2 relu_power 2", arch: mlpArchitecture([3, 4, 3, 2], makeActivation("relu_power", 2)), L: 7 },
  { label: "mlp 3→2 tanh (no hidden layer: linear)", arch: mlpArchitecture([3, 2], makeActivation("tanh")), L: 1 },
];

function data(d: number, n: number, seed: number): { rows: number; cols: number; data: Float64Array } {
  const u = lcg(seed);
  return { rows: n, cols: d, data: Float64Array.from({ length: n * d }, () => 1.3 * u()) };
}

describe("homogeneity order", () => {
  it("non-homogeneous networks report null", () => {
    expect(homogeneityOrder(twoLayerArchitecture({ d: 2, m: 2, activation: relu, outputBias: true }))).toBeNull();
    expect(homogeneityOrder(twoLayerArchitecture({ d: 2, m: 2, activation: makeActivation("tanh") }))).toBeNull();
    expect(homogeneityOrder(mlpArchitecture([2, 3, 1], makeActivation("gelu")))).toBeNull();
  });
  for (const { label, arch, L } of CASES) {
    it(`${label}: L = ${L}, Euler ⟨θ, ∇f⟩ = L f and f(cθ) = c^L f(θ)`, () => {
      expect(homogeneityOrder(arch)).toBe(L);
      const u = lcg(L * 17 + paramCount(arch));
      const theta = Float64Array.from({ length: paramCount(arch) }, () => u());
      const X = data(inputDim(arch), 9, 3);
      const F = forward({ arch, theta }, X);
      const J = outputJacobian({ arch, theta }, X);
      const p = theta.length;
      for (let r = 0; r < J.rows; r++) {
        let s = 0;
        for (let t = 0; t < p; t++) s += J.data[r * p + t] * theta[t];
        expect(Math.abs(s - L * F.data[r])).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(L * F.data[r])));
      }
      for (const c of [0.3, 2.5]) {
        const Fc = forward({ arch, theta: theta.map((v) => c * v) }, X);
        expect(maxAbsDiff(Fc.data, F.data.map((v) => c ** L * v))).toBeLessThanOrEqual(1e-13 * Math.max(1, c ** L * maxAbs(F.data)));
      }
    });
  }
});

describe("margins of order 1e3", () => {
  it("exponential and logistic losses: finite log-loss, no NaN, exact normalised gradient", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 4, activation: relu });
    // Separable data: y = sign(x₁); a network that fits it, scaled so the margins reach ~1e3.
    const u = lcg(5);
    const n = 12;
    const Xd = new Float64Array(n * 2);
    const Yd = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const y = i % 2 === 0 ? 1 : -1;
      Xd[2 * i] = y * (1 + 0.5 * Math.abs(u()));
      Xd[2 * i + 1] = 0.5 * u();
      Yd[i] = y;
    }
    const ds = { X: { rows: n, cols: 2, data: Xd }, Y: { rows: n, cols: 1, data: Yd } };
    const base = Float64Array.from([1, 0.1, -1, 0.1, 0.7, -0.2, -0.8, -0.3, 1, -1, 0.5, -0.5]);
    const q0 = forward({ arch, theta: base }, ds.X).data.map((f, i) => f * Yd[i]);
    expect(Math.min(...q0)).toBeGreaterThan(0);
    const c = Math.sqrt(1000 / Math.min(...q0)); // L = 2: margins scale by c² → min margin 1000
    const theta = base.map((v) => c * v);
    for (const loss of ["exponential", "logistic"] as const) {
      const r = lossAndGradient({ arch, theta }, ds, loss);
      expect(r.loss).toBe(0);
      expect(Number.isFinite(r.logLoss)).toBe(true);
      expect(r.logLoss).toBeLessThan(-990);
      expect(r.gradient!.every(Number.isFinite)).toBe(true);
      // Independent log-space formula: ∇ℒ/ℒ = −Σ_i w_i ∇q_i, w_i = e^{−q_i}/Σ_j e^{−q_j} (exponential);
      // logistic differs from it by O(e^{−1000}).
      const q = q0.map((v) => c * c * v);
      const qmin = Math.min(...q);
      const e = q.map((v) => Math.exp(-(v - qmin)));
      const Z = e.reduce((a, b) => a + b, 0);
      const G = marginGradients({ arch, theta }, ds);
      const want = new Float64Array(theta.length);
      for (let i = 0; i < n; i++) for (let t = 0; t < theta.length; t++) want[t] -= (e[i] / Z) * G.data[i * theta.length + t];
      const got = normalizedGradient({ arch, theta }, ds, loss);
      expect(Math.abs(got.logLoss - r.logLoss)).toBe(0);
      expect(maxAbsDiff(got.direction, want)).toBeLessThanOrEqual(1e-12 * maxAbs(want));
    }
  });
});
