/**
 * Seed derivation: turn (seed, stream) into the 128-bit state of a generator with 32-bit integer
 * hashing only (Math.imul, xor, shifts — exact in every engine).
 *
 * Definitions (the tests re-derive them from this text):
 * - fmix32(h): MurmurHash3's finaliser: h ^= h>>>16; h *= 0x85ebca6b; h ^= h>>>13;
 *   h *= 0xc2b2ae35; h ^= h>>>16 (multiplications mod 2^32).
 * - hashWords(words, salt): h = salt; for each w: h = fmix32(h ^ fmix32(w)), h = h + 0x9e3779b9
 *   (mod 2^32); result fmix32(h).
 * - state word i (i = 0…3) = hashWords(words, (i+1)·0x9e3779b9 mod 2^32), in the order
 *   [hi(s0), lo(s0), hi(s1), lo(s1)] of xoroshiro128+ (pure-rand's getState order). An all-zero
 *   state (probability 2^-128) is replaced by [0, 1, 0, 0].
 * - words for (seed, stream): [lo32(seed), hi32(seed), tag, x, y] where a numeric stream s has
 *   tag 1 and (x, y) = (lo32(s), hi32(s)); a string stream has tag 2 and (x, y) = the FNV-1a
 *   32-bit hashes of its UTF-16 code units with offset bases 0x811c9dc5 and 0x050c5d1f.
 */

const GOLDEN = 0x9e3779b9;

/** MurmurHash3 fmix32 finaliser, a bijection on 32-bit words with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a sequence of 32-bit words with a salt (see the module comment for the recurrence). */
export function hashWords(words: readonly number[], salt: number): number {
  let h = salt >>> 0;
  for (const w of words) {
    h = fmix32((h ^ fmix32(w >>> 0)) >>> 0);
    h = (h + GOLDEN) >>> 0;
  }
  return fmix32(h);
}

/** FNV-1a over UTF-16 code units with the given offset basis. */
function fnv1a(s: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Low and high 32-bit words of a safe integer (two's complement for negatives). */
export function splitInteger(x: number, what: string): [number, number] {
  if (!Number.isSafeInteger(x)) throw new RangeError(`${what} must be a safe integer, got ${x}`);
  const b = BigInt(x);
  return [Number(BigInt.asUintN(32, b)), Number(BigInt.asUintN(32, b >> 32n))];
}

/** A stream label: a safe integer or a string such as "init" or "batches". */
export type Stream = number | string;

/** The words hashed for (seed, stream), as described in the module comment. */
export function seedWords(seed: number, stream: Stream): number[] {
  const [slo, shi] = splitInteger(seed, "seed");
  if (typeof stream === "string") return [slo, shi, 2, fnv1a(stream, 0x811c9dc5), fnv1a(stream, 0x050c5d1f)];
  const [tlo, thi] = splitInteger(stream, "stream");
  return [slo, shi, 1, tlo, thi];
}

/** Four state words from arbitrary input words; never all zero. */
export function stateFromWords(words: readonly number[]): number[] {
  const state = [0, 1, 2, 3].map((i) => hashWords(words, Math.imul(i + 1, GOLDEN) >>> 0));
  if (state.every((w) => w === 0)) return [0, 1, 0, 0];
  return state;
}
