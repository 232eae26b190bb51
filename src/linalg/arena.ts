/**
 * Resident arenas: the working arrays of a blocked factorisation held in one Float64Array for
 * its whole run, with the level-3, level-2 and level-1 kernels called on offsets into it.
 * Internal to linalg (eigh: the tridiagonal reduction, divide and conquer, the back-
 * transformation; svd: the one-sided Jacobi sweeps).
 *
 * With the wasm kernels, the arena is a slice of the GEMM module's memory above every arena
 * opened before it (a stack, WasmGemm.top), so products run on the resident operands with no
 * copies in or out — gemmRaw copies each operand per call, which for the back-transformation
 * of eigh (n = 1000, 64 reflectors a block) alone is ~n³/32 doubles of traffic — and on several
 * threads when large (bitwise the same as one). gemmRaw calls made while an arena is open take their scratch
 * above it. Without wasm (or when the arena does not fit the module's operand budget) the arena
 * is a plain Float64Array and the kernels are the TypeScript ones: same contract, same results
 * to rounding.
 */
import { gemmDispatch, gemmRaw, gemmRawTs, gemmThreads } from "./gemm.js";
import { gemmThreadedExtraBytes, gemmThreadedRun, gemmThreadedScratchBytes } from "./kernels/gemmThreads.js";
import { type ReductionKernels, withReductionSession } from "./kernels/reductionSession.js";
import { type ReflectorBlock, reflectorRowsRun } from "./kernels/reflectorRows.js";
import { type SecularRegions, secularRun } from "./kernels/secular.js";
import { secularRoots, secularVectors } from "./secular.js";
import { rowDots, subtractCombination } from "./rowops.js";
import { GEMM_OPERAND_BYTES, wasmGemm, type WasmGemm } from "./kernels/wasm.js";

