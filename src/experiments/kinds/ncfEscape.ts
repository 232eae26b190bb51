import { cosine } from "../../linalg/index.js";
import { z } from "zod";
import { makeBuiltin } from "../../data/index.js";
import { makeObjective, twoLayerArchitecture, twoLayerParts } from "../../model/index.js";
import {
  angularScan, escapeTime, ncfEvaluator, ncfFlow, ncfFlowAlignment, ncfFlowEscapeTime, ncfKktPoints, ncfProblem, refineTwoLayerKktPoint, smallInitEscape, twoLayerClarkeResidual,
} from "../../ncf/index.js";
import { unitSphere } from "../../random/index.js";
import { atLeast, atMost, circleDirections, linePlot, type FigureSpec, type Verdict } from "../../report/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec, SummaryOfRun } from "../types.js";
import { levelField, log10DeltaField, slopeField, sinDataFields, widthField, countField } from "./base.js";
import { withMarks } from "./ncfFigures.js";

/**
 * `ncf-escape` (family "ncf"): the reference experiment of docs/science/small-init.md §4. A bias-free
 * two-layer leaky-ReLU net on y = sin(x₁) + 0.5x₂ (builtin:sin), square loss (sum):
 *  - KKT points of max 𝒩(u) s.t. ‖u‖ = 1 (seeded ascents + reduced single-neuron directions),
 *    their Clarke residuals, and 𝒩* = ½ max|Σ y_i σ(ŵᵀx_i)|;
 *  - the NCF flow ψ̇ = ∇𝒩(ψ) from w₀ and its limit KKT point û;
 *  - gradient flow from δ·w₀ for each δ (1e-20, 1e-40, 1e-80): observed escape time (‖w‖ ≥ ρ),
 *    alignment cos(w, û) at escape, against the prediction log(1/δ)/(2𝒩*).
 * Bands (derived in src/ncf/escape.ts and the tests): for the square loss d/dt log‖w‖ ≤ 2𝒩*, so
 * t(ρ) ≥ log(ρ/δ)/(2𝒩*) exactly; the NCF flow's lag behind the maximal rate,
 * lag = t − log(‖ψ(t)‖/‖ψ(0)‖)/(2𝒩*), bounds the delay, plus 0.05 for the O(‖w‖²) slow-down at
 * ρ = 1e-2. Hence t_obs/t_pred ∈ [1 − log(1/ρ)/log(1/δ), 1 + (2𝒩*·lag + 0.1)/log(1/δ)], a band
 * that shrinks to {1} as δ → 0. The alignment at escape equals the NCF flow's own alignment at
 * t_esc (claim of the note; ±0.02) and increases as δ shrinks.
 * The data seed (16) was picked among seeds 1–20 as one whose NCF flow converges slowly
 * (alignment at escape well below 1, as in the note); most seeds align to 0.999+ already at 1e-20.
 * The run's seed draws w₀ and the KKT search starts (the tour runs seed 16, the w₀ of the note).
 */

const schema = z.strictObject({
  ...sinDataFields(20, 5, 16),
  width: widthField(6),
  slope: slopeField(0.1, 0.99),
  /** log10 δ of the runs. */
  log10Deltas: z.array(log10DeltaField(-20).unwrap()).min(1).default([-20, -40, -80]),
  /** Escape level ρ on ‖w‖. */
  level: levelField(1e-2),
  starts: countField(16, 1, 10000),
  /** Length of the NCF flow whose end point defines û. */
  flowTime: z.number().positive().max(10000).default(200),
});

type Params = z.infer<typeof schema>;

