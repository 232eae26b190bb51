import { stamped } from "../../common/index.js";
import { toJsonText } from "../json.js";
import { INCOMPLETE, readRunJson, RESULT_FILE, SPEC_FILE } from "../runFolder.js";
import { specRecord } from "../runner.js";
import type { CellOutcome, CellTask } from "../cellTask.js";
import type { ExperimentResult } from "../types.js";
import { keys } from "./jobs.js";
import { PayloadError, unpackFiles, writeFolder, type PackedFile } from "./payload.js";
import type { QueueSession } from "./session.js";

/**
 * Collecting a finished cell: its packed folder (keys.files) is written into the sweep's
 * cells/<hash>/ exactly as the local pool would have left it, the outcome is read back from
 * it, and only then are the job and its files deleted from Redis and the cell recorded as
 * collected. A submitter killed in between finds the job still finished next time and
 * collects it again (writing the same files), so nothing is lost and nothing runs twice.
 */

/** A collected cell: its outcome and the worker that ran it. */
export interface CollectedCell {
  outcome: CellOutcome;
  worker: string | null;
}

/** The folder of a cell that failed without files (refused, stalled too often, files lost). */
function failedFolder(task: CellTask, reason: string, when: Date): PackedFile[] {
  return [
    { path: SPEC_FILE, data: Buffer.from(toJsonText(stamped("spec", specRecord(task.spec))), "utf8") },
    { path: INCOMPLETE, data: Buffer.from(`failed at ${when.toISOString()}: ${reason}\n`, "utf8") },
  ];
}

/** The outcome of a cell whose folder was just written (its result.json read back). */
function outcomeOf(task: CellTask, seconds: number): CellOutcome {
  const r = readRunJson<ExperimentResult>(task.dir, RESULT_FILE);
  if (r === undefined) return { id: task.id, ok: false, error: "the worker returned the cell's files without result.json" };
  return { id: task.id, ok: true, summary: r.summary, verdicts: r.verdicts, pass: r.verdicts.every((v) => v.pass), seconds };
}

/**
 * Collect the finished job `jobId` ("completed" or "failed") into `task.dir`. Returns null when
 * there is nothing to collect — the job is gone, or it completed but its files are (the
 * caller submits the cell again).
 */
export async function collectCell(session: QueueSession, sweep: string, jobId: string, task: CellTask, state: "completed" | "failed"): Promise<CollectedCell | null> {
  const job = await session.queue.getJob(jobId);
  if (job === undefined) return null;
  const blob = await session.redis.getBuffer(keys.files(jobId));
  const worker = job.returnvalue?.worker ?? job.processedBy ?? null;
  const finished = new Date(job.finishedOn ?? Date.now());
  let outcome: CellOutcome;
  if (state === "completed" && blob === null) {
    await job.remove().catch(() => undefined);
    return null;
  }
  try {
    if (blob !== null) writeFolder(task.dir, unpackFiles(blob));
    else writeFolder(task.dir, failedFolder(task, job.failedReason || "failed in the queue", finished));
    outcome = state === "completed"
      ? outcomeOf(task, job.returnvalue?.seconds ?? 0)
      : { id: task.id, ok: false, error: job.failedReason || "failed in the queue" };
  } catch (err) {
    if (!(err instanceof PayloadError)) throw err;
    const reason = `the cell's files from ${worker ?? "the worker"} are damaged: ${err.message}`;
    writeFolder(task.dir, failedFolder(task, reason, finished));
    outcome = { id: task.id, ok: false, error: reason };
  }
  await job.remove().catch(() => undefined);
  await session.redis.multi().del(keys.files(jobId)).sadd(keys.collected(sweep), task.id).exec();
  return { outcome, worker };
}