/** A resident arena (see the header). Offsets are element indices into `heap`. */
export interface Arena {
  readonly engine: "wasm-simd" | "ts";
  /** The arena's storage (in wasm: the whole module memory; use only what `alloc` returned). */
  readonly heap: Float64Array;
  /** A region of `doubles` entries (64-byte aligned; contents undefined until written); its offset. */
  alloc(doubles: number): number;
  /** C ← α·op(A)·op(B) + β·C on regions of the arena (gemmRaw's contract, offsets a, b, c). */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
  ): void;
  /**
   * Run `body` with the level-2 and level-3 kernels of an n×n tridiagonal reduction (updates of
   * inner dimension ≤ kMax, tiles of ≤ tile rows; see kernels/reductionSession.ts): in wasm, a
   * worker-pool session on several threads when large — the same bits on any thread count.
   * The arena's `gemm` must not be called inside `body` (its scratch is the session's).
   */
  reduction<T>(n: number, kMax: number, tile: number, body: (kernels: ReductionKernels) => T): T;
  /**
   * out[q] = Σ_{c ∈ [lo, n)} row_q[c]·x[c] for q < count, row q of the block at r0 + q·n (the
   * panel's dot products of the tridiagonal reduction); out: a count-entry region.
   */
  panelDots(r0: number, n: number, count: number, x: number, lo: number, out: number): void;
  /**
   * ta[c] −= Σ_{q<count} ca[q]·row_q[c] and, when tb ≥ 0, tb[c] −= Σ_q cb[q]·row_q[c], for c
   * in [lo, n), row q at r0 + q·n: two combinations of the same rows in one sweep (ca, cb:
   * count-entry regions).
   */
  panelCombinations(r0: number, n: number, count: number, ca: number, ta: number, cb: number, tb: number, lo: number): void;
  /**
   * The symmetric part's upper triangle in place on the n×n region at `at`: a_ij ← ½a_ij + ½a_ji
   * for j ≥ i (the lower triangle is read, never written); stats[0..3) ← (max|a_ij|,
   * max|a_ij − a_ji|, 1 when some a_ij − a_ji is NaN else 0) over all i, j (a NaN never enters the
   * maxima). Both engines give the same bits.
   */
  symmetrize(n: number, at: number, stats: Float64Array): void;
  /**
   * Zt ← Zt·Q_{blocks[0]}ᵀ·Q_{blocks[1]}ᵀ⋯ for the r×n row-major Zt at z and blocks of
   * reflectors Q_blk = I − Y T Yᵀ resident in the arena (ReflectorBlock; LAPACK dlarfb, side =
   * right): per block M1 = Zt(:, k0+1:)·Ytᵀ, M2 = M1·Tᵀ, Zt(:, k0+1:) −= M2·Yt. In wasm, chunks
   * of rows through all blocks (kernels/reflectorRows.ts), on several threads when there are
   * several chunks — the same bits on any thread count; in TypeScript, block after block.
   */
  reflectorsRight(z: number, r: number, n: number, blocks: readonly ReflectorBlock[]): void;
  /**
   * The k eigenpairs of D + ρ z zᵀ (poles d strictly ascending, every z_j ≠ 0, ρ > 0) in the
   * arena's `regions` (kernels/secular.ts SecularRegions): the roots as origin pole and offset,
   * ẑ, and the unit eigenvectors as the rows of Uᵀ. In wasm over several threads for large k —
   * the same bits on any thread count; in TypeScript, secularRoots and secularVectors.
   */
  secular(k: number, rho: number, regions: SecularRegions): void;
  /**
   * (xᵀx, yᵀy, xᵀy) of the n-entry regions at x and y, into out[0..3): four interleaved partial
   * sums, (s0 + s2) + (s1 + s3), then the last n mod 4 terms. Both engines give the same bits.
   */
  dots3(x: number, y: number, n: number, out: Float64Array): void;
  /**
   * The plane rotation (x, y) ← (c·x − s·y, s·x + c·y) of the n-entry regions at x and y;
   * with `norms`, norms[0..2) ← (‖x‖², ‖y‖²) of the results (summed as dots3 sums). Both engines
   * give the same bits.
   */
  rotatePair(x: number, y: number, n: number, c: number, s: number, norms: Float64Array | null): void;
}

/** Scratch kept free above a wasm arena for the packing workspaces of its products. */
const ARENA_SCRATCH_BYTES = 8 * 1024 * 1024;

/**
 * Run `body` on an arena of at least `doubles` entries (plus 8 per alloc for alignment, at most
 * `allocs` allocs), closing it afterwards (also when body throws). The wasm arena is used when
 * the kernels are loaded and it fits the GEMM module's operand budget beside what is open;
 * otherwise a TypeScript one.
 */
