import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { InputError } from "../../common/index.js";
import { VERSION } from "../../version.js";
import type { QueueAddress } from "./address.js";
import { checkConnection, loadDrivers, longLivedOptions } from "./connection.js";
import { cellJobId, keys, parseCellJobId, QUEUE_NAME } from "./jobs.js";
import { jobStates } from "./states.js";

/**
 * `splitscape sweep --status URL [SWEEP]` and `--cancel URL SWEEP`: what the queue holds for
 * a sweep (from its record, keys.sweep, and its cells' job states), and cancelling it —
 * every job of the sweep that has not started (queued, or waiting for a retry) is removed, and
 * the sweep is marked cancelled, which stops a submitter that is waiting for it. Running cells
 * finish on their workers; finished results stay in Redis until collected or expired, so
 * submitting the sweep again uses them and runs only what was removed.
 */

/** Cell counts of a sweep by where the cells are. */
export interface SweepCellCounts {
  /** In the submitter's folder. */
  collected: number;
  /** Finished on a worker, waiting to be collected. */
  finished: number;
  /** Failed for good (attempts spent), waiting to be collected. */
  failed: number;
  running: number;
  /** Waiting for a worker. */
  queued: number;
  /** Waiting to be retried, or refused by a worker of another version. */
  delayed: number;
  /** Neither collected nor in the queue (cancelled, expired, or lost by Redis). */
  missing: number;
}

/** A sweep's state in the queue. */
export interface SweepStatus {
  sweep: string;
  kind: string;
  /** The submitter's splitscape version. */
  version: string;
  /** "running" (a submitter is or was waiting), "complete", or "cancelled". */
  status: string;
  submitted: string;
  submitter: string;
  /** The submitter's sweep folder (on its machine). */
  folder: string;
  cells: number;
  counts: SweepCellCounts;
  /** Running cells and their workers. */
  running: { cell: string; worker: string | null }[];
  /** Workers that refused the sweep's cells, and why. */
  refusals: { worker: string; why: string }[];
}

/** A worker connected to the queue. */
export interface QueueWorkerInfo {
  name: string;
  /** Its splitscape version (from its name), or null. */
  version: string | null;
}

/** What `sweep --status` shows. */
export interface QueueStatus {
  /** The server, without credentials. */
  server: string;
  redisVersion: string;
  workers: QueueWorkerInfo[];
  sweeps: SweepStatus[];
}

