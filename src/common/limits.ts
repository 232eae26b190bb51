import { totalmem } from "node:os";
import { InputError } from "./errors.js";

/**
 * Every size a user controls is checked here, BEFORE anything is allocated, against a stated
 * limit; a refusal is an InputError (exit 2) that names the limit and how to raise it.
 *
 * | limit                          | what is estimated (bytes)                          | raise with                        |
 * |--------------------------------|----------------------------------------------------|-----------------------------------|
 * | memory budget (default: the    | training: 8·(32p + 4n_b·H + 12S)                   | `--max-memory SIZE` (any command) |
 * | smaller of 4 GiB and half the  | dense Hessian + eigenvalues: 8·(2p² + np)          | or `SPLITSCAPE_MAX_MEMORY=SIZE`   |
 * | machine's memory)              | built-in dataset: 16·n·(d + k)                     |                                   |
 * |                                | KKT certificate: 24·n·p                            |                                   |
 * |                                | N sampled activation patterns: N·(n + 32d)         |                                   |
 * | sweep grid cells (1000)        | one run folder per cell                            | `sweep --max-cells N`             |
 * | text input files (256 MiB)     | JSON/CSV text is one string (V8 caps it at 512 MB) | — (a hard limit of the runtime)   |
 *
 * p = number of parameters, n = samples, n_b = samples held at once (n for an MLP; a two-layer
 * net's kernels work in row blocks of max(8, 65536/m) rows), H = total hidden width (units
 * summed over the hidden layers, times the outputs k for a two-layer net), S = stored
 * trajectory samples, d = inputs, k = outputs. The estimates count the largest arrays a
 * computation holds at once (DOPRI5 keeps 7 stage derivatives plus y, y_new, the error and
 * their workspaces, the objective its gradient and per-layer copies: ≈ 32 vectors of p; a
 * forward/backward pass keeps pre-activations, activations and their derivatives per sample
 * and unit; eigvalsh copies the p×p matrix once; the KKT certificate holds the n×p constraint
 * gradients and its NNLS workspace; a sampled pattern is n mask bytes and four float64
 * vectors of d). They are estimates for refusing absurd sizes early, not a memory profiler.
 * Measured peak RSS above the ≈ 100 MB of a bare `splitscape` (n = 1000, 2-D blobs):
 * MLP 2→2000→2000→1 (p = 4.0e6) 890 MB by flow, 670 MB by gd, estimate 1.15 GB;
 * two-layer m = 80000 (p = 3.2e5) 52 MB by gd, estimate 82 MB.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** The default memory budget: the smaller of 4 GiB and half the machine's memory. */
export const DEFAULT_MAX_MEMORY = Math.min(4 * GiB, Math.floor(totalmem() / 2));

/** The environment variable that sets the memory budget (e.g. `SPLITSCAPE_MAX_MEMORY=16G`). */
export const MEMORY_ENV = "SPLITSCAPE_MAX_MEMORY";

/** The largest sweep grid (cells) that starts without `--max-cells`. */
export const DEFAULT_MAX_SWEEP_CELLS = 1000;

/** The largest text input file (JSON, CSV, YAML) read into memory: 256 MiB. */
export const MAX_TEXT_INPUT_BYTES = 256 * MiB;

let budgetOverride: { bytes: number; source: string } | undefined;

/**
 * Parse a size: a number of bytes, optionally with a unit K, M, G, T (powers of 1024; `KB`,
 * `KiB`, `GB`, … are read the same way), e.g. `8G`, `512M`, `1.5G`, `4000000000`.
 * InputError naming `source` unless it is a positive finite size.
 *
 * @param text - the size as written: bytes, or a number with a unit K, M, G or T (powers of 1024)
 * @param source - the option or file named in the InputError when the text is not a positive finite size
 * @returns the size in bytes, rounded down to an integer
 * @example
 * ```ts
 * import { parseByteSize, setMemoryBudget } from "splitscape";
 * setMemoryBudget(parseByteSize("16G", "my-script --max-memory")); // 17179869184 bytes
 * ```
 */
export function parseByteSize(text: string, source: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  const scale: Record<string, number> = { "": 1, k: KiB, m: MiB, g: GiB, t: 1024 * GiB };
  const bytes = m ? Number(m[1]) * scale[m[2].toLowerCase()] : NaN;
  if (!Number.isFinite(bytes) || bytes <= 0) {
    throw new InputError(source, `expected a memory size such as 8G, 512M or 2000000000 (bytes), got ${JSON.stringify(text)}`);
  }
  return Math.floor(bytes);
}

/**
 * Set the memory budget for this process (the CLI's `--max-memory`); undefined restores the default.
 *
 * Every size check (training, dense Hessians, datasets, certificates) compares its estimate
 * against this budget before allocating; the budget holds until set again.
 *
 * @param bytes - the budget in bytes for the rest of this process; undefined falls back to
 * `SPLITSCAPE_MAX_MEMORY` or the default (the smaller of 4 GB and half the machine's memory)
 * @param source - the name the size errors give for the limit (default `--max-memory`)
 * @example
 * ```ts
 * import { memoryBudget, setMemoryBudget } from "splitscape";
 * setMemoryBudget(8 * 1024 ** 3, "my-script");
 * console.log(memoryBudget()); // { bytes: 8589934592, source: "my-script" }
 * setMemoryBudget(undefined);
 * ```
 */