export function withArena<T>(doubles: number, allocs: number, body: (arena: Arena) => T): T {
  const bytes = 8 * (doubles + 8 * allocs) + 64;
  const w = arenaTesting.forceTs ? null : wasmGemm();
  if (w === null || w.top + bytes + ARENA_SCRATCH_BYTES > GEMM_OPERAND_BYTES) return body(tsArena(doubles + 8 * allocs));
  const base = w.reserve(bytes + ARENA_SCRATCH_BYTES);
  if (base === 0) return body(tsArena(doubles + 8 * allocs));
  const savedTop = w.top;
  const heap = w.heapF64();
  // The arena's own first 64 bytes: the outputs of dots3 and rotatePair.
  const out = base;
  let next = base + 64;
  const end = base + bytes;
  w.top += bytes;
  const arena: Arena = {
    engine: "wasm-simd",
    heap,
    alloc(len: number): number {
      const at = next;
      next = Math.ceil((at + 8 * len) / 64) * 64;
      if (next > end) throw new RangeError("arena: out of space");
      return at / 8;
    },
    gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc): void {
      // Tiny products as gemmRaw dispatches them (TS below the crossover): the same bits.
      if (gemmDispatch(m, n, k, alpha) === "ts") {
        gemmRawTs(transA, transB, m, n, k, alpha, heap, a, lda, heap, b, ldb, beta, heap, c, ldc);
        return;
      }
      const scratch = w.reserve(ARENA_SCRATCH_BYTES);
      gemmResident(w, transA, transB, m, n, k, alpha, 8 * a, lda, 8 * b, ldb, beta, 8 * c, ldc, scratch, ARENA_SCRATCH_BYTES);
    },
    reduction(n, kMax, tile, body) {
      const scratch = w.reserve(ARENA_SCRATCH_BYTES);
      return withReductionSession(w, scratch, ARENA_SCRATCH_BYTES, n, kMax, tile, body);
    },
    reflectorsRight(z, r, n, blocks): void {
      reflectorRowsRun(w, z, r, n, blocks, w.reserve(ARENA_SCRATCH_BYTES), ARENA_SCRATCH_BYTES);
    },
    secular(k, rho, regions): void {
      secularRun(w, k, rho, regions, w.reserve(ARENA_SCRATCH_BYTES), ARENA_SCRATCH_BYTES);
    },
    panelDots(r0, n, count, x, lo, o): void {
      w.exports.panelDots(8 * r0, n, count, 8 * x, lo, 8 * o);
    },
    panelCombinations(r0, n, count, ca, ta, cb, tb, lo): void {
      w.exports.panelCombinations(8 * r0, n, count, 8 * ca, 8 * ta, tb < 0 ? 0 : 8 * cb, tb < 0 ? 0 : 8 * tb, lo);
    },
    symmetrize(n, at, stats): void {
      w.exports.symmetrizeUpper(n, 8 * at, out);
      stats[0] = heap[out / 8];
      stats[1] = heap[out / 8 + 1];
      stats[2] = heap[out / 8 + 2];
    },
    dots3(x, y, n, result): void {
      w.exports.dots3(8 * x, 8 * y, n, out);
      result[0] = heap[out / 8];
      result[1] = heap[out / 8 + 1];
      result[2] = heap[out / 8 + 2];
    },
    rotatePair(x, y, n, c, s, norms): void {
      w.exports.rotatePair(8 * x, 8 * y, n, c, s, norms === null ? 0 : out);
      if (norms !== null) {
        norms[0] = heap[out / 8];
        norms[1] = heap[out / 8 + 1];
      }
    },
  };
  try {
    return body(arena);
  } finally {
    w.top = savedTop;
  }
}

/**
 * C ← α·op(A)·op(B) + β·C on operands resident in the GEMM module's memory (byte addresses a, b,
 * c; row strides in elements), with `scratchBytes` of free memory at `scratch` (64-byte aligned)
 * for the packing workspaces: on gemmThreads(m, n, k) threads when the threaded workspace fits,
 * else on the calling thread — bitwise the same either way. Throws if the kernel failed on a
 * worker (the resident C cannot be restored), or if even the one-thread workspace does not fit.
 */
function gemmResident(
  w: WasmGemm, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
  scratch: number, scratchBytes: number,
): void {
  if (m === 0 || n === 0) return;
  let threads = alpha === 0 || k === 0 ? 1 : gemmThreads(m, n, k);
  const extra = threads > 1 ? gemmThreadedExtraBytes(w, n, k) : 0;
  if (threads > 1 && extra + gemmThreadedScratchBytes(w) > scratchBytes) threads = 1;
  if (threads > 1) {
    if (gemmThreadedRun(w, threads, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, scratch, scratch + extra)) return;
    throw new Error("gemm: the threaded kernel failed on a worker");
  }
  if (w.exports.workBytes(m, n, k) > scratchBytes) throw new RangeError(`gemm: ${scratchBytes} bytes of scratch cannot pack a ${m}×${n}×${k} product`);
  w.exports.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, scratch);
}

