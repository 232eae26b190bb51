import { describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import { classCounts, hasPlusMinusLabels, labels, parseJsonDataset } from "../../src/data/index.js";

describe("labels", () => {
  it("returns a copy of ±1 labels", () => {
    const ds = parseJsonDataset('{ "X": [[1], [2], [3]], "y": [1, -1, 1] }', "c.json");
    const y = labels(ds);
    expect(Array.from(y)).toEqual([1, -1, 1]);
    y[0] = 7;
    expect(ds.Y.data[0]).toBe(1);
    expect(hasPlusMinusLabels(ds)).toBe(true);
    expect(classCounts(ds)).toEqual({ positive: 2, negative: 1 });
  });

  it("rejects 0/1 labels and regression targets, naming the first bad entry", () => {
    const ds = parseJsonDataset('{ "X": [[1], [2], [3]], "y": [1, 0, 0] }', "01.json");
    expect(hasPlusMinusLabels(ds)).toBe(false);
    expect(() => labels(ds)).toThrow(InputError);
    expect(() => labels(ds)).toThrow("01.json: y[1]: classification needs labels ±1, got y[1] = 0 (2 of 3 labels are not ±1; map 0/1 labels to −1/+1)");
  });

  it("rejects vector targets", () => {
    const ds = parseJsonDataset('{ "X": [[1]], "y": [[1, -1]] }', "v.json");
    expect(() => labels(ds)).toThrow("v.json: y: classification needs one label ±1 per sample, but y has k = 2 columns");
  });
});
