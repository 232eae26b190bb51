import type { Verdict } from "../report/index.js";
import { runToFolder } from "./runner.js";
import type { RunSpec, Scalar } from "./types.js";

/**
 * One unit of sweep work — run a cell's spec into its folder, without figures — and its
 * outcome as a plain message (it crosses the worker-thread boundary by structured clone).
 */

/** A sweep cell to run: its id (the spec hash), spec and folder. */
export interface CellTask {
  id: string;
  spec: RunSpec;
  dir: string;
}

/** What running a cell gave: its summary and verdicts, or the error it threw. */
export type CellOutcome =
  | { id: string; ok: true; summary: Record<string, Scalar>; verdicts: Verdict[]; pass: boolean; seconds: number }
  | { id: string; ok: false; error: string };

/** Run one cell; never throws (a failure is an outcome with ok: false). */
export async function executeCell(task: CellTask): Promise<CellOutcome> {
  try {
    const o = await runToFolder(task.spec, { dir: task.dir, render: false });
    return { id: task.id, ok: true, summary: o.result.summary, verdicts: o.result.verdicts, pass: o.pass, seconds: o.seconds };
  } catch (err) {
    const cause = err instanceof Error && "cause" in err && err.cause instanceof Error ? err.cause : err;
    return { id: task.id, ok: false, error: cause instanceof Error ? cause.message : String(cause) };
  }
}
