import { describe, expect, it } from "vitest";
import {
  cloneRng,
  createRng,
  fork,
  nextUint32,
  normal,
  randInt,
  rngFromState,
  rngState,
  split,
  uniform,
  rademacher,
} from "../../src/random/index.js";

// ---- Independent reference, written from the published definitions -------------------------

const M32 = (1n << 32n) - 1n;
const M64 = (1n << 64n) - 1n;

/** xoroshiro128+ (Blackman & Vigna, 2018 version: a = 24, b = 16, c = 37), in BigInt. */
function refXoroshiro(s0: bigint, s1: bigint): () => bigint {
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (64n - k))) & M64;
  return () => {
    const result = (s0 + s1) & M64;
    s1 ^= s0;
    s0 = rotl(s0, 24n) ^ s1 ^ ((s1 << 16n) & M64);
    s1 = rotl(s1, 37n);
    return result;
  };
}

/** MurmurHash3 fmix32, in BigInt. */
function refFmix32(h: bigint): bigint {
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & M32;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & M32;
  h ^= h >> 16n;
  return h;
}

/** hashWords as documented in src/random/seed.ts. */
function refHashWords(words: bigint[], salt: bigint): bigint {
  let h = salt;
  for (const w of words) {
    h = refFmix32(h ^ refFmix32(w));
    h = (h + 0x9e3779b9n) & M32;
  }
  return refFmix32(h);
}

/** The 32-bit output stream of fork(seed, numeric stream), from the documented derivation. */
function refStream(seed: number, stream: number): () => number {
  const b = BigInt(seed);
  const t = BigInt(stream);
  const words = [b & M32, (b >> 32n) & M32, 1n, t & M32, (t >> 32n) & M32];
  const st = [0n, 1n, 2n, 3n].map((i) => refHashWords(words, ((i + 1n) * 0x9e3779b9n) & M32));
  const next = refXoroshiro((st[0] << 32n) | st[1], (st[2] << 32n) | st[3]);
  return () => Number(next() & M32);
}

