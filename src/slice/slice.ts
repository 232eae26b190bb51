/**
 * `sliceLandscape(model, data, options)`: F along a line θ + t·U or over a plane θ + x·U + y·V
 * (directions.ts), evaluated batched (evaluate.ts), with the analytic facts that exist beside it
 * (overlays.ts) — or along the non-increasing path of the convex family (a curve). Pure: no
 * files; the CLI writes the run folder, the lab draws the same result.
 *
 * The base network is the model itself, except for plateau directions on a unit that is not
 * split yet: then the unit is split at λ = (½, ½) (copy-and-divide) and that network is sliced
 * (`baseNote` says so). Checks carried by every result: F at the grid's origin against the
 * model's own loss; for to:MODEL2, F at t = 0 and t = 1 against both models' losses; for a path,
 * the objective along it against the path's own numbers.
 */
import { InputError } from "../common/errors.js";
import { dot, nrm2 } from "../linalg/index.js";
import type { Model, ModelData } from "../model/index.js";
import { describeArchitecture, twoLayerArchitecture } from "../model/index.js";
import { convexSetting } from "../inspect/convex.js";
import { convexNotApplicable, objectiveValue, type ObjectiveSpec } from "../inspect/index.js";
import { nonIncreasingPath, PathWidthError, type NetworkClass, type PathReport, type ReluNetwork } from "../convex/index.js";
import {
  directionTo, hessianDirection, plateauAcross, plateauAlong, plateauBase, randomDirection,
  type HessianDirection, type PlateauAcross, type PlateauBase, type SliceDirection,
} from "./directions.js";
import { sliceGrid, type GridValues } from "./evaluate.js";
import {
  plateauClasses, projectOntoSlice, quadraticModel, secondDifferenceAtZero,
  type PlateauClasses, type ProjectedPoint, type QuadraticModel,
} from "./overlays.js";
import { axisValues, SLICE_MAX_POINTS, type DirectionSpec, type GridAxis } from "./spec.js";

/** A direction spec with the second model of `to:` loaded. */
export type DirectionRequest = Exclude<DirectionSpec, { kind: "to" }> | { readonly kind: "to"; readonly source: string; readonly target: Model };

export interface SliceOptions extends ObjectiveSpec {
  readonly along: DirectionRequest;
  readonly plane?: DirectionRequest;
  readonly x?: GridAxis;
  readonly y?: GridAxis;
  /** Tolerance of the split detection for plateau directions (merge.ts). */
  readonly angleTol?: number;
  /** Networks to place in the slice (e.g. training checkpoints): least-squares coordinates. */
  readonly project?: readonly { readonly label: string; readonly model: Model }[];
  /** `path`: width of the path's networks and whether to go straight to the vertex. */
  readonly path?: { readonly width?: number; readonly straight?: boolean };
}

/** What the directions add to the picture (present where it applies). */
export interface SliceOverlays {
  /** The second-order model at the base (lines and planes through θ). */
  readonly quadratic: QuadraticModel;
  /** The grid's second difference at 0 along x (when 0 and ±h are grid points). */
  readonly secondDifference: { readonly h: number; readonly value: number } | null;
  /** The same along y (planes). */
  readonly secondDifferenceY: { readonly h: number; readonly value: number } | null;
  /** hessian:K directions: eigenvalue and Lanczos residual, per axis. */
  readonly hessian: (Pick<HessianDirection, "eigenvalue" | "residual" | "converged"> | null)[];
  /** plateau:UNIT along x: the class of each split point. */
  readonly plateau: PlateauClasses | null;
  /** plateau-across: the inner-Hessian curvature prediction, per axis. */
  readonly across: (Pick<PlateauAcross, "innerEigenvalue" | "lambdas" | "predictedCurvature"> | null)[];
  /** to:MODEL2 along x: F of both models by their own losses and the grid's values at t = 0, 1. */
  readonly to: { readonly start: number; readonly end: number; readonly gridStart: number | null; readonly gridEnd: number | null } | null;
}

