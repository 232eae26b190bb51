/**
 * `splitscape split --model M [--layer l] --unit j --coeffs c1,c2,… -o wide.json [--data D] [--json]`:
 * apply the splitting map T (copy i gets c_i × the unit's incoming and outgoing weights,
 * c_i ≥ 0, Σc_i² = 1) and report its checks (isometry, function and gradient preservation).
 * `--copy-divide α` (two copies, λ = (α, 1 − α)) or `--smooth` (then --coeffs are λ_i with
 * Σλ_i = 1) apply the copy-and-divide embedding of Zhang et al. instead. Exit 2 on invalid
 * coefficients, an out-of-range unit/layer, data of another input dimension, or an output that
 * is one of the inputs (without --force); exit 1 when a check the map should pass fails — the
 * wide model is then NOT written (e.g. the splitting map of a tanh network). For a conv network
 * the unit is output channel j of the l-th convolution (splitting/channel.ts).
 */
import { EXIT_TOLERANCE } from "../exitCodes.js";
import type { Command } from "commander";
import { InputError } from "../../common/errors.js";
import { describeArchitecture, paramCount, saveModel, type Model } from "../../model/index.js";
import {
  SPLIT_COEFF_TOL, copyDivideSplit, embeddingChecks, hiddenLayerWidth, splitUnit, type EmbeddingChecks, type SplitResult,
} from "../../splitting/index.js";
import { checkOutputFile } from "../../common/outputPath.js";
import {
  labelColsOption, legacyOutputOption, loadModelArg, outFileOption, parseIntOption, printJson, printLines, resolveDataset, resolveOutFile,
} from "../io.js";
import { checkInputColumns } from "./eval.js";

const REF_NAMES = { layer: "--layer", unit: "--unit" };

/** The defaults of `split`, written once (help text and behaviour). */
const SPLIT_DEFAULTS = { layer: 1, seed: 0, tol: SPLIT_COEFF_TOL } as const;

interface SplitCliOptions {
  model: string;
  layer?: string;
  unit: string;
  coeffs?: string;
  out?: string;
  /** The old spelling of --out (hidden, one release). */
  output?: string;
  force?: boolean;
  copyDivide?: string;
  smooth?: boolean;
  tol?: string;
  data?: string;
  labelCols?: string;
  seed?: string;
  json?: boolean;
}

/** The JSON object printed by `split --json`. */
export interface SplitCliResult {
  model: string;
  output: string;
  /** False when a check failed: the wide model was not written. */
  written: boolean;
  kind: "split" | "copy-divide";
  layer: number;
  unit: number;
  /** c_i (split) or λ_i (copy-divide). */
  coefficients: number[];
  tolerance: number;
  before: { architecture: string; parameters: number };
  after: { architecture: string; parameters: number };
  /** Indices of the copies in the wide layer (the first stays at the unit). */
  copies: number[];
  checks: EmbeddingChecks;
  /** Which checks the map is expected to pass and whether they did. */
  expected: string[];
  pass: boolean;
}

/** Parse "c1,c2,…" into finite numbers (InputError naming the option). */
export function parseCoefficients(option: string, raw: string): number[] {
  const parts = raw.split(",").map((s) => s.trim());
  const out = parts.map((s) => (s === "" ? NaN : Number(s)));
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InputError(option, `expected a comma-separated list of numbers, entry ${bad + 1} is ${JSON.stringify(parts[bad])}`);
  return out;
}

/** The map asked for: the splitting map (--coeffs) or copy-and-divide (--copy-divide α, --smooth). */
function applySplit(opts: SplitCliOptions, model: Model, layer: number, unit: number, tol: number): { kind: SplitCliResult["kind"]; coefficients: number[]; res: SplitResult } {
  if (opts.copyDivide !== undefined) {
    if (opts.coeffs !== undefined) throw new InputError("--copy-divide", "give either --copy-divide α or --coeffs, not both");
    const alpha = parseCoefficients("--copy-divide", opts.copyDivide);
    if (alpha.length !== 1) throw new InputError("--copy-divide", `expected one number α (copies get α·a and (1 − α)·a), got ${alpha.length}`);
    const coefficients = [alpha[0], 1 - alpha[0]];
    return { kind: "copy-divide", coefficients, res: copyDivideSplit(model, { layer, unit }, coefficients, { tol, source: "--copy-divide", refNames: REF_NAMES }) };
  }
  if (opts.coeffs === undefined) throw new InputError("--coeffs", "required (or --copy-divide α)");
  const coefficients = parseCoefficients("--coeffs", opts.coeffs);
  if (opts.smooth) {
    return { kind: "copy-divide", coefficients, res: copyDivideSplit(model, { layer, unit }, coefficients, { tol, source: "--coeffs", refNames: REF_NAMES }) };
  }
  return { kind: "split", coefficients, res: splitUnit(model, { layer, unit }, coefficients, { tol, source: "--coeffs", refNames: REF_NAMES }) };
}

/**
 * Apply the split and compute its checks; the wide model is written only when the checks the
 * map should pass do pass (never onto an input without --force).
 */
