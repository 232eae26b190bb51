/**
 * Saddle-to-saddle dynamics under the square loss (docs/science/small-init.md §3.3; Kumar & Haupt,
 * TMLR 2024): on a loss plateau the weights sit near a saddle w̄ = (w̄_n, 0) whose big block w̄_n
 * is stationary for the restricted loss, while the small block z aligns with a KKT point of the
 * residual NCF
 *   𝒩_res(u) = Σ_i (y_i − H_n(x_i; w̄_n))·H_z(x_i; u)
 * and grows at rate 2𝒩*_res, leaving the plateau once ‖z‖ reaches the escape level:
 *   t_exit ≈ t_0 + (log ρ − log‖z(t_0)‖)/(2𝒩*_res).
 * For a bias-free two-layer net the small block is a set of neurons and 𝒩*_res is the reduced
 * single-neuron problem on the residual targets r_i = y_i − H_n(x_i).
 * Stage detection: a plateau is a maximal time interval of length ≥ minDuration on which the
 * loss changes slowly, |d log ℒ/dt| ≤ rateTol (finite differences of log ℒ on the samples).
 */
import { cosine } from "../linalg/index.js";
import type { ModelData } from "../model/index.js";
import { makeObjective, twoLayerParts, type TwoLayerArchitecture } from "../model/index.js";
import type { Rng } from "../random/index.js";
import { ncfOutputs } from "./correlation.js";
import { ncfProblem, type NcfProblem } from "./problem.js";
import { reducedOptimum } from "./reduced.js";
import { smallInitTrajectory } from "./smallInit.js";

/** A detected plateau [tStart, tEnd] of the loss curve. */
export interface Plateau {
  tStart: number;
  tEnd: number;
  /** Mean log ℒ over the plateau. */
  logLoss: number;
}

/**
 * Plateaus of a loss curve: maximal runs of consecutive samples with |Δlog ℒ/Δt| ≤ rateTol
 * (default 0.05) lasting at least minDuration (default 0.5).
 *
 * @param t - the sample times (increasing)
 * @param logLoss - log ℒ at those times
 * @param opts - the rate tolerance and the minimum duration
 * @returns the plateaus (start, end and mean log ℒ), in time order
 * @example
 * ```ts
 * import { detectPlateaus } from "splitscape";
 * const t = Array.from({ length: 100 }, (_, i) => i / 10);
 * const logLoss = t.map((s) => (s < 4 ? 0 : s < 5 ? -(s - 4) * 3 : -3));
 * console.log(detectPlateaus(t, logLoss)); // [0, ≈4] and [≈5, 9.9]
 * ```
 */
export function detectPlateaus(t: readonly number[], logLoss: readonly number[], opts: { rateTol?: number; minDuration?: number } = {}): Plateau[] {
  const rateTol = opts.rateTol ?? 0.05;
  const minDur = opts.minDuration ?? 0.5;
  const out: Plateau[] = [];
  let start = -1;
  const close = (end: number): void => {
    if (start >= 0 && t[end] - t[start] >= minDur) {
      let s = 0;
      for (let k = start; k <= end; k++) s += logLoss[k];
      out.push({ tStart: t[start], tEnd: t[end], logLoss: s / (end - start + 1) });
    }
    start = -1;
  };
  for (let k = 1; k < t.length; k++) {
    const dt = t[k] - t[k - 1];
    const flat = dt > 0 && Math.abs((logLoss[k] - logLoss[k - 1]) / dt) <= rateTol;
    if (flat && start < 0) start = k - 1;
    if (!flat && start >= 0) close(k - 1);
  }
  if (start >= 0) close(t.length - 1);
  return out;
}

/**
 * Split the neurons of a two-layer θ (given their log norms) into big and small at the largest gap of the sorted log
 * neuron norms log‖(w_j, a_j)‖; null when that gap is below minGap (default log 1e2).
 *
 * @param logNorms - log‖(w_j, a_j)‖ per neuron
 * @param minGap - the smallest gap in log norm that separates (default log 100)
 * @returns the big and small neuron indices with the gap, or null
 * @example
 * ```ts
 * import { splitNeurons } from "splitscape";
 * console.log(splitNeurons([Math.log(1), Math.log(1e-5), Math.log(0.5)])); // big [0, 2], small [1]
 * ```
 */
