import { gradientDescent } from "../../dynamics/index.js";
import { makeObjective, twoLayerParts, type Model, type TwoLayerArchitecture } from "../../model/index.js";
import { detectPlateaus, presetData, type SaddlePreset } from "../../ncf/index.js";
import { formatNumber, type FigureSpec, type Row } from "../../report/index.js";
import { claim } from "../claims.js";
import { rasterDeviation } from "../curves.js";
import { comparisonPlot } from "../figures.js";
import { publishedCurve } from "../papers.js";
import type { Claim, ReproductionResult } from "../types.js";

/**
 * What the saddle-to-saddle reproductions share: the paper, the authors' repository, the GD run
 * with the notebooks' recording, the plateau exits, the claims on them and the four-panel figure
 * of the paper (loss, input-weight angles, input-weight norms, output weights against the step).
 */

export const SADDLES_PAPER = "F. Z. Wu, B. Şimşek, F. G. Ged, Loss landscape of shallow ReLU-like neural networks: stationary points, saddle escape, and network embedding (ICLR 2025)";
export const SADDLES_REPO = "github.com/ZhengqingUUU/relu_like_NN_loss_landscape (commit fdcac59)";

/** The notebooks record the loss every LOSS_EVERY steps for exit detection and weights every WEIGHTS_EVERY (operation_step_gap). */
const LOSS_EVERY = 100;
export const WEIGHTS_EVERY = 2_000;

/** A GD run of a saddle preset. */
export interface SaddleRun {
  /** Steps taken and why the run ended ("maxSteps", or "loss" at the notebooks' early stop). */
  steps: number;
  stop: string;
  /** Mean squared error (the notebooks' F.mse_loss = 2ℒ) every LOSS_EVERY steps and at the end. */
  sampleSteps: number[];
  mse: number[];
  /** The weights every WEIGHTS_EVERY steps: step, W (m×d row-major), a. */
  weights: Array<{ step: number; W: Float64Array; a: Float64Array }>;
  /** θ at the end, and the MSE of the last step's iterate (θ_{K−1}: the loss the notebook's last iteration computes). */
  theta: Float64Array;
  lastMse: number;
}

/** Full-batch GD of the preset from `start` (the authors' weights) for at most `steps` steps. */
export function runSaddles(preset: SaddlePreset, start: Model, steps: number): SaddleRun {
  const arch = start.arch as TwoLayerArchitecture;
  const obj = makeObjective(arch, presetData(preset), "square", { mean: true });
  const out: SaddleRun = { steps: 0, stop: "", sampleSteps: [], mse: [], weights: [], theta: start.theta, lastMse: NaN };
  const r = gradientDescent(obj, start.theta, {
    lr: preset.lr,
    stop: { maxSteps: steps, lossBelow: preset.stopLoss },
    onStep: (p, theta) => {
      if (p.step % LOSS_EVERY === 0) {
        out.sampleSteps.push(p.step);
        out.mse.push(2 * p.loss);
      }
      if (p.step % WEIGHTS_EVERY === 0) {
        const { W, a } = twoLayerParts(arch, theta);
        out.weights.push({ step: p.step, W: Float64Array.from(W), a: Float64Array.from(a) });
      }
      if (p.step === steps - 1) out.lastMse = 2 * p.loss;
    },
  });
  if (out.sampleSteps[out.sampleSteps.length - 1] !== r.steps) {
    out.sampleSteps.push(r.steps);
    out.mse.push(2 * r.loss);
  }
  // GD stops at an exact fixed point of its step (θ − η∇ℒ(θ) = θ in float64, dynamics' "fixedPoint"):
  // every later iterate is θ itself, so the last step's loss is the loss there.
  const lastMse = r.stop === "fixedPoint" && r.steps < steps ? 2 * r.loss : out.lastMse;
  return { ...out, steps: r.steps, stop: r.stop, theta: r.theta, lastMse };
}

/** Plateau detection threshold: |Δ log MSE| ≤ 10⁻³ per 1,000 steps, as a rate per unit of GD time t = lr·k. */
function rateTol(preset: SaddlePreset, perThousandSteps: number): number {
  return perThousandSteps / (1000 * preset.lr);
}

/**
 * The steps at which the loss leaves its plateaus: the ends of the plateaus detected on log MSE
 * against t = lr·k (detectPlateaus, plateaus of at least 10,000 steps), those that end before
 * the run does, with the threshold |Δ log MSE| ≤ `perThousandSteps` per 1,000 steps.
 */
