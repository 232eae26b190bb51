import type { z } from "zod";
import type { Rng } from "../random/index.js";
import type { FigureSpec, Verdict } from "../report/index.js";
import type { FamilyId } from "./families.js";

/** A scalar of a summary or a metrics record. */
export type Scalar = number | string | boolean;

/** The headline numbers of a result: names → scalars (each kind narrows it to its own fields). */
export type Summary = Record<string, Scalar>;

/**
 * What an experiment returns. Everything in it is plain JSON (result.json); it must be a
 * deterministic function of the spec (same spec and seed → identical numbers), so no
 * timings or dates belong here (run.json holds those). `S` is the kind's summary type
 * (src/experiments/summaries.ts maps each built-in kind to its own).
 */
export interface ExperimentResult<S extends Summary = Summary> {
  /** Headline numbers (shown in reports and in sweep summary tables). */
  summary: S;
  /** The claims checked, with measured values and tolerances. */
  verdicts: Verdict[];
  /** Named tables of rows for figures (e.g. "loss": [{t, loss}, …]). */
  series: Record<string, Array<Record<string, number | string>>>;
  /** Anything else the figures need (plain JSON). */
  extra?: unknown;
}

/** A validated spec: the kind, the seed and the kind's parameters with defaults filled. */
export interface RunSpec<P = Record<string, unknown>> {
  kind: string;
  seed: number;
  title?: string;
  params: P;
}

/** What a running experiment may use besides its spec. */
export interface RunContext {
  /** The seed of the run (also spec.seed). */
  readonly seed: number;
  /** An independent random stream of the run's seed for one purpose: `fork(seed, stream)`. */
  rng(stream: string | number): Rng;
  /** Append one record to metrics.jsonl (streamed; e.g. one per integration step). */
  metric(record: Record<string, Scalar>): void;
  /** A progress note (printed with --verbose; never part of the result). */
  log(message: string): void;
}

/**
 * One experiment kind, registered by its family with `registerExperiment`. `schema` validates
 * the `params` of a spec and fills defaults; `run` computes the result; `figures` turns a
 * result (from memory or from result.json) into figure specs, so `splitscape report RUN` can
 * re-render without re-running.
 */
export interface ExperimentDefinition<P = Record<string, unknown>, S extends Summary = Summary> {
  /** The `kind` of specs, e.g. "linalg-check" (lowercase, digits, dashes). */
  kind: string;
  /** The result family it belongs to (the tour's sections). */
  family: FamilyId;
  /** A title for reports. */
  title: string;
  /** One or two sentences: what it computes and what it checks. */
  description?: string;
  /** Zod schema of `params` (use defaults; `z.strictObject` so unknown fields are errors). */
  schema: z.ZodType<P>;
  /** Run the experiment. Throwing leaves the run folder marked INCOMPLETE. */
  run(spec: RunSpec<P>, ctx: RunContext): Promise<ExperimentResult<S>>;
  /** Figures of a result (pure; called again by `splitscape report`). */
  figures(result: ExperimentResult<S>, spec: RunSpec<P>): FigureSpec[];
  /**
   * The tour's run of this kind, if it is its family's headline experiment: params (defaults
   * fill the rest) and seed. The tour must finish in a few minutes, so keep it small.
   */
  headline?: { params?: Record<string, unknown>; seed?: number };
}

/** The summary type a kind's run function returns: `SummaryOfRun<typeof run>`. */
export type SummaryOfRun<F extends (...args: never[]) => Promise<{ summary: Summary }>> = Awaited<ReturnType<F>>["summary"];
