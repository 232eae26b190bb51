import { join } from "node:path";
import { writeFileAtomic } from "../common/atomic.js";
import { InputError } from "../common/errors.js";
import { stamped, stampedFigure } from "../common/format.js";
import { currentEnvironment } from "../experiments/environment.js";
import { FIGURES_DIR, REPORT_FILE, RESULT_FILE, RUN_FILE, RunFailedError, SPEC_FILE } from "../experiments/index.js";
import { toJsonText, writeJsonAtomic } from "../experiments/json.js";
import { createRunFolder, markComplete, markIncomplete, timeStamp } from "../experiments/runFolder.js";
import { renderFigure, renderReportHtml, type ReportSection } from "../report/index.js";
import { VERSION } from "../version.js";
import { claimVerdict } from "./claims.js";
import { getReproduction, listReproductions } from "./registry.js";
import type { Reproduction, ReproductionResult } from "./types.js";

/**
 * Running a reproduction into a run folder, with the layout and completeness rule of every run
 * folder (src/experiments/runFolder.ts): INCOMPLETE first, then spec.json ({kind: "reproduce",
 * id, quick, splitscape version}), result.json (claims, summary, series), figures/ (SVG, PNG and
 * the Vega-Lite spec of each figure), report.html, run.json (times, environment), and last the
 * removal of INCOMPLETE. A reproduction that throws leaves the folder INCOMPLETE with the error.
 */

/** Options of runReproduction. */
export interface ReproduceOptions {
  /** The reduced run (fewer steps; the claims that hold at that length). */
  quick?: boolean;
  /** Parent folder of the run folder (default "runs"). */
  outDir?: string;
  /** Progress notes. */
  log?: (message: string) => void;
}

/** A finished reproduction. */
export interface ReproduceOutcome {
  id: string;
  quick: boolean;
  dir: string;
  result: ReproductionResult;
  /** True when every claim passed. */
  pass: boolean;
  seconds: number;
}

/** The reproduction `id`, or an InputError naming the known ids. */
export function requireReproduction(id: string): Reproduction {
  const r = getReproduction(id);
  if (!r) throw new InputError("reproduce", `unknown reproduction ${JSON.stringify(id)}; expected one of ${listReproductions().map((x) => x.id).join(", ")}`);
  return r;
}

/** Render the figures into dir/figures and return the report section. */
async function writeOutputs(dir: string, r: Reproduction, result: ReproductionResult, quick: boolean, spec: unknown): Promise<ReportSection> {
  const shown: ReportSection["figures"] = [];
  for (const f of r.figures(result, quick)) {
    if (!/^[A-Za-z0-9_-]+$/.test(f.name)) throw new Error(`${r.id}: figure name ${JSON.stringify(f.name)} is not file-safe`);
    const { svg, png } = await renderFigure(f.vegaLite);
    const stem = join(dir, FIGURES_DIR, f.name);
    writeFileAtomic(`${stem}.vl.json`, toJsonText(stampedFigure(f.vegaLite)));
    writeFileAtomic(`${stem}.svg`, svg);
    writeFileAtomic(`${stem}.png`, png);
    shown.push({ title: f.title, svg, file: `${FIGURES_DIR}/${f.name}.png`, ...(f.caption ? { caption: f.caption } : {}) });
  }
  return {
    heading: `${r.id}${quick ? " (quick)" : ""}: published numbers beside ours`,
    subtitle: `${r.paper} · ${r.figure}`,
    status: "ok",
    verdicts: result.claims.map(claimVerdict),
    summary: result.summary,
    figures: shown,
    spec,
  };
}

/** Run reproduction `id` into a new run folder under opts.outDir. */
export async function runReproduction(id: string, opts: ReproduceOptions = {}): Promise<ReproduceOutcome> {
  const r = requireReproduction(id);
  const quick = opts.quick ?? false;
  const started = new Date();
  const dir = createRunFolder(opts.outDir ?? "runs", `reproduce-${id.replace("/", "-")}${quick ? "-quick" : ""}-${timeStamp(started)}`);
  const spec = { kind: "reproduce", id, quick, splitscape: VERSION };
  writeJsonAtomic(join(dir, SPEC_FILE), stamped("spec", spec));
  let result: ReproductionResult;
  try {
    result = await r.run({ quick, log: opts.log ?? (() => {}) });
  } catch (err) {
    markIncomplete(dir, `failed at ${new Date().toISOString()}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    throw err instanceof InputError ? err : new RunFailedError(dir, err);
  }
  const pass = result.claims.length > 0 && result.claims.every((c) => c.pass);
  writeJsonAtomic(join(dir, RESULT_FILE), stamped("result", { id, quick, pass, ...result }));
  const environment = currentEnvironment(started);
  try {
    const section = await writeOutputs(dir, r, result, quick, spec);
    const html = renderReportHtml({ title: `Reproduction ${id}${quick ? " (quick)" : ""}`, subtitle: `${r.paper} · ${r.figure} · authors' code: ${r.source}`, sections: [section], environment });
    writeFileAtomic(join(dir, REPORT_FILE), html);
  } catch (err) {
    markIncomplete(dir, `rendering failed at ${new Date().toISOString()}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    throw err;
  }
  const finished = new Date();
  const seconds = (finished.getTime() - started.getTime()) / 1000;
  writeJsonAtomic(join(dir, RUN_FILE), stamped("run", { id, quick, status: "complete", pass, started: started.toISOString(), finished: finished.toISOString(), seconds, environment }));
  markComplete(dir);
  return { id, quick, dir, result, pass, seconds };
}
