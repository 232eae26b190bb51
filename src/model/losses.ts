/**
 * Losses on network outputs F (n×k) against targets Y (n×k), computed so that margins of 1e3
 * and losses far below 1e-300 keep an exact logarithm:
 *
 *   ℒ(F) = s · Σ_i Σ_c ℓ(F_ic; Y_ic),   s = 1 (sum, the default) or 1/n (mean over samples),
 *
 *   logistic     ℓ = log(1 + e^{−q}) = softplus(−q),  q = y·f   (margin loss)
 *   exponential  ℓ = e^{−q},                          q = y·f   (margin loss)
 *   square       ℓ = ½ (f − y)²
 *
 * Vector outputs (k > 1): the margin losses are one-vs-all — each output coordinate c is its own
 * ±1 problem with margin q_ic = Y_ic·F_ic — and the square loss sums over coordinates. Either way
 * ∂²ℒ/∂F² is diagonal, which the Hessian code relies on. "mean" divides by the number of samples
 * n, not by n·k.
 *
 * log ℒ: when ℒ ≥ 1e-280 and finite, log of the direct sum (relative accuracy of the sum);
 * otherwise a log-sum-exp over log ℓ_ic computed analytically (logistic: −q + log(log1p(t)/t),
 * t = e^{−q}; exponential: −q; square: 2 log|f − y| − log 2), e.g. exponential with all n margins
 * equal to 1000 gives log ℒ = −1000 + log n.
 */
import type { LossValue } from "./objective.js";

export const LOSS_NAMES = ["logistic", "exponential", "square"] as const;
export type LossName = (typeof LOSS_NAMES)[number];

/** Sum (default) or mean over samples. */
export interface LossOptions {
  mean?: boolean;
}

/** Below this (or at +∞/NaN) the direct sum is replaced by the log-space computation. */
const DIRECT_SUM_MIN = 1e-280;

/**
 * True for the margin losses (logistic, exponential), which use q = y·f and ±1 labels.
 *
 * @param name - a loss name
 * @returns true for logistic and exponential (targets are ±1 labels), false for square
 * @example
 * ```ts
 * import { isMarginLoss } from "splitscape";
 * console.log(isMarginLoss("logistic"), isMarginLoss("square")); // true false
 * ```
 */
export function isMarginLoss(name: LossName): boolean {
  return name !== "square";
}

/**
 * True if `name` is one of LOSS_NAMES.
 *
 * @param name - any string, e.g. a command-line or spec value
 * @returns true (narrowing the type to LossName) for "logistic", "exponential" and "square"
 * @example
 * ```ts
 * import { isLossName } from "splitscape";
 * const given = "hinge";
 * console.log(isLossName(given)); // false
 * ```
 */
export function isLossName(name: string): name is LossName {
  return (LOSS_NAMES as readonly string[]).includes(name);
}

/**
 * ℓ(f; y) for one output entry (see the table above).
 *
 * @param name - the loss
 * @param f - the network output for one sample and coordinate
 * @param y - its target (±1 for the margin losses)
 * @returns ℓ(f; y) ≥ 0
 * @example
 * ```ts
 * import { lossTerm } from "splitscape";
 * console.log(lossTerm("logistic", 0, 1), lossTerm("square", 3, 1)); // ln 2 ≈ 0.693, 2
 * ```
 */
export function lossTerm(name: LossName, f: number, y: number): number {
  switch (name) {
    case "logistic": { const q = y * f; return (q < 0 ? -q : 0) + Math.log1p(Math.exp(-Math.abs(q))); }
    case "exponential": return Math.exp(-y * f);
    case "square": { const r = f - y; return 0.5 * r * r; }
  }
}

/**
 * log ℓ(f; y), finite wherever ℓ > 0 mathematically (no underflow):
 * logistic q > 0: −q + log(log1p(t)/t), t = e^{−q} (→ −q − t/2 for t < 1e-16); q ≤ 0: log softplus(−q);
 * exponential: −q; square: 2·log|f − y| − log 2 (−∞ at an exact fit).
 *
 * @param name - the loss
 * @param f - the network output
 * @param y - its target (±1 for the margin losses)
 * @returns log ℓ(f; y), finite even where ℓ itself underflows to 0
 * @example
 * ```ts
 * import { logLossTerm } from "splitscape";
 * console.log(logLossTerm("logistic", 1000, 1)); // ≈ −1000, while ℓ = log1p(e^{−1000}) is 0 in float64
 * ```
 */
