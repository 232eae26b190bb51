import { z } from "zod";
import { makeBuiltin } from "../../data/index.js";
import { makeObjective, twoLayerArchitecture, twoLayerParts } from "../../model/index.js";
import {
  angularScan, cosine, escapeTime, ncfEvaluator, ncfFlow, ncfFlowEscapeTime, ncfKktPoints, ncfProblem, reducedKktDirections, refineTwoLayerKktPoint,
  saddleToSaddle, smallInitEscape, smallInitTrajectory, twoLayerClarkeResidual, type NcfFlowResult,
  balancedInit, gdSaddleToSaddle, presetData, SADDLE_PRESETS,
} from "../../ncf/index.js";
import { fork, unitSphere } from "../../random/index.js";
import { atLeast, atMost, circleDirections, linePlot, type FigureSpec, type Verdict } from "../../report/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec } from "../types.js";

/**
 * `ncf-escape` (family "ncf"): the reference experiment of science/small-init.md. A bias-free
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
 */

const schema = z.strictObject({
  n: z.number().int().min(2).max(2000).default(20),
  d: z.number().int().min(2).max(50).default(5),
  width: z.number().int().min(1).max(200).default(6),
  slope: z.number().min(0).max(0.99).default(0.1),
  dataSeed: z.number().int().min(0).default(16),
  initSeed: z.number().int().min(0).default(16),
  /** log10 δ of the runs. */
  log10Deltas: z.array(z.number().min(-300).max(-1)).min(1).default([-20, -40, -80]),
  /** Escape level ρ on ‖w‖. */
  level: z.number().positive().max(0.5).default(1e-2),
  starts: z.number().int().min(1).max(10000).default(16),
  /** Length of the NCF flow whose end point defines û. */
  flowTime: z.number().positive().max(10000).default(200),
});

type Params = z.infer<typeof schema>;

/** The NCF flow's alignment cos(u(τ), û) and lag at τ (nearest sample not after τ). */
function flowAt(flow: NcfFlowResult, uHat: Float64Array, tau: number, ncfStar: number): { alignment: number; lag: number } {
  let lag = 0;
  let alignment = NaN;
  const s0 = flow.samples[0].logNorm;
  for (const s of flow.samples) {
    if (s.tau > tau) break;
    lag = Math.max(lag, s.tau - (s.logNorm - s0) / (2 * ncfStar));
    alignment = cosine(s.u, uHat);
  }
  return { alignment, lag };
}

