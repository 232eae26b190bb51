// The Split view's session: a narrow two-layer network θ and its split η = Tθ₀ (splitting map T
// of unit j with coefficients c, ‖c‖ = 1) trained side by side by the same method, step for
// step, with the embedding error ‖η_k − Tθ_k‖ at every step (the embedding principle says it
// stays at rounding level) and, on request, both max-margin KKT certificates (which T maps:
// same ε, δ, λ). Plain GD, or SGD with identical batches (one seed for both).
import { InputError } from "../../../src/common/errors.js";
import type { Dataset } from "../../../src/data/index.js";
import { createBatchSchedule, gradientDescent, sgd, type BatchSchedule, type TrainResult, type TrajectoryPoint } from "../../../src/dynamics/index.js";
import { nrm2 } from "../../../src/linalg/index.js";
import { kktCertificate, type KktCertificate } from "../../../src/margin/index.js";
import {
  describeArchitecture, initializeModel, makeObjective, twoLayerArchitecture,
  type ActivationName, type LossName, type Model, type Objective,
} from "../../../src/model/index.js";
import { applyEmbedding, offImageDistance, splitMap, type EmbeddingMap } from "../../../src/splitting/index.js";
import { checkLossLabels, checkStepAndWidth, labActivation, neuronsOf, type NeuronView } from "./train.js";

export interface SplitConfig {
  data: string;
  seed: number;
  /** Width m of the narrow network. */
  width: number;
  activation: ActivationName;
  slope: number;
  /** The unit j split (0-based). */
  unit: number;
  /** Coefficients c₁, …, c_r (r ≥ 2, c ≥ 0, Σc² = 1), as typed: "0.6,0.8". */
  coeffs: string;
  loss: LossName;
  mean: boolean;
  method: "gd" | "sgd";
  lr: number;
  batch: number;
}

/** One side's numbers. */
export interface SideFrame {
  architecture: string;
  loss: number;
  logLoss: number;
  norm: number;
  neurons: NeuronView[] | null;
}

export interface SplitFrame {
  step: number;
  narrow: SideFrame;
  wide: SideFrame;
  /** ‖η_k − Tθ_k‖ now, and its maximum over every step so far. */
  error: number;
  maxError: number;
  /** ‖(I − TTᵀ)η_k‖: how far η has left the image of T. */
  drift: number;
  /** Unit roundoff times ‖η‖: the scale of a rounding-level error. */
  roundingLevel: number;
  /** (step, error) samples since the previous frame. */
  curve: { step: number; error: number; narrowLoss: number; wideLoss: number }[];
  stopped: { stop: string; reason: string } | null;
}

/** Both KKT certificates, or the library's reason why there is none (in the CLI's words). */
export interface SplitCertificates {
  narrow: CertificateView | { error: string };
  wide: CertificateView | { error: string };
}

export interface CertificateView {
  status: string;
  message: string;
  qmin: number;
  normalizedMargin: number;
  epsilon: number | null;
  epsilonRelative: number | null;
  delta: number | null;
  sumLambda: number | null;
  support: number[];
}

/** Parse "0.6,0.8" into numbers (InputError naming the field on anything else). */
export function parseCoefficients(text: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  const c = parts.map(Number);
  if (parts.length < 2 || parts.some((s) => s === "") || c.some((v) => !Number.isFinite(v))) {
    throw new InputError("coeffs", `expected two or more comma-separated numbers (e.g. 0.6,0.8), got ${JSON.stringify(text)}`);
  }
  return c;
}

const EPS = 2 ** -52;

function certificateView(c: KktCertificate): CertificateView {
  return {
    status: c.status, message: c.message, qmin: c.qmin, normalizedMargin: c.normalizedMargin, epsilon: c.epsilon,
    epsilonRelative: c.epsilonRelative, delta: c.delta, sumLambda: c.sumLambda, support: c.support,
  };
}

export class SplitSession {
  readonly config: SplitConfig;
  readonly T: EmbeddingMap;
  readonly narrow: Model;
  readonly wide: Model;
  private readonly data: Dataset;
  private readonly objectives: { narrow: Objective; wide: Objective };
  private readonly schedules: { narrow: BatchSchedule; wide: BatchSchedule } | null;
  step = 0;
  maxError = 0;
  private error = 0;
  private losses = { narrow: { loss: NaN, logLoss: NaN }, wide: { loss: NaN, logLoss: NaN } };
  private pending: SplitFrame["curve"] = [];
  stopped: { stop: string; reason: string } | null = null;

