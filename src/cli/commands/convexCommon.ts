// Shared input handling of `splitscape convex` (scalar and vector outputs): options, numbers,
// pattern sets (exact / sampled / gate files), and the JSON-or-text output.
import { InputError } from "../../common/index.js";
import { checkSampledPatterns } from "../../common/limits.js";
import { readTextInput } from "../../common/textInput.js";
import {
  CERTIFY_TOL, enumeratePatterns, MIN_NORM_TOL, patternsFromGates, samplePatterns, SOLVE_TOL, TooManyPatternsError, VECTOR_SOLVE_TOL, type PatternSet,
} from "../../convex/index.js";
import type { Matrix } from "../../linalg/index.js";
import { parseIntOption, printJson, printLines } from "../io.js";

export interface ConvexOptions {
  data?: string;
  beta?: string;
  loss: string;
  patterns: string;
  gates?: string;
  bias?: boolean;
  program: string;
  tol?: string;
  maxIterations?: string;
  seed?: string;
  certify?: boolean;
  path?: boolean;
  minNorm?: boolean;
  skip?: boolean;
  width?: string;
  straight?: boolean;
  to?: string;
  figure?: string;
  model?: string;
  labelCols?: string;
  json?: boolean;
}

/**
 * The defaults of `convex`, written once: the help text and every mode read them. The
 * tolerances are the library's own defaults (convex/program/tolerances.ts, where the vector
 * solve's looser 1e-6 is measured and explained), so the CLI and the library cannot drift.
 */
export const CONVEX_DEFAULTS = {
  solveTol: SOLVE_TOL,
  vectorSolveTol: VECTOR_SOLVE_TOL,
  minNormTol: MIN_NORM_TOL,
  certifyTol: CERTIFY_TOL,
  maxIterations: 50_000,
  vectorMaxRounds: 200,
  seed: 0,
} as const;

/** Default sample size of `--patterns auto` when exact enumeration is too large. */
const AUTO_SAMPLE = 1000;

export function parsePositive(option: string, raw: string | undefined, fallback?: number): number {
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    throw new InputError(option, "is required");
  }
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new InputError(option, `expected a positive number, got ${JSON.stringify(raw)}`);
  return v;
}

/** The patterns asked for: `exact`, `sample:N`, `auto` (exact when small enough, else sample:1000), or gates from a file. */
export function makePatterns(X: Matrix, spec: string, gatesFile: string | undefined, seed: number): PatternSet {
  if (gatesFile !== undefined) return patternsFromGates(X, readGates(gatesFile, X.cols));
  if (spec === "exact" || spec === "auto") {
    try {
      return enumeratePatterns(X);
    } catch (e) {
      if (!(e instanceof TooManyPatternsError)) throw e;
      if (spec === "exact") throw new InputError("--patterns", `${e.message} (use --patterns sample:N)`);
      return samplePatterns(X, AUTO_SAMPLE, seed);
    }
  }
  const m = /^sample:(\d+)$/.exec(spec);
  if (m === null) throw new InputError("--patterns", `expected exact, auto or sample:N, got ${JSON.stringify(spec)}`);
  const count = parseIntOption("--patterns", m[1], 1, 10_000_000)!;
  checkSampledPatterns("--patterns", count, X.rows, X.cols);
  return samplePatterns(X, count, seed);
}

/** A gate file {"gates": [[…d…], …]} (the bench-data format). */
function readGates(path: string, d: number): Matrix {
  const text = readTextInput(path, { what: 'a JSON gate file {"gates": [[…], …]}', option: "--gates" });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(path, `not valid JSON (${(e as Error).message}), expected a gate file {"gates": [[…], …]}`);
  }
  const gates = (json as { gates?: unknown })?.gates;
  if (!Array.isArray(gates) || gates.length === 0) throw new InputError(path, "expected a nonempty array of gate vectors", "gates");
  const data = new Float64Array(gates.length * d);
  gates.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row) || row.length !== d) {
      throw new InputError(path, `row ${i} must have ${d} numbers (the data's input dimension${d > 0 ? ", bias included if --bias" : ""})`, "gates");
    }
    row.forEach((v: unknown, j: number) => {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new InputError(path, `row ${i}, entry ${j} is not a finite number`, "gates");
      data[i * d + j] = v;
    });
  });
  return { rows: gates.length, cols: d, data };
}

export function patternSummary(p: PatternSet): Record<string, unknown> {
  return { count: p.count, method: p.method, exact: p.exact, requested: p.requested, rank: p.rank, generalPositionCount: p.maxCount, convention: p.convention };
}

export function emit(opts: ConvexOptions, json: unknown, lines: string[]): void {
  if (opts.json) printJson(json);
  else printLines(...lines);
}
