// The worker pool of the wasm kernels: one process-wide set of `worker_threads` that run an
// export of a kernel module on a shared memory, side by side with the calling thread.
//
// A parallel kernel is a module compiled for a shared memory (scripts/build-wasm.mjs) whose
// entry point every thread runs on the same arguments in memory, claiming jobs from atomic
// counters there (see assembly/gemm.ts gemmThreaded). `parallelRun` posts the entry to up to
// threads − 1 workers, runs it on the caller, then blocks in Atomics.wait until every worker
// has flagged its return — so the kernels keep a synchronous API. Because jobs are claimed,
// a worker that starts late simply takes fewer jobs, and the caller's share grows.
//
// Results never depend on the thread count: a kernel's jobs are fixed by the problem, each job
// computes its part of the output with the same operations in the same order whichever thread
// runs it, and reductions over jobs happen in job order (tested bitwise against one thread).
//
// Workers: Node only (process.getBuiltinModule("node:worker_threads")); elsewhere, or with
// SPLITSCAPE_THREADS=1, the caller runs every job. Each worker instantiates a module once per
// memory it sees (a small cache). A worker whose entry throws flags the failure (and raises the
// kernel's abort word, so threads waiting at a barrier inside the kernel stop); the caller then
// retires the pool and `parallelRun` reports `failed`, and the kernel redoes the work on the
// calling thread. A worker that does not answer within WORKER_TIMEOUT_MS may still be writing
// to the memory, so that is an error (thrown), and the pool is retired.
import { InputError } from "../../common/errors.js";

/** Most threads (the caller and MAX_THREADS − 1 workers) one parallel run uses. */
export const MAX_THREADS = 8;

/** A worker silent this long after the caller finished its share is an error. */
export const WORKER_TIMEOUT_MS = 30_000;

/**
 * Threads the parallel kernels may use: SPLITSCAPE_THREADS when set (1 = the calling thread
 * only), else the machine's available parallelism; at most MAX_THREADS. A value that is not a
 * positive integer is an InputError (exit 2 in the CLI). Read at every parallel run, so a
 * change of the variable takes effect at the next call.
 *
 * @returns the thread count the parallel kernels may use now, 1 ≤ t ≤ MAX_THREADS
 * @example
 * ```ts
 * import { threadCount } from "splitscape";
 * process.env.SPLITSCAPE_THREADS = "1"; // make a timing single-threaded
 * console.log(threadCount()); // 1
 * ```
 */
export function threadCount(): number {
  const env = typeof process === "object" ? process.env?.SPLITSCAPE_THREADS : undefined;
  if (env !== undefined && env !== "") {
    const t = Number(env);
    if (!(Number.isInteger(t) && t >= 1)) {
      throw new InputError("SPLITSCAPE_THREADS", `expected a positive integer, got ${JSON.stringify(env)}`);
    }
    return Math.min(t, MAX_THREADS);
  }
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>("node:os");
  if (os === null) return 1;
  return Math.max(1, Math.min(MAX_THREADS, os.availableParallelism?.() ?? os.cpus().length));
}

/** A kernel module instantiated on a shared memory by the calling thread. */
export interface SharedKernel {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly instance: WebAssembly.Instance;
  /** Identifies the (module, memory) pair to the workers' instance caches. */
  readonly id: number;
}

let nextKernelId = 1;

/**
 * `module` instantiated on a new shared memory of `pages` pages (also its maximum: it never
 * grows), or null when shared memory or instantiation is unavailable (a browser page without
 * cross-origin isolation, an engine without threads).
 */
export function sharedKernel(module: WebAssembly.Module, pages: number): SharedKernel | null {
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
  return sharedKernelOn(module, memory);
}

/** `module` instantiated on an existing shared memory, or null when instantiation fails. */
export function sharedKernelOn(module: WebAssembly.Module, memory: WebAssembly.Memory): SharedKernel | null {
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, { env: { memory, abort: kernelAbort } });
  } catch {
    return null;
  }
  return { module, memory, instance, id: nextKernelId++ };
}

function kernelAbort(): never {
  throw new Error("wasm kernel aborted");
}

/** What one parallel run did. */
export interface ParallelOutcome {
  /** Workers the entry was posted to (0: the caller ran alone). */
  readonly workers: number;
  /**
   * True when the entry threw on a worker: its claimed jobs may be half done, the run must be
   * redone (a worker that could not even instantiate the module touched nothing, and the caller
   * took its share: not a failure, but the pool is retired all the same).
   */
  readonly failed: boolean;
  /** The caller's return value of the entry. */
  readonly callerResult: number;
}

/** Addresses (bytes, in the kernel's memory) of a parallel run's control words. */
export interface ParallelControl {
  /** threads − 1 consecutive i32 flags, one per worker (0 running, 1 done, 2 failed, 3 not started). */
  readonly flags: number;
  /** i32 set to 1 by a failing worker (the kernel's barriers watch it), or −1 for none. */
  readonly abort: number;
  /** i32 on which threads may wait inside the kernel (notified after abort), or −1. */
  readonly wake: number;
}

/**
 * Run export `entry` of `k` on `threads` threads: post it to threads − 1 pool workers with
 * `args(t)` (t = 1…threads − 1), run it on the caller with `args(0)` — or, when `caller` is
 * given, run `caller(workers)` instead (a session: the caller drives the workers through the
 * memory, and must make their entry return before it does) — and wait until every worker has
 * returned. Fewer workers are used when the pool is retired or unavailable; then the entry must
 * still finish the whole run on the caller (claimed jobs make that automatic).
 */
