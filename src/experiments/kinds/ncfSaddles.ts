import { z } from "zod";
import { makeBuiltin } from "../../data/index.js";
import { twoLayerArchitecture } from "../../model/index.js";
import { saddleToSaddle } from "../../ncf/index.js";
import { unitSphere } from "../../random/index.js";
import { atLeast, atMost, linePlot, type FigureSpec, type Verdict } from "../../report/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec, SummaryOfRun } from "../types.js";
import { levelField, log10DeltaField, slopeField, sinDataFields, widthField } from "./base.js";
import { withMarks } from "./ncfFigures.js";

const saddleSchema = z.strictObject({
  ...sinDataFields(20, 5, 16),
  width: widthField(6),
  slope: slopeField(0.1, 0.99),
  log10Delta: log10DeltaField(-80),
  tMax: z.number().positive().max(1e4).default(40),
  level: levelField(1e-2),
});
type SaddleParams = z.infer<typeof saddleSchema>;

/**
 * `ncf-saddles` (family "ncf"): gradient flow (square loss, sum) from δ·w₀, stage detection on the
 * loss curve (plateaus: |d log ℒ/dt| ≤ 0.05 for ≥ 0.5 time units), and at each plateau whose
 * neurons separate (gap ≥ 10³ in norm) the residual-NCF prediction: the small neurons grow at
 * 2𝒩*_res along the argmax direction of 𝒩_res(u) = Σ_i (y_i − H_n(x_i))H_z(x_i; u), and leave
 * at t₀ + (log ρ − log‖z(t₀)‖)/(2𝒩*_res). Tolerances: the growth rate within 2% (the small block
 * needs a few time units to align, which bends log‖z‖ at the start); the exit time within
 * 5% of the predicted remaining time + 0.1 (lag of alignment, as for the first escape); the
 * direction of the neuron that switches on within cos ≥ 0.99. The run's seed draws w₀ and the
 * residual-NCF search starts (the tour runs seed 16).
 */
async function runSaddles(spec: RunSpec<SaddleParams>, ctx: RunContext) {
  const P = spec.params;
  const ds = makeBuiltin(`builtin:sin?n=${P.n}&d=${P.d}&seed=${P.dataSeed}`);
  const arch = twoLayerArchitecture({ d: P.d, m: P.width, activation: { name: "leaky_relu", slope: P.slope } });
  const w0 = unitSphere(ctx.rng("w0"), arch.m * (arch.d + 1));
  const r = saddleToSaddle(arch, ds, w0, ctx.rng("saddles"), { logDelta: P.log10Delta * Math.LN10, tMax: P.tMax, level: P.level });
  const verdicts: Verdict[] = [];
  const rows: Array<Record<string, number | string>> = [];
  r.predictions.forEach((p, i) => {
    const label = `plateau ${i + 1} [${p.plateau.tStart.toFixed(2)}, ${p.plateau.tEnd.toFixed(2)}]`;
    rows.push({
      plateau: i + 1, tStart: p.plateau.tStart, tEnd: p.plateau.tEnd, loss: Math.exp(p.plateau.logLoss), bigNeurons: p.bigNeurons.length,
      ncfStarResidual: p.ncfStarResidual, predictedExit: p.predictedExit, observedExit: p.observedExit,
      predictedRate: p.predictedRate, observedRate: p.observedRate, directionCosine: p.directionCosine,
    });
    ctx.metric({ stage: "plateau", index: i + 1, predictedExit: p.predictedExit, observedExit: p.observedExit });
    verdicts.push(
      atMost(`${label}: |observed/predicted growth rate of the small block − 1| (2𝒩*_res = ${p.predictedRate.toFixed(4)})`, Math.abs(p.observedRate / p.predictedRate - 1), 0.02),
      atMost(`${label}: |observed − predicted exit time| / (predicted − t₀)`, Math.abs(p.observedExit - p.predictedExit) / Math.max(1e-9, p.predictedExit - p.t0), 0.05 + 0.1 / Math.max(1e-9, p.predictedExit - p.t0)),
      atLeast(`${label}: cos(direction switched on, argmax of 𝒩_res)`, p.directionCosine, 0.99),
    );
  });
  verdicts.push(atLeast("saddle-to-saddle: plateaus with a residual-NCF prediction", r.predictions.length, 2, "the origin and at least one later saddle"));
  const loss = r.samples.filter((_, i) => i % 4 === 0).map((s) => ({ t: s.t, loss: s.loss, series: "loss" }));
  const marks = r.predictions.map((p, i) => ({ t: p.predictedExit, prediction: `residual-NCF exit ${i + 1}` }));
  return {
    summary: {
      plateaus: r.plateaus.length, predictions: r.predictions.length,
      ...(Object.fromEntries(rows.flatMap((row) => [[`predictedExit_${row.plateau}`, row.predictedExit], [`observedExit_${row.plateau}`, row.observedExit]])) as Record<`${"predicted" | "observed"}Exit_${number}`, number>),
    },
    verdicts,
    series: { plateaus: rows, loss, marks },
  };
}

function saddleFigures(result: ExperimentResult<NcfSaddlesSummary>): FigureSpec[] {
  return [{
    name: "loss-plateaus",
    title: "Loss with plateaus; dashed: residual-NCF predicted exits",
    caption: "Each plateau is a saddle (w̄_n, 0); the small neurons grow at 2𝒩*_res and leave at the dashed line.",
    vegaLite: withMarks(linePlot({ data: result.series.loss ?? [], x: "t", y: "loss", logY: true, xTitle: "t", yTitle: "ℒ", points: false }), result.series.marks ?? [], "prediction"),
  }];
}

/** The summary of a runSaddles result (src/experiments/summaries.ts). */
export type NcfSaddlesSummary = SummaryOfRun<typeof runSaddles>;

registerExperiment<SaddleParams, NcfSaddlesSummary>({
  kind: "ncf-saddles",
  family: "ncf",
  title: "Saddle-to-saddle dynamics predicted by residual NCFs",
  description: "Gradient flow from δ·w₀ (square loss): plateau detection on the loss, and at each plateau the residual-NCF prediction of the growth rate, exit time and direction of the neurons that switch on next.",
  schema: saddleSchema,
  run: runSaddles,
  figures: saddleFigures,
  headline: { seed: 16 },
});

