import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Dataset } from "../data/index.js";
import type { Progress } from "../dynamics/index.js";
import type { Model } from "../model/index.js";
import { trainModel, type TrainOutcome, type TrainSettings } from "./training.js";

/**
 * `splitscape train` runs the training on a worker thread (dist/experiments/trainWorker.js) so
 * that the main thread stays free to hear Ctrl-C while the synchronous integrator runs: an
 * aborted `signal` sets a flag in shared memory that the training loop reads at every accepted
 * step, and the run ends there with everything computed so far (`interrupted: true`). From
 * TypeScript sources (tests) the worker script does not exist and the training runs in-process,
 * with the same numbers (the flag is then only read, never set mid-run).
 */

/** What the worker is sent. */
export interface TrainJob {
  model: Model;
  ds: Dataset;
  settings: TrainSettings;
  /** One Int32 in shared memory: 0 run, 1 stop at the next accepted step. */
  interrupt: SharedArrayBuffer;
}

/** What the worker posts back. */
export type TrainWorkerMessage =
  | { type: "progress"; progress: Progress }
  | { type: "done"; outcome: TrainOutcome };

/** Options of trainIsolated. */
export interface TrainIsolatedOptions {
  onProgress?: (p: Progress) => void;
  /** Aborting stops the run at its next accepted step. */
  signal?: AbortSignal;
  /** The worker script, null for in-process, undefined for the compiled one next to this module. */
  workerUrl?: URL | null;
}

/** The outcome of trainIsolated: trainModel's, and whether the signal stopped it. */
export interface IsolatedTrainOutcome extends TrainOutcome {
  interrupted: boolean;
}

/** The outcome without what cannot cross a thread boundary (the live trajectory and its metric functions). */
export function cloneableOutcome(o: TrainOutcome): TrainOutcome {
  return { ...o, result: { ...o.result, trajectory: null } };
}

/** The compiled train worker next to this module, or null when running from sources. */
export function compiledTrainWorkerUrl(): URL | null {
  const url = new URL("./trainWorker.js", import.meta.url);
  return url.protocol === "file:" && existsSync(fileURLToPath(url)) ? url : null;
}

/** Train on a worker thread (see above); resolves with the outcome, interrupted or not. */
export async function trainIsolated(model: Model, ds: Dataset, settings: TrainSettings, opts: TrainIsolatedOptions = {}): Promise<IsolatedTrainOutcome> {
  const url = opts.workerUrl === undefined ? compiledTrainWorkerUrl() : opts.workerUrl;
  if (url === null) {
    const outcome = trainModel(model, ds, settings, { onProgress: opts.onProgress, shouldStop: () => opts.signal?.aborted === true });
    return { ...outcome, interrupted: outcome.result.stop === "callback" };
  }
  const interrupt = new SharedArrayBuffer(4);
  const flag = new Int32Array(interrupt);
  const worker = new Worker(url);
  const onAbort = (): void => void Atomics.store(flag, 0, 1);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  try {
    const outcome = await new Promise<TrainOutcome>((resolve, reject) => {
      worker.on("message", (m: TrainWorkerMessage) => {
        if (m.type === "progress") opts.onProgress?.(m.progress);
        else resolve(m.outcome);
      });
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the training worker exited with code ${code}`)));
      const job: TrainJob = { model, ds, settings, interrupt };
      worker.postMessage(job);
    });
    return { ...outcome, interrupted: outcome.result.stop === "callback" };
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    await worker.terminate();
  }
}
