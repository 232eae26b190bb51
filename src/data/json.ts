import { InputError } from "../common/errors.js";
import { formatStamp, readFormat } from "../common/format.js";
import { stripBom } from "../common/textInput.js";
import { type Matrix, toRows } from "../linalg/index.js";
import { makeDataset } from "./build.js";
import { provenance, type Dataset } from "./dataset.js";
import { describeJsonValue } from "./numbers.js";

/**
 * The dataset file format (INTERFACES.md): `{ "X": [[…d…], …n rows], "y": [...] }` with `y` n
 * numbers (k = 1) or n rows of k numbers. Other fields (such as "source") are ignored on read.
 */
export interface DatasetJson {
  X: number[][];
  y: number[] | number[][];
  source?: string;
}

/** Error at a field of a JSON dataset file. */
function fail(source: string, field: string, message: string): never {
  throw new InputError(source, message, field);
}

function finiteAt(source: string, field: string, v: unknown): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  const hint = typeof v === "string" ? " (numbers must not be quoted; NaN and Infinity are not allowed)" : "";
  return fail(source, field, `expected a finite number, got ${describeJsonValue(v)}${hint}`);
}

/** Read `rows` (already known to be an array) as an n×c matrix of finite numbers. */
function readRows(source: string, name: string, rows: unknown[], what: string): Matrix {
  const first = rows[0];
  if (!Array.isArray(first)) {
    return fail(source, `${name}[0]`, `expected an array of ${what}, got ${describeJsonValue(first)}`);
  }
  const c = first.length;
  if (c === 0) return fail(source, `${name}[0]`, `row 0 is empty, expected at least one number (${what})`);
  const n = rows.length;
  const data = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (!Array.isArray(row)) return fail(source, `${name}[${i}]`, `expected an array of ${what}, got ${describeJsonValue(row)}`);
    if (row.length !== c) {
      return fail(source, `${name}[${i}]`, `row ${i} has ${row.length} values, expected ${c} (the length of ${name}[0])`);
    }
    for (let j = 0; j < c; j++) data[i * c + j] = finiteAt(source, `${name}[${i}][${j}]`, row[j]);
  }
  return { rows: n, cols: c, data };
}

/**
 * Parse and validate a JSON dataset. Every error is an InputError naming `source` (the file),
 * the field (`X[6]`, `y[2][0]`, …) and what was expected: invalid JSON, missing X or y, X not an
 * array of arrays, ragged rows, non-numbers, non-finite numbers, y of another length than X,
 * empty dataset.
 *
 * @param text - the file text: `{"X": [[…], …], "y": [… or [[…], …]], "source"?: …}`
 * @param source - the file the InputErrors name
 * @returns the dataset (n×d X, n×k Y), with the file's own `source` as its origin
 * @example
 * ```ts
 * import { parseJsonDataset } from "splitscape";
 * const data = parseJsonDataset('{"X": [[0, 1], [1, 0]], "y": [1, -1]}', "inline.json");
 * console.log(data.X.rows, data.Y.data); // 2 Float64Array [1, -1]
 * ```
 */
