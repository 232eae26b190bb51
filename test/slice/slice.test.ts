/**
 * slice/ (issue 24, "Done when"):
 *  - along hessian:1 at a minimum, the slice's second difference at 0 equals the eigenvalue to
 *    the finite-difference error (estimated from two step sizes, plus rounding);
 *  - along to:M2 the endpoints are the two networks' losses by the model's own evaluator;
 *  - along plateau:j at a split stationary point the slice is flat to rounding, and its
 *    curvature across equals the inner-Hessian prediction;
 *  - filter normalisation matches Li et al.'s definition on hand-worked cases (two-layer with
 *    k = 2 and biases; a two-stage conv net: one filter per output channel and head row);
 * and the batched evaluation against one-network-at-a-time, marching squares on a circle, the
 * convex path against the path's own bookkeeping.
 */
import { describe, expect, it } from "vitest";
import { loadDataset, makeBuiltin } from "../../src/data/index.js";
import {
  convArchitecture, evaluateLoss, initializeModel, loadModel, makeActivation, mlpArchitecture, twoLayerArchitecture, type Model, type ModelData,
} from "../../src/model/index.js";
import { designStationaryPoint, splitUnitCopyDivide } from "../../src/plateau/index.js";
import {
  axisValues, contourSegments, filterNormalize, randomDirection, sliceChecks, sliceGrid, sliceLandscape,
  type GridSlice, type PathSlice,
} from "../../src/slice/index.js";
import { sliceGridNaive } from "../../src/slice/evaluate.js";
import { testRng } from "../helpers/random.js";

const EPS = 2.220446049250313e-16;

function designedMinimum(): ReturnType<typeof designStationaryPoint> {
  return designStationaryPoint({ seed: 3, d: 2, m: 3, activation: makeActivation("tanh"), target: "positive-definite", stationary: "minimum", inputBias: true, unit: 0 });
}

/** Second differences at 0 with steps h and h/2 from two 3-point slices; the FD error bound. */
function curvatureAtZero(model: Model, data: ReturnType<typeof makeBuiltin>, opts: Omit<Parameters<typeof sliceLandscape>[2], "x">, h: number): { d2: number; bound: number; slice: GridSlice } {
  const at = (step: number): { d2: number; F0: number; slice: GridSlice } => {
    const s = sliceLandscape(model, data, { ...opts, x: { lo: -step, hi: step, count: 3 } }) as GridSlice;
    const v = s.values.objective;
    return { d2: (v[2] - 2 * v[1] + v[0]) / (step * step), F0: v[1], slice: s };
  };
  const a = at(h);
  const b = at(h / 2);
  // Richardson: D(h) − D(h/2) ≈ ¾·(h²/12)F⁗, so the error of D(h/2) is about |D(h) − D(h/2)|/3; rounding 4ε|F|/(h/2)².
  const bound = Math.abs(a.d2 - b.d2) + (16 * EPS * Math.abs(a.F0)) / ((h / 2) * (h / 2));
  return { d2: b.d2, bound, slice: b.slice };
}