export function setMemoryBudget(bytes: number | undefined, source = "--max-memory"): void {
  budgetOverride = bytes === undefined ? undefined : { bytes, source };
}

/**
 * The memory budget in bytes and where it came from (`--max-memory`, the environment, or the default).
 *
 * @returns `bytes`, the budget every size check compares against, and `source`, where it came from
 * (the name given to setMemoryBudget, `SPLITSCAPE_MAX_MEMORY`, or `default`)
 * @example
 * ```ts
 * import { memoryBudget } from "splitscape";
 * const { bytes, source } = memoryBudget();
 * console.log(`${(bytes / 1024 ** 3).toFixed(1)} GiB from ${source}`);
 * ```
 */
export function memoryBudget(): { bytes: number; source: string } {
  if (budgetOverride) return budgetOverride;
  const env = process.env[MEMORY_ENV];
  if (env !== undefined && env.trim() !== "") return { bytes: parseByteSize(env, MEMORY_ENV), source: MEMORY_ENV };
  return { bytes: DEFAULT_MAX_MEMORY, source: "default" };
}

/** A byte count for people: `1.5 GB`, `320 MB`, `2.0e+12 B` beyond petabytes. */
export function formatBytes(bytes: number): string {
  const units: Array<[number, string]> = [[1024 * GiB, "TB"], [GiB, "GB"], [MiB, "MB"], [KiB, "KB"]];
  if (!Number.isFinite(bytes) || bytes >= 1024 * 1024 * GiB) return `${bytes.toExponential(1)} B`;
  for (const [u, name] of units) if (bytes >= u) return `${(bytes / u).toPrecision(3)} ${name}`;
  return `${Math.round(bytes)} B`;
}

/** The sentence that says how to raise the memory budget. */
export function memoryRaiseHint(): string {
  return `raise it with --max-memory SIZE or ${MEMORY_ENV}=SIZE (e.g. 16G)`;
}

/**
 * InputError from `source` unless `bytes` (an estimate, see the table above) fits the memory
 * budget. `what` names the computation and `formula` shows the estimate with its numbers.
 */
export function checkMemory(source: string, what: string, bytes: number, formula: string, field?: string): void {
  const budget = memoryBudget();
  if (bytes <= budget.bytes) return;
  const from = budget.source === "default" ? "the default memory limit" : `the memory limit (${budget.source})`;
  throw new InputError(
    source,
    `${what} needs about ${formatBytes(bytes)} (${formula}), more than ${from} of ${formatBytes(budget.bytes)}; ${memoryRaiseHint()}`,
    field,
  );
}

/** Estimated bytes of a training run: 8·(32p + 4n_b·H + 12S) (see the table above). */
export function trainingBytes(p: number, heldSamples: number, hidden: number, samples: number): number {
  return 8 * (32 * p + 4 * heldSamples * hidden + 12 * samples);
}

/** The formula of trainingBytes with its numbers, for messages. */
export function trainingFormula(p: number, heldSamples: number, hidden: number, samples: number): string {
  return `8·(32p + 4n_b·H + 12S) bytes with p = ${p.toLocaleString("en-US")} parameters, n_b = ${heldSamples} samples at once, H = ${hidden.toLocaleString("en-US")} hidden units, S = ${samples} trajectory samples`;
}

/** Estimated bytes of a dense p×p Hessian and its eigenvalues on n samples: 8·(2p² + np). */
export function denseHessianBytes(p: number, n: number): number {
  return 8 * (2 * p * p + n * p);
}

/** Check that a dense Hessian of p parameters on n samples fits the memory budget. */
export function checkDenseHessian(source: string, p: number, n: number): void {
  checkMemory(source, `the dense Hessian (p = ${p.toLocaleString("en-US")} parameters)`, denseHessianBytes(p, n), `8·(2p² + np) bytes with n = ${n}`);
}

/** Estimated bytes of generating a dataset of n samples, d inputs, k targets: 16·n·(d + k). */
export function datasetBytes(n: number, d: number, k: number): number {
  return 16 * n * (d + k);
}

/** Check the KKT certificate of n margin constraints in p parameters: 24·n·p bytes. */
export function checkKktCertificate(source: string, n: number, p: number): void {
  checkMemory(source, `the KKT certificate (n = ${n} constraints, p = ${p} parameters)`, 24 * n * p, "24·n·p bytes: the constraint gradients and the NNLS workspace");
}

/** Check N sampled activation patterns of n samples in d dimensions: N·(n + 32d) bytes. */
export function checkSampledPatterns(source: string, N: number, n: number, d: number): void {
  checkMemory(source, `${N} sampled patterns on n = ${n} samples`, N * (n + 32 * d), "N·(n + 32d) bytes: the masks and four float64 vectors per pattern");
}

/** InputError unless a sweep of `cells` cells is within `limit` (default DEFAULT_MAX_SWEEP_CELLS). */
export function checkSweepCells(source: string, cells: number, limit = DEFAULT_MAX_SWEEP_CELLS): void {
  if (cells <= limit) return;
  throw new InputError(
    source,
    `the grid has ${cells.toLocaleString("en-US")} cells, more than the limit of ${limit.toLocaleString("en-US")} (one run folder each); raise it with --max-cells ${cells}`,
    "grid",
  );
}
