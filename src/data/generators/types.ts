import type { Matrix } from "../../linalg/index.js";
import type { IntParam, ParamSpec, ParamValues } from "../params.js";
import type { TeacherNet } from "./teacherNet.js";

/** What a generator's targets are. */
export type GeneratorTask = "classification" | "regression" | "classification|regression";

/** Inputs and targets produced by a generator. */
export interface Generated {
  readonly X: Matrix;
  readonly Y: Matrix;
}

/**
 * A registry entry: name, one-line description, task, and every accepted key with its default
 * and range (including `n` and `seed`). `check` runs cross-parameter validation (InputError
 * naming the key); `generate` must be a pure function of the parameters.
 */
export interface GeneratorSpec {
  readonly name: string;
  readonly description: string;
  readonly task: GeneratorTask;
  readonly params: readonly ParamSpec[];
  check?(p: ParamValues, source: string): void;
  generate(p: ParamValues): Generated;
  /** The teacher network that labels the data, for generators that have one. */
  teacher?(p: ParamValues): TeacherNet;
}

/** Largest accepted n. */
export const MAX_N = 1_000_000;
/** Largest accepted input dimension d. */
export const MAX_D = 10_000;

/** The sample-count key `n`. */
export function nParam(dflt = 100): IntParam {
  return { name: "n", kind: "int", default: dflt, min: 1, max: MAX_N, description: "number of samples" };
}

/** The seed key `seed`. */
export function seedParam(): IntParam {
  return { name: "seed", kind: "int", default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, description: "random seed (same address → bit-identical data)" };
}

/** The input-dimension key `d`. */
export function dParam(dflt: number, min: number, description = "input dimension"): IntParam {
  return { name: "d", kind: "int", default: dflt, min, max: MAX_D, description };
}

/** The key `teacher_seed`: seed of the teacher network, default the data seed. */
export function teacherSeedParam(): IntParam {
  return {
    name: "teacher_seed",
    kind: "int",
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    defaultText: "seed",
    description: "seed of the teacher network (fix it to vary the samples under one teacher)",
  };
}

/** Label of sample i in generators that alternate classes: +1 for even i, −1 for odd i. */
export function alternatingLabel(i: number): number {
  return i % 2 === 0 ? 1 : -1;
}
