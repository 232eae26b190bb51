/**
 * The analytic facts drawn beside a slice:
 *  - the second-order model F(θ + xU + yV) ≈ F + x gᵀU + y gᵀV + ½(x²UᵀHU + 2xy UᵀHV + y²VᵀHV),
 *    from the exact gradient and two Hessian–vector products (inspect/objective.ts); along a line
 *    it is the parabola drawn over the plot;
 *  - the grid's own second difference at 0, (F(h) − 2F(0) + F(−h))/h², to compare with UᵀHU;
 *  - the plateau classes along a λ-line (plateau/classify.ts): the class of each split point
 *    θ_λ(t) from In(H_red) of the merged network, In(H_j) and λ(t);
 *  - the least-squares coordinates of other networks in the slice's plane (e.g. a training
 *    trajectory), with their distance from the plane.
 */
import { dot } from "../linalg/index.js";
import type { LossName, Model, ModelData } from "../model/index.js";
import { hessian } from "../model/index.js";
import {
  gradientScale, INSPECT_GRAD_TOL, objectiveGradient, objectiveHessianOperator, type ObjectiveSpec,
} from "../inspect/index.js";
import { classifySplitPoint, DENSE_HESSIAN_MAX, HESSIAN_REL_TOL, innerHessian, measureSpectrum, type SplitClass } from "../plateau/index.js";
import { plateauLambdas, type PlateauBase } from "./directions.js";

/** The second-order model in the slice's coordinates. */
export interface QuadraticModel {
  readonly value: number;
  /** gᵀU, gᵀV. */
  readonly slope: [number, number];
  /** [[UᵀHU, UᵀHV], [VᵀHU, VᵀHV]] (V entries 0 on a line). */
  readonly curvature: [[number, number], [number, number]];
}

/**
 * F, gradient and Hessian of F at θ projected on U (and V): the second-order model
 * F(θ + xU + yV) ≈ F + x gᵀU + y gᵀV + ½(x²UᵀHU + 2xy UᵀHV + y²VᵀHV), from the exact gradient and
 * two Hessian–vector products.
 *
 * @param model - the network θ
 * @param data - inputs X and targets Y (a Dataset or `{X, Y}`)
 * @param spec - the objective: loss, mean, β
 * @param U - the first direction (length p)
 * @param V - the second direction, or null on a line
 * @returns F(θ), the slopes [gᵀU, gᵀV] and the curvatures [[UᵀHU, UᵀHV], [VᵀHU, VᵀHV]] (V entries 0 on a line)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, quadraticModel, randomDirection } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const q = quadraticModel(net, data, { loss: "logistic" }, randomDirection(net, 1, "filter").vector, null);
 * console.log(q.value, q.slope[0], q.curvature[0][0]);
 * ```
 */
export function quadraticModel(model: Model, data: ModelData, spec: ObjectiveSpec, U: Float64Array, V: Float64Array | null): QuadraticModel {
  const g = objectiveGradient(model, data, spec);
  const hv = objectiveHessianOperator(model, data, spec);
  const HU = new Float64Array(U.length);
  hv(U, HU);
  const uu = dot(U, HU);
  let uv = 0;
  let vv = 0;
  let gv = 0;
  if (V !== null) {
    const HV = new Float64Array(V.length);
    hv(V, HV);
    uv = 0.5 * (dot(V, HU) + dot(U, HV));
    vv = dot(V, HV);
    gv = dot(g.gradient, V);
  }
  return { value: g.objective, slope: [dot(g.gradient, U), gv], curvature: [[uu, uv], [uv, vv]] };
}

/**
 * The second difference at 0 from a line of grid values when 0 is an interior grid point:
 * 2[(F(h₊) − F(0))/h₊ − (F(0) − F(−h₋))/h₋]/(h₊ + h₋), i.e. (F(h) − 2F(0) + F(−h))/h² when the
 * neighbours are symmetric (h reported as (h₊ + h₋)/2). Compare it with UᵀHU of quadraticModel.
 *
 * @param xs - the grid's abscissae, increasing
 * @param values - F at each abscissa
 * @returns h and the second difference, or null when 0 is not an interior grid point
 * @example
 * ```ts
 * import { axisValues, secondDifferenceAtZero } from "splitscape";
 * const xs = axisValues({ lo: -1, hi: 1, count: 5 });
 * console.log(secondDifferenceAtZero(xs, Array.from(xs, (x) => 3 * x * x))); // { h: 0.5, value: 6 }
 * ```
 */
export function secondDifferenceAtZero(xs: Float64Array, values: ArrayLike<number>): { h: number; value: number } | null {
  const i0 = xs.indexOf(0);
  if (i0 <= 0 || i0 >= xs.length - 1) return null;
  const hp = xs[i0 + 1];
  const hm = -xs[i0 - 1];
  const value = (2 * ((values[i0 + 1] - values[i0]) / hp - (values[i0] - values[i0 - 1]) / hm)) / (hp + hm);
  return { h: (hp + hm) / 2, value };
}

/** Classes of the split points along a plateau line, or why there are none. */
export type PlateauClasses =
  | { readonly applies: true; readonly rows: { readonly t: number; readonly lambda: number; readonly cls: SplitClass }[]; readonly innerEigenvalues: Float64Array }
  | { readonly applies: false; readonly reason: string };