describe("seeded generator", () => {
  it("matches an independent BigInt implementation of the seeding and of xoroshiro128+", () => {
    for (const [seed, stream] of [[0, 0], [42, 0], [2 ** 40 + 7, 3], [Number.MAX_SAFE_INTEGER, 2 ** 33]]) {
      const rng = fork(seed, stream);
      const ref = refStream(seed, stream);
      for (let i = 0; i < 500; i++) expect(nextUint32(rng)).toBe(ref());
    }
  });

  it("pins the first outputs of seed 42 (changing them breaks every stored run)", () => {
    const rng = createRng(42);
    expect([0, 1, 2, 3, 4].map(() => nextUint32(rng))).toEqual([126611243, 958516528, 2074917830, 682432759, 2238874757]);
    const r2 = createRng(42);
    expect(uniform(r2)).toBe(0.029478976303130455);
    expect(normal(r2)).toBe(-2.12243408970593);
    expect(normal(r2)).toBe(2.673044355346492);
  });

  it("uniform is ((a>>>5)·2^26 + (b>>>6))·2^-53 of two outputs", () => {
    const a = createRng(7);
    const b = createRng(7);
    for (let i = 0; i < 1000; i++) {
      const u = uniform(a);
      const x = nextUint32(b) >>> 5;
      const y = nextUint32(b) >>> 6;
      expect(u).toBe((x * 2 ** 26 + y) / 2 ** 53);
      expect(u >= 0 && u < 1).toBe(true);
    }
  });

  it("normal follows the polar method (checked with Math.log)", () => {
    const a = createRng(9);
    const b = createRng(9);
    for (let i = 0; i < 500; i++) {
      let u: number, v: number, s: number;
      do {
        u = 2 * uniform(b) - 1;
        v = 2 * uniform(b) - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      for (const z of [u * f, v * f]) {
        const got = normal(a);
        expect(Math.abs(got - z)).toBeLessThanOrEqual(8e-16 * Math.max(1, Math.abs(z)));
      }
    }
  });

  it("is deterministic: two runs are bit-identical; clone and state snapshot replay the stream", () => {
    const draw = (seed: number) => {
      const r = createRng(seed);
      const out: number[] = [];
      for (let i = 0; i < 200; i++) out.push(uniform(r), normal(r), randInt(r, -5, 17));
      return out;
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));

    const r = createRng(11);
    normal(r); // leaves a spare pending
    const c = cloneRng(r);
    const s = rngFromState(JSON.parse(JSON.stringify(rngState(r))));
    const seq = (g: typeof r) => [normal(g), uniform(g), normal(g), nextUint32(g)];
    const expected = seq(r);
    expect(seq(c)).toEqual(expected);
    expect(seq(s)).toEqual(expected);
  });

  it("fork gives distinct, uncorrelated streams; createRng(s) = fork(s, 0); string streams work", () => {
    const same = (a: ReturnType<typeof createRng>, b: ReturnType<typeof createRng>) => nextUint32(a) === nextUint32(b);
    expect(same(createRng(5), fork(5, 0))).toBe(true);
    expect(same(fork(5, "init"), fork(5, "init"))).toBe(true);
    expect(same(fork(5, "init"), fork(5, "batches"))).toBe(false);
    expect(same(fork(5, 1), fork(6, 1))).toBe(false);
    expect(same(fork(5, 1), fork(5, "1"))).toBe(false);

    // correlation of paired uniforms from streams of adjacent seeds and adjacent stream ids
    const N = 20000;
    for (const [a, b] of [[fork(1, 0), fork(2, 0)], [fork(1, 0), fork(1, 1)], [fork(1, "a"), fork(1, "b")]]) {
      let sxy = 0;
      for (let i = 0; i < N; i++) sxy += (uniform(a) - 0.5) * (uniform(b) - 0.5);
      const corr = (sxy / N) * 12; // Var(U) = 1/12
      expect(Math.abs(corr)).toBeLessThan(5 / Math.sqrt(N));
    }
  });

  it("split derives a deterministic child and advances the parent by four draws", () => {
    const p1 = createRng(8);
    const p2 = createRng(8);
    const c1 = split(p1);
    const c2 = split(p2);
    expect(nextUint32(c1)).toBe(nextUint32(c2));
    const skipped = createRng(8);
    for (let i = 0; i < 4; i++) nextUint32(skipped);
    expect(nextUint32(p1)).toBe(nextUint32(skipped));
    expect(nextUint32(split(createRng(8)))).not.toBe(nextUint32(createRng(8)));
  });

  it("randInt is within bounds and uniform (chi-square), also for ranges beyond 2^32", () => {
    const r = createRng(21);
    const N = 60000;
    const counts = new Array(10).fill(0);
    for (let i = 0; i < N; i++) {
      const v = randInt(r, 3, 12);
      expect(Number.isInteger(v) && v >= 3 && v <= 12).toBe(true);
      counts[v - 3]++;
    }
    const e = N / 10;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(45); // 9 dof: P(χ² > 45) ≈ 1e-6

    let top = 0;
    const big = 3 * 2 ** 40;
    for (let i = 0; i < 4000; i++) {
      const v = randInt(r, 0, big - 1);
      expect(v >= 0 && v < big && Number.isInteger(v)).toBe(true);
      if (v >= (2 * big) / 3) top++;
    }
    expect(Math.abs(top / 4000 - 1 / 3)).toBeLessThan(5 * Math.sqrt((1 / 3) * (2 / 3) / 4000));
    expect(randInt(r, 4, 4)).toBe(4);
    expect(() => randInt(r, 2, 1)).toThrow(RangeError);
    const full = randInt(r, 0, 2 ** 32 - 1);
    expect(full >= 0 && full < 2 ** 32).toBe(true);
  });

  it("rademacher is ±1 with mean ≈ 0", () => {
    const r = createRng(2);
    let s = 0;
    const N = 20000;
    for (let i = 0; i < N; i++) {
      const v = rademacher(r);
      expect(v === 1 || v === -1).toBe(true);
      s += v;
    }
    expect(Math.abs(s / N)).toBeLessThan(5 / Math.sqrt(N));
  });

  it("rejects seeds that are not safe integers", () => {
    expect(() => createRng(1.5)).toThrow(RangeError);
    expect(() => createRng(2 ** 60)).toThrow(RangeError);
  });
});
