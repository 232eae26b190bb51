import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { InputError, InterruptedError } from "../common/index.js";
import { openMetrics } from "./runFolder.js";
import { executeExperiment } from "./execute.js";
import type { ExperimentResult, RunSpec } from "./types.js";

/**
 * Where an experiment's computation runs: in this thread, or on a worker thread
 * (dist/experiments/experimentWorker.js) that the CLI uses so that Ctrl-C is heard while a
 * synchronous experiment computes — aborting the signal terminates the worker, and the run
 * folder keeps what was streamed to metrics.jsonl. Either way the experiment streams its
 * metrics to `<dir>/metrics.jsonl` and returns its result; the caller writes everything else.
 */

/** Options of one execution. */
export interface ExecuteOptions {
  /** Progress notes (ctx.log). */
  log?: (message: string) => void;
  /** Aborting stops the computation (worker executors only) with an InterruptedError(dir). */
  signal?: AbortSignal;
}

/** What an execution gives: the result and the number of records streamed to metrics.jsonl. */
export interface Execution {
  result: ExperimentResult;
  metrics: number;
}

/** Runs experiments into run folders' metrics.jsonl and returns their results. */
export interface ExperimentExecutor {
  readonly mode: "in-process" | "worker";
  run(spec: RunSpec, dir: string, opts?: ExecuteOptions): Promise<Execution>;
  /** Release the worker (a no-op in-process). */
  close(): Promise<void>;
}

/** A message from the experiment worker. */
export type ExperimentWorkerMessage =
  | { type: "log"; message: string }
  | { type: "result"; execution: Execution }
  | { type: "error"; error: { name: string; message: string; stack?: string; source?: string; field?: string } };

/** Execute `spec` in this thread, streaming its metrics to `<dir>/metrics.jsonl`. */
export async function executeIntoFolder(spec: RunSpec, dir: string, log?: (message: string) => void): Promise<Execution> {
  const metrics = openMetrics(dir);
  try {
    const result = await executeExperiment(spec, (r) => metrics.write(r), log);
    return { result, metrics: metrics.count };
  } finally {
    metrics.close();
  }
}

/** The in-process executor (library default; the only one from TypeScript sources). */
export const inProcessExecutor: ExperimentExecutor = {
  mode: "in-process",
  run: (spec, dir, opts = {}) => executeIntoFolder(spec, dir, opts.log),
  close: async () => undefined,
};

/** The compiled experiment worker next to this module, or null when running from sources. */
export function compiledExperimentWorkerUrl(): URL | null {
  const url = new URL("./experimentWorker.js", import.meta.url);
  return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : null;
}

/** An error posted by the worker, rebuilt (InputErrors keep their class, so messages stay one line). */
function rebuildError(e: { name: string; message: string; stack?: string; source?: string; field?: string }): Error {
  if (e.name === "InputError" && e.source !== undefined) {
    const prefix = `${e.source}${e.field ? `: ${e.field}` : ""}: `;
    return new InputError(e.source, e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message, e.field);
  }
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

/** Remove temporary files (`.NAME.pid.time.tmp`) a terminated worker may have left in `dir`. */
export function removeTemporaryFiles(dir: string): void {
  for (const sub of [dir, join(dir, "figures")]) {
    if (!existsSync(sub)) continue;
    for (const f of readdirSync(sub)) if (/^\..+\.tmp$/.test(f)) rmSync(join(sub, f), { force: true });
  }
}

/**
 * An executor on one persistent worker thread (reused for every run until close()). Aborting a
 * run's signal terminates the worker (a fresh one serves the next run) and rejects with
 * InterruptedError(dir).
 */
export function workerExecutor(url: URL): ExperimentExecutor {
  let worker: Worker | null = null;
  const get = (): Worker => (worker ??= new Worker(url));
  return {
    mode: "worker",
    async run(spec, dir, opts = {}) {
      const w = get();
      return new Promise<Execution>((resolve, reject) => {
        const cleanup = (): void => {
          w.off("message", onMessage);
          w.off("error", onError);
          w.off("exit", onExit);
          opts.signal?.removeEventListener("abort", onAbort);
        };
        const onMessage = (m: ExperimentWorkerMessage): void => {
          if (m.type === "log") return opts.log?.(m.message);
          cleanup();
          if (m.type === "result") resolve(m.execution);
          else reject(rebuildError(m.error));
        };
        const onError = (e: Error): void => {
          cleanup();
          worker = null;
          reject(e);
        };
        const onExit = (code: number): void => {
          cleanup();
          worker = null;
          reject(new Error(`the experiment worker exited with code ${code}`));
        };
        const onAbort = (): void => {
          cleanup();
          worker = null;
          void w.terminate().then(() => {
            removeTemporaryFiles(dir);
            reject(new InterruptedError(dir));
          });
        };
        w.on("message", onMessage);
        w.on("error", onError);
        w.on("exit", onExit);
        if (opts.signal?.aborted) return onAbort();
        opts.signal?.addEventListener("abort", onAbort, { once: true });
        w.postMessage({ spec, dir });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}

/** The executor the CLI uses: a worker when the compiled worker exists, else in-process. */
export function defaultExecutor(): ExperimentExecutor {
  const url = compiledExperimentWorkerUrl();
  return url === null ? inProcessExecutor : workerExecutor(url);
}