export function logLossTerm(name: LossName, f: number, y: number): number {
  switch (name) {
    case "logistic": {
      const q = y * f;
      if (q > 0) {
        const t = Math.exp(-q);
        return -q + (t < 1e-16 ? -0.5 * t : Math.log(Math.log1p(t) / t));
      }
      return Math.log(-q + Math.log1p(Math.exp(q)));
    }
    case "exponential": return -y * f;
    case "square": { const r = Math.abs(f - y); return r === 0 ? -Infinity : 2 * Math.log(r) - Math.LN2; }
  }
}

/**
 * ℓ′(q) for a margin loss: logistic −1/(1 + e^{q}), exponential −e^{−q}.
 *
 * @param name - "logistic" or "exponential"
 * @param q - the margin y·f
 * @returns ℓ′(q) < 0
 * @example
 * ```ts
 * import { marginLossDerivative } from "splitscape";
 * console.log(marginLossDerivative("logistic", 0), marginLossDerivative("exponential", 0)); // -0.5 -1
 * ```
 */
export function marginLossDerivative(name: Exclude<LossName, "square">, q: number): number {
  if (name === "exponential") return -Math.exp(-q);
  return q >= 0 ? -Math.exp(-q) / (1 + Math.exp(-q)) : -1 / (1 + Math.exp(q));
}

/**
 * log(−ℓ′(q)) for a margin loss, without underflow: logistic −softplus(q), exponential −q.
 *
 * @param name - "logistic" or "exponential"
 * @param q - the margin y·f
 * @returns log(−ℓ′(q)), finite for large q where ℓ′ underflows
 * @example
 * ```ts
 * import { logNegMarginLossDerivative } from "splitscape";
 * console.log(logNegMarginLossDerivative("exponential", 2000)); // -2000
 * ```
 */
export function logNegMarginLossDerivative(name: Exclude<LossName, "square">, q: number): number {
  if (name === "exponential") return -q;
  return -((q > 0 ? q : 0) + Math.log1p(Math.exp(-Math.abs(q))));
}

/**
 * ℒ and log ℒ of outputs F (first n·k entries, row-major n×k) against Y; when given, writes
 *   dF[i,c]  = ∂ℒ/∂F_ic   = s·y·ℓ′(q)    (square: s·(f − y))
 *   d2F[i,c] = ∂²ℒ/∂F_ic² = s·y²·ℓ″(q)   (square: s)
 * (∂²ℒ/∂F∂F is diagonal). One exp and one log1p per entry; allocation-free.
 *
 * @param name - the loss
 * @param F - network outputs, row-major n×k (only the first n·k entries are read)
 * @param Y - targets, same layout
 * @param n - number of samples
 * @param k - outputs per sample
 * @param mean - true: divide by n; false: sum
 * @param dF - if not null, receives ∂ℒ/∂F (n·k entries)
 * @param d2F - if not null, receives the diagonal ∂²ℒ/∂F_ic² (n·k entries)
 * @returns `{ loss, logLoss }`: ℒ and log ℒ (accurate when ℒ underflows)
 * @example
 * ```ts
 * import { lossOnOutputs } from "splitscape";
 * const F = new Float64Array([2, -1, 0.5]);
 * const Y = new Float64Array([1, -1, -1]);
 * const dF = new Float64Array(3);
 * const { loss, logLoss } = lossOnOutputs("logistic", F, Y, 3, 1, true, dF, null);
 * console.log(loss, logLoss, dF);
 * ```
 */
export function lossOnOutputs(
  name: LossName, F: Float64Array, Y: Float64Array, n: number, k: number, mean: boolean,
  dF: Float64Array | null, d2F: Float64Array | null,
): LossValue {
  const total = lossSumRange(name, F, Y, 0, n * k, mean ? 1 / n : 1, dF, d2F);
  return finishLoss(name, total, F, Y, n, k, mean);
}

/**
 * The unscaled partial sum Σ ℓ(F_t; Y_t) over entries t ∈ [off, off + len), writing the scaled
 * derivatives s·∂ℓ/∂f and s·∂²ℓ/∂f² at the same indices (dF, d2F may be null). Blocked callers
 * sum the partial sums and call `finishLoss` once.
 */
