// The wasm engine of the cone projections (assembly/cone.ts): the Goldfarb–Idnani dual
// active-set projection of coneProx.ts in f64x2, on operands resident in one shared memory,
// run over a batch of blocks by the calling thread and up to `threads − 1` worker threads.
//
// Memory (created at its final size, never grown): a header of the batch's arguments, the
// control words (job counter, one flag per worker), X (n×d), ‖x_k‖, X Xᵀ (n×n when kept), the
// cone signs CS (P×n, per pattern), the job arrays for up to `capacity` jobs (pattern, z, u, X u,
// active rows, their count, done), and one scratch area per thread.
//
// Threads (Node only; elsewhere, or with SPLITSCAPE_THREADS=1, the caller runs every job): a
// process-wide pool of worker_threads, each holding an instance of the module per memory it
// has seen. A batch posts its memory to the workers, drains the job counter on the calling
// thread, then blocks in Atomics.wait until every worker has flagged the batch done — so the
// solver keeps its synchronous API. Jobs are claimed one at a time (atomic add), so the split
// adapts to uneven projection costs. A worker that does not answer within WORKER_TIMEOUT_MS is
// retired and the jobs it left unfinished are run by the caller.
import { InputError } from "../../common/errors.js";
import { wasmBase64 } from "../../linalg/kernels/cone.wasm.generated.js";
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

/** Most threads one batch uses (the caller and up to MAX_THREADS − 1 workers). */
const MAX_THREADS = 4;

/**
 * A batch smaller than this runs on the calling thread only: a round trip to a worker costs
 * ~78 µs (measured: a one-job batch, 2.4 µs on the caller), about a cold projection at d = 50.
 */
const MIN_PARALLEL_JOBS = 4;

/** A worker silent this long after the caller finished its share is retired. */
const WORKER_TIMEOUT_MS = 30_000;

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
  readonly memory: WebAssembly.Memory;
  /** Identifies the memory to the workers (their instance cache key). */
  readonly id: number;
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
  /** Control words: [0] job counter, [1 + w] worker w's flag (0 running, 1 done, 2 failed). */
  readonly ctl: Int32Array;
  readonly addr: { header: number; ctl: number; work: number; workStride: number };
  readonly header: Float64Array;
  /** The last batch: its jobs, how many the calling thread ran, and the workers it was offered to. */
  readonly lastBatch: { jobs: number; caller: number; workers: number };
}

let nextId = 1;

/**
 * The wasm engine for the cone projections of `op` (its X, row norms and cone signs copied in;
 * X Xᵀ computed into the kernel by `fillGram` when `keepGram`), or null when wasm SIMD, threads'
 * shared memory or the memory budget is unavailable (the TS path then runs).
 */
