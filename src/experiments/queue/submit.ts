import { hostname } from "node:os";
import { resolve } from "node:path";
import { InterruptedError } from "../../common/index.js";
import { VERSION } from "../../version.js";
import type { CellOutcome, CellTask } from "../cellTask.js";
import type { LoadedSpec } from "../spec.js";
import { finishSweep, interruptSweep, prepareSweep, sweepFolderName, type PreparedSweep, type SweepOptions, type SweepOutcome } from "../sweep.js";
import type { QueueAddress } from "./address.js";
import { collectCell } from "./collect.js";
import { checkConnection } from "./connection.js";
import { cellJobId, cellJobOptions, DEFAULT_ATTEMPTS, keys, RETENTION_SECONDS, type CellJobData } from "./jobs.js";
import { ProgressTally, type QueueProgress } from "./progress.js";
import { openSession, type QueueSession } from "./session.js";
import { jobStates, raceAbort } from "./states.js";

/**
 * A sweep through the queue (`splitscape sweep SPEC --queue URL`): the same three steps as a
 * local sweep — prepareSweep, run the tasks, finishSweep — with the middle step done by
 * workers on other machines. The submitter
 *   1. checks the connection (a bad URL, an unreachable server or a wrong password is exit 2
 *      before anything is written),
 *   2. records the sweep (keys.sweep) and adds one job per cell not yet finished in the
 *      folder (an add whose job id exists is ignored: re-submitting is idempotent),
 *   3. waits: completions are heard as they happen (QueueEvents); at once after a reconnection,
 *      and otherwise every fullCheckInterval(outstanding cells) (2 s + 5 ms a cell), the
 *      state of every outstanding cell is read, so a completion missed while the submitter or
 *      Redis was away is still found; a finished cell is collected into cells/<hash>/
 *      (collect.ts); a cell whose job vanished (Redis lost its data, or someone removed it)
 *      is submitted again,
 *   4. writes the summary, figures and report exactly as a local sweep does.
 * Killed and restarted, it finds the cells already collected in the folder and the ones that
 * finished meanwhile in Redis; nothing that finished runs again.
 */

/** Between reads of every outstanding cell's state: FULL_CHECK_MS + FULL_CHECK_MS_PER_CELL a cell. */
const FULL_CHECK_MS = 2000;
const FULL_CHECK_MS_PER_CELL = 5;

/**
 * The wait between two full checks with `outstanding` cells. A full check costs one state
 * query per cell, and only finds what events missed (while the submitter or Redis was away,
 * and then it runs at once on reconnection) or jobs that vanished, so it is spaced out with
 * the sweep's size: 2 s for a few cells, 7 s for 1000 — instead of doubling the submitter's
 * Redis traffic on a large sweep of quick cells.
 */
function fullCheckInterval(outstanding: number): number {
  return FULL_CHECK_MS + FULL_CHECK_MS_PER_CELL * outstanding;
}
/** Between two looks at running cells, refusals and cancellation. */
const WATCH_MS = 500;
/** The longest wait for a completion event before looking again. */
const POLL_MS = 250;

/** What the submitter is about to wait for. */
export interface QueuedPlan {
  /** The sweep's name (its jobs' prefix; `sweep --status URL NAME`). */
  sweep: string;
  dir: string;
  /** Cells of the grid. */
  total: number;
  /** Cells already complete in the folder. */
  reused: number;
  /** Cells to wait for. */
  toRun: number;
  /** Of those, cells whose jobs were already in the queue (finished, running or waiting). */
  alreadyQueued: number;
}

/** Options of runQueuedSweep. */
export interface QueuedSweepOptions extends Pick<SweepOptions, "outDir" | "dir" | "maxCells" | "signal"> {
  address: QueueAddress;
  /** Tries of a failing cell (default DEFAULT_ATTEMPTS = 3). */
  attempts?: number;
  onPlan?: (plan: QueuedPlan) => void;
  onProgress?: (progress: QueueProgress) => void;
  /** Things the user should hear about: refusals, a lost connection, resubmitted cells. */
  onNotice?: (message: string) => void;
}

