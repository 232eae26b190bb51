import { SADDLE_PRESETS } from "../../ncf/index.js";
import { paperModel } from "../papers.js";
import { registerReproduction } from "../registry.js";
import type { ReproductionResult } from "../types.js";
import { exitClaims, lossPanelClaim, lossSeries, panelRows, runSaddles, saddleFigures, saddleSummary, SADDLES_PAPER, SADDLES_REPO } from "./saddles.js";

/**
 * Saddle-to-saddle paper, 3-D input (notebook 02_3D_input_1D_output.ipynb): 7 points of R³, a
 * width-50 bias-free ReLU net from the authors' N(0, (50^−6.5)²) weights (torch seed 12),
 * full-batch GD for 800,000 steps (lr 2e-3 on ½·mean = PyTorch's 1e-3 on the MSE), early stop at
 * MSE ≤ 1e-5 (not reached: the progress bar shows all 800,000 iterations). The loss passes four
 * plateaus on its way towards zero. Published: the loss panel of Figure 11 and the exit marks
 * (cell 5, critical_step_ls = (0.8, 1.2, 1.7, 3.3)·1e5). The notebook ran in float32 and prints
 * no final loss (its markdown: "zero loss is achieved").
 */

const PRESET = SADDLE_PRESETS["3d"];
const NOTEBOOK = `${SADDLES_REPO}, ${PRESET.notebook}`;
const QUICK_STEPS = 100_000;

/** The notebook's grouping of the final angles of (w₀, w₁) (cell 5) and matplotlib's colours 'c', 'y', 'g', 'b', 'r'. */
function group(angle: number): string {
  if (angle >= 2.4 && angle < 2.5) return "group 1";
  if (angle >= 1.9 && angle < 2.4) return "group 2";
  if (angle < 1.9) return "group 3";
  if (angle >= 2.5 && angle < 3) return "group 4";
  return "group 5";
}
const COLOURS = { "group 1": "#00bfbf", "group 2": "#bfbf00", "group 3": "#008000", "group 4": "#0000ff", "group 5": "#ff0000" };

async function run(ctx: { quick: boolean; log(m: string): void }): Promise<ReproductionResult> {
  const start = paperModel("saddles-3d-init.json");
  const steps = ctx.quick ? QUICK_STEPS : PRESET.steps;
  ctx.log(`saddles 3-D: ${steps} GD steps`);
  const r = runSaddles(PRESET, start, steps);
  const claims = [...exitClaims(PRESET, r, 10_000, `${NOTEBOOK}, cell 5 (critical_step_ls = (0.8, 1.2, 1.7, 3.3)·1e5)`), lossPanelClaim("saddles-3d-loss", r)];
  return { claims, summary: saddleSummary(PRESET, r), series: { loss: lossSeries(r), neurons: panelRows(r, 3, group) } };
}

registerReproduction({
  id: "saddles/3d",
  paper: SADDLES_PAPER,
  figure: "Figure 11 (3-D input, 7 points, width 50): loss, neuron angles, norms and output weights vs epoch",
  source: NOTEBOOK,
  description: "GD from the authors' tiny initialisation through four saddles towards zero loss: the exit steps of the plateaus against the authors' marks and the published loss panel.",
  quick: `${QUICK_STEPS.toLocaleString("en-US")} steps: the first plateau exit (authors' mark 0.8e5) and the published loss panel up to that step`,
  run,
  figures: (result) => saddleFigures(result, PRESET, { title: "3-D input (Figure 11)", curveKey: "saddles-3d-loss", lossDomain: [0, 0.24], colours: COLOURS }),
});