/** A line or a plane. */
export interface GridSlice {
  readonly kind: "line" | "plane";
  readonly base: Model;
  readonly baseNote: string | null;
  readonly directions: SliceDirection[];
  /** cos∠(U, V) for a plane. */
  readonly cosine: number | null;
  readonly xs: Float64Array;
  /** [0] for a line. */
  readonly ys: Float64Array;
  readonly values: GridValues;
  /** F(θ) by the model's own loss and the grid's value at the origin (when it is a grid point). */
  readonly center: { readonly objective: number; readonly grid: number | null };
  readonly overlays: SliceOverlays;
  readonly projections: ProjectedPoint[];
}

/** The non-increasing path of the convex family, evaluated. */
export interface PathSlice {
  readonly kind: "path";
  readonly base: Model;
  /** stage + t of every sampled point. */
  readonly positions: Float64Array;
  readonly stage: Int32Array;
  /** F along the path by the model's loss, and by the path's own bookkeeping. */
  readonly objective: Float64Array;
  readonly pathObjective: Float64Array;
  /** max |ours − path's| / max(1, |F|). */
  readonly maxDeviation: number;
  readonly stages: { readonly name: string; readonly kind: string }[];
  readonly optimum: { readonly value: number; readonly dualValue: number; readonly relativeGap: number; readonly exact: boolean };
  readonly endGap: number;
  readonly finalClass: NetworkClass;
  readonly nonIncreasing: boolean;
  readonly maxIncrease: number;
  readonly width: number;
  readonly notes: string[];
}

export type SliceResult = GridSlice | PathSlice;

/**
 * Default axis of a direction kind: t ∈ [−0.5, 1.5] toward a model (to:MODEL2, so both networks
 * and some of the line beyond them show), [−1, 1] otherwise.
 *
 * @param kind - the direction's kind
 * @param count - the number of points
 * @returns the axis {lo, hi, count}
 * @example
 * ```ts
 * import { defaultAxis } from "splitscape";
 * console.log(defaultAxis("to", 41), defaultAxis("hessian", 41));
 * ```
 */
export function defaultAxis(kind: DirectionSpec["kind"], count: number): GridAxis {
  return kind === "to" ? { lo: -0.5, hi: 1.5, count } : { lo: -1, hi: 1, count };
}

function unitOf(r: DirectionRequest): number | null {
  return r.kind === "plateau" || r.kind === "plateau-across" ? r.unit : null;
}

function buildDirection(r: DirectionRequest, base: Model, data: ModelData, spec: ObjectiveSpec, pb: PlateauBase | null, axis: number): SliceDirection {
  switch (r.kind) {
    case "random": return randomDirection(base, r.seed ?? axis, r.normalization);
    case "to": return directionTo(base, r.target, r.source);
    case "hessian": return hessianDirection(base, data, spec, r.index);
    case "plateau": return plateauAlong(pb!);
    case "plateau-across": return plateauAcross(pb!, data, spec.loss, spec.mean ?? false, spec.beta ?? 0, r.eigen);
    case "path": throw new InputError("--plane", "path is a curve: it cannot be a direction of a plane");
  }
}