/** Run a validated spec's grid through the queue at `opts.address` and collect it. */
export async function runQueuedSweep(loaded: LoadedSpec, opts: QueuedSweepOptions): Promise<SweepOutcome> {
  const { address, signal } = opts;
  const notice = opts.onNotice ?? (() => undefined);
  await checkConnection(address);
  const sweep = prepareSweep(loaded, opts);
  const name = sweepFolderName(loaded);
  let session: QueueSession | undefined;
  const checks = { fullNow: false };
  try {
    session = await raceAbort(openSession(address, {
      onLost: (cause) => notice(`lost the Redis server at ${address.display}: ${cause}; reconnecting (the workers keep their cells)`),
      onBack: () => {
        checks.fullNow = true; // completions may have been missed while the connection was down
        notice(`reconnected to ${address.display}`);
      },
    }), signal);
    await raceAbort(registerSweep(session, name, sweep), signal);
    const { outstanding, alreadyQueued } = await raceAbort(submitCells(session, name, sweep.tasks, opts.attempts ?? DEFAULT_ATTEMPTS), signal);
    opts.onPlan?.({ sweep: name, dir: sweep.dir, total: sweep.cells.length, reused: sweep.finished.length, toRun: sweep.tasks.length, alreadyQueued });
    const ran = await waitForCells(session, name, outstanding, { ...opts, checks }, notice);
    const outcome = await finishSweep(sweep, ran, "queue");
    await session.redis.hset(keys.sweep(name), "status", "complete", "finished", new Date().toISOString());
    return outcome;
  } catch (err) {
    if (!(err instanceof InterruptedError)) throw err;
    if (err.message === "cancelled") throw interruptSweep(sweep, "cancelled (splitscape sweep --cancel)", "the sweep was cancelled (splitscape sweep --cancel)");
    throw interruptSweep(sweep, "interrupted (SIGINT); the queued cells keep running on the workers", "interrupted; the queued cells keep running on the workers, and the same command collects them");
  } finally {
    await session?.close();
  }
}

/** Record the sweep (status "running") and which of its cells are already in the folder. */
async function registerSweep(session: QueueSession, name: string, sweep: PreparedSweep): Promise<void> {
  const { spec } = sweep.loaded;
  const record = {
    name,
    kind: spec.kind,
    version: VERSION,
    cells: String(sweep.cells.length),
    cellHashes: JSON.stringify(sweep.cells.map((c) => c.hash)),
    grid: JSON.stringify(sweep.grid),
    status: "running",
    submitted: new Date().toISOString(),
    submitter: `${hostname()}:${process.pid}`,
    folder: resolve(sweep.dir),
  };
  const m = session.redis.multi()
    .del(keys.sweep(name), keys.collected(name), keys.refusals(name))
    .hset(keys.sweep(name), record)
    .expire(keys.sweep(name), RETENTION_SECONDS)
    .sadd(keys.sweeps, name);
  if (sweep.finished.length > 0) m.sadd(keys.collected(name), ...sweep.finished.map((c) => c.hash)).expire(keys.collected(name), RETENTION_SECONDS);
  await m.exec();
}

/** The job of a task. */
function jobOf(name: string, task: CellTask, attempts: number): { name: string; data: CellJobData; opts: ReturnType<typeof cellJobOptions> } {
  const id = cellJobId(name, task.id);
  return { name: task.spec.kind, data: { sweep: name, cell: task.id, spec: task.spec, version: VERSION }, opts: cellJobOptions(id, attempts) };
}

/** Add the jobs of `tasks` that are not in the queue; the outstanding cells by job id. */
async function submitCells(session: QueueSession, name: string, tasks: readonly CellTask[], attempts: number): Promise<{ outstanding: Map<string, CellTask>; alreadyQueued: number }> {
  const outstanding = new Map(tasks.map((t) => [cellJobId(name, t.id), t] as const));
  const states = await jobStates(session.queue, [...outstanding.keys()]);
  const missing = [...outstanding].filter(([id]) => states.get(id) === "unknown").map(([, t]) => jobOf(name, t, attempts));
  for (let i = 0; i < missing.length; i += 200) await session.queue.addBulk(missing.slice(i, i + 200));
  return { outstanding, alreadyQueued: outstanding.size - missing.length };
}

