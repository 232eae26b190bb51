/**
 * Escape from a small initialisation (docs/science/small-init.md §3.2; Kumar & Haupt, TMLR 2024
 * and arXiv 2403.08121). Along the KKT direction û the norm obeys ṙ = L·𝒩_eff·r^{L−1} with
 * 𝒩_eff = λ·𝒩* (λ = 1 square loss, ½ logistic since −ℓ′(0) = ½; a mean loss is a problem with
 * c = 1/n, i.e. 𝒩 divided by n). From r(0) = δ the time to reach the level ρ is
 *   L = 2:  t(ρ) = log(ρ/δ)/(2𝒩_eff)           (ρ = 1: log(1/δ)/(2𝒩*), the note's prediction),
 *   L > 2:  t(ρ) = (δ^{−(L−2)} − ρ^{−(L−2)})/(L(L−2)𝒩_eff)   (the δ^{−(L−2)} scaling),
 * returned with its logarithm so that δ = 1e-80 and L > 2 do not overflow.
 * For the square loss (sum) d/dt log‖w‖ = (2𝒩(w) − 2Σ_i H(x_i; w)²)/‖w‖² ≤ 2𝒩* exactly, so the
 * observed t(ρ) is never below log(ρ/δ)/(2𝒩*): a rigorous lower bound the tests use.
 */

export interface EscapePrediction {
  /** Predicted time t(ρ). */
  t: number;
  /** log t(ρ) (exact even when t overflows). */
  logT: number;
  /** 𝒩_eff = λ·𝒩*. */
  effective: number;
}

/**
 * Loss factor λ: 1 for the square loss, ½ for the logistic loss (−ℓ′(0)), 1 for exponential.
 *
 * @param loss - the loss name
 * @returns λ = −ℓ′(0) per unit target: 1, ½ or 1
 * @example
 * ```ts
 * import { lossFactor } from "splitscape";
 * console.log(lossFactor("logistic")); // 0.5
 * ```
 */
export function lossFactor(loss: "square" | "logistic" | "exponential"): number {
  return loss === "logistic" ? 0.5 : 1;
}

/**
 * Predicted escape time t(ρ) of ṙ = L·λ𝒩*·r^{L−1}, r(0) = δ (formulas above). Give δ or log δ;
 * `level` ρ defaults to 1 (the note's log(1/δ)/(2𝒩*)).
 *
 * @param opts - 𝒩* (ncfStar), the order L, δ or log δ, the level ρ and the loss (for λ)
 * @returns t, log t (exact for tiny δ) and the effective rate λ𝒩*; t = ∞ when λ𝒩* ≤ 0
 * @example
 * ```ts
 * import { escapeTime } from "splitscape";
 * console.log(escapeTime({ ncfStar: 0.25, L: 2, delta: 1e-6 }).t); // log(1e6)/(2·0.25) ≈ 27.63
 * ```
 */
export function escapeTime(opts: {
  ncfStar: number; L: number; delta?: number; logDelta?: number; level?: number;
  loss?: "square" | "logistic" | "exponential";
}): EscapePrediction {
  const logDelta = opts.logDelta ?? Math.log(opts.delta ?? NaN);
  const logLevel = Math.log(opts.level ?? 1);
  const eff = lossFactor(opts.loss ?? "square") * opts.ncfStar;
  const L = opts.L;
  if (!(eff > 0)) return { t: Infinity, logT: Infinity, effective: eff };
  if (!(logLevel > logDelta)) return { t: 0, logT: -Infinity, effective: eff };
  if (L === 2) {
    const t = (logLevel - logDelta) / (2 * eff);
    return { t, logT: Math.log(t), effective: eff };
  }
  // (δ^{−(L−2)} − ρ^{−(L−2)}) = δ^{−(L−2)}·(1 − e^{−(L−2)(log ρ − log δ)})
  const logT = -(L - 2) * logDelta + Math.log(-Math.expm1(-(L - 2) * (logLevel - logDelta))) - Math.log(L * (L - 2) * eff);
  return { t: Math.exp(logT), logT, effective: eff };
}
