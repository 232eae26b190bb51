// The secular problems of divide and conquer on the GEMM module's memory: the k eigenpairs of
// D + ρ z zᵀ in three phases (roots; ẑ by Löwner's formula; the eigenvectors), each over
// indices claimed in chunks by the calling thread and, for large k, the worker pool, through
// assembly/gemm.ts secularJobs. Each index is computed alone, so the result is bitwise the same
// on any thread count. The TypeScript reference is src/linalg/secular.ts.
import { MAX_THREADS, parallelRun, threadCount } from "./pool.js";
import { align64, layoutFrom, type WasmGemm } from "./wasm.js";

/** Indices per claimed job. */
export const SECULAR_CHUNK = 16;

/**
 * Smallest k run on several threads: each phase costs O(k²) divisions (≈ 0.1 ms at k = 128 for
 * the roots), against a worker's round trip of tens of µs per phase.
 */
export const SECULAR_PARALLEL_MIN = 256;

/** Element offsets of a secular problem's vectors (k doubles each) and of Uᵀ (k×k) in w's memory. */
export interface SecularRegions {
  /** The poles, strictly ascending (input). */
  readonly d: number;
  /** The weights, all ≠ 0 (input). */
  readonly z: number;
  /** The column of Uᵀ that holds each component j (input, as doubles). */
  readonly slot: number;
  /** Output: each root's origin pole (as doubles). */
  readonly org: number;
  /** Output: each root's offset from its origin pole, λ_i = d[org_i] + τ_i. */
  readonly tau: number;
  /** Output: ẑ, the weights recomputed from the roots (Löwner). */
  readonly zh: number;
  /** Output: Uᵀ, row i the unit eigenvector of λ_i (component j at column slot[j]). */
  readonly ut: number;
}

/** Header slots (f64) and control words (i32) of secularJobs (assembly/gemm.ts). */
const HEADER_SLOTS = 11;
const CONTROL_WORDS = 1;

/** Scratch bytes of a run on `threads` threads for k poles. */
export function secularScratchBytes(w: WasmGemm, k: number, threads: number): number {
  return 8 * HEADER_SLOTS + 4 * (CONTROL_WORDS + MAX_THREADS) + 3 * 64 + threads * align64(w.exports.secularWorkBytes(k));
}

/**
 * Solve the secular problem of `regions` (k poles, ρ > 0) on up to threadCount() threads, with
 * `scratchBytes` of free memory at byte address `scratch`. Throws when a worker failed.
 */
export function secularRun(w: WasmGemm, k: number, rho: number, regions: SecularRegions, scratch: number, scratchBytes: number): void {
  if (k === 0) return;
  const jobs = Math.ceil(k / SECULAR_CHUNK);
  let threads = k >= SECULAR_PARALLEL_MIN && w.shared !== null ? Math.max(1, Math.min(threadCount(), jobs, MAX_THREADS)) : 1;
  while (threads > 1 && secularScratchBytes(w, k, threads) > scratchBytes) threads--;
  if (secularScratchBytes(w, k, threads) > scratchBytes) throw new RangeError(`secular: ${scratchBytes} bytes of scratch cannot hold k = ${k}`);
  const layout = layoutFrom(scratch);
  const header = layout.region(8 * HEADER_SLOTS);
  const ctl = layout.region(4 * (CONTROL_WORDS + MAX_THREADS));
  const workStride = align64(w.exports.secularWorkBytes(k));
  const work = layout.region(threads * workStride);
  const heap = w.heapF64();
  const { d, z, org, tau, zh, slot, ut } = regions;
  heap.set([0, k, rho, 8 * d, 8 * z, 8 * org, 8 * tau, 8 * zh, 8 * slot, 8 * ut, SECULAR_CHUNK], header / 8);
  const counter = new Int32Array(heap.buffer, ctl, CONTROL_WORDS);
  for (let phase = 0; phase < 3; phase++) {
    heap[header / 8] = phase;
    counter.fill(0);
    if (threads === 1) {
      w.exports.secularJobs(header, ctl, work);
      continue;
    }
    const outcome = parallelRun(w.shared!, "secularJobs", threads, (i) => [header, ctl, work + i * workStride], {
      flags: ctl + 4 * CONTROL_WORDS, abort: -1, wake: -1,
    });
    Object.assign(lastSecularRun, { threads, workers: outcome.workers, callerJobs: outcome.callerResult });
    if (outcome.failed) throw new Error("secular: the kernel failed on a worker");
  }
  if (threads === 1) Object.assign(lastSecularRun, { threads, workers: 0, callerJobs: jobs });
}

/** The last run: threads, workers posted to, jobs the caller ran in the last phase (tests). */
export const lastSecularRun = { threads: 0, workers: 0, callerJobs: 0 };