/** A line or plane slice (see the file comment). */
function gridSlice(model: Model, data: ModelData, opts: SliceOptions): GridSlice {
  const spec: ObjectiveSpec = { loss: opts.loss, mean: opts.mean, beta: opts.beta };
  const plane = opts.plane ?? null;
  const units = [unitOf(opts.along), plane ? unitOf(plane) : null].filter((u): u is number => u !== null);
  if (units.length === 2 && units[0] !== units[1]) throw new InputError("--plane", `both plateau directions must name the same unit (got ${units[0]} and ${units[1]})`);
  const pb = units.length > 0 ? plateauBase(model, units[0], opts.angleTol) : null;
  const base = pb?.base ?? model;
  const U = buildDirection(opts.along, base, data, spec, pb, 0);
  const V = plane ? buildDirection(plane, base, data, spec, pb, 1) : null;
  const count = plane ? 51 : 101;
  const xAxis = opts.x ?? defaultAxis(opts.along.kind, count);
  const yAxis = plane ? (opts.y ?? defaultAxis(plane.kind, count)) : null;
  if (xAxis.count * (yAxis?.count ?? 1) > SLICE_MAX_POINTS) throw new InputError("--x/--y", `${xAxis.count}×${yAxis?.count ?? 1} grid points exceed the limit of ${SLICE_MAX_POINTS}`);
  const xs = axisValues(xAxis);
  const ys = yAxis ? axisValues(yAxis) : Float64Array.of(0);
  for (const d of [U, V]) if (d && !(d.norm > 0)) throw new InputError(d === U ? "--along" : "--plane", `the direction ${d.spec} is zero`);
  const values = sliceGrid({ model: base, data, spec, U: U.vector, V: V?.vector ?? null, xs, ys });
  const ix = xs.indexOf(0);
  const iy = ys.indexOf(0);
  const center = { objective: objectiveValue(base, data, spec).objective, grid: ix >= 0 && iy >= 0 ? values.objective[iy * xs.length + ix] : null };
  const line = iy >= 0 ? values.objective.subarray(iy * xs.length, (iy + 1) * xs.length) : null;
  const dirs = [opts.along, plane];
  const built = [U, V];
  const to = opts.along.kind === "to" ? {
    start: objectiveValue(base, data, spec).objective,
    end: objectiveValue(opts.along.target, data, spec).objective,
    gridStart: line && ix >= 0 ? line[ix] : null,
    gridEnd: line && xs.indexOf(1) >= 0 ? line[xs.indexOf(1)] : null,
  } : null;
  const overlays: SliceOverlays = {
    quadratic: quadraticModel(base, data, spec, U.vector, V?.vector ?? null),
    secondDifference: line ? secondDifferenceAtZero(xs, line) : null,
    secondDifferenceY: plane && ix >= 0 ? secondDifferenceAtZero(ys, Float64Array.from(ys, (_, j) => values.objective[j * xs.length + ix])) : null,
    hessian: built.map((d, a) => (d && dirs[a]?.kind === "hessian" ? { eigenvalue: (d as HessianDirection).eigenvalue, residual: (d as HessianDirection).residual, converged: (d as HessianDirection).converged } : null)),
    plateau: pb && opts.along.kind === "plateau" ? plateauClasses(pb, data, opts.loss, opts.mean ?? false, opts.beta ?? 0, xs) : null,
    across: built.map((d, a) => (d && dirs[a]?.kind === "plateau-across" ? { innerEigenvalue: (d as PlateauAcross).innerEigenvalue, lambdas: (d as PlateauAcross).lambdas, predictedCurvature: (d as PlateauAcross).predictedCurvature } : null)),
    to,
  };
  const baseNote = pb?.madeSplit && base.arch.kind === "two-layer"
    ? `unit ${pb.unit} split at λ = (½, ½) into units ${pb.unit} and ${pb.partner} (copy-and-divide, width ${base.arch.m}): the slice is of that network`
    : null;
  return {
    kind: plane ? "plane" : "line", base, baseNote, directions: V ? [U, V] : [U],
    cosine: V ? dot(U.vector, V.vector) / (nrm2(U.vector) * nrm2(V.vector)) : null,
    xs, ys, values, center, overlays, projections: projectOntoSlice(base, U.vector, V?.vector ?? null, opts.project ?? []),
  };
}

/** A network of the path (X̃-space, bias last when the model has biases) as a model of the path's width. */
function pathModel(model: Model, net: ReluNetwork): Model {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new RangeError("pathModel: not a two-layer network");
  const { d } = arch;
  const wide = twoLayerArchitecture({ d, m: net.m, k: 1, activation: arch.activation, inputBias: arch.inputBias, outputBias: arch.outputBias });
  const theta = new Float64Array(net.m * d + net.m + (arch.inputBias ? net.m : 0) + (arch.outputBias ? 1 : 0));
  for (let j = 0; j < net.m; j++) {
    for (let i = 0; i < d; i++) theta[j * d + i] = net.W[j * net.D + i];
    theta[net.m * d + j] = net.alpha[j];
    if (arch.inputBias) theta[net.m * d + net.m + j] = net.W[j * net.D + d];
  }
  return { arch: wide, theta };
}

