import type { Command } from "commander";
import { InputError } from "../../common/index.js";
import { checkOutputFolder } from "../../common/outputPath.js";
import { formatNumber, formatTable } from "../../report/index.js";
import type { Claim } from "../../reproduce/index.js";
import { EXIT_TOLERANCE } from "../exitCodes.js";
import { outFolderOption, printJson, printLines } from "../io.js";

/**
 * The reproduce layer, loaded on first use: importing it registers every reproduction (with the
 * experiments layer below it), so the other commands start without it (as cli/lazy.ts).
 */
type Reproduce = typeof import("../../reproduce/index.js");
function loadReproduce(): Promise<Reproduce> {
  return import("../../reproduce/index.js");
}

interface ReproduceCommandOptions {
  out: string;
  quick?: boolean;
  list?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** `reproduce --list`: every reproduction with its paper, figure and the recorded full-run time. */
function listCommand(R: Reproduce, json: boolean | undefined): void {
  const { listReproductions, recordedSeconds } = R;
  const seconds = recordedSeconds();
  const rows = listReproductions().map((r) => ({ id: r.id, paper: r.paper, figure: r.figure, seconds: seconds.get(r.id) ?? null }));
  if (json) {
    printJson({ reproductions: rows });
    return;
  }
  printLines(
    formatTable(["id", "figure", "full run"], rows.map((r) => [r.id, r.figure, r.seconds === null ? "not recorded" : `${r.seconds.toFixed(0)} s`]), 100),
    "",
    "papers:",
    ...[...new Set(rows.map((r) => r.paper))].map((p) => `  ${p}`),
    "full-run times: docs/reproductions.json (a recorded run on the machine named there); --quick runs in seconds",
  );
}

function cell(v: number | string): string {
  return typeof v === "number" ? formatNumber(v) : v;
}

/** The claims as a terminal table. */
function claimTable(R: Reproduce, claims: readonly Claim[]): string {
  const { describeTolerance } = R;
  return formatTable(
    ["claim", "published", "ours", "tolerance", "result"],
    claims.map((c) => [c.name, cell(c.published), cell(c.ours), describeTolerance(c), c.pass ? "PASS" : "FAIL"]),
    60,
  );
}

/**
 * `splitscape reproduce ID`: one reproduction into a run folder. A reproduction computes on the
 * main thread, so Ctrl-C keeps Node's default: the process ends at once (exit 130) and the run
 * folder stays marked INCOMPLETE (it is created with that mark and loses it only when complete).
 */
async function reproduceCommand(id: string | undefined, opts: ReproduceCommandOptions): Promise<void> {
  const R = await loadReproduce();
  const { listReproductions, requireReproduction, runReproduction, RunFailedError } = R;
  if (opts.list) return listCommand(R, opts.json);
  if (id === undefined) throw new InputError("reproduce", `give a reproduction id (one of ${listReproductions().map((r) => r.id).join(", ")}), or --list`);
  requireReproduction(id);
  checkOutputFolder(opts.out, "-o/--out");
  const log = opts.verbose ? (m: string) => process.stderr.write(`${id}: ${m}\n`) : undefined;
  try {
    const o = await runReproduction(id, { quick: opts.quick, outDir: opts.out, log });
    if (!o.pass) process.exitCode = EXIT_TOLERANCE;
    const claims = o.result.claims.map(({ name, published, ours, tolerance, rule, pass, why, source }) => ({ name, published, ours, tolerance, rule, pass, why, source }));
    if (opts.json) {
      printJson({ id: o.id, quick: o.quick, pass: o.pass, seconds: o.seconds, claims, runFolder: o.dir, report: `${o.dir}/report.html` });
      return;
    }
    const passed = claims.filter((c) => c.pass).length;
    printLines(
      `${o.id}${o.quick ? " (quick)" : ""} in ${o.seconds.toFixed(1)} s → ${o.dir}`,
      "",
      claimTable(R, o.result.claims),
      "",
      `${passed}/${claims.length} claims pass; why each tolerance: report.html and result.json`,
      `report: ${o.dir}/report.html`,
    );
  } catch (err) {
    if (!(err instanceof RunFailedError)) throw err;
    process.exitCode = EXIT_TOLERANCE;
    const message = err.cause instanceof Error ? err.cause.message : String(err.cause);
    if (opts.json) printJson({ id, status: "failed", pass: false, error: message, runFolder: err.dir });
    else process.stderr.write(`splitscape: the reproduction failed: ${message}\nthe folder ${err.dir} is marked INCOMPLETE\n`);
  }
}

/** Register `splitscape reproduce`. */
export function registerReproduce(program: Command): void {
  program
    .command("reproduce")
    .description("re-run a paper's published experiment on the authors' data and weights and set each published number beside ours (run folder with figures and report)")
    .argument("[id]", "the reproduction, e.g. embedding/exp1-separable (see --list)")
    .option("--list", "list the reproductions with their paper, figure and full-run time")
    .option("--quick", "the reduced run the tests use (fewer steps; its claims are listed in the report)")
    .addOption(outFolderOption())
    .option("-v, --verbose", "print progress notes on stderr")
    .option("--json", "print one JSON object")
    .action((id: string | undefined, opts: ReproduceCommandOptions) => reproduceCommand(id, opts));
}
