/**
 * `splitscape slice --model M --data D [--loss L] [--mean] [--beta B] [--bias] --along SPEC
 * [--plane SPEC2] [--x lo:hi[:N]] [--y lo:hi[:N]] [--log] [--project M1,M2,…] [-o DIR] [--json]`:
 * F along a line or over a plane through a network (slice/), or along the convex family's
 * non-increasing path (--along path), with a run folder DIR/slice-<stamp>-<hash>/:
 *   spec.json    the settings (defaults filled) and the splitscape version
 *   slice.json   grid axes, values (objective, loss, log-loss, penalty; row-major ny × nx), the
 *                directions (vectors, norms, normalisation), the overlays and the checks
 *   values.csv   one row per grid point: x, y, objective, loss, log_loss, penalty
 *                (path: position, stage, objective, path_objective)
 *   figures/     slice.svg/.png/.vl.json (+ plateau-classes for plateau lines)
 *   report.html  self-contained, figures inlined
 *   run.json     wall clock and environment (the only non-deterministic file)
 * Exit 1 when a self-check fails (slice/checks.ts).
 */
import { join } from "node:path";
import { Option, type Command } from "commander";
import { writeFileAtomic } from "../../common/atomic.js";
import { stamped } from "../../common/format.js";
import { InputError } from "../../common/errors.js";
import { shortHash } from "../../experiments/hash.js";
import { REPORT_FILE } from "../../experiments/runFolder.js";
import { LOSS_NAMES, loadModel, modelToJson, type Model } from "../../model/index.js";
import { isSafetensorsPath } from "../../model/torchModel.js";
import { formatNumber, formatTable, renderReportHtml, type ReportSection } from "../../report/index.js";
import {
  parseDirectionSpec, parseGridAxis, sliceChecks, sliceFigures, sliceLandscape,
  type DirectionRequest, type DirectionSpec, type SliceResult,
} from "../../slice/index.js";
import { VERSION } from "../../version.js";
import { EXIT_OK, EXIT_TOLERANCE } from "../exitCodes.js";
import { labelColsOption, loadModelArg, parseIntOption, printJson, printLines } from "../io.js";
import { networkInputs, type NetworkInputOptions, nonNegativeOption, runJson, withZeroBias, writeFigureFiles, writeRunFolder } from "./runOutputs.js";

interface SliceCliOptions extends NetworkInputOptions {
  mean?: boolean;
  along: string;
  plane?: string;
  x?: string;
  y?: string;
  log?: boolean;
  levels?: string;
  project?: string;
  width?: string;
  straight?: boolean;
  angleTol?: string;
  out: string;
  json?: boolean;
}

/**
 * Another network of the sliced one's shape (to:MODEL2, --project): safetensors weights are read
 * with the same --arch / --torch-repr / --input-shape as --model, a JSON model file as it is.
 */
function loadSibling(path: string, o: SliceCliOptions): Model {
  return isSafetensorsPath(path) ? loadModelArg(path, o) : loadModel(path);
}

/** Load the second model of to:MODEL2 (with --bias applied like the first). */
function request(spec: DirectionSpec, o: SliceCliOptions): DirectionRequest {
  if (spec.kind !== "to") return spec;
  const target = loadSibling(spec.source, o);
  return { ...spec, target: o.bias ? withZeroBias(target, spec.source) : target };
}

/** slice.json: the result with models as model-file records. */
export function sliceJson(s: SliceResult): unknown {
  const { base, ...rest } = s;
  return { ...rest, base: modelToJson(base) };
}

