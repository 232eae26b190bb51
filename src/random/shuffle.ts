import { randInt, type Rng } from "./rng.js";

/** Anything indexable and writable: arrays and typed arrays. */
export interface MutableList<T> {
  length: number;
  [i: number]: T;
}

/**
 * Shuffle in place by Fisher–Yates: for i = n−1 … 1 swap a[i] with a[j], j uniform in [0, i].
 * All n! orders are equally likely. Returns `a`.
 *
 * @param rng - the generator
 * @param a - the array or typed array to shuffle in place
 * @returns `a`, shuffled
 * @example
 * ```ts
 * import { createRng, shuffle } from "splitscape";
 * const order = shuffle(createRng(6), [0, 1, 2, 3, 4]);
 * console.log(order);
 * ```
 */
export function shuffle<A extends MutableList<unknown>>(rng: Rng, a: A): A {
  for (let i = a.length - 1; i >= 1; i--) {
    const j = randInt(rng, 0, i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * A uniformly random permutation of 0 … n−1 (the identity shuffled by Fisher–Yates).
 *
 * @param rng - the generator
 * @param n - the length, a non-negative integer (RangeError otherwise)
 * @returns a Uint32Array holding 0 … n−1 in random order
 * @example
 * ```ts
 * import { fork, permutation } from "splitscape";
 * const batchOrder = permutation(fork(7, "batches"), 10);
 * console.log(Array.from(batchOrder));
 * ```
 */
export function permutation(rng: Rng, n: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`permutation: n must be a non-negative integer, got ${n}`);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return shuffle(rng, p);
}
