// The public face of convex: the convex reformulation of weight-decayed two-layer ReLU networks
// (docs/science/convex.md), in rooms that import only downwards:
//   program/     the programs: data, losses and conjugates, activation patterns, cones, the block
//                operator, the dual side;
//   network/     the networks of the program (model/ architectures in X̃-space), the maps between
//                networks and convex points, model files, weight-decayed training by dynamics/;
//   solvers/     the gated-ReLU and ReLU programs' solvers and their cone-prox engines;
//   landscape/   certificates, the optimal set, the connectivity staircase, non-increasing paths,
//                uniqueness, the minimum-norm interpolant;
//   extensions/  vector outputs and parallel three-layer networks.
// Code outside convex imports from here only.
export {
  enumeratePatterns, samplePatterns, patternsFromGates, maxPatternCount, patternOf, patternMask, TooManyPatternsError, arrangementChambers,
  CONVEX_LOSSES, convexLoss, squareLoss, logisticLoss,
  SOLVE_TOL, VECTOR_SOLVE_TOL, CERTIFY_TOL, MIN_NORM_TOL, convexProblem, withBias, dualFromPrediction,
  type PatternSet, type EnumerateOptions, type Chamber, type ArrangementOptions, type ConvexLoss, type ConvexLossName,
  type ConvexProblem,
} from "./program/index.js";
export {
  zeroNetwork, reluNetworkArchitecture, reluNetworkModel, reluNetworkFromTheta,
  convexToNetwork, mergeDuplicateNeurons, selectNeurons, networkToConvex, nonconvexObjective, networkOutput, modelToNetwork, networkToModelJson,
  parseTwoLayerReluModel, loadTwoLayerReluModel, trainWeightDecayed, pruneNetwork,
  type ReluNetwork, type TwoLayerReluModel, type NonconvexObjective, type NetworkConvexPoint, type ToNetworkOptions,
  type GdOptions, type GdResult,
} from "./network/index.js";
export {
  solveGatedRelu, solveRelu, POLISH_MAX_DIM,
  type GatedSolution, type SolveOptions, type ReluSolution, type ReluSolveOptions, type ConvexPoint,
} from "./solvers/index.js";
export {
  dualCertificate, certificateFromPrediction, coneDualNorms, certifyNetwork,
  optimalDirections, optimalSetVertices, optimalSet, vertexToNetwork, locateInOptimalSet, descentNeurons,
  connectivityStaircase, optimalSetComponents, maxObjectiveDeviation,
  nonIncreasingPath, stageNetworkAt, activeNeuronCount, dropZeroNeurons, PathWidthError, PathComponentError, ownPatternOptimum,
  loadHighs, minNormInterpolation, LP_TOLERANCE,
  faceUniqueness, uniquenessAtBeta, minNormUniqueness, lineTestPoints, zeroOptimum,
  type ZeroOptimum, type ConvexCertificate, type CertificateOptions,
  type NetworkCertificate, type NetworkCertificateOptions, type NeuronReport, type NetworkClass, type NetworkClassification,
  type OptimalDirection, type OptimalDirections, type OptimalDirectionsOptions, type OptimalVertex,
  type VertexOptions, type OptimalSetStructure, type OptimalSet, type OptimalSetLocation, type DescentNeuron,
  type Slot, type StaircaseRow, type ConnectivityStaircase, type StaircaseOptions,
  type PathReport, type PathStage, type PathPoint, type PathSeriesRow, type PathOptions, type PathOptimum, type PathStageKind,
  type PathInterpolation, type OwnPatternOptimum,
  type MinNormSolution, type MinNormOptions, type MinNormColumn, type DenseLp, type LpSolution,
  type OptimalFace, type CoordinateRange, type FacePoint, type FaceUniqueness, type FaceUniquenessOptions,
  type FaceWrapperOptions, type UniquenessAtBeta, type MinNormUniqueness, type MinNormUniquenessOptions,
} from "./landscape/index.js";
export {
  VECTOR_LOSSES, vectorProblem, vectorNetworkOutput, vectorObjective, trainVectorWeightDecayed, pruneVectorNetwork,
  vectorDualNorm, vectorConnectivityWidth, vectorCertificateFromPrediction, certifyVectorNetwork, modelToVectorNetwork,
  vectorNetworkModel, solveVectorByAtoms,
  vectorOptimalDirections, vectorOptimalSet, vectorOptimalTarget, polishVectorOptimum, vectorVertexNetwork, vectorExactGap,
  type VectorOptimalDirection, type VectorOptimalDirectionsOptions, type VectorOptimalDirections, type VectorOptimalSet,
  type VectorConnectivityRow, type VectorPolishOptions, type VectorPolishResult, type VectorExactGap,
  type VectorLossName, type VectorReluNetwork, type VectorProblem, type VectorObjective, type VectorGdOptions, type VectorGdResult,
  type VectorDualNormOptions, type VectorDualNorm, type VectorCertificateOptions, type VectorCertificate,
  type VectorNeuronReport, type VectorNetworkCertificate, type VectorAtomOptions, type VectorAtomResult,
  threeLayerOutput, threeLayerObjective, trainThreeLayer, firstLayerDirections, threeLayerModel,
  type ThreeLayerNetwork, type ThreeLayerObjective, type ThreeLayerGdOptions, type ThreeLayerGdResult,
  type FirstLayerDirectionOptions, type FirstLayerNeuron, type FirstLayerDirections,
  threeLayerPathObjective, trainThreeLayerCubic, threeLayerDualNorm, solveThreeLayerConvex, threeLayerOptimalSet,
  type ThreeLayerDualNorm, type ThreeLayerDualNormOptions, type OuterBound, type BlockAtom, type BlockNeuron,
  type ThreeLayerConvexOptions, type ThreeLayerConvexSolution, type ThreeLayerBlock,
  type ThreeLayerOptimalSet, type ThreeLayerOptimalSetOptions, type ThreeLayerOptimalBlock, type ExtremeBlock,
} from "./extensions/index.js";
