// The threaded GEMM driver: C ← α·op(A)·op(B) + β·C on operands already in the GEMM module's
// shared memory, run by the calling thread and the worker pool (pool.ts) through
// assembly/gemm.ts gemmThreaded: op(B) is packed once into a shared area in column jobs, then
// blocks of C are claimed one at a time: row panels of gemmJobRows rows, and the last
// threads·rows rows in panels cut into 2·threads column chunks (a slower core leaves the tail
// to the others, and a chunk streams only its share of the packed op(B)). Every entry of C is
// computed by the same operations in the same order as the one-thread kernel, so the result is
// bitwise the same for every thread count and block.
import { MAX_THREADS, parallelRun } from "./pool.js";
import { align64, layoutFrom, type WasmGemm } from "./wasm.js";

/** Header slots (f64) and control words (i32) of gemmThreaded (assembly/gemm.ts). */
const HEADER_SLOTS = 16;
const CONTROL_WORDS = 4;
const C_ABORT = 3;
const C_PACK_DONE = 1;

/**
 * Rows of C per claimed job, at most: one MC block of the kernel (B̂ is streamed once per job and
 * block, as on one thread). Smaller products use ⌈m/threads⌉ rows (rounded up to MR = 4), at
 * least GEMM_MIN_THREAD_ROWS.
 */
export const GEMM_THREAD_ROWS = 128;

/** Fewest rows of C per job (below, a thread's share is too thin to pay for its round trip). */
export const GEMM_MIN_THREAD_ROWS = 32;

/** Rows per job of an m-row product on `threads` threads (see GEMM_THREAD_ROWS). */
export function gemmJobRows(m: number, threads: number): number {
  const share = Math.ceil(Math.ceil(m / threads) / 4) * 4;
  return Math.max(GEMM_MIN_THREAD_ROWS, Math.min(GEMM_THREAD_ROWS, share));
}

/** Operand-side bytes a threaded k×n product needs besides A, B and C: the packed op(B). */
export function gemmThreadedExtraBytes(w: WasmGemm, n: number, k: number): number {
  return align64(w.exports.packedBBytes(n, k)) + 64;
}

/** Scratch bytes of a threaded product: header, control words, one workspace per thread. */
export function gemmThreadedScratchBytes(w: WasmGemm): number {
  return 8 * HEADER_SLOTS + 4 * (CONTROL_WORDS + MAX_THREADS) + 3 * 64 + MAX_THREADS * align64(w.exports.threadWorkBytes());
}

/**
 * C ← α·op(A)·op(B) + β·C on `threads` threads, operands at byte addresses a, b, c of w's shared
 * memory (row strides lda, ldb, ldc); `packed` is gemmThreadedExtraBytes of free memory, `scratch`
 * gemmThreadedScratchBytes. Returns false when a worker failed: C may then be partly updated,
 * and the caller must restore it and recompute (on one thread).
 */
export function gemmThreadedRun(
  w: WasmGemm, threads: number,
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
  packed: number, scratch: number,
): boolean {
  const shared = w.shared;
  if (shared === null) throw new Error("gemmThreadedRun: the GEMM module has no shared memory");
  const layout = layoutFrom(scratch);
  const header = layout.region(8 * HEADER_SLOTS);
  const ctl = layout.region(4 * (CONTROL_WORDS + MAX_THREADS));
  const workStride = align64(w.exports.threadWorkBytes());
  const work = layout.region(MAX_THREADS * workStride);
  const t = Math.max(1, Math.min(threads, MAX_THREADS));
  const heap = w.heapF64();
  heap.set(
    [
      transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, align64(packed),
      gemmJobRows(m, threads), t,
    ],
    header / 8,
  );
  const words = new Int32Array(shared.memory.buffer, ctl, CONTROL_WORDS + MAX_THREADS);
  words.fill(0, 0, CONTROL_WORDS);
  const outcome = parallelRun(shared, "gemmThreaded", t, (i) => [header, ctl, work + i * workStride], {
    flags: ctl + 4 * CONTROL_WORDS, abort: ctl + 4 * C_ABORT, wake: ctl + 4 * C_PACK_DONE,
  });
  Object.assign(lastThreadedGemm, { threads: t, workers: outcome.workers, callerJobs: outcome.callerResult });
  return !outcome.failed && outcome.callerResult >= 0;
}

/** The last threaded product: threads asked for, workers posted to, row jobs the caller ran (tests). */
export const lastThreadedGemm = { threads: 0, workers: 0, callerJobs: 0 };
