/**
 * Residual-NCF prediction of one plateau of a recorded GD run (docs/science/small-init.md §3.3).
 * At the plateau entry t₀ the neurons split into a big block θ_n and a small block z: the neuron
 * groups (same KKT direction and sign, groups.ts) whose mass has reached the exit level λ are big. The prediction is made at the *current* saddle:
 *  1. θ̄_n = the stationary point of the restricted loss θ_n ↦ ℒ(θ_n, 0), reached by GD on the big
 *     block from θ_n(t₀) (restrictedSaddle): the big block keeps moving after an escape, so the
 *     residual must be taken where it converges, not at t₀;
 *  2. the residual NCF 𝒩_res(u) = c·Σ_i (y_i − H_n(x_i; θ̄_n))·H(x_i; u) (c = 1/n for the mean);
 *  3. the small block evolves under the residual-NCF flow ψ̇ = ∇𝒩_res(ψ) *from where it is*,
 *     ψ(0) = z(t₀) (not from w₀): its direction converges to a KKT point û_res of 𝒩_res (which need
 *     not be the global maximiser 𝒩*_res), and ‖z‖ = ρ·‖ψ(τ)‖/‖ψ(0)‖ with ρ = ‖z(t₀)‖; û_res is
 *     taken as the flow's direction when ‖ψ‖ reaches the level (a later group may overtake it
 *     afterwards, so the limit of the flow can be a different KKT point);
 *  4. predicted exit (‖z‖ reaches the level λ):
 *       asymptotic   t₀ + log(λ/ρ)/(2𝒩_res(û_res)),
 *       flow         t₀ + τ_ψ(λ/ρ)   (the flow's own crossing, including its alignment lag),
 *       naive        t₀ + log(λ/ρ)/(2𝒩*_res)   (global max: the previous developer's prediction).
 * For the first plateau the saddle is the origin (θ̄_n = 0, 𝒩_res = 𝒩, z = θ(0)).
 * Observed: the first t ≥ t₀ with ‖z(t)‖ ≥ λ (linear interpolation of log‖z‖), the direction
 * z/‖z‖ there against û_res (cosine of whole blocks: directions and the split of mass among the
 * small neurons), the block against the flow's own state ψ(t_obs − t₀), and the switching neuron
 * (largest small neuron at the crossing) against the unit direction of the largest neuron of û_res.
 */
import { cosine, nrm2, sliceNorm } from "../linalg/index.js";
import type { ModelData, Objective, TwoLayerArchitecture } from "../model/index.js";
import { makeObjective, twoLayerParts } from "../model/index.js";
import type { Rng } from "../random/index.js";
import { ncfEvaluator } from "./correlation.js";
import { ncfFlow, ncfFlowEscapeTime } from "./flow.js";
import { gradientDescentRun, neuronBlock, neuronNorms, restrictedSaddle, type GdRun } from "./gdRun.js";
import { ncfProblem } from "./problem.js";
import { reducedOptimum } from "./reduced.js";
import { splitAtLevel } from "./groups.js";
import { detectPlateaus, residualNcfProblem, type Plateau } from "./saddles.js";

