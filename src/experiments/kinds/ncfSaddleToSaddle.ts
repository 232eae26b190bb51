import { z } from "zod";
import { twoLayerArchitecture } from "../../model/index.js";
import { balancedInit, gdSaddleToSaddle, presetData, SADDLE_PRESETS } from "../../ncf/index.js";
import { atLeast, atMost, type FigureSpec, type Verdict } from "../../report/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec, SummaryOfRun } from "../types.js";
import { levelField } from "./base.js";

const s2sSchema = z.strictObject({
  /** Which reference data set(s) to run (src/ncf/saddlePresets.ts). */
  presets: z.array(z.enum(["1d", "3d"])).min(1).default(["1d", "3d"]),
  /** Override the preset's step budget (e.g. shorter smoke runs). */
  steps: z.number().int().min(1000).max(5_000_000).optional(),
  /** Level λ on the small block's norm ‖z‖ that marks its exit. */
  level: levelField(0.1),
  /** Plateau detection: |Δlog ℒ/Δt| ≤ rateTol (per unit of GD time t = η·k) for ≥ minDuration. */
  rateTol: z.number().positive().default(0.005),
  minDuration: z.number().positive().default(5),
  /** Record every this many GD steps. */
  every: z.number().int().min(1).max(10_000).default(100),
});
type S2sParams = z.infer<typeof s2sSchema>;

/**
 * `ncf-saddle-to-saddle` (family "ncf"): the width-50 saddle-to-saddle runs of docs/science/small-init.md §5
 * on the reference runs' data (SADDLE_PRESETS: "1d" = the 5 points with a constant-one column of
 * Wu, Şimşek & Ged's notebook, σ = 50^−3, 6e5 steps; "3d" = their 7 points of R³, σ = 50^−6.5, 8e5
 * steps). Full-batch GD with η = 2e-3 on ℒ = (1/2n)Σ(f − y)² (the notebooks' lr 1e-3 on the plain
 * mean squared error), from a balanced initialisation a_j = ±‖w_j‖ of the same scale (the authors'
 * own weights are reproduced by `splitscape reproduce saddles/…`). Plateaus are detected on
 * log ℒ vs t = η·k; each is predicted by the residual NCF at its *current* saddle, with the small
 * block flowing from where it is (src/ncf/plateauPrediction.ts). Verdicts:
 *  - ≥ 2 plateaus with a prediction (the origin and at least one later saddle);
 *  - exit at ‖z‖ = λ: |t_obs − t_flow| ≤ tol·(t_flow − t₀), tol = λ² + 2·gap + 0.005, where λ² bounds
 *    the relative rate error of the linearisation at the level (the block's own output ~‖z‖²),
 *    gap = |ℒ(t₀) − ℒ(θ̄)|/ℒ(θ̄) measures how far the big block still is from its saddle at entry
 *    (the residual it sees differs by that much), and 0.005 covers GD vs gradient flow (η·‖∇²ℒ‖)
 *    and the sampling of the crossing (every 100 steps = 0.1 time units);
 *  - the switching neuron's direction is closer to the predicted KKT direction of 𝒩_res than to
 *    any other KKT direction of the same sign: cos ≥ cos(½·separation);
 *  - a plateau whose predicted exit lies beyond the run shows no exit within the run.
 * The naive prediction from the global maximum 𝒩*_res is reported beside (no verdict).
 * On the reference data (since the data became available; the kind was built on invented data)
 * every verdict of "1d" and of the first "3d" plateau passes; on "3d" plateaus 2–4 the prediction
 * does not hold yet: at plateau 2 the small block flows to a direction with 𝒩_res(û_res) < 0, so
 * the exit formula has no finite time (it prints a negative one), and the later predictions miss
 * the observed exits by more than the band. An open question of the residual-NCF analysis, not of
 * the run: `splitscape reproduce saddles/3d` matches the authors' own exits.
 * The run's seed draws the balanced initialisation of each preset (streams init-1d, init-3d) and
 * the residual-NCF search starts; the bands above were checked at seed 1 (test/ncf).
 */