export function exitSteps(preset: SaddlePreset, run: SaddleRun, perThousandSteps = 1e-3): number[] {
  const t = run.sampleSteps.map((k) => k * preset.lr);
  const logMse = run.mse.map(Math.log);
  const plateaus = detectPlateaus(t, logMse, { rateTol: rateTol(preset, perThousandSteps), minDuration: 10_000 * preset.lr });
  const end = t[t.length - 1];
  return plateaus.filter((p) => p.tEnd < end).map((p) => Math.round(p.tEnd / preset.lr));
}

/**
 * The exit of `alt` that corresponds to ours[i]: the nearest one closer to ours[i] than half the
 * distance to its neighbouring exits (undefined when the other threshold merged or split that plateau).
 */
function matching(alt: readonly number[], ours: readonly number[], i: number): number | undefined {
  const lo = i > 0 ? (ours[i] - ours[i - 1]) / 2 : Number.POSITIVE_INFINITY;
  const hi = i < ours.length - 1 ? (ours[i + 1] - ours[i]) / 2 : Number.POSITIVE_INFINITY;
  let best: number | undefined;
  for (const e of alt) {
    const d = e - ours[i];
    if ((d < 0 ? -d < lo : d < hi) && (best === undefined || Math.abs(d) < Math.abs(best - ours[i]))) best = e;
  }
  return best;
}

/**
 * One claim per authors' exit mark inside the run: our exit (threshold 10⁻³ per 1,000 steps)
 * against the mark, within the mark's rounding (`markUnit`/2) plus the shift of our exit when the
 * threshold moves threefold either way (a smooth drop has no sharper start).
 */
export function exitClaims(preset: SaddlePreset, run: SaddleRun, markUnit: number, source: string): Claim[] {
  const ours = exitSteps(preset, run);
  const alternatives = [exitSteps(preset, run, 3e-3), exitSteps(preset, run, 3e-4)];
  const marks = preset.referenceExitSteps.filter((m) => m < run.steps - 10_000);
  return marks.map((mark, i) => {
    const k = ours.length === marks.length ? ours[i] : NaN;
    const shifts = alternatives.map((alt) => matching(alt, ours, i)).filter((e): e is number => e !== undefined).map((e) => Math.abs(e - k));
    const spread = Math.max(0, ...shifts);
    return claim({
      name: `plateau exit ${i + 1}: the step where the loss leaves plateau ${i + 1} (authors' mark "epoch ${mark / 1000}k")`,
      why: `the authors marked by eye where the loss leaves each plateau, to ${formatNumber(markUnit)} steps; ours is the end of the plateau detected on log MSE with |Δ log MSE| ≤ 10⁻³ per 1,000 steps (sampled every ${LOSS_EVERY}). A smooth drop has no sharper start: moving that threshold threefold either way moves our exit by up to ${formatNumber(spread)} steps, which plus half the mark's rounding (${formatNumber(markUnit / 2)}) is the tolerance. The notebook ran in float32, we in float64: a float32 NumPy re-run of the notebook from the same weights gives the same exits to a 1,000-step sample (scripts/papers/check_recipes.py)`,
      source,
    }, mark, k, markUnit / 2 + spread, "abs");
  });
}

/** The published loss panel (digitized, one point per pixel column) against our MSE: largest distance in pixels. */
export function lossPanelClaim(key: string, run: SaddleRun): Claim {
  const curve = publishedCurve(key);
  const dev = rasterDeviation(curve, run.sampleSteps, run.mse);
  return claim({
    name: `loss panel of the published figure: ${dev.compared} of its ${dev.total} digitized points, largest distance from our MSE curve (pixels)`,
    why: `the figure is a 300-dpi PNG: each point is read to about a pixel (${formatNumber(curve.resolution.y)} in MSE, ${formatNumber(curve.resolution.x ?? 0)} steps); our curve may move one pixel in x; tolerance 2 pixels (the reading and the line's width). The notebook's loss is float32, ours float64: their difference is far below a pixel`,
    source: curve.source,
  }, `${dev.total} points`, dev.max, 2, "atMost");
}

/** Neurons that are dead at θ: w_jᵀx_i ≤ 0 for every data point (ReLU never active). */
export function deadNeurons(arch: TwoLayerArchitecture, theta: Float64Array, X: number[][]): number[] {
  const { W } = twoLayerParts(arch, theta);
  const dead: number[] = [];
  for (let j = 0; j < arch.m; j++) {
    const alive = X.some((x) => x.reduce((s, v, c) => s + v * W[j * arch.d + c], 0) > 0);
    if (!alive) dead.push(j);
  }
  return dead;
}

/** Angle of the first two input-weight components in [0, 2π), as the notebooks' to_right_range(arctan2(w₁, w₀)). */
export function inputAngle(w0: number, w1: number): number {
  const a = Math.atan2(w1, w0);
  return (a + 2 * Math.PI) % (2 * Math.PI);
}

