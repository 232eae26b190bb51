import { describe, expect, it } from "vitest";
import { fromRows, transpose, toRows, identity, matmul } from "../../src/linalg/index.js";

describe("matrix records", () => {
  it("transpose and round-trip through nested arrays", () => {
    const a = fromRows([[1, 2, 3], [4, 5, 6]]);
    expect(toRows(transpose(a))).toEqual([[1, 4], [2, 5], [3, 6]]);
  });
  it("handles empty shapes", () => {
    expect(matmul(identity(0), identity(0)).data.length).toBe(0);
    expect(() => fromRows([[1, 2], [3]])).toThrow(/row 1/);
  });
});