  constructor(config: SplitConfig, data: Dataset) {
    this.config = config;
    this.data = data;
    checkLossLabels(data, config.loss);
    checkStepAndWidth(config.lr, config.width);
    const activation = labActivation(config.activation, config.slope);
    const arch = twoLayerArchitecture({ d: data.X.cols, m: config.width, k: data.Y.cols, activation });
    this.T = splitMap(arch, { unit: config.unit }, parseCoefficients(config.coeffs), { source: "coeffs" });
    this.narrow = initializeModel(arch, { seed: config.seed });
    this.wide = { arch: this.T.to, theta: applyEmbedding(this.T, this.narrow.theta) };
    this.objectives = {
      narrow: makeObjective(arch, data, config.loss, { mean: config.mean }),
      wide: makeObjective(this.T.to, data, config.loss, { mean: config.mean }),
    };
    const schedule = (): BatchSchedule => createBatchSchedule({ samples: data.X.rows, batchSize: config.batch, seed: config.seed });
    this.schedules = config.method === "sgd" ? { narrow: schedule(), wide: schedule() } : null;
    for (const side of ["narrow", "wide"] as const) {
      const v = this.objectives[side].evaluate(this[side].theta, new Float64Array(this[side].theta.length));
      this.losses[side] = { loss: v.loss, logLoss: v.logLoss };
    }
    this.pending.push({ step: 0, error: 0, narrowLoss: this.losses.narrow.loss, wideLoss: this.losses.wide.loss });
  }

  private run(side: "narrow" | "wide", steps: number, onStep: (p: Readonly<TrajectoryPoint>, theta: Float64Array) => void): TrainResult {
    const c = this.config;
    const opts = { stop: { maxSteps: steps }, onStep };
    return c.method === "gd"
      ? gradientDescent(this.objectives[side], this[side].theta, { ...opts, lr: c.lr })
      : sgd(this.objectives[side], this[side].theta, { ...opts, lr: c.lr, batchSize: c.batch, schedule: this.schedules![side], evalEvery: 1 });
  }

  /** `steps` more steps on both networks; the error is measured at every step. */
  advance(steps: number): void {
    if (this.stopped !== null || steps <= 0) return;
    const p = this.narrow.theta.length;
    const kept = new Float64Array(steps * p);
    const narrowLoss = new Float64Array(steps);
    const rn = this.run("narrow", steps, (pt, th) => {
      if (pt.step === 0) return;
      kept.set(th, (pt.step - 1) * p);
      narrowLoss[pt.step - 1] = pt.loss;
    });
    const image = new Float64Array(this.wide.theta.length);
    const step0 = this.step;
    const rw = this.run("wide", steps, (pt, eta) => {
      if (pt.step === 0 || pt.step > rn.steps) return;
      applyEmbedding(this.T, kept.subarray((pt.step - 1) * p, pt.step * p), image);
      let s = 0;
      for (let i = 0; i < eta.length; i++) s += (eta[i] - image[i]) ** 2;
      this.error = Math.sqrt(s);
      this.maxError = Math.max(this.maxError, this.error); // NaN (divergence) propagates
      const step = step0 + pt.step;
      if (step < 2000 || step % 2 ** Math.floor(Math.log2(step / 1000)) === 0) {
        this.pending.push({ step, error: this.error, narrowLoss: narrowLoss[pt.step - 1], wideLoss: pt.loss });
      }
    });
    this.narrow.theta.set(rn.theta);
    this.wide.theta.set(rw.theta);
    this.step = step0 + Math.min(rn.steps, rw.steps);
    this.losses = { narrow: { loss: rn.loss, logLoss: rn.logLoss }, wide: { loss: rw.loss, logLoss: rw.logLoss } };
    const ended = rn.stop !== "maxSteps" ? rn : rw.stop !== "maxSteps" ? rw : null;
    if (ended !== null) this.stopped = { stop: ended.stop, reason: ended.reason };
  }

  private side(side: "narrow" | "wide"): SideFrame {
    const m = this[side];
    return { architecture: describeArchitecture(m.arch), ...this.losses[side], norm: nrm2(m.theta), neurons: neuronsOf(m) };
  }

  frame(): SplitFrame {
    const curve = this.pending;
    this.pending = [];
    return {
      step: this.step, narrow: this.side("narrow"), wide: this.side("wide"), error: this.error, maxError: this.maxError,
      drift: offImageDistance(this.T, this.wide.theta), roundingLevel: EPS * nrm2(this.wide.theta), curve, stopped: this.stopped,
    };
  }

  /** The max-margin KKT certificates of both networks now (an error in words when undefined). */
  certificates(): SplitCertificates {
    const one = (m: Model, name: string): CertificateView | { error: string } => {
      try {
        return certificateView(kktCertificate(m, this.data, { source: name }));
      } catch (e) {
        if (e instanceof InputError) return { error: e.message };
        throw e;
      }
    };
    return { narrow: one(this.narrow, "narrow network"), wide: one(this.wide, "wide network") };
  }
}
