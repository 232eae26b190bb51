import { SingleBar, Presets } from "cli-progress";
import type { Command } from "commander";
import type { CellOutcome } from "../../experiments/index.js";
import { loadExperiments } from "../lazy.js";
import { formatNumber, formatTable } from "../../report/index.js";
import { checkOutputFolder, DEFAULT_MAX_SWEEP_CELLS } from "../../common/index.js";
import { withInterrupt } from "../interrupt.js";
import { outFolderOption, parseIntOption, printJson, printLines } from "../io.js";
import { EXIT_TOLERANCE } from "../exitCodes.js";

/** The defaults of `sweep`, written once (help text and behaviour). */
const SWEEP_DEFAULTS = { workers: 2, maxCells: DEFAULT_MAX_SWEEP_CELLS } as const;

interface SweepCommandOptions {
  out: string;
  dir?: string;
  workers?: string;
  maxCells?: string;
  json?: boolean;
  progress?: boolean;
}

/** `splitscape sweep SPEC`: run a spec's grid on the worker pool, resumably. */
async function sweepCommand(specPath: string, opts: SweepCommandOptions): Promise<void> {
  const { loadSpec, runSweep } = await loadExperiments();
  const loaded = loadSpec(specPath);
  const workers = parseIntOption("--workers", opts.workers, 1, 64) ?? SWEEP_DEFAULTS.workers;
  const maxCells = parseIntOption("--max-cells", opts.maxCells, 1, Number.MAX_SAFE_INTEGER) ?? SWEEP_DEFAULTS.maxCells;
  checkOutputFolder(opts.dir ?? opts.out, opts.dir !== undefined ? "--dir" : "-o/--out");
  const showBar = !opts.json && opts.progress !== false && process.stderr.isTTY === true;
  const bar = showBar ? new SingleBar({ format: "sweep |{bar}| {value}/{total} cells · {failed} failed · eta {eta_formatted}", stream: process.stderr, hideCursor: true }, Presets.shades_classic) : null;
  let failed = 0;
  const o = await withInterrupt((signal) => runSweep(loaded, {
    outDir: opts.out,
    dir: opts.dir,
    workers,
    maxCells,
    signal,
    onPlan: (p) => {
      if (!opts.json) process.stderr.write(`sweep ${loaded.spec.kind}: ${p.total} cells, ${p.reused} already finished, ${p.toRun} to run (${p.mode}${p.mode === "threads" ? `, ${workers} workers` : ""}) → ${p.dir}\n`);
      bar?.start(p.toRun, 0, { failed: 0 });
    },
    onProgress: (c: CellOutcome) => {
      if (!c.ok) failed++;
      bar?.increment(1, { failed });
    },
  })).finally(() => bar?.stop());
  if (!o.pass) process.exitCode = EXIT_TOLERANCE;
  if (opts.json) {
    printJson({ dir: o.dir, cells: o.cells, ran: o.ran, reused: o.reused, failed: o.failed, pass: o.pass, mode: o.mode, summary: `${o.dir}/summary.csv`, report: `${o.dir}/report.html`, rows: o.rows });
    return;
  }
  const axes = Object.keys(loaded.grid ?? {}).filter((a) => a !== "seed");
  const rows = o.rows.map((r) => [String(r.cell), String(r.seed), ...axes.map((a) => (typeof r[a] === "number" ? formatNumber(r[a] as number) : String(r[a]))), String(r.status), `${r.passed}/${r.total}`, r.pass ? "PASS" : "FAIL"]);
  printLines(
    formatTable(["cell", "seed", ...axes, "status", "verdicts", "result"], rows),
    "",
    `${o.cells} cells: ${o.ran} run, ${o.reused} reused, ${o.failed} failed`,
    `summary: ${o.dir}/summary.csv (and summary.json); report: ${o.dir}/report.html`,
  );
}

/** Register `splitscape sweep`. */
export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description("run a spec's grid (parameters × seeds) on a worker pool; finished cells are not re-run")
    .argument("<spec>", "the spec file with a grid")
    .addOption(outFolderOption("sweep folder (sweep-<kind>-<hash of spec and grid>)"))
    .option("--dir <dir>", "use exactly this sweep folder (resuming refuses a folder of another spec or grid)")
    .option("--workers <N>", `worker threads (default ${SWEEP_DEFAULTS.workers})`)
    .option("--max-cells <N>", `refuse grids with more cells than this (default ${SWEEP_DEFAULTS.maxCells})`)
    .option("--no-progress", "no progress bar")
    .option("--json", "print one JSON object")
    .action((spec: string, opts: SweepCommandOptions) => sweepCommand(spec, opts));
}
