import type { Matrix } from "../linalg/index.js";
import type { Dataset } from "./dataset.js";

/**
 * A Dataset from n×d inputs and n×k targets, checking that the row counts agree, n ≥ 1, d ≥ 1,
 * k ≥ 1 and every entry is finite (RangeError otherwise: this guards programming errors; user
 * files are validated with InputError by the parsers before they get here).
 */
export function makeDataset(X: Matrix, Y: Matrix, source: string): Dataset {
  if (X.rows !== Y.rows) throw new RangeError(`makeDataset: X has ${X.rows} rows, Y has ${Y.rows}`);
  if (X.rows < 1 || X.cols < 1 || Y.cols < 1) {
    throw new RangeError(`makeDataset: need n, d, k ≥ 1, got n=${X.rows}, d=${X.cols}, k=${Y.cols}`);
  }
  for (const m of [X, Y]) {
    if (m.data.length !== m.rows * m.cols) throw new RangeError("makeDataset: matrix data length does not match its shape");
    for (let i = 0; i < m.data.length; i++) {
      if (!Number.isFinite(m.data[i])) throw new RangeError(`makeDataset: non-finite entry ${m.data[i]} at index ${i}`);
    }
  }
  return { X, Y, source };
}

/** The shape of a dataset: n samples, d inputs, k targets. */
export function datasetShape(ds: Dataset): { n: number; d: number; k: number } {
  return { n: ds.X.rows, d: ds.X.cols, k: ds.Y.cols };
}
