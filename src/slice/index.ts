// The public face of slice: the loss landscape along a line or over a plane through a network,
// in the directions that matter (filter-normalised random, toward another network, Hessian
// eigenvectors, along and across a plateau of split points) or along the convex family's
// non-increasing path, evaluated batched through GEMMs (two-layer rows on the wasm panel kernel and
// the worker pool), with the analytic facts beside it.
export {
  SLICE_MAX_AXIS, SLICE_MAX_POINTS, parseDirectionSpec, parseGridAxis, axisValues, type DirectionSpec, type GridAxis,
} from "./spec.js";
export {
  filterNormalize, randomDirection, directionTo, hessianDirection, plateauBase, plateauLambdas, plateauAlong, plateauAcross,
  type SliceDirection, type HessianDirection, type PlateauBase, type PlateauAcross,
} from "./directions.js";
// sliceGridNaive (the one-network-at-a-time reference of sliceGrid) is for tests and benches, and
// prepareSlice/evaluateRowPanel are the row-panel kernel's plumbing: imported from evaluate.js.
export {
  SLICE_MAX_ENTRIES, sliceGrid, type GridProblem, type GridValues, type SliceGridOptions,
} from "./evaluate.js";
export {
  quadraticModel, secondDifferenceAtZero, plateauClasses, projectOntoSlice,
  type QuadraticModel, type PlateauClasses, type ProjectedPoint,
} from "./overlays.js";
export { contourSegments, contourLevels, type ContourSegment } from "./contour.js";
export {
  sliceLandscape, defaultAxis,
  type DirectionRequest, type SliceOptions, type SliceOverlays, type GridSlice, type PathSlice, type SliceResult,
} from "./slice.js";
export { sliceFigures, type SliceFigureOptions } from "./figures.js";
export { SLICE_AGREE_TOL, sliceChecks } from "./checks.js";
