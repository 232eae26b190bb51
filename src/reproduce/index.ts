// The public face of reproduce: `splitscape reproduce` re-runs the papers' published experiments
// on the authors' data and weights and sets each published number beside ours. Importing it
// registers every reproduction (reproductions/).
import "./reproductions/index.js";

export type { Claim, ClaimRule, Reproduction, ReproductionContext, ReproductionResult } from "./types.js";
export { registerReproduction, getReproduction, listReproductions, REPRODUCTION_ID } from "./registry.js";
export { claim, claimPasses, claimVerdict, describeTolerance, printedFixed, printedSignificant, type ClaimText } from "./claims.js";
export { runReproduction, requireReproduction, type ReproduceOptions, type ReproduceOutcome } from "./runner.js";
export { commutationRun, roundingLevel, UNIT_ROUNDOFF, type CommutationOptions, type CommutationRun } from "./commutation.js";
export { vectorDeviation, vectorTolerance, rasterDeviation, interpolate, type CurveDeviation } from "./curves.js";
export { comparisonPlot, figureIndices, envelopeIndices, type ComparisonOptions } from "./figures.js";
export { packageRoot, paperFile, paperData, paperModel, publishedCurve, sgdBatchOrders, type PublishedCurve, type SgdBatchOrders } from "./papers.js";
export { readRecord, recordPath, recordedSeconds, type RecordedRun, type RunRecord } from "./record.js";
/** A reproduction that threw: its run folder stays INCOMPLETE (the experiments layer's error). */
export { RunFailedError } from "../experiments/index.js";
