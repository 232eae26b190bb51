// Parallel three-layer networks (src/convex/extensions/threeLayer/). Independent references: the output
// recomputed here by explicit loops; the gradient against central finite differences; the
// first-layer direction check against (a) the derivation's bound 2‖∂F/∂w₁‖/(β‖w₁‖) at every point,
// (b) near-stationary points reached by gradient descent on instances whose limit is smooth
// (gradient → 1e-12), where the distance must vanish with the gradient, (c) a kink limit, where
// gradient descent keeps an O(lr)-chattering one-sided gradient but the projected directions
// still converge, and (d) the whole finite set over the exact patterns of X.
import { describe, expect, it } from "vitest";
import { enumeratePatterns, withBias } from "../../src/convex/index.js";
import { projectOntoConeNnls } from "../../src/convex/program/cone.js";
import { firstLayerDirections, threeLayerObjective, threeLayerOutput, trainThreeLayer, type ThreeLayerNetwork } from "../../src/convex/extensions/threeLayer/index.js";
import type { Matrix } from "../../src/linalg/index.js";
import { testRng } from "../helpers/random.js";

function randomNet(seed: number, m: number, m1: number, D: number): ThreeLayerNetwork {
  const g = testRng(seed);
  return { W1: g.randn(m * m1, D).data, W2: g.randnVec(m * m1), alpha: g.randnVec(m), m, m1, D };
}

/** f(X) by the definition, one sample at a time. */
function naiveOutput(net: ThreeLayerNetwork, X: Matrix): Float64Array {
  const out = new Float64Array(X.rows);
  for (let q = 0; q < X.rows; q++) {
    const x = X.data.subarray(q * X.cols, (q + 1) * X.cols);
    for (let j = 0; j < net.m; j++) {
      let z = 0;
      for (let k = 0; k < net.m1; k++) {
        const w = net.W1.subarray((j * net.m1 + k) * net.D, (j * net.m1 + k + 1) * net.D);
        const h = x.reduce((s, v, t) => s + v * w[t], 0);
        z += Math.max(0, h) * net.W2[j * net.m1 + k];
      }
      out[q] += Math.max(0, z) * net.alpha[j];
    }
  }
  return out;
}

/** Staged-step gradient descent on the 5×6 instance of `seed` (β = 0.1), with checkpoints. */
function stagedRun(seed: number) {
  const g = testRng(seed);
  const n = 5, D = 6, m = 2, m1 = 3, beta = 0.1;
  const X = g.randn(n, D);
  const y = g.randnVec(n);
  let net: ThreeLayerNetwork = { W1: g.randn(m * m1, D).data, W2: g.randnVec(m * m1), alpha: g.randnVec(m), m, m1, D };
  const patterns = enumeratePatterns(X);
  const checkpoints = [];
  for (const [lr, steps] of [[0.01, 3000], [0.01, 17000], [0.003, 20000], [0.001, 20000]]) {
    net = trainThreeLayer(X, y, beta, net, { lr, steps }).net;
    checkpoints.push(firstLayerDirections(net, X, y, beta, { patterns }));
  }
  return { X, y, beta, net, checkpoints };
}

