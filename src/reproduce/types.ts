import type { Scalar } from "../experiments/index.js";
import type { FigureSpec, Row } from "../report/index.js";

/**
 * A reproduction re-runs one published experiment on the authors' own data and starting weights
 * and sets each number the authors published beside ours, with the tolerance that decides
 * whether they agree and the reason for that tolerance.
 */

/**
 * How a claim's verdict is decided from `ours`, `published` and `tolerance`:
 *   "abs"     |ours − published| ≤ tolerance
 *   "rel"     |ours − published| ≤ tolerance·|published|
 *   "atMost"  ours ≤ tolerance (and a numeric published value too: both at that level)
 *   "atLeast" ours ≥ tolerance (and a numeric published value too)
 *   "equal"   ours and published are the same value (lists, labels, counts; tolerance 0)
 */
export type ClaimRule = "abs" | "rel" | "atMost" | "atLeast" | "equal";

/** One published number beside ours. */
export interface Claim {
  /** What is compared, e.g. "final loss (printed at step 100,000)". */
  name: string;
  /** The published value (as printed or read from the figure), or a description of it. */
  published: number | string;
  /** Our value (for curve comparisons: the largest deviation from the published curve). */
  ours: number | string;
  tolerance: number;
  rule: ClaimRule;
  pass: boolean;
  /** Why this tolerance: what limits the agreement (print precision, float32 vs float64, …). */
  why: string;
  /** Where the published value is: repository, notebook and cell, or figure file. */
  source: string;
}

/** What a reproduction's run returns; plain JSON (result.json), deterministic for given settings. */
export interface ReproductionResult {
  claims: Claim[];
  /** Headline numbers (final loss, norm, steps, …). */
  summary: Record<string, Scalar>;
  /** Named tables of rows for the figures. */
  series: Record<string, Row[]>;
}

/** What a running reproduction may use. */
export interface ReproductionContext {
  /** The reduced run of the tests: fewer steps, the claims that hold at that length. */
  readonly quick: boolean;
  /** A progress note (shown with --verbose; not part of the result). */
  log(message: string): void;
}

/** One reproduction, registered with `registerReproduction` from its own file. */
export interface Reproduction {
  /** `paper/experiment`, lowercase letters, digits and dashes, e.g. "embedding/exp1-separable". */
  id: string;
  /** The paper (authors, title, venue). */
  paper: string;
  /** The figure or table reproduced. */
  figure: string;
  /** The authors' code: public repository, notebook (and cell). */
  source: string;
  /** What is run and what is compared, in one or two sentences. */
  description: string;
  /** Which claims `--quick` checks, and at what length. */
  quick: string;
  run(ctx: ReproductionContext): Promise<ReproductionResult>;
  /** Figures of a result (pure): drawn like the paper's (same axes, scales, legend). */
  figures(result: ReproductionResult, quick: boolean): FigureSpec[];
}
