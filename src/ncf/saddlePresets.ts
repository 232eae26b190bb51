/**
 * The data of the saddle-to-saddle reference runs (docs/science/small-init.md §5): Wu, Şimşek & Ged, "Loss landscape of shallow ReLU-like neural networks:
 * stationary points, saddle escape, and network embedding" (ICLR 2025), whose notebooks are in
 * the public repository github.com/ZhengqingUUU/relu_like_NN_loss_landscape (helpers.py,
 * 01_2D_input_1D_output.ipynb, 02_3D_input_1D_output.ipynb). The inputs and targets below are the
 * notebooks' float32 tensors widened to float64 (so 0.3 is 0.30000001192092896), as in
 * examples/papers/saddles-*-data.json.
 *
 * "1d": generate_5pt_dataset — x ∈ {−1, −0.6, −0.1, 0.3, 0.7} with a constant-one column (the
 *   bias as an input, x̃ = (x, 1), so the bias-free net on x̃ stays 2-homogeneous),
 *   y = (0.28, −0.1, 0.03, 0.23, −0.22); width 50, weights ~ N(0, (50^−3)²) (notebook cell 1).
 * "3d": generate_3D_input_dataset — 7 points of R³ without a bias column; width 50, weights
 *   ~ N(0, (50^−6.5)²).
 * Both: full-batch GD, PyTorch's SGD with lr 1e-3 on F.mse_loss = (1/n)Σ(f − y)², which is twice
 * splitscape's mean square loss ℒ = (1/2n)Σ(f − y)², so the same iterates need lr 2e-3 here;
 * 600,000 (1d) and 800,000 (3d) steps, stopping early once the mean squared error is ≤ 1e-5
 * (ℒ ≤ 5e-6). The authors' starting weights (torch seed 12, float32) are in
 * examples/papers/saddles-{5pt,3d}-init.json; `splitscape reproduce saddles/5-points` and
 * `saddles/3d` run from them, the experiment kind ncf-saddle-to-saddle from a balanced
 * initialisation of the same scale.
 */
import { fromRows } from "../linalg/index.js";
import type { ModelData } from "../model/index.js";

export type SaddlePresetName = "1d" | "3d";

export interface SaddlePreset {
  name: SaddlePresetName;
  /** Rows of the inputs (the 1d preset includes the constant-one column) and the targets. */
  X: number[][];
  y: number[];
  width: number;
  /** Init std σ = 50^{log50Std} per weight. */
  log50Std: number;
  /** GD step on splitscape's mean square loss (½·mean): the notebooks' 1e-3 on the plain mean. */
  lr: number;
  steps: number;
  /** Early stop of the notebooks: mean squared error ≤ 1e-5, i.e. ℒ ≤ stopLoss = 5e-6. */
  stopLoss: number;
  /** Steps the authors mark as plateau exits in their figures (notebook cell 5, critical_step_ls). */
  referenceExitSteps: number[];
  /** The notebook with the settings and the marks. */
  notebook: string;
}

export const SADDLE_PRESETS: Record<SaddlePresetName, SaddlePreset> = {
  "1d": {
    name: "1d",
    X: [[-1, 1], [-0.6000000238418579, 1], [-0.10000000149011612, 1], [0.30000001192092896, 1], [0.699999988079071, 1]],
    y: [0.2800000011920929, -0.10000000149011612, 0.029999999329447746, 0.23000000417232513, -0.2199999988079071],
    width: 50,
    log50Std: -3,
    lr: 2e-3,
    steps: 600_000,
    stopLoss: 5e-6,
    referenceExitSteps: [42_000, 152_000],
    notebook: "01_2D_input_1D_output.ipynb",
  },
  "3d": {
    name: "3d",
    X: [
      [-0.30000001192092896, -0.75, -0.5], [-0.20000000298023224, -0.20000000298023224, 0.4000000059604645],
      [-0.6000000238418579, 1, -1], [-0.4000000059604645, 0.4000000059604645, 0.30000001192092896],
      [0.6000000238418579, -0.10000000149011612, -0.699999988079071], [0.4000000059604645, -0.8999999761581421, 0.30000001192092896],
      [0.20000000298023224, 0.20000000298023224, -0.5],
    ],
    y: [-0.5, 0.10000000149011612, -0.6000000238418579, 0.30000001192092896, 0.800000011920929, -0.30000001192092896, -0.10000000149011612],
    width: 50,
    log50Std: -6.5,
    lr: 2e-3,
    steps: 800_000,
    stopLoss: 5e-6,
    referenceExitSteps: [80_000, 120_000, 170_000, 330_000],
    notebook: "02_3D_input_1D_output.ipynb",
  },
};

/**
 * The preset's data as model data (n×d inputs, n×1 targets).
 *
 * @param p - a preset (SADDLE_PRESETS["1d"] or ["3d"])
 * @returns X (n × d) and Y (n × 1) as matrices
 * @example
 * ```ts
 * import { presetData, SADDLE_PRESETS } from "splitscape";
 * const { X, Y } = presetData(SADDLE_PRESETS["3d"]);
 * console.log(X.rows, X.cols, Y.cols); // 7 3 1
 * ```
 */
export function presetData(p: SaddlePreset): ModelData {
  return { X: fromRows(p.X), Y: fromRows(p.y.map((v) => [v])) };
}
