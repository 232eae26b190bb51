// The public face of convex: the convex reformulation of weight-decayed two-layer ReLU networks
// (science/convex.md): activation patterns, the gated-ReLU and ReLU programs and their solvers,
// dual certificates, and the maps between convex points and networks.
export {
  enumeratePatterns, samplePatterns, patternsFromGates, withPatternsOf, maxPatternCount, patternOf,
  patternMask, patternIndex, maskKey, rowSpace, TooManyPatternsError,
  type PatternSet, type EnumerateOptions,
} from "./program/patterns.js";
export { arrangementChambers, binomial, type Chamber, type ArrangementOptions } from "./program/arrangement.js";
export {
  CONVEX_LOSSES, convexLoss, isConvexLossName, checkLabels, squareLoss, logisticLoss,
  type ConvexLoss, type ConvexLossName,
} from "./program/loss.js";
export { convexProblem, withBias, type ConvexProblem } from "./program/problem.js";
export { projectOntoCone, projectOntoConeNnls, type ConeProjection, type ConeProjectionOptions } from "./program/cone.js";
export { dualFromPrediction, gapReport, type GapReport } from "./program/dual.js";
export { solveGatedRelu, type GatedSolution, type SolveOptions } from "./solvers/gated.js";
export { solveRelu, type ReluSolution, type ReluSolveOptions, type ConvexPoint } from "./solvers/relu.js";
export { polishOnFace, POLISH_MAX_DIM } from "./solvers/polish.js";
export {
  dualCertificate, certificateFromPrediction, coneDualNorms, type ConvexCertificate, type CertificateOptions,
} from "./landscape/certificate.js";
export {
  convexToNetwork, mergeDuplicateNeurons, selectNeurons, networkToConvex, nonconvexObjective, networkOutput, modelToNetwork, networkToModelJson,
  parseTwoLayerReluModel, loadTwoLayerReluModel, modelToVectorNetwork,
  type ReluNetwork, type TwoLayerReluModel, type NonconvexObjective, type NetworkConvexPoint, type ToNetworkOptions,
} from "./network/network.js";
export {
  certifyNetwork, type NetworkCertificate, type NetworkCertificateOptions, type NeuronReport, type NetworkClass, type NetworkClassification,
} from "./landscape/networkCertificate.js";
export {
  optimalDirections, optimalSetVertices, optimalSet, vertexToNetwork, independent,
  type OptimalDirection, type OptimalDirections, type OptimalDirectionsOptions, type OptimalVertex,
  type VertexOptions, type OptimalSetStructure, type OptimalSet,
} from "./landscape/optimalSet.js";
export { trainWeightDecayed, pruneNetwork, type GdOptions, type GdResult } from "./network/train.js";
export {
  locateInOptimalSet, descentNeurons, type OptimalSetLocation, type DescentNeuron,
} from "./landscape/networkOptimalSet.js";
export {
  connectivityStaircase, optimalSetComponents, slotsNetwork, vertexSlots, splitKeyframe, segmentKeyframe, pathNetworks,
  maxObjectiveDeviation, permutationSignature,
  type Slot, type StaircaseRow, type ConnectivityStaircase, type StaircaseOptions,
} from "./landscape/staircase.js";
export { nonIncreasingPath, stageNetworkAt, activeNeuronCount, dropZeroNeurons, PathWidthError, type PathReport, type PathStage, type PathPoint, type PathSeriesRow, type PathOptions, type PathOptimum, type PathStageKind, type PathInterpolation } from "./landscape/path.js";
export { ownPatternOptimum, type OwnPatternOptimum } from "./landscape/ownPatterns.js";
export {
  loadHighs, minNormInterpolation, solveDenseLp, directionsOfDual, feasibleDual, fitVector, LP_TOLERANCE,
  type MinNormSolution, type MinNormOptions, type MinNormColumn, type DenseLp, type LpSolution,
} from "./landscape/minNorm.js";
export {
  faceUniqueness, uniquenessAtBeta, minNormUniqueness, lineTestPoints,
  type OptimalFace, type CoordinateRange, type FacePoint, type FaceUniqueness, type FaceUniquenessOptions,
  type FaceWrapperOptions, type UniquenessAtBeta, type MinNormUniqueness, type MinNormUniquenessOptions,
} from "./landscape/uniqueness.js";
export {
  VECTOR_LOSSES, vectorProblem, vectorNetworkOutput, vectorObjective, trainVectorWeightDecayed, pruneVectorNetwork, vectorDualNorm,
  vectorConnectivityWidth, vectorCertificateFromPrediction, certifyVectorNetwork,
  type VectorLossName, type VectorReluNetwork, type VectorProblem, type VectorObjective, type VectorGdOptions, type VectorGdResult,
  type VectorDualNormOptions, type VectorDualNorm, type VectorCertificateOptions, type VectorCertificate,
  type VectorNeuronReport, type VectorNetworkCertificate,
} from "./extensions/vector/dualNorm.js";
export {
  threeLayerOutput, threeLayerObjective, trainThreeLayer, firstLayerDirections,
  type ThreeLayerNetwork, type ThreeLayerObjective, type ThreeLayerGdOptions, type ThreeLayerGdResult,
  type FirstLayerDirectionOptions, type FirstLayerNeuron, type FirstLayerDirections,
} from "./extensions/threeLayer/directions.js";
export { solveVectorByAtoms, type VectorAtomOptions, type VectorAtomResult } from "./extensions/vector/solve.js";
