// The Plateau view: a smooth two-layer network at an inverse-designed stationary point θ* whose
// inner Hessian H_j has the chosen inertia (plateau/design.ts), refined back to stationarity
// after a perturbation, unit j split into k copies with weights λ on the line (k = 2) or the
// simplex (k = 3). Shown: the eigenvalues of H_j and of H_red (the unsplit Hessian), the class
// of every split point θ_λ by the rules (checked against the full Hessian of the wide network),
// and at the selected λ the whole spectrum of ∇²L(θ_λ). The plateau-* experiments' recipe.
import { InputError } from "../../../src/common/errors.js";
import type { Dataset } from "../../../src/data/index.js";
import { makeActivation, type ActivationName } from "../../../src/model/index.js";
import {
  analyzePlateau, analyzeSplitPoint, type PlateauAnalysis, designStationaryPoint, formatInertia, lambdaLine, simplexGrid, INNER_TARGETS, type InnerTarget,
} from "../../../src/plateau/index.js";
import { classMapLine, simplexClassMap, spectrumPlot, type VegaLiteSpec } from "../../../src/report/index.js";

export interface PlateauConfig {
  activation: ActivationName;
  d: number;
  m: number;
  target: InnerTarget;
  stationary: "minimum" | "saddle";
  seed: number;
  k: 2 | 3;
  /** The λ-line [lmin, lmax] with `points` samples (k = 2); simplex resolution (k = 3). */
  lmin: number;
  lmax: number;
  points: number;
  simplexN: number;
  /** The selected split point: λ = (l1, 1 − l1) for k = 2, (l1, l2, 1 − l1 − l2) for k = 3. */
  l1: number;
  l2: number;
}

export interface PlateauPoint {
  lambda: number[];
  cls: string;
  predicted: string;
  measured: string;
  agrees: boolean;
  minEigenvalue: number;
}

export interface PlateauResult {
  n: number;
  gradientNorm: number;
  gradientTolerance: number;
  stationary: boolean;
  innerEigenvalues: number[];
  innerInertia: string;
  reducedEigenvalues: number[];
  reducedInertia: string;
  points: PlateauPoint[];
  disagreements: string[];
  selected: PlateauPoint & { eigenvalues: number[]; reason: string; descent: string | null };
  /** Static figures (Vega-Lite specs of src/report, colours made greyscale-safe). */
  figures: { title: string; spec: VegaLiteSpec }[];
}

/**
 * The spec with every colour encoding on viridis, whose lightness is monotone: classes and
 * series then stay distinguishable in greyscale (the report's default palette is categorical).
 */
export function greyscaleSafe(spec: VegaLiteSpec): VegaLiteSpec {
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x === null || typeof x !== "object") return x;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === "color" && v !== null && typeof v === "object" && "field" in v) {
        const { scale, ...rest } = v as { scale?: Record<string, unknown> };
        const { range: _range, ...keep } = scale ?? {};
        out[k] = { ...rest, scale: { ...keep, scheme: "viridis" } };
      } else out[k] = walk(v);
    }
    return out;
  };
  return walk(spec) as VegaLiteSpec;
}

const SMOOTH: readonly string[] = ["tanh", "sigmoid", "softplus", "gelu", "swish", "erf"];