export interface ResidualNcfPrediction {
  plateau: Plateau;
  /** Entry time t₀ (= plateau start) and the sample index there. */
  tEntry: number;
  big: number[];
  small: number[];
  /** Saddle (θ̄_n, 0): loss, ‖∇ℒ‖ and GD steps of the restricted descent. */
  saddleLoss: number;
  saddleGradNorm: number;
  /** RMS of the residual y − H_n(θ̄_n) over the samples. */
  residualRms: number;
  /** log ρ = log‖z(t₀)‖. */
  logRho: number;
  /** 𝒩_res(û_res), û_res the residual-NCF flow's direction from z(t₀) when it reaches the level (≈ its KKT limit when flowSettled). */
  flowValue: number;
  /** 𝒩*_res (global maximum, reduced single-neuron problem). */
  ncfStarResidual: number;
  /** Residual-NCF flow duration used, and whether its value had settled at the crossing (|Δ𝒩| over the last 10% of τ ≤ 1e-3·|𝒩|). */
  flowTime: number;
  flowSettled: boolean;
  /** Predicted exit times at the level λ (see the module comment). */
  level: number;
  predictedExit: number;
  flowPredictedExit: number;
  naivePredictedExit: number;
  /** Observed first crossing of ‖z‖ = λ after t₀ (NaN if none). */
  observedExit: number;
  /** Observed slope of log‖z‖ between t₀ and the crossing vs the flow's mean rate over the same span. */
  observedRate: number;
  /** cos(z(t_obs)/‖z‖, û_res) of the whole small blocks. */
  blockCosine: number;
  /** The switching neuron: its index, unit input direction ŵ, sign of a, and cos with the largest neuron of û_res. */
  switchingNeuron: number;
  switchingDirection: number[];
  switchingSign: number;
  predictedDirection: number[];
  predictedSign: number;
  directionCosine: number;
  /**
   * cos(½·angle from the predicted direction to the nearest other reduced KKT direction of 𝒩_res of
   * the same sign): a switching direction with a larger cosine is closer to the predicted KKT
   * direction than to any other (the tolerance of the direction verdict; 0.9 when there is none).
   */
  separationCosine: number;
  /** cos(z(t_obs), ψ(t_obs − t₀)): the small block against the residual-NCF flow's own state. */
  flowCosine: number;
}

/** Time at which log‖z‖ first reaches log λ at or after sample k0, by linear interpolation; NaN if never. */
export function firstCrossing(t: readonly number[], logZ: readonly number[], k0: number, logLevel: number): { t: number; k: number } {
  if (logZ[k0] >= logLevel) return { t: t[k0], k: k0 };
  for (let k = k0 + 1; k < t.length; k++) {
    if (logZ[k] >= logLevel) {
      const f = (logLevel - logZ[k - 1]) / (logZ[k] - logZ[k - 1]);
      return { t: t[k - 1] + f * (t[k] - t[k - 1]), k };
    }
  }
  return { t: NaN, k: -1 };
}

/** Unit input direction ŵ_j and sign of a_j of neuron j. */
function neuronDirection(arch: TwoLayerArchitecture, theta: Float64Array, j: number): { w: number[]; sign: number } {
  const { W, a } = twoLayerParts(arch, theta);
  const n = sliceNorm(W, j * arch.d, (j + 1) * arch.d);
  return { w: Array.from(W.subarray(j * arch.d, (j + 1) * arch.d), (v) => v / n), sign: a[j] >= 0 ? 1 : -1 };
}

function argmax(v: Float64Array, among: readonly number[]): number {
  let best = among[0];
  for (const j of among) if (v[j] > v[best]) best = j;
  return best;
}

/**
 * The residual-NCF prediction of `plateau` of the GD run (see the module comment). Returns null
 * when no neuron group has reached the level at the entry of a plateau after the first.
 *
 * @param obj - the objective of the run (square loss)
 * @param arch - the bias-free two-layer architecture
 * @param data - the data of the run
 * @param run - the GD run (gradientDescentRun)
 * @param plateau - one of its plateaus (detectPlateaus on run.t, run.logLoss)
 * @param rng - the generator of the residual-NCF search
 * @param opts - the level λ, `mean`, and the saddle, flow and search budgets
 * @returns the prediction (big and small blocks, saddle, residual 𝒩*, predicted and observed exit, directions), or null
 * @example
 * ```ts
 * import { balancedInit, detectPlateaus, fork, gradientDescentRun, makeActivation, makeObjective, predictPlateau, presetData, SADDLE_PRESETS, twoLayerArchitecture } from "splitscape";
 * const pre = SADDLE_PRESETS["1d"];
 * const data = presetData(pre);
 * const arch = twoLayerArchitecture({ d: 2, m: 50, activation: makeActivation("relu") });
 * const obj = makeObjective(arch, data, "square", { mean: true });
 * const run = gradientDescentRun(obj, balancedInit(arch, 50 ** pre.log50Std, fork(1, "init-1d")), { lr: pre.lr, steps: 60_000, every: 100 });
 * const plateaus = detectPlateaus(run.t, run.logLoss, { rateTol: 0.005, minDuration: 5 });
 * const p = predictPlateau(obj, arch, data, run, plateaus[0], fork(1, "p"), { level: 0.1, mean: true });
 * console.log(p?.predictedExit, p?.observedExit);
 * ```
 */
