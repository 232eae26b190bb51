// The public face of model: activations, architectures (two-layer, MLP, conv) and THE parameter layout, model files,
// losses in log space, outputs, gradients (via the output VJP), Jacobians, exact Hessian–vector
// products, dense Hessians, and the training Objective for dynamics/ (named losses, losses on
// the outputs, weight decay).
export type { LossValue, Objective } from "./objective.js";
export { erf, erfc, normalCdf, normalPdf } from "./erf.js";
export {
  ACTIVATION_NAMES,
  DEFAULT_LEAKY_SLOPE,
  DEFAULT_RELU_POWER,
  activationValue,
  activationDerivative,
  activationSecondDerivative,
  activationHomogeneity,
  kinkInterval,
  clarkeDerivative,
  piecewiseLinearSlope,
  makeActivation,
  parseActivation,
  activationToJson,
  formatActivation,
  sameActivation,
  sigmoid,
  softplus,
  type Activation,
  type ActivationName,
  type Interval,
} from "./activations.js";
export {
  twoLayerArchitecture,
  mlpArchitecture,
  parallelThreeLayerArchitecture,
  twoLayerLayout,
  parallelThreeLayerLayout,
  parallelThreeLayerParts,
  mlpLayerOffsets,
  paramCount,
  inputDim,
  outputDim,
  hiddenLayers,
  checkTheta,
  twoLayerParts,
  mlpWeights,
  homogeneityOrder,
  parameterLabels,
  sameArchitecture,
  describeArchitecture,
  zeroModel,
  type Architecture,
  type TwoLayerArchitecture,
  type MlpArchitecture,
  type ParallelThreeLayerArchitecture,
  type ParallelThreeLayerLayout,
  type Model,
  type TwoLayerLayout,
  type TwoLayerParts,
} from "./architecture.js";
export {
  parseModelJson,
  parseModelText,
  modelToJson,
  modelToText,
  loadModel,
  saveModel,
  type ModelJson,
  type TwoLayerModelJson,
  type MlpModelJson,
  type ParallelThreeLayerModelJson,
} from "./modelFile.js";
export {
  LOSS_NAMES,
  isLossName,
  isMarginLoss,
  lossTerm,
  logLossTerm,
  marginLossDerivative,
  logNegMarginLossDerivative,
  lossOnOutputs,
  logLossOnOutputs,
  logLossParts,
  lossShares,
  normalizedOutputGradient,
  type LossName,
  type LossOptions,
} from "./losses.js";
export { checkInputs, checkModelData, checkArchData, type ModelData } from "./modelData.js";
export { forward, margins, minMargin } from "./forward.js";
export { outputVjp, lossAndGradient, evaluateLoss, normalizedGradient, type LossEvaluation } from "./gradient.js";
export { outputJacobian, marginGradients } from "./jacobian.js";
export { hessianOperator, hessianVectorProduct, type HessianOperator } from "./hvp.js";
export { hessian, type HessianMethod, type HessianOptions } from "./hessian.js";
export { makeObjective, type LossObjective } from "./lossObjective.js";
export { outputLossObjective, type OutputLoss } from "./outputLoss.js";
export { weightDecayPenalty, withWeightDecay } from "./weightDecay.js";
export { parallelThreeLayerMlp, parallelThreeLayerToMlp } from "./parallelThreeLayerKernels.js";
export { initializeModel, type InitOptions } from "./init.js";
export {
  CONV_MAX_SAMPLE_ENTRIES,
  convArchitecture,
  convGeometry,
  convWeights,
  convLayerChannels,
  convWithChannels,
  type ConvArchitecture,
  type ConvStage,
  type PoolStage,
  type Stage,
  type StageSpec,
  type StageGeometry,
  type ConvGeometry,
  type ConvModelJson,
} from "./conv/index.js";
export { inputGradient } from "./inputGradient.js";
export {
  loadSafetensorsModel, modelArch, modelLayers, modelToStateDict, safetensorsModelBytes, safetensorsToModel, stateDictToModel,
  torchSequentialCode, type ArchitectureSource,
} from "./torchModel.js";
