// The public face of ncf: the neural correlation function of small initialisation, its KKT
// points on the sphere (Clarke residuals, symmetries, kinds), the reduced single-neuron problem,
// the NCF flow, predicted escape times and small-δ gradient flow with alignment tracking.
export { ncfProblem, type NcfProblem } from "./problem.js";
export { ncfEvaluator, neuralCorrelation, neuralCorrelationGradient, ncfOutputs, type NcfEvaluator } from "./correlation.js";
export { sphereAscent, type SmoothOracle, type SphereAscentOptions, type SphereAscentResult } from "./sphereAscent.js";
export { boxLeastSquares, twoLayerClarkeResidual, sampledClarkeResidual, DEFAULT_KINK_TOL, type ClarkeResidual } from "./clarke.js";
export {
  neuronValueFactor, singleNeuronCorrelation, reducedClarkeResidual, refineOnKinkFace, reducedKktDirections,
  reducedOptimum, angularScan, type ReducedDirection, type ReducedSearchOptions,
} from "./reduced.js";
export {
  ncfKktPoints, clarkeResidual, refineTwoLayerKktPoint, assembleTwoLayerPoint, classifyByPerturbation, NCF_RESIDUAL_TOL,
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
export { predictPlateau, gdSaddleToSaddle, firstCrossing, type ResidualNcfPrediction, type GdSaddleToSaddle } from "./plateauPrediction.js";
export { SADDLE_PRESETS, presetData, type SaddlePreset, type SaddlePresetName } from "./saddlePresets.js";
export { neuronGroups, splitByGroups, splitAtLevel } from "./groups.js";
