import type { Matrix } from "../linalg/index.js";
import type { Dataset } from "./dataset.js";

/**
 * A Dataset from n×d inputs and n×k targets, checking that the row counts agree, n ≥ 1, d ≥ 1,
 * k ≥ 1 and every entry is finite (RangeError otherwise: this guards programming errors; user
 * files are validated with InputError by the parsers before they get here).
 *
 * @param X - the n×d inputs, one sample per row
 * @param Y - the n×k targets (±1 labels in one column for classification), one row per sample
 * @param source - where the data came from, recorded in the dataset and its files
 * @returns the dataset over X and Y (not copied)
 * @example
 * ```ts
 * import { fromRows, makeDataset } from "splitscape";
 * const data = makeDataset(fromRows([[0, 1], [1, 0], [1, 1]]), fromRows([[1], [-1], [1]]), "by hand");
 * console.log(data.X.rows, data.Y.cols); // 3 1
 * ```
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

/**
 * The shape of a dataset: n samples, d inputs, k targets.
 *
 * @param ds - the dataset
 * @returns n (samples), d (inputs) and k (targets per sample)
 * @example
 * ```ts
 * import { datasetShape, makeBuiltin } from "splitscape";
 * console.log(datasetShape(makeBuiltin("builtin:iris?classes=1,2"))); // { n: 100, d: 4, k: 1 }
 * ```
 */
export function datasetShape(ds: Dataset): { n: number; d: number; k: number } {
  return { n: ds.X.rows, d: ds.X.cols, k: ds.Y.cols };
}
