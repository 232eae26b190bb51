/**
 * The conv model file: exact round trips (1-D and 2-D), PyTorch's state_dict shapes, and one clear
 * InputError (file, field, expectation; one line) per kind of bad input.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import {
  describeArchitecture, makeActivation, modelToJson, modelToText, paramCount, parseModelJson, parseModelText,
  sameArchitecture, type Model,
} from "../../src/model/index.js";
import { testArchitectures } from "./convCases.js";
import { lcg } from "./reference.js";

function randomModel(i: number): Model {
  const arch = testArchitectures(makeActivation("leaky_relu", 0.01))[i].arch;
  const u = lcg(40 + i);
  return { arch, theta: Float64Array.from({ length: paramCount(arch) }, () => u() / 3) };
}

/** A valid 2-D record to corrupt: 1×5×5 → conv 2 3×3 → 2×3×3 → avgpool 3 → 2×1×1 → head (1 × 2). */
function valid(): Record<string, unknown> {
  return {
    kind: "conv",
    activation: "relu",
    input: [1, 5, 5],
    layers: [
      { type: "conv", weight: [[[[1, 0, 0], [0, 1, 0], [0, 0, 1]]], [[[0, 0, 1], [0, 1, 0], [1, 0, 0]]]], stride: 1, padding: 0 },
      { type: "avgpool", kernel: 3 },
    ],
    head: [[0.5, -0.5]],
  };
}

function errorOf(json: unknown): InputError {
  try {
    parseModelJson(json, "net.json");
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).not.toContain("\n");
    return err as InputError;
  }
  throw new Error("expected an InputError");
}

describe("conv model file", () => {
  it("round-trips exactly through JSON and text, 1-D and 2-D", () => {
    for (let i = 0; i < 4; i++) {
      const m = randomModel(i);
      const back = parseModelJson(JSON.parse(JSON.stringify(modelToJson(m))), "x");
      expect(sameArchitecture(back.arch, m.arch)).toBe(true);
      expect(Array.from(back.theta)).toEqual(Array.from(m.theta));
      const text = parseModelText(modelToText(m), "x");
      expect(Array.from(text.theta)).toEqual(Array.from(m.theta));
    }
  });

  it("reads PyTorch's nested weight shapes: Conv2d (out, in, kh, kw), Conv1d (out, in, k), head (out, features)", () => {
    const m = parseModelJson(valid(), "net.json");
    expect(describeArchitecture(m.arch)).toBe("conv2d 1×5×5 → conv 2 3×3 → 2×3×3 → avgpool 3×3 → 2×1×1 → 1 relu");
    // θ = K (2×1×3×3, row-major) then the head
    expect(Array.from(m.theta.subarray(0, 9))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(m.theta.subarray(18))).toEqual([0.5, -0.5]);
    const one = parseModelJson({
      kind: "conv", activation: "linear", input: [2, 6],
      layers: [{ type: "conv", weight: [[[1, 2], [3, 4]]], stride: 2, padding: [1] }], head: [[1, 1, 1, 1]],
    }, "net1d.json");
    expect(describeArchitecture(one.arch)).toBe("conv1d 2×6 → conv 1 2 s2 p1 → 1×4 → 1 linear");
    expect(Array.from(one.theta)).toEqual([1, 2, 3, 4, 1, 1, 1, 1]);
  });

  it("names the file, the field and the expectation for each kind of bad input", () => {
    const cases: Array<[(o: Record<string, unknown>) => void, string, RegExp]> = [
      [(o) => { o.input = [1, 5]; o.layers = []; o.head = [[1]]; }, "head", /5 entries|expected 5/],
      [(o) => { o.input = [0, 5, 5]; }, "input", /positive integers/],
      [(o) => { o.input = "1x5x5"; }, "input", /\[channels, height, width\]/],
      [(o) => { o.layers = {}; }, "layers", /array/],
      [(o) => { (o.layers as Record<string, unknown>[])[1].type = "maxpool"; }, "layers[1].type", /unknown layer type "maxpool"/],
      [(o) => { (o.layers as Record<string, unknown>[])[0].weight = [[[[1, 0], [0, 1, 0], [0, 0, 1]]]]; }, "layers[0].weight", /expected 2 \(kernel width\)/],
      [(o) => { (o.layers as Record<string, unknown>[])[0].weight = [[[[1, 0, 0], [0, 1, 0], [0, 0, 1]]], [[[0, 0, 1], [0, 1, 0]], [[1, 0, 0]]]]; }, "layers[0].weight", /in channels/],
      [(o) => { (o.layers as Record<string, unknown>[])[0].weight = [[[[1, 0, 0], [0, NaN, 0], [0, 0, 1]]]]; }, "layers[0].weight", /not a finite number/],
      [(o) => { (o.layers as Record<string, unknown>[])[0].weight = [1, 2, 3]; }, "layers[0].weight", /expected 3 more level\(s\) of nested arrays \(in channels × kernel height × kernel width\) at \[0\], got 1/],
      [(o) => { (o.layers as Record<string, unknown>[])[0].stride = 0; }, "layers[0].stride", /integer ≥ 1/],
      [(o) => { (o.layers as Record<string, unknown>[])[0].padding = [1, 2, 3]; }, "layers[0].padding", /\[h, w\]/],
      [(o) => { (o.layers as Record<string, unknown>[])[1].kernel = 4; }, "layers", /does not fit its 2×3×3 input/],
      [(o) => { (o.layers as Record<string, unknown>[])[1].padding = 2; }, "layers", /at most half the kernel/],
      [(o) => { delete (o.layers as Record<string, unknown>[])[1].kernel; }, "layers[1].kernel", /missing/],
      [(o) => { o.head = [[1, 2, 3]]; }, "head", /expected 2 \(features \(2 = C·H·W/],
      [(o) => { delete o.head; }, "head", /nested arrays/],
    ];
    for (const [corrupt, field, msg] of cases) {
      const o = valid();
      corrupt(o);
      const err = errorOf(o);
      expect(err.source).toBe("net.json");
      expect(err.field).toBe(field);
      expect(err.message).toMatch(msg);
    }
  });
});
