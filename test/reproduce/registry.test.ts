import { describe, expect, it } from "vitest";
import { getReproduction, listReproductions, registerReproduction, REPRODUCTION_ID } from "../../src/reproduce/index.js";

const IDS = [
  "convex/example-2", "convex/figure-2", "convex/staircase-circle", "embedding/exp1-separable", "embedding/exp2a-sgd-identical", "embedding/exp2b-sgd-different", "embedding/exp3-nonseparable",
  "convex/three-layer-optimal-set", "embedding/exp4-cnn", "embedding/mnist-cnn", "embedding/mnist-mlp", "ncf/deep-escape", "ncf/small-init-logistic", "saddles/3d", "saddles/5-points",
];

describe("the reproduction registry", () => {
  it("holds the papers' experiments under the intended ids, each with its paper, figure, source and quick scope", () => {
    const ids = listReproductions().map((r) => r.id);
    for (const id of IDS) expect(ids).toContain(id);
    expect(ids).toEqual([...ids].sort());
    for (const r of listReproductions()) {
      expect(r.id).toMatch(REPRODUCTION_ID);
      for (const field of [r.paper, r.figure, r.source, r.description, r.quick]) expect(field.length).toBeGreaterThan(10);
    }
  });

  it("refuses malformed and duplicate ids", () => {
    const r = getReproduction("saddles/3d")!;
    expect(() => registerReproduction({ ...r })).toThrow(/already registered/);
    expect(() => registerReproduction({ ...r, id: "no-slash" })).toThrow(/must match/);
    expect(() => registerReproduction({ ...r, id: "Upper/case" })).toThrow(/must match/);
  });
});
