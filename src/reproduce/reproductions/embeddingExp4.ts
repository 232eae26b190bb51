import { formatNumber } from "../../report/index.js";
import { claim } from "../claims.js";
import { paperData, paperModel } from "../papers.js";
import { registerReproduction } from "../registry.js";
import type { Claim, ReproductionResult } from "../types.js";
import { roundingLevel, type CommutationRun } from "../commutation.js";
import {
  EMBEDDING_PAPER, EMBEDDING_REPO, embeddingFigures, errorRows, finalNormClaim, lossCurveClaim, lossRows, norm, printedLossClaims, roundingClaim, runSetting, splitEveryUnit, type PrintedLosses,
} from "./embedding.js";

/**
 * Embedding paper, experiment 4 (notebook exp4_cnn_gd_separable.ipynb, cell 0): a bias-free CNN
 * (Conv2d 1→2 channels, 3×3, leaky ReLU(0.01), flatten, Linear 18→1) on 200 two-class 5×5
 * "images" from scikit-learn's make_classification(random_state = 42), its channel split into
 * 4 channels (each channel into two copies, c = 1/√2), GD with lr 0.001 for 100,000 steps on the
 * mean exponential loss, float64. Data and kaiming_normal_ starting weights are regenerated
 * without scikit-learn or torch (scripts/papers/; the notebook's printed losses check them).
 *
 * The trajectory error here does not stay at rounding level: it grows by a factor ≈ 5.8 every
 * 10,000 steps from about step 50,000 on, in the notebook and here alike. The embedded
 * trajectory is unstable in a direction off the image of T (the two copies of a channel moving
 * apart), so the wide network amplifies its rounding differences exponentially — at a rate set
 * by the dynamics, not by the roundings. That rate is the reproducible number; the error's
 * digits are not.
 */

const NOTEBOOK = `${EMBEDDING_REPO}, exp4_cnn_gd_separable.ipynb, cell 0`;
const PRINTED: PrintedLosses = [
  [10000, 0.7785], [20000, 0.735545], [30000, 0.711766], [40000, 0.699219], [50000, 0.696324],
  [60000, 0.695633], [70000, 0.695269], [80000, 0.695152], [90000, 0.69513], [100000, 0.695126],
];
/** "Trajectory Error: …" printed with the losses: e_s after step s (3 significant digits). */
const PRINTED_ERRORS: ReadonlyArray<readonly [number, number]> = [
  [10000, 6.91e-15], [20000, 9.52e-15], [30000, 1.55e-14], [40000, 2.22e-14], [50000, 4.38e-14],
  [60000, 2.11e-13], [70000, 1.21e-12], [80000, 6.98e-12], [90000, 4.06e-11], [100000, 2.36e-10],
];
const MAX_ERROR = 2.3636e-10; // "Max Trajectory Error: 2.3636e-10"
const FINAL_NORM = 2.7286; // "Final Weight Norm of Small Net: 2.7286"
const STEPS = 100_000;
const QUICK_STEPS = 2_000;
/** The growth rate is measured from this step to the end, where the unstable mode dominates. */
const GROWTH_FROM = 70_000;

/** Growth of the trajectory error per 10,000 steps from step `from` to step `to`: (e_to/e_from)^(10⁴/(to − from)). */
function growthPer10k(eFrom: number, eTo: number, from: number, to: number): number {
  return (eTo / eFrom) ** (10_000 / (to - from));
}

