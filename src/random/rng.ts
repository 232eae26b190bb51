import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import type { JumpableRandomGenerator } from "pure-rand/types/JumpableRandomGenerator";
import { seedWords, stateFromWords, type Stream } from "./seed.js";

/**
 * A seeded random stream: pure-rand's xoroshiro128+ (Blackman & Vigna 2018, parameters a=24,
 * b=16, c=37), whose `next()` is the low 32 bits of s0 + s1, plus the spare normal deviate of the
 * polar method. The state is explicit and mutable: every draw advances it. Same seed and the
 * same sequence of calls → bit-identical numbers on every run, engine and platform.
 */
export interface Rng {
  /** The underlying pure-rand generator (advanced by every draw). */
  readonly core: JumpableRandomGenerator;
  /** The second normal deviate of the last polar-method pair, or NaN if none is pending. */
  spare: number;
}

/** A serialisable snapshot of an Rng: the four xoroshiro128+ state words and the pending spare. */
export interface RngState {
  readonly words: readonly number[];
  readonly spare: number | null;
}

function fromWords(words: readonly number[]): Rng {
  return { core: xoroshiro128plusFromState(words.map((w) => w | 0)), spare: NaN };
}

/**
 * The stream `stream` of seed `seed` (safe integers; a stream may also be a string label such as
 * "init" or "batches"). Different (seed, stream) pairs give statistically independent streams:
 * the 128-bit state is a hash of both (see seed.ts). Use one stream per purpose so that, e.g.,
 * changing the batch order does not change the initialisation.
 *
 * @param seed - the run's seed, a safe integer
 * @param stream - the stream's label: a safe integer or a string such as "init" or "batches"
 * @returns a fresh generator at the start of that stream
 * @example
 * ```ts
 * import { fork, normal } from "splitscape";
 * const init = fork(7, "init");
 * const batches = fork(7, "batches"); // independent of `init`
 * console.log(normal(init), normal(batches));
 * ```
 */
export function fork(seed: number, stream: Stream): Rng {
  return fromWords(stateFromWords(seedWords(seed, stream)));
}

/**
 * The root stream of a seed: `fork(seed, 0)`.
 *
 * @param seed - the run's seed, a safe integer
 * @returns a fresh generator at the start of stream 0 of `seed`
 * @example
 * ```ts
 * import { createRng, uniform } from "splitscape";
 * const rng = createRng(42);
 * console.log(uniform(rng)); // the same number on every run and engine
 * ```
 */
export function createRng(seed: number): Rng {
  return fork(seed, 0);
}

/**
 * A child stream derived from four fresh 32-bit outputs of `rng` (which advances by four
 * draws), hashed into a new state. Deterministic: the same parent state gives the same child.
 *
 * @param rng - the parent stream; advances by four 32-bit draws
 * @returns a new, independent child generator
 * @example
 * ```ts
 * import { createRng, split, uniform } from "splitscape";
 * const parent = createRng(1);
 * const child = split(parent);
 * console.log(uniform(child), uniform(parent));
 * ```
 */
export function split(rng: Rng): Rng {
  const words = [nextUint32(rng), nextUint32(rng), nextUint32(rng), nextUint32(rng), 3];
  return fromWords(stateFromWords(words));
}

/**
 * An independent copy with the same state (both then produce the same sequence).
 *
 * @param rng - the generator to copy (not advanced)
 * @returns a copy with its own state, which then produces the same sequence as `rng`
 * @example
 * ```ts
 * import { cloneRng, createRng, uniform } from "splitscape";
 * const rng = createRng(3);
 * const copy = cloneRng(rng);
 * console.log(uniform(rng) === uniform(copy)); // true
 * ```
 */
export function cloneRng(rng: Rng): Rng {
  return { core: rng.core.clone(), spare: rng.spare };
}

/**
 * Snapshot of the state, e.g. to store in a run folder.
 *
 * @param rng - the generator to snapshot (not advanced)
 * @returns its four state words and pending normal deviate (null if none), plain JSON
 * @example
 * ```ts
 * import { createRng, normal, rngFromState, rngState } from "splitscape";
 * const rng = createRng(5);
 * normal(rng); // leaves a spare deviate pending
 * const saved = JSON.stringify(rngState(rng));
 * const resumed = rngFromState(JSON.parse(saved));
 * console.log(normal(rng) === normal(resumed)); // true
 * ```
 */
export function rngState(rng: Rng): RngState {
  return { words: [...rng.core.getState()], spare: Number.isNaN(rng.spare) ? null : rng.spare };
}

/**
 * Restore a generator from `rngState` output.
 *
 * @param state - a snapshot from `rngState`; must hold four integer state words (RangeError otherwise)
 * @returns a generator that continues exactly where the snapshotted one was
 * @example
 * ```ts
 * import { createRng, rngFromState, rngState, uniform } from "splitscape";
 * const rng = createRng(9);
 * const state = rngState(rng);
 * console.log(uniform(rng) === uniform(rngFromState(state))); // true
 * ```
 */
