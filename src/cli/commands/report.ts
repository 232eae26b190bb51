import type { Command } from "commander";
import { loadExperiments } from "../lazy.js";
import { formatVerdictTable } from "../../report/index.js";
import { printJson, printLines } from "../io.js";
import { EXIT_TOLERANCE } from "../exitCodes.js";

/** `splitscape report RUN`: re-render a run folder's figures and report.html from its files. */
async function reportCommand(dir: string, opts: { json?: boolean }): Promise<void> {
  const { rerenderRun } = await loadExperiments();
  const o = await rerenderRun(dir);
  if (!o.pass) process.exitCode = EXIT_TOLERANCE;
  const report = `${dir.replace(/\/+$/, "")}/report.html`;
  if (opts.json) {
    printJson({ dir, report, figures: o.section.figures.map((f) => f.file), pass: o.pass, incomplete: o.incomplete !== null, verdicts: o.section.verdicts });
    return;
  }
  const lines = [formatVerdictTable(o.section.verdicts), "", `re-rendered ${o.section.figures.length} figure(s); report: ${report}`];
  if (o.incomplete) lines.push(`note: the folder is still marked INCOMPLETE (${o.incomplete.split("\n")[0]})`);
  printLines(...lines);
}

/** Register `splitscape report`. */
export function registerReport(program: Command): void {
  program
    .command("report")
    .description("re-render a run folder's figures and report.html from spec.json and result.json (nothing is re-run)")
    .argument("<run>", "the run folder, e.g. runs/linalg-check-20250101T000000Z-1a2b3c4d")
    .option("--json", "print one JSON object")
    .action((dir: string, opts: { json?: boolean }) => reportCommand(dir, opts));
}
