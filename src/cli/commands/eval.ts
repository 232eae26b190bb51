/**
 * `splitscape eval --model M --data D --loss L [--mean] [--hessian] [--json]`: loss, log-loss and
 * gradient of a model on a data set; margins for the ±1 classification losses; with --hessian the
 * dense Hessian and its eigenvalues (ascending).
 */
import { Option, type Command } from "commander";
import { InputError } from "../../common/index.js";
import { checkDenseHessian } from "../../common/limits.js";
import type { Dataset } from "../../data/index.js";
import { eigvalsh } from "../../linalg/index.js";
import {
  LOSS_NAMES,
  describeArchitecture,
  hessian,
  homogeneityOrder,
  inputDim,
  isLossName,
  isMarginLoss,
  lossAndGradient,
  outputDim,
  paramCount,
  type LossName,
  type Model,
} from "../../model/index.js";
import { labelColsOption, loadModelArg, printJson, printLines, resolveDataset } from "../io.js";

interface EvalOptions {
  model: string;
  data: string;
  loss: string;
  mean?: boolean;
  hessian?: boolean;
  outputs?: boolean;
  labelCols?: string;
  json?: boolean;
}

/** The JSON object printed by `eval --json`. */
export interface EvalResult {
  model: string;
  architecture: string;
  data: string;
  n: number;
  p: number;
  /** Homogeneity order L of the network in θ, or null. */
  homogeneity: number | null;
  lossName: LossName;
  convention: "sum" | "mean";
  loss: number;
  logLoss: number;
  gradient: Float64Array;
  gradientNorm: number;
  /** y_i·f(x_i) (n numbers; n rows of k for vector outputs), margin losses only. */
  margins?: number[] | number[][];
  /** f(x_i) (n numbers; n rows of k for vector outputs), with --outputs. */
  outputs?: number[] | number[][];
  hessian?: number[][];
  /** Eigenvalues of the Hessian, ascending. */
  eigenvalues?: Float64Array;
}

/** InputError unless the data's inputs have the model's input dimension d. */
export function checkInputColumns(model: Model, modelSource: string, ds: Dataset): void {
  const d = inputDim(model.arch);
  if (ds.X.cols !== d) {
    throw new InputError(ds.source, `has ${ds.X.cols} input columns, but the model ${modelSource} (${describeArchitecture(model.arch)}) expects d = ${d}`, "X");
  }
}

/** InputError unless the model and the data fit together and the labels suit the loss. */
export function checkModelAgainstData(model: Model, modelSource: string, ds: Dataset, loss: LossName): void {
  checkInputColumns(model, modelSource, ds);
  const k = outputDim(model.arch);
  if (ds.Y.cols !== k) {
    throw new InputError(ds.source, `has ${ds.Y.cols} target columns, but the model ${modelSource} has k = ${k} outputs`, "y");
  }
  if (isMarginLoss(loss)) {
    const y = ds.Y.data;
    for (let t = 0; t < y.length; t++) {
      if (y[t] !== 1 && y[t] !== -1) {
        const i = Math.floor(t / k);
        throw new InputError(
          ds.source,
          `the ${loss} loss needs labels ±1, got ${y[t]} in sample ${i} (map 0/1 labels to −1/+1, or use --loss square for regression)`,
          "y",
        );
      }
    }
  }
}

/** Compute the eval result (no printing). */
export function evaluateModel(model: Model, modelSource: string, ds: Dataset, loss: LossName, opts: { mean?: boolean; hessian?: boolean; outputs?: boolean }): EvalResult {
  checkModelAgainstData(model, modelSource, ds, loss);
  const p = paramCount(model.arch);
  const k = outputDim(model.arch);
  const n = ds.X.rows;
  const mean = opts.mean ?? false;
  const ev = lossAndGradient(model, ds, loss, { mean });
  const gradient = ev.gradient!;
  let g2 = 0;
  for (let t = 0; t < p; t++) g2 += gradient[t] * gradient[t];
  const out: EvalResult = {
    model: modelSource,
    architecture: describeArchitecture(model.arch),
    data: ds.source,
    n,
    p,
    homogeneity: homogeneityOrder(model.arch),
    lossName: loss,
    convention: mean ? "mean" : "sum",
    loss: ev.loss,
    logLoss: ev.logLoss,
    gradient,
    gradientNorm: Math.sqrt(g2),
  };
  if (isMarginLoss(loss)) {
    const F = ev.outputs.data;
    const Y = ds.Y.data;
    if (k === 1) {
      out.margins = Array.from(F, (f, i) => f * Y[i]);
    } else {
      const rows: number[][] = [];
      for (let i = 0; i < n; i++) rows.push(Array.from({ length: k }, (_, c) => F[i * k + c] * Y[i * k + c]));
      out.margins = rows;
    }
  }
  if (opts.outputs) {
    const F = ev.outputs.data;
    out.outputs = k === 1 ? Array.from(F) : Array.from({ length: n }, (_, i) => Array.from(F.subarray(i * k, (i + 1) * k)));
  }
  if (opts.hessian) {
    checkDenseHessian("--hessian", p, n);
    const H = hessian(model, ds, loss, { mean });
    const rows: number[][] = [];
    for (let i = 0; i < p; i++) rows.push(Array.from(H.data.subarray(i * p, (i + 1) * p)));
    out.hessian = rows;
    out.eigenvalues = eigvalsh(H);
  }
  return out;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x === 0 ? "0" : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? x.toPrecision(6) : x.toExponential(4);
}

