/**
 * Shared zod fields of the experiment kinds: one definition (bounds and meaning) per recurring
 * parameter, with each kind choosing its default. A kind's schema is a z.strictObject built from
 * these and its own fields, so an unknown field is rejected and every field it lists acts.
 * The run's `seed` (spec level, not a parameter) drives all randomness through ctx.rng(stream);
 * a separate data seed exists only where the data set is a choice of its own (dataSeed).
 */
import { z } from "zod";

/** Largest seed (as for the spec's own seed). */
const MAX_SEED = 2 ** 31 - 1;

/** A seed of something other than the run (e.g. the built-in data set): an integer in [0, 2³¹ − 1]. */
export const seedField = (def: number) => z.number().int().min(0).max(MAX_SEED).default(def);

/** Samples n. */
export const samplesField = (def: number, min = 4, max = 5000) => z.number().int().min(min).max(max).default(def);

/** Input dimension d. */
export const dimensionField = (def: number, min = 1, max = 50) => z.number().int().min(min).max(max).default(def);

/** Hidden width m. */
export const widthField = (def: number, max = 200) => z.number().int().min(1).max(max).default(def);

/** Slope a ∈ [0, max] of a leaky ReLU. */
export const slopeField = (def: number, max = 1) => z.number().min(0).max(max).default(def);

/** A positive real, with an upper bound when given (scales, standard deviations, step sizes, times, tolerances, β). */
export const positiveField = (def: number, max?: number) => (max === undefined ? z.number().positive() : z.number().positive().max(max)).default(def);

/** A count of steps or iterations in [min, max]. */
export const countField = (def: number, min: number, max: number) => z.number().int().min(min).max(max).default(def);

/** Split coefficients c of a neuron (c ≥ 0, Σc² = 1 is checked by the splitting map). */
export const coefficientsField = (def: number[]) => z.array(z.number()).min(1).default(def);

/** log₁₀ of a small initial scale δ. */
export const log10DeltaField = (def: number) => z.number().min(-300).max(-1).default(def);

/** The level on a norm that marks an escape / exit. */
export const levelField = (def: number) => z.number().positive().max(0.5).default(def);

/** Gaussian blobs ±centre·(1, −1) + std·z with labels ±1 (the margin family's data). */
export const blobsFields = (n: number, maxN: number) => ({
  /** Samples (half per class). */
  n: samplesField(n, 4, maxN),
  /** Standard deviation of each blob. */
  std: positiveField(0.8, 100),
  /** Centres ±centre·(1, −1). */
  centre: positiveField(2, 100),
});

/** The built-in `sin` regression data (the ncf family's data): n points in ℝ^d and its seed. */
export const sinDataFields = (n: number, d: number, dataSeed: number, minD = 2) => ({
  n: samplesField(n, 2, 2000),
  d: dimensionField(d, minD, 50),
  /** Seed of the data set (the run's seed drives the initialisation and the searches). */
  dataSeed: seedField(dataSeed),
});
