// The Small-init view: a bias-free two-layer leaky-ReLU network on 2-D data, started at
// θ(0) = δ·w₀ with δ down to 1e-80, under gradient flow of the square loss (the rescaled
// small-initialisation system of ncf/, so nothing underflows). Shown: the neural correlation
// function (NCF) on the circle with its reduced KKT directions, the neurons' directions as they
// rotate while still small, the loss with the predicted escape time log(1/δ)/(2𝒩*), and on
// request the saddle-to-saddle staircase (plateaus and their residual-NCF predictions).
import { InputError } from "../../../src/common/errors.js";
import type { Dataset } from "../../../src/data/index.js";
import { makeObjective, twoLayerArchitecture, twoLayerParts } from "../../../src/model/index.js";
import {
  angularScan, escapeTime, ncfProblem, reducedKktDirections, saddleToSaddle, smallInitTrajectory,
} from "../../../src/ncf/index.js";
import { fork, unitSphere } from "../../../src/random/index.js";

export interface SmallInitConfig {
  data: string;
  seed: number;
  width: number;
  slope: number;
  /** log₁₀ δ, in [−80, −1]. */
  log10Delta: number;
  /** Run to this multiple of the predicted escape time. */
  horizon: number;
}

export interface SmallInitResult {
  ncfStar: number;
  /** The NCF profile f(θ) = Σ y_i σ(⟨(cos θ, sin θ), x_i⟩) around the circle. */
  profile: { angle: number; f: number }[];
  /** Reduced KKT directions (maximisers of ±f on the circle) with their sign and value. */
  kkt: { angle: number; sign: number; value: number }[];
  /** Predicted escape time log(1/δ)/(2𝒩*) (‖θ‖ reaching 1 on the linear extrapolation). */
  predictedEscape: number;
  /** Samples along the flow: time, loss, log₁₀‖θ‖ and each neuron's angle and log₁₀ mass. */
  samples: { t: number; loss: number; log10Norm: number; angles: number[]; log10Mass: number[]; signs: number[] }[];
  /** First time ‖θ‖ ≥ 1e-2 (NaN if never within the horizon). */
  observedEscape: number;
  steps: number;
}

export interface StaircaseResult {
  samples: { t: number; loss: number }[];
  plateaus: { tStart: number; tEnd: number; loss: number; predictedExit: number | null; observedExit: number | null; directionCosine: number | null }[];
}

function setup(c: SmallInitConfig, ds: Dataset) {
  if (ds.X.cols !== 2) throw new InputError(ds.source, `the Small-init view draws directions on the circle and needs d = 2 inputs, the data has d = ${ds.X.cols}`);
  if (ds.Y.cols !== 1) throw new InputError(ds.source, `the NCF is defined for one target column, the data has k = ${ds.Y.cols}`, "y");
  if (!(c.log10Delta >= -80 && c.log10Delta <= -1)) throw new InputError("log10Delta", `expected a number in [−80, −1], got ${c.log10Delta}`);
  if (!(c.slope >= 0 && c.slope < 1)) throw new InputError("slope", `expected a leaky slope in [0, 1), got ${c.slope}`);
  if (!Number.isInteger(c.width) || c.width < 1 || c.width > 64) throw new InputError("width", `expected an integer in [1, 64], got ${c.width}`);
  const arch = twoLayerArchitecture({ d: 2, m: c.width, activation: { name: "leaky_relu", slope: c.slope } });
  const prob = ncfProblem(arch, ds);
  const w0 = unitSphere(fork(c.seed, "w0"), prob.p);
  return { arch, prob, w0, objective: makeObjective(arch, ds, "square") };
}

/** The flow from δ·w₀ with the NCF picture and the predicted escape time. */
export function smallInitRun(c: SmallInitConfig, ds: Dataset): SmallInitResult {
  const { arch, prob, w0, objective } = setup(c, ds);
  const scan = angularScan(prob);
  const dirs = reducedKktDirections(prob, { starts: 16, rng: fork(c.seed, "reduced") }).filter((r) => r.f > 0);
  const logDelta = c.log10Delta * Math.LN10;
  const pred = escapeTime({ ncfStar: scan.ncfStar, L: 2, logDelta });
  if (!Number.isFinite(pred.t)) throw new InputError(ds.source, "𝒩* = 0 on this data: the NCF is flat and no neuron ever escapes (e.g. all targets zero)", "y");
  const samples: SmallInitResult["samples"] = [];
  let observedEscape = NaN;
  const prev = new Float64Array(arch.m).fill(NaN);
  const r = smallInitTrajectory(objective, w0, { logDelta, tMax: pred.t * Math.max(1.05, c.horizon), every: 10 }, (pt) => {
    const { W, a } = twoLayerParts(arch, pt.u);
    const angles: number[] = [];
    const log10Mass: number[] = [];
    const signs: number[] = [];
    for (let j = 0; j < arch.m; j++) {
      let angle = Math.atan2(W[2 * j + 1], W[2 * j]);
      if (!Number.isNaN(prev[j])) angle += 2 * Math.PI * Math.round((prev[j] - angle) / (2 * Math.PI));
      prev[j] = angle;
      angles.push(angle);
      log10Mass.push((pt.logNorm + Math.log(Math.hypot(W[2 * j], W[2 * j + 1], a[j]))) / Math.LN10);
      signs.push(a[j] >= 0 ? 1 : -1);
    }
    if (Number.isNaN(observedEscape) && pt.logNorm >= Math.log(1e-2)) observedEscape = pt.t;
    samples.push({ t: pt.t, loss: pt.loss, log10Norm: pt.logNorm / Math.LN10, angles, log10Mass, signs });
  });
  return {
    ncfStar: scan.ncfStar,
    profile: scan.profile,
    kkt: dirs.map((d) => ({ angle: Math.atan2(d.w[1], d.w[0]), sign: d.sign, value: d.value })),
    predictedEscape: pred.t,
    samples,
    observedEscape,
    steps: r.steps,
  };
}

/** The saddle-to-saddle staircase of the same flow, to `horizon` × the first escape time. */
export function smallInitStaircase(c: SmallInitConfig, ds: Dataset): StaircaseResult {
  const { arch, prob, w0 } = setup(c, ds);
  const scan = angularScan(prob);
  const logDelta = c.log10Delta * Math.LN10;
  const pred = escapeTime({ ncfStar: scan.ncfStar, L: 2, logDelta });
  const r = saddleToSaddle(arch, ds, w0, fork(c.seed, "staircase"), { logDelta, tMax: pred.t * Math.max(2, c.horizon) });
  return {
    samples: r.samples.map((s) => ({ t: s.t, loss: s.loss })),
    plateaus: r.plateaus.map((pl) => {
      const p = r.predictions.find((q) => q.plateau === pl) ?? null;
      return {
        tStart: pl.tStart, tEnd: pl.tEnd, loss: Math.exp(pl.logLoss),
        predictedExit: p?.predictedExit ?? null, observedExit: p?.observedExit ?? null, directionCosine: p?.directionCosine ?? null,
      };
    }),
  };
}
