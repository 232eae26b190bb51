// The wasm engine of the cone projections (assembly/cone.ts): the Goldfarb–Idnani dual
// active-set projection of coneProx.ts in f64x2, on operands resident in one shared memory,
// run over a batch of blocks by the calling thread and up to `threads − 1` worker threads.
//
// Memory (created at its final size, never grown): a header of the batch's arguments, the
// control words (job counter, one flag per worker), X (n×d), ‖x_k‖, X Xᵀ (n×n when kept), the
// cone signs CS (P×n, per pattern), the job arrays for up to `capacity` jobs (pattern, z, u, X u,
// active rows, their count, done), and one scratch area per thread.
//
// Threads: the general worker pool of the wasm kernels (linalg/kernels/pool.ts parallelRun, the
// one of the threaded GEMM and the two-layer step; SPLITSCAPE_THREADS, Node only). A batch posts
// projectBatch to the workers, runs it on the calling thread, and waits until every worker has
// returned — so the solver keeps its synchronous API. Jobs are claimed one at a time (atomic add),
// so the split adapts to uneven projection costs. A worker whose projection threw retires the
// pool and the jobs left unfinished are run by the caller (where a bad job throws again); a
// worker silent for WORKER_TIMEOUT_MS is an error (it may still be writing to the memory).
import { wasmBase64 } from "../../linalg/kernels/cone.wasm.generated.js";
import { MAX_THREADS, parallelRun, sharedKernelOn, threadCount, type SharedKernel } from "../../linalg/kernels/pool.js";
import { align64, compileBase64, instantiate, layoutFrom, WASM_PAGE_BYTES } from "../../linalg/kernels/wasm.js";
import type { BlockOperator } from "../program/index.js";

/** Raw exports of cone.wasm (addresses are byte offsets into the shared memory). */
interface ConeExports {
  heapBase(): number;
  workBytes(n: number, d: number): number;
  projectBatch(header: number, counter: number, work: number): number;
}

/** Largest memory (bytes) of one kernel (the module declares at most 16384 pages = 1 GiB). */
export const CONE_KERNEL_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * A batch smaller than this runs on the calling thread only: a round trip to a worker costs
 * ~78 µs (measured: a one-job batch, 2.4 µs on the caller), about a cold projection at d = 50.
 */
const MIN_PARALLEL_JOBS = 4;

/** Header slots (f64) read by projectBatch; see assembly/cone.ts. */
const HEADER = 16;
/** Header slots set per batch: the job count and the feasibility tolerance. */
const H_COUNT = 6;
const H_TOL = 13;

/** The engine of one cone state: module instance, shared memory and views of its regions. */
export interface ConeKernel {
  readonly n: number;
  readonly d: number;
  /** Jobs per batch at most. */
  readonly capacity: number;
  readonly exports: ConeExports;
  /** The module on its shared memory, as the worker pool runs it. */
  readonly shared: SharedKernel;
  /** X Xᵀ (n×n) in the shared memory, or null when not kept. */
  readonly gram: Float64Array | null;
  /** Job inputs: pattern of each job, z (capacity×d). */
  readonly pat: Int32Array;
  readonly Z: Float64Array;
  /** Active rows per job (capacity×(d+1)): warm set in, rows with λ > 0 out; count in/out (−1: failed). */
  readonly S: Int32Array;
  readonly M: Int32Array;
  /** Job outputs: u = Π_K z (capacity×d) and X u (capacity×n). */
  readonly U: Float64Array;
  readonly XU: Float64Array;
  /** 1 once a job's outputs are written (cleared per batch). */
  readonly done: Int32Array;
  /** Control words: [0] job counter, [1 + w] worker w's flag (parallelRun's, see pool.ts). */
  readonly ctl: Int32Array;
  readonly addr: { header: number; ctl: number; work: number; workStride: number };
  readonly header: Float64Array;
  /** The last batch: its jobs, how many the calling thread ran, and the workers it was offered to. */
  readonly lastBatch: { jobs: number; caller: number; workers: number };
}

/**
 * The wasm engine for the cone projections of `op` (its X, row norms and cone signs copied in;
 * X Xᵀ computed into the kernel by `fillGram` when `keepGram`), or null when wasm SIMD, threads'
 * shared memory or the memory budget is unavailable (the TS path then runs).
 */
