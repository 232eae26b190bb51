// The face of convex/network: the two-layer ReLU networks of the program in X̃-space (model/'s
// two-layer ReLU architecture, θ = [W | α]), their weight-decayed objective (NC), the maps
// between networks and convex points, model files, and weight-decayed training by dynamics/.
export {
  zeroNetwork, reluNetworkArchitecture, reluNetworkModel, reluNetworkFromTheta, selectNeurons, networkOutput, nonconvexObjective,
  type ReluNetwork, type NonconvexObjective,
} from "./network.js";
export {
  convexToNetwork, mergeDuplicateNeurons, networkToConvex, type NetworkConvexPoint, type ToNetworkOptions,
} from "./maps.js";
export {
  toTwoLayerReluModel, parseTwoLayerReluModel, loadTwoLayerReluModel, augmentedInputWeights, modelToNetwork, networkToModelJson,
  reluModelJson, type TwoLayerReluModel,
} from "./modelFile.js";
export { trainWeightDecayed, runWeightDecayedGd, pruneNetwork, reachesData, type GdOptions, type GdResult, type GdRun } from "./train.js";
