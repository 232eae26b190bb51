import { join } from "node:path";
import { InterruptedError, stamped } from "../common/index.js";
import { writeFileAtomic } from "../common/atomic.js";
import { renderReportHtml, type ReportSection, type Verdict } from "../report/index.js";
import { currentEnvironment } from "./environment.js";
import type { ExperimentExecutor } from "./executor.js";
import { FAMILIES, type FamilyId } from "./families.js";
import { writeJsonAtomic } from "./json.js";
import { experimentsOfFamily } from "./registry.js";
import { createRunFolder, markComplete, markIncomplete, REPORT_FILE, timeStamp } from "./runFolder.js";
import { RunFailedError, runToFolder } from "./runner.js";
import { validateSpec } from "./spec.js";

/**
 * The tour (`splitscape tour`, `npm start`): every family's headline experiment (the
 * registered kinds with a `headline`) on built-in data, each into its own run folder under
 * `<outDir>/tour-<stamp>/<kind>/`, and one report.html with a section per family. The family
 * list is fixed (families.ts): a family with no headline experiment registered yet gets a
 * "not available" section and row — nothing is faked.
 */

/** One line of the tour: a family's headline experiment and its verdicts. */
export interface TourEntry {
  family: FamilyId;
  familyTitle: string;
  /** The experiment kind, absent when the family is not available. */
  kind?: string;
  title?: string;
  status: "ok" | "not available" | "error";
  verdicts: Verdict[];
  error?: string;
  /** The run folder, relative to the tour folder. */
  folder?: string;
  seconds?: number;
}

/** What the tour produced. */
export interface TourOutcome {
  dir: string;
  report: string;
  entries: TourEntry[];
  /** True when every available experiment ran and all its verdicts passed. */
  pass: boolean;
  seconds: number;
}

/** Options of runTour. */
export interface TourOptions {
  /** Parent folder of `tour-<stamp>/` (default "runs"). */
  outDir?: string;
  /** Called before and after each family (for terminal progress). */
  onEntry?: (entry: TourEntry, phase: "start" | "done") => void;
  /** Run only these families (default all). */
  families?: readonly FamilyId[];
  /** Where the experiments compute (default in this thread; the CLI uses one worker for all). */
  executor?: ExperimentExecutor;
  /** Aborting interrupts the tour: its folder stays INCOMPLETE and InterruptedError(tour folder) is thrown. */
  signal?: AbortSignal;
}

/**
 * Run the tour: each family's headline experiment (its `headline` params and seed) into one
 * folder `<outDir>/tour-<stamp>/`, one run folder per experiment and one report.html for all —
 * what `splitscape tour` and `npm start` run.
 *
 * @param opts - outDir (default "runs"), families (default all), onEntry progress callback, executor, signal
 * @returns the tour folder, its report's path, one entry per family (status and verdicts), whether all passed and the seconds taken
 * @example
 * ```ts
 * import { runTour } from "splitscape";
 * const tour = await runTour({ outDir: "runs", families: ["foundation"] });
 * console.log(tour.report, tour.pass);
 * ```
 */
export async function runTour(opts: TourOptions = {}): Promise<TourOutcome> {
  const started = new Date();
  const dir = createRunFolder(opts.outDir ?? "runs", `tour-${timeStamp(started)}`);
  const entries: TourEntry[] = [];
  const sections: ReportSection[] = [];
  for (const fam of FAMILIES) {
    if (opts.families && !opts.families.includes(fam.id)) continue;
    const headliners = experimentsOfFamily(fam.id).filter((d) => d.headline !== undefined);
    if (headliners.length === 0) {
      const entry: TourEntry = { family: fam.id, familyTitle: fam.title, status: "not available", verdicts: [] };
      opts.onEntry?.(entry, "done");
      entries.push(entry);
      sections.push({ heading: fam.title, subtitle: `family ${fam.id}: ${fam.summary}`, status: "not available", message: "no experiment of this family is registered yet", verdicts: [], figures: [] });
      continue;
    }
    for (const def of headliners) {
      const { spec } = validateSpec({ kind: def.kind, seed: def.headline?.seed ?? 0, params: def.headline?.params ?? {} }, `tour:${def.kind}`);
      const entry: TourEntry = { family: fam.id, familyTitle: fam.title, kind: def.kind, title: def.title, status: "ok", verdicts: [], folder: def.kind };
      opts.onEntry?.(entry, "start");
      try {
        const run = await runToFolder(spec, { dir: join(dir, def.kind), executor: opts.executor, signal: opts.signal });
        entry.verdicts = run.result.verdicts;
        entry.seconds = run.seconds;
        const s = run.section!;
        sections.push({
          ...s,
          heading: fam.title,
          subtitle: `${def.title} (${def.kind}, seed ${spec.seed})`,
          link: `${def.kind}/${REPORT_FILE}`,
          figures: s.figures.map((f) => ({ ...f, ...(f.file ? { file: `${def.kind}/${f.file}` } : {}) })),
        });
      } catch (err) {
        if (err instanceof InterruptedError) {
          markIncomplete(dir, `interrupted (SIGINT) during ${def.kind} at ${new Date().toISOString()}: ${entries.length} experiment(s) finished, no report.html`);
          throw new InterruptedError(dir);
        }
        if (!(err instanceof RunFailedError)) throw err;
        entry.status = "error";
        entry.error = err.cause instanceof Error ? err.cause.message : String(err.cause);
        sections.push({ heading: fam.title, subtitle: `${def.title} (${def.kind})`, status: "error", message: entry.error, verdicts: [], figures: [], link: def.kind });
      }
      opts.onEntry?.(entry, "done");
      entries.push(entry);
    }
  }
  const seconds = (Date.now() - started.getTime()) / 1000;
  const pass = entries.every((e) => e.status !== "error" && e.verdicts.every((v) => v.pass));
  const report = join(dir, REPORT_FILE);
  writeFileAtomic(
    report,
    renderReportHtml({
      title: "splitscape tour",
      subtitle: `every family's headline experiment on built-in data · ${seconds.toFixed(1)} s`,
      sections,
      environment: currentEnvironment(started),
    }),
  );
  writeJsonAtomic(join(dir, "tour.json"), stamped("tour", { pass, seconds, entries }));
  markComplete(dir);
  return { dir, report, entries, pass, seconds };
}
