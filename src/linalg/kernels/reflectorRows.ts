// The back-transformation's driver: Zt ← Zt·Q_{B−1}ᵀ⋯Q_0ᵀ... for blocks of Householder reflectors
// in compact WY form, on operands resident in the GEMM module's memory, run by the calling
// thread and the worker pool through assembly/gemm.ts reflectorRows: chunks of REFLECTOR_ROWS
// rows of Zt are claimed one at a time, and each chunk goes through every block while it is in
// L2. A row's result does not depend on its chunk or thread, so it is bitwise the same on any
// thread count.
import { MAX_THREADS, parallelRun, threadCount } from "./pool.js";
import { align64, layoutFrom, type WasmGemm } from "./wasm.js";

/**
 * Rows of Zt per job: 64 rows × n columns is 0.5 MB at n = 1000, which stays in L2 (1–2 MB a
 * core) across the blocks. Measured at n = 1000 (Intel Xeon, 2 cores, fused build): the
 * back-transformation took 126 ms on one thread and 70 ms on two block after block over all
 * rows, 110–114 ms and 58–64 ms by chunks; chunks of 32 or 128 rows were within the noise.
 */
export const REFLECTOR_ROWS = 64;

/** One block of reflectors, in element offsets of the arena: Q_blk = I − Y T Yᵀ. */
export interface ReflectorBlock {
  /** Index of the block's first reflector (it acts on columns k0 + 1..n − 1). */
  readonly k0: number;
  /** Reflectors in the block. */
  readonly b: number;
  /** Yt, b × (n − k0 − 1) row-major: row p is v_{k0+p}, zero left of its unit entry. */
  readonly yt: number;
  /** T, b × b upper triangular (LAPACK dlarft, forward, columnwise). */
  readonly t: number;
}

/** Header slots (f64) and control words (i32) of reflectorRows (assembly/gemm.ts). */
const HEADER_SLOTS = 8;
const CONTROL_WORDS = 1;

/** Scratch bytes of a run with `blocks` blocks of ≤ bmax reflectors on n columns, per `threads`. */
export function reflectorRowsScratchBytes(w: WasmGemm, n: number, bmax: number, blocks: number, threads: number): number {
  return 8 * HEADER_SLOTS + 4 * (CONTROL_WORDS + MAX_THREADS) + 32 * blocks + 4 * 64 +
    threads * align64(w.exports.reflectorWorkBytes(REFLECTOR_ROWS, bmax, n));
}

/**
 * Zt ← Zt·Q_{blocks[0]}ᵀ·Q_{blocks[1]}ᵀ⋯ (blocks applied in array order) for the r×n row-major Zt
 * at element offset z of w's memory, on up to threadCount() threads, with `scratchBytes` of free
 * memory at byte address `scratch`. Throws when a worker failed (Zt is then partly updated and
 * cannot be restored) or when even one thread's workspace does not fit.
 */
export function reflectorRowsRun(
  w: WasmGemm, z: number, r: number, n: number, blocks: readonly ReflectorBlock[], scratch: number, scratchBytes: number,
): void {
  if (r === 0 || blocks.length === 0) return;
  const bmax = Math.max(...blocks.map((q) => q.b));
  const jobs = Math.ceil(r / REFLECTOR_ROWS);
  let threads = Math.max(1, Math.min(threadCount(), jobs, MAX_THREADS));
  if (w.shared === null) threads = 1;
  while (threads > 1 && reflectorRowsScratchBytes(w, n, bmax, blocks.length, threads) > scratchBytes) threads--;
  if (reflectorRowsScratchBytes(w, n, bmax, blocks.length, threads) > scratchBytes) {
    throw new RangeError(`reflectorRows: ${scratchBytes} bytes of scratch cannot hold ${blocks.length} blocks of ${bmax} reflectors on ${n} columns`);
  }
  const layout = layoutFrom(scratch);
  const header = layout.region(8 * HEADER_SLOTS);
  const ctl = layout.region(4 * (CONTROL_WORDS + MAX_THREADS));
  const table = layout.region(32 * blocks.length);
  const workStride = align64(w.exports.reflectorWorkBytes(REFLECTOR_ROWS, bmax, n));
  const work = layout.region(threads * workStride);
  const heap = w.heapF64();
  heap.set([REFLECTOR_ROWS, r, n, 8 * z, blocks.length, table, bmax], header / 8);
  blocks.forEach((q, i) => heap.set([q.k0, q.b, 8 * q.yt, 8 * q.t], table / 8 + 4 * i));
  new Int32Array(heap.buffer, ctl, CONTROL_WORDS).fill(0);
  if (threads === 1) {
    Object.assign(lastReflectorRun, { threads, workers: 0, callerChunks: w.exports.reflectorRows(header, ctl, work) });
    return;
  }
  const outcome = parallelRun(w.shared!, "reflectorRows", threads, (i) => [header, ctl, work + i * workStride], {
    flags: ctl + 4 * CONTROL_WORDS, abort: -1, wake: -1,
  });
  Object.assign(lastReflectorRun, { threads, workers: outcome.workers, callerChunks: outcome.callerResult });
  if (outcome.failed) throw new Error("reflectorRows: the kernel failed on a worker");
}

/** The last run: threads asked for, workers posted to, chunks the caller ran (tests). */
export const lastReflectorRun = { threads: 0, workers: 0, callerChunks: 0 };
