/**
 * Invented small datasets for the width-50 saddle-to-saddle runs (docs/science/small-init.md §5,
 * the saddle-to-saddle reference runs of Wu, Şimşek & Ged, ICLR 2025). The reference code's data
 * were not available: these are our own, chosen (among a handful of hand-written candidates) so
 * that full-batch GD shows several plateaus within the reference step budgets. They are NOT the
 * reference's data, so only the qualitative picture (number of plateaus, ordering, rough scale
 * of the exits) is comparable with the reference numbers kept here.
 *
 * "1d": x ∈ {−1, −½, 0, ½, 1} with a constant-one column (the bias as an input: x̃ = (x, 1), so the
 *   bias-free net on x̃ stays 2-homogeneous), y = (−0.2, −0.1, 0, 0.5, 1): a strong right leg
 *   (a > 0 neurons) and a weak left leg (a < 0 neurons) of opposite sign.
 * "3d": 7 points of R³ (no bias column) with targets of both signs and varied magnitudes.
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
  /** Init std σ = 50^{log50Std} per weight (balanced: a_j = ±‖w_j‖). */
  log50Std: number;
  lr: number;
  steps: number;
  /** Exit steps of the reference runs (other data: for orientation only). */
  referenceExitSteps: number[];
}

export const SADDLE_PRESETS: Record<SaddlePresetName, SaddlePreset> = {
  "1d": {
    name: "1d",
    X: [[-1, 1], [-0.5, 1], [0, 1], [0.5, 1], [1, 1]],
    y: [-0.2, -0.1, 0, 0.5, 1],
    width: 50,
    log50Std: -3,
    lr: 1e-3,
    steps: 600_000,
    referenceExitSteps: [4.2e4, 1.52e5],
  },
  "3d": {
    name: "3d",
    X: [[1, 0, 0.2], [0, 1, 0.2], [-1, 0, 0.2], [0, -1, 0.2], [0.7, 0.7, -0.3], [-0.7, 0.7, 0.5], [0.3, -0.8, -0.6]],
    y: [1.0, -0.6, 0.45, -0.3, 0.8, 0.2, -0.15],
    width: 50,
    log50Std: -6.5,
    lr: 1e-3,
    steps: 800_000,
    referenceExitSteps: [0.8e5, 1.2e5, 1.7e5, 3.3e5],
  },
};

/** The preset's data as model data (n×d inputs, n×1 targets). */
export function presetData(p: SaddlePreset): ModelData {
  return { X: fromRows(p.X), Y: fromRows(p.y.map((v) => [v])) };
}
