// The face of convex/program: the convex reformulation itself (docs/science/convex.md §1.1):
// data, losses and their conjugates, activation patterns and the arrangement they come from, the
// pattern cones K_i and projections onto them, the block operator ŷ = Σ_b s_b D_b X w_b, and the
// dual side (ν = −∇L, the feasible rescaling and the duality gap).
export { SOLVE_TOL, VECTOR_SOLVE_TOL, CERTIFY_TOL, MIN_NORM_TOL } from "./tolerances.js";
export { convexProblem, withBias, type ConvexProblem } from "./problem.js";
export {
  CONVEX_LOSSES, convexLoss, isConvexLossName, checkLabels, squareLoss, logisticLoss, type ConvexLoss, type ConvexLossName,
} from "./loss.js";
export { dualFromPrediction, gapReport, type GapReport } from "./dual.js";
export {
  enumeratePatterns, samplePatterns, patternsFromGates, withPatternsOf, maxPatternCount, patternOf, patternMask, patternIndex,
  maskKey, rowSpace, TooManyPatternsError, type PatternSet, type EnumerateOptions,
} from "./patterns.js";
export {
  arrangementChambers, binomial, orthonormalBasis, orthogonalComplement, type Chamber, type ArrangementOptions,
} from "./arrangement.js";
export { projectOntoCone, projectOntoConeNnls, type ConeProjection, type ConeProjectionOptions } from "./cone.js";
export {
  reluOperator, gatedOperator, forward, adjoint, predict, predictFromBlocks, spreadDual, blockNorms, groupNorm, coneViolation,
  reluPointFields, type BlockOperator,
} from "./operator.js";
