import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import { loadDataset, makeBuiltin, saveDataset, makeDataset } from "../../src/data/index.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadDataset / saveDataset", () => {
  it("round-trips JSON and CSV bit-identically, for classification and regression data", () => {
    for (const address of ["builtin:blobs?n=37&d=3&seed=4", "builtin:sin?n=25&d=4&noise=0.1", "builtin:teacher?task=regression&n=20"]) {
      const ds = makeBuiltin(address);
      for (const ext of ["json", "csv"]) {
        const path = join(dir, `rt.${ext}`);
        saveDataset(ds, path);
        const back = loadDataset(path);
        expect(back.source).toBe(path);
        expect([back.X.rows, back.X.cols, back.Y.cols]).toEqual([ds.X.rows, ds.X.cols, ds.Y.cols]);
        expect(Buffer.from(back.X.data.buffer).equals(Buffer.from(ds.X.data.buffer))).toBe(true);
        expect(Buffer.from(back.Y.data.buffer).equals(Buffer.from(ds.Y.data.buffer))).toBe(true);
      }
    }
  });

  it("round-trips vector targets (k = 2) through CSV using the y1,y2 header", () => {
    const ds = makeDataset({ rows: 2, cols: 1, data: Float64Array.of(0.5, -1.25) }, { rows: 2, cols: 2, data: Float64Array.of(1, 2, 3, 4) }, "mem");
    const path = join(dir, "k2.csv");
    saveDataset(ds, path);
    const back = loadDataset(path);
    expect([back.X.cols, back.Y.cols]).toEqual([1, 2]);
    expect(Array.from(back.Y.data)).toEqual([1, 2, 3, 4]);
  });

  it("honours labelCols for CSV and sniffs the format of other extensions", () => {
    const csv = join(dir, "plain.csv");
    writeFileSync(csv, "1,2,3\n4,5,6\n");
    expect(loadDataset(csv, { labelCols: 2 }).Y.cols).toBe(2);
    const dat = join(dir, "data.dat");
    writeFileSync(dat, '{ "X": [[1]], "y": [1] }');
    expect(loadDataset(dat).X.rows).toBe(1);
    writeFileSync(dat, "1,2\n3,4\n");
    expect(loadDataset(dat).X.rows).toBe(2);
  });

  it("loads builtin addresses", () => {
    const ds = loadDataset("builtin:xor?n=8");
    expect(ds.X.rows).toBe(8);
    expect(ds.source).toBe("builtin:xor?n=8&seed=0&d=2&std=0.25");
  });

  it("reports missing files and directories as InputError naming the path", () => {
    const missing = join(dir, "nope.json");
    expect(() => loadDataset(missing)).toThrow(InputError);
    expect(() => loadDataset(missing)).toThrow(`${missing}: no such file`);
    const sub = join(dir, "sub");
    mkdirSync(sub, { recursive: true });
    expect(() => loadDataset(sub)).toThrow(/is a folder/);
  });

  it("writes atomically: no temporary files remain, an unknown extension writes nothing", () => {
    const out = join(dir, "atomic");
    mkdirSync(out, { recursive: true });
    const ds = makeBuiltin("blobs?n=5");
    saveDataset(ds, join(out, "a.json"));
    expect(readdirSync(out)).toEqual(["a.json"]);
    expect(() => saveDataset(ds, join(out, "a.xlsx"))).toThrow(/unknown dataset format/);
    expect(existsSync(join(out, "a.xlsx"))).toBe(false);
    expect(readdirSync(out)).toEqual(["a.json"]);
  });
});