/** values.csv (see the file comment). */
export function sliceCsv(s: SliceResult): string {
  const f = (v: number): string => (Number.isFinite(v) ? String(v) : String(v));
  if (s.kind === "path") {
    const lines = ["position,stage,objective,path_objective"];
    s.positions.forEach((t, i) => lines.push([t, s.stage[i], s.objective[i], s.pathObjective[i]].map(f).join(",")));
    return `${lines.join("\n")}\n`;
  }
  const lines = ["x,y,objective,loss,log_loss,penalty"];
  const nx = s.xs.length;
  for (let j = 0; j < s.ys.length; j++) {
    for (let i = 0; i < nx; i++) {
      const at = j * nx + i;
      lines.push([s.xs[i], s.ys[j], s.values.objective[at], s.values.loss[at], s.values.logLoss[at], s.values.penalty[at]].map(f).join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Lines describing a slice for the terminal and the report summary. */
export function sliceSummary(s: SliceResult): Record<string, string | number> {
  if (s.kind === "path") {
    return {
      points: s.positions.length, stages: s.stages.length, "F start": s.objective[0], "F end": s.objective[s.objective.length - 1],
      "certified optimum": s.optimum.value, "optimum relative gap": s.optimum.relativeGap, "end class": s.finalClass,
      "max rise": s.maxIncrease, "max |ours − path's|": s.maxDeviation, width: s.width,
    };
  }
  const out: Record<string, string | number> = {
    grid: `${s.xs.length}${s.kind === "plane" ? ` × ${s.ys.length}` : ""}`,
    "F(θ)": s.center.objective,
  };
  s.directions.forEach((d, a) => {
    out[`direction ${a === 0 ? "x" : "y"}`] = `${d.spec}: ‖·‖ = ${formatNumber(d.norm)}, ${d.normalization}`;
  });
  if (s.cosine !== null) out["cos∠(U, V)"] = s.cosine;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of s.values.objective) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  out["F range"] = `[${formatNumber(lo)}, ${formatNumber(hi)}]`;
  const Q = s.overlays.quadratic;
  out["UᵀHU (exact HVP)"] = Q.curvature[0][0];
  if (s.kind === "plane") out["VᵀHV (exact HVP)"] = Q.curvature[1][1];
  if (s.overlays.secondDifference) out[`grid second difference at 0 along x (h = ${formatNumber(s.overlays.secondDifference.h)})`] = s.overlays.secondDifference.value;
  if (s.overlays.secondDifferenceY) out[`grid second difference at 0 along y (h = ${formatNumber(s.overlays.secondDifferenceY.h)})`] = s.overlays.secondDifferenceY.value;
  s.overlays.hessian.forEach((h, a) => { if (h) out[`eigenvalue (${a === 0 ? "x" : "y"})`] = h.eigenvalue; });
  s.overlays.across.forEach((c, a) => { if (c) out[`inner-Hessian prediction of the curvature (${a === 0 ? "x" : "y"})`] = c.predictedCurvature; });
  if (s.overlays.to) { out["F(model)"] = s.overlays.to.start; out["F(MODEL2)"] = s.overlays.to.end; }
  const pc = s.overlays.plateau;
  if (pc) out["plateau classes"] = pc.applies ? [...new Set(pc.rows.map((r) => r.cls))].join(", ") : `none: ${pc.reason}`;
  for (const p of s.projections) out[`projected ${p.label}`] = `(${formatNumber(p.x)}, ${formatNumber(p.y)}), off-plane ${formatNumber(p.offPlane)}`;
  if (s.baseNote) out.base = s.baseNote;
  return out;
}

async function runSlice(o: SliceCliOptions): Promise<number> {
  const started = new Date();
  const { model, ds, loss, beta } = networkInputs(o);
  const along = request(parseDirectionSpec(o.along, "--along"), o);
  const plane = o.plane === undefined ? undefined : request(parseDirectionSpec(o.plane, "--plane"), o);
  if (o.y !== undefined && plane === undefined) throw new InputError("--y", "needs --plane (a second direction)");
  const x = o.x === undefined ? undefined : parseGridAxis(o.x, "--x", plane ? 51 : 101);
  const y = o.y === undefined ? undefined : parseGridAxis(o.y, "--y", 51);
  const levels = parseIntOption("--levels", o.levels, 1, 100) ?? 12;
  const project: { label: string; model: Model }[] = (o.project ?? "").split(",").map((p) => p.trim()).filter(Boolean).map((p) => {
    const m = loadSibling(p, o);
    return { label: p, model: o.bias ? withZeroBias(m, p) : m };
  });
  const angleTol = o.angleTol === undefined ? undefined : nonNegativeOption("--angle-tol", o.angleTol, 0);
  const width = parseIntOption("--width", o.width, 1, 1_000_000);
  const settings = { loss, mean: o.mean ?? false, beta };
  const result = sliceLandscape(model, ds, { ...settings, along, plane, x, y, angleTol, project, path: { width, straight: o.straight } });
  for (const p of project) {
    if (p.model.theta.length !== result.base.theta.length) throw new InputError("--project", `${p.label} has ${p.model.theta.length} parameters, the sliced network ${result.base.theta.length}`);
  }
  const checks = sliceChecks(result);
  const ok = checks.every((v) => v.pass);
  const spec = {
    command: "slice", splitscapeVersion: VERSION, model: o.model, data: ds.source, bias: o.bias ?? false, ...settings,
    along: o.along, plane: o.plane ?? null, x: x ?? null, y: y ?? null, log: o.log ?? false, levels, project: project.map((p) => p.label),
    modelHash: shortHash(Array.from(model.theta)),
  };
  const summary = sliceSummary(result);
  const dir = await writeRunFolder(o.out, "slice", shortHash(spec), started, async (d, environment) => {
    writeFileAtomic(join(d, "spec.json"), runJson(stamped("spec", spec)));
    writeFileAtomic(join(d, "slice.json"), runJson(stamped("slice", { ...(sliceJson(result) as object), checks })));
    writeFileAtomic(join(d, "values.csv"), sliceCsv(result));
    const figures = sliceFigures(result, { log: o.log, levels });
    const rendered = await writeFigureFiles(d, figures);
    const section: ReportSection = {
      heading: result.kind === "path" ? "Along the non-increasing path" : `Slice ${result.directions.map((dd) => dd.spec).join(" × ")}`,
      subtitle: `${o.model} on ${ds.source}, ${loss} (${settings.mean ? "mean" : "sum"})${beta > 0 ? `, β = ${beta}` : ""}`,
      verdicts: checks, summary,
      figures: figures.flatMap((f) => { const r = rendered.get(f.name); return r ? [{ title: f.title, caption: f.caption, svg: r.svg, file: r.file }] : []; }),
      spec,
    };
    writeFileAtomic(join(d, REPORT_FILE), renderReportHtml({ title: `splitscape slice: ${o.model}`, sections: [section], environment }));
  });
  if (o.json) {
    printJson({ runFolder: dir, ok, checks, summary });
  } else {
    printLines(
      formatTable(["quantity", "value"], Object.entries(summary).map(([k, v]) => [k, typeof v === "number" ? formatNumber(v) : v]), 200),
      ...checks.map((v) => `${v.pass ? "ok  " : "FAIL"} ${v.claim}: ${typeof v.measured === "number" ? formatNumber(v.measured) : v.measured}`),
      `run folder: ${dir}`,
    );
  }
  return ok ? EXIT_OK : EXIT_TOLERANCE;
}

/** Register `slice` on the program. */
export function registerSlice(program: Command): void {
  program
    .command("slice")
    .description("the loss along a line or over a plane through a network (random filter-normalised, to:MODEL2, hessian:K, plateau:UNIT, plateau-across:UNIT, or the convex path)")
    .requiredOption("--model <M>", "model file (.json, see INTERFACES.md)")
    .requiredOption("--data <D>", "dataset: .json or .csv file, or builtin:NAME?key=value&…")
    .requiredOption("--along <SPEC>", "first direction: random[:SEED], random-plain[:SEED], to:MODEL2, hessian:K, plateau:UNIT, plateau-across:UNIT[:I], path")
    .option("--plane <SPEC2>", "second direction (a 2-D slice); same grammar, not path")
    .addOption(new Option("--loss <L>", "loss (default: logistic for ±1 labels, else square)").choices([...LOSS_NAMES]))
    .option("--mean", "mean over samples instead of the sum")
    .option("--beta <B>", "weight decay β ≥ 0: F = L + (β/2)‖θ‖² (output bias c not regularised); required by --along path")
    .option("--bias", "two-layer: give bias-free models zero input biases (as in `convex`)")
    .option("--x <lo:hi[:N]>", "grid along --along (default -1:1, to: -0.5:1.5; N = 101 for a line, 51 for a plane)")
    .option("--y <lo:hi[:N]>", "grid along --plane (default -1:1:51)")
    .option("--log", "logarithmic F axis / colour scale")
    .option("--levels <N>", "contour levels of a plane (default 12)")
    .option("--project <M1,M2,…>", "model files to place in the slice (least-squares coordinates; e.g. training checkpoints)")
    .option("--width <W>", "--along path: width of the path's networks (default: what the path needs)")
    .option("--straight", "--along path: go straight to the vertex of the optimal set")
    .option("--angle-tol <A>", "plateau directions: the split-detection angle tolerance")
    .addOption(labelColsOption())
    .option("-o, --out <dir>", "parent folder of the run folder", "runs")
    .option("--json", "print one JSON object (summary, checks and the run folder)")
    .action(async (o: SliceCliOptions) => {
      process.exitCode = await runSlice(o);
    });
}
