import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { InterruptedError } from "../common/index.js";
import { executeCell, type CellOutcome, type CellTask } from "./cellTask.js";
import { removeTemporaryFiles } from "./executor.js";
import { markIncomplete } from "./runFolder.js";

/**
 * The sweep's worker pool on node:worker_threads: `workers` threads (default 2, one per core
 * of the target machine) each take the next cell from a shared queue until it is empty.
 *
 * Workers run compiled JavaScript: the worker script is dist/experiments/sweepWorker.js,
 * found next to this module (`new URL("./sweepWorker.js", import.meta.url)`). When this module
 * runs from TypeScript sources (vitest, tsx) that file does not exist, and the pool falls back
 * to running the cells in-process, one after another — same outcomes, no parallelism. Tests of
 * the threaded path pass `workerUrl` pointing at the built dist/ worker. Workers only know the
 * kinds registered by kinds/index.ts; kinds registered at run time (tests) need in-process mode.
 */

/** Options of runCells. */
export interface PoolOptions {
  /** Number of worker threads (default 2). */
  workers?: number;
  /**
   * The worker script: a URL/path, `null` to force in-process execution, or undefined for the
   * compiled worker next to this module (in-process if it does not exist).
   */
  workerUrl?: URL | string | null;
  /** Called as each cell finishes (for progress bars). */
  onDone?: (outcome: CellOutcome) => void;
  /**
   * Aborting stops the pool: running workers are terminated, their cells' folders marked
   * INCOMPLETE ("interrupted"), no further cell starts, and runCells rejects with
   * InterruptedError(null). In-process, the cell that is running finishes first.
   */
  signal?: AbortSignal;
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

/** Run every task; outcomes are returned in task order. */
export async function runCells(tasks: readonly CellTask[], opts: PoolOptions = {}): Promise<CellOutcome[]> {
  const url = resolveWorker(opts);
  const queue = [...tasks];
  const done = new Map<string, CellOutcome>();
  const record = (o: CellOutcome): void => {
    done.set(o.id, o);
    opts.onDone?.(o);
  };
  if (url === null) {
    for (const t of queue) {
      if (opts.signal?.aborted) throw new InterruptedError(null);
      record(await executeCell(t));
    }
  } else {
    const n = Math.max(1, Math.min(opts.workers ?? 2, queue.length));
    await Promise.all(Array.from({ length: n }, () => workerLoop(url, queue, record, opts.signal)));
  }
  return tasks.map((t) => done.get(t.id)!);
}

/** One worker taking tasks from the shared queue; a crashed worker is replaced. */
async function workerLoop(url: URL, queue: CellTask[], record: (o: CellOutcome) => void, signal?: AbortSignal): Promise<void> {
  let worker = new Worker(url);
  try {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
      if (signal?.aborted) throw new InterruptedError(null);
      try {
        record(await runOnWorker(worker, task, signal));
      } catch (err) {
        if (err instanceof InterruptedError) {
          removeTemporaryFiles(task.dir);
          markIncomplete(task.dir, `interrupted (SIGINT) at ${new Date().toISOString()}; the sweep runs this cell again when resumed`);
          throw err;
        }
        record({ id: task.id, ok: false, error: `worker failed: ${err instanceof Error ? err.message : String(err)}` });
        await worker.terminate();
        worker = new Worker(url);
      }
    }
  } finally {
    await worker.terminate();
  }
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
      void worker.terminate().then(() => reject(new InterruptedError(null)));
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