export function splitNeurons(logNorms: readonly number[], minGap = Math.log(1e2)): { big: number[]; small: number[]; gap: number } | null {
  const idx = logNorms.map((v, j) => ({ v, j })).sort((a, b) => b.v - a.v);
  let best = -1;
  let gap = -Infinity;
  for (let k = 0; k + 1 < idx.length; k++) {
    const g = idx[k].v - idx[k + 1].v;
    if (g > gap) {
      gap = g;
      best = k;
    }
  }
  if (best < 0 || gap < minGap) return null;
  return { big: idx.slice(0, best + 1).map((x) => x.j), small: idx.slice(best + 1).map((x) => x.j), gap };
}

/**
 * The residual NCF problem at θ̄ (two-layer): the same architecture with targets
 * r_i = y_i − H_n(x_i; θ̄_big), H_n the output of the big neurons only.
 *
 * @param prob - the NCF problem of a bias-free two-layer net
 * @param thetaBar - the parameters θ̄ at the saddle (length p)
 * @param big - the indices of the big neurons
 * @returns the NCF problem with the residual targets
 * @example
 * ```ts
 * import { makeActivation, ncfProblem, presetData, residualNcfProblem, SADDLE_PRESETS, twoLayerArchitecture } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), presetData(SADDLE_PRESETS["1d"]), { mean: true });
 * const theta = new Float64Array(prob.p).fill(0.3);
 * console.log(Array.from(residualNcfProblem(prob, theta, [0]).y));
 * ```
 */
export function residualNcfProblem(prob: NcfProblem, thetaBar: Float64Array, big: readonly number[]): NcfProblem {
  const arch = prob.arch;
  if (arch.kind !== "two-layer") throw new RangeError("residualNcfProblem: two-layer only");
  const th = new Float64Array(prob.p);
  const src = twoLayerParts(arch, thetaBar);
  const dst = twoLayerParts(arch, th);
  for (const j of big) {
    dst.W.set(src.W.subarray(j * arch.d, (j + 1) * arch.d), j * arch.d);
    dst.a[j] = src.a[j];
  }
  const H = ncfOutputs(prob, th);
  const r = new Float64Array(prob.n);
  for (let i = 0; i < prob.n; i++) r[i] = prob.y[i] - H[i];
  return { ...prob, y: r };
}

export interface PlateauPrediction {
  plateau: Plateau;
  /** Time at which the prediction is made (start of the plateau + a quarter of its length). */
  t0: number;
  bigNeurons: number[];
  /** 𝒩*_res and the predicted direction (unit ŵ, sign of a) of the next neuron(s). */
  ncfStarResidual: number;
  direction: Float64Array;
  sign: number;
  /** log‖z(t0)‖ of the small block. */
  logSmallNorm: number;
  /** Predicted t at which ‖z‖ reaches ρ; observed one (NaN if not within the run). */
  predictedExit: number;
  observedExit: number;
  /** Observed slope of log‖z‖ over [t0, plateau end] against 2𝒩*_res. */
  observedRate: number;
  predictedRate: number;
  /** cos between the predicted direction and the largest small neuron's direction at the exit. */
  directionCosine: number;
}

export interface SaddleToSaddleResult {
  samples: Array<{ t: number; logLoss: number; loss: number; logNorm: number }>;
  plateaus: Plateau[];
  predictions: PlateauPrediction[];
}

/**
 * Gradient flow (square loss, sum or mean) from δ·w₀ on a bias-free two-layer net, plateau detection
 * and, at each plateau whose neurons separate into big and small, the residual-NCF prediction
 * of the next direction and exit time (see the module comment). Exit level ρ on ‖z‖ (default 1e-2).
 *
 * @param arch - a bias-free two-layer architecture
 * @param data - inputs and real targets (square loss)
 * @param w0 - the initial direction w₀
 * @param rng - the generator of the residual-NCF searches
 * @param opts - log δ, tMax, the level ρ, the RK4 step, the plateau detection settings, starts and `mean`
 * @returns the loss curve samples, the plateaus and a prediction per plateau
 * @example
 * ```ts
 * import { fork, makeActivation, makeBuiltin, saddleToSaddle, twoLayerArchitecture, unitSphere } from "splitscape";
 * // the ncf-saddles experiment's defaults: δ = 1e-80, tMax = 40, ρ = 1e-2
 * const arch = twoLayerArchitecture({ d: 5, m: 6, activation: makeActivation("leaky_relu", 0.1) });
 * const w0 = unitSphere(fork(1, "w0"), arch.m * (arch.d + 1));
 * const r = saddleToSaddle(arch, makeBuiltin("builtin:sin?n=20&d=5&seed=16"), w0, fork(2, "ncf"), { logDelta: -80 * Math.LN10, tMax: 40, level: 1e-2 });
 * console.log(r.plateaus.length, r.predictions.map((p) => [p.predictedExit, p.observedExit]));
 * ```
 */