describe("threeLayerObjective", () => {
  for (const loss of ["square", "logistic"] as const) {
    it(`output and gradient (central finite differences, ${loss})`, () => {
      const g = testRng(loss === "square" ? 3 : 4);
      const X = withBias(g.randn(7, 2));
      const y = loss === "square" ? g.randnVec(7) : Float64Array.from({ length: 7 }, (_, k) => (k % 2 === 0 ? 1 : -1));
      const net = randomNet(loss === "square" ? 40 : 41, 2, 3, 3);
      const beta = 0.2;
      const f = threeLayerOutput(net, X);
      const ref = naiveOutput(net, X);
      for (let q = 0; q < 7; q++) expect(Math.abs(f[q] - ref[q])).toBeLessThan(1e-13 * (1 + Math.abs(ref[q])));
      const ev = threeLayerObjective(net, X, y, beta, loss);
      // Step 1e-6: truncation ≈ h²|F'''| ≈ 1e-12, rounding ≈ ε|F|/h ≈ 1e-10. No pre-activation of
      // either layer is within 1e-4 of 0 for these seeds (checked), so no kink is crossed.
      const { H, Z } = preActivations(net, X);
      expect(Math.min(...H.map(Math.abs), ...Z.filter((z) => z !== 0).map(Math.abs))).toBeGreaterThan(1e-4);
      const h = 1e-6;
      const F = () => threeLayerObjective(net, X, y, beta, loss).objective;
      const check = (arr: Float64Array, grad: Float64Array) => {
        for (let i = 0; i < arr.length; i++) {
          const keep = arr[i];
          arr[i] = keep + h;
          const p = F();
          arr[i] = keep - h;
          const q = F();
          arr[i] = keep;
          expect(Math.abs((p - q) / (2 * h) - grad[i])).toBeLessThan(1e-7 * (1 + Math.abs(grad[i])));
        }
      };
      check(net.W1, ev.gradW1);
      check(net.W2, ev.gradW2);
      check(net.alpha, ev.gradAlpha);
      // Penalty = (β/2)‖θ‖².
      const sq = [...net.W1, ...net.W2, ...net.alpha].reduce((s, v) => s + v * v, 0);
      expect(Math.abs(ev.penalty - 0.5 * beta * sq)).toBeLessThan(1e-14 * sq);
    });
  }

  it("gradient descent at a small step decreases the objective; bad input is refused", () => {
    const g = testRng(5);
    const X = withBias(g.randn(8, 2));
    const y = g.randnVec(8);
    const net = randomNet(42, 2, 3, 3);
    const r = trainThreeLayer(X, y, 0.1, net, { lr: 1e-3, steps: 500, recordEvery: 100 });
    expect(r.finite).toBe(true);
    for (let i = 1; i < r.history.length; i++) expect(r.history[i].objective).toBeLessThan(r.history[i - 1].objective);
    expect(net.W1[0]).toBe(randomNet(42, 2, 3, 3).W1[0]); // the input is not modified
    expect(() => threeLayerObjective(randomNet(1, 2, 3, 2), X, y, 0.1)).toThrow(RangeError);
    expect(() => threeLayerObjective(net, X, y.subarray(1), 0.1)).toThrow(RangeError);
    expect(() => threeLayerObjective(net, X, Float64Array.from(y, (v, k) => (k === 0 ? NaN : v)), 0.1)).toThrow(/finite/);
    expect(() => firstLayerDirections(net, X, y, 0)).toThrow(RangeError);
  });
});

function preActivations(net: ThreeLayerNetwork, X: Matrix): { H: number[]; Z: number[] } {
  const H: number[] = [];
  const Z: number[] = [];
  for (let q = 0; q < X.rows; q++) {
    for (let j = 0; j < net.m; j++) {
      let z = 0;
      for (let k = 0; k < net.m1; k++) {
        let s = 0;
        for (let t = 0; t < net.D; t++) s += X.data[q * net.D + t] * net.W1[(j * net.m1 + k) * net.D + t];
        H.push(s);
        z += Math.max(0, s) * net.W2[j * net.m1 + k];
      }
      Z.push(z);
    }
  }
  return { H, Z };
}

