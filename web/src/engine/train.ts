// The Train view's session: a network trained in chunks of `speed` steps by the library's own
// loops (dynamics/), so the page can pause, step and redraw between chunks. The chunks carry
// every piece of loop state that the method has — θ, the flow time (t0), SGD's batch schedule,
// the loss-based step's α — so for gd, rk4, sgd and loss-based a chunked run takes exactly the
// steps of one long run (tested bit for bit). DOPRI5 (`flow`) restarts its step-size control at
// each chunk: its numbers are reproducible for the same chunk size.
import { InputError } from "../../../src/common/errors.js";
import type { Dataset } from "../../../src/data/index.js";
import {
  createBatchSchedule, gradientFlow, lossBasedGradientDescent, sgd, type BatchSchedule, type TrainResult, type TrajectoryPoint,
} from "../../../src/dynamics/index.js";
import { nrm2 } from "../../../src/linalg/index.js";
import {
  describeArchitecture, homogeneityOrder, initializeModel, isMarginLoss, makeActivation, makeObjective,
  margins, mlpArchitecture, modelToJson, twoLayerArchitecture, twoLayerParts,
  type Activation, type ActivationName, type Architecture, type LossName, type Model, type ModelJson, type Objective,
} from "../../../src/model/index.js";
import { createWorkspace, forwardInto, type Workspace } from "../../../src/model/network.js";
import { valuesToRgba, type ValueScale } from "../shared/colormap.js";

export const TRAIN_METHODS = ["gd", "sgd", "flow", "rk4", "loss-based"] as const;
export type LabTrainMethod = (typeof TRAIN_METHODS)[number];

/** Every setting of a training session (the Train view's URL state, less the view's own). */
export interface TrainConfig {
  data: string;
  /** Seed of the initialisation (`initializeModel`). */
  seed: number;
  width: number;
  /** Hidden layers: 1 is a two-layer network, ≥ 2 a bias-free MLP of `depth` layers of `width`. */
  depth: number;
  activation: ActivationName;
  /** leaky_relu slope; relu_power power. */
  slope: number;
  /** Two-layer input biases b. */
  bias: boolean;
  loss: LossName;
  mean: boolean;
  method: LabTrainMethod;
  /** GD/SGD step, RK4 step h, loss-based α₀. */
  lr: number;
  batch: number;
  /** ‖θ(0)‖ when > 0; 0 keeps the fan-in Gaussian draw. */
  scale: number;
}

/** One sample of the loss curve. */
export interface CurvePoint {
  step: number;
  t: number;
  loss: number;
  logLoss: number;
}

/** A neuron of a two-layer network with d = 2, for the circle plot. */
export interface NeuronView {
  w1: number;
  w2: number;
  /** First output weight a_j. */
  a: number;
  b: number;
}

/** What the page shows after each chunk. */
export interface TrainFrame {
  step: number;
  t: number;
  loss: number;
  logLoss: number;
  gradNorm: number;
  norm: number;
  /** Fraction of samples with y·f(x) > 0 (±1 labels), else null. */
  accuracy: number | null;
  /** min_k y_k f(x_k), and γ̄ = q_min/‖θ‖^L for homogeneous models (margin losses), else null. */
  qmin: number | null;
  normalizedMargin: number | null;
  /** Curve samples recorded since the previous frame (all of them after a reset). */
  curve: CurvePoint[];
  /** Neurons (two-layer, d = 2), else null. */
  neurons: NeuronView[] | null;
  /** The loop stopped by itself (divergence, stall): the library's reason, in the CLI's words. */
  stopped: { stop: string; reason: string } | null;
  architecture: string;
  params: number;
}

/** Most training checkpoints kept for the slice panel's trajectory. */
export const CHECKPOINTS_MAX = 64;

/** Most curve samples kept before thinning; every step is kept below CURVE_DENSE_STEPS. */
const CURVE_DENSE_STEPS = 2000;

