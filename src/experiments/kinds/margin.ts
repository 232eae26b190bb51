import { z } from "zod";
import { gradientDescent, gradientFlow, lossBasedGradientDescent, sgd } from "../../dynamics/index.js";
import {
  kktCertificate, logLossSharpness, marginLogGradient, marginSummary, requireHomogeneity, type KktCertificate,
} from "../../margin/index.js";
import {
  makeActivation, makeObjective, mlpArchitecture, paramCount, twoLayerArchitecture, type Activation, type Architecture, type Model, type ModelData,
} from "../../model/index.js";
import { normal, type Rng } from "../../random/index.js";
import { atLeast, atMost, linePlot, scatterPlot, type FigureSpec, type Row, type Verdict } from "../../report/index.js";
import {
  applyEmbedding, embeddingChecks, offImageDistance, splitMap, type EmbeddingMap,
} from "../../splitting/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec } from "../types.js";

/**
 * Family "margin": the KKT-point embedding principle of arXiv 2505.12419 (science/embedding.md).
 *
 * `margin-commutation` — trajectories commute with the splitting map T: the narrow net trained
 * from θ₀ and the wide net trained from Tθ₀ by the same method satisfy η_k = Tθ_k (GD; SGD with
 * identical batches), monitored by ‖η_k − Tθ_k‖ and the drift off the image ‖(I − TTᵀ)η_k‖, with
 * negative controls that must fail (SGD with another batch order, a negative coefficient,
 * tanh). Reference setting of the paper: Gaussian blobs n = 100, std 0.8, centres (2, −2) → +1,
 * (−2, 2) → −1; 2→1→1 leaky ReLU 0.01 split into 2→2→1 with c = (1/√2, 1/√2); exponential loss
 * (mean); GD lr 0.1 for 1e5 steps; SGD batch 16. Published: max ‖η − Tθ‖ ≈ 4.5e-13 (GD),
 * 5.6e-13 (non-separable centres (±1, ∓1)), 4.4e-13 (SGD, same batches), ≈ 0.15 (different
 * order), final loss ≈ 5.8e-4.
 *
 * `margin-kkt-embedding` — train a narrow ReLU net with the loss-based step (Lyu & Li) towards an
 * approximate KKT point, split a unit, and compare the KKT certificates (ε, δ, λ, margins:
 * unchanged by T); train the wide net from Tθ₀ with the same rule and compare limit directions
 * cos(η/‖η‖, Tθ/‖θ‖) and γ̄, γ̃ along both; a generic wide initialisation for contrast.
 */

const SQRT1_2 = Math.SQRT1_2;

/** Two Gaussian blobs: x = ±μ + std·z with labels ±1 alternating (μ = centre·(1, −1)). */
function blobsData(rng: Rng, n: number, std: number, centre: number): ModelData {
  const X = new Float64Array(2 * n);
  const Y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % 2 === 0 ? 1 : -1;
    X[2 * i] = y * centre + std * normal(rng);
    X[2 * i + 1] = -y * centre + std * normal(rng);
    Y[i] = y;
  }
  return { X: { rows: n, cols: 2, data: X }, Y: { rows: n, cols: 1, data: Y } };
}

function randomTheta(rng: Rng, arch: Architecture, scale: number): Float64Array {
  return Float64Array.from({ length: paramCount(arch) }, () => scale * normal(rng));
}

