// Gradient descent on the weight-decayed nonconvex objective (src/convex/network/train.ts): its objective
// equals nonconvexObjective, its gradient matches central finite differences away from kinks, GD
// decreases the objective at a small step, and pruning drops dead and negligible neurons only.
import { describe, expect, it } from "vitest";
import { nonconvexObjective, pruneNetwork, trainWeightDecayed, withBias, type ReluNetwork } from "../../src/convex/index.js";
import { testRng } from "../helpers/random.js";

function setup(seed: number) {
  const g = testRng(seed);
  const X = withBias(g.randn(7, 2));
  const y = g.randnVec(7);
  const m = 5;
  const net: ReluNetwork = { W: g.randn(m, 3).data, alpha: g.randnVec(m), m, D: 3 };
  return { X, y, net };
}

describe("trainWeightDecayed", () => {
  it("objective and gradient (finite differences)", () => {
    const { X, y, net } = setup(5);
    const beta = 0.1;
    const r0 = trainWeightDecayed(X, y, beta, net, { lr: 0, steps: 0 });
    expect(Math.abs(r0.objective - nonconvexObjective(net, X, y, beta, "square").objective)).toBeLessThan(1e-13);
    // One step of size h moves θ by −h∇F; compare F(θ − h∇F) − F(θ) with −h‖∇F‖².
    const h = 1e-7;
    const r1 = trainWeightDecayed(X, y, beta, net, { lr: h, steps: 1 });
    const predicted = -h * r0.gradNorm ** 2;
    expect(Math.abs((r1.objective - r0.objective) - predicted)).toBeLessThan(1e-3 * Math.abs(predicted));
    // Central differences per coordinate.
    const F = (W: Float64Array, alpha: Float64Array) => nonconvexObjective({ ...net, W, alpha }, X, y, beta, "square").objective;
    let g2 = 0;
    const e = 1e-6;
    for (let i = 0; i < net.W.length; i++) {
      const Wp = net.W.slice(); Wp[i] += e;
      const Wm = net.W.slice(); Wm[i] -= e;
      g2 += ((F(Wp, net.alpha) - F(Wm, net.alpha)) / (2 * e)) ** 2;
    }
    for (let i = 0; i < net.m; i++) {
      const ap = net.alpha.slice(); ap[i] += e;
      const am = net.alpha.slice(); am[i] -= e;
      g2 += ((F(net.W, ap) - F(net.W, am)) / (2 * e)) ** 2;
    }
    expect(Math.abs(Math.sqrt(g2) - r0.gradNorm)).toBeLessThan(1e-6 * r0.gradNorm);
  });

  it("decreases the objective at a small step and records it", () => {
    const { X, y, net } = setup(6);
    const r = trainWeightDecayed(X, y, 0.05, net, { lr: 0.01, steps: 2000, recordEvery: 500 });
    expect(r.finite).toBe(true);
    expect(r.history.map((h) => h.step)).toEqual([0, 500, 1000, 1500, 2000]);
    for (let i = 1; i < r.history.length; i++) expect(r.history[i].objective).toBeLessThanOrEqual(r.history[i - 1].objective);
    expect(net.W[0]).toBe(setup(6).net.W[0]); // the input is not modified
  });
});

describe("pruneNetwork", () => {
  it("drops dead and negligible neurons, keeps the rest", () => {
    const X = withBias({ rows: 3, cols: 1, data: Float64Array.from([-1, 0, 1]) });
    const net: ReluNetwork = {
      W: Float64Array.from([1, 0.5, /* dead: −x − 2 < 0 on [−1, 1] */ -1, -2, /* tiny */ 1e-5, 1e-5, -1, 1]),
      alpha: Float64Array.from([1, 3, 1e-5, -2]), m: 4, D: 2,
    };
    const p = pruneNetwork(net, X, 1e-6);
    expect(p.m).toBe(2);
    expect(Array.from(p.alpha)).toEqual([1, -2]);
    expect(Array.from(p.W)).toEqual([1, 0.5, -1, 1]);
  });
});
