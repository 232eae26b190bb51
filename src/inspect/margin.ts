/**
 * Section 3 of `inspect`: max-margin (classification with a margin loss, homogeneous network;
 * docs/science/embedding.md §1.2 and §2). The normalised margin γ̄ = q_min/‖θ‖^L, the smoothed margin γ̃ and the
 * Clarke-aware (ε, δ)-KKT certificate of margin/kkt.ts: how close θ/‖θ‖ is to a KKT direction
 * of the max-margin problem. The certificate forms the n·k constraint gradients (n·k × p); above
 * KKT_MAX_ENTRIES entries only the margins are computed.
 */
import type { LossName, Model, ModelData } from "../model/index.js";
import { isMarginLoss, outputDim } from "../model/index.js";
import { kktCertificate, marginSummary, nonHomogeneityReason, type KktCertificate, type MarginSummary } from "../margin/index.js";

/** The KKT certificate is computed up to n·k·p = 2^24 gradient entries (128 MB). */
export const KKT_MAX_ENTRIES = 1 << 24;
/** ε/‖θ̂‖ at most this (and δ/(‖θ̂‖²/L) too) reads as "a KKT direction". */
export const KKT_DIRECTION_TOL = 1e-6;

export type MarginVerdict = "KKT direction" | "not a KKT direction" | "not separated" | "margins only";

export interface MarginSection {
  readonly applies: true;
  readonly verdict: MarginVerdict;
  readonly reason: string;
  readonly limit: string;
  readonly margins: MarginSummary;
  /** Null when skipped for size. */
  readonly kkt: Omit<KktCertificate, "normalizedMargins" | "lambda"> | null;
  /** q̂_k = q_k/q_min (sorted ascending) and the multipliers λ_k in the same order (null: no certificate). */
  readonly sortedMargins: Float64Array | null;
  readonly sortedMultipliers: Float64Array | null;
  readonly tol: number;
}

/**
 * Why section 3 (max-margin) does not apply, or null when it does: it needs a classification
 * loss (logistic or exponential) and a homogeneous network.
 *
 * @param model - the network
 * @param loss - the loss the network is inspected under
 * @returns the reason in words, or null
 * @example
 * ```ts
 * import { initializeModel, makeActivation, marginNotApplicable, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("tanh") }), { seed: 2 });
 * console.log(marginNotApplicable(net, "logistic")); // tanh is not homogeneous
 * ```
 */
export function marginNotApplicable(model: Model, loss: LossName): string | null {
  if (!isMarginLoss(loss)) return `the loss is ${loss} (regression); the max-margin problem needs a classification loss (logistic or exponential) and ±1 labels`;
  const why = nonHomogeneityReason(model.arch);
  return why === null ? null : `not homogeneous: ${why}`;
}

/**
 * Section 3 of inspect (call only when marginNotApplicable returns null): the normalised margin
 * γ̄ = q_min/‖θ‖^L, the smoothed margin and the Clarke-aware (ε, δ)-KKT certificate of
 * kktCertificate — how close θ/‖θ‖ is to a KKT direction of the max-margin problem
 * (docs/science/embedding.md §1.2, §2). Above KKT_MAX_ENTRIES constraint-gradient entries
 * (n·k·p) only the margins are computed.
 *
 * @param model - a homogeneous network
 * @param data - inputs X and labels ±1 (a Dataset or `{X, Y}`)
 * @param loss - the classification loss, "logistic" or "exponential"
 * @returns the verdict ("KKT direction" when ε/‖θ̂‖ and δ are ≤ KKT_DIRECTION_TOL), the margins and the certificate
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, marginNotApplicable, marginSection } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * if (marginNotApplicable(net, "logistic") === null) console.log(marginSection(net, data, "logistic").verdict);
 * ```
 */
export function marginSection(model: Model, data: ModelData, loss: Exclude<LossName, "square">): MarginSection {
  const margins = marginSummary(model, data, loss);
  const entries = data.X.rows * outputDim(model.arch) * model.theta.length;
  const limit = `KKT certificate up to n·k·p = ${KKT_MAX_ENTRIES} constraint-gradient entries (here ${entries})`;
  if (entries > KKT_MAX_ENTRIES) {
    return {
      applies: true, verdict: "margins only", reason: `n·k·p = ${entries} > ${KKT_MAX_ENTRIES}: the KKT certificate was skipped; margins only`,
      limit, margins, kkt: null, sortedMargins: null, sortedMultipliers: null, tol: KKT_DIRECTION_TOL,
    };
  }
  const cert = kktCertificate(model, data);
  const { normalizedMargins, lambda, ...kkt } = cert;
  if (cert.status !== "ok") {
    return { applies: true, verdict: "not separated", reason: cert.message, limit, margins, kkt, sortedMargins: null, sortedMultipliers: null, tol: KKT_DIRECTION_TOL };
  }
  const order = Array.from(normalizedMargins.keys()).sort((a, b) => normalizedMargins[a] - normalizedMargins[b]);
  const sortedMargins = Float64Array.from(order, (i) => normalizedMargins[i]);
  const sortedMultipliers = lambda === null ? null : Float64Array.from(order, (i) => lambda[i]);
  const eps = cert.epsilonRelative ?? Infinity;
  const deltaRel = cert.delta !== null && cert.normSquaredOverL ? cert.delta / cert.normSquaredOverL : Infinity;
  const isKkt = eps <= KKT_DIRECTION_TOL && deltaRel <= KKT_DIRECTION_TOL;
  return {
    applies: true,
    verdict: isKkt ? "KKT direction" : "not a KKT direction",
    reason: `ε/‖θ̂‖ = ${eps.toExponential(2)}, δ/(‖θ̂‖²/L) = ${deltaRel.toExponential(2)} (${isKkt ? "both" : "not both"} ≤ ${KKT_DIRECTION_TOL}); ` +
      `${cert.support.length} support vector(s); normalised margin γ̄ = ${margins.normalizedMargin.toPrecision(6)}`,
    limit, margins, kkt, sortedMargins, sortedMultipliers, tol: KKT_DIRECTION_TOL,
  };
}