/** The view's setting: the designed stationary point, refined after a perturbation, and its plateau analysis. */
export function plateauSetting(c: PlateauConfig): { data: Dataset; analysis: PlateauAnalysis } {
  if (!SMOOTH.includes(c.activation)) throw new InputError("activation", `the plateau theory needs a smooth activation (${SMOOTH.join(", ")}), got ${c.activation}`);
  if (!(INNER_TARGETS as readonly string[]).includes(c.target)) throw new InputError("target", `expected one of ${INNER_TARGETS.join(", ")}, got ${c.target}`);
  if (!Number.isInteger(c.d) || c.d < 1 || c.d > 4) throw new InputError("d", `expected an integer in [1, 4], got ${c.d}`);
  if (!Number.isInteger(c.m) || c.m < 1 || c.m > 6) throw new InputError("m", `expected an integer in [1, 6], got ${c.m}`);
  if (c.k === 2 && !(c.lmax > c.lmin)) throw new InputError("lmax", `the λ-line needs lmin < lmax, got [${c.lmin}, ${c.lmax}]`);
  const design = designStationaryPoint({ seed: c.seed, d: c.d, m: c.m, activation: makeActivation(c.activation), target: c.target, stationary: c.stationary });
  const start = { arch: design.model.arch, theta: design.model.theta.map((x, i) => x + 1e-4 * Math.sin(1.7 * i + 0.5)) };
  const lambdas = c.k === 2 ? lambdaLine(c.lmin, c.lmax, c.points) : simplexGrid(c.simplexN, 1);
  return { data: design.data, analysis: analyzePlateau(start, design.data, "square", { unit: 0, lambdas }) };
}

export function plateauRun(c: PlateauConfig): PlateauResult {
  const { data, analysis: a } = plateauSetting(c);
  const view = (p: (typeof a.points)[number]): PlateauPoint => ({
    lambda: p.lambda, cls: p.cls, predicted: formatInertia(p.predictedInertia), measured: p.measuredInertia ? formatInertia(p.measuredInertia) : "n/a",
    agrees: p.agrees, minEigenvalue: p.minEigenvalue,
  });
  const lambda = c.k === 2 ? [c.l1, 1 - c.l1] : [c.l1, c.l2, 1 - c.l1 - c.l2];
  const sel = analyzeSplitPoint({ model: a.model, data, loss: "square", unit: 0, inner: a.inner, reducedInertia: a.reduced.inertia! }, lambda);
  const classMap = c.k === 2
    ? classMapLine({ data: a.points.map((p) => ({ lambda: p.lambda[0], cls: p.cls })), lambdaTitle: "λ (first copy's share of a_j)" })
    : simplexClassMap({ data: a.points.map((p) => ({ l1: p.lambda[0], l2: p.lambda[1], l3: p.lambda[2], cls: p.cls })), vertices: ["λ₁ = 1", "λ₂ = 1", "λ₃ = 1"] });
  const figures = [
    { title: c.k === 2 ? "Class of θ_λ along the λ-line (by the rules, checked against the wide Hessian)" : "Class of θ_λ on the λ-simplex", spec: classMap },
    { title: "Spectra at θ*: the inner Hessian H_j and the unsplit Hessian H_red", spec: spectrumPlot({ spectra: [{ name: "H_j (inner)", values: a.inner.eigenvalues }, { name: "H_red (unsplit)", values: a.reduced.eigenvalues ?? [] }] }) },
    { title: `Full spectrum of ∇²L(θ_λ) at λ = (${lambda.map((x) => +x.toFixed(4)).join(", ")})`, spec: spectrumPlot({ spectra: [{ name: "∇²L(θ_λ)", values: sel.eigenvalues ?? [] }] }) },
  ].map((f) => ({ title: f.title, spec: greyscaleSafe(f.spec) }));
  return {
    figures,
    n: data.X.rows,
    gradientNorm: a.gradientNorm,
    gradientTolerance: a.gradientTolerance,
    stationary: a.stationary,
    innerEigenvalues: Array.from(a.inner.eigenvalues),
    innerInertia: formatInertia(a.inner.inertia.inertia),
    reducedEigenvalues: Array.from(a.reduced.eigenvalues ?? []),
    reducedInertia: a.reduced.inertia ? formatInertia(a.reduced.inertia) : "n/a",
    points: a.points.map(view),
    disagreements: a.disagreements,
    selected: {
      ...view(sel), eigenvalues: Array.from(sel.eigenvalues ?? []), reason: sel.reason,
      descent: sel.descent ? `${sel.descent.kind}: ΔL = ${sel.descent.deltaLoss.toExponential(3)} (predicted ${sel.descent.predicted.toExponential(3)})` : null,
    },
  };
}