describe("slice directions and values", () => {
  it("hessian:1 at a minimum: the second difference at 0 is the largest eigenvalue (to the FD error)", () => {
    const c = designedMinimum();
    for (const index of [1, -1]) {
      const { d2, bound, slice } = curvatureAtZero(c.model, c.data, { loss: "square", along: { kind: "hessian", index } }, 1e-3);
      const ev = slice.overlays.hessian[0]!.eigenvalue;
      expect(ev).toBeGreaterThan(0); // a strict minimum: both ends of the spectrum positive
      expect(Math.abs(d2 - ev)).toBeLessThanOrEqual(bound);
      expect(bound).toBeLessThan(1e-3 * Math.abs(ev)); // the test resolves the eigenvalue to 0.1% (λ_max: ~1e-7)
      expect(Math.abs(slice.overlays.quadratic.curvature[0][0] - ev)).toBeLessThanOrEqual(1e-9 * Math.abs(ev)); // UᵀHU by HVP
    }
  });

  it("to:M2: the endpoints are the two networks' losses (model's own evaluator), and the grid is a straight line between them", () => {
    const data = makeBuiltin("builtin:blobs?n=50&seed=2");
    const arch = twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("leaky_relu", 0.1), inputBias: true });
    const m1 = initializeModel(arch, { seed: 1 });
    const m2 = initializeModel(arch, { seed: 2 });
    const s = sliceLandscape(m1, data, { loss: "logistic", along: { kind: "to", source: "m2", target: m2 } }) as GridSlice;
    const xs = Array.from(s.xs);
    const i0 = xs.indexOf(0);
    const i1 = xs.indexOf(1);
    expect(i0).toBeGreaterThan(0);
    expect(i1).toBeGreaterThan(i0);
    const L1 = evaluateLoss(m1, data, "logistic").loss;
    const L2 = evaluateLoss(m2, data, "logistic").loss;
    expect(Math.abs(s.values.objective[i0] - L1)).toBeLessThanOrEqual(1e-13 * L1);
    expect(Math.abs(s.values.objective[i1] - L2)).toBeLessThanOrEqual(1e-13 * L2);
    expect(sliceChecks(s).every((v) => v.pass)).toBe(true);
  });

  it("plateau:j at a split stationary point: flat to rounding along, curvature across = λ_Uλ_P(λ_U + λ_P)μ/(λ_U² + λ_P²)", () => {
    const c = designedMinimum();
    for (const lambda of [[0.3, 0.7], [1.5, -0.5]]) {
      const wide = splitUnitCopyDivide(c.model, 0, lambda);
      const along = sliceLandscape(wide, c.data, { loss: "square", along: { kind: "plateau", unit: 0 } }) as GridSlice;
      expect(along.baseNote).toBeNull(); // the unit was split already: its group is used
      const F0 = along.center.objective;
      const maxDev = Math.max(...Array.from(along.values.objective, (v) => Math.abs(v - F0)));
      expect(maxDev).toBeLessThanOrEqual(64 * EPS * F0); // flat to rounding over λ ± 1
      const pc = along.overlays.plateau!;
      expect(pc.applies).toBe(true);
      for (const eigen of [1, 2, 3]) {
        const { d2, bound, slice } = curvatureAtZero(wide, c.data, { loss: "square", along: { kind: "plateau-across", unit: 0, eigen } }, 1e-3);
        const predicted = slice.overlays.across[0]!.predictedCurvature;
        const mu = slice.overlays.across[0]!.innerEigenvalue;
        const [lU, lP] = lambda;
        expect(predicted).toBeCloseTo((lU * lP * (lU + lP) * mu) / (lU * lU + lP * lP), 12);
        expect(Math.abs(d2 - predicted)).toBeLessThanOrEqual(bound + 1e-9 * Math.abs(mu));
        // Sign: inside [0, 1] the curvature across has the sign of μ (H_j ≻ 0 here), outside the opposite.
        expect(Math.sign(d2)).toBe(lP > 0 ? 1 : -1);
      }
    }
  });

  it("plateau:j on an unsplit unit splits it at λ = (½, ½) and classes the λ-line: minimum inside [0, 1], saddle outside", () => {
    const c = designedMinimum();
    const s = sliceLandscape(c.model, c.data, { loss: "square", along: { kind: "plateau", unit: 0 }, x: { lo: -1, hi: 1, count: 9 } }) as GridSlice;
    expect(s.baseNote).toMatch(/split at λ = \(½, ½\)/);
    const pc = s.overlays.plateau!;
    if (!pc.applies) throw new Error(pc.reason);
    for (const r of pc.rows) {
      const inside = r.lambda > 1e-12 && r.lambda < 1 - 1e-12;
      const onEdge = Math.abs(r.lambda) <= 1e-12 || Math.abs(r.lambda - 1) <= 1e-12;
      expect(r.cls).toBe(inside ? "local minimum" : onEdge ? "fourth-order saddle" : "strict saddle");
    }
  });

  it("filter normalisation (Li et al. 2018) on a hand-worked two-layer case", () => {
    // W = [[3, 4], [0, 0.5]], a = [[1, 2], [−2, 0]] (k = 2: stored m×k), b = [0.1, 0.2], c = [1, 1].
    const arch = twoLayerArchitecture({ d: 2, m: 2, k: 2, activation: makeActivation("relu"), inputBias: true, outputBias: true });
    const model: Model = { arch, theta: Float64Array.of(3, 4, 0, 0.5, 1, 2, -2, 0, 0.1, 0.2, 1, 1) };
    const d = Float64Array.of(1, 1, 2, 0, 3, 1, 4, 1, 7, 7, 7, 7);
    const out = filterNormalize(model, d);
    // Filter = row of each weight matrix in PyTorch's (out × in) layout:
    //  W row 0: ‖θ‖ = 5, ‖d‖ = √2 → (1, 1)·5/√2;  W row 1: ‖θ‖ = 0.5, ‖d‖ = 2 → (2, 0)·0.25 = (0.5, 0).
    //  output layer (2 × 2) = aᵀ: row c = column c of a. c = 0: θ (1, −2), ‖·‖ = √5; d (3, 4), ‖·‖ = 5 → (3, 4)·√5/5.
    //  c = 1: θ (2, 0), ‖·‖ = 2; d (1, 1), ‖·‖ = √2 → (1, 1)·√2.   Biases b, c (1-D): 0 ("biasbn" ignored).
    const s = Math.SQRT1_2 * 5;
    const r5 = Math.sqrt(5) / 5;
    const expected = [s, s, 0.5, 0, 3 * r5, Math.SQRT2, 4 * r5, Math.SQRT2, 0, 0, 0, 0];
    expected.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 14));
    // W rows (1, 0), (0, 1), (1, 1) with d rows (1, 1): ×1/√2, ×1/√2, ×1. k = 1: the output layer
    // nn.Linear(m, 1).weight is ONE filter (net_plotter iterates its one row): a = (3, 0, 4), d = (1, 2, 2) → ×5/3,
    // scaled as a whole to ‖a‖, not entry by entry.
    const one: Model = { arch: twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), theta: Float64Array.of(1, 0, 0, 1, 1, 1, 3, 0, 4) };
    const o1 = filterNormalize(one, Float64Array.of(1, 1, 1, 1, 1, 1, 1, 2, 2));
    [Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2, Math.SQRT1_2, 1, 1, 5 / 3, 10 / 3, 10 / 3].forEach((v, i) => expect(o1[i]).toBeCloseTo(v, 14));
    // A random filter-normalised direction has every filter's norm equal to θ's filter norm.
    const mlp: Model = { arch: mlpArchitecture([3, 4, 2], makeActivation("relu")), theta: testRng(4).randnVec(4 * 3 + 2 * 4) };
    const r = randomDirection(mlp, 7, "filter").vector;
    for (let row = 0; row < 4; row++) {
      const n = (v: Float64Array): number => Math.hypot(...v.subarray(row * 3, row * 3 + 3));
      expect(n(r)).toBeCloseTo(n(mlp.theta), 13);
    }
  });
});

