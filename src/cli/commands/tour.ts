import type { Command } from "commander";
import { checkOutputFolder } from "../../common/outputPath.js";
import type { TourEntry } from "../../experiments/index.js";
import { loadExperiments } from "../lazy.js";
import { withInterrupt } from "../interrupt.js";
import { formatMeasured, formatTable, formatTolerance } from "../../report/index.js";
import { outFolderOption, printJson, printLines } from "../io.js";
import { EXIT_TOLERANCE } from "../exitCodes.js";

/** Terminal rows of the tour: one per verdict, or one per unavailable/failed family. */
function tourRows(entries: readonly TourEntry[]): string[][] {
  const rows: string[][] = [];
  for (const e of entries) {
    if (e.status === "not available") rows.push([e.family, "—", e.familyTitle, "—", "—", "not available"]);
    else if (e.status === "error") rows.push([e.family, e.kind ?? "—", `run failed: ${e.error ?? ""}`, "—", "—", "ERROR"]);
    else for (const v of e.verdicts) rows.push([e.family, e.kind ?? "—", v.claim, formatMeasured(v), formatTolerance(v), v.pass ? "PASS" : "FAIL"]);
  }
  return rows;
}

/** `splitscape tour`: every family's headline experiment, one report. */
async function tourCommand(opts: { out: string; json?: boolean }): Promise<void> {
  checkOutputFolder(opts.out, "-o/--out");
  const { runTour } = await loadExperiments();
  const { defaultExecutor } = await import("../../experiments/executor.js");
  const executor = defaultExecutor();
  const o = await withInterrupt((signal) => runTour({
    outDir: opts.out,
    executor,
    signal,
    onEntry: (e, phase) => {
      if (opts.json) return;
      if (phase === "start") process.stderr.write(`▶ ${e.family}: ${e.title} (${e.kind}) …\n`);
      else if (e.status === "ok") process.stderr.write(`  done in ${(e.seconds ?? 0).toFixed(1)} s\n`);
    },
  })).finally(() => executor.close());
  if (!o.pass) process.exitCode = EXIT_TOLERANCE;
  if (opts.json) {
    printJson({ dir: o.dir, report: o.report, pass: o.pass, seconds: o.seconds, entries: o.entries });
    return;
  }
  const verdicts = o.entries.flatMap((e) => e.verdicts);
  const failed = verdicts.filter((v) => !v.pass).length;
  const missing = o.entries.filter((e) => e.status === "not available").length;
  printLines(
    "",
    formatTable(["family", "experiment", "claim", "measured", "tolerance", "result"], tourRows(o.entries), 90),
    "",
    `${verdicts.length - failed}/${verdicts.length} claims pass; ${missing} famil${missing === 1 ? "y" : "ies"} not available yet; ${o.seconds.toFixed(1)} s`,
    `report: ${o.report}`,
  );
}

/** Register `splitscape tour`. */
export function registerTour(program: Command): void {
  program
    .command("tour")
    .description("run every family's headline experiment on built-in data and write one report (what `npm start` runs)")
    .addOption(outFolderOption("tour folder"))
    .option("--json", "print one JSON object")
    .action((opts: { out: string; json?: boolean }) => tourCommand(opts));
}
