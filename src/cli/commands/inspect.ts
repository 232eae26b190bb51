/**
 * `splitscape inspect --model M --data D [--loss L] [--mean] [--beta B] [--bias] [--angle-tol A]
 * [--grad-tol G] [--convex-seconds S] [-o DIR] [--json]`: every analysis that applies to a
 * trained network (inspect/), with a run folder DIR/inspect-<stamp>-<hash>/:
 *   spec.json      the settings (defaults filled) and the splitscape version
 *   inspect.json   the whole report (every section, its numbers, why a section does not apply)
 *   merged.json    the merged narrower network, when section 2 found redundancy (a model file)
 *   figures/       NAME.svg, NAME.png, NAME.vl.json
 *   report.html    self-contained, figures inlined
 *   run.json       wall clock and environment (the only non-deterministic file)
 * and a verdict table on stdout. --loss defaults to logistic when every label is ±1, else
 * square. --bias gives a bias-free two-layer model zero input biases (a regularised bias column,
 * as in `convex`); a model file with "b" implies it. Exit 1 when a self-check fails.
 */
import { join } from "node:path";
import { Option, type Command } from "commander";
import { writeFileAtomic } from "../../common/atomic.js";
import { stamped } from "../../common/format.js";
import { shortHash } from "../../experiments/hash.js";
import { REPORT_FILE } from "../../experiments/runFolder.js";
import { formatInspectTable, inspectDocument, inspectFigures, inspectNetwork, INSPECT_GRAD_TOL, CONVEX_SOLVE_SECONDS, type InspectReport } from "../../inspect/index.js";
import { LOSS_NAMES, modelToJson } from "../../model/index.js";
import { renderReportHtml } from "../../report/index.js";
import { MERGE_ANGLE_TOL } from "../../splitting/index.js";
import { VERSION } from "../../version.js";
import { EXIT_OK, EXIT_TOLERANCE } from "../exitCodes.js";
import { labelColsOption, printJson, printLines } from "../io.js";
import { networkInputs, type NetworkInputOptions, nonNegativeOption, runJson, writeFigureFiles, writeRunFolder } from "./runOutputs.js";

interface InspectCliOptions extends NetworkInputOptions {
  mean?: boolean;
  angleTol?: string;
  gradTol?: string;
  convexSeconds?: string;
  out: string;
  json?: boolean;
}

/** The report as stored in inspect.json: models as model-file records, the map's arrays left out (the groups carry it). */
export function inspectJson(r: InspectReport): unknown {
  const red = r.redundancy.applies ? (({ map: _map, merged, ...rest }) => ({ ...rest, merged: modelToJson(merged) }))(r.redundancy) : r.redundancy;
  return { ...r, redundancy: red };
}

async function runInspect(o: InspectCliOptions): Promise<number> {
  const started = new Date();
  const { model, ds, loss, beta } = networkInputs(o);
  const angleTol = nonNegativeOption("--angle-tol", o.angleTol, MERGE_ANGLE_TOL);
  const gradTol = nonNegativeOption("--grad-tol", o.gradTol, INSPECT_GRAD_TOL);
  const convexSeconds = nonNegativeOption("--convex-seconds", o.convexSeconds, CONVEX_SOLVE_SECONDS, true);
  const settings = { loss, mean: o.mean ?? false, beta, angleTol, gradTol, convexSeconds };
  const spec = { command: "inspect", splitscapeVersion: VERSION, model: o.model, data: ds.source, bias: o.bias ?? false, ...settings, modelHash: shortHash(Array.from(model.theta)) };
  const report = inspectNetwork(model, ds, settings);
  const dir = await writeRunFolder(o.out, "inspect", shortHash(spec), started, async (d, environment) => {
    writeFileAtomic(join(d, "spec.json"), runJson(stamped("spec", spec)));
    writeFileAtomic(join(d, "inspect.json"), runJson(stamped("inspect", inspectJson(report) as object)));
    if (report.redundancy.applies && report.redundancy.mergedWidth < report.redundancy.width) {
      writeFileAtomic(join(d, "merged.json"), runJson(stamped("model", modelToJson(report.redundancy.merged))));
    }
    const rendered = await writeFigureFiles(d, inspectFigures(report).map((f) => f.figure));
    writeFileAtomic(join(d, REPORT_FILE), renderReportHtml(inspectDocument(report, `splitscape inspect: ${o.model} on ${ds.source}`, rendered, environment)));
  });
  if (o.json) {
    printJson({ runFolder: dir, checksPass: report.checksPass, ...(inspectJson(report) as object) });
  } else {
    const failed = Object.values(report.checks).flat().filter((v) => !v.pass);
    printLines(
      `inspect ${o.model}: ${report.facts.architecture}, p = ${report.facts.p}; ${ds.source}: n = ${report.facts.n}; ${loss} (${settings.mean ? "mean" : "sum"})${beta > 0 ? `, β = ${beta}` : ""}`,
      formatInspectTable(report),
      ...failed.map((v) => `CHECK FAILED: ${v.claim}: ${v.measured} (tolerance ${v.tolerance})`),
      `run folder: ${dir}`,
    );
  }
  return report.checksPass ? EXIT_OK : EXIT_TOLERANCE;
}

/** Register `inspect` on the program. */
export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description("every analysis that applies to a trained network: stationarity and curvature, redundancy (splits), max-margin, convex certificate, plateau class")
    .requiredOption("--model <M>", "model file (.json, see INTERFACES.md)")
    .requiredOption("--data <D>", "dataset: .json or .csv file, or builtin:NAME?key=value&…")
    .addOption(new Option("--loss <L>", "loss (default: logistic for ±1 labels, else square)").choices([...LOSS_NAMES]))
    .option("--mean", "mean over samples instead of the sum")
    .option("--beta <B>", "weight decay β ≥ 0: F = L + (β/2)‖θ‖² (output bias c not regularised); needed for the convex certificate")
    .option("--bias", "two-layer: give a bias-free model zero input biases (a regularised bias column, as in `convex`)")
    .option("--angle-tol <A>", `redundancy: angle tolerance in radians (default ${MERGE_ANGLE_TOL})`)
    .option("--grad-tol <G>", `stationary when ‖∇F‖ ≤ G·scale (default ${INSPECT_GRAD_TOL})`)
    .option("--convex-seconds <S>", `time budget of the convex optimum solve (default ${CONVEX_SOLVE_SECONDS})`)
    .addOption(labelColsOption())
    .option("-o, --out <dir>", "parent folder of the run folder", "runs")
    .option("--json", "print one JSON object (the report and the run folder)")
    .action(async (o: InspectCliOptions) => {
      process.exitCode = await runInspect(o);
    });
}
