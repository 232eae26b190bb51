import type { Command } from "commander";
import type { ParamDescription } from "../../experiments/index.js";
import { loadExperiments, type Experiments } from "../lazy.js";
import { InputError } from "../../common/index.js";
import { checkOutputFolder } from "../../common/outputPath.js";
import { withInterrupt } from "../interrupt.js";
import { formatTable, formatVerdictTable } from "../../report/index.js";
import { outFolderOption, printJson, printLines } from "../io.js";
import { EXIT_TOLERANCE } from "../exitCodes.js";

interface RunCommandOptions {
  out: string;
  json?: boolean;
  verbose?: boolean;
  list?: boolean;
}

/** A default as written in a spec: JSON, with the short lists of the schemas on one line. */
function showDefault(p: ParamDescription): string {
  return p.default === undefined ? (p.required ? "(required)" : "(optional)") : JSON.stringify(p.default).replace(/,/g, ", ");
}

/** `run --list`: the registered experiment kinds, then each kind's parameters with defaults and ranges. */
function listKinds(X: Experiments, json: boolean | undefined): void {
  const { describeParams } = X;
  const kinds = X.experimentKinds().map((k) => X.getExperiment(k)!);
  if (json) {
    printJson({
      kinds: kinds.map((d) => ({
        kind: d.kind, family: d.family, title: d.title, description: d.description ?? "", headline: d.headline !== undefined, params: describeParams(d.kind),
      })),
    });
    return;
  }
  const lines = [formatTable(["kind", "family", "title"], kinds.map((d) => [d.kind, d.family, d.title])), "", "Parameters (set under `params:` in a spec; the values shown are the defaults):"];
  for (const d of kinds) {
    const params = describeParams(d.kind);
    lines.push("", `${d.kind}${params.length === 0 ? " (no parameters)" : ""}`);
    const shown = params.map((p) => [`${p.name} = ${showDefault(p)}`, p.accepts]);
    const w = Math.max(0, ...shown.map(([a]) => a.length));
    for (const [a, b] of shown) lines.push(`  ${a.padEnd(w)}  ${b}`);
  }
  printLines(...lines);
}

/** `splitscape run SPEC`: run one experiment spec into a new run folder. */
async function runCommand(specPath: string | undefined, opts: RunCommandOptions): Promise<void> {
  const X = await loadExperiments();
  const { loadSpec, runToFolder, RunFailedError } = X;
  const { defaultExecutor } = await import("../../experiments/executor.js");
  if (opts.list) return listKinds(X, opts.json);
  if (specPath === undefined) throw new InputError("run", "give a spec file (JSON or YAML), or --list to see the experiment kinds");
  const loaded = loadSpec(specPath);
  if (loaded.grid) throw new InputError(specPath, "this spec declares a grid; run it with `splitscape sweep`", "grid");
  checkOutputFolder(opts.out, "-o/--out");
  const log = opts.verbose ? (m: string) => process.stderr.write(`${loaded.spec.kind}: ${m}\n`) : undefined;
  const executor = defaultExecutor();
  try {
    const o = await withInterrupt((signal) => runToFolder(loaded.spec, { outDir: opts.out, log, executor, signal }));
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
    else process.stderr.write(`splitscape: the run failed: ${message}; the folder ${err.dir} is marked INCOMPLETE\n`);
  } finally {
    await executor.close();
  }
}

/** Register `splitscape run`. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run an experiment spec (JSON or YAML) into runs/<id>/: spec, result, metrics, figures, report")
    .argument("[spec]", "the spec file")
    .addOption(outFolderOption())
    .option("--list", "list the registered experiment kinds")
    .option("-v, --verbose", "print the experiment's progress notes on stderr")
    .option("--json", "print one JSON object")
    .action((spec: string | undefined, opts: RunCommandOptions) => runCommand(spec, opts));
}
