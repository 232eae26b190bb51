/** The copy-and-divide split used by plateau/ (splitting/copyDivideSplit) against a direct construction on the θ layout. */
import { describe, expect, it } from "vitest";
import { forward, makeActivation, twoLayerArchitecture, type Model } from "../../src/model/index.js";
import { fromRows } from "../../src/linalg/index.js";
import { childIndices, splitUnitCopyDivide } from "../../src/plateau/index.js";
import { splitUnitCopyDivideReference } from "../../src/plateau/split.js";

describe("splitUnitCopyDivide", () => {
  for (const [inputBias, outputBias] of [[false, false], [true, false], [true, true]] as const) {
    it(`agrees with the direct construction and preserves f (b: ${inputBias}, c: ${outputBias})`, () => {
      const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("tanh"), inputBias, outputBias });
      const p = 6 + 3 + (inputBias ? 3 : 0) + (outputBias ? 1 : 0);
      const model: Model = { arch, theta: Float64Array.from({ length: p }, (_, i) => Math.cos(1.3 * i + 0.2)) };
      const X = fromRows([[0.3, -1], [1.2, 0.4], [-0.7, 0.9]]);
      for (const lambdas of [[0.3, 0.7], [1.5, -0.5], [1, 0], [0.2, -0.4, 1.2]]) {
        const a = splitUnitCopyDivide(model, 1, lambdas);
        const b = splitUnitCopyDivideReference(model, 1, lambdas);
        expect(Array.from(a.theta)).toEqual(Array.from(b.theta));
        const f0 = forward(model, X).data;
        const f1 = forward(a, X).data;
        for (let i = 0; i < 3; i++) expect(f1[i]).toBeCloseTo(f0[i], 14);
      }
      expect(childIndices(3, 1, 3)).toEqual([1, 3, 4]);
    });
  }
});
