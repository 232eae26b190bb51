// The terminal tables: columns padded to their widest cell by code points; a cell followed only
// by empty cells runs on past its column instead of widening it (inspect's "n/a" explanations).
import { describe, expect, it } from "vitest";
import { formatTable } from "../../src/report/index.js";

describe("formatTable", () => {
  it("pads columns by code points and rules the header", () => {
    expect(formatTable(["a", "bb"], [["‖x‖", "1"], ["y", "22"]]).split("\n")).toEqual([
      "a    bb",
      "───  ──",
      "‖x‖  1",
      "y    22",
    ]);
  });
  it("lets a cell with only empty cells after it overflow without widening its column", () => {
    const lines = formatTable(["k", "measured", "tol"], [["s", "1e-3", "≤ 1"], ["m", "a long explanation of why not", ""]]).split("\n");
    expect(lines).toEqual([
      "k  measured  tol",
      "─  ────────  ───",
      "s  1e-3      ≤ 1",
      "m  a long explanation of why not",
    ]);
  });
  it("clips cells longer than maxCell with an ellipsis", () => {
    expect(formatTable(["a", "b"], [["abcdef", "x"]], 4).split("\n")[2]).toBe("abc…  x");
  });
});