/** Is `step` sampled on the loss curve? All steps below 2000, then stride 2^⌊log₂(step/1000)⌋ (~1000 per octave). */
export function curveSampled(step: number): boolean {
  if (step < CURVE_DENSE_STEPS) return true;
  const stride = 2 ** Math.floor(Math.log2(step / 1000));
  return step % stride === 0;
}

/** The activation of a view (slope is leaky_relu's slope or relu_power's power); InputError if invalid. */
export function labActivation(name: ActivationName, slope: number): Activation {
  try {
    return makeActivation(name, name === "leaky_relu" || name === "relu_power" ? slope : undefined);
  } catch (e) {
    throw new InputError("activation", (e as Error).message);
  }
}

/** InputError unless `lr` is a positive finite number and `width` a positive integer. */
export function checkStepAndWidth(lr: number, width: number): void {
  if (!(lr > 0 && Number.isFinite(lr))) throw new InputError("lr", `expected a positive finite number, got ${lr}`);
  if (!Number.isInteger(width) || width < 1) throw new InputError("width", `expected a positive integer, got ${width}`);
}

/** The architecture of a config on data with d inputs and k outputs. */
export function configArchitecture(c: TrainConfig, d: number, k: number): Architecture {
  const activation = labActivation(c.activation, c.slope);
  checkStepAndWidth(c.lr, c.width);
  if (!Number.isInteger(c.depth) || c.depth < 1) throw new InputError("depth", `expected a positive integer, got ${c.depth}`);
  return c.depth === 1
    ? twoLayerArchitecture({ d, m: c.width, k, activation, inputBias: c.bias })
    : mlpArchitecture([d, ...Array.from({ length: c.depth }, () => c.width), k], activation);
}

/** The CLI's check of a model against data and loss (same words as `splitscape train`). */
export function checkLossLabels(ds: Dataset, loss: LossName): void {
  if (!isMarginLoss(loss)) return;
  const y = ds.Y.data;
  const k = ds.Y.cols;
  for (let t = 0; t < y.length; t++) {
    if (y[t] !== 1 && y[t] !== -1) {
      throw new InputError(ds.source, `the ${loss} loss needs labels ±1, got ${y[t]} in sample ${Math.floor(t / k)} (map 0/1 labels to −1/+1, or use --loss square for regression)`, "y");
    }
  }
}

/** A training session in the worker. */
export class TrainSession {
  readonly config: TrainConfig;
  readonly data: Dataset;
  readonly initial: Model;
  readonly model: Model;
  private readonly objective: Objective;
  private readonly schedule: BatchSchedule | null;
  private alpha: number;
  step = 0;
  t = 0;
  private last = { loss: NaN, logLoss: NaN, gradNorm: NaN };
  private pending: CurvePoint[] = [];
  readonly history: CurvePoint[] = [];
  stopped: { stop: string; reason: string } | null = null;
  /** θ at step 0 and after each chunk, thinned to at most CHECKPOINTS_MAX (the slice panel's trajectory). */
  readonly checkpoints: { step: number; theta: Float64Array }[] = [];
  private grid: { ws: Workspace; X: Float64Array; out: Float64Array; res: number } | null = null;

  constructor(config: TrainConfig, data: Dataset) {
    this.config = config;
    this.data = data;
    checkLossLabels(data, config.loss);
    if (!Number.isInteger(config.batch) || config.batch < 1) throw new InputError("batch", `expected a positive integer, got ${config.batch}`);
    if (!(config.scale >= 0 && Number.isFinite(config.scale))) throw new InputError("scale", `expected 0 (fan-in draw) or a positive norm, got ${config.scale}`);
    const arch = configArchitecture(config, data.X.cols, data.Y.cols);
    this.initial = initializeModel(arch, { seed: config.seed, scale: config.scale > 0 ? config.scale : undefined });
    this.model = { arch, theta: this.initial.theta.slice() };
    this.objective = makeObjective(arch, data, config.loss, { mean: config.mean });
    this.schedule = config.method === "sgd" ? createBatchSchedule({ samples: data.X.rows, batchSize: config.batch, seed: config.seed }) : null;
    this.alpha = config.lr;
    const g = new Float64Array(this.objective.dim);
    const v = this.objective.evaluate(this.model.theta, g);
    this.last = { loss: v.loss, logLoss: v.logLoss, gradNorm: nrm2(g) };
    this.record({ step: 0, t: 0, loss: v.loss, logLoss: v.logLoss });
    this.checkpoints.push({ step: 0, theta: this.initial.theta.slice() });
  }

