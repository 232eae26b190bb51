// The public face of model/conv: bias-free convolutional networks (1-D and 2-D convolutions with
// stride and zero padding, σ after every convolution, average pooling, a linear head) — the
// architecture and θ layout, the batch kernels (im2col + GEMM), exact HVPs, one-sample passes with
// explicit kink slopes, input gradients, the model-file form and the initialisation.
// model/index.ts re-exports it.
export {
  CONV_MAX_SAMPLE_ENTRIES,
  convArchitecture,
  convGeometry,
  convHiddenLayers,
  convLayerChannels,
  convWithChannels,
  convInputDim,
  convHomogeneityOrder,
  describeConv,
  sameConvArchitecture,
  convParameterLabels,
  convWeights,
  type ConvArchitecture,
  type ConvStage,
  type PoolStage,
  type Stage,
  type StageSpec,
  type Shape3,
  type StageGeometry,
  type ConvGeometry,
} from "./architecture.js";
export { im2col, col2imAdd, avgPool, avgPoolTransposeAdd, type Planes, type Window } from "./im2col.js";
export {
  CONV_BLOCK_ENTRIES,
  convBlockSamples,
  createConvWorkspace,
  convForward,
  convVjp,
  convLossGradient,
  convJacobian,
  type ConvWorkspace,
} from "./kernels.js";
export { convHvp } from "./hvp.js";
export { convInputVjp } from "./inputGradient.js";
export { convSampleForward, convSampleGradient, type ConvSamplePass } from "./sample.js";
export { parseConvModel, convModelToJson, type ConvModelJson, type NestedNumbers } from "./modelFile.js";
export { initializeConvWeights } from "./init.js";
