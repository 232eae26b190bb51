/**
 * `splitscape kkt --model M --data D [--loss exponential|logistic] [--kink-tol t] [--active-tol τ]
 * [--tol ε] [--json]`: normalised and smoothed margins and the Clarke-aware KKT certificate of the
 * max-margin problem (margin/kktCertificate). Exit 2 for a non-homogeneous model (with the
 * reason), 1 when the data is not separated or ε/‖θ̂‖ exceeds --tol.
 */
import { EXIT_TOLERANCE } from "../exitCodes.js";
import { Option, type Command } from "commander";
import { InputError } from "../../common/index.js";
import { checkKktCertificate } from "../../common/limits.js";
import { KKT_KINK_TOL, kktCertificate, marginSummary, requireHomogeneity, type KktCertificate } from "../../margin/index.js";
import { describeArchitecture, paramCount } from "../../model/index.js";
import { labelColsOption, loadModelArg, printJson, printLines, resolveDataset } from "../io.js";
import { checkModelAgainstData } from "./eval.js";

interface KktCliOptions {
  model: string;
  data: string;
  loss: "exponential" | "logistic";
  kinkTol?: string;
  activeTol?: string;
  tol?: string;
  labelCols?: string;
  json?: boolean;
}

/** The JSON object printed by `kkt --json`. */
export interface KktCliResult {
  model: string;
  architecture: string;
  data: string;
  n: number;
  status: KktCertificate["status"];
  message: string;
  homogeneity: number;
  qmin: number;
  normalizedMargin: number;
  loss: string;
  smoothedMargin: number | null;
  epsilon: number | null;
  epsilonRelative: number | null;
  delta: number | null;
  lambda: Float64Array | null;
  support: number[];
  sumLambda: number | null;
  normSquaredOverL: number | null;
  eulerGap: number | null;
  kinks: KktCertificate["kinks"];
  kinkTol: number;
  activeTol: number | null;
  ladder: KktCertificate["ladder"];
  method: KktCertificate["method"];
  solver: KktCertificate["solver"];
  /** --tol, when given, and whether ε/‖θ̂‖ met it. */
  tolerance?: number;
  pass?: boolean;
}

function positiveNumber(option: string, raw: string | undefined, allowInf = false): number | undefined {
  if (raw === undefined) return undefined;
  if (allowInf && /^(inf|infinity)$/i.test(raw.trim())) return Infinity;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || raw.trim() === "") throw new InputError(option, `expected a number ≥ 0${allowInf ? " or inf" : ""}, got ${JSON.stringify(raw)}`);
  return v;
}

/** Compute the kkt result (no printing). */
export function kktReport(opts: KktCliOptions): KktCliResult {
  const model = loadModelArg(opts.model, opts);
  requireHomogeneity(model.arch, opts.model);
  const ds = resolveDataset(opts.data, opts);
  checkModelAgainstData(model, opts.model, ds, opts.loss);
  const kinkTol = positiveNumber("--kink-tol", opts.kinkTol) ?? KKT_KINK_TOL;
  const activeTol = positiveNumber("--active-tol", opts.activeTol, true);
  const tol = positiveNumber("--tol", opts.tol);
  const p = paramCount(model.arch);
  checkKktCertificate(opts.model, ds.X.rows, p);
  const cert = kktCertificate(model, ds, { kinkTol, activeTol, source: opts.model });
  const margins = marginSummary(model, ds, opts.loss);
  const out: KktCliResult = {
    model: opts.model,
    architecture: describeArchitecture(model.arch),
    data: ds.source,
    n: ds.X.rows,
    status: cert.status,
    message: cert.message,
    homogeneity: cert.homogeneity,
    qmin: cert.qmin,
    normalizedMargin: cert.normalizedMargin,
    loss: opts.loss,
    smoothedMargin: margins.smoothedMargin,
    epsilon: cert.epsilon,
    epsilonRelative: cert.epsilonRelative,
    delta: cert.delta,
    lambda: cert.lambda,
    support: cert.support,
    sumLambda: cert.sumLambda,
    normSquaredOverL: cert.normSquaredOverL,
    eulerGap: cert.eulerGap,
    kinks: cert.kinks,
    kinkTol: cert.kinkTol,
    activeTol: cert.activeTol,
    ladder: cert.ladder,
    method: cert.method,
    solver: cert.solver,
  };
  if (tol !== undefined) {
    out.tolerance = tol;
    out.pass = cert.epsilonRelative !== null && cert.epsilonRelative <= tol;
  }
  return out;
}

function fmt(x: number | null): string {
  if (x === null) return "—";
  if (!Number.isFinite(x)) return String(x);
  return x === 0 ? "0" : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? x.toPrecision(6) : x.toExponential(4);
}

/** Human-readable lines of a kkt result. */
export function formatKkt(r: KktCliResult): string[] {
  const lines = [
    `model     ${r.model}: ${r.architecture}, homogeneous of order L = ${r.homogeneity}`,
    `data      ${r.data}: n = ${r.n}`,
    `margins   q_min = ${fmt(r.qmin)}, γ̄ = q_min/‖θ‖^L = ${fmt(r.normalizedMargin)}, γ̃ (${r.loss}) = ${fmt(r.smoothedMargin)}`,
  ];
  if (r.status !== "ok") return [...lines, `KKT       ${r.message}`];
  lines.push(
    `KKT       ε = ${fmt(r.epsilon)}, ε/‖θ̂‖ = ${fmt(r.epsilonRelative)}, δ = ${fmt(r.delta)} (${r.method}, active set q̂ − 1 ≤ ${fmt(r.activeTol)})`,
    `          support ${r.support.length} of ${r.lambda?.length ?? 0}: [${r.support.slice(0, 20).join(", ")}${r.support.length > 20 ? ", …" : ""}]`,
    `          Σλ = ${fmt(r.sumLambda)} vs ‖θ̂‖²/L = ${fmt(r.normSquaredOverL)} (relative gap ${fmt(r.eulerGap)})`,
    `          kinks: ${r.kinks.length} (tolerance ${r.kinkTol}), ${r.kinks.filter((k) => k.relaxed).length} relaxed`,
  );
  if (r.tolerance !== undefined) lines.push(`check     ε/‖θ̂‖ ≤ ${r.tolerance}: ${r.pass ? "pass" : "FAIL"}`);
  return lines;
}

/** Register `kkt` on the program. */
export function registerKkt(program: Command): void {
  program
    .command("kkt")
    .description("normalised margin and Clarke-aware KKT certificate (ε, δ, λ) of the max-margin problem")
    .requiredOption("--model <M>", "model file of a homogeneous network (.json)")
    .requiredOption("--data <D>", "dataset with labels ±1: .json or .csv file, or builtin:NAME?key=value&…")
    .addOption(new Option("--loss <L>", "loss of the smoothed margin γ̃").choices(["exponential", "logistic"]).default("exponential"))
    .option("--kink-tol <t>", `a unit is on a kink when |wᵀu| ≤ t·(‖w‖‖u‖ + |b|) (default ${KKT_KINK_TOL})`)
    .option("--active-tol <tau>", "use only constraints with q̂_k − 1 ≤ τ (inf: all); default: the best of a ladder of τ")
    .option("--tol <eps>", "exit 1 unless ε/‖θ̂‖ ≤ eps")
    .addOption(labelColsOption())
    .option("--json", "print one JSON object")
    .action((opts: KktCliOptions) => {
      const r = kktReport(opts);
      if (opts.json) printJson(r);
      else printLines(...formatKkt(r));
      if (r.status !== "ok" || r.pass === false) process.exitCode = EXIT_TOLERANCE;
    });
}