function growthClaim(r: CommutationRun): Claim {
  const pub = new Map(PRINTED_ERRORS);
  const published = growthPer10k(pub.get(GROWTH_FROM)!, pub.get(STEPS)!, GROWTH_FROM, STEPS);
  const ours = growthPer10k(r.error[GROWTH_FROM], r.error[STEPS], GROWTH_FROM, STEPS);
  return claim({
    name: `growth of the trajectory error per 10,000 steps, steps ${GROWTH_FROM.toLocaleString("en-US")}–${STEPS.toLocaleString("en-US")} (from the printed errors)`,
    why: "an unstable direction off the image of T amplifies the rounding differences at a rate fixed by the dynamics (the same trajectory in both runs, float64), not by the roundings; by step 70,000 the grown mode (~1e-12) dwarfs the roundings still arriving (~1e-16 per step), so only the print's 3 significant digits limit the agreement: ±0.5 % on each of the two printed errors gives ±1 % on their ratio, ±0.33 % on its cube root; tolerance 1 %",
    source: NOTEBOOK,
  }, published, ours, 0.01, "rel");
}

/** At quick length the error has not grown yet: it is at rounding level. */
function quickRoundingClaim(r: CommutationRun): Claim {
  const c = roundingClaim(r, MAX_ERROR, STEPS, NOTEBOOK);
  return { ...c, why: `${c.why}. (Over the full 100,000 steps the error grows exponentially instead, see the full run.)` };
}

async function run(ctx: { quick: boolean; log(m: string): void }): Promise<ReproductionResult> {
  const start = paperModel("embedding-cnn-init.json");
  const data = paperData("embedding-cnn-data.json");
  const steps = ctx.quick ? QUICK_STEPS : STEPS;
  ctx.log(`exp4: ${steps} GD steps of the 2-channel and the split 4-channel CNNs`);
  const r = runSetting({ data, start, T: splitEveryUnit(start.arch, 2), loss: "exponential", lr: 1e-3, steps });
  let maxError = 0;
  for (let k = 1; k <= steps; k++) maxError = Math.max(maxError, r.error[k]);
  const claims: Claim[] = [...printedLossClaims(r, PRINTED, NOTEBOOK)];
  if (ctx.quick) claims.push(quickRoundingClaim(r));
  else {
    claims.push(
      finalNormClaim(r, FINAL_NORM, NOTEBOOK),
      growthClaim(r),
      claim({
        name: "max trajectory error over 100,000 steps: same order of magnitude as published",
        why: `the grown error's size depends on the rounding that seeded the unstable mode, which differs between two float64 programs (summation order); its rate does not (previous claim). Tolerance: within a factor 10 of the published ${MAX_ERROR.toExponential(4)}, i.e. |log₁₀(ours/published)| ≤ 1; for scale, the rounding level 10·√K·ε·max‖θ‖ would be ${formatNumber(roundingLevel(steps, r.maxNorm))}`,
        source: NOTEBOOK,
      }, MAX_ERROR, Math.abs(Math.log10(maxError / MAX_ERROR)), 1, "atMost"),
    );
  }
  claims.push(lossCurveClaim("exp4-loss", (k) => r.loss[k], "loss curve of figure exp4_cnn_gd_loss.pdf"));
  return {
    claims,
    summary: { steps, finalLoss: r.loss[steps], finalNorm: norm(r.theta), wideFinalLoss: r.wideLoss, maxError, finalError: r.error[steps] },
    series: { loss: lossRows(r.loss), error: errorRows(r.error) },
  };
}

registerReproduction({
  id: "embedding/exp4-cnn",
  paper: EMBEDDING_PAPER,
  figure: "Exp. 4 (CNN, channel splitting, full-batch GD): trajectory error and loss (figures exp4_cnn_gd_*)",
  source: NOTEBOOK,
  description: "A 2-channel bias-free CNN and its channel split into 4 channels trained side by side by GD (lr 0.001, 100,000 steps) on the regenerated make_classification data: the printed losses, the final norm, the exponential growth rate of the trajectory error and the published loss curve.",
  quick: `${QUICK_STEPS.toLocaleString("en-US")} steps: the published loss-curve vertices up to that step and the trajectory error, still at rounding level there`,
  run,
  figures: (result) => embeddingFigures(result.series, { errorKey: "exp4-error", lossKey: "exp4-loss", lossLogX: false, lossLogY: true, title: "Exp. 4 (CNN, GD)" }),
});