  /** Keep θ now as a checkpoint; past CHECKPOINTS_MAX, every other one is dropped (the first and last stay). */
  private checkpoint(): void {
    const cp = this.checkpoints;
    if (cp[cp.length - 1].step === this.step) return;
    cp.push({ step: this.step, theta: this.model.theta.slice() });
    if (cp.length > CHECKPOINTS_MAX) {
      const kept = cp.filter((_, i) => i % 2 === 0 || i === cp.length - 1);
      cp.length = 0;
      cp.push(...kept);
    }
  }

  private record(p: CurvePoint): void {
    this.pending.push(p);
    this.history.push(p);
  }

  /** Run `steps` more steps (one chunk); a loop that stops by itself ends the session. */
  advance(steps: number): void {
    if (this.stopped !== null || steps <= 0) return;
    const c = this.config;
    const step0 = this.step;
    const t0 = this.t;
    const onStep = (p: Readonly<TrajectoryPoint>): void => {
      if (p.step === 0) return; // the chunk's first point is the previous chunk's last
      const step = step0 + p.step;
      if (curveSampled(step)) this.record({ step, t: c.method === "sgd" || c.method === "loss-based" ? t0 + p.t : p.t, loss: p.loss, logLoss: p.logLoss });
    };
    const common = { stop: { maxSteps: steps }, onStep };
    const theta = this.model.theta;
    let r: TrainResult;
    switch (c.method) {
      case "gd":
        r = gradientFlow(this.objective, theta, { ...common, method: "gd", lr: c.lr, t0 });
        break;
      case "rk4":
        r = gradientFlow(this.objective, theta, { ...common, method: "rk4", h: c.lr, t0 });
        break;
      case "flow":
        r = gradientFlow(this.objective, theta, { ...common, method: "dopri5", rtol: 1e-8, atol: 1e-12, t0 });
        break;
      case "sgd":
        r = sgd(this.objective, theta, { ...common, lr: c.lr, batchSize: c.batch, schedule: this.schedule!, evalEvery: 1 });
        break;
      case "loss-based": {
        const lb = lossBasedGradientDescent(this.objective, theta, { ...common, alpha0: this.alpha });
        this.alpha = lb.alpha;
        r = lb;
        break;
      }
    }
    this.model.theta.set(r.theta);
    this.step = step0 + r.steps;
    this.t = c.method === "sgd" || c.method === "loss-based" ? t0 + r.t : r.t;
    this.last = { loss: r.loss, logLoss: r.logLoss, gradNorm: r.gradNorm };
    if (r.stop !== "maxSteps") this.stopped = { stop: r.stop, reason: r.reason };
    this.checkpoint();
  }

  /** The current numbers, with the curve samples not yet sent. */
  frame(): TrainFrame {
    const { arch, theta } = this.model;
    let accuracy: number | null = null;
    let qmin: number | null = null;
    let normalizedMargin: number | null = null;
    const finite = theta.every(Number.isFinite);
    if (isMarginLoss(this.config.loss) && finite) {
      const q = margins(this.model, this.data).data;
      let right = 0;
      qmin = Infinity;
      for (const v of q) {
        if (v > 0) right++;
        qmin = Math.min(qmin, v);
      }
      accuracy = right / q.length;
      const L = homogeneityOrder(arch);
      normalizedMargin = L === null ? null : qmin / Math.pow(nrm2(theta), L);
    }
    const curve = this.pending;
    this.pending = [];
    return {
      step: this.step, t: this.t, loss: this.last.loss, logLoss: this.last.logLoss, gradNorm: this.last.gradNorm, norm: nrm2(theta),
      accuracy, qmin, normalizedMargin, curve, neurons: neuronsOf(this.model), stopped: this.stopped,
      architecture: describeArchitecture(arch), params: theta.length,
    };
  }