/** F along the convex family's non-increasing path (two-layer ReLU with weight decay). */
function pathSlice(model: Model, data: ModelData, opts: SliceOptions): PathSlice {
  const spec: ObjectiveSpec = { loss: opts.loss, mean: opts.mean, beta: opts.beta };
  const why = convexNotApplicable(model, spec);
  if (why !== null) throw new InputError("--along", `path: ${why}`);
  const { problem, net, scale, exact } = convexSetting(model, data, spec);
  const notes: string[] = [];
  const width = opts.path?.width;
  if (width !== undefined && width < net.m) throw new InputError("--width", `must be at least the network's width ${net.m}, got ${width}`);
  let report: PathReport;
  try {
    report = nonIncreasingPath(problem, net, { width, straight: opts.path?.straight, keepNetworks: true });
  } catch (e) {
    if (!(e instanceof PathWidthError) || width !== undefined) throw e instanceof PathWidthError ? new InputError("--width", e.message) : e;
    report = nonIncreasingPath(problem, net, { width: e.needed, straight: opts.path?.straight, keepNetworks: true });
    notes.push(`width raised from ${net.m} to ${e.needed} with zero neurons (same function and objective): the path needs it`);
  }
  const positions: number[] = [];
  const stageOf: number[] = [];
  const ours: number[] = [];
  const theirs: number[] = [];
  report.stages.forEach((st, si) => {
    st.points.forEach((p, i) => {
      positions.push(si + p.t);
      stageOf.push(si);
      ours.push(objectiveValue(pathModel(model, st.networks![i]), data, spec).objective);
      theirs.push(p.objective * scale);
    });
  });
  let dev = 0;
  ours.forEach((v, i) => { dev = Math.max(dev, Math.abs(v - theirs[i]) / Math.max(1, Math.abs(v))); });
  const rise = report.maxIncrease / Math.max(Math.abs(report.startObjective), Number.MIN_VALUE);
  return {
    kind: "path", base: model, positions: Float64Array.from(positions), stage: Int32Array.from(stageOf), objective: Float64Array.from(ours),
    pathObjective: Float64Array.from(theirs), maxDeviation: dev, stages: report.stages.map((s) => ({ name: s.name, kind: s.kind })),
    optimum: { value: report.optimum.primalValue * scale, dualValue: report.optimum.dualValue * scale, relativeGap: report.optimum.relativeGap, exact: exact && report.optimum.exact },
    endGap: report.endGap * scale, finalClass: report.finalClass, nonIncreasing: rise <= 1e-12, maxIncrease: report.maxIncrease * scale, width: report.width,
    notes: [...notes, ...report.notes],
  };
}

/**
 * The slice asked for (see the file comment): F along a line θ + t·U or over a plane θ + x·U + y·V
 * in the requested directions, evaluated batched (sliceGrid), with the analytic facts beside it
 * (second-order model, second difference, Hessian eigenpairs, plateau classes, the ends of
 * to:MODEL2) and other networks projected into it — or, for `along: {kind: "path"}`, F along the
 * convex family's non-increasing path. What `splitscape slice` computes; pure (no files).
 *
 * @param model - the network θ (two-layer, mlp or conv); plateau directions on a unit not yet split slice its split at λ = (½, ½)
 * @param data - inputs X and targets Y (a Dataset or `{X, Y}`)
 * @param opts - loss, mean, β; along (a DirectionRequest: parseDirectionSpec's result, with `target` loaded for to:) and optional plane; x and y axes (default defaultAxis with 101 points on a line, 51 per axis on a plane); angleTol; project; path settings
 * @returns a GridSlice (line or plane: base, directions, xs, ys, values, overlays, projections) or a PathSlice
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, sliceChecks, sliceLandscape } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const s = sliceLandscape(net, data, {
 *   loss: "logistic",
 *   along: { kind: "random", seed: 1, normalization: "filter" },
 *   plane: { kind: "hessian", index: -1 },
 *   x: { lo: -1, hi: 1, count: 21 },
 *   y: { lo: -1, hi: 1, count: 21 },
 * });
 * if (s.kind !== "path") console.log(s.values.objective.length, sliceChecks(s).every((v) => v.pass));
 * ```
 */
export function sliceLandscape(model: Model, data: ModelData, opts: SliceOptions): SliceResult {
  if (model.arch.kind === "parallel-three-layer") {
    throw new InputError("--model", `slices of ${describeArchitecture(model.arch)} models are not supported yet (two-layer, mlp and conv models only)`);
  }
  if (opts.along.kind === "path") {
    if (opts.plane) throw new InputError("--plane", "path is a curve (1-D): it takes no --plane");
    return pathSlice(model, data, opts);
  }
  return gridSlice(model, data, opts);
}
