import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { Job } from "bullmq";
import { InterruptedError } from "../../common/index.js";
import { VERSION } from "../../version.js";
import type { CellOutcome } from "../cellTask.js";
import { openCellPool, type CellPool } from "../pool.js";
import type { QueueAddress } from "./address.js";
import { checkConnection, describeConnectionError, loadDrivers, longLivedOptions, watchConnection, type Drivers } from "./connection.js";
import { isCellJobData, keys, parseCellJobId, QUEUE_NAME, RETENTION_SECONDS, type CellJobData, type CellJobResult } from "./jobs.js";
import { MAX_PAYLOAD_BYTES, packFolder } from "./payload.js";

/**
 * A queue worker (`splitscape worker --queue URL`): pulls sweep cells from Redis and runs each
 * on the same thread pool as a local sweep (pool.ts, one thread per concurrent cell, so the
 * main thread stays free to renew the cells' locks). Each cell runs into a scratch folder;
 * the folder is packed (payload.ts) and stored under keys.files before the job completes,
 * so the submitter needs no shared file system. A failing cell stores its (incomplete) folder
 * and throws, and BullMQ retries it with back-off until its attempts are spent.
 *
 * Locks and stalls: a running cell's lock lasts `stallSeconds` and is renewed every half of
 * that; a worker that dies (SIGKILL, power loss) stops renewing, and after at most about two
 * stall intervals another worker's stall check puts the cell back in the queue. A cell whose
 * workers die more than MAX_STALLS times fails (a cell that kills every worker that runs it).
 *
 * Versions: a worker whose splitscape version differs from the submitter's refuses the cell —
 * it logs why once per sweep, records it under keys.refusals (the submitter reports it) and
 * puts the cell back, delayed by REFUSAL_DELAY_MS, for a worker of the right version.
 *
 * Stopping (stop(graceMs), the CLI's SIGTERM): no new cell is taken; running cells may finish
 * for `graceMs`, then the rest are handed back (their threads terminated, their jobs moved back
 * to the queue at once, no attempt spent).
 */

/** Default stall interval (seconds): lock duration and time between stall checks. */
export const DEFAULT_STALL_SECONDS = 30;

/** A cell may be abandoned by this many dying workers before it fails. */
export const MAX_STALLS = 2;

/** How long a refused cell waits before it is offered again. */
export const REFUSAL_DELAY_MS = 5000;

/** Options of startWorker. */
export interface QueueWorkerOptions {
  address: QueueAddress;
  /** Cells run at once (threads); default: the machine's available parallelism. */
  concurrency?: number;
  /** Lock duration and stall-check interval, seconds (default 30). */
  stallSeconds?: number;
  /** One line per event (started, done, failed, refused, handed back, connection lost…). */
  log?: (line: string) => void;
  /** The pool's worker script (see pool.ts; tests from sources pass the dist/ one). */
  workerUrl?: URL | string | null;
}

/** What a worker did, reported when it stops. */
export interface WorkerSummary {
  done: number;
  failed: number;
  refused: number;
  handedBack: number;
}

/** A running worker. */
export interface QueueWorker {
  /** `host:pid/splitscape@version`: how the submitter and `sweep --status` name it. */
  readonly name: string;
  readonly concurrency: number;
  /**
   * Stop: take no new cell, let running ones finish for up to `graceMs`, then hand them
   * back. Calling it again (a second SIGTERM) with a shorter grace shortens the wait.
   */
  stop(graceMs: number): Promise<WorkerSummary>;
}

/** The worker's name. */
export function workerName(): string {
  return `${hostname()}:${process.pid}/splitscape@${VERSION}`;
}

/** Connect, and start pulling cells. Rejects (InputError, exit 2) when the address is unusable. */
export async function startWorker(opts: QueueWorkerOptions): Promise<QueueWorker> {
  const { address } = opts;
  const log = opts.log ?? (() => undefined);
  await checkConnection(address);
  const drivers = await loadDrivers();
  const name = workerName();
  const concurrency = Math.max(1, opts.concurrency ?? availableParallelism());
  const stallMs = Math.round(1000 * (opts.stallSeconds ?? DEFAULT_STALL_SECONDS));
  const connection = longLivedOptions(address);
  const redis = new drivers.Redis(connection);
  watchConnection(redis, address, (cause) => log(`lost the Redis server at ${address.display}: ${cause}; reconnecting`), () => log(`reconnected to ${address.display}`));
  const pool = openCellPool({ workers: concurrency, workerUrl: opts.workerUrl });
  const scratch = mkdtempSync(join(tmpdir(), "splitscape-worker-"));
  const handBack = new AbortController();
  const summary: WorkerSummary = { done: 0, failed: 0, refused: 0, handedBack: 0 };
  const refusedSweeps = new Set<string>();
  const cell = { drivers, redis, pool, scratch, handBack: handBack.signal, summary, log, name, refusedSweeps };
  const worker = new drivers.bullmq.Worker<CellJobData, CellJobResult>(QUEUE_NAME, (job, token) => processCell(cell, job, token), {
    connection,
    concurrency,
    name,
    lockDuration: stallMs,
    stalledInterval: stallMs,
    maxStalledCount: MAX_STALLS,
  });
  let lastError = "";
  worker.on("error", (err) => {
    const text = describeConnectionError(err as NodeJS.ErrnoException, address);
    if (text !== lastError && redis.status === "ready") log(`queue error: ${text}`);
    lastError = text;
  });
  worker.on("stalled", (jobId) => log(`cell ${jobId} stalled (the worker running it stopped answering); it is back in the queue`));
  await worker.waitUntilReady();
  log(`worker ${name} pulling cells from ${address.display} (queue ${QUEUE_NAME}), ${concurrency} at a time on ${pool.mode === "threads" ? "threads" : "this thread"}, stall interval ${stallMs / 1000} s`);

  let stopping: Promise<WorkerSummary> | null = null;
  let graceTimer: NodeJS.Timeout | undefined;
  return {
    name,
    concurrency,
    stop(graceMs) {
      clearTimeout(graceTimer);
      graceTimer = setTimeout(() => handBack.abort(), Math.max(0, graceMs));
      stopping ??= (async () => {
        log(`stopping: no new cells; running cells may finish for ${graceMs / 1000} s, then they are handed back`);
        await worker.close();
        clearTimeout(graceTimer);
        await pool.close();
        redis.disconnect();
        rmSync(scratch, { recursive: true, force: true });
        log(`stopped: ${summary.done} done, ${summary.failed} failed, ${summary.refused} refused, ${summary.handedBack} handed back`);
        return summary;
      })();
      return stopping;
    },
  };
}