async function run(spec: RunSpec<Params>, ctx: RunContext) {
  const P = spec.params;
  const ds = makeBuiltin(`builtin:sin?n=${P.n}&d=${P.d}&seed=${P.dataSeed}`);
  const arch = twoLayerArchitecture({ d: P.d, m: P.width, activation: { name: "leaky_relu", slope: P.slope } });
  const prob = ncfProblem(arch, ds);
  const kkt = ncfKktPoints(prob, { starts: P.starts, rng: ctx.rng("kkt") });
  const ncfStar = kkt.ncfStar ?? NaN;
  ctx.log(`𝒩* = ${ncfStar}, ${kkt.points.length} KKT points`);
  const scan = P.d === 2 ? angularScan(prob) : null;

  const ev = ncfEvaluator(prob);
  const w0 = unitSphere(ctx.rng("w0"), prob.p);
  const flow = ncfFlow(ev, 2, w0, { tEnd: P.flowTime, sampleEvery: 0.02 });
  const uHat = refineTwoLayerKktPoint(prob, flow.u, { massTol: 1e-6 });
  const uHatValue = ev(uHat, null);
  const uHatRes = twoLayerClarkeResidual(prob, uHat);
  const obj = makeObjective(arch, ds, "square");

  const escape: Array<Record<string, number | string>> = [];
  const traj: Array<Record<string, number | string>> = [];
  const marks: Array<Record<string, number | string>> = [];
  const verdicts: Verdict[] = [];
  let prevAlign = -Infinity;
  let minAlignStep = Infinity;
  let maxFlowGap = 0;
  let nonFinite = false;
  for (const e10 of P.log10Deltas) {
    const logDelta = e10 * Math.LN10;
    const label = `δ = 1e${e10}`;
    const pred = escapeTime({ ncfStar, L: 2, logDelta });
    const predRho = escapeTime({ ncfStar, L: 2, logDelta, level: P.level });
    const esc = smallInitEscape(obj, w0, uHat, { logDelta, level: P.level, tMax: pred.t + 3, maxSamples: 300 });
    const fl = ncfFlowAlignment(flow, uHat, esc.tEscape, ncfStar);
    const flowPred = ncfFlowEscapeTime(flow, 2, logDelta, P.level).t;
    const ratio = esc.tEscape / pred.t;
    const lo = 1 - Math.log(1 / P.level) / -logDelta;
    const hi = 1 + (2 * ncfStar * fl.lag + 0.1) / -logDelta;
    nonFinite ||= esc.anyNonFinite;
    escape.push({
      delta: label, log10Delta: e10, predicted: pred.t, predictedAtLevel: predRho.t, observed: esc.tEscape, ratio,
      bandLo: lo, bandHi: hi, flowPredicted: flowPred, alignment: esc.alignmentAtEscape, ncfFlowAlignment: fl.alignment, lag: fl.lag,
      lossEnd: esc.lossEnd,
    });
    ctx.metric({ stage: "escape", log10Delta: e10, predicted: pred.t, observed: esc.tEscape, alignment: esc.alignmentAtEscape });
    for (const s of esc.samples) {
      traj.push({ delta: label, t: s.t, log10Norm: s.logNorm / Math.LN10, loss: s.loss, alignment: s.alignment });
    }
    marks.push({ delta: label, t: pred.t, kind: "predicted log(1/δ)/(2𝒩*)" });
    verdicts.push(
      atLeast(`${label}: t_obs − log(ρ/δ)/(2𝒩*) (rigorous lower bound for the square loss)`, esc.tEscape - predRho.t, -1e-6, `ρ = ${P.level}`),
      {
        claim: `${label}: observed/predicted escape time within the derived band`,
        measured: ratio, tolerance: `[${lo.toFixed(4)}, ${hi.toFixed(4)}]`, pass: ratio >= lo && ratio <= hi,
        note: `t_obs = ${esc.tEscape.toFixed(3)}, t_pred = ${pred.t.toFixed(3)}; band [1 − log(1/ρ)/log(1/δ), 1 + (2𝒩*·lag + 0.1)/log(1/δ)], lag = ${fl.lag.toFixed(3)}`,
      },
    );
    verdicts.push(atMost(
      `${label}: |t_obs − t_ψ(ρ)|, t_ψ the NCF flow's own crossing of log(ρ/δ)`, Math.abs(esc.tEscape - flowPred), 1e-3,
      "the flow neglects the O(‖w‖³) terms of −∇ℒ: a relative rate error ≤ ρ² = 1e-4 over the last ~1/(2𝒩*) time units, plus RK4 and sampling errors (h = 2e-3, samples every 0.02)",
    ));
    maxFlowGap = Math.max(maxFlowGap, Math.abs(esc.alignmentAtEscape - fl.alignment));
    minAlignStep = Math.min(minAlignStep, esc.alignmentAtEscape - prevAlign);
    prevAlign = esc.alignmentAtEscape;
  }
  const maxRes = Math.max(...kkt.points.map((p) => p.residual / Math.max(1e-300, Math.abs(p.value))));
  verdicts.unshift(
    atMost("KKT search: best value equals 𝒩* of the reduced single-neuron problem (relative gap)", Math.abs(kkt.best - ncfStar) / ncfStar, 1e-10),
    atMost("KKT points: Clarke residual dist(2𝒩(u)u, ∂𝒩(u)) / 𝒩(u), worst point", maxRes, 1e-10, "exact kink-face solutions; the single-gradient residual is reported per point"),
    atMost("û (limit of the NCF flow from w₀): Clarke residual / 𝒩(û)", uHatRes.residual / Math.abs(uHatValue), 1e-8),
  );
  if (scan) verdicts.push(atMost("d = 2: exhaustive angular scan agrees with 𝒩*", Math.abs(scan.ncfStar - ncfStar) / ncfStar, 1e-10));
  verdicts.push(
    atMost("alignment at escape equals the NCF flow's own alignment at t_esc: max |difference|", maxFlowGap, 0.02),
    atLeast("alignment at escape does not decrease as δ shrinks: min step", P.log10Deltas.length > 1 ? minAlignStep : 0, -1e-3),
    atMost("no NaN/∞ along any run (down to the smallest δ)", nonFinite ? 1 : 0, 0),
  );
  const kktRows = kkt.points.map((p, i) => ({
    index: i, value: p.value, residual: p.residual, gradientResidual: p.gradientResidual, kind: p.kind,
    activeNeurons: p.activeNeurons ?? 0, hits: p.hits, nonNegative: String(p.nonNegative),
  }));
  const flowRows = flow.samples.filter((_, i) => i % 10 === 0).map((s) => ({ t: s.tau, alignment: cosine(s.u, uHat), value: s.value }));
  const { W, a } = twoLayerParts(arch, uHat);
  return {
    summary: {
      ncfStar, kktPoints: kkt.points.length, uHatValue, uHatResidual: uHatRes.residual, uHatActiveNeurons: Array.from(a).filter((v) => v !== 0).length,
        ...Object.fromEntries(escape.flatMap((r) => [[`observed_${r.log10Delta}`, r.observed], [`predicted_${r.log10Delta}`, r.predicted], [`flowPredicted_${r.log10Delta}`, r.flowPredicted], [`alignment_${r.log10Delta}`, r.alignment]])),
    },
    verdicts,
    series: { escape, trajectory: traj, marks, kkt: kktRows, ncfFlow: flowRows, ...(scan ? { profile: scan.profile } : {}) },
    extra: { uHat: Array.from(uHat), W: Array.from(W), a: Array.from(a), d: P.d },
  };
}