/** The rows of the paper's four panels: per recorded step and neuron, angle, ‖w_j‖, a_j and the neuron's group. */
export function panelRows(run: SaddleRun, d: number, group: (finalAngle: number) => string): Row[] {
  const last = run.weights[run.weights.length - 1];
  const m = last.a.length;
  const groups = Array.from({ length: m }, (_, j) => group(inputAngle(last.W[j * d], last.W[j * d + 1])));
  const rows: Row[] = [];
  for (const s of run.weights) {
    for (let j = 0; j < m; j++) {
      let n2 = 0;
      for (let c = 0; c < d; c++) n2 += s.W[j * d + c] ** 2;
      rows.push({ step: s.step, neuron: j, group: groups[j], angle: inputAngle(s.W[j * d], s.W[j * d + 1]), norm: Math.sqrt(n2), a: s.a[j] });
    }
  }
  return rows;
}

/** The summary every saddle reproduction reports. */
export function saddleSummary(preset: SaddlePreset, run: SaddleRun): ReproductionResult["summary"] {
  return { steps: run.steps, stop: run.stop, finalMse: run.mse[run.mse.length - 1], exits: exitSteps(preset, run).join(", ") };
}

/** Options of saddleFigures. */
export interface SaddleFigureOptions {
  title: string;
  curveKey: string;
  /** The paper's y limits of the loss panel and its x limit (the 3-D figure stops at 6e5). */
  lossDomain: [number, number];
  colours: Record<string, string>;
}

/** The paper's four panels: loss, input-weight angle, input-weight norm, output weight against the step. */
export function saddleFigures(result: ReproductionResult, preset: SaddlePreset, o: SaddleFigureOptions): FigureSpec[] {
  const marks = preset.referenceExitSteps.map((x) => ({ x, label: `epoch ${x / 1000}k` }));
  const published = publishedCurve(o.curveKey).points.map(([step, mse]) => ({ step, mse }));
  const panel = (name: string, field: string, yTitle: string, domain?: [number, number]): FigureSpec => ({
    name,
    title: `${o.title}: ${yTitle} of every neuron vs the GD step`,
    caption: "One line per neuron, coloured by the notebook's grouping of the final input-weight angles; dotted: the authors' marks.",
    vegaLite: neuronPanel(result.series.neurons ?? [], field, yTitle, o.colours, marks, domain),
  });
  return [
    {
      name: "loss",
      title: `${o.title}: mean squared error vs the GD step`,
      caption: "Line: our MSE (float64); circles: the authors' loss panel read off their figure (float32, one point per pixel column); dotted: the authors' plateau-exit marks.",
      vegaLite: comparisonPlot({
        ours: result.series.loss ?? [], published, x: "step", y: "mse", xTitle: "epoch (GD step)", yTitle: "loss (mean squared error)",
        oursLabel: "splitscape (float64)", publishedLabel: "published (digitized figure)", marks, yDomain: o.lossDomain,
      }),
    },
    panel("angles", "angle", "input-weight angle (rad)", [0, 2 * Math.PI]),
    panel("input-norms", "norm", "input-weight norm ‖w_j‖"),
    panel("output-weights", "a", "output weight a_j"),
  ];
}

function neuronPanel(rows: readonly Row[], field: string, yTitle: string, colours: Record<string, string>, marks: ReadonlyArray<{ x: number; label: string }>, domain?: [number, number]): Record<string, unknown> {
  const groups = Object.keys(colours);
  const x = { field: "step", type: "quantitative", title: "epoch (GD step)", scale: { nice: false } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", width: 460, height: 260, background: "white",
    layer: [
      {
        data: { values: rows },
        mark: { type: "line", strokeWidth: 1, opacity: 0.6, clip: true },
        encoding: {
          x, y: { field, type: "quantitative", title: yTitle, scale: domain ? { domain, nice: false } : { zero: false } },
          detail: { field: "neuron", type: "nominal" },
          color: { field: "group", type: "nominal", title: null, scale: { domain: groups, range: groups.map((g) => colours[g]) }, legend: { orient: "right" } },
        },
      },
      { data: { values: marks.map((m) => ({ step: m.x })) }, mark: { type: "rule", strokeDash: [2, 2], color: "black" }, encoding: { x } },
    ],
  };
}

/** Rows {step, mse} of our loss for the figure (every 1,000 steps). */
export function lossSeries(run: SaddleRun): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < run.sampleSteps.length; i++) if (run.sampleSteps[i] % 1000 === 0 || i === run.sampleSteps.length - 1) rows.push({ step: run.sampleSteps[i], mse: run.mse[i] });
  return rows;
}
