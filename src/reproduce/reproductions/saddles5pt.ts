import { SADDLE_PRESETS } from "../../ncf/index.js";
import type { TwoLayerArchitecture } from "../../model/index.js";
import { claim } from "../claims.js";
import { paperModel } from "../papers.js";
import { registerReproduction } from "../registry.js";
import type { Claim, ReproductionResult } from "../types.js";
import { deadNeurons, exitClaims, lossPanelClaim, lossSeries, panelRows, runSaddles, saddleFigures, saddleSummary, SADDLES_PAPER, SADDLES_REPO } from "./saddles.js";

/**
 * Saddle-to-saddle paper, 1-D input (notebook 01_2D_input_1D_output.ipynb): 5 points x with a
 * bias column, a width-50 bias-free ReLU net from the authors' N(0, (50^−3)²) weights (torch
 * seed 12), full-batch GD for 600,000 steps (PyTorch lr 1e-3 on the mean squared error = lr 2e-3
 * on splitscape's ½·mean), early stop at MSE ≤ 1e-5 (not reached). The loss goes through two
 * plateaus (saddles) to a local minimum; the notebook then checks by 5,000 random perturbations
 * that the end point is a local minimum. Published: the loss panel of Figure 3 and the exit marks
 * (cell 5), the final MSE and the dead neurons (cell 9). The notebook ran in float32.
 */

const PRESET = SADDLE_PRESETS["1d"];
const NOTEBOOK = `${SADDLES_REPO}, ${PRESET.notebook}`;
/** Cell 9 prints `loss = 0.027885962277650833` (the checkpoint's last loss, float32). */
const FINAL_MSE = 0.027885962277650833;
/** Cell 9: `dead_ids = [1, 13, 15, 18, 25, 28, 33, 37, 39, 42, 47, 5, 9]` (the neurons left unperturbed). */
const DEAD = [1, 5, 9, 13, 15, 18, 25, 28, 33, 37, 39, 42, 47];
/** float32 unit roundoff 2^−24. */
const U32 = 2 ** -24;
const QUICK_STEPS = 60_000;

/** The notebook's grouping of the final input-weight angles (cell 5) and matplotlib's colours 'r', 'y', 'g', 'b', 'k'. */
function group(angle: number): string {
  if (angle > 2 && angle < 3) return "group 1";
  if (angle > 0 && angle < 1) return "group 2";
  if (angle > 5.7) return "group 3";
  if (angle > 3.6 && angle < 3.7) return "group 4";
  return "dead group";
}
const COLOURS = { "group 1": "#ff0000", "group 2": "#bfbf00", "group 3": "#008000", "group 4": "#0000ff", "dead group": "#000000" };

async function run(ctx: { quick: boolean; log(m: string): void }): Promise<ReproductionResult> {
  const start = paperModel("saddles-5pt-init.json");
  const steps = ctx.quick ? QUICK_STEPS : PRESET.steps;
  ctx.log(`saddles 5 points: ${steps} GD steps`);
  const r = runSaddles(PRESET, start, steps);
  const claims: Claim[] = [];
  if (!ctx.quick) {
    claims.push(
      claim({
        name: "final mean squared error (the loss of the last step, θ_599,999)",
        why: `the notebook's value is a float32 MSE of 5 squared residuals at the float32 run's end point; a float32 sum of n terms is exact to γ_n ≈ n·u₃₂ (u₃₂ = 2⁻²⁴), and the float32 and float64 runs end at the same local minimum (a float32 NumPy re-run ends at exactly the printed value), so tolerance n·u₃₂ = ${(5 * U32).toExponential(2)} relative`,
        source: `${NOTEBOOK}, cell 9 ("loss = 0.027885962277650833")`,
      }, FINAL_MSE, r.lastMse, 5 * U32, "rel"),
      claim({
        name: "dead neurons at the end (w_jᵀx_i ≤ 0 on every data point)",
        why: "a fingerprint of the starting weights and of the path: which of the 50 neurons the run leaves dead; the list must be the same",
        source: `${NOTEBOOK}, cell 9 (dead_ids)`,
      }, DEAD.join(", "), deadNeurons(start.arch as TwoLayerArchitecture, r.theta, PRESET.X).join(", "), 0, "equal"),
    );
  }
  claims.push(...exitClaims(PRESET, r, 1000, `${NOTEBOOK}, cell 5 (critical_step_ls = (42, 152)·1000)`), lossPanelClaim("saddles-5pt-loss", r));
  return { claims, summary: saddleSummary(PRESET, r), series: { loss: lossSeries(r), neurons: panelRows(r, 2, group) } };
}

registerReproduction({
  id: "saddles/5-points",
  paper: SADDLES_PAPER,
  figure: "Figure 3 (1-D input with a bias column, 5 points, width 50): loss, neuron angles, norms and output weights vs epoch",
  source: NOTEBOOK,
  description: "GD from the authors' small initialisation through two saddles to a local minimum: the exit steps of the plateaus against the authors' marks, the published loss panel, the final MSE and the dead neurons.",
  quick: `${QUICK_STEPS.toLocaleString("en-US")} steps: the first plateau exit (authors' mark 42k) and the published loss panel up to that step`,
  run,
  figures: (result) => saddleFigures(result, PRESET, { title: "5 points (Figure 3)", curveKey: "saddles-5pt-loss", lossDomain: [0, 0.045], colours: COLOURS }),
});
