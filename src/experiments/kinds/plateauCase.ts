/**
 * The plateau family's experiment, shared by its four kinds (plateauDefinite.ts,
 * plateauNegativeDefinite.ts, plateauIndefinite.ts, plateauSaddle.ts — one designed case each):
 * the schema, the run, the check table and the figures.
 *
 * Family "plateau" (docs/science/plateau.md §5): split unit 0 of an inverse-designed stationary point
 * of a smooth two-layer network (square loss) whose inner Hessian H_j has a chosen inertia, and
 * classify every split point θ_λ on the λ-line (k = 2) or the λ-simplex (k = 3) by the rules,
 * then check each class against the full Hessian of the wide network (dense eigh, relative
 * thresholds) and each claimed saddle by a followed descent direction. The stationary point is
 * first perturbed by 1e-4 and refined back (Levenberg–Marquardt) to ‖∇L‖ ≤ 1e-12·scale.
 *
 *  plateau-definite            H_j ≻ 0 at a minimum: minima for λ ∈ (0, 1), strict saddles
 *                              outside, fourth-order saddles at the vertices (a mixture).
 *  plateau-negative-definite   H_j ≺ 0 at a minimum: minima only outside [0, 1].
 *  plateau-indefinite          H_j indefinite at a minimum: every split point is a saddle.
 *  plateau-saddle              splitting a saddle (H_red indefinite): every split point is a saddle.
 *  plateau-zero                H_j = 0 at a minimum: the third-order term (§5.7) makes every
 *                              split point a saddle (plateauZero.ts).
 */
import { z } from "zod";
import { makeActivation } from "../../model/index.js";
import {
  analyzePlateau, designStationaryPoint, formatInertia, isSaddleClass, lambdaLine, simplexGrid,
  type InnerTarget, type PlateauAnalysis,
} from "../../plateau/index.js";
import { atLeast, atMost, classMapLine, equals, linePlot, simplexClassMap, spectrumPlot, type FigureSpec, type Verdict } from "../../report/index.js";
import { registerExperiment } from "../registry.js";
import type { ExperimentResult, RunContext, RunSpec, SummaryOfRun } from "../types.js";
import { dimensionField, widthField } from "./base.js";

const SMOOTH = ["tanh", "sigmoid", "softplus", "gelu", "swish", "erf"] as const;

/** Defaults of the fields that act for one k only (absent from the spec otherwise). */
const LINE = { lambdaMin: -0.5, lambdaMax: 1.5, points: 41 };
const SIMPLEX = { simplexN: 10, simplexOutside: 1 };

const schema = z.strictObject({
  /** Smooth activation of the network. */
  activation: z.enum(SMOOTH).default("tanh"),
  /** Input dimension d and width m of the unsplit network. */
  d: dimensionField(2, 1, 6),
  m: widthField(3, 8),
  /** Input biases b (H_j is then (d+1)×(d+1)). */
  inputBias: z.boolean().default(false),
  /** Number of children: 2 (λ-line) or 3 (λ-simplex). */
  k: z.union([z.literal(2), z.literal(3)]).default(2),
  /** The λ-line t ↦ (t, 1 − t), t ∈ [lambdaMin, lambdaMax] (k = 2 only; defaults −0.5, 1.5, 41 points). */
  lambdaMin: z.number().optional(),
  lambdaMax: z.number().optional(),
  points: z.number().int().min(3).max(201).optional(),
  /** Resolution N of the barycentric grid (k = 3 only; default 10). */
  simplexN: z.number().int().min(1).max(30).optional(),
  /** Grid steps beyond each edge of the simplex (negative weights; k = 3 only; default 1). */
  simplexOutside: z.number().int().min(0).max(10).optional(),
  /** Size of the perturbation of θ* that the refinement must undo. */
  perturbation: z.number().min(0).max(0.1).default(1e-4),
}).superRefine((p, issues) => {
  // a field that would not act is rejected: the λ-line fields for k = 3, the simplex fields for k = 2
  const idle = p.k === 2 ? Object.keys(SIMPLEX) : Object.keys(LINE);
  for (const key of idle) {
    if (p[key as keyof typeof p] !== undefined) issues.addIssue({ code: "custom", path: [key], message: `it would not act: ${key} is for k = ${p.k === 2 ? 3 : 2}, this spec has k = ${p.k}` });
  }
});