describe("filter normalisation of conv networks (Li et al. 2018: one filter per output channel)", () => {
  // input 1×3×3 → conv 2 channels 2×2 (weight 2×1×2×2) → σ → conv 1 channel 1×1 (1×2×1×1) → σ → head 1×4
  const arch = convArchitecture({
    dims: 2, input: { channels: 1, height: 3, width: 3 }, outputs: 1, activation: makeActivation("relu"),
    stages: [{ type: "conv", channels: 2, kernel: 2 }, { type: "conv", channels: 1, kernel: 1 }],
  });
  // θ: K₁ filters (1, 2, 2, 0) ‖·‖ = 3 and (0, 0, 3, 4) ‖·‖ = 5; K₂ = (0.6, 0.8) ‖·‖ = 1; head (1, 1, 1, 1) ‖·‖ = 2
  const theta = Float64Array.of(1, 2, 2, 0, 0, 0, 3, 4, 0.6, 0.8, 1, 1, 1, 1);
  const model: Model = { arch, theta };

  it("hand-worked: each conv filter and the head row scaled to θ's norms", () => {
    // d: K₁ filters (1, 0, 0, 0) ‖·‖ = 1 → ×3; (1, 1, 1, 1) ‖·‖ = 2 → ×5/2; K₂ (3, 4) ‖·‖ = 5 → ×1/5; head (2, 0, 0, 0) → ×1
    const d = Float64Array.of(1, 0, 0, 0, 1, 1, 1, 1, 3, 4, 2, 0, 0, 0);
    const expected = [3, 0, 0, 0, 2.5, 2.5, 2.5, 2.5, 0.6, 0.8, 2, 0, 0, 0];
    const out = filterNormalize(model, d);
    expected.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 15));
    // the whole layer rescaled as one (Li et al.'s "layer" normalisation) would differ: K₁ → ×√34/√6
    expect(out[0] / d[0]).not.toBeCloseTo(out[4] / d[4], 3);
  });

  it("a conv slice: random filter-normalised direction, the grid at 0 = F(θ) by the conv kernels, every filter norm = θ's", () => {
    const data: ModelData = { X: { rows: 6, cols: 9, data: testRng(30).randnVec(54) }, Y: { rows: 6, cols: 1, data: testRng(31).randnVec(6) } };
    const s = sliceLandscape(model, data, { loss: "square", along: { kind: "random", seed: 4, normalization: "filter" }, plane: { kind: "hessian", index: 1 }, x: { lo: -1, hi: 1, count: 5 }, y: { lo: -0.5, hi: 0.5, count: 3 } }) as GridSlice;
    expect(s.kind).toBe("plane");
    const F0 = evaluateLoss(model, data, "square").loss;
    expect(Math.abs(s.center.grid! - F0)).toBeLessThanOrEqual(1e-14 * F0);
    expect(sliceChecks(s).every((v) => v.pass)).toBe(true);
    const u = s.directions[0].vector;
    for (const [off, len] of [[0, 4], [4, 4], [8, 2], [10, 4]]) {
      const n = (v: Float64Array): number => Math.hypot(...v.subarray(off, off + len));
      expect(n(u)).toBeCloseTo(n(theta), 14);
    }
  });
});

