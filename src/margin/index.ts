// The public face of margin: homogeneity order, normalised and smoothed margins, and the
// Clarke-aware KKT certificate of the max-margin problem (docs/science/embedding.md §2).
export { nonHomogeneityReason, requireHomogeneity } from "./homogeneity.js";
export { normalizedMargin, smoothedMargin, inverseMarginLoss, marginSummary, type MarginSummary } from "./margins.js";
export {
  KKT_KINK_TOL,
  KKT_MAX_KINKS,
  KKT_ACTIVE_LADDER,
  kktCertificate,
  type ActiveSetTrial,
  type KktOptions,
  type KktCertificate,
  type KinkInfo,
} from "./kkt.js";
export { marginLogGradient, type LogGradient } from "./logGradient.js";
export { logLossSharpness, type SharpnessOptions } from "./sharpness.js";
export { sharpnessCap, type SharpnessCap, type SharpnessCapOptions, type SharpnessCalibration } from "./stepCap.js";
