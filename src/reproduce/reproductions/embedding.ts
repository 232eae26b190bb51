import type { Dataset } from "../../data/index.js";
import { hiddenLayers, type Architecture, type Model } from "../../model/index.js";
import { formatNumber, type FigureSpec, type Row } from "../../report/index.js";
import { composeEmbeddings, splitMap, type EmbeddingMap } from "../../splitting/index.js";
import { claim, printedFixed } from "../claims.js";
import { commutationRun, roundingLevel, type CommutationOptions, type CommutationRun } from "../commutation.js";
import { vectorDeviation, vectorTolerance } from "../curves.js";
import { comparisonPlot, envelopeIndices, figureIndices } from "../figures.js";
import { publishedCurve } from "../papers.js";
import type { Claim } from "../types.js";

/**
 * What the embedding paper's reproductions share: the paper, the authors' repository, the
 * splitting map of their notebooks, the side-by-side run, and the claims and figures every
 * experiment of the paper has (printed losses, final norm, trajectory error at rounding level,
 * the published loss curve).
 */

export const EMBEDDING_PAPER = "J. Zhang, Y. Zhang, T. Luo, Embedding principle of homogeneous neural network for classification problem (NeurIPS 2025, arXiv:2505.12419)";
export const EMBEDDING_REPO = "github.com/Silentmoonlight/kkt-embedding-principle (commit 347d3ac)";

/** The notebooks' splitting coefficients c = (1/√2, 1/√2), computed as they compute them (1/√2, not the constant SQRT1_2, which is one unit larger in the last place). */
export const HALF_SPLIT = [1 / Math.sqrt(2), 1 / Math.sqrt(2)];

/** Every unit (channel) of hidden layer `layer` split into two copies with c = HALF_SPLIT, as the notebooks' transform functions do. */
export function splitEveryUnit(arch: Architecture, width: number, layer = 1): EmbeddingMap {
  if (layer < 1 || layer > hiddenLayers(arch)) throw new RangeError(`splitEveryUnit: no hidden layer ${layer}`);
  let T = splitMap(arch, { layer, unit: 0 }, HALF_SPLIT);
  for (let j = 1; j < width; j++) T = composeEmbeddings(splitMap(T.to, { layer, unit: j }, HALF_SPLIT), T);
  return T;
}

/** An experiment of the paper: data, narrow starting weights, the map and the training settings. */
export interface EmbeddingSetting extends CommutationOptions {
  data: Dataset;
  start: Model;
  T: EmbeddingMap;
}

/** The side-by-side run of a setting (commutation.ts). */
export function runSetting(s: EmbeddingSetting): CommutationRun {
  return commutationRun(s.T, s.data, s.start.theta, s);
}

/** ‖v‖₂. */
export function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** Printed losses "Step s/…, Loss: x" of a notebook: at print s the loss is ℒ(θ_{s−1}). */
export type PrintedLosses = ReadonlyArray<readonly [step: number, loss: number]>;

/**
 * Two claims on the losses a notebook prints with 6 decimals (every 10,000 steps): the last one,
 * and the largest difference over all of them. Both runs are float64 on the same data and
 * weights, so only the print's rounding separates them: half a unit of the 6th decimal.
 */
export function printedLossClaims(run: CommutationRun, printed: PrintedLosses, source: string): Claim[] {
  const why = "both runs are float64 (the notebook uses torch.double) on the same data and starting weights, so only the print's rounding separates them: half a unit of the 6th decimal";
  const out: Claim[] = [];
  const [lastStep, lastLoss] = printed[printed.length - 1];
  if (lastStep - 1 < run.loss.length) {
    out.push(printedFixed({ name: `loss printed at step ${lastStep.toLocaleString("en-US")} (ℒ(θ_${lastStep - 1}))`, why, source }, lastLoss, run.loss[lastStep - 1], 6));
  }
  const inRun = printed.filter(([s]) => s - 1 < run.loss.length);
  if (inRun.length > 1) {
    const dev = Math.max(...inRun.map(([s, v]) => Math.abs(run.loss[s - 1] - v)));
    out.push(claim({ name: `all ${inRun.length} losses printed every 10,000 steps: largest |ours − printed|`, why, source }, inRun.map(([, v]) => v.toFixed(6)).join(", "), dev, 5e-7, "atMost"));
  }
  return out;
}

/** The final ‖θ‖ the notebook prints with 4 decimals ("Final Weight Norm of Small Net"). */
export function finalNormClaim(run: CommutationRun, published: number, source: string): Claim {
  return printedFixed({
    name: "final ‖θ‖ of the narrow net (‖η‖ of the wide one is the same: T is an isometry)",
    why: "float64 in both; half a unit of the 4th printed decimal",
    source,
  }, published, norm(run.theta), 4);
}

/**
 * max_k ‖η_k − Tθ_k‖ at rounding level, beside the published maximum over the notebook's
 * `publishedSteps` steps (printed with 5 significant digits). The published maximum is held to
 * the tolerance too when the run is as long as the notebook's; a quick run shows it for scale.
 */