describe("batched slice evaluation", () => {
  const U = (p: number, seed: number): Float64Array => testRng(seed).randnVec(p);
  const cases: Array<[string, Model, "square" | "logistic", ReturnType<typeof makeBuiltin>]> = [
    ["relu two-layer, biases", initializeModel(twoLayerArchitecture({ d: 3, m: 7, activation: makeActivation("relu"), inputBias: true }), { seed: 1 }), "square", makeBuiltin("builtin:teacher?n=40&d=3&seed=1&task=regression")],
    ["tanh two-layer, k = 2, output bias", initializeModel(twoLayerArchitecture({ d: 2, m: 5, k: 2, activation: makeActivation("tanh"), outputBias: true }), { seed: 2 }), "square", { ...makeBuiltin("builtin:blobs?n=30&seed=3"), Y: { rows: 30, cols: 2, data: testRng(9).randnVec(60) } }],
    ["leaky_relu two-layer, k = 2, biases (kink sweep)", initializeModel(twoLayerArchitecture({ d: 2, m: 9, k: 2, activation: makeActivation("leaky_relu", 0.2), inputBias: true, outputBias: true }), { seed: 5 }), "square", { ...makeBuiltin("builtin:blobs?n=25&seed=6"), Y: { rows: 25, cols: 2, data: testRng(8).randnVec(50) } }],
    ["sigmoid two-layer, biases, logistic (exponential recurrence)", initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("sigmoid"), inputBias: true }), { seed: 7 }), "logistic", makeBuiltin("builtin:blobs?n=30&seed=7")],
    ["softplus two-layer (element-wise)", initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("softplus"), inputBias: true }), { seed: 8 }), "square", makeBuiltin("builtin:sin?n=30&d=2&seed=8")],
    ["leaky MLP 3→6→4→1, logistic", initializeModel(mlpArchitecture([2, 6, 4, 1], makeActivation("leaky_relu", 0.1)), { seed: 3 }), "logistic", makeBuiltin("builtin:blobs?n=35&seed=4")],
  ];
  for (const [name, model, loss, data] of cases) {
    it(`${name}: batched = one network at a time (relative 1e-12), with weight decay and mean`, () => {
      const p = model.theta.length;
      const problem = {
        model, data, spec: { loss, mean: true, beta: 0.03 }, U: U(p, 11), V: U(p, 12),
        xs: axisValues({ lo: -1, hi: 1.5, count: 41 }), ys: axisValues({ lo: -0.5, hi: 1, count: 5 }),
      };
      const a = sliceGrid(problem);
      const b = sliceGridNaive(problem);
      for (let t = 0; t < a.objective.length; t++) {
        expect(Math.abs(a.objective[t] - b.objective[t])).toBeLessThanOrEqual(1e-12 * Math.abs(b.objective[t]));
        expect(Math.abs(a.penalty[t] - b.penalty[t])).toBeLessThanOrEqual(1e-13 * Math.abs(b.penalty[t]));
      }
    });
  }
});

describe("contours and the convex path", () => {
  it("marching squares: the contours of x² + y² lie on circles of radius √level (to the grid's interpolation error)", () => {
    const xs = axisValues({ lo: -1, hi: 1, count: 81 });
    const vals = new Float64Array(81 * 81);
    for (let j = 0; j < 81; j++) for (let i = 0; i < 81; i++) vals[j * 81 + i] = xs[i] ** 2 + xs[j] ** 2;
    const segs = contourSegments(xs, xs, vals, [0.25, 0.64]);
    expect(segs.length).toBeGreaterThan(100);
    const h = xs[1] - xs[0];
    for (const s of segs) {
      for (const [x, y] of [[s.x1, s.y1], [s.x2, s.y2]]) expect(Math.abs(Math.hypot(x, y) - Math.sqrt(s.level))).toBeLessThan(h * h);
    }
  });

  it("--along path: F recomputed with the model's loss equals the path's own numbers and ends at the certified optimum", () => {
    const data = loadDataset("examples/line6.json");
    const model = loadModel("examples/net4.json");
    const s = sliceLandscape(model, data, { loss: "square", beta: 0.02, along: { kind: "path" } }) as PathSlice;
    expect(s.kind).toBe("path");
    expect(s.maxDeviation).toBeLessThanOrEqual(1e-12);
    expect(s.finalClass).toBe("global optimum");
    expect(Math.abs(s.objective[s.objective.length - 1] - s.optimum.value)).toBeLessThanOrEqual(1e-9 * s.optimum.value);
    expect(s.objective[0]).toBeCloseTo(4.717577, 5); // the README's convex --path start
    expect(sliceChecks(s).every((v) => v.pass)).toBe(true);
  });
});
