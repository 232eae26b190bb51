// The red dots and blue sets of convex/figure-2 (src/reproduce/reproductions/convexFigure2.ts) on a
// hand-made vertex list whose components are known: a vertex is a red dot only when it is alone in
// its component and fills the width.
import { describe, expect, it } from "vitest";
import type { OptimalVertex } from "../../src/convex/index.js";
import { dotsAndSets } from "../../src/reproduce/reproductions/convexFigure2.js";

const vertex = (support: number[]): OptimalVertex => ({ support, weights: Float64Array.from(support, () => 1), residual: 0 });

describe("convex/figure-2: red dots and blue sets", () => {
  const V = [vertex([0, 1]), vertex([2, 3]), vertex([0, 2])];
  it("width 2: three vertices of support 2, no union fits: three red dots", () => {
    expect(dotsAndSets(V, 2)).toEqual({ red: 3, blue: 0 });
  });
  it("width 3: {0,1}–{0,2}–{2,3} joined (unions of size 3): one blue set", () => {
    expect(dotsAndSets(V, 3)).toEqual({ red: 0, blue: 1 });
  });
  it("an isolated vertex with a spare neuron is a blue set, not a red dot", () => {
    expect(dotsAndSets([vertex([0]), vertex([1, 2])], 2)).toEqual({ red: 1, blue: 1 });
  });
});
