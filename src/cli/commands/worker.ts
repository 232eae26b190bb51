import type { Command } from "commander";
import { InputError } from "../../common/index.js";
import { EXIT_INTERRUPTED, EXIT_OK } from "../exitCodes.js";
import { parseIntOption, printJson } from "../io.js";
import { loadQueue } from "./sweepQueue.js";

/** The defaults of `worker`, written once (help text and behaviour). */
const WORKER_DEFAULTS = { stallSeconds: 30, graceSeconds: 30 } as const;

interface WorkerCommandOptions {
  queue?: string;
  concurrency?: string;
  stallSeconds?: string;
  graceSeconds?: string;
  json?: boolean;
}

/** A positive number of seconds (fractions allowed), or undefined. */
function parseSeconds(option: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(v) || v < min || v > max) throw new InputError(option, `expected seconds in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  return v;
}

/**
 * `splitscape worker --queue URL`: pull sweep cells from the queue and run them until stopped.
 * Logs go to stderr, one line per event with its UTC time. SIGTERM or SIGINT stops it: no new
 * cell, running cells finish within --grace-seconds, then they are handed back; a second
 * signal hands them back at once. Exit 0 after SIGTERM, 130 after SIGINT.
 */
async function workerCommand(opts: WorkerCommandOptions): Promise<void> {
  if (opts.queue === undefined) throw new InputError("--queue", "required: the Redis URL of the queue (redis://[user:password@]HOST:PORT[/DB] or rediss://…)");
  const { parseQueueUrl, redactSecrets, startWorker } = await loadQueue();
  const address = parseQueueUrl(opts.queue, "--queue");
  const concurrency = parseIntOption("--concurrency", opts.concurrency, 1, 256);
  const stallSeconds = parseSeconds("--stall-seconds", opts.stallSeconds, 0.5, 86_400) ?? WORKER_DEFAULTS.stallSeconds;
  const graceSeconds = parseSeconds("--grace-seconds", opts.graceSeconds, 0, 86_400) ?? WORKER_DEFAULTS.graceSeconds;
  const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${redactSecrets(line, address)}\n`);
  };
  const worker = await startWorker({ address, concurrency, stallSeconds, log });
  const summary = await new Promise<Awaited<ReturnType<typeof worker.stop>>>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signal === "SIGINT") process.exitCode = EXIT_INTERRUPTED;
      log(signals === 1 ? `${signal}: stopping` : `${signal} again: handing back the running cells now`);
      void worker.stop(signals === 1 ? graceSeconds * 1000 : 0).then((s) => {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
        resolve(s);
      });
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  if (process.exitCode === undefined) process.exitCode = EXIT_OK;
  if (opts.json) printJson({ worker: worker.name, queue: address.display, ...summary });
}

/** Register `splitscape worker`. */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run sweep cells from a Redis queue (see `sweep --queue`) until stopped by SIGTERM or Ctrl-C; logs on stderr")
    .option("--queue <url>", "the queue: redis://[user:password@]HOST:PORT[/DB] or rediss:// (TLS); the password may come from SPLITSCAPE_REDIS_PASSWORD")
    .option("--concurrency <N>", "cells run at once, each on its own thread (default: the number of CPU cores)")
    .option("--stall-seconds <S>", `a running cell's lock lasts S seconds and is renewed every S/2; a cell whose worker died is run again after about 2·S (default ${WORKER_DEFAULTS.stallSeconds})`)
    .option("--grace-seconds <S>", `on SIGTERM, running cells may finish for S seconds before they are handed back to the queue (default ${WORKER_DEFAULTS.graceSeconds})`)
    .option("--json", "when stopped, print one JSON object (cells done, failed, refused, handed back)")
    .action((opts: WorkerCommandOptions) => workerCommand(opts));
}