function dist(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

function norm(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** Is `step` one of the ~log-spaced steps whose errors become figure rows? */
function sampled(step: number): boolean {
  if (step <= 10) return true;
  const e = Math.floor(Math.log10(step));
  const unit = Math.max(1, 10 ** e / 10);
  return step % unit === 0;
}

/** A training method run with an onStep callback (θ at each recorded step). */
type Runner = (arch: Architecture, data: ModelData, theta0: Float64Array, onStep: (step: number, theta: Float64Array) => void) => { loss: number };

interface Commutation {
  maxError: number;
  maxDrift: number;
  finalError: number;
  narrowLoss: number;
  wideLoss: number;
  steps: number;
  rows: Row[];
}

/**
 * Run `run` on the narrow net from θ₀ and on the wide net from Tθ₀ (or from eta0), and measure
 * max_k ‖η_k − Tθ_k‖ and max_k ‖(I − TTᵀ)η_k‖ over the recorded steps.
 */
function commutation(label: string, T: EmbeddingMap, data: ModelData, theta0: Float64Array, run: Runner, wideRun: Runner = run, eta0?: Float64Array): Commutation {
  const narrow = new Map<number, Float64Array>();
  const nres = run(T.from, data, theta0, (step, th) => narrow.set(step, Float64Array.from(th)));
  let maxError = 0;
  let maxDrift = 0;
  let finalError = 0;
  let steps = 0;
  const rows: Row[] = [];
  const wres = wideRun(T.to, data, eta0 ?? applyEmbedding(T, theta0), (step, eta) => {
    const th = narrow.get(step);
    if (!th) return;
    const err = dist(eta, applyEmbedding(T, th));
    const drift = offImageDistance(T, eta);
    maxError = Math.max(maxError, err);
    maxDrift = Math.max(maxDrift, drift);
    finalError = err;
    steps = step;
    if (sampled(step)) rows.push({ step: Math.max(step, 1), error: err, drift, run: label });
  });
  return { maxError, maxDrift, finalError, narrowLoss: nres.loss, wideLoss: wres.loss, steps, rows };
}

function gdRunner(lr: number, steps: number, mean: boolean): Runner {
  return (arch, data, theta0, onStep) => {
    const r = gradientDescent(makeObjective(arch, data, "exponential", { mean }), theta0, {
      lr, stop: { maxSteps: steps }, onStep: (p, th) => { onStep(p.step, th); },
    });
    return { loss: r.loss };
  };
}

function rk4Runner(tEnd: number, h: number): Runner {
  return (arch, data, theta0, onStep) => {
    const r = gradientFlow(makeObjective(arch, data, "exponential", { mean: true }), theta0, {
      method: "rk4", h, stop: { maxTime: tEnd }, onStep: (p, th) => { onStep(p.step, th); },
    });
    return { loss: r.loss };
  };
}

function sgdRunner(lr: number, steps: number, batchSize: number, seed: number): Runner {
  return (arch, data, theta0, onStep) => {
    const r = sgd(makeObjective(arch, data, "exponential", { mean: true }), theta0, {
      lr, batchSize, seed, evalEvery: 1, stop: { maxSteps: steps }, onStep: (p, th) => { onStep(p.step, th); },
    });
    return { loss: r.loss };
  };
}

// ───────────────────────────── margin-commutation ─────────────────────────────

const commutationSchema = z.strictObject({
  /** Samples (half per class). */
  n: z.number().int().min(4).max(5000).default(100),
  /** Standard deviation of each blob. */
  std: z.number().positive().max(100).default(0.8),
  /** Centres ±centre·(1, −1) (2: the separable reference; 1: the non-separable variant). */
  centre: z.number().positive().max(100).default(2),
  /** Centre of the non-separable variant (0 skips it). */
  nonSeparableCentre: z.number().min(0).max(100).default(1),
  /** Narrow hidden width (the reference: 1). */
  width: z.number().int().min(1).max(100).default(1),
  /** Split coefficients c (c ≥ 0, Σc² = 1). */
  coeffs: z.array(z.number()).min(1).default([SQRT1_2, SQRT1_2]),
  /** Leaky ReLU slope. */
  slope: z.number().min(0).max(1).default(0.01),
  /** Scale of the Gaussian initialisation θ₀ ~ N(0, scale²). */
  initScale: z.number().positive().max(100).default(1),
  /** GD learning rate and steps (reference: 0.1, 1e5). */
  lr: z.number().positive().max(100).default(0.1),
  steps: z.number().int().min(1).max(10_000_000).default(100_000),
  /** SGD steps and batch size (reference batch 16). */
  sgdSteps: z.number().int().min(0).max(10_000_000).default(20_000),
  batch: z.number().int().min(1).max(5000).default(16),
  /** Gradient flow up to time tFlow: RK4 with fixed step h (exact commutation) and DOPRI5 (rtol 1e-10; adaptive steps). 0 skips. */
  tFlow: z.number().min(0).max(1e6).default(200),
  h: z.number().positive().max(10).default(0.05),
  /** The note's deep example: 2→3→2→1 leaky ReLU, unit 1 of hidden layer `deepLayer` split with c = (0.6, 0.8); GD steps (0 skips). */
  deepSteps: z.number().int().min(0).max(10_000_000).default(10_000),
  deepLayer: z.number().int().min(1).max(2).default(1),
  /** Steps of the negative controls (they fail within a few hundred). */
  controlSteps: z.number().int().min(1).max(1_000_000).default(2000),
});
type CommutationParams = z.infer<typeof commutationSchema>;

/** Why 1e-11: see the verdict note. */
const COMMUTE_TOL = 1e-11;
const COMMUTE_NOTE = "published ≈ 4.5e-13. η_k and Tθ_k are computed by different float64 sums (the wide net adds c₁²aσ(z) + c₂²aσ(z) where the narrow adds aσ(z)), so they differ by ~ε‖θ‖ per step; GD propagates these roundings through I − η∇²ℒ, which on this problem neither amplifies nor damps them much, so the error grows like a random walk: ~√k·ε‖θ‖ ≲ 1e-12 after 1e5 steps. 1e-11 allows a 20× margin over the published value (whose exact digits depend on summation order, not on the mathematics) while staying 1e8× below the negative controls.";

async function runCommutation(spec: RunSpec<CommutationParams>, ctx: RunContext): Promise<ExperimentResult> {
  const P = spec.params;
  const act = makeActivation("leaky_relu", P.slope);
  const arch = twoLayerArchitecture({ d: 2, m: P.width, activation: act });
  const data = blobsData(ctx.rng("data"), P.n, P.std, P.centre);
  const theta0 = randomTheta(ctx.rng("init"), arch, P.initScale);
  const T = splitMap(arch, { unit: 0 }, P.coeffs);
  const checks = embeddingChecks(T, { arch, theta: theta0 }, { data: data.X, seed: spec.seed });
  ctx.log(`T: ‖TᵀT − I‖ = ${checks.isometry}, function error ${checks.functionData?.relative}`);

  const gd = commutation("GD", T, data, theta0, gdRunner(P.lr, P.steps, true));
  ctx.metric({ stage: "gd", maxError: gd.maxError, maxDrift: gd.maxDrift, narrowLoss: gd.narrowLoss, wideLoss: gd.wideLoss });
  ctx.log(`GD: max ‖η − Tθ‖ = ${gd.maxError}, final loss ${gd.narrowLoss}`);

  let nonSep: Commutation | null = null;
  if (P.nonSeparableCentre > 0) {
    const data2 = blobsData(ctx.rng("data-nonseparable"), P.n, P.std, P.nonSeparableCentre);
    nonSep = commutation("GD, non-separable", T, data2, theta0, gdRunner(P.lr, P.steps, true));
    ctx.metric({ stage: "gd-nonseparable", maxError: nonSep.maxError, maxDrift: nonSep.maxDrift, narrowLoss: nonSep.narrowLoss });
  }
  let rk4: Commutation | null = null;
  let dopri: { error: number; stepsNarrow: number; stepsWide: number } | null = null;
  if (P.tFlow > 0) {
    rk4 = commutation("flow, RK4", T, data, theta0, rk4Runner(P.tFlow, P.h));
    const opts = { method: "dopri5" as const, rtol: 1e-10, atol: 1e-12, stop: { maxTime: P.tFlow } };
    const a = gradientFlow(makeObjective(arch, data, "exponential", { mean: true }), theta0, opts);
    const b = gradientFlow(makeObjective(T.to, data, "exponential", { mean: true }), applyEmbedding(T, theta0), opts);
    dopri = { error: dist(b.theta, applyEmbedding(T, a.theta)), stepsNarrow: a.steps, stepsWide: b.steps };
    ctx.metric({ stage: "flow", rk4: rk4.maxError, dopri5: dopri.error, dopri5StepsNarrow: a.steps, dopri5StepsWide: b.steps });
  }
  let sgdSame: Commutation | null = null;
  let sgdOther: Commutation | null = null;
  if (P.sgdSteps > 0) {
    const seed = spec.seed * 1000 + 17;
    sgdSame = commutation("SGD, same batches", T, data, theta0, sgdRunner(P.lr, P.sgdSteps, P.batch, seed));
    sgdOther = commutation("SGD, other batch order (control)", T, data, theta0, sgdRunner(P.lr, P.sgdSteps, P.batch, seed), sgdRunner(P.lr, P.sgdSteps, P.batch, seed + 1));
    ctx.metric({ stage: "sgd", same: sgdSame.maxError, other: sgdOther.maxError });
  }
  // the deep example of the science note
  let deep: { run: Commutation; fn: number; grad: number } | null = null;
  if (P.deepSteps > 0) {
    const deepArch = mlpArchitecture([2, 3, 2, 1], act);
    const deepTheta = randomTheta(ctx.rng("deep-init"), deepArch, P.initScale);
    const Td = splitMap(deepArch, { layer: P.deepLayer, unit: 1 }, [0.6, 0.8]);
    const ch = embeddingChecks(Td, { arch: deepArch, theta: deepTheta }, { data: data.X, seed: spec.seed });
    deep = {
      run: commutation("deep 2→3→2→1, GD", Td, data, deepTheta, gdRunner(P.lr, P.deepSteps, true)),
      fn: Math.max(ch.functionData?.absolute ?? 0, ch.functionRandom.absolute),
      grad: Math.max(ch.gradientData?.absolute ?? 0, ch.gradientRandom.absolute),
    };
    ctx.metric({ stage: "deep", output: deep.fn, gradient: deep.grad, trajectory: deep.run.maxError });
  }
  // negative controls: a negative coefficient; tanh
  const neg = splitMap(arch, { unit: 0 }, P.coeffs.map((c, i) => (i === 0 ? -c : c)), { allowNegative: true });
  const negRun = commutation("negative coefficient (control)", neg, data, theta0, gdRunner(P.lr, P.controlSteps, true));
  const tanhArch = twoLayerArchitecture({ d: 2, m: P.width, activation: makeActivation("tanh") });
  const Ttanh = splitMap(tanhArch, { unit: 0 }, P.coeffs);
  const tanhRun = commutation("tanh (control)", Ttanh, data, theta0, gdRunner(P.lr, P.controlSteps, true));
  ctx.metric({ stage: "controls", negative: negRun.maxError, tanh: tanhRun.maxError });

  const verdicts: Verdict[] = [
    atMost("T is an isometry: ‖TᵀT − I‖", checks.isometry, 1e-15, `c = [${P.coeffs.map((c) => c.toPrecision(6)).join(", ")}]`),
    atMost("T preserves the function on the data at θ₀: max |Φ̃(Tθ₀) − Φ(θ₀)| / max|Φ|", checks.functionData?.relative ?? NaN, 1e-14),
    atMost("T maps gradients at θ₀: max |∇Φ̃(Tθ₀) − T∇Φ(θ₀)| / max|∇Φ|", checks.gradientData?.relative ?? NaN, 1e-14),
    atMost(`GD commutes with T: max_k ‖η_k − Tθ_k‖ over ${gd.steps} steps`, gd.maxError, COMMUTE_TOL, COMMUTE_NOTE),
    atMost("GD stays on the image of T: max_k ‖(I − TTᵀ)η_k‖", gd.maxDrift, COMMUTE_TOL, "the embedded subspace is invariant; drift would show transversal instability amplifying roundings"),
  ];
  if (nonSep) verdicts.push(atMost(`GD commutes with T on non-separable blobs (centres ±${P.nonSeparableCentre}): max ‖η_k − Tθ_k‖`, nonSep.maxError, COMMUTE_TOL, "published ≈ 5.6e-13; tolerance as for the separable case"));
  if (rk4) verdicts.push(atMost(`gradient flow (RK4, h = ${P.h}, t ≤ ${P.tFlow}) commutes with T: max ‖η(t) − Tθ(t)‖`, rk4.maxError, COMMUTE_TOL, "fixed steps: every stage commutes with T as GD does"));
  if (dopri) verdicts.push(atMost(`gradient flow (DOPRI5, rtol 1e-10) from θ₀ and Tθ₀ agree at t = ${P.tFlow}: ‖η(t) − Tθ(t)‖`, dopri.error, 1e-8, `${dopri.stepsNarrow} vs ${dopri.stepsWide} adaptive steps; the runs agree to the integration tolerance (rtol·‖θ‖ per unit time), not to rounding`));
  if (deep) {
    verdicts.push(atMost(`deep example (2→3→2→1, layer ${P.deepLayer}, c = (0.6, 0.8)): max output difference |Φ̃(Tθ) − Φ(θ)|`, deep.fn, 1e-14, "published ≈ 2e-15 (on the data and 64 random points)"));
    verdicts.push(atMost("deep example: max gradient difference |∇Φ̃(Tθ) − T∇Φ(θ)|", deep.grad, 1e-14, "published ≈ 2e-15"));
    verdicts.push(atMost(`deep example: GD trajectory error max ‖η_k − Tθ_k‖ over ${deep.run.steps} steps`, deep.run.maxError, COMMUTE_TOL, "published ≈ 6e-14"));
  }
  if (sgdSame && sgdOther) {
    verdicts.push(atMost(`SGD with identical batches (B = ${P.batch}) commutes with T: max ‖η_k − Tθ_k‖`, sgdSame.maxError, COMMUTE_TOL, "published ≈ 4.4e-13"));
    verdicts.push(atLeast("negative control: SGD with a different batch order does NOT commute: max ‖η_k − Tθ_k‖", sgdOther.maxError, 1e-3, "published ≈ 0.15: the claim is about the same dynamics, not the same distribution"));
  }
  verdicts.push(atLeast("negative control: a negative coefficient breaks commutation: max ‖η_k − Tθ_k‖", negRun.maxError, 1e-3, "c₁ < 0 flips the sign of the copy's pre-activation: Φ̃(Tθ) ≠ Φ(θ)"));
  verdicts.push(atLeast("negative control: tanh (not homogeneous) breaks commutation: max ‖η_k − Tθ_k‖", tanhRun.maxError, 1e-3, "tanh(c z) ≠ c tanh(z)"));

  const summary: Record<string, number | string> = {
    isometryDefect: checks.isometry,
    gdMaxError: gd.maxError,
    gdMaxErrorPublished: 4.5e-13,
    gdMaxDrift: gd.maxDrift,
    gdSteps: gd.steps,
    finalLossNarrow: gd.narrowLoss,
    finalLossWide: gd.wideLoss,
    finalLossPublished: 5.8e-4,
    negativeControlMaxError: negRun.maxError,
    tanhControlMaxError: tanhRun.maxError,
  };
  if (nonSep) {
    summary.nonSeparableMaxError = nonSep.maxError;
    summary.nonSeparableMaxErrorPublished = 5.6e-13;
    summary.nonSeparableFinalLoss = nonSep.narrowLoss;
  }
  if (rk4 && dopri) {
    summary.flowRk4MaxError = rk4.maxError;
    summary.flowDopri5FinalError = dopri.error;
    summary.flowDopri5StepsNarrow = dopri.stepsNarrow;
    summary.flowDopri5StepsWide = dopri.stepsWide;
    summary.flowDopri5Note = "‖η(t_end) − Tθ(t_end)‖ of two DOPRI5 runs (rtol 1e-10): the adaptive steps come from an error norm over p vs p̃ components, so the runs may take different steps and agree to the integration tolerance, not to rounding";
  }
  if (deep) {
    summary.deepOutputDifference = deep.fn;
    summary.deepGradientDifference = deep.grad;
    summary.deepTrajectoryMaxError = deep.run.maxError;
    summary.deepPublished = "output/gradient ≈ 2e-15, trajectory ≈ 6e-14";
  }
  if (sgdSame && sgdOther) {
    summary.sgdSameBatchesMaxError = sgdSame.maxError;
    summary.sgdSameBatchesPublished = 4.4e-13;
    summary.sgdOtherOrderMaxError = sgdOther.maxError;
    summary.sgdOtherOrderPublished = 0.15;
  }
  const all = [gd, nonSep, rk4, deep?.run ?? null, sgdSame, sgdOther, negRun, tanhRun].filter((c): c is Commutation => c !== null);
  return {
    summary,
    verdicts,
    series: { errors: all.flatMap((c) => c.rows) },
  };
}

function commutationFigures(result: ExperimentResult): FigureSpec[] {
  const rows = result.series.errors ?? [];
  // a zero error cannot sit on a log axis: floor at 1e-18 (plotted as "exact")
  const floor = (field: string): Row[] => rows.map((r) => ({ ...r, [field]: Math.max(Number(r[field]), 1e-18) }));
  return [
    {
      name: "commutation-error",
      title: "‖η_k − Tθ_k‖: wide net from Tθ₀ against the split narrow net",
      caption: "GD and SGD with identical batches stay at rounding level (values of 1e-18 mean exactly 0); the controls (other batch order, negative coefficient, tanh) separate at once.",
      vegaLite: linePlot({ data: floor("error"), x: "step", y: "error", series: "run", logX: true, logY: true, xTitle: "step k", yTitle: "‖η_k − Tθ_k‖" }),
    },
    {
      name: "drift",
      title: "Drift off the embedded subspace ‖(I − TTᵀ)η_k‖",
      caption: "For the true embeddings η stays on range T to rounding; the controls leave it.",
      vegaLite: linePlot({ data: floor("drift"), x: "step", y: "drift", series: "run", logX: true, logY: true, xTitle: "step k", yTitle: "‖(I − TTᵀ)η_k‖" }),
    },
  ];
}

registerExperiment<CommutationParams>({
  kind: "margin-commutation",
  family: "margin",
  title: "Training commutes with neuron splitting (Gaussian blobs, 2→1→1 → 2→2→1)",
  description: "GD and SGD (identical batches) from θ₀ and from Tθ₀: ‖η_k − Tθ_k‖ and the drift off range T stay at rounding level against the published ≈4.5e-13; SGD with another batch order, a negative coefficient and tanh must fail.",
  schema: commutationSchema,
  run: runCommutation,
  figures: commutationFigures,
  headline: { params: { steps: 10_000, sgdSteps: 2000, controlSteps: 300, tFlow: 50, deepSteps: 2000 } },
});

// ───────────────────────────── margin-kkt-embedding ─────────────────────────────

const kktSchema = z.strictObject({
  n: z.number().int().min(4).max(2000).default(40),
  std: z.number().positive().max(100).default(0.8),
  centre: z.number().positive().max(100).default(2),
  /** Narrow hidden width. */
  width: z.number().int().min(1).max(50).default(3),
  activation: z.enum(["relu", "leaky_relu"]).default("relu"),
  /** Unit split and its coefficients. */
  unit: z.number().int().min(0).default(0),
  coeffs: z.array(z.number()).min(1).default([0.6, 0.8]),
  initScale: z.number().positive().max(100).default(0.5),
  /**
   * Loss-based GD θ ← θ − α∇log ℒ (Lyu & Li's η = α/ℒ, in log space: dynamics
   * lossBasedGradientDescent with logGradient from model.normalizedGradient). With a fixed α the
   * sharpness of log ℒ grows like ‖θ‖^{2L−2} (see the doc comment of lossBasedGradientDescent),
   * and on the default data α = 0.02 turns unstable past ‖θ‖ ≈ 14 (α·λ_max = 2; visible beyond
   * ‖θ‖ ≈ 20): rounding differences are amplified and the float64 runs of θ and Tθ separate (direction gap ~1e-2 at ‖θ‖ = 30)
   * although the embedding is exact. So α is capped by α_max·min(1, (alphaNormRef/‖θ‖)^{2L−2}),
   * which keeps α·sharpness at its value at ‖θ‖ = alphaNormRef (inside the stable window) and
   * lets training run to ‖θ‖ = maxNorm (−log ℒ ≈ γ̄·maxNorm^L) in ~maxNorm^L/(L²γ̄α_max·ρ^{2L−2})
   * steps. steps is a safety cap; the runs stop at maxNorm. Measured on the default data (seed 0):
   * λ_max(∇²log ℒ)/‖θ‖² = 0.536–0.539 from ‖θ‖ = 10 to 1000, so the edge is α‖θ‖² = 2/0.538 ≈ 3.7
   * (fixed α = 0.02: ‖θ‖ ≈ 14); the default α_max·ρ² = 0.02·10² = 2 gives α·λ_max ≈ 1.08, where
   * the stiff mode is damped fastest. Observed max direction gap between the θ and Tθ runs:
   * 2.5e-14 to ‖θ‖ = 1e3 at ρ = 10; 6.5e-10 at ρ = 15 (α·λ ≈ 2.4) and 7.7e-3 at ρ = 20 (α·λ ≈ 4.3),
   * both to ‖θ‖ = 300.
   */
  steps: z.number().int().min(1).max(100_000_000).default(5_000_000),
  alpha0: z.number().positive().default(0.02),
  alphaMax: z.number().positive().default(0.02),
  alphaNormRef: z.number().positive().default(10),
  maxNorm: z.number().positive().default(1000),
});
type KktParams = z.infer<typeof kktSchema>;

interface LossBasedRun {
  thetas: Map<number, Float64Array>;
  /** Copies of θ where ‖θ‖ first passed each checkpoint norm (1-2-5 sequence from 10). */
  checkpoints: Array<{ norm: number; step: number; theta: Float64Array }>;
  final: Float64Array;
  steps: number;
  rejections: number;
  logLoss: number;
  elapsedMs: number;
}

/** The next checkpoint norm after r in the sequence 10, 20, 50, 100, 200, 500, … */
function nextCheckpoint(r: number): number {
  const e = 10 ** Math.floor(Math.log10(r));
  const m = r / e;
  return m < 2 ? 2 * e : m < 5 ? 5 * e : 10 * e;
}

/** Loss-based run recording θ at the log-spaced steps of `keep`, at checkpoint norms and at the last step. */
function lossBasedRun(arch: Architecture, data: ModelData, theta0: Float64Array, P: KktParams, keep: (step: number) => boolean): LossBasedRun {
  const thetas = new Map<number, Float64Array>();
  const checkpoints: LossBasedRun["checkpoints"] = [];
  let next = 10;
  const r = lossBasedGradientDescent(makeObjective(arch, data, "exponential", { mean: false }), theta0, {
    alpha0: P.alpha0, alphaMax: P.alphaMax, alphaNormRef: P.alphaNormRef, logGradient: marginLogGradient(arch, data, "exponential"),
    stop: { maxSteps: P.steps, normAbove: P.maxNorm },
    onStep: (pt, th) => {
      if (keep(pt.step)) thetas.set(pt.step, Float64Array.from(th));
      const nrm = Math.exp(pt.logNorm);
      if (nrm >= next && nrm < P.maxNorm) {
        checkpoints.push({ norm: next, step: pt.step, theta: Float64Array.from(th) });
        while (next <= nrm) next = nextCheckpoint(next);
      }
    },
  });
  thetas.set(r.steps, Float64Array.from(r.theta));
  checkpoints.push({ norm: Math.exp(r.logNorm), step: r.steps, theta: Float64Array.from(r.theta) });
  return { thetas, checkpoints, final: r.theta, steps: r.steps, rejections: r.rejections, logLoss: r.logLoss, elapsedMs: r.elapsedMs };
}

function directionGap(a: Float64Array, b: Float64Array): number {
  const na = norm(a);
  const nb = norm(b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] / na - b[i] / nb) ** 2;
  return Math.sqrt(s);
}

function cosine(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s / (norm(a) * norm(b));
}

async function runKkt(spec: RunSpec<KktParams>, ctx: RunContext): Promise<ExperimentResult> {
  const P = spec.params;
  const act: Activation = P.activation === "relu" ? makeActivation("relu") : makeActivation("leaky_relu", 0.01);
  const arch = twoLayerArchitecture({ d: 2, m: P.width, activation: act });
  const data = blobsData(ctx.rng("data"), P.n, P.std, P.centre);
  const theta0 = randomTheta(ctx.rng("init"), arch, P.initScale);
  const T = splitMap(arch, { unit: P.unit }, P.coeffs);
  const keep = sampled;
  const narrow = lossBasedRun(arch, data, theta0, P, keep);
  const wide = lossBasedRun(T.to, data, applyEmbedding(T, theta0), P, keep);
  const generic = lossBasedRun(T.to, data, randomTheta(ctx.rng("generic-init"), T.to, P.initScale), P, keep);

  // KKT embedding at the end of the narrow run: certificate of θ and of Tθ.
  const nModel: Model = { arch, theta: narrow.final };
  const cN = kktCertificate(nModel, data);
  const cT = kktCertificate({ arch: T.to, theta: applyEmbedding(T, narrow.final) }, data);
  const cW = kktCertificate({ arch: T.to, theta: wide.final }, data);
  const cG = kktCertificate({ arch: T.to, theta: generic.final }, data);
  const sep = cN.status === "ok" && cT.status === "ok";
  let lambdaGap = NaN;
  let marginGap = NaN;
  if (sep) {
    lambdaGap = 0;
    for (let k = 0; k < cN.lambda!.length; k++) lambdaGap = Math.max(lambdaGap, Math.abs(cN.lambda![k] - cT.lambda![k]));
    lambdaGap /= Math.max(1e-300, cN.sumLambda!);
    marginGap = 0;
    for (let k = 0; k < cN.normalizedMargins.length; k++) marginGap = Math.max(marginGap, Math.abs(cN.normalizedMargins[k] - cT.normalizedMargins[k]));
  }
  // limit directions along the trajectories
  const rows: Row[] = [];
  let minCos = 1;
  let maxDirGap = 0;
  let maxGammaGap = 0;
  const stepsSeen = [...narrow.thetas.keys()].filter((s) => wide.thetas.has(s)).sort((a, b) => a - b);
  for (const s of stepsSeen) {
    const th = narrow.thetas.get(s)!;
    const et = wide.thetas.get(s)!;
    const Tt = applyEmbedding(T, th);
    const c = cosine(et, Tt);
    minCos = Math.min(minCos, c);
    maxDirGap = Math.max(maxDirGap, directionGap(et, Tt));
    const mN = marginSummary({ arch, theta: th }, data, "exponential");
    const mW = marginSummary({ arch: T.to, theta: et }, data, "exponential");
    maxGammaGap = Math.max(maxGammaGap, Math.abs(mN.normalizedMargin - mW.normalizedMargin), Math.abs((mN.smoothedMargin ?? 0) - (mW.smoothedMargin ?? 0)));
    const step = Math.max(1, s);
    rows.push({ step, value: mN.normalizedMargin, quantity: "normalised γ̄, narrow θ" });
    rows.push({ step, value: mW.normalizedMargin, quantity: "normalised γ̄, wide η from Tθ₀" });
    rows.push({ step, value: mN.smoothedMargin ?? NaN, quantity: "smoothed γ̃, narrow θ" });
    rows.push({ step, value: mW.smoothedMargin ?? NaN, quantity: "smoothed γ̃, wide η from Tθ₀" });
  }
  for (const [s, g] of generic.thetas) {
    const mG = marginSummary({ arch: T.to, theta: g }, data, "exponential");
    rows.push({ step: Math.max(1, s), value: mG.normalizedMargin, quantity: "normalised γ̄, wide from a generic init" });
    rows.push({ step: Math.max(1, s), value: mG.smoothedMargin ?? NaN, quantity: "smoothed γ̃, wide from a generic init" });
  }
  // ε_rel of the KKT certificate as ‖θ‖ passes 10, 20, 50, … (narrow, wide from Tθ₀, generic wide)
  const epsRows: Row[] = [];
  const L = requireHomogeneity(arch);
  let maxScaledSharpness = 0;
  const epsAt = (runLabel: string, a: Architecture, run: LossBasedRun): void => {
    const lg = marginLogGradient(a, data, "exponential");
    for (const c of run.checkpoints) {
      const cert: KktCertificate = kktCertificate({ arch: a, theta: c.theta }, data);
      // λ_max(∇²log ℒ)·‖θ‖^{−(2L−2)}: constant if the derivation behind the α cap holds
      const scaledSharpness = logLossSharpness(lg, c.theta, { homogeneity: L }) / norm(c.theta) ** (2 * L - 2);
      maxScaledSharpness = Math.max(maxScaledSharpness, scaledSharpness);
      epsRows.push({ norm: c.norm, step: c.step, epsilonRelative: cert.epsilonRelative ?? NaN, scaledSharpness, run: runLabel });
    }
  };
  epsAt("narrow θ", arch, narrow);
  epsAt("wide η from Tθ₀", T.to, wide);
  epsAt("wide, generic init", T.to, generic);
  const finalCos = cosine(wide.final, applyEmbedding(T, narrow.final));
  const genericCos = cosine(generic.final, applyEmbedding(T, narrow.final));
  const genericDrift = offImageDistance(T, generic.final) / norm(generic.final);
  const finalNorm = norm(narrow.final);
  ctx.log(`loss-based runs to ‖θ‖ = ${finalNorm.toPrecision(4)}: ${narrow.steps} / ${wide.steps} / ${generic.steps} steps (${narrow.rejections} rejections), ${(narrow.elapsedMs / 1000).toFixed(1)} s for the narrow run; 1 − cos = ${(1 - minCos).toExponential(2)}`);
  ctx.metric({ stage: "kkt", epsNarrow: cN.epsilonRelative ?? NaN, epsSplit: cT.epsilonRelative ?? NaN, epsWide: cW.epsilonRelative ?? NaN, epsGeneric: cG.epsilonRelative ?? NaN });

  const verdicts: Verdict[] = [
    atMost("after training the narrow net is an approximate KKT point of P_Φ: ε/‖θ̂‖", cN.epsilonRelative ?? NaN, Math.min(0.05, 1 / finalNorm), `${narrow.steps} loss-based steps (log space) to ‖θ‖ = ${finalNorm.toPrecision(4)}, log ℒ = ${narrow.logLoss.toPrecision(6)}. Convergence in direction is slow: bound min(0.05, 1/‖θ‖); observed ε/‖θ̂‖ ≈ 0.15/‖θ‖ from ‖θ‖ = 100 on (1.5e-4 at ‖θ‖ = 1e3; ε is not monotone: 0.73/‖θ‖ at ‖θ‖ = 50)`),
    atLeast("limit directions embed: min_k cos(η_k/‖η_k‖, Tθ_k/‖θ_k‖) along the loss-based runs", minCos, 1 - 1e-10, `1 − min cos = ${(1 - minCos).toExponential(2)}; α capped ∝ ‖θ‖^{−(2L−2)} beyond ‖θ‖ = ${P.alphaNormRef} keeps the iteration in its stable window`),
    atMost("T maps the KKT certificate: |ε(Tθ) − ε(θ)| / ‖θ̂‖", sep ? Math.abs(cT.epsilon! - cN.epsilon!) / cN.normalizedNorm! : NaN, 1e-12, "same multipliers, ‖T·r‖ = ‖r‖ for the residual r (isometry)"),
    atMost("… with the same multipliers: max_k |λ_k(Tθ) − λ_k(θ)| / Σλ", lambdaGap, 1e-10, "NNLS on T·H: an isometric change of the columns; the active set and λ are the same up to rounding"),
    atMost("… the same δ: |δ(Tθ) − δ(θ)| / (‖θ̂‖²/L)", sep ? Math.abs(cT.delta! - cN.delta!) / cN.normSquaredOverL! : NaN, 1e-10),
    atMost("… and the same normalised margins: max_k |q̂_k(Tθ) − q̂_k(θ)|", marginGap, 1e-13, "Φ̃(Tθ) = Φ(θ)"),
    atMost("… and in norm: max_k ‖η_k/‖η_k‖ − Tθ_k/‖θ_k‖‖", maxDirGap, 1e-10, "η₀ = Tθ₀ and both nets make the same accept/reject decisions. With a fixed α past the stability edge (α·sharpness > 2; e.g. α = 0.02 beyond ‖θ‖ ≈ 20, or α = 0.1 here) rounding differences are amplified (~1e-2 in direction at ‖θ‖ = 30): the embedding is exact, its float64 image is not stable there"),
    atMost("γ̄ and γ̃ agree along the two trajectories: max |γ_narrow − γ_wide|", maxGammaGap, 1e-10),
    atMost("the α cap keeps GD on log ℒ stable: α·λ_max(∇²log ℒ) = α_max·ρ^{2L−2}·max_k λ_max/‖θ_k‖^{2L−2} at the checkpoints", P.alphaMax * P.alphaNormRef ** (2 * L - 2) * maxScaledSharpness, 2, `λ_max by power iteration on finite-difference Hessian–vector products of ∇log ℒ; λ_max/‖θ‖^{2L−2} stays constant (max ${maxScaledSharpness.toPrecision(4)}), as derived; past 2 the stiff tangential mode oscillates with growing amplitude and θ, Tθ separate`),
    atLeast("contrast: a generic (non-embedded) wide initialisation ends off the embedded subspace: ‖(I − TTᵀ)η‖/‖η‖", genericDrift, 1e-3, `same rule and stopping norm; cos(η_generic, Tθ) = ${genericCos.toPrecision(6)}, ε/‖θ̂‖ = ${(cG.epsilonRelative ?? NaN).toExponential(2)}: it converges towards a KKT direction of the wide net that is not the image of the narrow one (generically so; a special initialisation could land on range T)`),
  ];
  return {
    summary: {
      steps: narrow.steps,
      stepsWide: wide.steps,
      stepsGeneric: generic.steps,
      rejections: narrow.rejections,
      secondsNarrowRun: narrow.elapsedMs / 1000,
      finalNorm,
      finalLogLoss: narrow.logLoss,
      oneMinusMinCosine: 1 - minCos,
      alphaCapTimesNormPower: P.alphaMax * P.alphaNormRef ** (2 * L - 2),
      maxScaledSharpness,
      epsilonRelativeNarrow: cN.epsilonRelative ?? NaN,
      epsilonRelativeSplit: cT.epsilonRelative ?? NaN,
      epsilonRelativeWideTrained: cW.epsilonRelative ?? NaN,
      epsilonRelativeGenericWide: cG.epsilonRelative ?? NaN,
      deltaNarrow: cN.delta ?? NaN,
      deltaSplit: cT.delta ?? NaN,
      supportSize: cN.support.length,
      sumLambda: cN.sumLambda ?? NaN,
      normSquaredOverL: cN.normSquaredOverL ?? NaN,
      kinksNarrow: cN.kinks.length,
      normalizedMarginNarrow: cN.normalizedMargin,
      smoothedMarginNarrow: marginSummary(nModel, data, "exponential").smoothedMargin ?? NaN,
      normalizedMarginWide: cW.normalizedMargin,
      normalizedMarginGeneric: cG.normalizedMargin,
      finalCosine: finalCos,
      maxDirectionGap: maxDirGap,
      genericCosineToTtheta: genericCos,
      genericRelativeDistanceFromImage: genericDrift,
    },
    verdicts,
    series: {
      margins: rows,
      epsilon: epsRows,
      lambda: sep ? Array.from(cN.lambda!, (l, k) => ({ sample: k, lambda: l, split: cT.lambda![k], q: cN.normalizedMargins[k] })) : [],
    },
  };
}

function kktFigures(result: ExperimentResult): FigureSpec[] {
  return [
    {
      name: "margins",
      title: "Normalised and smoothed margins along the loss-based runs",
      caption: "The narrow run and the wide run from Tθ₀ coincide (lines on top of each other); the generic wide initialisation follows its own course.",
      vegaLite: linePlot({ data: result.series.margins ?? [], x: "step", y: "value", series: "quantity", logX: true, xTitle: "step", yTitle: "margin" }),
    },
    {
      name: "epsilon",
      title: "Relative KKT residual ε/‖θ̂‖ as ‖θ‖ grows",
      caption: "The narrow run and the wide run from Tθ₀ have the same ε at every norm (T maps certificates); the generic wide initialisation converges to a KKT direction of its own.",
      vegaLite: linePlot({ data: result.series.epsilon ?? [], x: "norm", y: "epsilonRelative", series: "run", logX: true, logY: true, xTitle: "‖θ‖", yTitle: "ε/‖θ̂‖" }),
    },
    {
      name: "multipliers",
      title: "KKT multipliers λ_k against the normalised margins q̂_k (narrow θ and split Tθ)",
      caption: "Multipliers sit on the samples with q̂_k ≈ 1 (the support vectors), identical before and after splitting.",
      vegaLite: scatterPlot({ data: (result.series.lambda ?? []).flatMap((r) => [{ q: r.q, lambda: r.lambda, net: "narrow θ" }, { q: r.q, lambda: r.split, net: "split Tθ" }]), x: "q", y: "lambda", label: "net", xTitle: "normalised margin q̂_k", yTitle: "multiplier λ_k" }),
    },
  ];
}

registerExperiment<KktParams>({
  kind: "margin-kkt-embedding",
  family: "margin",
  title: "KKT points and limit directions embed under neuron splitting",
  description: "Loss-based GD (Lyu & Li) to an approximate KKT point; the certificate (ε, δ, λ, margins) of Tθ equals that of θ; the wide run from Tθ₀ has the limit direction Tθ*; a generic wide initialisation for contrast.",
  schema: kktSchema,
  run: runKkt,
  figures: kktFigures,
  headline: { params: { maxNorm: 100 } },
});