  /**
   * f(x) (first output) on a res×res grid over [x0, x1]×[y0, y1], row 0 at the top (y1); d = 2
   * only. The workspace and grid are kept between calls (no allocation per frame).
   */
  heatmap(res: number, bounds: readonly [number, number, number, number]): Float64Array {
    if (this.data.X.cols !== 2) throw new InputError(this.data.source, `the decision heatmap needs d = 2 inputs, the data has d = ${this.data.X.cols}`);
    if (!Number.isInteger(res) || res < 2 || res > 512) throw new RangeError(`heatmap: res must be an integer in [2, 512], got ${res}`);
    const [x0, x1, y0, y1] = bounds;
    if (this.grid === null || this.grid.res !== res) {
      const n = res * res;
      this.grid = { ws: createWorkspace(this.model.arch, n), X: new Float64Array(2 * n), out: new Float64Array(n * this.data.Y.cols), res };
    }
    const { ws, X, out } = this.grid;
    for (let i = 0; i < res; i++) {
      const y = y1 - ((y1 - y0) * i) / (res - 1);
      for (let j = 0; j < res; j++) {
        const o = 2 * (i * res + j);
        X[o] = x0 + ((x1 - x0) * j) / (res - 1);
        X[o + 1] = y;
      }
    }
    forwardInto(ws, this.model.theta, X, res * res, out);
    const k = this.data.Y.cols;
    const f = new Float64Array(res * res);
    for (let i = 0; i < f.length; i++) f[i] = out[i * k];
    return f;
  }

  /**
   * The heatmap as RGBA pixels (viridis through `scale`), ready for the canvas: the colouring
   * runs here in the worker, the page only copies the pixels.
   */
  heatmapImage(res: number, bounds: readonly [number, number, number, number], scale: ValueScale): Uint8ClampedArray<ArrayBuffer> {
    const f = this.heatmap(res, bounds);
    const rgba = new Uint8ClampedArray(4 * f.length);
    valuesToRgba(f, scale, new Uint32Array(rgba.buffer));
    return rgba;
  }

  /** The model file of θ now (`splitscape` model JSON). */
  modelJson(): ModelJson {
    return modelToJson(this.model);
  }

  /** The run: the settings (as `splitscape train`'s spec.json) and the loss curve. */
  runJson(version: string): Record<string, unknown> {
    const c = this.config;
    return {
      spec: {
        command: "lab train", splitscapeVersion: version, data: this.data.source, architecture: describeArchitecture(this.model.arch),
        init: { seed: c.seed, scale: c.scale > 0 ? c.scale : null }, method: c.method, loss: c.loss, mean: c.mean, lr: c.lr,
        batchSize: c.batch, batchSeed: c.seed, steps: this.step,
      },
      initial: modelToJson(this.initial),
      final: modelToJson(this.model),
      trajectory: {
        step: this.history.map((p) => p.step), t: this.history.map((p) => p.t),
        loss: this.history.map((p) => p.loss), logLoss: this.history.map((p) => p.logLoss),
      },
      result: { stop: this.stopped?.stop ?? "paused", reason: this.stopped?.reason ?? `paused by the user after ${this.step} steps`, steps: this.step, t: this.t, ...this.last },
    };
  }
}

/** The neurons of a two-layer network on 2-D inputs (else null). */
export function neuronsOf(model: Model): NeuronView[] | null {
  const arch = model.arch;
  if (arch.kind !== "two-layer" || arch.d !== 2) return null;
  const { W, a, b } = twoLayerParts(arch, model.theta);
  return Array.from({ length: arch.m }, (_, j) => ({ w1: W[2 * j], w2: W[2 * j + 1], a: a[j * arch.k], b: b === null ? 0 : b[j] }));
}
