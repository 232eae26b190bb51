import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readFormat, unstamped } from "../common/format.js";
import { packageRoot } from "./papers.js";
import type { Claim } from "./types.js";

/**
 * The record of the full runs, docs/reproductions.json: written by `npx tsx
 * scripts/reproductions.ts run` from real full runs (never by hand), read by `splitscape reproduce
 * --list` for each reproduction's run time and by the README table generator.
 */

/** One recorded full run. */
export interface RecordedRun {
  id: string;
  paper: string;
  figure: string;
  /** Wall-clock seconds of the full run. */
  seconds: number;
  pass: boolean;
  claims: Array<Pick<Claim, "name" | "published" | "ours" | "tolerance" | "rule" | "pass">>;
  /** Figure files committed beside the record (docs/reproductions/…png). */
  figures: string[];
}

/** The whole record. */
export interface RunRecord {
  /** When and where the runs were made (splitscape version, node, cpu, date). */
  environment: Record<string, string | number>;
  runs: RecordedRun[];
}

/** Path of the record in the package. */
export function recordPath(): string {
  return join(packageRoot(), "docs", "reproductions.json");
}

/** The record, or null when the package has none (or it is unreadable). */
export function readRecord(): RunRecord | null {
  const path = recordPath();
  if (!existsSync(path)) return null;
  try {
    const r: unknown = JSON.parse(readFileSync(path, "utf8"));
    readFormat(r, "reproduction-record", path);
    const record = unstamped(r as RunRecord);
    return Array.isArray(record.runs) ? record : null;
  } catch {
    return null;
  }
}

/** Recorded full-run seconds by id (absent ids: not recorded). */
export function recordedSeconds(): Map<string, number> {
  return new Map((readRecord()?.runs ?? []).map((r) => [r.id, r.seconds]));
}