/** A short-lived connection: the queue and a client for splitscape's keys. */
async function openReader(address: QueueAddress): Promise<{ queue: Queue; redis: Redis; close(): Promise<void> }> {
  const { bullmq, Redis } = await loadDrivers();
  const connection = longLivedOptions(address);
  const redis = new Redis(connection);
  redis.on("error", () => undefined);
  const queue = new bullmq.Queue(QUEUE_NAME, { connection });
  queue.on("error", () => undefined);
  await queue.waitUntilReady();
  return {
    queue,
    redis,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

/** The sweep names in the queue (records that expired are dropped from the set). */
async function sweepNames(redis: Redis): Promise<string[]> {
  const names = (await redis.smembers(keys.sweeps)).sort();
  const exists = await Promise.all(names.map((n) => redis.exists(keys.sweep(n))));
  const gone = names.filter((_, i) => exists[i] === 0);
  if (gone.length > 0) await redis.srem(keys.sweeps, ...gone);
  return names.filter((_, i) => exists[i] === 1);
}

/** InputError for a sweep the queue does not know. */
function unknownSweep(address: QueueAddress, sweep: string, known: readonly string[]): InputError {
  const list = known.length === 0 ? "it holds no sweeps" : `its sweeps: ${known.join(", ")}`;
  return new InputError(sweep, `no such sweep in the queue at ${address.display} (${list})`);
}

/** One sweep's status (null when there is no record of it). */
async function statusOf(queue: Queue, redis: Redis, sweep: string): Promise<SweepStatus | null> {
  const record = await redis.hgetall(keys.sweep(sweep));
  if (record.name === undefined) return null;
  const hashes = JSON.parse(record.cellHashes ?? "[]") as string[];
  const collected = new Set(await redis.smembers(keys.collected(sweep)));
  const ids = hashes.filter((h) => !collected.has(h)).map((h) => cellJobId(sweep, h, record.version));
  const states = await jobStates(queue, ids);
  const counts: SweepCellCounts = { collected: hashes.length - ids.length, finished: 0, failed: 0, running: 0, queued: 0, delayed: 0, missing: 0 };
  for (const state of states.values()) {
    if (state === "completed") counts.finished++;
    else if (state === "failed") counts.failed++;
    else if (state === "active") counts.running++;
    else if (state === "delayed") counts.delayed++;
    else if (state === "unknown") counts.missing++;
    else counts.queued++;
  }
  const running = (await queue.getActive())
    .filter((j) => j.id !== undefined && states.has(j.id))
    .map((j) => ({ cell: parseCellJobId(j.id!)?.cell ?? j.id!, worker: j.processedBy ?? null }));
  const refusals = Object.entries(await redis.hgetall(keys.refusals(sweep))).map(([worker, why]) => ({ worker, why }));
  return {
    sweep,
    kind: record.kind ?? "?",
    version: record.version ?? "?",
    status: record.status ?? "?",
    submitted: record.submitted ?? "?",
    submitter: record.submitter ?? "?",
    folder: record.folder ?? "?",
    cells: hashes.length,
    counts,
    running,
    refusals,
  };
}

/** The queue's workers, with the version each runs (their names end in `/splitscape@VERSION`). */
async function workersOf(queue: Queue): Promise<QueueWorkerInfo[]> {
  const clients = await queue.getWorkers();
  return clients
    .map((c) => String(c.rawname ?? c.name ?? ""))
    .map((raw) => raw.replace(/^.*?:w:/, ""))
    .filter((n) => n !== "")
    .sort()
    .map((name) => ({ name, version: /\/splitscape@(.+)$/.exec(name)?.[1] ?? null }));
}

/** The status of one sweep (`sweep`), or of every sweep in the queue. */
export async function queueStatus(address: QueueAddress, sweep?: string): Promise<QueueStatus> {
  const { redisVersion } = await checkConnection(address);
  const r = await openReader(address);
  try {
    const names = await sweepNames(r.redis);
    if (sweep !== undefined && !names.includes(sweep)) throw unknownSweep(address, sweep, names);
    const sweeps: SweepStatus[] = [];
    for (const n of sweep === undefined ? names : [sweep]) {
      const s = await statusOf(r.queue, r.redis, n);
      if (s !== null) sweeps.push(s);
    }
    return { server: address.display, redisVersion, workers: await workersOf(r.queue), sweeps };
  } finally {
    await r.close();
  }
}

/** What cancelling removed. */
export interface CancelOutcome {
  sweep: string;
  /** Jobs removed: queued, or waiting for a retry. */
  removed: number;
  /** Cells still running: they finish, and their results are kept for a re-submission. */
  running: number;
  /** Finished (or failed) cells not yet collected: kept for a re-submission. */
  kept: number;
}

/** Cancel a sweep: mark it cancelled and remove every job of it that has not started. */
export async function cancelSweep(address: QueueAddress, sweep: string): Promise<CancelOutcome> {
  await checkConnection(address, { option: "--cancel" });
  const r = await openReader(address);
  try {
    const names = await sweepNames(r.redis);
    if (!names.includes(sweep)) throw unknownSweep(address, sweep, names);
    const record = await r.redis.hgetall(keys.sweep(sweep));
    await r.redis.hset(keys.sweep(sweep), "status", "cancelled", "cancelled", new Date().toISOString());
    const hashes = JSON.parse(record.cellHashes ?? "[]") as string[];
    const ids = hashes.map((h) => cellJobId(sweep, h, record.version ?? VERSION));
    let removed = 0;
    let running = 0;
    let kept = 0;
    for (const [id, state] of await jobStates(r.queue, ids)) {
      if (state === "unknown") continue;
      if (state === "active") {
        running++;
        continue;
      }
      if (state === "completed" || state === "failed") {
        kept++;
        continue;
      }
      try {
        await r.queue.remove(id);
        await r.redis.del(keys.files(id));
        removed++;
      } catch {
        running++; // it started meanwhile: it is locked by its worker
      }
    }
    return { sweep, removed, running, kept };
  } finally {
    await r.close();
  }
}