/** A line plot with vertical rules at the predicted escape times (same colours per series). */
function figures(result: ExperimentResult<NcfEscapeSummary>): FigureSpec[] {
  const traj = result.series.trajectory ?? [];
  const marks = result.series.marks ?? [];
  const figs: FigureSpec[] = [
    {
      name: "alignment",
      title: "Alignment cos(w(t), û) with the NCF flow's limit KKT point",
      caption: "Dashed: predicted escape times log(1/δ)/(2𝒩*). Smaller δ leaves more time to align before the weights grow.",
      vegaLite: withMarks(linePlot({ data: traj, x: "t", y: "alignment", series: "delta", xTitle: "t", yTitle: "cos(w, û)", points: false }), marks),
    },
    {
      name: "norm",
      title: "log₁₀ ‖w(t)‖",
      caption: "Growth at rate ≤ 2𝒩* from log δ; dashed: predicted escape times (‖w‖ = 1 on the linear extrapolation).",
      vegaLite: withMarks(linePlot({ data: traj, x: "t", y: "log10Norm", series: "delta", xTitle: "t", yTitle: "log₁₀ ‖w‖", points: false }), marks),
    },
    {
      name: "loss",
      title: "Loss ℒ(w(t))",
      caption: "The loss sits at ½Σy² until the escape, then drops; dashed: predicted escape times.",
      vegaLite: withMarks(linePlot({ data: traj, x: "t", y: "loss", series: "delta", xTitle: "t", yTitle: "ℒ", logY: true, points: false }), marks),
    },
    {
      name: "ncf-flow",
      title: "NCF flow ψ̇ = ∇𝒩(ψ) from w₀: alignment with its limit û and 𝒩(ψ/‖ψ‖)",
      vegaLite: linePlot({ data: result.series.ncfFlow ?? [], x: "t", y: "alignment", xTitle: "t", yTitle: "cos(ψ, û)", points: false }),
    },
  ];
  const extra = result.extra as { W: number[]; a: number[]; d: number } | undefined;
  if (extra && extra.d === 2) {
    figs.push({
      name: "directions",
      title: "Neuron directions of û on the circle",
      vegaLite: circleDirections({ neurons: extra.a.map((a, j) => ({ w1: extra.W[2 * j], w2: extra.W[2 * j + 1], a })) }),
    });
  }
  return figs;
}

/** The summary of a run result (src/experiments/summaries.ts). */
export type NcfEscapeSummary = SummaryOfRun<typeof run>;

registerExperiment<Params, NcfEscapeSummary>({
  kind: "ncf-escape",
  family: "ncf",
  title: "Small initialisation: NCF KKT points, escape times and alignment",
  description: "KKT points of the constrained NCF (Clarke residuals), 𝒩*, and gradient flow from δ·w₀ for δ down to 1e-80: observed vs predicted escape time log(1/δ)/(2𝒩*) and alignment with the NCF flow's limit.",
  schema,
  run,
  figures,
  headline: { seed: 16 },
});