async function runS2s(spec: RunSpec<S2sParams>, ctx: RunContext) {
  const P = spec.params;
  const verdicts: Verdict[] = [];
  const rows: Array<Record<string, number | string>> = [];
  const loss: Array<Record<string, number | string>> = [];
  const marks: Array<Record<string, number | string>> = [];
  const summary: Record<`${string}_${"predicted" | "observed"}ExitStep_${number}` | `${string}_plateaus`, number> = {};
  for (const name of P.presets) {
    const pre = SADDLE_PRESETS[name];
    const data = presetData(pre);
    const arch = twoLayerArchitecture({ d: pre.X[0].length, m: pre.width, activation: { name: "relu" } });
    const theta0 = balancedInit(arch, Math.pow(50, pre.log50Std), ctx.rng(`init-${name}`));
    const steps = P.steps ?? pre.steps;
    const r = gdSaddleToSaddle(arch, data, theta0, ctx.rng(`s2s-${name}`), {
      lr: pre.lr, steps, every: P.every, level: P.level, mean: true, rateTol: P.rateTol, minDuration: P.minDuration,
    });
    const tEnd = r.run.t[r.run.t.length - 1];
    // loss samples for a log-step axis: ~600 log-spaced plus ~600 evenly spaced records
    const nRec = r.run.step.length;
    const keep = new Set<number>([1, nRec - 1]);
    for (let q = 0; q <= 600; q++) keep.add(Math.min(nRec - 1, Math.round(Math.exp((q / 600) * Math.log(nRec - 1)))));
    for (let i = 0; i < nRec; i += Math.max(1, Math.floor(nRec / 600))) keep.add(i);
    for (const i of [...keep].sort((x, y) => x - y)) if (r.run.step[i] > 0) loss.push({ preset: name, step: r.run.step[i], loss: r.run.loss[i] });
    let predicted = 0;
    r.plateaus.forEach((pl, i) => {
      const p = r.predictions[i];
      const label = `${name} plateau ${i + 1} [${(pl.tStart / pre.lr).toExponential(2)}, ${(pl.tEnd / pre.lr).toExponential(2)}] steps`;
      if (pl.tStart > 0) marks.push({ preset: name, step: pl.tStart / pre.lr, kind: "plateau start" });
      if (pl.tEnd < tEnd) marks.push({ preset: name, step: pl.tEnd / pre.lr, kind: "loss exit" });
      if (!p) {
        rows.push({ preset: name, plateau: i + 1, startStep: pl.tStart / pre.lr, lossExitStep: pl.tEnd / pre.lr, loss: Math.exp(pl.logLoss), note: "no big/small separation" });
        return;
      }
      predicted++;
      const gap = Math.abs(Math.exp(pl.logLoss) - p.saddleLoss) / p.saddleLoss;
      const entryLoss = r.run.loss[r.run.t.findIndex((t) => t >= p.tEntry)];
      const entryGap = Math.abs(entryLoss - p.saddleLoss) / p.saddleLoss;
      const referenceExit = pre.referenceExitSteps[i] ?? NaN;
      rows.push({
        preset: name, plateau: i + 1, startStep: p.tEntry / pre.lr, lossExitStep: pl.tEnd / pre.lr, loss: Math.exp(pl.logLoss), saddleLoss: p.saddleLoss,
        bigNeurons: p.big.length, log10Rho: p.logRho / Math.LN10, ncfResFlow: p.flowValue, ncfStarRes: p.ncfStarResidual,
        predictedExitStep: p.flowPredictedExit / pre.lr, asymptoticExitStep: p.predictedExit / pre.lr, naiveExitStep: p.naivePredictedExit / pre.lr,
        observedExitStep: p.observedExit / pre.lr, referenceExitStep: referenceExit,
        switchingSign: p.switchingSign, switchingDirection: p.switchingDirection.map((v) => v.toFixed(3)).join(" "),
        predictedSign: p.predictedSign, predictedDirection: p.predictedDirection.map((v) => v.toFixed(3)).join(" "),
        directionCosine: p.directionCosine, flowCosine: p.flowCosine, plateauGap: gap,
      });
      ctx.metric({ stage: "plateau", preset: name, index: i + 1, predictedExit: p.flowPredictedExit, observedExit: p.observedExit });
      summary[`${name}_predictedExitStep_${i + 1}`] = p.flowPredictedExit / pre.lr;
      summary[`${name}_observedExitStep_${i + 1}`] = p.observedExit / pre.lr;
      if (Number.isFinite(p.flowPredictedExit) && p.flowPredictedExit <= tEnd) {
        marks.push({ preset: name, step: p.flowPredictedExit / pre.lr, kind: "predicted exit" });
        const tol = P.level ** 2 + 2 * entryGap + 0.005;
        const remaining = p.flowPredictedExit - p.tEntry;
        verdicts.push({
          claim: `${label}: |observed − predicted exit| / (predicted − t₀), ‖z‖ = ${P.level}`,
          measured: Math.abs(p.observedExit - p.flowPredictedExit) / remaining, tolerance: `≤ ${tol.toPrecision(3)}`,
          pass: Math.abs(p.observedExit - p.flowPredictedExit) / remaining <= tol,
          note: `observed ${(p.observedExit / pre.lr).toExponential(4)} vs predicted ${(p.flowPredictedExit / pre.lr).toExponential(4)} steps (asymptotic log(λ/ρ)/(2𝒩_res(û_res)): ${(p.predictedExit / pre.lr).toExponential(4)}, naive global max: ${(p.naivePredictedExit / pre.lr).toExponential(4)}); tol = λ² + 2·|ℒ(t₀) − ℒ(θ̄)|/ℒ(θ̄) + 0.005`,
        });
        verdicts.push(atLeast(
          `${label}: cos(switching neuron, largest neuron of û_res), sign ${p.predictedSign > 0 ? "+" : "−"}`, p.directionCosine, p.separationCosine,
          `tolerance cos(½·angle to the nearest other KKT direction of 𝒩_res of that sign): closer to the predicted direction than to any other`,
        ));
      } else {
        verdicts.push(atMost(
          `${label}: predicted exit beyond the run (${Number.isFinite(p.flowPredictedExit) ? (p.flowPredictedExit / pre.lr).toExponential(3) : "never"}): no exit observed within it`,
          Number.isFinite(p.observedExit) ? 1 : 0, 0, `𝒩_res(û_res) = ${p.flowValue.toExponential(3)}, log₁₀ρ = ${(p.logRho / Math.LN10).toFixed(2)}`,
        ));
      }
    });
    verdicts.push(atLeast(`${name}: plateaus with a residual-NCF prediction`, predicted, 2, "the origin and at least one later saddle"));
    summary[`${name}_plateaus`] = r.plateaus.length;
  }
  return { summary, verdicts, series: { plateaus: rows, loss, marks } };
}