export type Params = z.infer<typeof schema>;

/** One designed case: the inner-Hessian target, the kind of stationary point and the predicted class structure. */
export interface Case {
  kind: string;
  title: string;
  description: string;
  target: InnerTarget;
  stationary: "minimum" | "saddle";
  /** Class structure docs/science/plateau.md §5 predicts, as verdicts. */
  expect: (a: PlateauAnalysis, k: number) => Verdict[];
  headline?: boolean;
}

/** Split points of class `cls`. */
export function count(a: PlateauAnalysis, cls: string): number {
  return a.points.filter((p) => p.cls === cls).length;
}

/** k = 2: are the minima exactly the λ inside (0, 1) (inside = true) or outside [0, 1]? */
export function minimaWhere(a: PlateauAnalysis, inside: boolean): number {
  let wrong = 0;
  for (const p of a.points) {
    const t = p.lambda[0];
    const isIn = t > 0 && t < 1;
    const isOut = t < 0 || t > 1;
    const shouldBeMin = inside ? isIn : isOut;
    if ((p.cls === "local minimum") !== shouldBeMin) wrong++;
  }
  return wrong;
}

/** One verdict row per (class, predicted inertia) group: the Hessian check table. */
function checkTable(a: PlateauAnalysis): Verdict[] {
  const groups = new Map<string, PlateauAnalysis["points"]>();
  for (const p of a.points) {
    const key = `${p.cls} ${formatInertia(p.predictedInertia)}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out: Verdict[] = [];
  for (const [key, pts] of groups) {
    const measured = [...new Set(pts.map((p) => (p.measuredInertia ? formatInertia(p.measuredInertia) : "n/a")))].join(" / ");
    const lows = pts.filter((p) => p.descent).map((p) => p.descent!.deltaLoss);
    const desc = lows.length ? `; followed descent: max ΔL = ${Math.max(...lows).toExponential(2)} over ${lows.length} point(s)` : "";
    const lam = pts.length <= 3 ? pts.map((p) => `(${p.lambda.map((v) => +v.toFixed(3)).join(", ")})`).join(", ") : `${pts.length} points`;
    out.push(equals(`${key.split(" (")[0]} at λ ∈ {${lam}}: measured inertia of ∇²L(θ_λ) = predicted`, measured, formatInertia(pts[0].predictedInertia), `relative threshold ${pts[0].threshold.toExponential(1)} absolute${desc}`));
  }
  return out;
}

function lambdasFor(p: Params): number[][] {
  return p.k === 2
    ? lambdaLine(p.lambdaMin ?? LINE.lambdaMin, p.lambdaMax ?? LINE.lambdaMax, p.points ?? LINE.points)
    : simplexGrid(p.simplexN ?? SIMPLEX.simplexN, p.simplexOutside ?? SIMPLEX.simplexOutside);
}

function runCase(cs: Case) {
  return async (spec: RunSpec<Params>, ctx: RunContext) => {
    const p = spec.params;
    const design = designStationaryPoint({
      seed: spec.seed, d: p.d, m: p.m, activation: makeActivation(p.activation), target: cs.target, stationary: cs.stationary, inputBias: p.inputBias,
    });
    ctx.log(`designed ${cs.target} H_j at a ${cs.stationary}: n = ${design.data.X.rows}, H_j eigenvalues ${Array.from(design.innerEigenvalues, (v) => v.toExponential(2)).join(", ")}`);
    const start = { arch: design.model.arch, theta: design.model.theta.map((x, i) => x + p.perturbation * Math.sin(1.7 * i + 0.5)) };
    const a = analyzePlateau(start, design.data, "square", { unit: 0, lambdas: lambdasFor(p) });
    const ref = a.refinement!;
    ref.steps.forEach((s) => ctx.metric({ stage: "refine", iteration: s.iteration, gradientNorm: s.gradientNorm, damping: s.damping, accepted: s.accepted }));
    return {
      summary: {
        target: cs.target,
        stationary: cs.stationary,
        k: p.k,
        n: design.data.X.rows,
        gradientNorm: ref.gradientNorm,
        gradientScale: ref.scale,
        refineIterations: ref.iterations,
        innerMin: a.inner.eigenvalues[0],
        innerMax: a.inner.eigenvalues[a.inner.eigenvalues.length - 1],
        reducedMin: a.reduced.minEigenvalue,
        points: a.points.length,
        minima: count(a, "local minimum"),
        strictSaddles: count(a, "strict saddle"),
        fourthOrderSaddles: count(a, "fourth-order saddle"),
        undetermined: count(a, "undetermined"),
        disagreements: a.disagreements.length,
      },
      verdicts: caseVerdicts(cs, p, a),
      series: {
        points: pointRows(a),
        spectra: [
          ...Array.from(a.inner.eigenvalues, (value, index) => ({ index, value, matrix: "H_j (inner)" })),
          ...Array.from(a.reduced.eigenvalues ?? [], (value, index) => ({ index, value, matrix: "H_red (unsplit)" })),
        ],
        refinement: [{ iteration: 0, gradientNorm: ref.initialGradientNorm }, ...ref.steps.filter((s) => s.accepted).map((s) => ({ iteration: s.iteration, gradientNorm: s.gradientNorm }))],
      },
    };
  };
}

/** One figure row per split point: λ, class, predicted and measured inertia, the descent check. */
function pointRows(a: PlateauAnalysis): Array<Record<string, number | string>> {
  return a.points.map((pt) => ({
    l1: pt.lambda[0],
    l2: pt.lambda[1],
    l3: pt.lambda[2] ?? 0,
    cls: pt.cls,
    predicted: formatInertia(pt.predictedInertia),
    measured: pt.measuredInertia ? formatInertia(pt.measuredInertia) : "n/a",
    agrees: pt.agrees ? "yes" : "no",
    sureSaddle: pt.sureSaddle ? "yes" : "no",
    minEigenvalue: pt.minEigenvalue,
    threshold: pt.threshold,
    descentKind: pt.descent?.kind ?? "",
    deltaLoss: pt.descent?.deltaLoss ?? 0,
    predictedDeltaLoss: pt.descent?.predicted ?? 0,
  }));
}

/** The verdicts common to every case (refinement, designed inertias, Hessian checks), the case's own, and the check table. */
function caseVerdicts(cs: Case, p: Params, a: PlateauAnalysis): Verdict[] {
  const ref = a.refinement!;
  const noDescent = a.points.filter((pt) => isSaddleClass(pt.cls) && !pt.descent?.lowers).length;
  const inertiaMismatch = a.points.filter((pt) => pt.disagreement?.includes("inertia")).length;
  const dt = p.inputBias ? p.d + 1 : p.d;
  const wantInner = { "positive-definite": `(${dt}, 0, 0)`, "negative-definite": `(0, ${dt}, 0)`, indefinite: `(${Math.ceil(dt / 2)}, ${Math.floor(dt / 2)}, 0)`, singular: `(${dt - 1}, 0, 1)`, zero: `(0, 0, ${dt})`, "zero-cubic": `(0, 0, ${dt})` }[cs.target];
  const verdicts: Verdict[] = [
    atMost("refinement reaches a stationary point: ‖∇L‖ / scale", ref.gradientNorm / ref.scale, 1e-12, `scale = Σ|r_i|‖∇f(x_i)‖ = ${ref.scale.toExponential(3)}; ${ref.iterations} LM iteration(s) from a ${p.perturbation} perturbation`),
    equals("designed H_j has the requested inertia (|μ| ≤ 1e-10·Σ|a_j r_i σ″(z_i)|‖x̃_i‖² is zero)", formatInertia(a.inner.inertia.inertia), wantInner),
    equals(`θ* is a ${cs.stationary === "minimum" ? "nondegenerate minimum (H_red ≻ 0)" : "saddle (H_red has a negative eigenvalue)"}`, formatInertia(a.reduced.inertia!), cs.stationary === "minimum" ? `(${a.reduced.inertia!.positive + a.reduced.inertia!.negative + a.reduced.inertia!.zero}, 0, 0)` : formatInertia(a.reduced.inertia!)),
    atMost("split points whose measured inertia differs from In(H_red) + In(Q_λ) + (0, 0, k − 1)", inertiaMismatch, 0, `${a.points.length} points`),
    atMost("claimed saddles without a loss-lowering direction", noDescent, 0, "eigenvector of λ_min, the quartic probe at a zero-weight child, or the cubic line (§5.7)"),
    ...cs.expect(a, p.k),
    ...checkTable(a),
  ];
  if (cs.stationary === "saddle") verdicts[2] = atLeast("θ* is a saddle: negative eigenvalues of H_red", a.reduced.inertia!.negative, 1);
  return verdicts;
}

function figures(result: ExperimentResult<PlateauCaseSummary>, spec: RunSpec<Params>): FigureSpec[] {
  const pts = result.series.points ?? [];
  const out: FigureSpec[] = [];
  if (spec.params.k === 2) {
    out.push({
      name: "class-map",
      title: "The plateau over λ: class of θ_λ = (λ a_j, (1 − λ) a_j) by the rules",
      caption: "Each sample's class comes from In(H_red), In(H_j) and the signs of λ; the check table verifies it against the full Hessian of the wide network.",
      vegaLite: classMapLine({ data: pts.map((r) => ({ lambda: Number(r.l1), cls: String(r.cls) })), lambdaTitle: "λ (first child's share of a_j)" }),
    });
    out.push({
      name: "min-eigenvalue",
      title: "Smallest eigenvalue of the wide Hessian along the λ-line",
      caption: "Negative where a strict saddle is claimed; at λ ∈ {0, 1} it touches 0 (the saddle is seen at fourth order only).",
      vegaLite: linePlot({ data: pts.map((r) => ({ lambda: Number(r.l1), value: Number(r.minEigenvalue) })), x: "lambda", y: "value", xTitle: "λ", yTitle: "λ_min(∇²L(θ_λ))" }),
    });
  } else {
    out.push({
      name: "class-map",
      title: "The plateau over the λ-simplex (k = 3): class of θ_λ",
      caption: "Inside the triangle all λ_l > 0; on its edges some λ_l = 0 (fourth-order saddles when H_j ≠ 0); the ring outside has a negative weight.",
      vegaLite: simplexClassMap({ data: pts.map((r) => ({ l1: Number(r.l1), l2: Number(r.l2), l3: Number(r.l3), cls: String(r.cls) })), vertices: ["λ₁ = 1", "λ₂ = 1", "λ₃ = 1"] }),
    });
  }
  const byMatrix = new Map<string, number[]>();
  for (const r of result.series.spectra ?? []) byMatrix.set(String(r.matrix), [...(byMatrix.get(String(r.matrix)) ?? []), Number(r.value)]);
  // Two plots: H_j's eigenvalues are often orders of magnitude below H_red's.
  for (const [name, values] of byMatrix) {
    const inner = name.startsWith("H_j");
    out.push({
      name: inner ? "inner-spectrum" : "reduced-spectrum",
      title: inner ? "Spectrum of the inner Hessian H_j at θ*" : "Spectrum of H_red, the Hessian of the unsplit network at θ*",
      caption: inner ? "Its inertia (p₊, p₋, p₀) and the signs of λ give In(Q_λ)." : "A negative eigenvalue makes θ* a saddle, and then every split point is one.",
      vegaLite: spectrumPlot({ spectra: [{ name, values }] }),
    });
  }
  out.push({
    name: "refinement",
    title: "Levenberg–Marquardt refinement to a stationary point",
    caption: "‖∇L‖ per accepted step, from the perturbed start to below 1e-12·scale.",
    vegaLite: linePlot({ data: result.series.refinement ?? [], x: "iteration", y: "gradientNorm", logY: true, xTitle: "LM trial", yTitle: "‖∇L‖" }),
  });
  return out;
}

/** The summary of every plateau-* kind (src/experiments/summaries.ts). */
export type PlateauCaseSummary = SummaryOfRun<ReturnType<typeof runCase>>;

/** Register one designed case as an experiment kind of the plateau family. */
export function registerPlateauCase(cs: Case): void {
  registerExperiment<Params, PlateauCaseSummary>({
    kind: cs.kind,
    family: "plateau",
    title: cs.title,
    description: cs.description,
    schema,
    run: runCase(cs),
    figures,
    ...(cs.headline ? { headline: { params: { points: 21 }, seed: 3 } } : {}),
  });
}
