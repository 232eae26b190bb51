// Stochastic gradient descent with a seeded batch order.

import { nrm2 } from "../linalg/index.js";
import type { Objective } from "../model/objective.js";
import { createBatchSchedule, nextBatch, type BatchSchedule, type BatchScheduleOptions } from "./batches.js";
import { frozenStop, stepChanges } from "./frozen.js";
import { createMonitor, monitorEnd, monitorStep, type LoopOptions, type StopReason, type TrainResult } from "./monitor.js";
import { createPoint } from "./trajectory.js";
import type { StallInfo } from "./types.js";

export interface SgdOptions extends LoopOptions, Omit<BatchScheduleOptions, "samples"> {
  /** Learning rate: a number or a function of the step index. */
  lr: number | ((step: number) => number);
  /**
   * Evaluate the full objective (for the stopping rules, progress and the trajectory) every this
   * many steps (default: once per epoch, ⌈n/B⌉) and at the end.
   */
  evalEvery?: number;
  /**
   * Continue this batch schedule instead of creating one from batchSize/seed (it is advanced in
   * place): a run split into consecutive calls that pass the same schedule, each from the
   * previous call's θ, draws the same batches as one long run (the web lab trains in chunks).
   */
  schedule?: BatchSchedule;
}

export interface SgdResult extends TrainResult {
  /** Epochs started. */
  epochs: number;
  /** Loss of the last batch. */
  batchLoss: number;
}

/**
 * Mini-batch SGD: θ ← θ − η_k ∇ℒ_{B_k}(θ), where ℒ_B is the objective restricted to the batch
 * B_k (with the objective's own sum/mean convention) and the batches come from a seeded
 * BatchSchedule (epoch permutations, or draws with replacement). Time t = Σ η_k. The stopping
 * rules look at the full objective, evaluated every `evalEvery` steps and at the end.
 * Frozen θ: a batch step that changes no component of θ is checked against the full-batch step;
 * if that would not move θ either, the run ends at this point, the void step not counted
 * (dynamics/frozen.ts: "fixedPoint", or "stalled" with cause "underflow" when ℒ fell below the
 * float64 range). A void batch step whose full-batch step would move θ is an ordinary SGD step.
 * Two runs with the same seed, options and θ0 are bit-identical.
 *
 * @param objective - the loss ℒ(θ) with batch support (e.g. from `makeObjective`); objective.samples sets n
 * @param theta0 - the initial parameters (not modified)
 * @param opts - learning rate `lr` (number or schedule), batch size and seed, evalEvery, stopping rules, trajectory
 * @returns the loop's result plus the epochs and the last batch loss
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, makeObjective, sgd, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const arch = twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") });
 * const objective = makeObjective(arch, data, "logistic", { mean: true });
 * const run = sgd(objective, initializeModel(arch, { seed: 2 }).theta, { lr: 0.05, batchSize: 8, seed: 3, stop: { maxSteps: 1000 } });
 * console.log(run.epochs, run.loss);
 * ```
 */
export function sgd(objective: Objective, theta0: Float64Array, opts: SgdOptions): SgdResult {
  const p = objective.dim;
  if (theta0.length !== p) throw new RangeError(`sgd: θ0 has length ${theta0.length}, the objective dimension ${p}`);
  const sched = opts.schedule ?? createBatchSchedule({ ...opts, samples: objective.samples });
  if (sched.samples !== objective.samples) throw new RangeError(`sgd: the schedule has ${sched.samples} samples, the objective ${objective.samples}`);
  const evalEvery = Math.max(1, Math.floor(opts.evalEvery ?? Math.ceil(objective.samples / sched.batchSize)));
  const mon = createMonitor(opts, "sgd");
  const theta = Float64Array.from(theta0);
  const g = new Float64Array(p);
  const gFull = new Float64Array(p);
  const point = createPoint();
  let t = 0;
  let tComp = 0; // Kahan compensation of t = Σ η
  let evaluations = 0;
  let batchLoss = NaN;
  let stop: StopReason | null = null;
  let stall: StallInfo | null = null;
  const evalFull = (step: number): void => {
    const v = objective.evaluate(theta, gFull);
    evaluations++;
    point.step = step;
    point.t = t;
    point.logT = t > 0 ? Math.log(t) : -Infinity;
    point.tPhase = t;
    point.loss = v.loss;
    point.logLoss = v.logLoss;
    point.logNorm = Math.log(nrm2(theta));
    point.gradNorm = nrm2(gFull);
  };
  for (let step = 0; ; step++) {
    if (step % evalEvery === 0 || step >= mon.maxSteps) {
      evalFull(step);
      stop = monitorStep(mon, point, theta);
      if (stop !== null) break;
    }
    const lr = opts.lr;
    const eta = typeof lr === "number" ? lr : lr(step);
    if (t + eta > mon.maxTime * (1 + 1e-12) + 1e-300) {
      stop = "maxTime";
      mon.detail = `the next step (η = ${eta}) would pass maxTime = ${mon.maxTime}`;
      if (point.step !== step) evalFull(step);
      break;
    }
    const batch = nextBatch(sched);
    const v = objective.evaluate(theta, g, batch);
    evaluations++;
    batchLoss = v.loss;
    if (!stepChanges(theta, g, eta)) {
      // A void batch step: if the full-batch step would not move θ either, θ is frozen here.
      evalFull(step);
      if (!wouldChange(theta, gFull, eta)) {
        ({ stop, stall } = frozenStop(mon, point, eta, "SGD"));
        break;
      }
    }
    const dt = eta - tComp;
    const tNew = t + dt;
    tComp = tNew - t - dt;
    t = tNew;
    if (!Number.isFinite(v.logLoss) && v.logLoss !== -Infinity) {
      stop = "nonFinite";
      mon.detail = `non-finite batch loss at step ${step}`;
      evalFull(step + 1);
      break;
    }
  }
  const elapsedMs = monitorEnd(mon, point, theta);
  return {
    stop, reason: mon.detail, t: point.t, logT: point.logT, theta, loss: point.loss, logLoss: point.logLoss,
    gradNorm: point.gradNorm, logNorm: point.logNorm, steps: point.step, evaluations, rejections: 0,
    stall, trajectory: mon.opts.trajectory ?? null, elapsedMs, epochs: sched.epoch, batchLoss,
  };
}

/** Would θ − c·g differ from θ in some component? */
function wouldChange(theta: Float64Array, g: Float64Array, c: number): boolean {
  for (let i = 0; i < theta.length; i++) if (theta[i] - c * g[i] !== theta[i]) return true;
  return false;
}
