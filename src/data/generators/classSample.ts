import { InputError } from "../../common/errors.js";
import { fork, permutation } from "../../random/index.js";
import type { Generated } from "./types.js";

/** The samples of one class: `count` rows of `d` values (divided by the sample's divisor); row r is row index[r] of `values` (r itself without an index). */
export interface ClassPool {
  readonly values: ArrayLike<number>;
  readonly count: number;
  readonly index?: ArrayLike<number>;
}

/**
 * A balanced, seeded sample of n rows from c ≥ 2 classes (values / divisor, e.g. 255 for bytes): sample i belongs to class i mod c (so
 * class t gets ⌊n/c⌋ rows, one more for t < n mod c) and is the ⌊i/c⌋-th of a uniformly random
 * order of that class's rows (stream `label/t` of `seed`). Targets: c = 2 → one column, +1 for
 * the first class and −1 for the second; c ≥ 3 → c columns, one-vs-rest (+1 in the sample's
 * class, −1 elsewhere), the vector-output form the losses and `convex` accept.
 */
export function balancedClassSample(pools: readonly ClassPool[], d: number, divisor: number, n: number, seed: number, label: string): Generated {
  const c = pools.length;
  const orders = pools.map((p, t) => {
    const need = Math.floor(n / c) + (t < n % c ? 1 : 0);
    if (need > p.count) throw new RangeError(`balancedClassSample: class ${t} has ${p.count} rows, ${need} needed`);
    return permutation(fork(seed, `${label}/${t}`), p.count);
  });
  const k = c === 2 ? 1 : c;
  const X = new Float64Array(n * d);
  const Y = new Float64Array(n * k).fill(-1);
  for (let i = 0; i < n; i++) {
    const t = i % c;
    const r = orders[t][Math.floor(i / c)];
    const row = pools[t].index === undefined ? r : pools[t].index![r];
    const src = pools[t].values;
    for (let j = 0; j < d; j++) X[i * d + j] = src[row * d + j] / divisor;
    if (k === 1) Y[i] = t === 0 ? 1 : -1;
    else Y[i * k + t] = 1;
  }
  return { X: { rows: n, cols: d, data: X }, Y: { rows: n, cols: k, data: Y } };
}

/** InputError unless `classes` are distinct integers in [0, count) and at least two; returns them. */
export function checkClasses(classes: readonly number[], count: number, source: string, key: string): number[] {
  if (classes.length < 2) throw new InputError(source, `give at least two classes (two: labels ±1; more: one ±1 column per class), got ${classes.join(",")}`, key);
  for (const v of classes) {
    if (!Number.isInteger(v) || v < 0 || v >= count) throw new InputError(source, `${v} is not a class: expected integers 0…${count - 1}`, key);
  }
  if (new Set(classes).size !== classes.length) throw new InputError(source, `classes must be distinct, got ${classes.join(",")}`, key);
  return [...classes];
}

/** InputError unless n samples fit the balanced split over classes with the given row counts. */
export function checkBalancedN(n: number, counts: readonly number[], source: string): void {
  const c = counts.length;
  counts.forEach((have, t) => {
    const need = Math.floor(n / c) + (t < n % c ? 1 : 0);
    if (need > have) throw new InputError(source, `n = ${n} needs ${need} samples of class ${t + 1} of ${c}, which has ${have} (n ≤ ${c * Math.min(...counts)} is always possible)`, "n");
  });
}
