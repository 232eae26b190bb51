// The face of convex/extensions/threeLayer: parallel three-layer ReLU networks (model/'s
// parallel-three-layer architecture) with weight decay, their training by dynamics/, and the
// check that first-layer directions come from a finite set fixed by the dual.
export {
  threeLayerArchitecture, threeLayerModel, checkThreeLayerNetwork, threeLayerOutput, threeLayerObjective, trainThreeLayer,
  type ThreeLayerNetwork, type ThreeLayerObjective, type ThreeLayerGdOptions, type ThreeLayerGdResult,
} from "./network.js";
export {
  firstLayerDirections, type FirstLayerDirectionOptions, type FirstLayerNeuron, type FirstLayerDirections,
} from "./directions.js";
export { threeLayerPathObjective, trainThreeLayerCubic } from "./pathNorm.js";
export { threeLayerDualNorm, type ThreeLayerDualNorm, type ThreeLayerDualNormOptions, type OuterBound, type BlockAtom, type BlockNeuron, type Column } from "./dualNorm.js";
export { solveThreeLayerConvex, type ThreeLayerConvexOptions, type ThreeLayerConvexSolution, type ThreeLayerBlock } from "./convexProgram.js";
export { threeLayerOptimalSet, type ThreeLayerOptimalSet, type ThreeLayerOptimalSetOptions, type ThreeLayerOptimalBlock, type ExtremeBlock } from "./optimalSet.js";