export function parseJsonDataset(text: string, source: string): Dataset {
  text = stripBom(text);
  if (text.trim() === "") throw new InputError(source, 'the file is empty, expected a JSON object { "X": [[…]], "y": […] }');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(source, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new InputError(source, `expected a JSON object { "X": [[…]], "y": […] }, got ${describeJsonValue(doc)}`);
  }
  const obj = doc as Record<string, unknown>;
  readFormat(obj, "dataset", source);
  for (const key of ["X", "y"] as const) {
    if (!(key in obj)) {
      const other = key === "X" ? "x" : "Y";
      const hint = other in obj ? ` (found "${other}"; field names are case-sensitive: "X" and "y")` : "";
      const what = key === "X" ? "n rows of d numbers" : "n numbers or n rows of k numbers";
      fail(source, key, `missing, expected ${what}${hint}`);
    }
  }
  const Xraw = obj.X;
  if (!Array.isArray(Xraw)) return fail(source, "X", `expected an array of n rows (arrays of d numbers), got ${describeJsonValue(Xraw)}`);
  if (Xraw.length === 0) return fail(source, "X", "empty dataset: X has no rows, expected at least one");
  const X = readRows(source, "X", Xraw, "d numbers");
  const n = X.rows;

  const yraw = obj.y;
  if (!Array.isArray(yraw)) return fail(source, "y", `expected an array of ${n} numbers or ${n} rows of k numbers, got ${describeJsonValue(yraw)}`);
  if (yraw.length !== n) return fail(source, "y", `has ${yraw.length} entries, but X has ${n} rows`);
  let Y: Matrix;
  if (Array.isArray(yraw[0])) {
    Y = readRows(source, "y", yraw, "k numbers");
  } else {
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (Array.isArray(yraw[i])) return fail(source, `y[${i}]`, `expected a number like y[0], got ${describeJsonValue(yraw[i])}`);
      data[i] = finiteAt(source, `y[${i}]`, yraw[i]);
    }
    Y = { rows: n, cols: 1, data };
  }
  const ds = makeDataset(X, Y, source);
  return typeof obj.source === "string" && obj.source.trim() !== "" ? { ...ds, origin: obj.source } : ds;
}

/** Format a finite float64 so that parsing the text gives back the same number. */
function num(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`cannot write non-finite value ${v} to a dataset file`);
  return String(v);
}

/**
 * The dataset as a JSON-ready object: y as n numbers when k = 1, else n rows of k numbers.
 *
 * @param ds - the dataset
 * @returns `{ X, y }` as plain arrays (y flat when k = 1, else rows), ready for JSON.stringify
 * @example
 * ```ts
 * import { datasetToJson, makeBuiltin } from "splitscape";
 * const { X, y } = datasetToJson(makeBuiltin("builtin:xor?n=4&seed=1"));
 * console.log(X.length, y.length); // 4 4
 * ```
 */
export function datasetToJson(ds: Dataset): DatasetJson {
  const y = ds.Y.cols === 1 ? Array.from(ds.Y.data) : toRows(ds.Y);
  return { X: toRows(ds.X), y, source: provenance(ds) };
}

/**
 * The dataset file text: one row of X per line, numbers in shortest round-trip form (reading
 * the file back gives bit-identical float64 values), plus a "source" field for provenance.
 *
 * @param ds - the dataset
 * @returns the text of a dataset file (with the format stamp), which parseJsonDataset reads back
 * bit-identically
 * @example
 * ```ts
 * import { datasetToJsonText, makeBuiltin, parseJsonDataset } from "splitscape";
 * const text = datasetToJsonText(makeBuiltin("builtin:moons?n=10&seed=2"));
 * console.log(parseJsonDataset(text, "copy.json").X.rows); // 10
 * ```
 */
export function datasetToJsonText(ds: Dataset): string {
  const row = (m: Matrix, i: number): string => {
    const parts: string[] = [];
    for (let j = 0; j < m.cols; j++) parts.push(num(m.data[i * m.cols + j]));
    return `[${parts.join(", ")}]`;
  };
  const lines: string[] = [];
  for (let i = 0; i < ds.X.rows; i++) lines.push(`    ${row(ds.X, i)}`);
  let y: string;
  if (ds.Y.cols === 1) {
    y = `[${Array.from(ds.Y.data, num).join(", ")}]`;
  } else {
    const yl: string[] = [];
    for (let i = 0; i < ds.Y.rows; i++) yl.push(`    ${row(ds.Y, i)}`);
    y = `[\n${yl.join(",\n")}\n  ]`;
  }
  const { splitscape, format } = formatStamp("dataset");
  const stamp = `  "splitscape": ${JSON.stringify(splitscape)},\n  "format": { "name": ${JSON.stringify(format.name)}, "version": ${format.version} },\n`;
  return `{\n${stamp}  "X": [\n${lines.join(",\n")}\n  ],\n  "y": ${y},\n  "source": ${JSON.stringify(provenance(ds))}\n}\n`;
}
