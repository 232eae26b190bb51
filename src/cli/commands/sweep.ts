import { SingleBar, Presets } from "cli-progress";
import type { Command } from "commander";
import type { CellOutcome } from "../../experiments/index.js";
import { loadExperiments } from "../lazy.js";
import { InputError } from "../../common/index.js";
import { checkOutputFolder } from "../../common/outputPath.js";
import { withInterrupt } from "../interrupt.js";
import { outFolderOption, parseIntOption } from "../io.js";
import { parseMaxCells, printSweepOutcome, SWEEP_DEFAULTS, type SweepCommandOptions } from "./sweepCommon.js";
import { QUEUE_DEFAULTS, queueAdminCommand, queuedSweepCommand } from "./sweepQueue.js";

/** `splitscape sweep SPEC`: run a spec's grid on the worker pool (or through a queue), resumably. */
async function sweepCommand(specPath: string | undefined, opts: SweepCommandOptions): Promise<void> {
  if (opts.status !== undefined || opts.cancel !== undefined) return queueAdminCommand(specPath, opts);
  if (specPath === undefined) throw new InputError("sweep", "missing the spec file: splitscape sweep SPEC [--queue URL], or sweep --status URL [SWEEP], or sweep --cancel URL SWEEP");
  if (opts.queue !== undefined) return queuedSweepCommand(specPath, opts);
  if (opts.attempts !== undefined) throw new InputError("--attempts", "retries are for sweeps through a queue (--queue URL); a local sweep records a failing cell and goes on");
  const { loadSpec, runSweep } = await loadExperiments();
  const loaded = loadSpec(specPath);
  const workers = parseIntOption("--workers", opts.workers, 1, 64) ?? SWEEP_DEFAULTS.workers;
  const maxCells = parseMaxCells(opts);
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
  printSweepOutcome(loaded, o, opts.json === true);
}

/** Register `splitscape sweep`. */
export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description("run a spec's grid (parameters × seeds) on a worker pool, or through a Redis queue on many machines; finished cells are not re-run")
    .argument("[spec]", "the spec file with a grid (with --status/--cancel: the sweep's name, spec file or folder)")
    .addOption(outFolderOption("sweep folder (sweep-<kind>-<hash of spec and grid>)"))
    .option("--dir <dir>", "use exactly this sweep folder (resuming refuses a folder of another spec or grid)")
    .option("--workers <N>", `worker threads (default ${SWEEP_DEFAULTS.workers})`)
    .option("--max-cells <N>", `refuse grids with more cells than this (default ${SWEEP_DEFAULTS.maxCells})`)
    .option("--queue <url>", "run the cells on `splitscape worker`s through Redis: redis://[user:password@]HOST:PORT[/DB] or rediss:// (TLS); the password may come from SPLITSCAPE_REDIS_PASSWORD")
    .option("--attempts <N>", `with --queue: tries of a failing cell before it is recorded as failed (default ${QUEUE_DEFAULTS.attempts})`)
    .option("--status <url>", "show the sweeps in the queue at URL (or the one named by the argument)")
    .option("--cancel <url>", "cancel the sweep named by the argument in the queue at URL: remove its cells that have not started")
    .option("--no-progress", "no progress bar")
    .option("--json", "print one JSON object")
    .action((spec: string | undefined, opts: SweepCommandOptions) => sweepCommand(spec, opts));
}
