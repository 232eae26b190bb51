import { paperData, paperModel } from "../papers.js";
import { registerReproduction } from "../registry.js";
import type { ReproductionResult } from "../types.js";
import {
  EMBEDDING_PAPER, EMBEDDING_REPO, embeddingFigures, errorRows, lossCurveClaim, lossRows, norm, printedLossClaims, roundingClaim, runSetting, splitEveryUnit, type PrintedLosses,
} from "./embedding.js";

/**
 * Embedding paper, experiment 1 (notebook exp1_mlp_gd_separable.ipynb, cell 0): two Gaussian
 * blobs (centres ±(2, −2), std 0.8, 50 + 50 points, torch seed 123), a one-neuron leaky-ReLU(0.01)
 * net f(x) = a·σ(wᵀx) without biases and its split into two neurons with c = (1/√2, 1/√2),
 * full-batch GD with lr 0.1 on the mean exponential loss for 100,000 steps, in float64.
 */

const NOTEBOOK = `${EMBEDDING_REPO}, exp1_mlp_gd_separable.ipynb, cell 0`;

/** The cell's printed output "Step s/100000, Loss: x" (the print follows the step: x = ℒ(θ_{s−1})). */
const PRINTED: PrintedLosses = [
  [10000, 0.009942], [20000, 0.003959], [30000, 0.002389], [40000, 0.001686], [50000, 0.001293],
  [60000, 0.001044], [70000, 0.000872], [80000, 0.000747], [90000, 0.000652], [100000, 0.000578],
];
/** "Max Trajectory Error: 4.4602e-13" (printed after the loop). */
const MAX_ERROR = 4.4602e-13;
const STEPS = 100_000;
const QUICK_STEPS = 2_000;

async function run(ctx: { quick: boolean; log(m: string): void }): Promise<ReproductionResult> {
  const start = paperModel("embedding-separable-init.json");
  const data = paperData("embedding-separable-data.json");
  const steps = ctx.quick ? QUICK_STEPS : STEPS;
  ctx.log(`exp1: ${steps} GD steps of the 1-neuron and the split 2-neuron nets`);
  const r = runSetting({ data, start, T: splitEveryUnit(start.arch, 1), loss: "exponential", lr: 0.1, steps });
  const claims = [
    ...printedLossClaims(r, PRINTED, NOTEBOOK),
    roundingClaim(r, MAX_ERROR, STEPS, NOTEBOOK),
    lossCurveClaim("exp1-loss", (k) => r.loss[k], "loss curve of the log–log figure plot5_loss_loglog_final.pdf"),
  ];
  return {
    claims,
    summary: { steps, finalLoss: r.loss[steps], finalNorm: norm(r.theta), wideFinalLoss: r.wideLoss, finalError: r.error[steps] },
    series: { loss: lossRows(r.loss), error: errorRows(r.error) },
  };
}

registerReproduction({
  id: "embedding/exp1-separable",
  paper: EMBEDDING_PAPER,
  figure: "Exp. 1 (origin-separable blobs, full-batch GD): trajectory error and loss, notebook figures plot1–plot7",
  source: NOTEBOOK,
  description: "A 1-neuron leaky-ReLU net and its split into 2 neurons (c = 1/√2, 1/√2) trained side by side by GD (lr 0.1, 100,000 steps, mean exponential loss) from the authors' data and weights: the printed losses, the trajectory error at rounding level and the published loss curve.",
  quick: `${QUICK_STEPS.toLocaleString("en-US")} steps: the published loss-curve vertices up to that step and the trajectory error at rounding level`,
  run,
  figures: (result) => embeddingFigures(result.series, { errorKey: "exp1-error", lossKey: "exp1-loss", lossLogX: true, lossLogY: true, title: "Exp. 1 (GD, separable)" }),
});