export function lossSumRange(
  name: LossName, F: Float64Array, Y: Float64Array, off: number, len: number, s: number,
  dF: Float64Array | null, d2F: Float64Array | null,
): number {
  const end = off + len;
  let total = 0;
  switch (name) {
    case "logistic":
      for (let t = off; t < end; t++) {
        const y = Y[t];
        const q = y * F[t];
        const e = Math.exp(q >= 0 ? -q : q); // e^{−|q|}
        total += (q < 0 ? -q : 0) + Math.log1p(e);
        const inv = 1 / (1 + e);
        if (dF) dF[t] = -s * y * (q >= 0 ? e * inv : inv); // y·ℓ′(q) = −y·σ(−q)
        if (d2F) d2F[t] = s * y * y * e * inv * inv; // σ(q)σ(−q) = e/(1+e)²
      }
      break;
    case "exponential":
      for (let t = off; t < end; t++) {
        const y = Y[t];
        const e = Math.exp(-y * F[t]);
        total += e;
        if (dF) dF[t] = -s * y * e;
        if (d2F) d2F[t] = s * y * y * e;
      }
      break;
    case "square":
      for (let t = off; t < end; t++) {
        const r = F[t] - Y[t];
        total += 0.5 * r * r;
        if (dF) dF[t] = s * r;
        if (d2F) d2F[t] = s;
      }
      break;
  }
  return total;
}

/**
 * From the unscaled direct sum Σℓ to {ℒ, log ℒ}: log of the sum when ℒ ∈ [1e-280, ∞), else the
 * log-space computation over all n·k entries of F (see `logLossOnOutputs`).
 */
export function finishLoss(
  name: LossName, total: number, F: Float64Array, Y: Float64Array, n: number, k: number, mean: boolean,
): LossValue {
  const loss = mean ? total / n : total;
  if (loss >= DIRECT_SUM_MIN && loss < Infinity) return { loss, logLoss: Math.log(loss) };
  const logLoss = logLossOnOutputs(name, F, Y, n, k, mean);
  return { loss: Number.isNaN(total) ? NaN : Math.exp(logLoss), logLoss };
}

/**
 * log ℒ by a one-pass (streaming) log-sum-exp over log ℓ_ic: M = running max, S = Σ e^{log ℓ − M};
 * log ℒ = M + log(S) (sum) or M + log(S/n) (mean). −∞ when every term is 0 (exact fit).
 *
 * @param name - the loss
 * @param F - network outputs, row-major n×k
 * @param Y - targets, same layout
 * @param n - number of samples
 * @param k - outputs per sample
 * @param mean - true: log of the mean over samples; false: of the sum
 * @returns log ℒ (−∞ at an exact fit, NaN if any term is NaN)
 * @example
 * ```ts
 * import { logLossOnOutputs } from "splitscape";
 * const F = new Float64Array([1000, 1000]);
 * const Y = new Float64Array([1, 1]);
 * console.log(logLossOnOutputs("exponential", F, Y, 2, 1, false)); // −1000 + ln 2
 * ```
 */
export function logLossOnOutputs(
  name: LossName, F: Float64Array, Y: Float64Array, n: number, k: number, mean: boolean,
): number {
  const { max, sum } = logLossParts(name, F, Y, n * k);
  if (Number.isNaN(max)) return NaN;
  if (max === -Infinity) return -Infinity;
  return max + Math.log(mean ? sum / n : sum);
}

/**
 * The two parts of the log-sum-exp of log ℓ_t over the first `len` entries: ℒ_sum = e^{max}·sum
 * with sum ∈ [1, len] (max = −∞, sum = 0 when every term is 0; NaN max if any term is NaN).
 * Ratios ℓ_t/ℒ are best formed as e^{log ℓ_t − max}/sum: the difference log ℓ_t − max is exact
 * for nearby terms, whereas log ℒ itself carries the ulp of its magnitude (1.1e-13 near 1000).
 *
 * @param name - the loss
 * @param F - network outputs (only the first `len` entries are read)
 * @param Y - targets, same layout
 * @param len - number of entries (n·k)
 * @returns `{ max, sum }` with ℒ_sum = e^{max}·sum
 * @example
 * ```ts
 * import { logLossParts } from "splitscape";
 * const { max, sum } = logLossParts("exponential", new Float64Array([800, 801]), new Float64Array([1, 1]), 2);
 * console.log(max, sum); // -800 and 1 + e^{-1}: ℒ = e^{-800}·(1 + e^{-1}), below float64's range
 * ```
 */
