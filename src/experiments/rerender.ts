import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../common/index.js";
import { checkOutputFolder } from "../common/outputPath.js";
import type { ReportSection } from "../report/index.js";
import { currentEnvironment, type Environment } from "./environment.js";
import { writeFigures, writeRunReport } from "./outputs.js";
import { incompleteReason, readRunJson, RESULT_FILE, RUN_FILE, SPEC_FILE } from "./runFolder.js";
import { validateSpec } from "./spec.js";
import type { ExperimentResult } from "./types.js";
import { definitionOf } from "./runner.js";

/**
 * `splitscape report RUN`: re-render a run folder's figures and report.html from its
 * spec.json and result.json, without re-running anything. The completeness markers are left as
 * they are; a folder without result.json (a run that failed or was interrupted) is an input
 * error that quotes the INCOMPLETE marker.
 */

/** What a re-render produced. */
export interface RerenderOutcome {
  dir: string;
  section: ReportSection;
  /** The INCOMPLETE marker's text if the folder is still marked incomplete. */
  incomplete: string | null;
  pass: boolean;
}

/** The spec.json of a training run (it records `"command": "train"`). */
function isTrainSpec(raw: unknown): boolean {
  return raw !== null && typeof raw === "object" && (raw as { command?: unknown }).command === "train";
}

/** Why a folder without spec.json is not a run folder, naming what it is when it is a sweep or tour folder. */
function notARunFolder(dir: string): string {
  if (existsSync(join(dir, "sweep.json"))) return "is a sweep folder, not a run folder: its report is report.html (running the same `splitscape sweep` again rebuilds it); each cell is a run folder under cells/";
  if (existsSync(join(dir, "tour.json"))) return "is a tour folder, not a run folder: each experiment inside is one (e.g. `splitscape report <tour folder>/<kind>`)";
  return `not a run folder: no ${SPEC_FILE} (a run folder holds spec.json, result.json, metrics.jsonl, figures/)`;
}

/**
 * Re-render the run in `dir`: its figures (figures/NAME.svg, .png, .vl.json) and report.html
 * from spec.json and result.json, as `splitscape report RUN` does. Nothing is re-run, and the
 * completeness markers are left as they are.
 *
 * @param dir - an experiment run folder (runs/<kind>-<stamp>-<hash>); a missing folder, a folder without result.json, a sweep, tour or training folder are InputErrors saying what it is
 * @returns the folder, its report section, the INCOMPLETE marker's text (or null) and whether every verdict passed
 * @example
 * ```ts
 * import { rerenderRun, runToFolder, validateSpec } from "splitscape";
 * const { dir } = await runToFolder(validateSpec({ kind: "linalg-check" }, "spec").spec, { outDir: "runs" });
 * const again = await rerenderRun(dir);
 * console.log(`${again.dir}/report.html`, again.pass);
 * ```
 */
export async function rerenderRun(dir: string): Promise<RerenderOutcome> {
  if (dir.trim() === "") throw new InputError("run", "empty path, expected a run folder");
  if (!existsSync(dir)) throw new InputError(dir, "no such folder, expected a run folder (runs/<kind>-<stamp>-<hash>)");
  if (!statSync(dir).isDirectory()) throw new InputError(dir, "is a file, expected a run folder (runs/<kind>-<stamp>-<hash>)");
  const rawSpec = readRunJson<unknown>(dir, SPEC_FILE);
  if (rawSpec === undefined) throw new InputError(dir, notARunFolder(dir));
  if (isTrainSpec(rawSpec)) {
    throw new InputError(dir, "is a training run folder (made by `splitscape train`), which has no figures to re-render: its results are result.json, trajectory.json, metrics.jsonl and final.json (the trained model); `report` re-renders experiment runs (`splitscape run`)");
  }
  checkOutputFolder(dir, "run");
  const result = readRunJson<ExperimentResult>(dir, RESULT_FILE);
  const incomplete = incompleteReason(dir);
  if (result === undefined) {
    throw new InputError(dir, `the run has no ${RESULT_FILE}; it did not finish${incomplete ? ` (INCOMPLETE: ${incomplete.split("\n")[0]})` : ""}`);
  }
  const { spec } = validateSpec(rawSpec, join(dir, SPEC_FILE));
  const def = definitionOf(spec);
  const run = readRunJson<{ id?: string; environment?: Environment }>(dir, RUN_FILE);
  const environment = run?.environment ?? currentEnvironment();
  const section = await writeFigures(dir, def, spec, result);
  const note = [`run ${run?.id ?? dir}`, incomplete ? "marked INCOMPLETE" : ""].filter(Boolean).join(" · ");
  writeRunReport(dir, section, { ...environment, rendered: new Date().toISOString() }, note);
  return { dir, section, incomplete, pass: result.verdicts.every((v) => v.pass) };
}
