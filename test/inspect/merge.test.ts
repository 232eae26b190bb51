/**
 * splitting/merge.ts: the embedding principle run backwards. Networks made by splitting a
 * narrow one (splitting map, copy-and-divide, several units, MLP layers) merge back to the
 * narrow network itself; random networks do not merge; dropped units and cancelling groups.
 * The function is checked independently by forward passes of both networks.
 */
import { describe, expect, it } from "vitest";
import { forward, makeActivation, mlpArchitecture, twoLayerArchitecture, type Model } from "../../src/model/index.js";
import { copyDivideSplit, mergeRedundantUnits, splitUnit } from "../../src/splitting/index.js";
import { testRng } from "../helpers/random.js";

function twoLayer(seed: number, d: number, m: number, act = "relu", bias = false, k = 1): Model {
  const arch = twoLayerArchitecture({ d, m, k, activation: makeActivation(act), inputBias: bias });
  const g = testRng(seed);
  return { arch, theta: g.randnVec(m * d + m * k + (bias ? m : 0)) };
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let e = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return e / s;
}

/** max |f̄(x) − f(x)| / max |f(x)| on 200 Gaussian inputs. */
function functionError(given: Model, merged: Model, d: number): number {
  const g = testRng(99);
  const X = g.randn(200, d);
  return maxRelDiff(forward(merged, X).data, forward(given, X).data);
}

