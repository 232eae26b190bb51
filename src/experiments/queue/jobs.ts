import type { JobsOptions } from "bullmq";
import { VERSION } from "../../version.js";
import type { RunSpec } from "../types.js";

/**
 * What goes through Redis, and under which names. One BullMQ queue, `splitscape-cells`, holds
 * the cells of every sweep (different teams use different databases, `/DB` in the URL). A
 * cell's job id is
 *
 *     <sweep name>.<cell hash>.v<splitscape version>
 *
 * — the sweep name is `sweep-<kind>-<hash of the spec and the grid>` (the sweep folder's
 * name) and the cell hash is the hash of the cell's spec — so submitting the same sweep again
 * adds nothing that is already queued, running or finished (BullMQ ignores an add whose job
 * id exists). Next to BullMQ's keys (`bull:splitscape-cells:*`), splitscape keeps:
 *
 *     splitscape:files:<job id>        the cell's folder, packed and compressed (payload.ts)
 *     splitscape:sweeps                set of sweep names
 *     splitscape:sweep:<name>          hash: kind, cells, version, status, submitter, folder…
 *     splitscape:collected:<name>      set of cell hashes already in the submitter's folder
 *     splitscape:refusals:<name>       hash: worker name → why it refused the sweep's cells
 *
 * Everything expires RETENTION_SECONDS (7 days) after it was last written, so an abandoned
 * sweep does not fill Redis; a result not collected by then is computed again when the
 * sweep is submitted again.
 */

/** The BullMQ queue of sweep cells. */
export const QUEUE_NAME = "splitscape-cells";

/** How long uncollected results and sweep records are kept (seconds). */
export const RETENTION_SECONDS = 7 * 24 * 3600;

/** Tries of a cell that fails (the sweep's --attempts default). */
export const DEFAULT_ATTEMPTS = 3;

/** The first retry's delay; each further retry waits twice as long. */
export const RETRY_DELAY_MS = 1000;

/** Redis keys of splitscape's own records. */
export const keys = {
  files: (jobId: string) => `splitscape:files:${jobId}`,
  sweeps: "splitscape:sweeps",
  sweep: (name: string) => `splitscape:sweep:${name}`,
  collected: (name: string) => `splitscape:collected:${name}`,
  refusals: (name: string) => `splitscape:refusals:${name}`,
} as const;

/** A job's payload: one sweep cell. */
export interface CellJobData {
  /** The sweep's name (its folder's name). */
  sweep: string;
  /** The cell's hash (its folder under cells/). */
  cell: string;
  spec: RunSpec;
  /** The submitter's splitscape version: a worker of another version refuses the job. */
  version: string;
}

/** A finished job's return value (the files travel separately, under keys.files). */
export interface CellJobResult {
  /** The worker that ran the cell. */
  worker: string;
  seconds: number;
  pass: boolean;
  /** Size of the packed files (bytes, compressed). */
  bytes: number;
}

/** The job id of a cell: `<sweep>.<cell>.v<version>` (see above). */
export function cellJobId(sweep: string, cell: string, version: string = VERSION): string {
  return `${sweep}.${cell}.v${version}`;
}

/** The sweep name and cell hash of a job id (or null when it is not a cell's). */
export function parseCellJobId(id: string): { sweep: string; cell: string; version: string } | null {
  const m = /^(sweep-[A-Za-z0-9_-]+-[0-9a-f]{8})\.([0-9a-f]{8})\.v([A-Za-z0-9.+-]+)$/.exec(id);
  return m === null ? null : { sweep: m[1], cell: m[2], version: m[3] };
}

/** BullMQ options of a cell's job: its id, bounded retries with back-off, retention. */
export function cellJobOptions(jobId: string, attempts: number): JobsOptions {
  return {
    jobId,
    attempts,
    backoff: { type: "exponential", delay: RETRY_DELAY_MS },
    removeOnComplete: { age: RETENTION_SECONDS },
    removeOnFail: { age: RETENTION_SECONDS },
  };
}

/** A sweep's name: `sweep-<kind>-<8 hex digits>`. */
export const SWEEP_NAME = /^sweep-[A-Za-z0-9_-]+-[0-9a-f]{8}$/;

/**
 * True when `data` has the shape of a CellJobData, with a sweep name and a cell hash that are
 * safe as folder names (a job from elsewhere is refused, not run).
 */
export function isCellJobData(data: unknown): data is CellJobData {
  const d = data as Partial<CellJobData> | null;
  return d !== null && typeof d === "object" && typeof d.sweep === "string" && SWEEP_NAME.test(d.sweep)
    && typeof d.cell === "string" && /^[0-9a-f]{8}$/.test(d.cell) && typeof d.version === "string"
    && d.spec !== null && typeof d.spec === "object" && typeof d.spec.kind === "string";
}