async function run(spec: RunSpec<Params>, ctx: RunContext): Promise<ExperimentResult> {
  const P = spec.params;
  const ds = makeBuiltin(`builtin:sin?n=${P.n}&d=${P.d}&seed=${P.dataSeed}`);
  const arch = twoLayerArchitecture({ d: P.d, m: P.width, activation: { name: "leaky_relu", slope: P.slope } });
  const prob = ncfProblem(arch, ds);
  const kkt = ncfKktPoints(prob, { starts: P.starts, rng: ctx.rng("kkt") });
  const ncfStar = kkt.ncfStar ?? NaN;
  ctx.log(`𝒩* = ${ncfStar}, ${kkt.points.length} KKT points`);
  const scan = P.d === 2 ? angularScan(prob) : null;

  const ev = ncfEvaluator(prob);
  const w0 = unitSphere(fork(P.initSeed, "w0"), prob.p);
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
    const fl = flowAt(flow, uHat, esc.tEscape, ncfStar);
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
function withMarks(spec: Record<string, unknown>, marks: Array<Record<string, number | string>>, colorField = "delta"): Record<string, unknown> {
  const { data, mark, encoding, ...rest } = spec as { data: unknown; mark: unknown; encoding: Record<string, unknown> };
  return {
    ...rest,
    layer: [
      { data, mark, encoding },
      {
        data: { values: marks },
        mark: { type: "rule", strokeDash: [4, 3], strokeWidth: 1.2 },
        encoding: { x: { field: "t", type: "quantitative" }, color: { field: colorField, type: "nominal", title: colorField } },
      },
    ],
  };
}

function figures(result: ExperimentResult): FigureSpec[] {
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

registerExperiment<Params>({
  kind: "ncf-escape",
  family: "ncf",
  title: "Small initialisation: NCF KKT points, escape times and alignment",
  description: "KKT points of the constrained NCF (Clarke residuals), 𝒩*, and gradient flow from δ·w₀ for δ down to 1e-80: observed vs predicted escape time log(1/δ)/(2𝒩*) and alignment with the NCF flow's limit.",
  schema,
  run,
  figures,
  headline: {},
});

// ---------------------------------------------------------------------------------------------
// ncf-saddles: saddle-to-saddle dynamics under the square loss.

const saddleSchema = z.strictObject({
  n: z.number().int().min(2).max(2000).default(20),
  d: z.number().int().min(2).max(50).default(5),
  width: z.number().int().min(1).max(200).default(6),
  slope: z.number().min(0).max(0.99).default(0.1),
  dataSeed: z.number().int().min(0).default(16),
  initSeed: z.number().int().min(0).default(16),
  log10Delta: z.number().min(-300).max(-1).default(-80),
  tMax: z.number().positive().max(1e4).default(40),
  level: z.number().positive().max(0.5).default(1e-2),
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
 * direction of the neuron that switches on within cos ≥ 0.99.
 */
async function runSaddles(spec: RunSpec<SaddleParams>, ctx: RunContext): Promise<ExperimentResult> {
  const P = spec.params;
  const ds = makeBuiltin(`builtin:sin?n=${P.n}&d=${P.d}&seed=${P.dataSeed}`);
  const arch = twoLayerArchitecture({ d: P.d, m: P.width, activation: { name: "leaky_relu", slope: P.slope } });
  const w0 = unitSphere(fork(P.initSeed, "w0"), arch.m * (arch.d + 1));
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
    summary: { plateaus: r.plateaus.length, predictions: r.predictions.length, ...Object.fromEntries(rows.flatMap((row) => [[`predictedExit_${row.plateau}`, row.predictedExit], [`observedExit_${row.plateau}`, row.observedExit]])) },
    verdicts,
    series: { plateaus: rows, loss, marks },
  };
}

function saddleFigures(result: ExperimentResult): FigureSpec[] {
  return [{
    name: "loss-plateaus",
    title: "Loss with plateaus; dashed: residual-NCF predicted exits",
    caption: "Each plateau is a saddle (w̄_n, 0); the small neurons grow at 2𝒩*_res and leave at the dashed line.",
    vegaLite: withMarks(linePlot({ data: result.series.loss ?? [], x: "t", y: "loss", logY: true, xTitle: "t", yTitle: "ℒ", points: false }), result.series.marks ?? [], "prediction"),
  }];
}

registerExperiment<SaddleParams>({
  kind: "ncf-saddles",
  family: "ncf",
  title: "Saddle-to-saddle dynamics predicted by residual NCFs",
  description: "Gradient flow from δ·w₀ (square loss): plateau detection on the loss, and at each plateau the residual-NCF prediction of the growth rate, exit time and direction of the neurons that switch on next.",
  schema: saddleSchema,
  run: runSaddles,
  figures: saddleFigures,
  headline: {},
});

// ---------------------------------------------------------------------------------------------
// ncf-circle: 2-D inputs, neuron directions on the circle with the NCF underneath.

const circleSchema = z.strictObject({
  n: z.number().int().min(2).max(2000).default(20),
  width: z.number().int().min(1).max(64).default(8),
  slope: z.number().min(0).max(0.99).default(0.1),
  dataSeed: z.number().int().min(0).default(3),
  initSeed: z.number().int().min(0).default(3),
  log10Delta: z.number().min(-300).max(-1).default(-20),
});
type CircleParams = z.infer<typeof circleSchema>;

/**
 * `ncf-circle` (family "ncf"): d = 2, sin data. Neuron angles atan2(w_j2, w_j1) along the
 * small-initialisation flow until shortly after the escape, with the reduced KKT directions
 * (angles of the maximisers of ±f(ŵ) = ±Σ y_i σ(ŵᵀx_i)) marked, and the directions at escape
 * on the circle with the NCF profile |f(θ)| drawn around it. Checks: the exact angular scan
 * agrees with the KKT search, and at escape every neuron with non-negligible mass points within
 * 0.05 rad of a reduced KKT direction of its sign.
 */
async function runCircle(spec: RunSpec<CircleParams>, ctx: RunContext): Promise<ExperimentResult> {
  const P = spec.params;
  const ds = makeBuiltin(`builtin:sin?n=${P.n}&d=2&seed=${P.dataSeed}`);
  const arch = twoLayerArchitecture({ d: 2, m: P.width, activation: { name: "leaky_relu", slope: P.slope } });
  const prob = ncfProblem(arch, ds);
  const scan = angularScan(prob);
  const dirs = reducedKktDirections(prob, { starts: 16, rng: ctx.rng("reduced") }).filter((r) => r.f > 0);
  const kkt = ncfKktPoints(prob, { starts: 8, rng: ctx.rng("kkt") });
  const w0 = unitSphere(fork(P.initSeed, "w0"), prob.p);
  const obj = makeObjective(arch, ds, "square");
  const pred = escapeTime({ ncfStar: scan.ncfStar, L: 2, logDelta: P.log10Delta * Math.LN10 });
  const angles: Array<Record<string, number | string>> = [];
  let escapeU: Float64Array | null = null;
  let escapeLogNorm = NaN;
  const prevAngle = new Float64Array(arch.m).fill(NaN);
  smallInitTrajectory(obj, w0, { logDelta: P.log10Delta * Math.LN10, tMax: pred.t * 1.05, every: 20 }, (pt) => {
    const { W, a } = twoLayerParts(arch, pt.u);
    for (let j = 0; j < arch.m; j++) {
      const mass = Math.hypot(W[2 * j], W[2 * j + 1], a[j]);
      // unwrapped angle: continuous in t (no jump of 2π at ±π)
      let angle = Math.atan2(W[2 * j + 1], W[2 * j]);
      if (!Number.isNaN(prevAngle[j])) angle += 2 * Math.PI * Math.round((prevAngle[j] - angle) / (2 * Math.PI));
      prevAngle[j] = angle;
      angles.push({ t: pt.t, angle, neuron: `neuron ${j}`, log10Mass: (pt.logNorm + Math.log(mass)) / Math.LN10 });
    }
    if (pt.logNorm <= Math.log(1e-2) || escapeU === null) {
      escapeU = Float64Array.from(pt.u);
      escapeLogNorm = pt.logNorm;
    }
  });
  const uEsc = escapeU ?? w0;
  const { W, a } = twoLayerParts(arch, uEsc);
  let worst = 0;
  let maxMass = 0;
  for (let j = 0; j < arch.m; j++) maxMass = Math.max(maxMass, Math.hypot(W[2 * j], W[2 * j + 1], a[j]));
  for (let j = 0; j < arch.m; j++) {
    if (Math.hypot(W[2 * j], W[2 * j + 1], a[j]) < 0.1 * maxMass) continue;
    const th = Math.atan2(W[2 * j + 1], W[2 * j]);
    const sign = a[j] >= 0 ? 1 : -1;
    let best = Infinity;
    for (const r of dirs) {
      if (r.sign !== sign) continue;
      const diff = Math.abs(Math.atan2(Math.sin(th - Math.atan2(r.w[1], r.w[0])), Math.cos(th - Math.atan2(r.w[1], r.w[0]))));
      best = Math.min(best, diff);
    }
    worst = Math.max(worst, best);
  }
  const fMax = Math.max(...scan.profile.map((q) => Math.abs(q.f)));
  const profile = scan.profile.map((q, k) => ({ k, x: (1 + 0.35 * Math.abs(q.f) / fMax) * Math.cos(q.angle), y: (1 + 0.35 * Math.abs(q.f) / fMax) * Math.sin(q.angle), sign: q.f >= 0 ? "f > 0" : "f < 0" }));
  // KKT angles, with their copies shifted by ±2π that fall inside the range of the unwrapped angles
  const aMin = Math.min(...angles.map((r) => Number(r.angle))) - 0.2;
  const aMax = Math.max(...angles.map((r) => Number(r.angle))) + 0.2;
  const kktAngles = dirs.flatMap((r) => [-2 * Math.PI, 0, 2 * Math.PI]
    .map((shift) => ({ angle: Math.atan2(r.w[1], r.w[0]) + shift, label: `KKT ${r.sign > 0 ? "+" : "−"} (value ${r.value.toFixed(3)})` }))
    .filter((q) => q.angle >= aMin && q.angle <= aMax));
  return {
    summary: { ncfStar: scan.ncfStar, kktBest: kkt.best, reducedDirections: dirs.length, escapeLogNorm, worstAngle: worst },
    verdicts: [
      atMost("d = 2: exact angular scan agrees with the KKT search's best value (relative)", Math.abs(scan.ncfStar - kkt.best) / scan.ncfStar, 1e-10),
      atMost("at escape, every neuron of ≥ 10% of the largest mass points at a reduced KKT direction of its sign (rad)", worst, 0.05),
    ],
    series: { angles, profile, kktAngles },
    extra: { W: Array.from(W), a: Array.from(a), kkt: dirs.map((r) => [r.w[0], r.w[1]]) },
  };
}

function circleFigures(result: ExperimentResult): FigureSpec[] {
  const extra = result.extra as { W: number[]; a: number[]; kkt: number[][] };
  const circle = circleDirections({
    neurons: extra.a.map((a, j) => ({ w1: extra.W[2 * j], w2: extra.W[2 * j + 1], a, label: `neuron ${j}` })),
    references: extra.kkt.map(([x1, x2]) => ({ x1, x2 })),
  }) as { layer: unknown[] } & Record<string, unknown>;
  const ncfLayer = {
    data: { values: result.series.profile ?? [] },
    mark: { type: "line", strokeWidth: 1, color: "#2ca02c" },
    encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, order: { field: "k", type: "quantitative" } },
  };
  const anglePlot = linePlot({ data: result.series.angles ?? [], x: "t", y: "angle", series: "neuron", xTitle: "t", yTitle: "angle of w_j (rad)", points: false }) as Record<string, unknown>;
  const { data, mark, encoding, ...rest } = anglePlot as { data: unknown; mark: unknown; encoding: unknown };
  return [
    {
      name: "directions",
      title: "Neuron directions at escape on the circle, NCF |f(θ)| drawn around it (green), reduced KKT directions (grey ticks)",
      vegaLite: { ...circle, layer: [ncfLayer, ...circle.layer] },
    },
    {
      name: "angles",
      title: "Neuron angles during the small-initialisation phase; dashed: reduced KKT directions",
      vegaLite: {
        ...rest,
        layer: [
          { data, mark, encoding },
          { data: { values: result.series.kktAngles ?? [] }, mark: { type: "rule", strokeDash: [4, 3], color: "#555555" }, encoding: { y: { field: "angle", type: "quantitative" } } },
        ],
      },
    },
  ];
}

registerExperiment<CircleParams>({
  kind: "ncf-circle",
  family: "ncf",
  title: "2-D inputs: neuron directions on the circle with the NCF underneath",
  description: "d = 2: neurons of the small-initialisation flow rotate to reduced KKT directions of the NCF before they grow; the exact angular scan confirms the KKT search.",
  schema: circleSchema,
  run: runCircle,
  figures: circleFigures,
  headline: {},
});

// ---------------------------------------------------------------------------------------------
// ncf-saddle-to-saddle: width-50 GD runs on the reference runs' 1-D and 3-D data.

const s2sSchema = z.strictObject({
  /** Which reference data set(s) to run (src/ncf/saddlePresets.ts). */
  presets: z.array(z.enum(["1d", "3d"])).min(1).default(["1d", "3d"]),
  initSeed: z.number().int().min(0).default(1),
  /** Override the preset's step budget (e.g. shorter smoke runs). */
  steps: z.number().int().min(1000).max(5_000_000).optional(),
  /** Level λ on the small block's norm ‖z‖ that marks its exit. */
  level: z.number().positive().max(0.5).default(0.1),
  /** Plateau detection: |Δlog ℒ/Δt| ≤ rateTol (per unit of GD time t = η·k) for ≥ minDuration. */
  rateTol: z.number().positive().default(0.005),
  minDuration: z.number().positive().default(5),
  /** Record every this many GD steps. */
  every: z.number().int().min(1).max(10_000).default(100),
});
type S2sParams = z.infer<typeof s2sSchema>;

/**
 * `ncf-saddle-to-saddle` (family "ncf"): the width-50 saddle-to-saddle runs of science/small-init.md
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
 */
async function runS2s(spec: RunSpec<S2sParams>, ctx: RunContext): Promise<ExperimentResult> {
  const P = spec.params;
  const verdicts: Verdict[] = [];
  const rows: Array<Record<string, number | string>> = [];
  const loss: Array<Record<string, number | string>> = [];
  const marks: Array<Record<string, number | string>> = [];
  const summary: Record<string, number | string> = {};
  for (const name of P.presets) {
    const pre = SADDLE_PRESETS[name];
    const data = presetData(pre);
    const arch = twoLayerArchitecture({ d: pre.X[0].length, m: pre.width, activation: { name: "relu" } });
    const theta0 = balancedInit(arch, Math.pow(50, pre.log50Std), fork(P.initSeed, `init-${name}`));
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

function s2sFigures(result: ExperimentResult): FigureSpec[] {
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

registerExperiment<S2sParams>({
  kind: "ncf-saddle-to-saddle",
  family: "ncf",
  title: "Width-50 saddle-to-saddle on the reference runs' 1-D and 3-D data, each plateau predicted by its residual NCF",
  description: "Full-batch GD (η = 2e-3 on ½·mean, balanced small init) on the reference runs' 5-point 1-D (with a constant-one column) and 7-point 3-D data: detected plateaus, each annotated by the residual-NCF prediction at its current saddle (exit time and switching direction) against the observed ones.",
  schema: s2sSchema,
  run: runS2s,
  figures: s2sFigures,
});
