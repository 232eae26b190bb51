/**
 * Self-checks of a slice, as report verdicts: the batched grid against the model's own loss at
 * θ (and at both ends of to:MODEL2), the path's objective recomputed with the model's loss, the
 * Lanczos eigenpairs of hessian:K directions. Rounding differs only in the order of the sums, so
 * SLICE_AGREE_TOL (relative) is generous.
 */
import { atMost, equals, type Verdict } from "../report/index.js";
import type { SliceResult } from "./slice.js";

/** Relative agreement of the batched values with the model's own loss. */
export const SLICE_AGREE_TOL = 1e-12;

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}

/**
 * The checks of a slice result (all must pass), as report verdicts: the batched grid against the
 * model's own loss at θ (and at both ends of to:MODEL2), the path's objective recomputed with the
 * model's loss, the Lanczos eigenpairs of hessian:K directions — each within SLICE_AGREE_TOL
 * (relative; the codes differ only in the order of the sums).
 *
 * @param s - a slice (sliceLandscape)
 * @returns the verdicts
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, formatVerdictTable, sliceChecks, sliceLandscape } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const s = sliceLandscape(net, data, { loss: "square", along: { kind: "random", seed: 3, normalization: "plain" } });
 * console.log(formatVerdictTable(sliceChecks(s)));
 * ```
 */
export function sliceChecks(s: SliceResult): Verdict[] {
  const out: Verdict[] = [];
  if (s.kind === "path") {
    out.push(atMost("F along the path by the model's loss = the path's own objective (max relative difference)", s.maxDeviation, SLICE_AGREE_TOL));
    out.push(equals("the path ends at a certified global optimum", s.finalClass, "global optimum"));
    out.push(equals("F never increases along the path (relative rise ≤ 1e-12)", s.nonIncreasing, true));
    return out;
  }
  if (s.center.grid !== null) out.push(atMost("batched F at the grid's origin = F(θ) by the model's loss (relative)", rel(s.center.grid, s.center.objective), SLICE_AGREE_TOL));
  const to = s.overlays.to;
  if (to?.gridStart != null) out.push(atMost("t = 0: F on the grid = F(model) (relative)", rel(to.gridStart, to.start), SLICE_AGREE_TOL));
  if (to?.gridEnd != null) out.push(atMost("t = 1: F on the grid = F(MODEL2) by its own loss (relative)", rel(to.gridEnd, to.end), SLICE_AGREE_TOL));
  s.overlays.hessian.forEach((h, a) => {
    if (h) out.push(equals(`Lanczos converged for the ${a === 0 ? "--along" : "--plane"} eigenvector (residual ${h.residual.toExponential(1)})`, h.converged, true));
  });
  return out;
}
