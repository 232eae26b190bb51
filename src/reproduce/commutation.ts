import type { Dataset } from "../data/index.js";
import { axpy, nrm2, vsub } from "../linalg/index.js";
import { makeObjective, type LossName } from "../model/index.js";
import { applyEmbedding, type EmbeddingMap } from "../splitting/index.js";

/**
 * The embedding experiments' loop: the narrow network θ and the wide one η, started at
 * η₀ = Tθ₀, trained side by side exactly as the authors' notebooks do,
 *   θ_{k+1} = θ_k − η∇ℒ_{B_k}(θ_k),   η_{k+1} = η_k − η∇ℒ̃_{B̃_k}(η_k),
 * with the mean loss over the batch (the full data set for GD), recording after every step the
 * trajectory error e_{k+1} = ‖η_{k+1} − Tθ_{k+1}‖₂ (the notebooks' `torch.norm(actual − predicted)`).
 * With identical batches B̃_k = B_k the embedding principle says e_k = 0 in exact arithmetic
 * (arXiv 2505.12419, Thm. 5.2 and its discrete-time form); in float64 it stays at rounding level.
 */

/** Options of commutationRun. */
export interface CommutationOptions {
  loss: LossName;
  lr: number;
  steps: number;
  /** SGD: the sample indices of step k for each network; absent: full-batch GD. */
  batches?: { narrow(k: number): Int32Array; wide(k: number): Int32Array };
  /** SGD only: evaluate the narrow net's full-batch loss ℒ(θ_k) at the steps k with k % lossEvery = 0. */
  lossEvery?: number;
  /** The wide network's start (default Tθ₀; a perturbed start probes the stability of the embedded trajectory). */
  eta0?: Float64Array;
}

/** What commutationRun records. */
export interface CommutationRun {
  /**
   * ℒ(θ_k), k = 0..K, of the narrow net on the whole data set: every k for GD (the loss each step
   * evaluates before its update, as the notebooks record it), every lossEvery-th k for SGD; NaN elsewhere.
   */
  loss: Float64Array;
  /** e_k = ‖η_k − Tθ_k‖₂, k = 0..K (e_0 = 0). */
  error: Float64Array;
  /** max_k ‖θ_k‖₂ over the run. */
  maxNorm: number;
  /** θ_K and η_K. */
  theta: Float64Array;
  eta: Float64Array;
  /** Full-batch loss of the wide net at the end, ℒ̃(η_K). */
  wideLoss: number;
}

/** Run narrow and wide networks side by side from θ₀ and Tθ₀ (see the module comment). */
export function commutationRun(T: EmbeddingMap, data: Dataset, theta0: Float64Array, opts: CommutationOptions): CommutationRun {
  const narrow = makeObjective(T.from, data, opts.loss, { mean: true });
  const wide = makeObjective(T.to, data, opts.loss, { mean: true });
  const K = opts.steps;
  const theta = Float64Array.from(theta0);
  const eta = opts.eta0 ? Float64Array.from(opts.eta0) : applyEmbedding(T, theta);
  const g = new Float64Array(theta.length);
  const gw = new Float64Array(eta.length);
  const tTheta = new Float64Array(eta.length);
  const diff = new Float64Array(eta.length);
  const loss = new Float64Array(K + 1).fill(NaN);
  const error = new Float64Array(K + 1);
  if (opts.eta0) error[0] = nrm2(Float64Array.from(eta, (v, i) => v - theta[T.source[i]] * T.scale[i]));
  const every = opts.lossEvery ?? 1;
  let maxNorm = nrm2(theta);
  for (let k = 0; k < K; k++) {
    if (opts.batches) {
      if (k % every === 0) loss[k] = narrow.evaluate(theta, null).loss;
      narrow.evaluate(theta, g, opts.batches.narrow(k));
      wide.evaluate(eta, gw, opts.batches.wide(k));
    } else {
      loss[k] = narrow.evaluate(theta, g).loss;
      wide.evaluate(eta, gw);
    }
    axpy(-opts.lr, g, theta);
    axpy(-opts.lr, gw, eta);
    applyEmbedding(T, theta, tTheta);
    vsub(eta, tTheta, diff);
    error[k + 1] = nrm2(diff);
    maxNorm = Math.max(maxNorm, nrm2(theta));
  }
  if (!opts.batches || K % every === 0) loss[K] = narrow.evaluate(theta, null).loss;
  return { loss, error, maxNorm, theta, eta, wideLoss: wide.evaluate(eta, null).loss };
}

/** The unit roundoff of float64, ε = 2^−53. */
export const UNIT_ROUNDOFF = 2 ** -53;

/**
 * The rounding level of a trajectory error after K steps: 10·√K·ε·max_k‖θ_k‖. η_k and Tθ_k are
 * the same numbers computed through different sums (the wide net adds c₁²·aσ(wᵀx) + c₂²·aσ(wᵀx)
 * where the narrow one adds aσ(wᵀx)), so each step adds a rounding difference of a few ε‖θ‖;
 * where GD neither amplifies nor damps it, the difference walks randomly, ~√k·ε·‖θ‖. The factor
 * 10 covers the several roundings per step (sums over the data, exp, the update).
 */
export function roundingLevel(steps: number, maxNorm: number): number {
  return 10 * Math.sqrt(Math.max(1, steps)) * UNIT_ROUNDOFF * maxNorm;
}