function s2sFigures(result: ExperimentResult<NcfSaddleToSaddleSummary>): FigureSpec[] {
  const loss = result.series.loss ?? [];
  const marks = result.series.marks ?? [];
  const presets = [...new Set(loss.map((r) => String(r.preset)))];
  return presets.map((name) => ({
    name: `loss-${name}`,
    title: `${name}: loss vs GD step (log–log) with plateaus and residual-NCF predicted exits`,
    caption: "Light grey: detected plateau starts; dark grey: loss exits (plateau ends); red dashed: the residual-NCF flow's predicted crossing of ‖z‖ = λ by the small block of each plateau (computed at the plateau's saddle, from the block's state at entry).",
    vegaLite: {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      width: 560, height: 320,
      layer: [
        {
          data: { values: loss.filter((r) => r.preset === name) },
          mark: { type: "line", strokeWidth: 1.6 },
          encoding: { x: { field: "step", type: "quantitative", scale: { type: "log", nice: false }, title: "GD step" }, y: { field: "loss", type: "quantitative", scale: { type: "log" }, title: "ℒ" } },
        },
        {
          data: { values: marks.filter((r) => r.preset === name) },
          mark: { type: "rule", strokeWidth: 1.2 },
          encoding: {
            x: { field: "step", type: "quantitative" },
            color: { field: "kind", type: "nominal", title: "mark", scale: { domain: ["plateau start", "loss exit", "predicted exit"], range: ["#bbbbbb", "#555555", "#d62728"] } },
            strokeDash: { field: "kind", type: "nominal", title: "mark", scale: { domain: ["plateau start", "loss exit", "predicted exit"], range: [[1, 0], [1, 0], [5, 3]] } },
          },
        },
      ],
    },
  }));
}

/** The summary of a runS2s result (src/experiments/summaries.ts). */
export type NcfSaddleToSaddleSummary = SummaryOfRun<typeof runS2s>;

registerExperiment<S2sParams, NcfSaddleToSaddleSummary>({
  kind: "ncf-saddle-to-saddle",
  family: "ncf",
  title: "Width-50 saddle-to-saddle on the reference runs' 1-D and 3-D data, each plateau predicted by its residual NCF",
  description: "Full-batch GD (η = 2e-3 on ½·mean, balanced small init) on the reference runs' 5-point 1-D (with a constant-one column) and 7-point 3-D data: detected plateaus, each annotated by the residual-NCF prediction at its current saddle (exit time and switching direction) against the observed ones.",
  schema: s2sSchema,
  run: runS2s,
  figures: s2sFigures,
});

