import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../common/errors.js";
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

/** Re-render the run in `dir`. */
export async function rerenderRun(dir: string): Promise<RerenderOutcome> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(dir, "not a run folder (no such directory)");
  const rawSpec = readRunJson<unknown>(dir, SPEC_FILE);
  if (rawSpec === undefined) throw new InputError(dir, `not a run folder: no ${SPEC_FILE}`);
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
