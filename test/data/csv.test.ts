import { describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import { datasetToCsv, parseCsvDataset, type CsvOptions } from "../../src/data/index.js";

function errorOf(text: string, opts?: CsvOptions): string {
  try {
    parseCsvDataset(text, "d.csv", opts);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("CSV dataset files", () => {
  it("reads numeric rows with the last column as y; a non-numeric first row is a header", () => {
    const a = parseCsvDataset("1,2,1\n3,4,-1\n", "a.csv");
    expect([a.X.rows, a.X.cols, a.Y.cols]).toEqual([2, 2, 1]);
    expect(Array.from(a.X.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(a.Y.data)).toEqual([1, -1]);
    const b = parseCsvDataset("x1, x2, label\n1, 2, 1\n3, 4, -1\n", "b.csv");
    expect(Array.from(b.X.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(b.Y.data)).toEqual([1, -1]);
    const q = parseCsvDataset('"x1","x2","y"\n"1","2","3"\n', "q.csv");
    expect(Array.from(q.Y.data)).toEqual([3]);
  });

  it("takes the last K columns as y with labelCols, or from trailing y-named header columns", () => {
    const a = parseCsvDataset("1,2,3,4\n5,6,7,8\n", "a.csv", { labelCols: 2 });
    expect([a.X.cols, a.Y.cols]).toEqual([2, 2]);
    expect(Array.from(a.Y.data)).toEqual([3, 4, 7, 8]);
    const b = parseCsvDataset("x1,y1,y2\n1,2,3\n", "b.csv");
    expect([b.X.cols, b.Y.cols]).toEqual([1, 2]);
    const c = parseCsvDataset("x1,y1,y2\n1,2,3\n", "c.csv", { labelCols: 1 });
    expect([c.X.cols, c.Y.cols]).toEqual([2, 1]);
  });

  it("skips blank and # comment lines, accepts CRLF, tabs, semicolons and spaces", () => {
    const a = parseCsvDataset("# comment\r\n\r\n1,2,1\r\n\r\n3,4,-1\r\n", "a.csv");
    expect(Array.from(a.X.data)).toEqual([1, 2, 3, 4]);
    for (const text of ["1\t2\t1\n3\t4\t-1\n", "1;2;1\n3;4;-1\n", "1  2 1\n 3 4   -1\n"]) {
      const ds = parseCsvDataset(text, "t.csv");
      expect(Array.from(ds.X.data)).toEqual([1, 2, 3, 4]);
      expect(Array.from(ds.Y.data)).toEqual([1, -1]);
    }
  });

  it("rejects ragged rows with the line number and both lengths", () => {
    const rows = ["x1,x2,y", "1,2,1", "1,2,1", "1,2,1", "1,2,1", "1,2,1", "1,2", "1,2,1"];
    expect(errorOf(rows.join("\n"))).toBe("d.csv: line 7: row has 2 values, expected 3 (as the header on line 1)");
    expect(errorOf("1,2,1\n1,2,3,1\n")).toBe("d.csv: line 2: row has 4 values, expected 3 (as line 1)");
  });

  it("rejects non-numeric cells, NaN, Infinity and overflow, naming line and column", () => {
    expect(errorOf("1,2,1\n3,abc,1\n")).toBe('d.csv: line 2, column 2: "abc" is not a number, expected a finite number');
    expect(errorOf("x1,x2,y\n1,NaN,1\n")).toBe('d.csv: line 2, column 2 ("x2"): "NaN" is not allowed, expected a finite number');
    expect(errorOf("NaN,1,1\n")).toMatch(/line 1, column 1: "NaN" is not allowed/); // not mistaken for a header
    expect(errorOf("1,2,Infinity\n")).toMatch(/line 1, column 3: "Infinity" is not allowed/);
    expect(errorOf("1,2,-inf\n")).toMatch(/"-inf" is not allowed/);
    expect(errorOf("1,1e999,1\n")).toMatch(/line 1, column 2: 1e999 overflows float64/);
    expect(errorOf("1,,1\n")).toMatch(/line 1, column 2: empty value/);
    expect(errorOf("1,0x10,1\n")).toMatch(/"0x10" is not a number/);
  });

  it("rejects empty files, header-only files and too many label columns", () => {
    expect(errorOf("")).toMatch(/^d\.csv: empty dataset: no data rows/);
    expect(errorOf("# only a comment\n\n")).toMatch(/empty dataset/);
    expect(errorOf("x,y\n")).toMatch(/line 1: empty dataset: only a header row/);
    expect(errorOf("1,2\n", { labelCols: 2 })).toBe("d.csv: label-cols: 2 label columns leave no input columns: rows have 2 values (line 1), need at least 3");
    expect(errorOf("5\n6\n")).toMatch(/label-cols: 1 label column leaves no input columns/);
    expect(errorOf("1,2\n", { labelCols: 0 })).toMatch(/label-cols: expected a positive integer/);
  });

  it("writes a header and reads back bit-identically (k = 1 and k = 2)", () => {
    const a = parseCsvDataset("0.1,-2e-300,1\n1.7976931348623157e308,0.30000000000000004,-1\n", "a.csv");
    const text = datasetToCsv(a);
    expect(text.split("\n")[0]).toBe("x1,x2,y");
    const back = parseCsvDataset(text, "b.csv");
    expect(Array.from(back.X.data)).toEqual(Array.from(a.X.data));
    expect(Array.from(back.Y.data)).toEqual(Array.from(a.Y.data));
    const k2 = parseCsvDataset("1,2,3\n4,5,6\n", "k2.csv", { labelCols: 2 });
    const t2 = datasetToCsv(k2);
    expect(t2.split("\n")[0]).toBe("x1,y1,y2");
    const back2 = parseCsvDataset(t2, "k2b.csv");
    expect([back2.X.cols, back2.Y.cols]).toEqual([1, 2]);
    expect(Array.from(back2.Y.data)).toEqual([2, 3, 5, 6]);
  });
});

describe("CSV header detection", () => {
  it("a first row mixing numbers and words is data, not a header", () => {
    expect(errorOf("1,abc,1\n2,3,1\n")).toMatch(/line 1, column 2: "abc" is not a number/);
  });
});
