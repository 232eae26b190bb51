import type { Command } from "commander";
import { experimentKinds, getExperiment, loadSpec, RunFailedError, runToFolder } from "../../experiments/index.js";
import { InputError } from "../../common/errors.js";
import { formatTable, formatVerdictTable } from "../../report/index.js";
import { printJson, printLines } from "../io.js";
import { EXIT_TOLERANCE } from "../exitCodes.js";

interface RunCommandOptions {
  out: string;
  json?: boolean;
  verbose?: boolean;
  list?: boolean;
}

/** `run --list`: the registered experiment kinds. */
function listKinds(json: boolean | undefined): void {
  const kinds = experimentKinds().map((k) => getExperiment(k)!);
  if (json) {
    printJson({ kinds: kinds.map((d) => ({ kind: d.kind, family: d.family, title: d.title, description: d.description ?? "", headline: d.headline !== undefined })) });
    return;
  }
  printLines(formatTable(["kind", "family", "title"], kinds.map((d) => [d.kind, d.family, d.title])));
}

/** `splitscape run SPEC`: run one experiment spec into a new run folder. */
async function runCommand(specPath: string | undefined, opts: RunCommandOptions): Promise<void> {
  if (opts.list) return listKinds(opts.json);
  if (specPath === undefined) throw new InputError("run", "give a spec file (JSON or YAML), or --list to see the experiment kinds");
  const loaded = loadSpec(specPath);
  if (loaded.grid) throw new InputError(specPath, "this spec declares a grid; run it with `splitscape sweep`", "grid");
  const log = opts.verbose ? (m: string) => process.stderr.write(`${loaded.spec.kind}: ${m}\n`) : undefined;
  try {
    const o = await runToFolder(loaded.spec, { outDir: opts.out, log });
    if (!o.pass) process.exitCode = EXIT_TOLERANCE;
    if (opts.json) {
      printJson({ dir: o.dir, id: o.id, kind: o.spec.kind, status: "complete", pass: o.pass, seconds: o.seconds, report: `${o.dir}/report.html`, summary: o.result.summary, verdicts: o.result.verdicts });
      return;
    }
    printLines(`${o.spec.kind} (seed ${o.spec.seed}) in ${o.seconds.toFixed(1)} s → ${o.dir}`, "", formatVerdictTable(o.result.verdicts), "", `report: ${o.dir}/report.html`);
  } catch (err) {
    if (!(err instanceof RunFailedError)) throw err;
    process.exitCode = EXIT_TOLERANCE;
    const message = err.cause instanceof Error ? err.cause.message : String(err.cause);
    if (opts.json) printJson({ dir: err.dir, kind: loaded.spec.kind, status: "failed", pass: false, error: message });
    else process.stderr.write(`splitscape: the run failed: ${message}\nthe folder ${err.dir} is marked INCOMPLETE\n`);
  }
}

/** Register `splitscape run`. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run an experiment spec (JSON or YAML) into runs/<id>/: spec, result, metrics, figures, report")
    .argument("[spec]", "the spec file")
    .option("-o, --out <dir>", "parent folder of the run folder", "runs")
    .option("--list", "list the registered experiment kinds")
    .option("-v, --verbose", "print the experiment's progress notes on stderr")
    .option("--json", "print one JSON object")
    .action((spec: string | undefined, opts: RunCommandOptions) => runCommand(spec, opts));
}