export function saddleToSaddle(
  arch: TwoLayerArchitecture, data: ModelData, w0: Float64Array, rng: Rng,
  opts: { logDelta: number; tMax: number; level?: number; h?: number; rateTol?: number; minDuration?: number; starts?: number; mean?: boolean },
): SaddleToSaddleResult {
  const prob = ncfProblem(arch, data, { mean: opts.mean });
  const obj = makeObjective(arch, data, "square", { mean: opts.mean });
  const level = opts.level ?? 1e-2;
  const { m, d } = arch;
  const ts: number[] = [];
  const logLosses: number[] = [];
  const samples: SaddleToSaddleResult["samples"] = [];
  const neuronLog: Float64Array[] = []; // log‖(w_j, a_j)‖ per sample
  const dirs: Float64Array[] = []; // u per sample (unit)
  const logNorms: number[] = [];
  smallInitTrajectory(obj, w0, { logDelta: opts.logDelta, tMax: opts.tMax, h: opts.h, level, every: 10 }, (pt) => {
    const { W, a } = twoLayerParts(arch, pt.u);
    const ln = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      let s = a[j] * a[j];
      for (let k = 0; k < d; k++) s += W[j * d + k] ** 2;
      ln[j] = pt.logNorm + 0.5 * Math.log(s);
    }
    ts.push(pt.t);
    logLosses.push(pt.logLoss);
    samples.push({ t: pt.t, logLoss: pt.logLoss, loss: pt.loss, logNorm: pt.logNorm });
    neuronLog.push(ln);
    dirs.push(Float64Array.from(pt.u));
    logNorms.push(pt.logNorm);
  });
  const plateaus = detectPlateaus(ts, logLosses, { rateTol: opts.rateTol, minDuration: opts.minDuration });
  const predictions: PlateauPrediction[] = [];
  const logLevel = Math.log(level);
  for (const pl of plateaus) {
    const t0 = pl.tStart + 0.25 * (pl.tEnd - pl.tStart);
    const k0 = ts.findIndex((t) => t >= t0);
    if (k0 < 0) continue;
    const big = pl.tStart === 0 ? [] : splitNeurons(Array.from(neuronLog[k0]))?.big ?? null;
    if (big === null) continue;
    const small = Array.from({ length: m }, (_, j) => j).filter((j) => !big.includes(j));
    const theta = dirs[k0].map((v) => v * Math.exp(logNorms[k0]));
    const res = residualNcfProblem(prob, theta, big);
    const red = reducedOptimum(res, { starts: opts.starts ?? 16, rng });
    const smallLogNorm = (k: number): number => {
      let mx = -Infinity;
      for (const j of small) mx = Math.max(mx, neuronLog[k][j]);
      let s = 0;
      for (const j of small) s += Math.exp(2 * (neuronLog[k][j] - mx));
      return mx + 0.5 * Math.log(s);
    };
    const z0 = smallLogNorm(k0);
    const rate = 2 * red.value;
    const predictedExit = t0 + (logLevel - z0) / rate;
    let observedExit = NaN;
    let kExit = -1;
    for (let k = k0 + 1; k < ts.length; k++) {
      if (smallLogNorm(k) >= logLevel) {
        const zp = smallLogNorm(k - 1);
        const zc = smallLogNorm(k);
        observedExit = ts[k - 1] + ((logLevel - zp) / (zc - zp)) * (ts[k] - ts[k - 1]);
        kExit = k;
        break;
      }
    }
    let kEnd = ts.findIndex((t) => t >= pl.tEnd);
    if (kEnd < 0) kEnd = ts.length - 1;
    const observedRate = kEnd > k0 ? (smallLogNorm(kEnd) - z0) / (ts[kEnd] - ts[k0]) : NaN;
    let directionCosine = NaN;
    if (kExit >= 0) {
      let jBest = small[0];
      for (const j of small) if (neuronLog[kExit][j] > neuronLog[kExit][jBest]) jBest = j;
      const { W, a } = twoLayerParts(arch, dirs[kExit]);
      const wj = W.subarray(jBest * d, (jBest + 1) * d);
      const c = cosine(wj, Float64Array.from(red.w));
      directionCosine = (a[jBest] >= 0 ? 1 : -1) === red.sign ? c : -c;
    }
    predictions.push({
      plateau: pl, t0, bigNeurons: big, ncfStarResidual: red.value, direction: red.w, sign: red.sign, logSmallNorm: z0,
      predictedExit, observedExit, observedRate, predictedRate: rate, directionCosine,
    });
  }
  return { samples, plateaus, predictions };
}
