/**
 * The splitting map T and the copy-and-divide embedding.
 *
 * Tolerances: T has one nonzero per row, so Tθ costs one rounding per entry and TᵀT = diag(Σc_i²)
 * is exact up to the rounding of K squares: ‖TᵀT − I‖ ≤ 4ε. Function and gradient of the wide
 * net differ from the narrow one only by re-associated sums (c_i² a σ(z) summed over copies vs
 * a σ(z)), so relative errors ~1e-16..1e-15; we allow 1e-14. The negative controls must miss
 * by orders of magnitude (≥ 1e-3), so the tests cannot pass by accident.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import { makeDataset } from "../../src/data/index.js";
import { gradientDescent } from "../../src/dynamics/index.js";
import {
  forward, makeActivation, makeObjective, mlpArchitecture, paramCount, twoLayerArchitecture, type Architecture, type Model,
} from "../../src/model/index.js";
import {
  applyEmbedding, applyEmbeddingTranspose, composeEmbeddings, copyDivideSplit, embeddingChecks, embeddingMatrix,
  functionPreservation, gradientPreservation, isometryDefect, offImageDistance, randomInputs, splitMap, splitMatrices, splitUnit,
} from "../../src/splitting/index.js";
import { testBlobs } from "../helpers/blobs.js";
import { testRng } from "../helpers/random.js";

const EPS = 2 ** -52;

function randomModel(arch: Architecture, seed: number): Model {
  const g = testRng(seed);
  return { arch, theta: g.randnVec(paramCount(arch)) };
}

function norm(v: Float64Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

const relu = makeActivation("relu");
const leaky = makeActivation("leaky_relu", 0.01);

describe("splitting map T (two-layer)", () => {
  const arch = twoLayerArchitecture({ d: 3, m: 4, activation: relu });
  const model = randomModel(arch, 1);
  const c = [0.6, 0.8];
  const { model: wide, map: T } = splitUnit(model, 2, c);

  it("places copy 1 at j and appends the others after the last unit", () => {
    expect(wide.arch).toMatchObject({ kind: "two-layer", m: 5, d: 3 });
    const W = model.theta.subarray(0, 12);
    const a = model.theta.subarray(12, 16);
    const W2 = wide.theta.subarray(0, 15);
    const a2 = wide.theta.subarray(15, 20);
    for (let i = 0; i < 3; i++) {
      expect(W2[2 * 3 + i]).toBe(0.6 * W[2 * 3 + i]);
      expect(W2[4 * 3 + i]).toBe(0.8 * W[2 * 3 + i]);
      expect(W2[0 * 3 + i]).toBe(W[0 * 3 + i]);
    }
    expect(a2[2]).toBe(0.6 * a[2]);
    expect(a2[4]).toBe(0.8 * a[2]);
    expect(a2[3]).toBe(a[3]);
  });

  it("is an isometry: ‖TᵀT − I‖ ≤ 4ε, ‖Tθ‖ = ‖θ‖, TᵀTθ = θ", () => {
    expect(isometryDefect(T)).toBeLessThanOrEqual(4 * EPS);
    expect(Math.abs(norm(wide.theta) - norm(model.theta))).toBeLessThanOrEqual(8 * EPS * norm(model.theta));
    const back = applyEmbeddingTranspose(T, wide.theta);
    for (let i = 0; i < back.length; i++) expect(Math.abs(back[i] - model.theta[i])).toBeLessThanOrEqual(4 * EPS * Math.abs(model.theta[i]) + 1e-300);
    expect(offImageDistance(T, wide.theta)).toBeLessThanOrEqual(8 * EPS * norm(model.theta));
  });

  it("Tᵀ is the adjoint of T: ⟨Tθ, η⟩ = ⟨θ, Tᵀη⟩, and the dense matrix agrees", () => {
    const g = testRng(5);
    const eta = g.randnVec(paramCount(wide.arch));
    const lhs = applyEmbedding(T, model.theta).reduce((s, v, i) => s + v * eta[i], 0);
    const rhs = applyEmbeddingTranspose(T, eta).reduce((s, v, i) => s + v * model.theta[i], 0);
    expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(lhs)));
    const M = embeddingMatrix(T);
    for (let r = 0; r < M.rows; r++) {
      let s = 0;
      for (let j = 0; j < M.cols; j++) s += M.data[r * M.cols + j] * model.theta[j];
      expect(s).toBe(wide.theta[r]);
    }
  });

  it("preserves the function and maps gradients: Φ̃(Tθ) = Φ(θ), ∇Φ̃(Tθ) = T∇Φ(θ) to 1e-14 relative", () => {
    const X = randomInputs(T, 200, 3);
    const f = functionPreservation(T, model, X);
    const g = gradientPreservation(T, model, X);
    expect(f.relative).toBeLessThanOrEqual(1e-14);
    expect(g.relative).toBeLessThanOrEqual(1e-14);
    const checks = embeddingChecks(T, model, { data: X });
    expect(checks.isometryHolds && checks.functionPreserved && checks.gradientPreserved).toBe(true);
  });

  it("the S matrix form: one nonnegative entry per row, SᵀS = I, W' = SW", () => {
    const { Sin, Sout } = splitMatrices(T, 1);
    expect(Sin.rows).toBe(5);
    expect(Array.from(Sin.data)).toEqual(Array.from(Sout.data));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let r = 0; r < 5; r++) s += Sin.data[r * 4 + i] * Sin.data[r * 4 + j];
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThanOrEqual(4 * EPS);
      }
    }
    for (let r = 0; r < 5; r++) {
      for (let i = 0; i < 3; i++) {
        let s = 0;
        for (let u = 0; u < 4; u++) s += Sin.data[r * 4 + u] * model.theta[u * 3 + i];
        expect(wide.theta[r * 3 + i]).toBe(s);
      }
    }
  });

  it("composes: splitting twice equals the composed map, which is again an isometry", () => {
    const T2 = splitMap(wide.arch, { unit: 0 }, [0.28, 0.96]);
    const twice = applyEmbedding(T2, wide.theta);
    const TT = composeEmbeddings(T2, T);
    const once = applyEmbedding(TT, model.theta);
    for (let i = 0; i < once.length; i++) expect(Math.abs(once[i] - twice[i])).toBeLessThanOrEqual(2 * EPS * Math.abs(twice[i]));
    expect(isometryDefect(TT)).toBeLessThanOrEqual(8 * EPS);
    expect(functionPreservation(TT, model, randomInputs(TT, 100, 4)).relative).toBeLessThanOrEqual(1e-14);
  });

  it("with input biases, k = 2 outputs and an output bias it still preserves function and gradients", () => {
    const a2 = twoLayerArchitecture({ d: 2, m: 3, k: 2, activation: leaky, inputBias: true, outputBias: true });
    const m2 = randomModel(a2, 9);
    const T3 = splitMap(a2, { unit: 1 }, [0.5, 0.5, Math.SQRT1_2]);
    const X = randomInputs(T3, 100, 2);
    expect(functionPreservation(T3, m2, X).relative).toBeLessThanOrEqual(1e-14);
    expect(gradientPreservation(T3, m2, X).relative).toBeLessThanOrEqual(1e-14);
  });

  it("rejects negative coefficients, Σc² ≠ 1 beyond the tolerance, and out-of-range units and layers", () => {
    expect(() => splitMap(arch, { unit: 0 }, [-0.6, 0.8])).toThrow(InputError);
    expect(() => splitMap(arch, { unit: 0 }, [0.7071, 0.7071])).toThrow(/tolerance 1e-12/);
    expect(() => splitMap(arch, { unit: 4 }, [0.6, 0.8])).toThrow(/unit 4 is out of range/);
    expect(() => splitMap(arch, { layer: 2, unit: 0 }, [0.6, 0.8])).toThrow(/layer 2 is out of range/);
    expect(() => splitMap(arch, { unit: 0 }, [Math.SQRT1_2, Math.SQRT1_2])).not.toThrow();
  });
});

describe("negative controls must FAIL function preservation", () => {
  it("a negative coefficient (ReLU): relative output error ≫ 1e-3", () => {
    const arch = twoLayerArchitecture({ d: 3, m: 4, activation: relu });
    const model = randomModel(arch, 2);
    const T = splitMap(arch, { unit: 1 }, [-0.6, 0.8], { allowNegative: true });
    expect(isometryDefect(T)).toBeLessThanOrEqual(4 * EPS); // still an isometry…
    const f = functionPreservation(T, model, randomInputs(T, 200, 1));
    expect(f.relative).toBeGreaterThan(1e-3); // …but not function preserving
    expect(embeddingChecks(T, model).functionPreserved).toBe(false);
  });

  it("tanh (not homogeneous): the splitting map changes the function; copy-and-divide does not", () => {
    const arch = twoLayerArchitecture({ d: 3, m: 4, activation: makeActivation("tanh") });
    const model = randomModel(arch, 3);
    const T = splitMap(arch, { unit: 1 }, [0.6, 0.8]);
    expect(functionPreservation(T, model, randomInputs(T, 200, 1)).relative).toBeGreaterThan(1e-3);
    const cd = copyDivideSplit(model, 1, [0.3, 0.7]);
    expect(functionPreservation(cd.map, model, randomInputs(cd.map, 200, 1)).relative).toBeLessThanOrEqual(1e-14);
    expect(isometryDefect(cd.map)).toBeGreaterThan(0.1); // copy-and-divide is not an isometry
  });
});

describe("copy-and-divide (Zhang et al.)", () => {
  it("copies w, divides a into λ_i a; k-way; deep layers; Σλ must be 1", () => {
    const arch = mlpArchitecture([2, 3, 2, 1], makeActivation("gelu"));
    const model = randomModel(arch, 4);
    const { model: wide, map } = copyDivideSplit(model, { layer: 2, unit: 1 }, [0.2, 0.5, 0.3]);
    expect(wide.arch).toMatchObject({ widths: [2, 3, 4, 1] });
    expect(functionPreservation(map, model, randomInputs(map, 100, 1)).relative).toBeLessThanOrEqual(1e-14);
    expect(() => copyDivideSplit(model, 0, [0.5, 0.6])).toThrow(InputError);
    const { Sin, Sout } = splitMatrices(map, 2);
    expect(Array.from(Sin.data)).toEqual([1, 0, 0, 1, 0, 1, 0, 1]);
    expect(Array.from(Sout.data)).toEqual([1, 0, 0, 0.2, 0, 0.5, 0, 0.3]);
  });
});

describe("deep splits: the S matrix form and composition across layers", () => {
  it("W'^(l) = S W^(l), W'^(l+1) = W^(l+1) Sᵀ with SᵀS = I; splits of two layers compose", () => {
    const arch = mlpArchitecture([2, 3, 2, 1], leaky);
    const model = randomModel(arch, 21);
    const T = splitMap(arch, { layer: 1, unit: 2 }, [0.28, 0.96]);
    const { Sin, Sout } = splitMatrices(T, 1);
    expect(Array.from(Sin.data)).toEqual(Array.from(Sout.data));
    expect(Sin.rows).toBe(4);
    const eta = applyEmbedding(T, model.theta);
    // W'^(2) (2×4) = W^(2) (2×3) Sᵀ
    const W2 = model.theta.subarray(6, 12);
    const W2w = eta.subarray(8, 16);
    for (let r = 0; r < 2; r++) {
      for (let u = 0; u < 4; u++) {
        let v = 0;
        for (let j = 0; j < 3; j++) v += W2[r * 3 + j] * Sin.data[u * 3 + j];
        expect(W2w[r * 4 + u]).toBe(v);
      }
    }
    const T2 = splitMap(T.to, { layer: 2, unit: 0 }, [0.6, 0.8]);
    const TT = composeEmbeddings(T2, T);
    expect(TT.to).toMatchObject({ widths: [2, 4, 3, 1] });
    expect(isometryDefect(TT)).toBeLessThanOrEqual(8 * EPS);
    const X = randomInputs(TT, 100, 8);
    expect(functionPreservation(TT, model, X).relative).toBeLessThanOrEqual(1e-14);
    expect(gradientPreservation(TT, model, X).relative).toBeLessThanOrEqual(1e-14);
  });
});

describe("the deep example of docs/science/embedding.md §5: 2→3→2→1 leaky ReLU, c = (0.6, 0.8)", () => {
  const arch = mlpArchitecture([2, 3, 2, 1], leaky);
  const model = randomModel(arch, 7);
  const blobs = testBlobs(40, 11);
  const data = makeDataset(blobs.X, blobs.Y, "test blobs");

  for (const layer of [1, 2]) {
    it(`layer ${layer}: output and gradient differences ~1e-15, GD trajectory error ≤ 1e-12`, () => {
      const T = splitMap(arch, { layer, unit: 1 }, [0.6, 0.8]);
      const f = functionPreservation(T, model, data.X);
      const gp = gradientPreservation(T, model, data.X);
      expect(f.absolute).toBeLessThanOrEqual(1e-14);
      expect(gp.absolute).toBeLessThanOrEqual(1e-14);
      const steps = 2000;
      const narrowObj = makeObjective(arch, data, "exponential", { mean: true });
      const wideObj = makeObjective(T.to, data, "exponential", { mean: true });
      const narrow: Float64Array[] = [];
      gradientDescent(narrowObj, model.theta, { lr: 0.1, stop: { maxSteps: steps }, onStep: (_p, th) => { narrow.push(Float64Array.from(th)); } });
      let worst = 0;
      let drift = 0;
      let idx = 0;
      gradientDescent(wideObj, applyEmbedding(T, model.theta), {
        lr: 0.1, stop: { maxSteps: steps },
        onStep: (_p, eta) => {
          const Tt = applyEmbedding(T, narrow[idx++]);
          let s = 0;
          for (let i = 0; i < eta.length; i++) s += (eta[i] - Tt[i]) ** 2;
          worst = Math.max(worst, Math.sqrt(s));
          drift = Math.max(drift, offImageDistance(T, eta));
        },
      });
      expect(idx).toBe(narrow.length);
      expect(worst).toBeLessThanOrEqual(1e-12);
      expect(drift).toBeLessThanOrEqual(1e-12);
      // sanity: the trajectory moved
      expect(norm(narrow[narrow.length - 1].map((v, i) => v - model.theta[i]))).toBeGreaterThan(0.1);
      expect(forward(model, data.X).rows).toBe(40);
    });
  }
});