export function predictPlateau(
  obj: Objective, arch: TwoLayerArchitecture, data: ModelData, run: GdRun, plateau: Plateau, rng: Rng,
  opts: { level: number; mean: boolean; saddleSteps?: number; flowTime?: number; starts?: number },
): ResidualNcfPrediction | null {
  const k0 = run.t.findIndex((t) => t >= plateau.tStart);
  if (k0 < 0) return null;
  const theta0 = run.theta[k0];
  let big: number[] = [];
  if (plateau.tStart > run.t[0]) {
    const split = splitAtLevel(arch, theta0, opts.level);
    if (!split) return null;
    big = split.big;
  }
  const small = Array.from({ length: arch.m }, (_, j) => j).filter((j) => !big.includes(j));
  const saddle = restrictedSaddle(obj, arch, theta0, big, { lr: run.lr, maxSteps: opts.saddleSteps ?? 50_000 });
  const prob = ncfProblem(arch, data, { mean: opts.mean });
  const res = residualNcfProblem(prob, saddle.theta, big);
  const rNorm = nrm2(res.y);
  const z0 = neuronBlock(arch, theta0, small);
  const logRho = Math.log(nrm2(z0));
  const logLevel = Math.log(opts.level);
  const ev = ncfEvaluator(res);
  const red = reducedOptimum(res, { starts: opts.starts ?? 16, rng });
  // Flow long enough for the block to reach the level at the slowest plausible rate.
  const horizon = 1.5 * (run.t[run.t.length - 1] - run.t[k0]) + 10;
  const flowTime = opts.flowTime ?? Math.min(horizon, 4 * (logLevel - logRho) / Math.max(1e-6, 2 * red.value));
  const flow = ncfFlow(ev, 2, z0, { tEnd: flowTime, sampleEvery: flowTime / 4000 });
  const S = flow.samples;
  // û_res: the flow's direction when ‖ψ‖ reaches the level (its limit if it never does within flowTime)
  let kStar = S.findIndex((smp) => smp.logNorm >= logLevel);
  if (kStar < 0) kStar = S.length - 1;
  const uRes = S[kStar].u;
  const valueRes = S[kStar].value;
  const tail = S.slice(0, kStar + 1).filter((smp) => smp.tau >= 0.9 * S[kStar].tau);
  const flowSettled = Math.abs(tail[tail.length - 1].value - tail[0].value) <= 1e-3 * Math.abs(valueRes);
  const tEntry = run.t[k0];
  const predictedExit = tEntry + (logLevel - logRho) / (2 * valueRes);
  const flowPredictedExit = tEntry + ncfFlowEscapeTime(flow, 2, 0, opts.level).t;
  const naivePredictedExit = tEntry + (logLevel - logRho) / (2 * red.value);
  const logZ = run.theta.map((th) => Math.log(nrm2(neuronBlock(arch, th, small))));
  const cross = firstCrossing(run.t, logZ, k0, logLevel);
  let blockCosine = NaN;
  let switchingNeuron = -1;
  let switching = { w: [] as number[], sign: 0 };
  let observedRate = NaN;
  const jPred = argmax(neuronNorms(arch, uRes), small);
  const predicted = neuronDirection(arch, uRes, jPred);
  let directionCosine = NaN;
  let flowCosine = NaN;
  const dot = (u: readonly number[], v: readonly number[]): number => u.reduce((acc, x, k) => acc + x * v[k], 0);
  const others = red.directions.filter((r) => r.sign === predicted.sign).map((r) => dot(Array.from(r.w), predicted.w)).sort((x, y) => y - x);
  // others[0] is the predicted direction itself (cos ≈ 1) when 𝒩_res's KKT list contains it
  // (directions within cos 0.999 of it count as the same direction, as in neuronGroups)
  const nearest = others.find((c) => c < 0.999);
  const separationCosine = nearest === undefined ? 0.9 : Math.cos(0.5 * Math.acos(Math.max(-1, Math.min(1, nearest))));
  if (cross.k >= 0) {
    const thX = run.theta[cross.k];
    blockCosine = cosine(neuronBlock(arch, thX, small), uRes);
    switchingNeuron = argmax(neuronNorms(arch, thX), small);
    switching = neuronDirection(arch, thX, switchingNeuron);
    directionCosine = switching.sign === predicted.sign ? switching.w.reduce((s, v, k) => s + v * predicted.w[k], 0) : -1;
    let best = S[0];
    for (const smp of S) if (Math.abs(smp.tau - (run.t[cross.k] - tEntry)) < Math.abs(best.tau - (run.t[cross.k] - tEntry))) best = smp;
    flowCosine = cosine(neuronBlock(arch, thX, small), best.u);
    observedRate = cross.t > tEntry ? (logLevel - logRho) / (cross.t - tEntry) : NaN;
  }
  return {
    plateau, tEntry, big, small, saddleLoss: saddle.loss, saddleGradNorm: saddle.gradNorm, residualRms: rNorm / Math.sqrt(res.n),
    logRho, flowValue: valueRes, ncfStarResidual: red.value, flowTime, flowSettled, level: opts.level,
    predictedExit, flowPredictedExit, naivePredictedExit, observedExit: cross.t, observedRate,
    blockCosine, switchingNeuron, switchingDirection: switching.w, switchingSign: switching.sign,
    predictedDirection: predicted.w, predictedSign: predicted.sign, directionCosine, separationCosine, flowCosine,
  };
}