export function rngFromState(state: RngState): Rng {
  if (state.words.length !== 4 || !state.words.every((w) => Number.isInteger(w))) {
    throw new RangeError("rngFromState: expected four 32-bit integer state words");
  }
  const rng = fromWords(state.words);
  rng.spare = state.spare === null ? NaN : state.spare;
  return rng;
}

/**
 * Next raw output as an unsigned 32-bit integer in [0, 2^32).
 *
 * @param rng - the generator; advances by one draw
 * @returns an integer in [0, 2^32)
 * @example
 * ```ts
 * import { createRng, nextUint32 } from "splitscape";
 * const rng = createRng(11);
 * console.log(nextUint32(rng).toString(16));
 * ```
 */
export function nextUint32(rng: Rng): number {
  return rng.core.next() >>> 0;
}

const TWO_POW_26 = 67108864;
const TWO_POW_M53 = 1.1102230246251565e-16;

/**
 * Uniform double in [0, 1) with 53 random bits, from two outputs a, b:
 * ((a >>> 5)·2^26 + (b >>> 6)) · 2^-53 (the genrand_res53 construction; uses the high bits of
 * each 32-bit output). Every multiple of 2^-53 in [0, 1) is equally likely.
 *
 * @param rng - the generator; advances by two draws
 * @returns a double in [0, 1), a multiple of 2^-53
 * @example
 * ```ts
 * import { createRng, uniform } from "splitscape";
 * const rng = createRng(2);
 * const u = Array.from({ length: 3 }, () => uniform(rng));
 * console.log(u);
 * ```
 */
export function uniform(rng: Rng): number {
  const a = nextUint32(rng) >>> 5;
  const b = nextUint32(rng) >>> 6;
  return (a * TWO_POW_26 + b) * TWO_POW_M53;
}

/**
 * Uniform double in [lo, hi): lo + (hi − lo)·U.
 *
 * @param rng - the generator; advances by two draws
 * @param lo - lower end (included)
 * @param hi - upper end (excluded when hi > lo)
 * @returns a double in [lo, hi)
 * @example
 * ```ts
 * import { createRng, uniformIn } from "splitscape";
 * const rng = createRng(4);
 * const x = uniformIn(rng, -1, 1); // e.g. an input coordinate in [−1, 1)
 * console.log(x);
 * ```
 */
export function uniformIn(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * uniform(rng);
}

/**
 * Uniform integer in [lo, hi] (both included, safe integers, hi − lo < 2^53), unbiased: draw the
 * top k = ⌈log2(hi − lo + 1)⌉ bits of a 32-bit (or 53-bit) output and reject values ≥ the range.
 * Expected draws < 2.
 *
 * @param rng - the generator; advances by one or more draws (rejection sampling)
 * @param lo - smallest value, a safe integer
 * @param hi - largest value (included), a safe integer ≥ lo; RangeError if not, or if hi − lo ≥ 2^53
 * @returns an integer uniform on {lo, …, hi}
 * @example
 * ```ts
 * import { createRng, randInt } from "splitscape";
 * const rng = createRng(8);
 * const die = randInt(rng, 1, 6);
 * console.log(die);
 * ```
 */
export function randInt(rng: Rng, lo: number, hi: number): number {
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
    throw new RangeError(`randInt: need safe integers lo ≤ hi, got ${lo}, ${hi}`);
  }
  const range = hi - lo + 1;
  if (!Number.isSafeInteger(range)) throw new RangeError(`randInt: range ${lo}…${hi} is wider than 2^53`);
  if (range === 1) return lo;
  let k = 0;
  while (2 ** k < range) k++;
  if (k <= 32) {
    const shift = 32 - k; // 0…31
    for (;;) {
      const x = nextUint32(rng) >>> shift;
      if (x < range) return lo + x;
    }
  }
  const div = 2 ** (53 - k);
  for (;;) {
    const a = nextUint32(rng) >>> 5;
    const b = nextUint32(rng) >>> 6;
    const x = Math.floor((a * TWO_POW_26 + b) / div);
    if (x < range) return lo + x;
  }
}

/**
 * +1 or −1 with probability ½ each (the top bit of one output).
 *
 * @param rng - the generator; advances by one draw
 * @returns +1 or −1
 * @example
 * ```ts
 * import { createRng, rademacher } from "splitscape";
 * const rng = createRng(6);
 * const signs = Float64Array.from({ length: 4 }, () => rademacher(rng)); // e.g. a Hutchinson probe
 * console.log(signs);
 * ```
 */
export function rademacher(rng: Rng): number {
  return nextUint32(rng) >>> 31 === 1 ? 1 : -1;
}
