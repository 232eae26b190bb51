// Seeded initialisation of networks: fan-in Gaussian weights, optionally balanced, optionally
// rescaled to a given norm δ (the small-initialisation convention θ(0) = δ·w₀, ‖w₀‖ = 1).

import { nrm2 } from "../linalg/index.js";
import { fillNormal, fork, rademacher } from "../random/index.js";
import { paramCount, parallelThreeLayerParts, twoLayerParts, mlpWeights, type Architecture, type Model } from "./architecture.js";
import { initializeConvWeights } from "./conv/init.js";

export interface InitOptions {
  /** Seed of the initialisation stream (`fork(seed, "init")`). */
  seed: number;
  /**
   * Norm of θ(0). When given, θ(0) = scale · w₀/‖w₀‖ (so ‖θ(0)‖ = scale exactly, the
   * small-initialisation convention of docs/science/small-init.md §1). When absent, the
   * fan-in Gaussian weights are used as drawn.
   */
  scale?: number;
  /**
   * Two-layer nets only: make every neuron balanced, |a_j| = ‖(w_j, b_j)‖ (scalar output), with
   * a random sign. Balancedness is conserved by gradient flow of homogeneous two-layer nets
   * (a_j² − ‖w_j‖² is invariant), and the convex-duality and small-init theories assume it.
   */
  balanced?: boolean;
}

/**
 * Draw θ(0) for an architecture: every weight matrix W (rows × cols) gets entries
 * N(0, 1/cols) (fan-in scaling, LeCun; a conv filter's fan-in is in_ch·kh·kw); two-layer output
 * weights a get N(0, 1/m); biases 0; parallel three-layer: W1 rows N(0, 1/d), W2 rows N(0, 1/m1)
 * (the block's fan-in), a N(0, 1/m).
 * Then optionally balance (two-layer) and rescale to ‖θ‖ = scale.
 * Same seed and architecture → bit-identical θ (the RNG uses only +, −, ×, ÷, √).
 *
 * @param arch - the architecture (twoLayerArchitecture, mlpArchitecture, …)
 * @param opts - `seed` (required), and optionally `scale` (‖θ‖ after drawing) and `balanced`
 * @returns the model: `arch` and θ, a fresh Float64Array
 * @example
 * ```ts
 * import { initializeModel, makeActivation, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") }), { seed: 2 });
 * console.log(net.theta.length); // 18 = 6·2 + 6
 * ```
 */
export function initializeModel(arch: Architecture, opts: InitOptions): Model {
  const theta = new Float64Array(paramCount(arch));
  const rng = fork(opts.seed, "init");
  if (arch.kind === "two-layer") {
    const { W, a } = twoLayerParts(arch, theta);
    fillNormal(rng, W, 0, 1 / Math.sqrt(arch.d));
    fillNormal(rng, a, 0, 1 / Math.sqrt(arch.m));
    if (opts.balanced) {
      if (arch.k !== 1) throw new RangeError("initializeModel: balanced initialisation needs a scalar output (k = 1)");
      for (let j = 0; j < arch.m; j++) {
        const norm = nrm2(W.subarray(j * arch.d, (j + 1) * arch.d));
        a[j] = rademacher(rng) * norm;
      }
    }
  } else if (arch.kind === "parallel-three-layer") {
    if (opts.balanced) throw new RangeError("initializeModel: balanced initialisation is defined for two-layer networks only");
    const { W1, W2, a } = parallelThreeLayerParts(arch, theta);
    fillNormal(rng, W1, 0, 1 / Math.sqrt(arch.d));
    fillNormal(rng, W2, 0, 1 / Math.sqrt(arch.m1));
    fillNormal(rng, a, 0, 1 / Math.sqrt(arch.m));
  } else if (arch.kind === "conv") {
    if (opts.balanced) throw new RangeError("initializeModel: balanced initialisation is defined for two-layer networks only");
    initializeConvWeights(arch, theta, rng);
  } else {
    if (opts.balanced) throw new RangeError("initializeModel: balanced initialisation is defined for two-layer networks only");
    const weights = mlpWeights(arch, theta);
    weights.forEach((Wl, l) => fillNormal(rng, Wl, 0, 1 / Math.sqrt(arch.widths[l])));
  }
  if (opts.scale !== undefined) {
    if (!(opts.scale > 0) || !Number.isFinite(opts.scale)) throw new RangeError(`initializeModel: scale must be a positive finite number, got ${opts.scale}`);
    const norm = nrm2(theta);
    const f = opts.scale / norm;
    for (let i = 0; i < theta.length; i++) theta[i] *= f;
  }
  return { arch, theta };
}