export interface GdSaddleToSaddle {
  run: GdRun;
  plateaus: Plateau[];
  /** One per plateau (null where the neurons do not separate into big and small). */
  predictions: Array<ResidualNcfPrediction | null>;
}

/**
 * Full-batch GD (square loss, ½·mean or ½·sum) from θ₀, plateau detection on log ℒ against the GD
 * time t = η·k (|Δlog ℒ/Δt| ≤ rateTol for ≥ minDuration, samples every `every` steps), and the
 * residual-NCF prediction of each plateau (predictPlateau).
 *
 * @param arch - a bias-free two-layer architecture
 * @param data - inputs and real targets
 * @param theta0 - the initial parameters (e.g. balancedInit)
 * @param rng - the generator of the residual-NCF searches
 * @param opts - lr, steps, the recording interval, the level λ, `mean`, and the plateau detection settings
 * @returns the GD run, its plateaus and one prediction (or null) per plateau
 * @example
 * ```ts
 * import { balancedInit, fork, gdSaddleToSaddle, makeActivation, presetData, SADDLE_PRESETS, twoLayerArchitecture } from "splitscape";
 * const pre = SADDLE_PRESETS["1d"];
 * const arch = twoLayerArchitecture({ d: 2, m: 50, activation: makeActivation("relu") });
 * const r = gdSaddleToSaddle(arch, presetData(pre), balancedInit(arch, 50 ** pre.log50Std, fork(1, "init")), fork(2, "ncf"), {
 *   lr: pre.lr, steps: 60_000, every: 100, level: 0.1, mean: true, rateTol: 0.005, minDuration: 5,
 * });
 * console.log(r.plateaus.length, r.predictions.map((p) => p?.predictedExit));
 * ```
 */
export function gdSaddleToSaddle(
  arch: TwoLayerArchitecture, data: ModelData, theta0: Float64Array, rng: Rng,
  opts: { lr: number; steps: number; every: number; level: number; mean: boolean; rateTol: number; minDuration: number },
): GdSaddleToSaddle {
  const obj = makeObjective(arch, data, "square", { mean: opts.mean });
  const run = gradientDescentRun(obj, theta0, { lr: opts.lr, steps: opts.steps, every: opts.every });
  const plateaus = detectPlateaus(run.t, run.logLoss, { rateTol: opts.rateTol, minDuration: opts.minDuration });
  const predictions = plateaus.map((pl) => predictPlateau(obj, arch, data, run, pl, rng, { level: opts.level, mean: opts.mean }));
  return { run, plateaus, predictions };
}