/** Test hook: `forceTs` makes every new arena a TypeScript one. Never set outside tests. */
export const arenaTesting = { forceTs: false };

/** The TypeScript arena: a plain Float64Array, gemmRaw and a plain symmetric product. */
function tsArena(doubles: number): Arena {
  const heap = new Float64Array(doubles);
  let next = 0;
  return {
    engine: "ts",
    heap,
    alloc(len: number): number {
      const at = next;
      next = Math.ceil((at + len) / 8) * 8;
      if (next > heap.length) throw new RangeError("arena: out of space");
      return at;
    },
    gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc): void {
      gemmRaw(transA, transB, m, n, k, alpha, heap, a, lda, heap, b, ldb, beta, heap, c, ldc);
    },
    reduction(_n, _kMax, _tile, body) {
      return body({
        symv(n, a, lda, s, x, y): void {
          symvUpperTs(heap, n, a, lda, s, x, y);
        },
        update(n, a, s, k, x, y, tile): void {
          for (let r0 = s; r0 < n; r0 += tile) {
            const rows = Math.min(tile, n - r0);
            gemmRaw(true, false, rows, n - r0, k, -1, heap, x + r0, n, heap, y + (r0 - s), n - s, 1, heap, a + r0 * n + r0, n);
          }
        },
      });
    },
    reflectorsRight(z, r, n, blocks): void {
      const bmax = Math.max(0, ...blocks.map((q) => q.b));
      const m1 = new Float64Array(r * bmax);
      const m2 = new Float64Array(r * bmax);
      for (const { k0, b, yt, t } of blocks) {
        const len = n - k0 - 1;
        gemmRaw(false, true, r, b, len, 1, heap, z + k0 + 1, n, heap, yt, len, 0, m1, 0, b);
        gemmRaw(false, true, r, b, b, 1, m1, 0, b, heap, t, b, 0, m2, 0, b);
        gemmRaw(false, false, r, len, b, -1, m2, 0, b, heap, yt, len, 1, heap, z + k0 + 1, n);
      }
    },
    secular(k, rho, r): void {
      const org = new Int32Array(k);
      secularRoots(k, heap.subarray(r.d, r.d + k), heap.subarray(r.z, r.z + k), rho, org, heap.subarray(r.tau, r.tau + k));
      for (let i = 0; i < k; i++) heap[r.org + i] = org[i];
      secularVectors(heap, k, rho, r);
    },
    panelDots(r0, n, count, x, lo, out): void {
      const o = heap.subarray(out, out + count);
      rowDots(heap, r0, n, count, heap, x, lo, o);
    },
    panelCombinations(r0, n, count, ca, ta, cb, tb, lo): void {
      // The reference form: one sweep per target (the wasm kernel fuses the two into one sweep).
      subtractCombination(heap, r0, n, count, heap.subarray(ca, ca + count), heap, ta, lo);
      if (tb >= 0) subtractCombination(heap, r0, n, count, heap.subarray(cb, cb + count), heap, tb, lo);
    },
    symmetrize(n, at, stats): void {
      symmetrizeUpperTs(heap, n, at, stats);
    },
    dots3(x, y, n, out): void {
      // Four interleaved partial sums s_r = Σ_{k ≡ r mod 4} (two f64x2 lanes in wasm), added as
      // (s0 + s2) + (s1 + s3), then the last n mod 4 terms: the kernel's order.
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      let g0 = 0, g1 = 0, g2 = 0, g3 = 0;
      let t = 0;
      for (; t + 3 < n; t += 4) {
        const p = heap[x + t], q = heap[x + t + 1], r = heap[x + t + 2], s = heap[x + t + 3];
        const u = heap[y + t], v = heap[y + t + 1], w = heap[y + t + 2], z = heap[y + t + 3];
        a0 += p * p; a1 += q * q; a2 += r * r; a3 += s * s;
        b0 += u * u; b1 += v * v; b2 += w * w; b3 += z * z;
        g0 += p * u; g1 += q * v; g2 += r * w; g3 += s * z;
      }
      let sa = (a0 + a2) + (a1 + a3);
      let sb = (b0 + b2) + (b1 + b3);
      let sg = (g0 + g2) + (g1 + g3);
      for (; t < n; t++) {
        const a = heap[x + t];
        const b = heap[y + t];
        sa += a * a;
        sb += b * b;
        sg += a * b;
      }
      out[0] = sa;
      out[1] = sb;
      out[2] = sg;
    },
    rotatePair(x, y, n, c, s, norms): void {
      // The rotated entries elementwise; their squares summed in dots3's order.
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      const rotate = (t: number): void => {
        const a = heap[x + t];
        const b = heap[y + t];
        heap[x + t] = c * a - s * b;
        heap[y + t] = s * a + c * b;
      };
      let t = 0;
      for (; t + 3 < n; t += 4) {
        for (let r = 0; r < 4; r++) rotate(t + r);
        const p = heap[x + t], q = heap[x + t + 1], u = heap[x + t + 2], v = heap[x + t + 3];
        const e = heap[y + t], f = heap[y + t + 1], g = heap[y + t + 2], w = heap[y + t + 3];
        a0 += p * p; a1 += q * q; a2 += u * u; a3 += v * v;
        b0 += e * e; b1 += f * f; b2 += g * g; b3 += w * w;
      }
      let sa = (a0 + a2) + (a1 + a3);
      let sb = (b0 + b2) + (b1 + b3);
      for (; t < n; t++) {
        rotate(t);
        sa += heap[x + t] * heap[x + t];
        sb += heap[y + t] * heap[y + t];
      }
      if (norms !== null) {
        norms[0] = sa;
        norms[1] = sb;
      }
    },
  };
}