/** Wait until every outstanding cell is collected; their outcomes, in collection order. */
async function waitForCells(
  session: QueueSession,
  name: string,
  outstanding: Map<string, CellTask>,
  opts: QueuedSweepOptions & { checks: { fullNow: boolean } },
  notice: (message: string) => void,
): Promise<CellOutcome[]> {
  const { signal } = opts;
  const attempts = opts.attempts ?? DEFAULT_ATTEMPTS;
  const tally = new ProgressTally(outstanding.size);
  const pending = new Set<string>();
  let wake: (() => void) | null = null;
  const poke = (): void => wake?.();
  const onFinished = ({ jobId }: { jobId: string }): void => {
    if (!outstanding.has(jobId)) return;
    pending.add(jobId);
    poke();
  };
  session.events.on("completed", onFinished);
  session.events.on("failed", onFinished);
  signal?.addEventListener("abort", poke);
  const refusals = new Set<string>();
  const ran: CellOutcome[] = [];
  let nextFull = 0;
  let nextWatch = 0;
  try {
    opts.onProgress?.(tally.snapshot());
    while (outstanding.size > 0) {
      if (signal?.aborted) throw new InterruptedError(null);
      const now = Date.now();
      let changed = false;
      // Cancellation is seen before any missing job is submitted again.
      if (now >= nextWatch) {
        nextWatch = now + WATCH_MS;
        await raceAbort(watchSweep(session, name, outstanding, tally, refusals, notice), signal);
        changed = true;
      }
      const full = now >= nextFull || opts.checks.fullNow;
      if (full) {
        nextFull = now + fullCheckInterval(outstanding.size);
        opts.checks.fullNow = false;
      }
      const ids = full ? [...outstanding.keys()] : [...pending].filter((id) => outstanding.has(id));
      pending.clear();
      for (const [id, state] of await raceAbort(jobStates(session.queue, ids), signal)) {
        const task = outstanding.get(id)!;
        if (state === "completed" || state === "failed") {
          const c = await raceAbort(collectCell(session, name, id, task, state), signal);
          if (c === null) {
            notice(`the results of cell ${task.id} were lost from Redis; submitted it again`);
            await resubmit(session, name, task, attempts);
            continue;
          }
          outstanding.delete(id);
          ran.push(c.outcome);
          tally.collected(c.worker, c.outcome.ok);
          changed = true;
        } else if (state === "unknown" && full) {
          notice(`cell ${task.id} vanished from the queue (a Redis restart without its data, or a removed job); submitted it again`);
          await resubmit(session, name, task, attempts);
        }
      }
      if (changed) opts.onProgress?.(tally.snapshot());
      if (outstanding.size > 0 && pending.size === 0 && !signal?.aborted) {
        await new Promise<void>((done) => {
          const timer = setTimeout(done, POLL_MS);
          wake = () => {
            clearTimeout(timer);
            done();
          };
        });
        wake = null;
      }
    }
  } finally {
    session.events.off("completed", onFinished);
    session.events.off("failed", onFinished);
    signal?.removeEventListener("abort", poke);
  }
  return ran;
}

/** Add a cell's job again — unless the sweep was cancelled meanwhile (then stop waiting). */
async function resubmit(session: QueueSession, name: string, task: CellTask, attempts: number): Promise<void> {
  if ((await session.redis.hget(keys.sweep(name), "status")) === "cancelled") throw new InterruptedError(null, "cancelled");
  const job = jobOf(name, task, attempts);
  await session.queue.add(job.name, job.data, job.opts);
}

/** Running cells by worker, new refusals (each told once), and cancellation. */
async function watchSweep(
  session: QueueSession,
  name: string,
  outstanding: Map<string, CellTask>,
  tally: ProgressTally,
  told: Set<string>,
  notice: (message: string) => void,
): Promise<void> {
  const [active, refusals, status] = await Promise.all([
    session.queue.getActive(),
    session.redis.hgetall(keys.refusals(name)),
    session.redis.hget(keys.sweep(name), "status"),
  ]);
  if (status === "cancelled") throw new InterruptedError(null, "cancelled");
  const running = new Map<string, number>();
  for (const job of active) {
    if (job.id === undefined || !outstanding.has(job.id)) continue;
    const worker = job.processedBy ?? "(unknown worker)";
    running.set(worker, (running.get(worker) ?? 0) + 1);
  }
  tally.setRunning(running);
  for (const [worker, why] of Object.entries(refusals)) {
    if (told.has(worker)) continue;
    told.add(worker);
    notice(`worker ${worker} refuses this sweep's cells: ${why}`);
  }
}