export function coneKernel(op: BlockOperator, keepGram: boolean, fillGram: (G: Float64Array) => void): ConeKernel | null {
  const CS = op.coneSign;
  if (CS === null) return null;
  coneThreads(); // a bad SPLITSCAPE_THREADS is reported when the solve starts, not mid-way
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
  const instance = instantiate(module, memory);
  if (instance === null) return null;
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
    n, d, capacity: cap, exports: instance.exports as unknown as ConeExports, memory, id: nextId++, gram,
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
 * the caller's NNLS path decides). `callerRuns` false leaves the jobs to the workers when there
 * are any (tests of the worker path).
 */
export function runConeBatch(k: ConeKernel, count: number, tol: number, callerRuns = true): void {
  if (count <= 0) return;
  if (count > k.capacity) throw new RangeError(`runConeBatch: ${count} jobs, capacity ${k.capacity}`);
  k.header[H_COUNT] = count;
  k.header[H_TOL] = tol;
  k.done.fill(0, 0, count);
  Atomics.store(k.ctl, 0, 0);
  const workers = count >= MIN_PARALLEL_JOBS || !callerRuns ? conePool() : [];
  for (let w = 0; w < workers.length; w++) {
    Atomics.store(k.ctl, 1 + w, 0);
    workers[w].postMessage({
      id: k.id, memory: k.memory, header: k.addr.header, counter: k.addr.ctl,
      work: k.addr.work + (1 + w) * k.addr.workStride, flag: k.addr.ctl + 4 * (1 + w),
    });
  }
  const caller = callerRuns || workers.length === 0 ? k.exports.projectBatch(k.addr.header, k.addr.ctl, k.addr.work) : 0;
  let failed = false;
  for (let w = 0; w < workers.length; w++) {
    const slot = 1 + w;
    if (Atomics.wait(k.ctl, slot, 0, WORKER_TIMEOUT_MS) === "timed-out" || Atomics.load(k.ctl, slot) !== 1) failed = true;
  }
  Object.assign(k.lastBatch, { jobs: count, caller, workers: workers.length });
  if (failed) {
    retirePool();
    // Jobs a lost worker claimed but did not finish: run them here, one at a time.
    for (let i = 0; i < count; i++) {
      if (Atomics.load(k.done, i) === 1) continue;
      k.header[H_COUNT] = i + 1;
      Atomics.store(k.ctl, 0, i);
      k.lastBatch.caller += k.exports.projectBatch(k.addr.header, k.addr.ctl, k.addr.work);
    }
    k.header[H_COUNT] = count;
  }
}

/** Minimal structural type of node:worker_threads' Worker (no Node types in browser builds). */
interface PoolWorker {
  postMessage(msg: unknown): void;
  unref(): void;
  terminate(): Promise<number>;
}

const pool: PoolWorker[] = [];
let retired = false;

/** Worker body: instantiate the module once per memory, drain the batch, flag the result. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const module = workerData.module;
const cache = new Map();
parentPort.on("message", (m) => {
  const flags = new Int32Array(m.memory.buffer);
  let status = 1;
  try {
    let inst = cache.get(m.id);
    if (inst === undefined) {
      inst = new WebAssembly.Instance(module, { env: { memory: m.memory, abort() { throw new Error("wasm kernel aborted"); } } });
      cache.set(m.id, inst);
      if (cache.size > 2) cache.delete(cache.keys().next().value);
    }
    inst.exports.projectBatch(m.header, m.counter, m.work);
  } catch (e) {
    status = 2;
  }
  Atomics.store(flags, m.flag >> 2, status);
  Atomics.notify(flags, m.flag >> 2);
});
`;

/**
 * Threads a batch may use: SPLITSCAPE_THREADS when set (1 = the caller only; not a positive
 * integer: InputError, exit 2 in the CLI), else the machine's available parallelism, at most
 * MAX_THREADS.
 */
export function coneThreads(): number {
  const env = typeof process === "object" ? process.env?.SPLITSCAPE_THREADS : undefined;
  if (env !== undefined && env !== "") {
    const t = Number(env);
    if (!(Number.isInteger(t) && t >= 1)) throw new InputError("SPLITSCAPE_THREADS", `expected a positive integer, got ${JSON.stringify(env)}`);
    return Math.min(t, MAX_THREADS);
  }
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>("node:os");
  if (os === null) return 1;
  return Math.max(1, Math.min(MAX_THREADS, os.availableParallelism?.() ?? os.cpus().length));
}

/** A Node builtin module loaded synchronously (process.getBuiltinModule, Node ≥ 20.16), or null. */
function nodeBuiltin<T>(name: string): T | null {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== "function") return null;
  try {
    return get(name) as T;
  } catch {
    return null;
  }
}

/**
 * The workers a batch may use now: coneThreads() − 1 of a process-wide pool that grows on
 * demand (unref'ed, so they never keep Node alive); none once the pool was retired or when
 * worker_threads is unavailable.
 */
function conePool(): PoolWorker[] {
  const want = coneThreads() - 1;
  if (retired || want <= 0) return [];
  if (pool.length < want) {
    const wt = nodeBuiltin<{ Worker: new (src: string, opts: object) => PoolWorker }>("node:worker_threads");
    const module = compileBase64(wasmBase64);
    if (wt === null || module === null) {
      retired = true;
      return [];
    }
    while (pool.length < want) {
      try {
        const worker = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: { module } });
        worker.unref();
        pool.push(worker);
      } catch {
        retired = true;
        return [];
      }
    }
  }
  return pool.slice(0, want);
}

/** Stop the workers; later batches run on the calling thread only. */
function retirePool(): void {
  for (const w of pool) void w.terminate();
  pool.length = 0;
  retired = true;
}
