// Seeded mini-batch order for SGD.

import { fork, randInt, shuffle, type Rng } from "../random/index.js";

export interface BatchScheduleOptions {
  /** Number of samples n (indices 0 … n−1). */
  samples: number;
  /** Batch size B (1 ≤ B; B ≥ n gives full batches without replacement). */
  batchSize: number;
  /** Seed of the batch stream: the generator is fork(seed, "batches") from random/. */
  seed?: number;
  /** Or a generator of your own (advanced by every draw); takes precedence over seed. */
  rng?: Rng;
  /** Draw each batch as B independent uniform indices (default false: epoch permutations). */
  replacement?: boolean;
  /** Without replacement: skip the last, smaller batch of an epoch when B ∤ n (default false). */
  dropLast?: boolean;
}

/**
 * The state of a batch sequence (plain data). Without replacement, each epoch is a uniformly
 * random permutation of 0 … n−1 (Fisher–Yates on the previous epoch's order, from the seeded
 * stream) cut into consecutive batches of B; the last batch of an epoch has n mod B indices
 * unless dropLast. With replacement, every batch is B independent uniform indices.
 * Same seed → the same batches, bit for bit; the batch buffers are reused (no allocation).
 */
export interface BatchSchedule {
  readonly samples: number;
  readonly batchSize: number;
  readonly replacement: boolean;
  readonly dropLast: boolean;
  readonly rng: Rng;
  /** Current epoch order (without replacement). */
  readonly order: Int32Array;
  /** Position of the next batch in `order`; n means "start a new epoch". */
  pos: number;
  /** Epochs started so far (with replacement: ⌈batches·B / n⌉). */
  epoch: number;
  /** Batches handed out so far. */
  batches: number;
  readonly full: Int32Array;
  readonly tail: Int32Array;
}

/**
 * A seeded mini-batch sequence over n samples: epoch permutations cut into batches of B (or, with
 * `replacement`, B uniform draws per batch). Draw batches with `nextBatch`.
 *
 * @param opts - samples n, batch size B, seed (or an Rng), replacement and dropLast
 * @returns the schedule state (plain data, advanced by `nextBatch`)
 * @example
 * ```ts
 * import { createBatchSchedule, nextBatch } from "splitscape";
 * const schedule = createBatchSchedule({ samples: 10, batchSize: 4, seed: 7 });
 * for (let k = 0; k < 3; k++) console.log(Array.from(nextBatch(schedule))); // 4, 4, 2 indices: one epoch
 * ```
 */
export function createBatchSchedule(opts: BatchScheduleOptions): BatchSchedule {
  const n = opts.samples;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`createBatchSchedule: samples must be a positive integer, got ${n}`);
  const replacement = opts.replacement ?? false;
  const requested = opts.batchSize;
  if (!Number.isInteger(requested) || requested < 1) throw new RangeError(`createBatchSchedule: batchSize must be a positive integer, got ${requested}`);
  const b = replacement ? requested : Math.min(requested, n);
  const rng = opts.rng ?? fork(opts.seed ?? 0, "batches");
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return {
    samples: n,
    batchSize: b,
    replacement,
    dropLast: opts.dropLast ?? false,
    rng,
    order,
    pos: n,
    epoch: 0,
    batches: 0,
    full: new Int32Array(b),
    tail: new Int32Array(replacement ? 0 : n % b),
  };
}

/**
 * The next batch of sample indices (a reused buffer: valid until the next call).
 *
 * @param s - the schedule (advanced in place)
 * @returns the sample indices of the batch (length B, or n mod B at the end of an epoch)
 * @example
 * ```ts
 * import { createBatchSchedule, nextBatch } from "splitscape";
 * const schedule = createBatchSchedule({ samples: 100, batchSize: 8, seed: 1, replacement: true });
 * const batch = nextBatch(schedule).slice(); // copy: the buffer is reused
 * console.log(batch);
 * ```
 */
export function nextBatch(s: BatchSchedule): Int32Array {
  const n = s.samples;
  const b = s.batchSize;
  s.batches++;
  if (s.replacement) {
    for (let i = 0; i < b; i++) s.full[i] = randInt(s.rng, 0, n - 1);
    s.epoch = Math.ceil((s.batches * b) / n);
    return s.full;
  }
  if (s.pos >= n || (s.dropLast && s.pos + b > n)) {
    shuffle(s.rng, s.order);
    s.pos = 0;
    s.epoch++;
  }
  const m = Math.min(b, n - s.pos);
  const out = m === b ? s.full : s.tail;
  for (let i = 0; i < m; i++) out[i] = s.order[s.pos + i];
  s.pos += m;
  return out;
}
