// The face of convex/extensions/vector: two-layer ReLU networks with c outputs (docs/science/convex.md §8.1)
// — the problem and its losses, networks as model/ architectures, weight-decayed
// training by dynamics/, the dual norm s(Λ) by branch and bound on the sphere, the duality-gap
// certificate, the classification of a network, and the optimum by column generation over atoms.
export { VECTOR_LOSSES, vectorLossValue, vectorLossDualValue, vectorOutputLoss, type VectorLossName } from "./losses.js";
export { vectorProblem, checkVectorData, type VectorProblem } from "./problem.js";
export {
  vectorNetworkArchitecture, vectorNetworkModel, modelToVectorNetwork, checkVectorNetwork, vectorNetworkOutput, vectorLossObjective,
  vectorObjective, type VectorReluNetwork, type VectorObjective,
} from "./network.js";
export { trainVectorWeightDecayed, type VectorGdOptions, type VectorGdResult } from "./train.js";
export { pruneVectorNetwork } from "./prune.js";
export { vectorDualNorm, type VectorDualNormOptions, type VectorDualNorm } from "./dualNorm.js";
export {
  vectorCertificateFromPrediction, vectorConnectivityWidth, type VectorCertificateOptions, type VectorCertificate,
} from "./certificate.js";
export { certifyVectorNetwork, type VectorNeuronReport, type VectorNetworkCertificate } from "./classify.js";
export { groupLassoOverAtoms, type AtomSet, type GroupLassoOptions } from "./groupLasso.js";
export { solveVectorByAtoms, type VectorAtomOptions, type VectorAtomResult } from "./solve.js";
export {
  vectorOptimalDirections, vectorOptimalSet, vectorOptimalTarget, polishVectorOptimum, vectorVertexNetwork, vectorExactGap,
  type VectorOptimalDirection, type VectorOptimalDirectionsOptions, type VectorOptimalDirections, type VectorOptimalSet,
  type VectorConnectivityRow, type VectorPolishOptions, type VectorPolishResult, type VectorExactGap,
} from "./optimalSet.js";
