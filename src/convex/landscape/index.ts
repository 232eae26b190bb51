// The face of convex/landscape: what the dual says about the nonconvex landscape — certificates
// of convex points and of networks (global optimum, stationary, neither), the optimal set
// (Theorem 1 directions, vertices, m*, M*), where a network sits in it and how to descend, the
// connectivity staircase (Theorem 2), non-increasing paths to a global optimum, uniqueness of the
// optimal face, the minimum-norm interpolant and the optimum over a network's own patterns.
export {
  dualCertificate, certificateFromPrediction, coneDualNorms, type ConvexCertificate, type CertificateOptions,
} from "./certificate.js";
export {
  certifyNetwork, kinkRows, ownConeRatio, type NetworkCertificate, type NetworkCertificateOptions, type NeuronReport, type NetworkClass,
  type NetworkClassification,
} from "./networkCertificate.js";
export {
  optimalDirections, optimalSetVertices, optimalSet, vertexToNetwork, independent,
  type OptimalDirection, type OptimalDirections, type OptimalDirectionsOptions, type OptimalVertex,
  type VertexOptions, type OptimalSetStructure, type OptimalSet,
} from "./optimalSet.js";
export { locateInOptimalSet, descentNeurons, type OptimalSetLocation, type DescentNeuron } from "./networkOptimalSet.js";
export {
  connectivityStaircase, optimalSetComponents, slotsNetwork, vertexSlots, splitKeyframe, segmentKeyframe, pathNetworks,
  maxObjectiveDeviation, permutationSignature, type Slot, type StaircaseRow, type ConnectivityStaircase, type StaircaseOptions,
} from "./staircase.js";
export {
  nonIncreasingPath, stageNetworkAt, activeNeuronCount, dropZeroNeurons, PathWidthError, PathComponentError, type PathReport, type PathStage,
  type PathPoint, type PathSeriesRow, type PathOptions, type PathOptimum, type PathStageKind, type PathInterpolation,
} from "./path.js";
export { ownPatternOptimum, type OwnPatternOptimum } from "./ownPatterns.js";
export {
  loadHighs, minNormInterpolation, solveDenseLp, directionsOfDual, feasibleDual, fitVector, LP_TOLERANCE,
  type MinNormSolution, type MinNormOptions, type MinNormColumn, type DenseLp, type LpSolution,
} from "./minNorm.js";
export {
  faceUniqueness, uniquenessAtBeta, minNormUniqueness, lineTestPoints,
  type OptimalFace, type CoordinateRange, type FacePoint, type FaceUniqueness, type FaceUniquenessOptions,
  type FaceWrapperOptions, type UniquenessAtBeta, type MinNormUniqueness, type MinNormUniquenessOptions,
} from "./uniqueness.js";
export { zeroOptimum, type ZeroOptimum } from "./zeroOptimum.js";
