/**
 * Section 5 of `inspect`: the plateau of a split smooth network (docs/science/plateau.md §5). When
 * section 2 finds groups of units with identical incoming vectors (copy-and-divide splits,
 * λ_u = the members' outgoing factors) at a stationary point (section 1), the network is a split
 * point θ_λ of the merged network θ̄ (also stationary), and per group j:
 *
 *   H_j = a_j Σ_i r_i σ″(w_jᵀx̃_i) x̃_i x̃_iᵀ  (plateau/innerHessian.ts),  class of θ_λ by the rules
 *   of plateau/classify.ts from In(H_red) (the Hessian of θ̄), In(H_j) and λ.
 *
 * Different groups decouple at second order at a stationary point (the cross terms of their
 * difference coordinates vanish: Σ_l λ_l ξ_l = 0 kills the Gauss–Newton term, and the output is
 * a sum over units), so
 *
 *   In(∇²L(θ)) = In(H_red) + Σ_g [In(Q_λg) + (0, 0, k_g − 1)],
 *
 * which is checked against the inertia measured in section 1 when that was dense. The class of
 * the whole point: a strict saddle if any group (or θ̄) is one, else a fourth-order saddle if
 * any group is one, a local minimum if every group is one, else undetermined.
 */
import type { LossName, Model, ModelData } from "../model/index.js";
import { hessian, piecewiseLinearSlope } from "../model/index.js";
import {
  addInertia, classifySplitPoint, DENSE_HESSIAN_MAX, HESSIAN_REL_TOL, innerHessian, measureSpectrum, qLambdaInertia, sameInertia,
  type Inertia, type SplitClass,
} from "../plateau/index.js";
import type { RedundancySection } from "./redundancy.js";
import type { StationaritySection } from "./stationarity.js";

/** One merged group on its plateau. */
export interface PlateauGroup {
  /** Units of the given network and the merged unit j. */
  readonly members: number[];
  readonly unit: number;
  /** λ_u: the members' outgoing factors (Σ λ_u = 1). */
  readonly lambda: number[];
  readonly innerEigenvalues: Float64Array;
  readonly innerInertia: Inertia;
  readonly innerThreshold: number;
  readonly cls: SplitClass;
  readonly reason: string;
}

export interface PlateauSection {
  readonly applies: true;
  readonly verdict: SplitClass;
  readonly reason: string;
  readonly limit: string;
  readonly groups: PlateauGroup[];
  readonly reducedInertia: Inertia;
  readonly reducedMinEigenvalue: number;
  /** In(H_red) + Σ_g [In(Q_λg) + (0, 0, k_g − 1)]. */
  readonly predictedInertia: Inertia;
  /** The inertia measured in section 1 (null when it used Lanczos). */
  readonly measuredInertia: Inertia | null;
  /** predicted = measured (null when not measured). */
  readonly agrees: boolean | null;
}

/** Why section 5 does not apply, or null when it does. */
export function plateauNotApplicable(model: Model, beta: number, st: StationaritySection, red: RedundancySection | null): string | null {
  const arch = model.arch;
  if (arch.kind !== "two-layer" || arch.k !== 1) return "the plateau theory is stated for two-layer networks with a scalar output";
  if (piecewiseLinearSlope(arch.activation) !== null) return `${arch.activation.name} is piecewise linear (σ″ = 0): the inner Hessian vanishes; plateaus need a smooth activation`;
  if (beta > 0) return "weight decay β > 0: a copy-and-divide split changes the penalty, so split points are not stationary plateaus";
  if (red === null || red.groups.length === 0) return "no split units: section 2 found no group of units with identical incoming weights";
  if (red.removed.length > 0) return `section 2 dropped ${red.removed.length} unit(s) (zero weights or cancelling groups): not a plain split point`;
  if (!st.stationary) return `not at a stationary point (‖∇L‖/scale = ${st.relativeGradient.toExponential(2)} > ${st.gradTol}); \`splitscape plateau\` refines one`;
  const p = red.merged.theta.length;
  if (p > DENSE_HESSIAN_MAX) return `the merged network has p = ${p} > ${DENSE_HESSIAN_MAX} parameters: In(H_red) needs its dense Hessian`;
  return null;
}

function combinedClass(reducedNegative: boolean, classes: SplitClass[]): SplitClass {
  if (reducedNegative || classes.includes("strict saddle")) return "strict saddle";
  if (classes.includes("fourth-order saddle")) return "fourth-order saddle";
  if (classes.every((c) => c === "local minimum")) return "local minimum";
  return "undetermined";
}

/** Section 5 (call only when plateauNotApplicable returns null). */
export function plateauSection(data: ModelData, loss: LossName, mean: boolean, st: StationaritySection, red: RedundancySection): PlateauSection {
  const narrow = red.merged;
  const reduced = measureSpectrum(hessian(narrow, data, loss, { mean }), HESSIAN_REL_TOL);
  const reducedInertia = reduced.inertia!;
  const groups: PlateauGroup[] = red.groups.map((g) => {
    const inner = innerHessian(narrow, data, loss, g.unit, { mean });
    const c = classifySplitPoint(reducedInertia, inner.inertia.inertia, g.outScale);
    return {
      members: g.members, unit: g.unit, lambda: g.outScale, innerEigenvalues: inner.eigenvalues, innerInertia: inner.inertia.inertia,
      innerThreshold: inner.inertia.threshold, cls: c.cls, reason: c.reason,
    };
  });
  const predictedInertia = addInertia(reducedInertia, ...groups.map((g) => addInertia(qLambdaInertia(g.innerInertia, g.lambda), { positive: 0, negative: 0, zero: g.lambda.length - 1 })));
  const measuredInertia = st.curvature.inertia;
  const agrees = measuredInertia === null ? null : sameInertia(predictedInertia, measuredInertia);
  const verdict = combinedClass(reducedInertia.negative > 0, groups.map((g) => g.cls));
  const fmt = (i: Inertia): string => `(${i.positive}, ${i.negative}, ${i.zero})`;
  return {
    applies: true, verdict,
    reason: `${groups.length} split group(s): ${groups.map((g) => `unit ${g.unit} ← {${g.members.join(", ")}} ${g.cls}`).join("; ")}; ` +
      `predicted In(∇²L) = ${fmt(predictedInertia)}${measuredInertia ? `, measured ${fmt(measuredInertia)}` : ""}`,
    limit: `dense Hessian of the merged network up to p = ${DENSE_HESSIAN_MAX}; inner Hessians d̃×d̃`,
    groups, reducedInertia, reducedMinEigenvalue: reduced.minEigenvalue, predictedInertia, measuredInertia, agrees,
  };
}
