/**
 * Full-batch gradient descent from a balanced small initialisation (the setting of the
 * saddle-to-saddle reference runs, docs/science/small-init.md §5):
 *   θ_{k+1} = θ_k − η ∇ℒ(θ_k),   t_k = η·k   (GD time; GD tracks gradient flow for small η),
 * with a two-layer bias-free net and the balanced initialisation
 *   w_j ~ N(0, σ² I_d),   a_j = s_j·‖w_j‖,  s_j = ±1 with probability ½,
 * so that a_j² − ‖w_j‖² = 0 (conserved by the flow, hence neurons stay balanced).
 * Pure functions apart from the caller's objective (which owns its workspace).
 */
import { nrm2, sliceNorm } from "../linalg/index.js";
import type { Objective, TwoLayerArchitecture } from "../model/index.js";
import { twoLayerParts } from "../model/index.js";
import { normal, uniform, type Rng } from "../random/index.js";

/**
 * Balanced initialisation of a bias-free two-layer net: w_j ~ N(0, σ²I), a_j = ±‖w_j‖.
 *
 * @param arch - a bias-free two-layer architecture with one output
 * @param std - σ, the standard deviation of each entry of w_j
 * @param rng - the generator
 * @returns θ = [W | a] (length m·d + m)
 * @example
 * ```ts
 * import { balancedInit, fork, makeActivation, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") });
 * console.log(balancedInit(arch, 1e-3, fork(1, "init")));
 * ```
 */
export function balancedInit(arch: TwoLayerArchitecture, std: number, rng: Rng): Float64Array {
  const { m, d } = arch;
  const theta = new Float64Array(m * (d + 1));
  const { W, a } = twoLayerParts(arch, theta);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) {
      const v = std * normal(rng);
      W[j * d + k] = v;
      s += v * v;
    }
    a[j] = (uniform(rng) < 0.5 ? -1 : 1) * Math.sqrt(s);
  }
  return theta;
}

/** A recorded GD run: samples every `every` steps (θ copies), t = η·step. */
export interface GdRun {
  lr: number;
  step: number[];
  t: number[];
  loss: number[];
  logLoss: number[];
  theta: Float64Array[];
}

/**
 * `steps` GD steps with step size lr from θ₀, recording θ and the loss every `every` steps (and at the end).
 *
 * @param obj - the objective
 * @param theta0 - the initial parameters (not modified)
 * @param opts - the step size lr, the number of steps and the recording interval `every`
 * @returns the recorded steps, times t = lr·k, ℒ, log ℒ and θ
 * @example
 * ```ts
 * import { balancedInit, fork, gradientDescentRun, makeActivation, makeObjective, presetData, SADDLE_PRESETS, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") });
 * const obj = makeObjective(arch, presetData(SADDLE_PRESETS["1d"]), "square", { mean: true });
 * const run = gradientDescentRun(obj, balancedInit(arch, 0.1, fork(1, "init")), { lr: 0.01, steps: 2000, every: 100 });
 * console.log(run.t.length, run.loss.at(-1));
 * ```
 */
export function gradientDescentRun(obj: Objective, theta0: Float64Array, opts: { lr: number; steps: number; every: number }): GdRun {
  const theta = Float64Array.from(theta0);
  const g = new Float64Array(theta.length);
  const run: GdRun = { lr: opts.lr, step: [], t: [], loss: [], logLoss: [], theta: [] };
  for (let k = 0; k <= opts.steps; k++) {
    const v = obj.evaluate(theta, g);
    if (k % opts.every === 0 || k === opts.steps) {
      run.step.push(k);
      run.t.push(k * opts.lr);
      run.loss.push(v.loss);
      run.logLoss.push(v.logLoss);
      run.theta.push(Float64Array.from(theta));
    }
    if (k === opts.steps) break;
    for (let i = 0; i < theta.length; i++) theta[i] -= opts.lr * g[i];
  }
  return run;
}