export function parallelRun(
  k: SharedKernel, entry: string, threads: number, args: (thread: number) => number[], ctl: ParallelControl,
  caller?: (workers: number) => number,
): ParallelOutcome {
  const flags = new Int32Array(k.memory.buffer);
  const workers = pool(threads - 1);
  for (let w = 0; w < workers.length; w++) {
    Atomics.store(flags, (ctl.flags >> 2) + w, 0);
    workers[w].post({
      key: k.id, module: k.module, memory: k.memory, entry: poolTesting.failWorkers ? "__missing__" : entry,
      args: args(w + 1), flag: ctl.flags + 4 * w, abort: ctl.abort, wake: ctl.wake,
    });
  }
  const fn = k.instance.exports[entry] as (...a: number[]) => number;
  let callerResult: number;
  try {
    if (caller !== undefined) callerResult = caller(workers.length);
    else callerResult = poolTesting.callerIdle && workers.length > 0 ? 0 : fn(...args(0));
  } catch (e) {
    // Release workers waiting inside the kernel, let them return, then report the error.
    if (ctl.abort >= 0) Atomics.store(flags, ctl.abort >> 2, 1);
    if (ctl.wake >= 0) Atomics.notify(flags, ctl.wake >> 2);
    for (let w = 0; w < workers.length; w++) Atomics.wait(flags, (ctl.flags >> 2) + w, 0, WORKER_TIMEOUT_MS);
    throw e;
  }
  let failed = false;
  let lost = false;
  for (let w = 0; w < workers.length; w++) {
    const slot = (ctl.flags >> 2) + w;
    if (Atomics.wait(flags, slot, 0, WORKER_TIMEOUT_MS) === "timed-out") {
      retirePool();
      throw new Error(`wasm worker pool: a worker did not answer within ${WORKER_TIMEOUT_MS / 1000} s`);
    }
    const status = Atomics.load(flags, slot);
    if (status === 2) failed = true;
    if (status !== 1) lost = true;
  }
  if (lost) retirePool();
  return { workers: workers.length, failed, callerResult };
}

/** Minimal structural type of node:worker_threads' Worker (no Node types in browser builds). */
interface NodeWorker {
  postMessage(msg: unknown): void;
  unref(): void;
  terminate(): Promise<number>;
}

/** A pool worker. */
interface PoolWorker {
  post(msg: WorkerMessage): void;
  terminate(): void;
}

interface WorkerMessage {
  key: number;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  entry: string;
  args: number[];
  flag: number;
  abort: number;
  wake: number;
}

const workersNow: PoolWorker[] = [];
let retired = false;

/**
 * Worker body: instantiate (module, memory) once (cache of 4, least recently used out), call
 * the entry, store 1 (returned), 2 (the entry threw) or 3 (no instance: nothing was touched) in
 * the flag — on a failure after raising the abort word and waking the waiters — and notify the
 * caller.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const cache = new Map();
parentPort.on("message", (m) => {
  const words = new Int32Array(m.memory.buffer);
  let status = 1;
  let started = false;
  try {
    let inst = cache.get(m.key);
    if (inst === undefined) {
      inst = new WebAssembly.Instance(m.module, { env: { memory: m.memory, abort() { throw new Error("wasm kernel aborted"); } } });
      if (cache.size >= 4) cache.delete(cache.keys().next().value);
    } else {
      cache.delete(m.key);
    }
    cache.set(m.key, inst);
    const entry = inst.exports[m.entry];
    started = true;
    entry(...m.args);
  } catch (e) {
    status = started ? 2 : 3;
    if (m.abort >= 0) Atomics.store(words, m.abort >> 2, 1);
    if (m.wake >= 0) Atomics.notify(words, m.wake >> 2);
  }
  Atomics.store(words, m.flag >> 2, status);
  Atomics.notify(words, m.flag >> 2);
});
`;

/**
 * `want` workers of the process-wide pool (created on demand, unref'ed so they never keep Node
 * alive); fewer (none) once the pool is retired or when worker_threads is unavailable.
 */
function pool(want: number): PoolWorker[] {
  if (retired || want <= 0) return [];
  if (workersNow.length < want) {
    const wt = nodeBuiltin<{ Worker: new (src: string, opts: object) => NodeWorker }>("node:worker_threads");
    if (wt === null) {
      retired = true;
      return [];
    }
    while (workersNow.length < want) {
      try {
        const worker = new wt.Worker(WORKER_SOURCE, { eval: true });
        worker.unref();
        workersNow.push({ post: (m) => worker.postMessage(m), terminate: () => void worker.terminate() });
      } catch {
        break;
      }
    }
  }
  return workersNow.slice(0, want);
}

/** Stop the workers; later runs use the calling thread only. */
function retirePool(): void {
  for (const w of workersNow) w.terminate();
  workersNow.length = 0;
  retired = true;
}

/**
 * Test hooks: `callerIdle` leaves every job to the workers (when there are any), so a test
 * knows the workers computed the result; `failWorkers` makes every worker throw (the failure
 * path); `revive()` undoes a retirement. Never set outside tests.
 */
export const poolTesting = {
  callerIdle: false,
  failWorkers: false,
  revive(): void {
    retired = false;
  },
  /** Live pool workers. */
  size(): number {
    return workersNow.length;
  },
};

/** A Node builtin module loaded synchronously (process.getBuiltinModule, Node ≥ 20.16), or null. */
export function nodeBuiltin<T>(name: string): T | null {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== "function") return null;
  try {
    return get(name) as T;
  } catch {
    return null;
  }
}