/**
 * The class of θ_λ(t), λ(t) = λ + t(e_UNIT − e_P), at every t of the line (smooth σ, β = 0, the
 * merged network stationary to INSPECT_GRAD_TOL and small enough for its dense Hessian): from
 * In(H_red) of the merged network, In(H_j) and λ(t) by classifySplitPoint (docs/science/plateau.md).
 *
 * @param pb - a plateau base (plateauBase)
 * @param data - inputs X and targets Y
 * @param loss - the loss
 * @param mean - the mean over samples instead of the sum
 * @param beta - the weight decay β (β > 0: does not apply)
 * @param ts - the line's abscissae t
 * @returns per t the λ of UNIT and the class, with the inner Hessian's eigenvalues; or why it does not apply
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, axisValues, plateauBase, plateauClasses } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("tanh") }), { seed: 2 });
 * const r = plateauClasses(plateauBase(net, 0), data, "square", false, 0, axisValues({ lo: -1, hi: 1, count: 9 }));
 * console.log(r.applies ? r.rows.map((row) => row.cls) : r.reason);
 * ```
 */
export function plateauClasses(pb: PlateauBase, data: ModelData, loss: LossName, mean: boolean, beta: number, ts: Float64Array): PlateauClasses {
  if (pb.degree !== null) return { applies: false, reason: "piecewise-linear σ: the inner Hessian is zero, the classes are decided beyond second order" };
  if (beta > 0) return { applies: false, reason: "weight decay β > 0: split points are not stationary plateaus" };
  const spec = { loss, mean };
  const g = objectiveGradient(pb.narrow, data, spec);
  let g2 = 0;
  for (const v of g.gradient) g2 += v * v;
  const rel = Math.sqrt(g2) / gradientScale(pb.narrow, data, spec);
  if (!(rel <= INSPECT_GRAD_TOL)) return { applies: false, reason: `the merged network is not stationary (‖∇L‖/scale = ${rel.toExponential(2)} > ${INSPECT_GRAD_TOL}); refine it with \`splitscape plateau\`` };
  if (pb.narrow.theta.length > DENSE_HESSIAN_MAX) return { applies: false, reason: `the merged network has p = ${pb.narrow.theta.length} > ${DENSE_HESSIAN_MAX}: In(H_red) needs its dense Hessian` };
  const reduced = measureSpectrum(hessian(pb.narrow, data, loss, { mean }), HESSIAN_REL_TOL).inertia!;
  const inner = innerHessian(pb.narrow, data, loss, pb.mergedUnit, { mean });
  const base = plateauLambdas(pb);
  const iU = pb.members.indexOf(pb.unit);
  const iP = pb.members.indexOf(pb.partner);
  const rows = Array.from(ts, (t) => {
    const lambda = base.slice();
    lambda[iU] += t;
    lambda[iP] -= t;
    return { t, lambda: lambda[iU], cls: classifySplitPoint(reduced, inner.inertia.inertia, lambda).cls };
  });
  return { applies: true, rows, innerEigenvalues: inner.eigenvalues };
}

/** A network located in the slice's plane. */
export interface ProjectedPoint {
  readonly label: string;
  readonly x: number;
  readonly y: number;
  /** ‖θ − θ₀ − xU − yV‖: how far the network is from the plane. */
  readonly offPlane: number;
}

/**
 * Least-squares coordinates (x, y) of θ − θ₀ in span{U, V} (V null: on the line), with each
 * network's distance from the plane: where other networks (e.g. training checkpoints) lie in a
 * slice.
 *
 * @param base - the slice's base network θ₀
 * @param U - the first direction
 * @param V - the second direction, or null on a line
 * @param points - the networks to place (same architecture), each with a label
 * @returns per network its label, x, y and ‖θ − θ₀ − xU − yV‖
 * @example
 * ```ts
 * import { directionTo, initializeModel, makeActivation, projectOntoSlice, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") });
 * const a = initializeModel(arch, { seed: 1 }), b = initializeModel(arch, { seed: 2 }), c = initializeModel(arch, { seed: 3 });
 * console.log(projectOntoSlice(a, directionTo(a, b, "b").vector, null, [{ label: "c", model: c }]));
 * ```
 */
export function projectOntoSlice(base: Model, U: Float64Array, V: Float64Array | null, points: readonly { label: string; model: Model }[]): ProjectedPoint[] {
  const uu = dot(U, U);
  const uv = V ? dot(U, V) : 0;
  const vv = V ? dot(V, V) : 1;
  const det = uu * vv - uv * uv;
  return points.map(({ label, model }) => {
    const r = Float64Array.from(model.theta, (v, i) => v - base.theta[i]);
    const bu = dot(r, U);
    const bv = V ? dot(r, V) : 0;
    const x = V ? (vv * bu - uv * bv) / det : bu / uu;
    const y = V ? (uu * bv - uv * bu) / det : 0;
    let off = 0;
    for (let i = 0; i < r.length; i++) off += (r[i] - x * U[i] - (V ? y * V[i] : 0)) ** 2;
    return { label, x, y, offPlane: Math.sqrt(off) };
  });
}
