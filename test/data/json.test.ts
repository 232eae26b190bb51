import { describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import { formatStamp } from "../../src/common/format.js";
import { datasetToJson, datasetToJsonText, parseJsonDataset } from "../../src/data/index.js";

/** The InputError message thrown by parsing `text` as file "d.json". */
function errorOf(text: string): string {
  try {
    parseJsonDataset(text, "d.json");
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("JSON dataset files", () => {
  it("reads X with scalar y (k = 1) and with vector y (k = 2)", () => {
    const a = parseJsonDataset('{ "X": [[0.1, 2.0], [1.5, -0.3]], "y": [1, -1] }', "a.json");
    expect([a.X.rows, a.X.cols, a.Y.rows, a.Y.cols]).toEqual([2, 2, 2, 1]);
    expect(Array.from(a.X.data)).toEqual([0.1, 2, 1.5, -0.3]);
    expect(Array.from(a.Y.data)).toEqual([1, -1]);
    expect(a.source).toBe("a.json");
    const b = parseJsonDataset('{ "X": [[1], [2], [3]], "y": [[1, 2], [3, 4], [5, 6]], "source": "ignored" }', "b.json");
    expect([b.Y.rows, b.Y.cols]).toEqual([3, 2]);
    expect(Array.from(b.Y.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("rejects text that is not JSON, or empty, naming the file", () => {
    expect(errorOf("{ X: [[1]] }")).toMatch(/^d\.json: not valid JSON/);
    expect(errorOf("  \n")).toMatch(/^d\.json: the file is empty/);
    expect(errorOf("[[1, 2]]")).toMatch(/expected a JSON object .* got an array/);
  });

  it("rejects missing X or y, with a hint for wrong case", () => {
    expect(errorOf('{ "y": [1] }')).toBe("d.json: X: missing, expected n rows of d numbers");
    expect(errorOf('{ "X": [[1]] }')).toBe("d.json: y: missing, expected n numbers or n rows of k numbers");
    expect(errorOf('{ "X": [[1]], "Y": [1] }')).toMatch(/y: missing.*found "Y"/);
  });

  it("rejects X that is not an array of arrays, and an empty dataset", () => {
    expect(errorOf('{ "X": 3, "y": [1] }')).toMatch(/X: expected an array of n rows .* got number 3/);
    expect(errorOf('{ "X": [1, 2], "y": [1, 2] }')).toMatch(/X\[0\]: expected an array of d numbers, got number 1/);
    expect(errorOf('{ "X": [[1], 2], "y": [1, 2] }')).toMatch(/X\[1\]: expected an array of d numbers, got number 2/);
    expect(errorOf('{ "X": [], "y": [] }')).toMatch(/X: empty dataset: X has no rows/);
    expect(errorOf('{ "X": [[]], "y": [1] }')).toMatch(/X\[0\]: row 0 is empty/);
  });

  it("rejects ragged rows, naming the row and both lengths", () => {
    const X = Array.from({ length: 8 }, (_, i) => (i === 7 ? [1, 2, 3] : [1, 2]));
    const msg = errorOf(JSON.stringify({ X, y: new Array(8).fill(1) }));
    expect(msg).toBe("d.json: X[7]: row 7 has 3 values, expected 2 (the length of X[0])");
    expect(errorOf('{ "X": [[1], [2]], "y": [[1, 2], [3]] }')).toMatch(/y\[1\]: row 1 has 1 values, expected 2/);
  });

  it("rejects non-numbers and non-finite numbers, naming the entry", () => {
    expect(errorOf('{ "X": [[1, 2], ["a", 3]], "y": [1, 1] }')).toBe(
      'd.json: X[1][0]: expected a finite number, got string "a" (numbers must not be quoted; NaN and Infinity are not allowed)',
    );
    expect(errorOf('{ "X": [[1, null]], "y": [1] }')).toMatch(/X\[0\]\[1\]: expected a finite number, got null/);
    expect(errorOf('{ "X": [[1, "NaN"]], "y": [1] }')).toMatch(/X\[0\]\[1\]: .*string "NaN".*NaN and Infinity are not allowed/);
    expect(errorOf('{ "X": [[1, 1e999]], "y": [1] }')).toMatch(/X\[0\]\[1\]: expected a finite number, got Infinity \(a literal that overflows float64\)/);
    expect(errorOf('{ "X": [[1], [2]], "y": [1, "Infinity"] }')).toMatch(/y\[1\]: expected a finite number, got string "Infinity"/);
    expect(errorOf('{ "X": [[1], [2]], "y": [1, true] }')).toMatch(/y\[1\]: expected a finite number, got boolean true/);
  });

  it("rejects y whose length differs from the number of rows of X, or mixes numbers and rows", () => {
    expect(errorOf('{ "X": [[1], [2], [3]], "y": [1, -1] }')).toBe("d.json: y: has 2 entries, but X has 3 rows");
    expect(errorOf('{ "X": [[1], [2]], "y": "ab" }')).toMatch(/y: expected an array of 2 numbers or 2 rows of k numbers/);
    expect(errorOf('{ "X": [[1], [2]], "y": [1, [2]] }')).toMatch(/y\[1\]: expected a number like y\[0\], got an array/);
    expect(errorOf('{ "X": [[1], [2]], "y": [[1], 2] }')).toMatch(/y\[1\]: expected an array of k numbers, got number 2/);
  });

  it("writes and reads back bit-identically, with source", () => {
    const text = '{ "X": [[0.1, 2e-300], [-1.7976931348623157e308, 0.30000000000000004]], "y": [[1, 2.5], [5e-324, -3]] }';
    const ds = parseJsonDataset(text, "in.json");
    const back = parseJsonDataset(datasetToJsonText(ds), "out.json");
    expect(Array.from(back.X.data)).toEqual(Array.from(ds.X.data));
    expect(Array.from(back.Y.data)).toEqual(Array.from(ds.Y.data));
    expect(datasetToJson(ds)).toEqual({ X: [[0.1, 2e-300], [-1.7976931348623157e308, 0.30000000000000004]], y: [[1, 2.5], [5e-324, -3]], source: "in.json" });
    const k1 = parseJsonDataset('{ "X": [[1], [2]], "y": [1, -1] }', "k1.json");
    expect(datasetToJson(k1).y).toEqual([1, -1]);
    expect(JSON.parse(datasetToJsonText(k1))).toEqual({ ...formatStamp("dataset"), X: [[1], [2]], y: [1, -1], source: "k1.json" });
  });
});
