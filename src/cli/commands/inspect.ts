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
import { InputError } from "../../common/errors.js";
import type { Dataset } from "../../data/index.js";
import {
  createRunFolder, currentEnvironment, markComplete, markIncomplete, REPORT_FILE, runJsonReplacer, shortHash, timeStamp,
} from "../../experiments/index.js";
import { formatInspectTable, inspectDocument, inspectFigures, inspectNetwork, INSPECT_GRAD_TOL, CONVEX_SOLVE_SECONDS, type InspectReport } from "../../inspect/index.js";
import {
  LOSS_NAMES, loadModel, modelToJson, twoLayerArchitecture, twoLayerParts, type LossName, type Model,
} from "../../model/index.js";
import { renderReportHtml } from "../../report/index.js";
import { MERGE_ANGLE_TOL } from "../../splitting/index.js";
import { VERSION } from "../../version.js";
import { EXIT_OK, EXIT_TOLERANCE } from "../exitCodes.js";
import { labelColsOption, printJson, printLines, resolveDataset } from "../io.js";
import { checkModelAgainstData } from "./eval.js";
import { writeFigureFiles } from "./figureFiles.js";

interface InspectCliOptions {
  model: string;
  data: string;
  loss?: string;
  mean?: boolean;
  beta?: string;
  bias?: boolean;
  angleTol?: string;
  gradTol?: string;
  convexSeconds?: string;
  labelCols?: string;
  out: string;
  json?: boolean;
}

/** A finite number ≥ 0 (> 0 when `positive`) from an option, or the fallback when absent. */
export function nonNegativeOption(option: string, raw: string | undefined, fallback: number, positive = false): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new InputError(option, `expected a finite number ${positive ? "> 0" : "≥ 0"}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

/** The loss asked for, or the detected one: logistic for ±1 labels, square otherwise. */
export function lossFor(raw: string | undefined, ds: Dataset): LossName {
  if (raw === undefined) return ds.Y.data.every((v) => v === 1 || v === -1) ? "logistic" : "square";
  if (!(LOSS_NAMES as readonly string[]).includes(raw)) throw new InputError("--loss", `unknown loss ${JSON.stringify(raw)}; allowed: ${LOSS_NAMES.join(", ")}`);
  return raw as LossName;
}

/** --bias: a bias-free two-layer model gets zero input biases (same function). */
export function withZeroBias(model: Model, source: string): Model {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new InputError("--bias", `applies to two-layer networks; ${source} is an mlp (bias-free by definition)`);
  if (arch.inputBias) return model;
  const wide = twoLayerArchitecture({ d: arch.d, m: arch.m, k: arch.k, activation: arch.activation, inputBias: true, outputBias: arch.outputBias });
  const theta = new Float64Array(model.theta.length + arch.m);
  const src = twoLayerParts(arch, model.theta);
  const dst = twoLayerParts(wide, theta);
  dst.W.set(src.W);
  dst.a.set(src.a);
  if (src.c && dst.c) dst.c.set(src.c);
  return { arch: wide, theta };
}

/** The report as stored in inspect.json: models as model-file records, the map's arrays left out (the groups carry it). */
export function inspectJson(r: InspectReport): unknown {
  const red = r.redundancy.applies ? (({ map: _map, merged, ...rest }) => ({ ...rest, merged: modelToJson(merged) }))(r.redundancy) : r.redundancy;
  return { ...r, redundancy: red };
}

async function runInspect(o: InspectCliOptions): Promise<number> {
  const started = new Date();
  let model = loadModel(o.model);
  const ds = resolveDataset(o.data, { labelCols: o.labelCols });
  const loss = lossFor(o.loss, ds);
  if (o.bias) model = withZeroBias(model, o.model);
  checkModelAgainstData(model, o.model, ds, loss);
  const beta = nonNegativeOption("--beta", o.beta, 0);
  const angleTol = nonNegativeOption("--angle-tol", o.angleTol, MERGE_ANGLE_TOL);
  const gradTol = nonNegativeOption("--grad-tol", o.gradTol, INSPECT_GRAD_TOL);
  const convexSeconds = nonNegativeOption("--convex-seconds", o.convexSeconds, CONVEX_SOLVE_SECONDS, true);
  const settings = { loss, mean: o.mean ?? false, beta, angleTol, gradTol, convexSeconds };
  const spec = { command: "inspect", splitscapeVersion: VERSION, model: o.model, data: ds.source, bias: o.bias ?? false, ...settings, modelHash: shortHash(Array.from(model.theta)) };
  const report = inspectNetwork(model, ds, settings);
  const dir = createRunFolder(o.out, `inspect-${timeStamp(started)}-${shortHash(spec)}`);
  const json = (v: unknown): string => `${JSON.stringify(v, runJsonReplacer, 2)}\n`;
  try {
    writeFileAtomic(join(dir, "spec.json"), json(spec));
    writeFileAtomic(join(dir, "inspect.json"), json(inspectJson(report)));
    if (report.redundancy.applies && report.redundancy.mergedWidth < report.redundancy.width) {
      writeFileAtomic(join(dir, "merged.json"), json(modelToJson(report.redundancy.merged)));
    }
    const rendered = await writeFigureFiles(dir, inspectFigures(report).map((f) => f.figure));
    const environment = currentEnvironment();
    writeFileAtomic(join(dir, REPORT_FILE), renderReportHtml(inspectDocument(report, `splitscape inspect: ${o.model} on ${ds.source}`, rendered, environment)));
    writeFileAtomic(join(dir, "run.json"), json({ started: started.toISOString(), finished: new Date().toISOString(), elapsedMs: Date.now() - started.getTime(), environment }));
    markComplete(dir);
  } catch (err) {
    markIncomplete(dir, `failed: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
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