/** What processCell needs of its worker. */
interface CellContext {
  drivers: Drivers;
  redis: InstanceType<Drivers["Redis"]>;
  pool: CellPool;
  scratch: string;
  handBack: AbortSignal;
  summary: WorkerSummary;
  log: (line: string) => void;
  name: string;
  refusedSweeps: Set<string>;
}

/** The BullMQ processor: run one cell and store its files; the job's return value is small. */
async function processCell(ctx: CellContext, job: Job<CellJobData, CellJobResult>, token: string | undefined): Promise<CellJobResult> {
  const { bullmq } = ctx.drivers;
  const id = job.id ?? "?";
  if (!isCellJobData(job.data) || parseCellJobId(id)?.cell !== job.data.cell) throw new bullmq.UnrecoverableError("not a splitscape sweep cell (the job's data has another shape)");
  const data = job.data;
  if (data.version !== VERSION) return refuse(ctx, job, token, data);
  const tries = `try ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1}`;
  ctx.log(`cell ${id} started (${data.spec.kind}, ${tries})`);
  // The folder's name is the cell's hash, as under the sweep's cells/ (run.json's id is it).
  const slot = join(ctx.scratch, id);
  const dir = join(slot, data.cell);
  rmSync(slot, { recursive: true, force: true });
  let outcome: CellOutcome;
  try {
    outcome = await ctx.pool.run({ id: data.cell, spec: data.spec, dir }, ctx.handBack);
  } catch (err) {
    rmSync(slot, { recursive: true, force: true });
    if (!(err instanceof InterruptedError)) throw err;
    await job.moveToDelayed(Date.now(), token);
    ctx.summary.handedBack++;
    ctx.log(`cell ${id} handed back to the queue (stopping)`);
    throw new bullmq.DelayedError();
  }
  const blob = packFolder(dir);
  rmSync(slot, { recursive: true, force: true });
  if (blob.length > MAX_PAYLOAD_BYTES) {
    ctx.summary.failed++;
    throw new bullmq.UnrecoverableError(`the cell's files are ${blob.length} bytes compressed, more than the queue carries (${MAX_PAYLOAD_BYTES})`);
  }
  await ctx.redis.set(keys.files(id), blob, "EX", RETENTION_SECONDS);
  if (!outcome.ok) {
    ctx.summary.failed++;
    ctx.log(`cell ${id} failed (${tries}): ${outcome.error}`);
    throw new Error(outcome.error);
  }
  ctx.summary.done++;
  ctx.log(`cell ${id} done in ${outcome.seconds.toFixed(2)} s (${outcome.pass ? "all verdicts pass" : "some verdicts fail"})`);
  return { worker: ctx.name, seconds: outcome.seconds, pass: outcome.pass, bytes: blob.length };
}

/** Refuse a cell of another version: say why (once per sweep), record it, put the cell back. */
async function refuse(ctx: CellContext, job: Job<CellJobData, CellJobResult>, token: string | undefined, data: CellJobData): Promise<never> {
  const why = `it runs splitscape ${VERSION}, the sweep was submitted with splitscape ${data.version}; run the same version on every machine`;
  if (!ctx.refusedSweeps.has(data.sweep)) {
    ctx.refusedSweeps.add(data.sweep);
    ctx.log(`refusing the cells of ${data.sweep}: ${why}`);
  }
  ctx.summary.refused++;
  await ctx.redis.multi().hset(keys.refusals(data.sweep), ctx.name, why).expire(keys.refusals(data.sweep), RETENTION_SECONDS).exec();
  await job.moveToDelayed(Date.now() + REFUSAL_DELAY_MS, token);
  throw new ctx.drivers.bullmq.DelayedError();
}
