/**
 * Big/small split of a two-layer θ by neuron groups. Balanced neurons that sit at the same KKT
 * direction (same unit ŵ_j, same sign of a_j) grow at the same rate, so within a group the norms
 * keep the spread of the initialisation (often 10–100×) and a split of single neurons at the
 * largest gap of log‖(w_j, a_j)‖ can cut a group in two. Instead:
 *  1. groups: greedy clustering, neuron j joins the first group (visited by decreasing norm)
 *     whose leader has the same sign and cos(ŵ_j, ŵ_leader) ≥ cosTol (default 0.999);
 *  2. group mass M_g = (Σ_{j∈g} ‖(w_j, a_j)‖²)^{1/2};
 *  3. split at the largest gap of the sorted log M_g (≥ minGap), big = the groups above it.
 */
import { nrm2, sliceNorm } from "../linalg/index.js";
import type { TwoLayerArchitecture } from "../model/index.js";
import { twoLayerParts } from "../model/index.js";
import { splitNeurons } from "./saddles.js";

/**
 * Groups of neurons sharing (sign a_j, ŵ_j) up to cos ≥ cosTol, by decreasing norm of their leader.
 *
 * @param arch - a two-layer architecture (bias-free, one output)
 * @param theta - the parameters θ = [W | a]
 * @param cosTol - the cosine above which two directions count as one (default 0.999)
 * @returns the groups of neuron indices
 * @example
 * ```ts
 * import { makeActivation, neuronGroups, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") });
 * // neurons 0 and 2 share a direction and sign
 * console.log(neuronGroups(arch, Float64Array.of(1, 0, 0, 1, 0.1, 0, 1, 1, 0.1))); // [[0, 2], [1]]
 * ```
 */
export function neuronGroups(arch: TwoLayerArchitecture, theta: Float64Array, cosTol = 0.999): number[][] {
  const { W, a } = twoLayerParts(arch, theta);
  const { m, d } = arch;
  const norm = (j: number): number => Math.hypot(a[j], sliceNorm(W, j * d, (j + 1) * d));
  const order = Array.from({ length: m }, (_, j) => j).sort((i, j) => norm(j) - norm(i));
  const unit = (j: number): number[] => {
    const n = sliceNorm(W, j * d, (j + 1) * d);
    return Array.from(W.subarray(j * d, (j + 1) * d), (v) => (n > 0 ? v / n : 0));
  };
  const groups: number[][] = [];
  const leaders: Array<{ u: number[]; s: number }> = [];
  for (const j of order) {
    const u = unit(j);
    const s = a[j] >= 0 ? 1 : -1;
    const g = leaders.findIndex((l) => l.s === s && l.u.reduce((acc, v, k) => acc + v * u[k], 0) >= cosTol);
    if (g >= 0) groups[g].push(j);
    else {
      groups.push([j]);
      leaders.push({ u, s });
    }
  }
  return groups;
}

/**
 * Split into big and small blocks at the largest gap of the log group masses; null when there is
 * a single group or the largest gap is below minGap (default log 5).
 *
 * @param arch - a two-layer architecture (bias-free, one output)
 * @param theta - the parameters θ = [W | a]
 * @param opts - the minimum gap (log mass) and the grouping cosine
 * @returns the big and small neuron indices, the gap and the number of groups, or null
 * @example
 * ```ts
 * import { makeActivation, splitByGroups, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") });
 * console.log(splitByGroups(arch, Float64Array.of(1, 0, 0, 1e-3, 0.1, 0, 1, 1e-3, 0.1))); // big [0, 2], small [1]
 * ```
 */
export function splitByGroups(
  arch: TwoLayerArchitecture, theta: Float64Array, opts: { minGap?: number; cosTol?: number } = {},
): { big: number[]; small: number[]; gap: number; groups: number } | null {
  const { W, a } = twoLayerParts(arch, theta);
  const d = arch.d;
  const groups = neuronGroups(arch, theta, opts.cosTol);
  const mass = groups.map((g) => 0.5 * Math.log(g.reduce((acc, j) => acc + a[j] ** 2 + W.subarray(j * d, (j + 1) * d).reduce((q, v) => q + v * v, 0), 0)));
  const split = splitNeurons(mass, opts.minGap ?? Math.log(5));
  if (split === null) return null;
  const neuronsOf = (gs: number[]): number[] => gs.flatMap((g) => groups[g]).sort((i, j) => i - j);
  const big = neuronsOf(split.big);
  const small = neuronsOf(split.small);
  const gap = split.gap;
  return { big, small, gap, groups: groups.length };
}

/**
 * Split at a mass level λ: big = the groups with M_g ≥ λ (already escaped), small = the rest.
 * This matches the exit criterion of the plateau predictions (‖z‖ reaching λ), and keeps a group
 * that is still growing (M_g ≪ λ, output ~M_g² negligible) in the small block even when the
 * largest gap of the masses lies below it. Null when no group is big.
 *
 * @param arch - a two-layer architecture (bias-free, one output)
 * @param theta - the parameters θ = [W | a]
 * @param level - the mass level λ
 * @param cosTol - the grouping cosine (default 0.999)
 * @returns the big and small neuron indices, or null
 * @example
 * ```ts
 * import { makeActivation, splitAtLevel, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") });
 * console.log(splitAtLevel(arch, Float64Array.of(1, 0, 0, 1e-3, 0.1, 0, 1, 1e-3, 0.1), 0.1)); // big [0, 2], small [1]
 * ```
 */
export function splitAtLevel(arch: TwoLayerArchitecture, theta: Float64Array, level: number, cosTol?: number): { big: number[]; small: number[] } | null {
  const { W, a } = twoLayerParts(arch, theta);
  const d = arch.d;
  const big: number[] = [];
  const small: number[] = [];
  for (const g of neuronGroups(arch, theta, cosTol)) {
    const mass = nrm2(Float64Array.from(g.flatMap((j) => [a[j], ...W.subarray(j * d, (j + 1) * d)])));
    (mass >= level ? big : small).push(...g);
  }
  if (big.length === 0) return null;
  return { big: big.sort((i, j) => i - j), small: small.sort((i, j) => i - j) };
}