export function logLossParts(name: LossName, F: Float64Array, Y: Float64Array, len: number): { max: number; sum: number } {
  let M = -Infinity;
  let S = 0;
  for (let t = 0; t < len; t++) {
    const v = logLossTerm(name, F[t], Y[t]);
    if (v === -Infinity) continue;
    if (Number.isNaN(v)) return { max: NaN, sum: NaN };
    if (v > M) {
      S = S * Math.exp(M - v) + 1;
      M = v;
    } else {
      S += Math.exp(v - M);
    }
  }
  return { max: M, sum: S };
}

/**
 * Per-sample shares of the loss, w_i = ℓ_i / ℒ_sum with ℓ_i = Σ_c ℓ(F_ic; Y_ic), computed as
 * Σ_c e^{log ℓ_ic − M}/S (see logLossParts; no underflow at large margins). They sum to 1
 * (all 0 if ℒ = 0 exactly).
 *
 * @param name - the loss
 * @param F - network outputs, row-major n×k
 * @param Y - targets, same layout
 * @param n - number of samples
 * @param k - outputs per sample
 * @returns n shares ℓ_i/ℒ_sum, summing to 1 (all 0 at an exact fit)
 * @example
 * ```ts
 * import { lossShares } from "splitscape";
 * const w = lossShares("exponential", new Float64Array([900, 901]), new Float64Array([1, 1]), 2, 1);
 * console.log(w); // [1/(1 + e^{-1}), e^{-1}/(1 + e^{-1})] ≈ [0.731, 0.269], though each ℓ_i underflows
 * ```
 */
export function lossShares(name: LossName, F: Float64Array, Y: Float64Array, n: number, k: number): Float64Array {
  const { max, sum } = logLossParts(name, F, Y, n * k);
  const out = new Float64Array(n);
  if (max === -Infinity) return out;
  for (let i = 0; i < n; i++) {
    let w = 0;
    for (let c = 0; c < k; c++) w += Math.exp(logLossTerm(name, F[i * k + c], Y[i * k + c]) - max);
    out[i] = w / sum;
  }
  return out;
}

/**
 * The output gradient divided by the loss, (∂ℒ/∂F)/ℒ (the same for sum and mean), computed in
 * log space so that it stays finite when ℒ and ∂ℒ/∂F underflow (with ℒ_sum = e^M·S, logLossParts):
 *   margin losses: −y·e^{log(−ℓ′(q)) − M}/S;   square: sign(f − y)·e^{log|f − y| − M}/S.
 * Feed it to outputVjp to get ∇ℒ/ℒ (the normalised gradient direction). Writes into `out`.
 *
 * @param name - the loss
 * @param F - network outputs, row-major n×k
 * @param Y - targets, same layout
 * @param n - number of samples
 * @param k - outputs per sample
 * @param out - receives (∂ℒ/∂F)/ℒ, n·k entries
 * @returns `out`
 * @example
 * ```ts
 * import { normalizedOutputGradient } from "splitscape";
 * const g = normalizedOutputGradient("exponential", new Float64Array([900, 901]), new Float64Array([1, 1]), 2, 1, new Float64Array(2));
 * console.log(g); // −(the loss shares): ≈ [-0.731, -0.269]
 * ```
 */
export function normalizedOutputGradient(
  name: LossName, F: Float64Array, Y: Float64Array, n: number, k: number, out: Float64Array,
): Float64Array {
  const { max, sum } = logLossParts(name, F, Y, n * k);
  const len = n * k;
  for (let t = 0; t < len; t++) {
    const f = F[t];
    const y = Y[t];
    if (name === "square") {
      const r = f - y;
      out[t] = r === 0 ? 0 : (Math.sign(r) * Math.exp(Math.log(Math.abs(r)) - max)) / sum;
    } else {
      out[t] = (-y * Math.exp(logNegMarginLossDerivative(name, y * f) - max)) / sum;
    }
  }
  return out;
}
