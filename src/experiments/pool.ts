import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { InterruptedError } from "../common/index.js";
import { executeCell, type CellOutcome, type CellTask } from "./cellTask.js";
import { removeTemporaryFiles } from "./executor.js";
import { markIncomplete } from "./runFolder.js";

/**
 * The sweep's worker pool on node:worker_threads: up to `workers` threads (default 2, one per
 * core of the target machine), started on first use and kept for the next cell. runCells feeds
 * a list of cells through it (the local sweep); the queue worker (experiments/queue) runs each
 * cell it pulls from Redis through the same pool, so there is one way to run a cell.
 *
 * Workers run compiled JavaScript: the worker script is dist/experiments/sweepWorker.js,
 * found next to this module (`new URL("./sweepWorker.js", import.meta.url)`). When this module
 * runs from TypeScript sources (vitest, tsx) that file does not exist, and the pool falls back
 * to running the cells in-process, one after another — same outcomes, no parallelism. Tests of
 * the threaded path pass `workerUrl` pointing at the built dist/ worker. Workers only know the
 * kinds registered by kinds/index.ts; kinds registered at run time (tests) need in-process mode.
 */

/** Options of openCellPool and runCells. */
export interface PoolOptions {
  /** Number of worker threads (default 2). */
  workers?: number;
  /**
   * The worker script: a URL/path, `null` to force in-process execution, or undefined for the
   * compiled worker next to this module (in-process if it does not exist).
   */
  workerUrl?: URL | string | null;
  /** Called as each cell finishes (for progress bars; runCells only). */
  onDone?: (outcome: CellOutcome) => void;
  /**
   * Aborting stops the pool: running workers are terminated, their cells' folders marked
   * INCOMPLETE ("interrupted"), no further cell starts, and runCells rejects with
   * InterruptedError(null). In-process, the cell that is running finishes first.
   */
  signal?: AbortSignal;
}

/** Threads that run cells, reused from cell to cell. */
export interface CellPool {
  readonly mode: "threads" | "in-process";
  /**
   * Run one cell on a free thread (waiting for one if all are busy). Never rejects for a
   * failing cell (that is an outcome with ok: false; a crashed thread is replaced). Aborting
   * `signal` terminates the cell's thread, marks its folder INCOMPLETE and rejects with
   * InterruptedError(null); in-process the abort is heard only before the cell starts.
   */
  run(task: CellTask, signal?: AbortSignal): Promise<CellOutcome>;
  /** Terminate every thread. */
  close(): Promise<void>;
}

/** The compiled worker next to this module, or null when running from sources. */
export function compiledWorkerUrl(): URL | null {
  const url = new URL("./sweepWorker.js", import.meta.url);
  return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : null;
}

/** How runCells will execute with these options: "threads" or "in-process". */
export function poolMode(opts: PoolOptions = {}): "threads" | "in-process" {
  return resolveWorker(opts) === null ? "in-process" : "threads";
}

function resolveWorker(opts: PoolOptions): URL | null {
  if (opts.workerUrl === null) return null;
  if (opts.workerUrl === undefined) return compiledWorkerUrl();
  return typeof opts.workerUrl === "string" ? pathToFileURL(opts.workerUrl) : opts.workerUrl;
}

/** Open a pool of `opts.workers` threads (or the in-process stand-in). */
export function openCellPool(opts: PoolOptions = {}): CellPool {
  const url = resolveWorker(opts);
  return url === null ? inProcessPool() : threadPool(url, Math.max(1, opts.workers ?? 2));
}

/** In-process: cells run one after another in this thread. */
function inProcessPool(): CellPool {
  let last: Promise<unknown> = Promise.resolve();
  return {
    mode: "in-process",
    run(task, signal) {
      const next = last.then(() => {
        if (signal?.aborted) throw new InterruptedError(null);
        return executeCell(task);
      });
      last = next.catch(() => undefined);
      return next;
    },
    close: async () => undefined,
  };
}

/** Up to `size` threads, started when needed; a cell waits for a free one. */
function threadPool(url: URL, size: number): CellPool {
  const idle: Worker[] = [];
  const live = new Set<Worker>();
  const waiting: ((w: Worker) => void)[] = [];
  const start = (): Worker => {
    const w = new Worker(url);
    live.add(w);
    return w;
  };
  const acquire = (): Promise<Worker> => {
    const w = idle.pop();
    if (w !== undefined) return Promise.resolve(w);
    if (live.size < size) return Promise.resolve(start());
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (w: Worker): void => {
    const next = waiting.shift();
    if (next !== undefined) next(w);
    else idle.push(w);
  };
  const discard = async (w: Worker): Promise<void> => {
    live.delete(w);
    await w.terminate();
    const next = waiting.shift();
    if (next !== undefined) next(start());
  };
  return {
    mode: "threads",
    async run(task, signal) {
      const w = await acquire();
      try {
        const outcome = await runOnWorker(w, task, signal);
        release(w);
        return outcome;
      } catch (err) {
        await discard(w);
        if (err instanceof InterruptedError) {
          removeTemporaryFiles(task.dir);
          markIncomplete(task.dir, `interrupted at ${new Date().toISOString()}; the sweep runs this cell again when resumed`);
          throw err;
        }
        return { id: task.id, ok: false, error: `worker failed: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
    async close() {
      const all = [...live];
      live.clear();
      idle.length = 0;
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

/** Run every task on a pool of `opts.workers` threads; outcomes are returned in task order. */
export async function runCells(tasks: readonly CellTask[], opts: PoolOptions = {}): Promise<CellOutcome[]> {
  const queue = [...tasks];
  const done = new Map<string, CellOutcome>();
  const pool = openCellPool({ ...opts, workers: Math.max(1, Math.min(opts.workers ?? 2, queue.length)) });
  const lanes = pool.mode === "threads" ? Math.max(1, Math.min(opts.workers ?? 2, queue.length)) : 1;
  const lane = async (): Promise<void> => {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
      if (opts.signal?.aborted) throw new InterruptedError(null);
      const o = await pool.run(task, opts.signal);
      done.set(o.id, o);
      opts.onDone?.(o);
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    await pool.close();
  }
  return tasks.map((t) => done.get(t.id)!);
}

/** Send one task to a worker and wait for its outcome (rejects if the worker errors or exits, or on abort). */
function runOnWorker(worker: Worker, task: CellTask, signal?: AbortSignal): Promise<CellOutcome> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = (): void => {
      cleanup();
      reject(new InterruptedError(null));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const onMessage = (o: CellOutcome): void => {
      cleanup();
      resolve(o);
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`worker exited with code ${code}`));
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.postMessage(task);
  });
}
