import { paperData, paperModel, sgdBatchOrders } from "../papers.js";
import { registerReproduction } from "../registry.js";
import type { ReproductionResult } from "../types.js";
import {
  cycledBatches, EMBEDDING_PAPER, EMBEDDING_REPO, embeddingFigures, errorRows, finalNormClaim, lossCurveClaim, norm, roundingClaim, runSetting, splitEveryUnit,
} from "./embedding.js";

/**
 * Embedding paper, experiment 2a (notebook exp2a_mlp_sgd_identical.ipynb, cell 0): experiment
 * 1's data, weights and split, trained by mini-batch SGD (batch 16, lr 0.1, 100,000 steps) with
 * the same batch at every step for both networks. The batches come from one
 * DataLoader(shuffle=True) under itertools.cycle, which replays the first epoch's 7 batches
 * (examples/papers/embedding-sgd-batches.json; its final norm, printed to 4 decimals, is matched
 * only by this order). The full-batch loss is recorded after every epoch of 7 steps.
 */

const NOTEBOOK = `${EMBEDDING_REPO}, exp2a_mlp_sgd_identical.ipynb, cell 0`;
const MAX_ERROR = 4.3516e-13; // "Max Trajectory Error: 4.3516e-13"
const FINAL_NORM = 25.0894; // "Final Weight Norm of Small Net: 25.0894" (and of the large net)
const STEPS = 100_000;
const QUICK_STEPS = 2_000;
const STEPS_PER_EPOCH = 7;

async function run(ctx: { quick: boolean; log(m: string): void }): Promise<ReproductionResult> {
  const start = paperModel("embedding-separable-init.json");
  const data = paperData("embedding-separable-data.json");
  const orders = sgdBatchOrders(data.X.rows);
  const batch = cycledBatches(orders.exp2a, orders.batchSize);
  const steps = ctx.quick ? QUICK_STEPS : STEPS;
  ctx.log(`exp2a: ${steps} SGD steps, identical batches`);
  const r = runSetting({
    data, start, T: splitEveryUnit(start.arch, 1), loss: "exponential", lr: 0.1, steps,
    batches: { narrow: batch, wide: batch }, lossEvery: STEPS_PER_EPOCH,
  });
  const claims = [
    ...(ctx.quick ? [] : [finalNormClaim(r, FINAL_NORM, NOTEBOOK)]),
    roundingClaim(r, MAX_ERROR, STEPS, NOTEBOOK),
    lossCurveClaim("exp2a-loss-epochs", (e) => r.loss[e * STEPS_PER_EPOCH], "full-batch loss after each epoch, figure exp2a_sgd_loss_vs_epochs.pdf"),
  ];
  const loss = [];
  for (let k = STEPS_PER_EPOCH; k <= steps; k += STEPS_PER_EPOCH) loss.push({ epoch: k / STEPS_PER_EPOCH, loss: r.loss[k] });
  return {
    claims,
    summary: { steps, epochs: Math.floor(steps / STEPS_PER_EPOCH), finalNorm: norm(r.theta), wideFinalNorm: norm(r.eta), finalError: r.error[steps] },
    series: { loss, error: errorRows(r.error) },
  };
}

registerReproduction({
  id: "embedding/exp2a-sgd-identical",
  paper: EMBEDDING_PAPER,
  figure: "Exp. 2a (mini-batch SGD, identical batches): trajectory error vs steps, loss vs epochs (figures exp2a_sgd_*)",
  source: NOTEBOOK,
  description: "Experiment 1's nets trained by SGD (batch 16, lr 0.1, 100,000 steps) with the same batches for both, in the DataLoader order the authors drew: the final norm, the trajectory error at rounding level and the published loss-per-epoch curve.",
  quick: `${QUICK_STEPS.toLocaleString("en-US")} steps: the published loss-per-epoch vertices up to that step and the trajectory error at rounding level`,
  run,
  figures: (result) => embeddingFigures(result.series, { errorKey: "exp2a-error", lossKey: "exp2a-loss-epochs", lossX: "epoch", lossLogX: false, lossLogY: true, title: "Exp. 2a (SGD, identical batches)" }),
});
