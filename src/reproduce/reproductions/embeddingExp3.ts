import { paperData, paperModel } from "../papers.js";
import { registerReproduction } from "../registry.js";
import type { ReproductionResult } from "../types.js";
import {
  EMBEDDING_PAPER, EMBEDDING_REPO, embeddingFigures, errorRows, finalNormClaim, lossCurveClaim, lossRows, norm, printedLossClaims, roundingClaim, runSetting, splitEveryUnit, type PrintedLosses,
} from "./embedding.js";

/**
 * Embedding paper, experiment 3 (notebook exp3_mlp_gd_nonseparable.ipynb, cell 0): experiment 1
 * with the blob centres moved to ±(1, −1) so that the classes overlap, same weights (torch seed
 * 123), split, GD (lr 0.1, 100,000 steps, mean exponential loss), float64.
 */

const NOTEBOOK = `${EMBEDDING_REPO}, exp3_mlp_gd_nonseparable.ipynb, cell 0`;
const PRINTED: PrintedLosses = [
  [10000, 0.087533], [20000, 0.059321], [30000, 0.049188], [40000, 0.04323], [50000, 0.039045],
  [60000, 0.035825], [70000, 0.033208], [80000, 0.031031], [90000, 0.029226], [100000, 0.027701],
];
const MAX_ERROR = 5.5697e-13; // "Max Trajectory Error: 5.5697e-13"
const FINAL_NORM = 41.1259; // "Final Weight Norm of Small Net: 41.1259"
const STEPS = 100_000;
const QUICK_STEPS = 2_000;

async function run(ctx: { quick: boolean; log(m: string): void }): Promise<ReproductionResult> {
  const start = paperModel("embedding-nonseparable-init.json");
  const data = paperData("embedding-nonseparable-data.json");
  const steps = ctx.quick ? QUICK_STEPS : STEPS;
  ctx.log(`exp3: ${steps} GD steps on overlapping blobs`);
  const r = runSetting({ data, start, T: splitEveryUnit(start.arch, 1), loss: "exponential", lr: 0.1, steps });
  const claims = [
    ...printedLossClaims(r, PRINTED, NOTEBOOK),
    ...(ctx.quick ? [] : [finalNormClaim(r, FINAL_NORM, NOTEBOOK)]),
    roundingClaim(r, MAX_ERROR, STEPS, NOTEBOOK),
    lossCurveClaim("exp3-loss", (k) => r.loss[k], "loss curve of figure exp3_gd_nonsep_loss.pdf"),
  ];
  return {
    claims,
    summary: { steps, finalLoss: r.loss[steps], finalNorm: norm(r.theta), wideFinalLoss: r.wideLoss, finalError: r.error[steps] },
    series: { loss: lossRows(r.loss), error: errorRows(r.error) },
  };
}

registerReproduction({
  id: "embedding/exp3-nonseparable",
  paper: EMBEDDING_PAPER,
  figure: "Exp. 3 (overlapping blobs, full-batch GD): trajectory error and loss (figures exp3_gd_nonsep_*)",
  source: NOTEBOOK,
  description: "Experiment 1 on overlapping blobs (centres ±(1, −1)): the printed losses, the final norm, the trajectory error at rounding level and the published loss curve.",
  quick: `${QUICK_STEPS.toLocaleString("en-US")} steps: the published loss-curve vertices up to that step and the trajectory error at rounding level`,
  run,
  figures: (result) => embeddingFigures(result.series, { errorKey: "exp3-error", lossKey: "exp3-loss", lossLogX: false, lossLogY: false, title: "Exp. 3 (GD, overlapping classes)" }),
});