describe("mergeRedundantUnits", () => {
  it("recovers the narrow ReLU network from two splitting maps (groups, factors c_i, exact map back)", () => {
    const narrow = twoLayer(1, 4, 3, "relu", true);
    const s1 = splitUnit(narrow, 1, [0.6, 0.8]).model; // units 1, 3
    const wide = splitUnit(s1, 0, [0.48, 0.6, 0.64]).model; // units 0, 4, 5 (0.48² + 0.6² + 0.64² = 1)
    const r = mergeRedundantUnits(wide);
    expect(r.criterion).toBe("positively parallel");
    expect(r.width).toBe(6);
    expect(r.mergedWidth).toBe(3);
    const multi = r.layers[0].groups.filter((g) => g.members.length > 1);
    expect(multi.map((g) => g.members)).toEqual([[0, 4, 5], [1, 3]]);
    expect(multi.every((g) => g.kind === "splitting")).toBe(true);
    expect(multi[0].inScale[0]).toBeCloseTo(0.48, 14);
    expect(multi[1].outScale[1]).toBeCloseTo(0.8, 14);
    // The merged network IS the narrow one (units in their original order), to rounding.
    expect(maxRelDiff(r.merged.theta, narrow.theta)).toBeLessThanOrEqual(1e-15);
    expect(r.reconstruction.relative).toBeLessThanOrEqual(1e-15);
    expect(functionError(wide, r.merged, 4)).toBeLessThanOrEqual(1e-14);
  });

  it("copy-and-divide splits: identical incoming vectors, λ as the outgoing factors (tanh and ReLU)", () => {
    for (const act of ["tanh", "relu"]) {
      const narrow = twoLayer(2, 3, 4, act, true);
      const wide = copyDivideSplit(narrow, 2, [0.3, 0.7]).model;
      const r = mergeRedundantUnits(wide);
      expect(r.criterion).toBe(act === "tanh" ? "identical" : "positively parallel");
      const g = r.layers[0].groups.find((x) => x.members.length > 1)!;
      expect(g.members).toEqual([2, 4]);
      expect(g.kind).toBe("copy-and-divide");
      expect(g.outScale[0]).toBeCloseTo(0.3, 14);
      expect(g.outScale[1]).toBeCloseTo(0.7, 14);
      expect(g.inScale).toEqual([1, 1]);
      expect(maxRelDiff(r.merged.theta, narrow.theta)).toBeLessThanOrEqual(1e-15);
      expect(r.reconstruction.relative).toBeLessThanOrEqual(1e-15);
    }
  });

  it("a random network has no redundancy: every unit is its own group and the map is the identity", () => {
    const net = twoLayer(3, 5, 8, "leaky_relu");
    const r = mergeRedundantUnits(net);
    expect(r.mergedWidth).toBe(8);
    expect(r.layers[0].removed).toEqual([]);
    expect(r.layers[0].closestDistinct!).toBeGreaterThan(1e-2);
    expect(r.reconstruction.absolute).toBe(0);
    expect(Array.from(r.merged.theta)).toEqual(Array.from(net.theta));
  });

  it("the angle tolerance decides: units 1e-3 apart merge only with a tolerance above it, with a function error of that order", () => {
    const net = twoLayer(4, 3, 3, "relu");
    // Unit 2 := unit 0 rotated by about 1e-3 rad and scaled.
    const W = net.theta;
    const u0 = W.slice(0, 3);
    const perp = Float64Array.of(u0[1], -u0[0], 0);
    const pn = Math.hypot(...perp);
    const n0 = Math.hypot(...u0);
    for (let t = 0; t < 3; t++) W[6 + t] = 1.7 * (u0[t] + (1e-3 * n0 * perp[t]) / pn);
    const strict = mergeRedundantUnits(net);
    expect(strict.mergedWidth).toBe(3);
    expect(strict.layers[0].closestDistinct!).toBeCloseTo(1e-3, 6);
    const loose = mergeRedundantUnits(net, { angleTol: 1e-2 });
    expect(loose.mergedWidth).toBe(2);
    expect(loose.layers[0].groups[0].maxDeviation).toBeLessThan(1e-3);
    const err = functionError(net, loose.merged, 3);
    expect(err).toBeGreaterThan(1e-6);
    expect(err).toBeLessThan(1e-2);
    expect(loose.reconstruction.relative).toBeGreaterThan(1e-6); // not an exact split
  });

  it("drops units with zero outgoing weights and cancelling pairs; the function is unchanged", () => {
    const net = twoLayer(5, 2, 4, "relu");
    const th = net.theta; // W: 8 entries, a: 4
    th[8 + 3] = 0; // unit 3: a = 0
    th.set(th.subarray(0, 2).map((v) => 2 * v), 2); // unit 1 = 2·unit 0 (parallel) …
    th[8 + 1] = -th[8 + 0] / 2; // … with a_1·2 = −a_0: the pair cancels
    const r = mergeRedundantUnits(net);
    expect(r.layers[0].removed.map((x) => x.unit)).toEqual([0, 1, 3]);
    expect(r.mergedWidth).toBe(1);
    expect(functionError(net, r.merged, 2)).toBeLessThanOrEqual(1e-14);
  });

  it("MLP: splits in two hidden layers merge back to the narrow network", () => {
    const arch = mlpArchitecture([3, 4, 3, 2], makeActivation("leaky_relu", 0.1));
    const g = testRng(6);
    const narrow: Model = { arch, theta: g.randnVec(4 * 3 + 3 * 4 + 2 * 3) };
    const s1 = splitUnit(narrow, { layer: 1, unit: 2 }, [0.6, 0.8]).model;
    const wide = splitUnit(s1, { layer: 2, unit: 0 }, [0.8, 0.6]).model;
    const r = mergeRedundantUnits(wide);
    expect(r.layers.map((l) => [l.width, l.mergedWidth])).toEqual([[5, 4], [4, 3]]);
    expect(maxRelDiff(r.merged.theta, narrow.theta)).toBeLessThanOrEqual(1e-15);
    expect(r.reconstruction.relative).toBeLessThanOrEqual(1e-15);
    expect(functionError(wide, r.merged, 3)).toBeLessThanOrEqual(1e-14);
  });

  it("vector outputs: outgoing rows merge as vectors", () => {
    const narrow = twoLayer(7, 3, 3, "relu", false, 2);
    const wide = splitUnit(narrow, 1, [0.6, 0.8]).model;
    const r = mergeRedundantUnits(wide);
    expect(r.mergedWidth).toBe(3);
    expect(maxRelDiff(r.merged.theta, narrow.theta)).toBeLessThanOrEqual(1e-15);
  });
});
