import { InputError } from "../common/errors.js";
import type { Dataset } from "./dataset.js";

/**
 * True if Y is one column of ±1 labels (a binary classification dataset).
 *
 * @param ds - the dataset
 * @returns whether Y is a single column of entries exactly ±1
 * @example
 * ```ts
 * import { hasPlusMinusLabels, makeBuiltin } from "splitscape";
 * console.log(hasPlusMinusLabels(makeBuiltin("builtin:xor?n=8&seed=1"))); // true
 * ```
 */
export function hasPlusMinusLabels(ds: Dataset): boolean {
  if (ds.Y.cols !== 1) return false;
  for (let i = 0; i < ds.Y.rows; i++) {
    const v = ds.Y.data[i];
    if (v !== 1 && v !== -1) return false;
  }
  return true;
}

/**
 * The labels y ∈ {−1, +1}^n of a binary classification dataset (a copy of the single column of
 * Y). Throws InputError naming the dataset and the first offending entry if Y has k ≠ 1 columns
 * or any label is not exactly ±1 (e.g. 0/1 labels or regression targets).
 *
 * @param ds - a binary classification dataset (Y one column of ±1)
 * @returns the n labels as a new vector
 * @example
 * ```ts
 * import { labels, makeBuiltin } from "splitscape";
 * const y = labels(makeBuiltin("builtin:blobs?n=6&seed=1"));
 * console.log(y.every((v) => v === 1 || v === -1)); // true
 * ```
 */
export function labels(ds: Dataset): Float64Array {
  if (ds.Y.cols !== 1) {
    throw new InputError(ds.source, `classification needs one label ±1 per sample, but y has k = ${ds.Y.cols} columns`, "y");
  }
  const y = ds.Y.data.slice();
  let bad = -1;
  let count = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1 && y[i] !== -1) {
      if (bad < 0) bad = i;
      count++;
    }
  }
  if (bad >= 0) {
    throw new InputError(
      ds.source,
      `classification needs labels ±1, got y[${bad}] = ${y[bad]} (${count} of ${y.length} labels are not ±1; map 0/1 labels to −1/+1)`,
      `y[${bad}]`,
    );
  }
  return y;
}

/**
 * Number of samples labelled +1 and −1 (labels must be ±1, see `labels`).
 *
 * @param ds - a binary classification dataset (Y one column of ±1; InputError otherwise)
 * @returns how many samples are labelled +1 and −1
 * @example
 * ```ts
 * import { classCounts, makeBuiltin } from "splitscape";
 * console.log(classCounts(makeBuiltin("builtin:iris?classes=1,2"))); // { positive: 50, negative: 50 }
 * ```
 */
export function classCounts(ds: Dataset): { positive: number; negative: number } {
  const y = labels(ds);
  let positive = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) positive++;
  return { positive, negative: y.length - positive };
}
