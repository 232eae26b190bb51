// Gradient descent on the weight-decayed nonconvex objective (src/convex/network/train.ts, run by
// dynamics/ on model/'s objective with weight decay): its objective equals nonconvexObjective,
// its gradient matches central finite differences away from kinks, its iterates are those of a
// plain GD loop written here (gradients by the textbook formulas, an independent reference), GD
// decreases the objective at a small step, and pruning drops dead and negligible neurons only.
// The network layer: ReLU networks are model/'s two-layer architecture with θ = [W | α].
import { describe, expect, it } from "vitest";
import {
  networkOutput, nonconvexObjective, pruneNetwork, reluNetworkModel, trainWeightDecayed, withBias, zeroNetwork, type ReluNetwork,
} from "../../src/convex/index.js";
import { paramCount } from "../../src/model/index.js";
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

/** Plain GD on ½‖f − y‖² + (β/2)Σ(‖w_j‖² + α_j²) by loops (ReLU′(0) = 0): the reference of trainWeightDecayed. */
function plainGd(X: { rows: number; cols: number; data: Float64Array }, y: Float64Array, beta: number, net: ReluNetwork, lr: number, steps: number): ReluNetwork {
  const { rows: n, cols: D, data } = X;
  const W = net.W.slice();
  const alpha = net.alpha.slice();
  for (let step = 0; step < steps; step++) {
    const z = new Float64Array(net.m * n);
    const r = Float64Array.from(y, (v) => -v);
    for (let j = 0; j < net.m; j++) for (let k = 0; k < n; k++) {
      let s = 0;
      for (let t = 0; t < D; t++) s += data[k * D + t] * W[j * D + t];
      z[j * n + k] = s;
      if (s > 0) r[k] += alpha[j] * s;
    }
    const gW = W.map((v) => beta * v);
    const gA = alpha.map((v) => beta * v);
    for (let j = 0; j < net.m; j++) for (let k = 0; k < n; k++) {
      if (z[j * n + k] <= 0) continue;
      gA[j] += z[j * n + k] * r[k];
      for (let t = 0; t < D; t++) gW[j * D + t] += alpha[j] * r[k] * data[k * D + t];
    }
    for (let i = 0; i < W.length; i++) W[i] -= lr * gW[i];
    for (let j = 0; j < net.m; j++) alpha[j] -= lr * gA[j];
  }
  return { W, alpha, m: net.m, D };
}

describe("the network layer", () => {
  it("a ReLU network is model/'s two-layer ReLU architecture with θ = [W | α]; its output is the plain sum Σ_j α_j (X w_j)_+", () => {
    const { X, net } = setup(11);
    const model = reluNetworkModel(net);
    expect(paramCount(model.arch)).toBe(net.m * (net.D + 1));
    expect(Array.from(model.theta)).toEqual([...net.W, ...net.alpha]);
    const f = networkOutput(net, X);
    for (let k = 0; k < X.rows; k++) {
      let ref = 0;
      for (let j = 0; j < net.m; j++) {
        let s = 0;
        for (let t = 0; t < net.D; t++) s += X.data[k * net.D + t] * net.W[j * net.D + t];
        if (s > 0) ref += net.alpha[j] * s;
      }
      expect(Math.abs(f[k] - ref)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, Math.abs(ref)));
    }
  });

  it("the zero network (no neurons): f = 0, penalty 0, F = L(0); training leaves it", () => {
    const { X, y } = setup(12);
    const z = zeroNetwork(X.cols);
    expect(Array.from(networkOutput(z, X)).every((v) => v === 0)).toBe(true);
    const o = nonconvexObjective(z, X, y, 0.3, "square");
    expect(o.penalty).toBe(0);
    expect(Math.abs(o.objective - 0.5 * y.reduce((a, v) => a + v * v, 0))).toBeLessThanOrEqual(1e-15 * o.objective);
    const r = trainWeightDecayed(X, y, 0.3, z, { lr: 0.1, steps: 10 });
    expect([r.net.m, r.gradNorm, r.finite]).toEqual([0, 0, true]);
    expect(Math.abs(r.objective - o.objective)).toBeLessThanOrEqual(1e-15 * o.objective);
  });

  it("GD by dynamics/ on model/ follows the plain GD loop (400 steps, agreement to rounding)", () => {
    const { X, y, net } = setup(13);
    const a = trainWeightDecayed(X, y, 0.1, net, { lr: 0.02, steps: 400 }).net;
    const b = plainGd(X, y, 0.1, net, 0.02, 400);
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < a.W.length; i++) { scale = Math.max(scale, Math.abs(b.W[i])); diff = Math.max(diff, Math.abs(a.W[i] - b.W[i])); }
    for (let j = 0; j < a.m; j++) { scale = Math.max(scale, Math.abs(b.alpha[j])); diff = Math.max(diff, Math.abs(a.alpha[j] - b.alpha[j])); }
    // Two summation orders of the same iteration: rounding grows at most linearly with the steps here.
    expect(diff).toBeLessThanOrEqual(1e-12 * scale);
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