/**
 * Per-neuron norms ‖(w_j, a_j)‖ of a two-layer θ.
 *
 * @param arch - a two-layer architecture (bias-free, one output)
 * @param theta - the parameters θ = [W | a]
 * @returns ‖(w_j, a_j)‖ for the m neurons
 * @example
 * ```ts
 * import { makeActivation, neuronNorms, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 2, activation: makeActivation("relu") });
 * console.log(neuronNorms(arch, Float64Array.of(3, 0, 0, 1, 4, 0))); // [5, 1]
 * ```
 */
export function neuronNorms(arch: TwoLayerArchitecture, theta: Float64Array): Float64Array {
  const { W, a } = twoLayerParts(arch, theta);
  const out = new Float64Array(arch.m);
  for (let j = 0; j < arch.m; j++) {
    out[j] = Math.hypot(a[j], sliceNorm(W, j * arch.d, (j + 1) * arch.d));
  }
  return out;
}

/**
 * θ restricted to the neurons `keep` (all other neurons zeroed): the block (w_j, a_j)_{j ∈ keep}.
 *
 * @param arch - a two-layer architecture (bias-free, one output)
 * @param theta - the parameters θ = [W | a]
 * @param keep - the neuron indices to keep
 * @returns a new θ with the other neurons set to 0
 * @example
 * ```ts
 * import { makeActivation, neuronBlock, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 2, activation: makeActivation("relu") });
 * console.log(neuronBlock(arch, Float64Array.of(1, 2, 3, 4, 5, 6), [1])); // [0, 0, 3, 4, 0, 6]
 * ```
 */
export function neuronBlock(arch: TwoLayerArchitecture, theta: Float64Array, keep: readonly number[]): Float64Array {
  const out = new Float64Array(theta.length);
  const src = twoLayerParts(arch, theta);
  const dst = twoLayerParts(arch, out);
  for (const j of keep) {
    dst.W.set(src.W.subarray(j * arch.d, (j + 1) * arch.d), j * arch.d);
    dst.a[j] = src.a[j];
  }
  return out;
}

/**
 * The saddle of a plateau: the stationary point of the restricted loss θ_n ↦ ℒ(θ_n, 0) of the big
 * neurons, by GD (step lr) on the big block from θ_n with the small block held at 0, until
 * ‖∇ℒ‖ ≤ gradTol or maxSteps. Returns the converged θ̄ = (θ̄_n, 0), its loss and ‖∇ℒ‖. The
 * small neurons sit at zero, where ∇_zℒ(θ̄_n, 0) = 0 for a homogeneous net (outputs and
 * gradients of a zero neuron vanish), so (θ̄_n, 0) is stationary for the full loss too.
 *
 * @param obj - the objective of the two-layer net
 * @param arch - its architecture
 * @param theta - the current θ (the big block's start)
 * @param big - the indices of the big neurons
 * @param opts - the GD step lr, maxSteps and the gradient tolerance
 * @returns the saddle θ̄ = (θ̄_n, 0), its loss and ‖∇ℒ‖, and the steps taken
 * @example
 * ```ts
 * import { balancedInit, fork, makeActivation, makeObjective, presetData, restrictedSaddle, SADDLE_PRESETS, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") });
 * const obj = makeObjective(arch, presetData(SADDLE_PRESETS["1d"]), "square", { mean: true });
 * const s = restrictedSaddle(obj, arch, balancedInit(arch, 0.5, fork(2, "s")), [0, 1], { lr: 0.05, maxSteps: 200_000, gradTol: 1e-10 });
 * console.log(s.loss, s.gradNorm);
 * ```
 */
export function restrictedSaddle(
  obj: Objective, arch: TwoLayerArchitecture, theta: Float64Array, big: readonly number[], opts: { lr: number; maxSteps: number; gradTol?: number },
): { theta: Float64Array; loss: number; gradNorm: number; steps: number } {
  const th = neuronBlock(arch, theta, big);
  const g = new Float64Array(th.length);
  const tol = opts.gradTol ?? 1e-12;
  let v = obj.evaluate(th, g);
  let gn = nrm2(g);
  let k = 0;
  for (; k < opts.maxSteps && gn > tol; k++) {
    for (let i = 0; i < th.length; i++) th[i] -= opts.lr * g[i];
    v = obj.evaluate(th, g);
    gn = nrm2(g);
  }
  return { theta: th, loss: v.loss, gradNorm: gn, steps: k };
}