/** Human summary of an eval result. */
export function formatEval(r: EvalResult): string[] {
  const lines = [
    `model     ${r.model}: ${r.architecture}, p = ${r.p}${r.homogeneity === null ? "" : `, homogeneous of order ${r.homogeneity}`}`,
    `data      ${r.data}: n = ${r.n}`,
    `loss      ${r.lossName} (${r.convention} over samples) = ${fmt(r.loss)}   log = ${fmt(r.logLoss)}`,
    `gradient  ‖∇ℒ‖ = ${fmt(r.gradientNorm)}`,
  ];
  if (r.margins) {
    const q = (r.margins as (number | number[])[]).flat();
    let lo = Infinity;
    let hi = -Infinity;
    let neg = 0;
    for (const v of q) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      if (v <= 0) neg++;
    }
    lines.push(`margins   min ${fmt(lo)}, max ${fmt(hi)}, ${neg} of ${q.length} ≤ 0`);
  }
  if (r.outputs) r.outputs.forEach((f, i) => lines.push(`${i === 0 ? "outputs" : "       "}   f(x_${i}) = ${Array.isArray(f) ? `[${f.join(", ")}]` : f}`));
  if (r.eigenvalues) {
    const ev = r.eigenvalues;
    const scale = Math.max(Math.abs(ev[0] ?? 0), Math.abs(ev[ev.length - 1] ?? 0));
    const tol = 1e-10 * scale;
    let neg = 0;
    let zero = 0;
    for (const v of ev) {
      if (v < -tol) neg++;
      else if (v <= tol) zero++;
    }
    lines.push(`hessian   eigenvalues in [${fmt(ev[0])}, ${fmt(ev[ev.length - 1])}]: ${neg} negative, ${zero} zero (|λ| ≤ 1e-10·max|λ|), ${ev.length - neg - zero} positive`);
  }
  return lines;
}

function runEval(opts: EvalOptions): void {
  if (!isLossName(opts.loss)) {
    throw new InputError("--loss", `unknown loss ${JSON.stringify(opts.loss)}; allowed: ${LOSS_NAMES.join(", ")}`);
  }
  const model = loadModelArg(opts.model, opts);
  const ds = resolveDataset(opts.data, opts);
  const r = evaluateModel(model, opts.model, ds, opts.loss, { mean: opts.mean, hessian: opts.hessian, outputs: opts.outputs });
  if (opts.json) printJson(r);
  else printLines(...formatEval(r));
}

/** Register `eval` on the program. */
export function registerEval(program: Command): void {
  program
    .command("eval")
    .description("loss, log-loss, gradient and margins of a model on a dataset; --hessian adds the Hessian and its eigenvalues")
    .requiredOption("--model <M>", "model file (.json, see INTERFACES.md)")
    .requiredOption("--data <D>", "dataset: .json or .csv file, or builtin:NAME?key=value&…")
    .addOption(new Option("--loss <L>", "loss").choices([...LOSS_NAMES]).makeOptionMandatory())
    .option("--mean", "mean over samples instead of the sum")
    .option("--hessian", "also the dense Hessian and its eigenvalues")
    .option("--outputs", "also the network outputs f(x_i), one per sample (full precision)")
    .addOption(labelColsOption())
    .option("--json", "print one JSON object")
    .action((opts: EvalOptions) => runEval(opts));
}
