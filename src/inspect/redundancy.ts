/**
 * Section 2 of `inspect`: redundancy, the embedding principle run backwards
 * (splitting/merge.ts). Groups of units with (positively) parallel or identical incoming
 * vectors, the merged narrower network, the splitting coefficients that map it back, and the
 * function error of the merge measured by forward passes of both networks on the data and on
 * standard-normal inputs: an exact split has both the function error and the reconstruction
 * error ‖Tθ̄ − θ‖/‖θ‖ at rounding level (≤ SPLIT_EXACT_TOL).
 */
import type { Matrix } from "../linalg/index.js";
import type { Model, ModelData } from "../model/index.js";
import { forward, hiddenLayers, inputDim } from "../model/index.js";
import { fork, normal } from "../random/index.js";
import {
  MERGE_PAIRWISE_MAX, mergeRedundantUnits, nearestUnitDeviations,
  type MergeCriterion, type MergedGroup, type MergeResult, type RemovedUnit,
} from "../splitting/index.js";

/** A merge whose function and reconstruction errors are at most this is an exact split. */
export const SPLIT_EXACT_TOL = 1e-12;
/** Standard-normal inputs on which the merged function is compared besides the data. */
const RANDOM_POINTS = 256;

/** max |f̄ − f| over the points and outputs, and that relative to max |f|. */
export interface FunctionError {
  readonly absolute: number;
  readonly relative: number;
  readonly points: number;
}

export type RedundancyVerdict = "exact split" | "approximate split" | "no redundancy";

export interface RedundancySection {
  readonly applies: true;
  readonly verdict: RedundancyVerdict;
  readonly reason: string;
  readonly limit: string;
  readonly criterion: MergeCriterion;
  readonly angleTol: number;
  /** Total hidden width given and merged; their difference is the redundant width. */
  readonly width: number;
  readonly mergedWidth: number;
  /** Groups of two or more units (over all hidden layers). */
  readonly groups: MergedGroup[];
  readonly removed: RemovedUnit[];
  /** Per layer: the smallest deviation between two units that were NOT merged (null: none or too many). */
  readonly closestDistinct: (number | null)[];
  readonly functionError: { readonly data: FunctionError; readonly random: FunctionError };
  readonly reconstruction: MergeResult["reconstruction"];
  /** The merged network (equal to the given one when nothing merged). */
  readonly merged: Model;
  /** T (merged → given): source and scale per given parameter. */
  readonly map: MergeResult["map"];
  /** Layer 1: each unit's smallest deviation from another unit (null above MERGE_PAIRWISE_MAX units). */
  readonly nearest: Float64Array | null;
}

function outputsError(a: Model, b: Model, X: Matrix): FunctionError {
  const fa = forward(a, X).data;
  const fb = forward(b, X).data;
  let abs = 0;
  let scale = 0;
  for (let t = 0; t < fa.length; t++) {
    abs = Math.max(abs, Math.abs(fa[t] - fb[t]));
    scale = Math.max(scale, Math.abs(fb[t]));
  }
  return { absolute: abs, relative: scale > 0 ? abs / scale : abs, points: X.rows };
}

/** n standard-normal inputs of dimension d from a fixed stream (reproducible reports). */
function gaussianInputs(n: number, d: number): Matrix {
  const rng = fork(0, "inspect-function-check");
  const data = new Float64Array(n * d);
  for (let t = 0; t < data.length; t++) data[t] = normal(rng);
  return { rows: n, cols: d, data };
}

/**
 * Section 2 of inspect: redundancy, the embedding principle run backwards (splitting/merge.ts).
 * Groups of units with (positively) parallel or identical incoming vectors, the merged narrower
 * network, the splitting coefficients that map it back, and the function error of the merge on
 * the data and on 256 standard-normal inputs: "exact split" when the function and reconstruction
 * errors are ≤ SPLIT_EXACT_TOL.
 *
 * @param model - the network (two-layer or mlp)
 * @param data - the inputs X (n×d) the merged function is compared on (and Y)
 * @param angleTol - the angle (radians) under which incoming vectors count as parallel (default the merge's)
 * @returns the verdict, the groups and removed units, the merged network and its map back, the function errors; null when the network has no hidden layer
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, redundancySection, splitUnitCopyDivide } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("tanh") }), { seed: 2 });
 * const wide = splitUnitCopyDivide(net, 0, [0.3, 0.7]); // unit 0 split in two: an exact split
 * console.log(redundancySection(wide, data)?.verdict);
 * ```
 */
export function redundancySection(model: Model, data: ModelData, angleTol?: number): RedundancySection | null {
  if (hiddenLayers(model.arch) === 0) return null;
  const r = mergeRedundantUnits(model, { angleTol });
  const onData = outputsError(r.merged, model, data.X);
  const onRandom = outputsError(r.merged, model, gaussianInputs(RANDOM_POINTS, inputDim(model.arch)));
  const groups = r.layers.flatMap((l) => l.groups.filter((g) => g.members.length > 1));
  const removed = r.layers.flatMap((l) => l.removed);
  const fnErr = Math.max(onData.relative, onRandom.relative);
  const redundant = r.width - r.mergedWidth;
  let verdict: RedundancyVerdict;
  let reason: string;
  if (redundant === 0) {
    verdict = "no redundancy";
    const cd = r.layers.map((l) => l.closestDistinct).filter((x): x is number => x !== null);
    reason = cd.length > 0
      ? `no two units within ${angleTol ?? r.angleTol} (${r.criterion}); the closest pair is ${Math.min(...cd).toExponential(2)} apart`
      : `no two units within ${r.angleTol} (${r.criterion})`;
  } else {
    const exact = fnErr <= SPLIT_EXACT_TOL && r.reconstruction.relative <= SPLIT_EXACT_TOL;
    verdict = exact ? "exact split" : "approximate split";
    reason = `${groups.length} group(s) and ${removed.length} dropped unit(s): width ${r.width} → ${r.mergedWidth}; merged function error ${fnErr.toExponential(2)} (relative), ` +
      `map-back error ‖Tθ̄ − θ‖/‖θ‖ = ${r.reconstruction.relative.toExponential(2)}`;
  }
  const nearest = nearestUnitDeviations(model, 1);
  return {
    applies: true, verdict, reason,
    limit: `pairwise search of the closest distinct units up to ${MERGE_PAIRWISE_MAX} units per layer; function compared on the ${data.X.rows} data points and ${RANDOM_POINTS} standard-normal inputs`,
    criterion: r.criterion, angleTol: r.angleTol, width: r.width, mergedWidth: r.mergedWidth, groups, removed,
    closestDistinct: r.layers.map((l) => l.closestDistinct),
    functionError: { data: onData, random: onRandom }, reconstruction: r.reconstruction, merged: r.merged, map: r.map,
    nearest: nearest?.deviation ?? null,
  };
}
