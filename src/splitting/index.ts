// The public face of splitting: the splitting map T of the KKT-point embedding principle, the
// copy-and-divide embedding of Zhang et al., their transposes, compositions, matrix forms, and
// the checks (isometry, function and gradient preservation) with their numbers.
export {
  applyEmbedding,
  applyEmbeddingTranspose,
  embedModel,
  composeEmbeddings,
  embeddingMatrix,
  gramDiagonal,
  isometryDefect,
  offImageDistance,
  type EmbeddingMap,
} from "./embeddingMap.js";
export {
  SPLIT_COEFF_TOL,
  checkSplitCoefficients,
  splitMap,
  copyDivideMap,
  splitMatrices,
  hiddenLayerWidth,
  type UnitRef,
  type SplitOptions,
  type SplitMatrices,
} from "./split.js";
export { splitUnit, copyDivideSplit, type SplitResult } from "./unit.js";
export {
  functionPreservation,
  gradientPreservation,
  randomInputs,
  embeddingChecks,
  type PreservationError,
  type EmbeddingCheckOptions,
  type EmbeddingChecks,
} from "./checks.js";
export {
  MERGE_ANGLE_TOL, MERGE_ZERO_TOL, MERGE_PAIRWISE_MAX, mergeRedundantUnits, nearestUnitDeviations,
  type MergeCriterion, type GroupMapKind, type MergeOptions, type MergedGroup, type RemovedUnit, type LayerMerge, type MergeResult,
} from "./merge.js";
