// The threaded kernels of the Householder tridiagonal reduction (linalg/tridiagonalize.ts): one
// worker-pool session per reduction (assembly/gemm.ts reductionServe, reductionRun). The
// workers stay in the kernel for the whole reduction and the caller hands them each symmetric
// product and each trailing update through a header in the shared memory, so a command costs a
// store and (when a worker sleeps) a wake, not a message round trip: the reduction issues one
// product per column (n of them), each too short to pay for a post.
//
// Bitwise independence of the thread count: a product over the trailing size m ≥ SYMV_SPLIT_MIN
// is always split into symvChunks(m) row chunks of about equal area, fixed by (n, s) alone, each
// summed into its own partial vector, and the partials are added in chunk order; an update is
// always split into the row tiles of the one-thread code, each one gemm. Which thread runs a
// job never changes its operations, so 1, 2 or 8 threads give the same bits (tested in
// test/linalg/threads.test.ts).
import { MAX_THREADS, parallelRun, threadCount } from "./pool.js";
import { align64, layoutFrom, type WasmGemm } from "./wasm.js";

/** Most row chunks of a split symmetric product (partial vectors summed in chunk order). */
export const SYMV_CHUNKS = 8;

/** Trailing size from which a split product has SYMV_CHUNKS chunks rather than 4. */
export const SYMV_WIDE_MIN = 2048;

/**
 * Row chunks of the product over a trailing size m ≥ SYMV_SPLIT_MIN: 4, or SYMV_CHUNKS from
 * SYMV_WIDE_MIN on — a function of m alone (the bits must not depend on the threads). Each chunk
 * costs its partial vector's clearing and summation (≈ 3(n − s) doubles of traffic): at n = 1000
 * the products took 41 ms on one thread and 26 on two with 4 chunks, 44 and 28 with 8.
 */
export function symvChunks(m: number): number {
  return m >= SYMV_WIDE_MIN ? SYMV_CHUNKS : 4;
}

/**
 * Trailing size from which a product is split into chunks (and offered to the workers). Below,
 * one job: a 256×256 triangle is ~0.26 MB, read in ~10 µs, about one worker wake.
 */
export const SYMV_SPLIT_MIN = 256;

/**
 * Smallest n for which a reduction opens a session with workers (the caller alone below): from
 * here the first third of the columns have split products, and most updates several tiles
 * (n = 500 is the Gram eigendecomposition of the bench's SVD).
 */
export const REDUCTION_PARALLEL_MIN = SYMV_SPLIT_MIN + 128;

/** Header slots (f64) and control words (i32) of assembly/gemm.ts reductionServe/reductionRun. */
const R = { CMD: 0, BASE: 1, JOBS: 2, N: 3, A: 4, LDA: 5, S: 6, X: 7, Y: 8, PART: 9, VW: 10, SW: 11, K: 12, TILE: 13, SOLO: 14, BOUNDS: 16 };
const HEADER_SLOTS = R.BOUNDS + SYMV_CHUNKS + 1;
const CMD_SYMV = 1;
const CMD_UPDATE = 2;
const CMD_STOP = 3;
const CONTROL_WORDS = 5;
const Q_SEQ = 0;
const Q_ABORT = 3;
const Q_STALLS = 4;

/**
 * Stalls (waits of a whole millisecond for a worker's job, which takes well under one on a free
 * core) after which the caller stops offering jobs and finishes the reduction alone: with more
 * threads than free cores, a worker descheduled in the middle of a job would otherwise hold up
 * each of the n products. The partition stays the same, so the bits do too.
 */
export const REDUCTION_STALL_LIMIT = 3;

/** The two kernels of a reduction, on element offsets into the arena's heap. */
export interface ReductionKernels {
  /**
   * y[s..n) ← A(s:n, s:n)·x[s..n) for the symmetric A whose upper triangle is stored row-major
   * at offset a (row stride lda); x and y are n-entry regions.
   */
  symv(n: number, a: number, lda: number, s: number, x: number, y: number): void;
  /**
   * A(s:n, s:n) −= Xᵀ·Y on the upper triangle, by row tiles of `tile` rows from their diagonal
   * on (each tile one gemm of inner dimension k): X is k×n at offset x (row stride n, columns
   * ≥ s used), Y is k×(n − s) at offset y (compact).
   */
  update(n: number, a: number, s: number, k: number, x: number, y: number, tile: number): void;
}

/**
 * What the last session did (tests): threads asked for, workers posted to, jobs run by the
 * caller, jobs in all, the caller's stalls, and whether it went on alone after them.
 */
export const lastReductionSession = { threads: 0, workers: 0, callerJobs: 0, jobs: 0, stalls: 0, solo: false };

/**
 * Test hooks: `callerIdle` makes the caller take no job while workers are posted (they run them
 * all, and the stall fallback is off), so a test knows the workers computed the result;
 * `stallLimit` replaces REDUCTION_STALL_LIMIT. Never set outside tests.
 */
export const reductionTesting = { callerIdle: false, stallLimit: REDUCTION_STALL_LIMIT };

/**
 * Run `body` with the reduction kernels of an n×n reduction (updates of inner dimension ≤ kMax
 * in tiles of ≤ tile rows) on w's shared memory, using `scratchBytes` bytes at byte address
 * `scratch` for the header, control words, partial vectors and the threads' gemm workspaces.
 * Threads: threadCount() for n ≥ REDUCTION_PARALLEL_MIN when the module has a shared memory
 * (fewer if their workspaces do not fit), else the caller alone — the same bits either way.
 * Throws if a worker failed (the resident matrix cannot be restored).
 */