export function coneKernel(op: BlockOperator, keepGram: boolean, fillGram: (G: Float64Array) => void): ConeKernel | null {
  const CS = op.coneSign;
  if (CS === null) return null;
  threadCount(); // a bad SPLITSCAPE_THREADS is reported when the solve starts, not mid-way
  const module = compileBase64(wasmBase64);
  if (module === null) return null;
  const { n, d, blocks: B } = op;
  let P = 0;
  for (let b = 0; b < B; b++) P = Math.max(P, op.pattern[b] + 1);
  let probeMemory: WebAssembly.Memory;
  try {
    probeMemory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return null; // no shared memory (a browser page without cross-origin isolation)
  }
  const probe = instantiate(module, probeMemory);
  if (probe === null) return null;
  const px = probe.exports as unknown as ConeExports;
  const layout = layoutFrom(px.heapBase());
  const region = (bytes: number): number => layout.region(bytes);
  const cap = B;
  const addr = {
    header: region(8 * HEADER), ctl: region(4 * (1 + MAX_THREADS)),
    X: region(8 * n * d), rowNorm: region(8 * n), gram: keepGram ? region(8 * n * n) : 0, CS: region(8 * P * n),
    pat: region(4 * cap), Z: region(8 * cap * d), U: region(8 * cap * d), XU: region(8 * cap * n),
    S: region(4 * cap * (d + 1)), M: region(4 * cap), done: region(4 * cap),
    work: 0, workStride: align64(px.workBytes(n, d)),
  };
  addr.work = region(MAX_THREADS * addr.workStride);
  if (!(layout.end <= CONE_KERNEL_MAX_BYTES)) return null;
  const pages = Math.ceil(layout.end / WASM_PAGE_BYTES);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
  const shared = sharedKernelOn(module, memory);
  if (shared === null) return null;
  const buf = memory.buffer;
  const f64 = (a: number, len: number): Float64Array => new Float64Array(buf, a, len);
  const i32 = (a: number, len: number): Int32Array => new Int32Array(buf, a, len);
  f64(addr.X, n * d).set(op.X);
  f64(addr.rowNorm, n).set(op.rowNorm);
  const cs = f64(addr.CS, P * n);
  for (let b = 0; b < B; b++) cs.set(CS.subarray(b * n, b * n + n), op.pattern[b] * n);
  const gram = keepGram ? f64(addr.gram, n * n) : null;
  if (gram !== null) fillGram(gram);
  const header = f64(addr.header, HEADER);
  header.set([n, d, addr.X, addr.rowNorm, addr.gram, addr.CS, 0, addr.pat, addr.Z, addr.U, addr.XU, addr.S, addr.M, 0, addr.done]);
  return {
    n, d, capacity: cap, exports: shared.instance.exports as unknown as ConeExports, shared, gram,
    pat: i32(addr.pat, cap), Z: f64(addr.Z, cap * d), S: i32(addr.S, cap * (d + 1)), M: i32(addr.M, cap),
    U: f64(addr.U, cap * d), XU: f64(addr.XU, cap * n), done: i32(addr.done, cap),
    ctl: i32(addr.ctl, 1 + MAX_THREADS),
    addr: { header: addr.header, ctl: addr.ctl, work: addr.work, workStride: addr.workStride },
    header, lastBatch: { jobs: 0, caller: 0, workers: 0 },
  };
}

/**
 * Run jobs 0..count−1 (inputs pat, Z, S, M filled by the caller) with relative feasibility
 * tolerance `tol`; on return U, XU, S, M hold every job's result (M[i] = −1: the method failed,
 * the caller's NNLS path decides). A batch of fewer than MIN_PARALLEL_JOBS runs on the caller.
 */
export function runConeBatch(k: ConeKernel, count: number, tol: number): void {
  if (count <= 0) return;
  if (count > k.capacity) throw new RangeError(`runConeBatch: ${count} jobs, capacity ${k.capacity}`);
  k.header[H_COUNT] = count;
  k.header[H_TOL] = tol;
  k.done.fill(0, 0, count);
  Atomics.store(k.ctl, 0, 0);
  const threads = count >= MIN_PARALLEL_JOBS ? threadCount() : 1;
  const { header, ctl, work, workStride } = k.addr;
  const run = parallelRun(k.shared, "projectBatch", threads, (t) => [header, ctl, work + t * workStride], { flags: ctl + 4, abort: -1, wake: -1 });
  Object.assign(k.lastBatch, { jobs: count, caller: run.callerResult, workers: run.workers });
  if (run.failed) {
    // Jobs a failed worker claimed but did not finish: run them here, one at a time.
    for (let i = 0; i < count; i++) {
      if (Atomics.load(k.done, i) === 1) continue;
      k.header[H_COUNT] = i + 1;
      Atomics.store(k.ctl, 0, i);
      k.lastBatch.caller += k.exports.projectBatch(header, ctl, work);
    }
    k.header[H_COUNT] = count;
  }
}