export function roundingClaim(run: CommutationRun, published: number, publishedSteps: number, source: string): Claim {
  const K = run.error.length - 1;
  const tol = roundingLevel(K, run.maxNorm);
  let max = 0;
  for (let k = 1; k <= K; k++) max = Math.max(max, run.error[k]);
  return claim({
    name: `max over ${K.toLocaleString("en-US")} steps of the trajectory error ‖η_k − Tθ_k‖: at rounding level`,
    why: `in exact arithmetic the error is 0 (trajectory embedding). η_k and Tθ_k are the same numbers summed in different orders, so they differ by roundings of a few ε‖θ‖ per step that GD neither amplifies nor damps here: a random walk ~√k·ε·‖θ‖. Tolerance 10·√K·ε·max‖θ_k‖ with ε = 2⁻⁵³, K = ${K}, max‖θ_k‖ = ${formatNumber(run.maxNorm)}; the published maximum (also float64; its digits depend on summation order, not on the mathematics) must be below it too`,
    source,
  }, K >= publishedSteps ? published : `${published.toExponential(4)} (over ${publishedSteps.toLocaleString("en-US")} steps)`, max, tol, "atMost");
}

/**
 * Our loss curve against the vertices of the published loss figure (`key` in
 * published-curves.json) that lie inside the run; `ours(x)` maps the figure's x to our value.
 */
export function lossCurveClaim(key: string, ours: (x: number) => number | undefined, name: string): Claim {
  const curve = publishedCurve(key);
  const dev = vectorDeviation(curve, ours);
  const log = curve.yScale === "log";
  return claim({
    name: `${name}: ${dev.compared} of the figure's ${dev.total} vertices, largest ${log ? "relative " : ""}difference`,
    why: `the vertices of the authors' vector figure are data points read back to ${formatNumber(log ? Math.LN10 * curve.resolution.y : curve.resolution.y)}${log ? " (relative)" : ""} (1e-6 pt of the page); tolerance twice that (each vertex and each calibrating tick printed to ±½ unit); both runs float64`,
    source: curve.source,
  }, `${dev.total} vertices`, dev.max, vectorTolerance(curve), "atMost");
}

/** Rows {step, loss} of our loss curve for a figure (finite entries only, thinned). */
export function lossRows(loss: Float64Array, budget = 800): Row[] {
  const idx: number[] = [];
  for (let k = 0; k < loss.length; k++) if (Number.isFinite(loss[k])) idx.push(k);
  return figureIndices(idx.length, budget).map((i) => ({ step: idx[i], loss: loss[idx[i]] }));
}

/** Rows {step, error} of our trajectory error for a figure (upper envelope, from step 1). */
export function errorRows(error: Float64Array, budget = 1500): Row[] {
  return envelopeIndices(error, 1, budget).map((k) => ({ step: k, error: error[k] }));
}

/** Rows {step, y} of a published curve (y under the given field name). */
export function publishedRows(key: string, field: string, xField = "step"): Row[] {
  return publishedCurve(key).points.map(([x, y]) => ({ [xField]: x, [field]: y }));
}

/** Options of embeddingFigures. */
export interface EmbeddingFigureOptions {
  /** Title prefix, e.g. "Exp. 1 (GD, separable)". */
  title: string;
  /** Published curves (published-curves.json keys) of the error and the loss. */
  errorKey?: string;
  lossKey: string;
  /** x of the loss figure: "step" (default) or "epoch". */
  lossX?: "step" | "epoch";
  lossLogX: boolean;
  lossLogY: boolean;
}

/** The two figures every embedding experiment has: trajectory error (log y) and loss, on the paper's axes. */
export function embeddingFigures(series: Record<string, Row[]>, o: EmbeddingFigureOptions): FigureSpec[] {
  const lossX = o.lossX ?? "step";
  return [{
    name: "trajectory-error",
    title: `${o.title}: trajectory error ‖η(t) − Tθ(t)‖₂ vs training steps`,
    caption: "Ours: the largest error in each run of consecutive steps (so peaks show). Published: the authors' figure (its upper envelope for rounding-level curves). At rounding level both are roundings of float64 sums: their size, not their digits, is the result.",
    vegaLite: comparisonPlot({
      ours: series.error ?? [], published: o.errorKey ? publishedRows(o.errorKey, "error") : undefined, x: "step", y: "error",
      logY: publishedLogY(o.errorKey), xTitle: "Training Steps (t)", yTitle: "Euclidean Error ‖η(t) − Tθ(t)‖₂",
      oursLabel: "splitscape (float64)", publishedLabel: o.errorKey ? "published (notebook figure)" : undefined, publishedMark: "line",
    }),
  }, {
    name: "loss",
    title: `${o.title}: training loss vs ${lossX === "epoch" ? "epochs" : "steps"}`,
    caption: "Line: our exponential loss of the narrow net; circles: the vertices of the authors' figure (exact data points).",
    vegaLite: comparisonPlot({
      ours: series.loss ?? [], published: publishedRows(o.lossKey, "loss", lossX), x: lossX, y: "loss", logX: o.lossLogX, logY: o.lossLogY,
      xTitle: lossX === "epoch" ? "Epoch" : "Training Steps (t)", yTitle: "Exponential Loss", oursLabel: "splitscape (float64)", publishedLabel: "published (figure vertices)",
    }),
  }];
}

/** Whether a published curve is drawn on a log y axis (true when there is none: errors are). */
function publishedLogY(key: string | undefined): boolean {
  return key === undefined ? true : publishedCurve(key).yScale === "log";
}

/**
 * The batches of a DataLoader(batch_size = B, shuffle = True) under itertools.cycle, as the SGD
 * notebooks use it: cycle stores the first epoch's batches and replays them, so step k takes
 * batch k mod ⌈n/B⌉ of the first permutation (the last batch has n mod B samples).
 */
export function cycledBatches(perm: readonly number[], batchSize: number): (k: number) => Int32Array {
  const batches: Int32Array[] = [];
  for (let i = 0; i < perm.length; i += batchSize) batches.push(Int32Array.from(perm.slice(i, i + batchSize)));
  return (k) => batches[k % batches.length];
}