describe("firstLayerDirections", () => {
  it("distance ≤ 2‖∂F/∂w₁‖/(β‖w₁‖) at any point (the derivation's bound)", () => {
    const g = testRng(6);
    const X = withBias(g.randn(9, 2));
    const y = g.randnVec(9);
    for (const seed of [50, 51, 52]) {
      let net = randomNet(seed, 2, 3, 3);
      for (const steps of [0, 200, 2000]) {
        net = trainThreeLayer(X, y, 0.1, net, { lr: 0.005, steps }).net;
        const fl = firstLayerDirections(net, X, y, 0.1);
        for (const q of fl.neurons) if (q.weightNorm > 0 && q.sign !== 0) expect(q.distance).toBeLessThanOrEqual(q.bound * (1 + 1e-9) + 1e-12);
      }
    }
  });

  it("the candidate is built from ν, D_i and the block's D2_j: identity β w − ∂F/∂w₁ = α w₂ Xᵀ D_i D2_j ν (finite differences)", () => {
    // At any point the gradient formula gives β w − e = |α_j w_2jk| σ g with g = Xᵀ D_i D2_j ν, so
    // the candidate must equal Π_K(β w − e)/‖·‖ with e from central finite differences
    // (independent of the code's g) and Π_K from the note's single-NNLS formula.
    const g = testRng(8);
    const X = withBias(g.randn(9, 2));
    const y = g.randnVec(9);
    const beta = 0.1;
    let compared = 0;
    let blockOff = 0;
    for (let seed = 60; seed < 75; seed++) {
      const net = randomNet(seed, 2, 3, 3);
      const fl = firstLayerDirections(net, X, y, beta);
      const { H, Z } = preActivations(net, X);
      for (const q of fl.neurons) {
        if (q.weightNorm === 0 || q.sign === 0) continue;
        const nk = q.block * 3 + q.neuron;
        const w = net.W1.subarray(nk * 3, nk * 3 + 3);
        const v = new Float64Array(3);
        const h = 1e-6;
        for (let t = 0; t < 3; t++) {
          const keep = w[t];
          w[t] = keep + h;
          const p = threeLayerObjective(net, X, y, beta).objective;
          w[t] = keep - h;
          const m = threeLayerObjective(net, X, y, beta).objective;
          w[t] = keep;
          v[t] = beta * keep - (p - m) / (2 * h);
        }
        const mask = new Uint8Array(9);
        for (let r = 0; r < 9; r++) {
          mask[r] = H[r * 6 + nk] >= 0 ? 1 : 0;
          // Rows where the neuron is on but its block is off: D2 matters here.
          if (H[r * 6 + nk] > 0 && Z[r * 2 + q.block] <= 0) blockOff++;
        }
        const pr = projectOntoConeNnls(X.data, 9, 3, mask, v);
        if (pr.norm < 1e-3) continue; // FD error ≈ 1e-9 would dominate the direction
        compared++;
        // FD error ≈ 1e-9 on v, relative to ‖Π v‖ ≥ 1e-3: 1e-5 is generous and still sharp.
        for (let t = 0; t < 3; t++) expect(Math.abs(q.candidate[t] - pr.projection[t] / pr.norm)).toBeLessThan(1e-5);
      }
    }
    expect(compared).toBeGreaterThanOrEqual(10);
    expect(blockOff).toBeGreaterThanOrEqual(5);
  });

  it("at smooth near-stationary points the directions lie in the dual's finite set, and the distance shrinks with the gradient", () => {
    // Seeds whose GD limit is a differentiable stationary point (found by scanning seeds 1–12;
    // others end on kinks, see the next test, or collapse to the zero network).
    for (const seed of [10, 11]) {
      const { checkpoints } = stagedRun(seed);
      const last = checkpoints[checkpoints.length - 1];
      expect(last.gradNorm).toBeLessThan(1e-9);
      const active = last.neurons.filter((q) => q.active);
      expect(active.length).toBeGreaterThanOrEqual(2);
      // Distances: bounded by 2‖∂F/∂w₁‖/(β‖w₁‖) ≈ 2e-9/(0.1·0.3); 1e-8 leaves a factor > 1.
      expect(last.maxDistance).toBeLessThan(1e-8);
      // The own element belongs to the finite set over the exact patterns: the set distance is no larger.
      expect(last.maxSetDistance).toBeLessThanOrEqual(last.maxDistance + 1e-14);
      // Balance at stationarity: ‖w₁ⱼₖ‖ = |w₂ⱼₖ|, ‖w₂ⱼ‖ = |αⱼ| (a consequence of the derivation).
      for (const q of active) expect(q.imbalance).toBeLessThan(1e-6);
      // Shrinking: along the checkpoints the gradient decreases, and so does the distance.
      for (let i = 1; i < checkpoints.length; i++) {
        expect(checkpoints[i].gradNorm).toBeLessThan(checkpoints[i - 1].gradNorm);
        expect(checkpoints[i].maxDistance).toBeLessThan(Math.max(checkpoints[i - 1].maxDistance, 1e-12));
      }
      expect(checkpoints[0].maxDistance).toBeGreaterThan(1e3 * last.maxDistance);
    }
  });

  it("on a kink limit the one-sided gradient stays O(lr) but the projected directions converge", () => {
    const { checkpoints, X, net } = stagedRun(6);
    const last = checkpoints[checkpoints.length - 1];
    // GD chatters across a data point: the gradient does not vanish…
    expect(last.gradNorm).toBeGreaterThan(1e-3);
    const { H } = preActivations(net, X);
    expect(Math.min(...H.map(Math.abs))).toBeLessThan(1e-6); // a hyperplane sits on a data point
    // …while the distance to the dual's finite set falls with the step (Π_K absorbs the kink).
    expect(last.maxDistance).toBeLessThan(1e-3);
    expect(last.maxDistance).toBeLessThan(checkpoints[0].maxDistance / 10);
    expect(last.maxSetDistance).toBeLessThanOrEqual(last.maxDistance + 1e-14);
  });
});