/** Side of the square tiles of symmetrizeUpperTs (a tile and its transpose stay in L1). */
const SYM_TILE = 32;

/** Arena.symmetrize in TypeScript: one pass over the upper triangle by tiles, each a_ji read beside a_ij. */
function symmetrizeUpperTs(h: Float64Array, n: number, at: number, stats: Float64Array): void {
  let amax = 0;
  let asym = 0;
  let nan = false;
  for (let i0 = 0; i0 < n; i0 += SYM_TILE) {
    const i1 = Math.min(i0 + SYM_TILE, n);
    for (let j0 = i0; j0 < n; j0 += SYM_TILE) {
      const j1 = Math.min(j0 + SYM_TILE, n);
      for (let i = i0; i < i1; i++) {
        const o = at + i * n;
        for (let j = Math.max(i, j0); j < j1; j++) {
          const x = h[o + j];
          const y = h[at + j * n + i];
          const ax = Math.abs(x);
          const ay = Math.abs(y);
          if (ax > amax) amax = ax;
          if (ay > amax) amax = ay;
          const d = Math.abs(x - y);
          if (d > asym) asym = d;
          else if (d !== d) nan = true; // x or y is NaN, or both are the same infinity
          h[o + j] = 0.5 * x + 0.5 * y;
        }
      }
    }
  }
  stats[0] = amax;
  stats[1] = asym;
  stats[2] = nan ? 1 : 0;
}

/** The symmetric product of Arena.reduction in TypeScript: each stored entry used twice (y[r] and y[c]). */
function symvUpperTs(h: Float64Array, n: number, a: number, lda: number, s: number, x: number, y: number): void {
  for (let c = s; c < n; c++) h[y + c] = 0;
  for (let r = s; r < n; r++) {
    const ro = a + r * lda;
    const xr = h[x + r];
    let t = h[ro + r] * xr;
    for (let c = r + 1; c < n; c++) {
      const arc = h[ro + c];
      t += arc * h[x + c];
      h[y + c] += arc * xr;
    }
    h[y + r] += t;
  }
}