export function runSplitCommand(opts: SplitCliOptions): SplitCliResult {
  const output = resolveOutFile(opts, true)!;
  checkOutputFile(output, { option: "-o/--out", inputs: [opts.model, opts.data], force: opts.force });
  const model = loadModelArg(opts.model, opts);
  const layer = parseIntOption("--layer", opts.layer, 1, 1_000_000) ?? SPLIT_DEFAULTS.layer;
  const unit = parseIntOption("--unit", opts.unit, 0, 1_000_000_000)!;
  const tol = opts.tol === undefined ? SPLIT_DEFAULTS.tol : Number(opts.tol);
  if (!(tol >= 0 && Number.isFinite(tol))) throw new InputError("--tol", `expected a number ≥ 0, got ${JSON.stringify(opts.tol)}`);
  const { kind, coefficients, res } = applySplit(opts, model, layer, unit, tol);
  const ds = opts.data === undefined ? undefined : resolveDataset(opts.data, opts);
  if (ds !== undefined) checkInputColumns(model, opts.model, ds);
  const seed = parseIntOption("--seed", opts.seed, 0, 2 ** 31) ?? SPLIT_DEFAULTS.seed;
  const checks = embeddingChecks(res.map, model, { data: ds?.X, seed });
  const width = hiddenLayerWidth(model.arch, layer);
  const copies = coefficients.map((_, i) => (i === 0 ? unit : width + i - 1));
  const expected = kind === "split"
    ? ["isometry ‖TᵀT − I‖", "function preservation", "gradient preservation ∇Φ̃(Tθ) = T∇Φ(θ)"]
    : ["function preservation"];
  const pass = kind === "split"
    ? checks.isometryHolds && checks.functionPreserved && checks.gradientPreserved
    : checks.functionPreserved;
  if (pass) saveModel(output, res.model);
  return {
    model: opts.model,
    output,
    written: pass,
    kind,
    layer,
    unit,
    coefficients,
    tolerance: tol,
    before: { architecture: describeArchitecture(model.arch), parameters: paramCount(model.arch) },
    after: { architecture: describeArchitecture(res.model.arch), parameters: paramCount(res.model.arch) },
    copies,
    checks,
    expected,
    pass,
  };
}

function e(x: number): string {
  return x === 0 ? "0" : x.toExponential(2);
}

/** Human-readable lines of a split result. */
export function formatSplit(r: SplitCliResult): string[] {
  const c = r.checks;
  const lines = [
    `${r.kind === "split" ? "split" : "copy-and-divide"}  layer ${r.layer} unit ${r.unit} into ${r.coefficients.length} copies (units ${r.copies.join(", ")}), ${r.kind === "split" ? "c" : "λ"} = [${r.coefficients.join(", ")}]`,
    `before  ${r.before.architecture} (p = ${r.before.parameters})`,
    `after   ${r.after.architecture} (p = ${r.after.parameters}) ${r.written ? `→ ${r.output}` : `(${r.output} NOT written: the map failed its expected checks)`}`,
    `checks  ‖TᵀT − I‖ = ${e(c.isometry)} (tol ${c.isometryTol})`,
    `        function: max rel. error ${e(c.functionRandom.relative)} on ${c.functionRandom.points} random points${c.functionData ? `, ${e(c.functionData.relative)} on the data` : ""} (tol ${c.preservationTol})`,
    `        gradient: max rel. error ${e(c.gradientRandom.relative)} on random points${c.gradientData ? `, ${e(c.gradientData.relative)} on the data` : ""}`,
    `expected ${r.expected.join(", ")}: ${r.pass ? "pass" : "FAIL"}`,
  ];
  return lines;
}

/** Register `split` on the program. */
export function registerSplit(program: Command): void {
  program
    .command("split")
    .description("split a hidden unit: the splitting map T (c_i ≥ 0, Σc_i² = 1) or copy-and-divide; checks isometry, function and gradient preservation")
    .requiredOption("--model <M>", "model file (.json)")
    .option("--layer <l>", `hidden layer, counted from 1 (default ${SPLIT_DEFAULTS.layer}); conv nets: the l-th convolution`)
    .requiredOption("--unit <j>", "unit of that layer, 0-based; conv nets: its output channel")
    .option("--coeffs <c>", "coefficients c1,c2,… (c_i ≥ 0, Σc_i² = 1); with --smooth the weights λ_i (Σλ_i = 1)")
    .option("--copy-divide <alpha>", "copy-and-divide split of Zhang et al.: w copied, a → α·a, (1 − α)·a")
    .option("--smooth", "copy-and-divide with --coeffs as the weights λ_i (any activation)")
    .addOption(outFileOption("the wide model (.json); written only when the expected checks pass"))
    .addOption(legacyOutputOption())
    .option("--force", "allow -o/--out to be the input model (overwrite it)")
    .option("--tol <t>", `tolerance on |Σc_i² − 1| (or |Σλ_i − 1|) (default ${SPLIT_DEFAULTS.tol})`)
    .option("--data <D>", "also check function and gradient preservation on this dataset's inputs")
    .addOption(labelColsOption())
    .option("--seed <s>", `seed of the random check points (default ${SPLIT_DEFAULTS.seed})`)
    .option("--json", "print one JSON object")
    .action((opts: SplitCliOptions) => {
      const r = runSplitCommand(opts);
      if (opts.json) printJson(r);
      else printLines(...formatSplit(r));
      if (!r.pass) process.exitCode = EXIT_TOLERANCE;
    });
}
