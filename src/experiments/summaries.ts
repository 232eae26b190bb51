import type { ConvexCertificateSummary } from "./kinds/convex.js";
import type { ConvexThreeLayerSummary } from "./kinds/convexThreeLayer.js";
import type { ConvexOptimalSetSummary, ConvexTrainingSummary } from "./kinds/convexWidth.js";
import type { LinalgCheckSummary } from "./kinds/linalgCheck.js";
import type { MarginCommutationSummary } from "./kinds/marginCommutation.js";
import type { MarginKktEmbeddingSummary } from "./kinds/marginKktEmbedding.js";
import type { NcfCircleSummary } from "./kinds/ncfCircle.js";
import type { NcfEscapeSummary } from "./kinds/ncfEscape.js";
import type { NcfSaddleToSaddleSummary } from "./kinds/ncfSaddleToSaddle.js";
import type { NcfSaddlesSummary } from "./kinds/ncfSaddles.js";
import type { NetworkCheckSummary } from "./kinds/networkCheck.js";
import type { PlateauCaseSummary } from "./kinds/plateauCase.js";
import type { Summary } from "./types.js";

/**
 * The summary type of every built-in experiment kind, kind → type (each inferred from the kind's
 * run function, so it cannot drift from what the kind returns). `executeExperiment` and
 * `runExperiment` use it: a result of a literal kind has its kind's summary fields, typed, with
 * no casts at the caller. A kind registered elsewhere (a test's, a plug-in's) has `Summary`.
 */
export interface ExperimentSummaries {
  "linalg-check": LinalgCheckSummary;
  "network-check": NetworkCheckSummary;
  "ncf-escape": NcfEscapeSummary;
  "ncf-saddles": NcfSaddlesSummary;
  "ncf-circle": NcfCircleSummary;
  "ncf-saddle-to-saddle": NcfSaddleToSaddleSummary;
  "margin-commutation": MarginCommutationSummary;
  "margin-kkt-embedding": MarginKktEmbeddingSummary;
  "plateau-definite": PlateauCaseSummary;
  "plateau-negative-definite": PlateauCaseSummary;
  "plateau-indefinite": PlateauCaseSummary;
  "plateau-saddle": PlateauCaseSummary;
  "plateau-zero": PlateauCaseSummary;
  "convex-certificate": ConvexCertificateSummary;
  "convex-optimal-set-1d": ConvexOptimalSetSummary;
  "convex-training-vs-optimum": ConvexTrainingSummary;
  "convex-three-layer-directions": ConvexThreeLayerSummary;
}

/** A built-in experiment kind. */
export type ExperimentKind = keyof ExperimentSummaries;

/** The summary type of kind `K`: its own for a built-in kind, `Summary` for any other string. */
export type SummaryOf<K extends string> = K extends ExperimentKind ? ExperimentSummaries[K] : Summary;