export function withReductionSession<T>(
  w: WasmGemm, scratch: number, scratchBytes: number, n: number, kMax: number, tile: number,
  body: (kernels: ReductionKernels) => T,
): T {
  const workStride = align64(w.exports.workBytes(tile, n, kMax));
  const layout = layoutFrom(scratch);
  const header = layout.region(8 * HEADER_SLOTS);
  const ctl = layout.region(4 * (CONTROL_WORDS + MAX_THREADS));
  const part = layout.region(8 * SYMV_CHUNKS * n);
  const work = layout.region(0);
  const room = Math.floor((scratch + scratchBytes - work) / workStride);
  if (room < 1) throw new RangeError(`tridiagonalize: ${scratchBytes} bytes of scratch cannot hold the reduction of n = ${n}`);
  let threads = w.shared !== null && n >= REDUCTION_PARALLEL_MIN ? Math.min(threadCount(), MAX_THREADS, room) : 1;
  threads = Math.max(1, threads);
  const buffer = w.exports.memory.buffer;
  const h = new Float64Array(buffer, header, HEADER_SLOTS);
  const words = new Int32Array(buffer, ctl, CONTROL_WORDS + MAX_THREADS);
  words.fill(0);
  h.fill(0);
  let base = 0;
  let callerJobs = 0;
  let posted = 0;
  let solo = false;
  /** Publish a command (fields of the header) under the sequence lock; wake sleepers when asked. */
  const publish = (fields: (h: Float64Array) => void, jobs: number, wake: boolean): void => {
    Atomics.add(words, Q_SEQ, 1);
    h[R.BASE] = base;
    h[R.JOBS] = jobs;
    h[R.SOLO] = solo ? 1 : 0;
    fields(h);
    Atomics.add(words, Q_SEQ, 1);
    if (wake && posted > 0 && !solo) Atomics.notify(words, Q_SEQ);
  };
  const run = (jobs: number): void => {
    const claim = reductionTesting.callerIdle && posted > 0 ? 0 : 1;
    const ran = w.exports.reductionRun(header, ctl, work, claim);
    if (ran < 0) throw new Error("tridiagonalize: the threaded kernel failed on a worker");
    callerJobs += ran;
    base += jobs;
    if (!solo && !reductionTesting.callerIdle && words[Q_STALLS] >= reductionTesting.stallLimit) solo = true;
  };
  const kernels: ReductionKernels = {
    symv(nn, a, lda, s, x, y): void {
      const m = nn - s;
      if (m <= 0) return;
      const jobs = m >= SYMV_SPLIT_MIN ? symvChunks(m) : 1;
      publish((hh) => {
        hh[R.CMD] = CMD_SYMV;
        hh[R.N] = nn;
        hh[R.A] = 8 * a;
        hh[R.LDA] = lda;
        hh[R.S] = s;
        hh[R.X] = 8 * x;
        hh[R.Y] = 8 * y;
        hh[R.PART] = part;
        // Chunk q holds the rows [b_q, b_{q+1}) with (n − b_q)² ≈ m²(1 − q/C): equal areas of
        // the triangle, starts rounded to multiples of four rows.
        hh[R.BOUNDS] = s;
        for (let q = 1; q < jobs; q++) {
          const b = s + 4 * Math.round((m - m * Math.sqrt(1 - q / jobs)) / 4);
          hh[R.BOUNDS + q] = Math.min(nn, Math.max(hh[R.BOUNDS + q - 1], b));
        }
        hh[R.BOUNDS + jobs] = nn;
      }, jobs, jobs > 1);
      run(jobs);
    },
    update(nn, a, s, k, x, y, t): void {
      const len = nn - s;
      if (len <= 0 || k <= 0) return;
      if (k > kMax || t > tile) throw new RangeError(`tridiagonalize: update of ${k} > ${kMax} rows or tiles of ${t} > ${tile}`);
      const jobs = Math.ceil(len / t);
      publish((hh) => {
        hh[R.CMD] = CMD_UPDATE;
        hh[R.N] = nn;
        hh[R.A] = 8 * a;
        hh[R.LDA] = nn;
        hh[R.S] = s;
        hh[R.VW] = 8 * x;
        hh[R.SW] = 8 * y;
        hh[R.K] = k;
        hh[R.TILE] = t;
      }, jobs, jobs > 1);
      run(jobs);
    },
  };
  const finish = (): void => {
    publish((hh) => {
      hh[R.CMD] = CMD_STOP;
    }, 0, true);
  };
  Object.assign(lastReductionSession, { threads, workers: 0, callerJobs: 0, jobs: 0, stalls: 0, solo: false });
  if (threads <= 1 || w.shared === null) {
    const out = body(kernels);
    Object.assign(lastReductionSession, { callerJobs, jobs: base });
    return out;
  }
  let out: T | undefined;
  const outcome = parallelRun(
    w.shared, "reductionServe", threads, (t) => [header, ctl, work + t * workStride],
    { flags: ctl + 4 * CONTROL_WORDS, abort: ctl + 4 * Q_ABORT, wake: ctl + 4 * Q_SEQ },
    (workers) => {
      posted = workers;
      try {
        out = body(kernels);
      } finally {
        finish();
      }
      return 0;
    },
  );
  Object.assign(lastReductionSession, { workers: outcome.workers, callerJobs, jobs: base, stalls: words[Q_STALLS], solo });
  if (outcome.failed) throw new Error("tridiagonalize: the threaded kernel failed on a worker");
  return out as T;
}
