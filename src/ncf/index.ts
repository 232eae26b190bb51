// The public face of ncf: the neural correlation function of small initialisation, its KKT
// points on the sphere (Clarke residuals, symmetries, kinds), the reduced single-neuron problem,
// the NCF flow, predicted escape times and small-δ gradient flow with alignment tracking.
export { ncfProblem, type NcfProblem } from "./problem.js";
export { ncfEvaluator, neuralCorrelation, neuralCorrelationGradient, ncfOutputs, type NcfEvaluator } from "./correlation.js";
export { sphereAscent, type SmoothOracle, type SphereAscentOptions, type SphereAscentResult } from "./sphereAscent.js";
// boxLeastSquares (the box-constrained least squares of the two-layer residual) is imported from clarke.js.
export { twoLayerClarkeResidual, sampledClarkeResidual, DEFAULT_KINK_TOL, type ClarkeResidual } from "./clarke.js";
// refineOnKinkFace (a step of the KKT search) is imported from reduced.js.
export {
  neuronValueFactor, singleNeuronCorrelation, reducedClarkeResidual, reducedKktDirections,
  reducedOptimum, angularScan, type ReducedDirection, type ReducedSearchOptions,
} from "./reduced.js";
// assembleTwoLayerPoint and classifyByPerturbation (steps of ncfKktPoints) are imported from kkt.js.
export {
  ncfKktPoints, clarkeResidual, refineTwoLayerKktPoint, NCF_RESIDUAL_TOL,
  type KktKind, type NcfKktPoint, type NcfKktOptions, type NcfKktResult, type NcfUnconvergedPoint,
} from "./kkt.js";
export { ncfFlow, ncfFlowAlignment, ncfFlowEscapeTime, type NcfFlowResult, type NcfFlowSample } from "./flow.js";
export { escapeTime, lossFactor, type EscapePrediction } from "./escape.js";
export { smallInitEscape, smallInitTrajectory, type SmallInitEscape, type SmallInitSample, type SmallInitPoint, type SmallInitEscapeOptions } from "./smallInit.js";
export {
  detectPlateaus, splitNeurons, residualNcfProblem, saddleToSaddle,
  type Plateau, type PlateauPrediction, type SaddleToSaddleResult,
} from "./saddles.js";
export {
  balancedInit, gradientDescentRun, neuronNorms, neuronBlock, restrictedSaddle, type GdRun,
} from "./gdRun.js";
// firstCrossing (the interpolation of an exit time) is imported from plateauPrediction.js.
export { predictPlateau, gdSaddleToSaddle, type ResidualNcfPrediction, type GdSaddleToSaddle } from "./plateauPrediction.js";
export { SADDLE_PRESETS, presetData, type SaddlePreset, type SaddlePresetName } from "./saddlePresets.js";
export { neuronGroups, splitByGroups, splitAtLevel } from "./groups.js";
