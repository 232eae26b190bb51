import { InputError } from "../common/errors.js";
import { stripBom } from "../common/textInput.js";
import { makeDataset } from "./build.js";
import type { Dataset } from "./dataset.js";
import { readNumber } from "./numbers.js";

/** Options for reading CSV datasets. */
export interface CsvOptions {
  /**
   * How many trailing columns are targets (k). Default: the number of trailing header names of
   * the form y, y1, y_2, … if there is a header, else 1.
   */
  labelCols?: number;
}

interface Record_ {
  line: number;
  fields: string[];
}

/** Delimiter of a line: comma, tab or semicolon if present (in that order), else runs of spaces. */
function detectDelimiter(line: string): string | RegExp {
  for (const d of [",", "\t", ";"]) if (line.includes(d)) return d;
  return /\s+/;
}

function splitFields(line: string, delim: string | RegExp): string[] {
  return line
    .trim()
    .split(delim)
    .map((f) => {
      const t = f.trim();
      return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
    });
}

const LABEL_NAME = /^y(?:_?\d+)?$/i;

/**
 * Parse a CSV dataset: numeric columns, the last `labelCols` columns are y. Blank lines and lines
 * starting with `#` are skipped; the delimiter is a comma (or tab, semicolon, spaces — detected
 * from the first line); the first row is a header if none of its cells is number-like (so
 * `1,abc,1` is a bad data row, and `NaN,1,1` is reported as NaN, not taken for a header).
 * Errors are InputErrors naming `source`, the line (1-based, as in an editor) and column:
 * ragged rows, non-numbers, "NaN"/"Infinity"/overflow, no data rows, no input columns.
 *
 * @param text - the CSV text (comma, tab, semicolon or space separated; optional header)
 * @param source - the file the InputErrors name
 * @param opts - how many trailing columns are targets (default from the header's y names, else 1)
 * @returns the dataset: the leading columns are X, the trailing `labelCols` are Y
 * @example
 * ```ts
 * import { parseCsvDataset } from "splitscape";
 * const data = parseCsvDataset("x1,x2,y\n0,1,1\n1,0,-1\n", "inline.csv");
 * console.log(data.X.cols, data.Y.cols); // 2 1
 * ```
 */
export function parseCsvDataset(text: string, source: string, opts: CsvOptions = {}): Dataset {
  const lines = stripBom(text).split(/\r\n|\n|\r/);
  const records: Record_[] = [];
  let delim: string | RegExp | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const t = raw.trim();
    if (t === "" || t.startsWith("#")) continue;
    if (delim === undefined) delim = detectDelimiter(t);
    records.push({ line: i + 1, fields: splitFields(t, delim) });
  }
  if (records.length === 0) throw new InputError(source, "empty dataset: no data rows, expected lines of comma-separated numbers");

  let header: string[] | undefined;
  const first = records[0];
  const numberLike = (f: string): boolean => {
    const r = readNumber(f);
    return r.ok || r.numberLike;
  };
  if (!first.fields.some(numberLike) && first.fields.some((f) => f !== "")) {
    header = first.fields;
    records.shift();
    if (records.length === 0) throw new InputError(source, "empty dataset: only a header row, expected data rows after it", `line ${first.line}`);
  }
  const cols = header ? header.length : records[0].fields.length;
  const colsFrom = header ? `the header on line ${first.line}` : `line ${records[0].line}`;

  let k = opts.labelCols;
  if (k === undefined) {
    k = 1;
    if (header) {
      let t = 0;
      while (t < cols && LABEL_NAME.test(header[cols - 1 - t])) t++;
      if (t >= 1 && t < cols) k = t;
    }
  }
  if (!Number.isInteger(k) || k < 1) throw new InputError(source, `expected a positive integer number of label columns, got ${k}`, "label-cols");
  if (k >= cols) {
    throw new InputError(
      source,
      `${k} label column${k > 1 ? "s" : ""} leave${k > 1 ? "" : "s"} no input columns: rows have ${cols} value${cols > 1 ? "s" : ""} (${colsFrom}), need at least ${k + 1}`,
      "label-cols",
    );
  }
  const d = cols - k;
  const n = records.length;
  const X = new Float64Array(n * d);
  const Y = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const { line, fields } = records[i];
    if (fields.length !== cols) {
      throw new InputError(source, `row has ${fields.length} value${fields.length === 1 ? "" : "s"}, expected ${cols} (as ${colsFrom})`, `line ${line}`);
    }
    for (let j = 0; j < cols; j++) {
      const r = readNumber(fields[j]);
      if (!r.ok) {
        const name = header ? ` (${JSON.stringify(header[j])})` : "";
        throw new InputError(source, r.reason, `line ${line}, column ${j + 1}${name}`);
      }
      if (j < d) X[i * d + j] = r.value;
      else Y[i * k + (j - d)] = r.value;
    }
  }
  return makeDataset({ rows: n, cols: d, data: X }, { rows: n, cols: k, data: Y }, source);
}

/**
 * CSV text of a dataset: a header `x1,…,xd,y` (or `y1,…,yk` for k > 1, which the reader
 * recognises as k label columns), then one row per sample, numbers in shortest round-trip form.
 *
 * @param ds - the dataset
 * @returns the CSV text with a header, which parseCsvDataset reads back bit-identically
 * @example
 * ```ts
 * import { datasetToCsv, makeBuiltin } from "splitscape";
 * console.log(datasetToCsv(makeBuiltin("builtin:xor?n=2&seed=1")).split("\n")[0]); // "x1,x2,y"
 * ```
 */
export function datasetToCsv(ds: Dataset): string {
  const { X, Y } = ds;
  const names: string[] = [];
  for (let j = 0; j < X.cols; j++) names.push(`x${j + 1}`);
  if (Y.cols === 1) names.push("y");
  else for (let j = 0; j < Y.cols; j++) names.push(`y${j + 1}`);
  const out: string[] = [names.join(",")];
  for (let i = 0; i < X.rows; i++) {
    const parts: string[] = [];
    for (let j = 0; j < X.cols; j++) parts.push(cell(X.data[i * X.cols + j]));
    for (let j = 0; j < Y.cols; j++) parts.push(cell(Y.data[i * Y.cols + j]));
    out.push(parts.join(","));
  }
  return out.join("\n") + "\n";
}

function cell(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`cannot write non-finite value ${v} to a dataset file`);
  return String(v);
}
