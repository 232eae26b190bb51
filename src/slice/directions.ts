/**
 * Directions in parameter space for slices (spec.ts gives the grammar):
 *
 *  - filter normalisation (Li, Xu, Taylor, Studer & Goldstein 2018, "Visualizing the loss
 *    landscape of neural nets", §4; tomgoldstein/loss-landscape, net_plotter.py
 *    normalize_directions_for_weights): for every weight tensor of dimension ≥ 2 in PyTorch's
 *    layout, each slice along its first index (a "filter") of the direction is rescaled to the
 *    norm of the same slice of θ, d_r ← d_r·‖θ_r‖/‖d_r‖; 1-D parameters (biases) get a zero
 *    direction (their `--xignore biasbn`). Filters here: two-layer W rows (neuron j's incoming
 *    weights) and the rows of the output layer aᵀ (k × m: output c's weights over the neurons —
 *    for k = 1 the whole output layer is one filter, as nn.Linear(m, 1).weight is in net_plotter);
 *    MLP: every W_l row, the last layer included; conv: each conv weight's output channel
 *    (in × kh × kw entries) and each row of the head (outputs × features). (net_plotter divides
 *    by ‖d_r‖ + 1e-10; the exact quotient is used here, a zero filter stays zero.)
 *  - the Hessian's eigenvectors by thick-restart Lanczos on exact Hessian–vector products;
 *  - the plateau of a split unit: along (outgoing weights of two children moved oppositely at
 *    constant function) and across (incoming weights moved apart along an eigenvector of the
 *    inner Hessian, with Σ_l λ_l ξ_l = 0), docs/science/plateau.md §4.
 */
import { InputError } from "../common/errors.js";
import type { LossName, Model, ModelData } from "../model/index.js";
import { convGeometry, describeArchitecture, mlpLayerOffsets, sameArchitecture, twoLayerLayout } from "../model/index.js";
import { lanczos, nrm2 } from "../linalg/index.js";
import { objectiveHessianOperator, penaltyMask, type ObjectiveSpec } from "../inspect/index.js";
import { canonicalSign } from "../inspect/stationarity.js";
import { innerHessian, splitUnitCopyDivide } from "../plateau/index.js";
import { fork, normal } from "../random/index.js";
import { mergeRedundantUnits } from "../splitting/index.js";

/** A direction with what it is. */
export interface SliceDirection {
  /** The spec it was built from, as text. */
  readonly spec: string;
  readonly vector: Float64Array;
  readonly norm: number;
  /** How it was normalised, in words. */
  readonly normalization: string;
}

/** A weight tensor seen as a matrix of filters: `rows` filters of `cols` entries (entry c of filter r at off + r·stride + c·colStride). */
interface FilterBlock {
  readonly off: number;
  readonly rows: number;
  readonly cols: number;
  readonly stride: number;
  readonly colStride: number;
}

/**
 * The filters of every weight tensor (PyTorch's first index, the output unit or channel) and the
 * 1-D blocks (biases). Conv: each conv weight (out × in × kh × kw, row-major) has one filter per
 * output channel, its in·kh·kw contiguous entries; the head (outputs × features) one per output.
 */
function filterLayout(model: Model): { matrices: FilterBlock[]; vectors: { off: number; len: number }[] } {
  const arch = model.arch;
  if (arch.kind === "parallel-three-layer") throw new InputError("--along", `filter normalisation is not defined for ${describeArchitecture(arch)} models; use random-plain`);
  if (arch.kind === "conv") {
    const g = convGeometry(arch);
    const matrices: FilterBlock[] = g.stages.filter((st) => st.stage.type === "conv").map((st) => {
      const cols = st.size / st.out.channels;
      return { off: st.offset, rows: st.out.channels, cols, stride: cols, colStride: 1 };
    });
    matrices.push({ off: g.headOffset, rows: arch.outputs, cols: g.features, stride: g.features, colStride: 1 });
    return { matrices, vectors: [] };
  }
  if (arch.kind === "mlp") {
    const off = mlpLayerOffsets(arch);
    return {
      matrices: arch.widths.slice(1).map((rows, l) => ({ off: off[l], rows, cols: arch.widths[l], stride: arch.widths[l], colStride: 1 })),
      vectors: [],
    };
  }
  const L = twoLayerLayout(arch);
  const vectors: { off: number; len: number }[] = [];
  if (L.b >= 0) vectors.push({ off: L.b, len: arch.m });
  if (L.c >= 0) vectors.push({ off: L.c, len: arch.k });
  // W is m×d (row j = filter j); a is stored m×k, i.e. the k×m output matrix transposed: filter c is column c.
  return {
    matrices: [
      { off: L.W, rows: arch.m, cols: arch.d, stride: arch.d, colStride: 1 },
      { off: L.a, rows: arch.k, cols: arch.m, stride: 1, colStride: arch.k },
    ],
    vectors,
  };
}

/**
 * Filter normalisation of `d` against θ (Li, Xu, Taylor, Studer & Goldstein 2018, "Visualizing the
 * loss landscape of neural nets", §4; see the file comment): returns a new vector, each filter
 * (row of a weight matrix in PyTorch's out×in layout, a conv output channel) scaled to the norm of
 * θ's filter, d_r ← d_r·‖θ_r‖/‖d_r‖, and 1-D parameters (biases) zero.
 *
 * @param model - the network θ (two-layer, mlp or conv; parallel three-layer is an InputError)
 * @param d - a direction of length p in θ's layout (not modified)
 * @returns the normalised direction (a zero filter stays zero)
 * @example
 * ```ts
 * import { filterNormalize, initializeModel, makeActivation, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const d = filterNormalize(net, Float64Array.from(net.theta, (_, i) => Math.sin(i + 1)));
 * console.log(d);
 * ```
 */
export function filterNormalize(model: Model, d: Float64Array): Float64Array {
  if (d.length !== model.theta.length) throw new RangeError(`filterNormalize: direction has ${d.length} entries, θ has ${model.theta.length}`);
  const out = d.slice();
  const { matrices, vectors } = filterLayout(model);
  for (const M of matrices) {
    for (let r = 0; r < M.rows; r++) {
      let dn = 0;
      let wn = 0;
      for (let c = 0; c < M.cols; c++) {
        const i = M.off + r * M.stride + c * M.colStride;
        dn += d[i] * d[i];
        wn += model.theta[i] * model.theta[i];
      }
      const f = dn > 0 ? Math.sqrt(wn) / Math.sqrt(dn) : 0;
      for (let c = 0; c < M.cols; c++) out[M.off + r * M.stride + c * M.colStride] *= f;
    }
  }
  for (const v of vectors) out.fill(0, v.off, v.off + v.len);
  return out;
}

/**
 * A Gaussian direction from a seeded stream: filter-normalised (`random:SEED`), or scaled as a
 * whole to ‖θ_reg‖ ("plain", `random-plain:SEED`).
 *
 * @param model - the network θ
 * @param seed - the stream's seed (the same seed gives the same direction)
 * @param normalization - "filter" (Li et al. 2018) or "plain"
 * @returns the direction with its spec text, vector, norm and normalisation in words
 * @example
 * ```ts
 * import { initializeModel, makeActivation, randomDirection, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const u = randomDirection(net, 7, "filter");
 * console.log(u.spec, u.norm);
 * ```
 */
export function randomDirection(model: Model, seed: number, normalization: "filter" | "plain"): SliceDirection {
  const rng = fork(seed, "slice-direction");
  const g = new Float64Array(model.theta.length);
  for (let i = 0; i < g.length; i++) g[i] = normal(rng);
  const spec = `${normalization === "filter" ? "random" : "random-plain"}:${seed}`;
  if (normalization === "filter") {
    const v = filterNormalize(model, g);
    return { spec, vector: v, norm: nrm2(v), normalization: "filter-normalised (Li et al. 2018): each filter scaled to the norm of θ's filter, biases 0" };
  }
  const mask = penaltyMask(model.arch);
  let t2 = 0;
  for (let i = 0; i < g.length; i++) if (mask[i]) t2 += model.theta[i] ** 2;
  const s = Math.sqrt(t2) / nrm2(g);
  for (let i = 0; i < g.length; i++) g[i] *= s;
  return { spec, vector: g, norm: nrm2(g), normalization: "Gaussian scaled to ‖θ‖ as a whole" };
}

/**
 * θ₂ − θ for a model of the same architecture (InputError naming `source` otherwise): t = 1 on this
 * direction is the second model (unnormalised).
 *
 * @param model - the network θ
 * @param target - the network θ₂ (same architecture)
 * @param source - the name of θ₂ in the spec text and in errors (e.g. its file)
 * @returns the direction θ₂ − θ with its norm
 * @example
 * ```ts
 * import { directionTo, initializeModel, makeActivation, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") });
 * const start = initializeModel(arch, { seed: 1 }), end = initializeModel(arch, { seed: 2 });
 * console.log(directionTo(start, end, "seed 2").norm);
 * ```
 */
export function directionTo(model: Model, target: Model, source: string): SliceDirection {
  if (!sameArchitecture(model.arch, target.arch)) {
    throw new InputError(source, `to:MODEL2 needs the same architecture as the model: ${describeArchitecture(target.arch)} vs ${describeArchitecture(model.arch)}`);
  }
  const v = Float64Array.from(target.theta, (x, i) => x - model.theta[i]);
  return { spec: `to:${source}`, vector: v, norm: nrm2(v), normalization: "θ₂ − θ (unnormalised: t = 1 is the second model)" };
}

/** The Hessian eigendirection `index` (see spec.ts) with its eigenvalue and Lanczos residual. */
export interface HessianDirection extends SliceDirection {
  readonly eigenvalue: number;
  readonly residual: number;
  readonly converged: boolean;
}

/**
 * Unit eigenvector of ∇²F for the index-th largest (index > 0) or |index|-th smallest (index < 0)
 * eigenvalue, by thick-restart Lanczos on exact Hessian–vector products.
 *
 * @param model - the network θ
 * @param data - inputs X and targets Y (a Dataset or `{X, Y}`)
 * @param spec - the objective: loss, mean, β
 * @param index - K ≠ 0: 1 the largest eigenvalue, −1 the smallest (most negative)
 * @returns the unit eigenvector with its eigenvalue, Lanczos residual and convergence
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, hessianDirection } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const v = hessianDirection(net, data, { loss: "logistic" }, -1);
 * console.log(v.eigenvalue, v.residual, v.converged);
 * ```
 */
export function hessianDirection(model: Model, data: ModelData, spec: ObjectiveSpec, index: number): HessianDirection {
  const p = model.theta.length;
  const k = Math.abs(index);
  if (k > p) throw new InputError("hessian:K", `|K| = ${k} exceeds the number of parameters p = ${p}`);
  const res = lanczos(objectiveHessianOperator(model, data, spec), p, { k, which: index > 0 ? "largest" : "smallest" });
  const col = index > 0 ? res.values.length - k : k - 1;
  const v = new Float64Array(p);
  for (let i = 0; i < p; i++) v[i] = res.vectors.data[i * res.vectors.cols + col];
  canonicalSign(v);
  return {
    spec: `hessian:${index}`, vector: v, norm: nrm2(v), normalization: "unit eigenvector (sign: largest entry positive)",
    eigenvalue: res.values[col], residual: res.residuals[col], converged: res.converged,
  };
}

/** The split unit a plateau slice moves in: the base network and the two children U, P. */
export interface PlateauBase {
  /** The network sliced (the given one, or its split when UNIT was not split already). */
  readonly base: Model;
  /** True when the base was made by splitting UNIT at λ = (½, ½). */
  readonly madeSplit: boolean;
  /** Units of the base network: the group, UNIT's position in it, and its partner. */
  readonly members: number[];
  readonly unit: number;
  readonly partner: number;
  /** Incoming and outgoing factors of the members (merge.ts): v_u = in_u v̄, o_u = out_u ō. */
  readonly inScale: number[];
  readonly outScale: number[];
  /** The merged network and the merged unit j. */
  readonly narrow: Model;
  readonly mergedUnit: number;
  /** Degree of homogeneity of σ (null: smooth; then in_u = 1). */
  readonly degree: number | null;
}

/**
 * The plateau of `unit`: when the unit belongs to a group of split units (merge.ts), that group
 * and its first other member; otherwise the copy-and-divide split of the unit at λ = (½, ½)
 * (children `unit` and the appended unit m).
 *
 * @param model - a two-layer network with a scalar output
 * @param unit - the unit (0-based)
 * @param angleTol - the tolerance of the split detection, radians (default the merge's)
 * @returns the base network (split if needed), the group, the unit and its partner, their scales, and the merged network
 * @example
 * ```ts
 * import { initializeModel, makeActivation, plateauBase, plateauLambdas, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("tanh") }), { seed: 2 });
 * const pb = plateauBase(net, 0);
 * console.log(pb.madeSplit, pb.unit, pb.partner, plateauLambdas(pb)); // true 0 3 [0.5, 0.5]
 * ```
 */
export function plateauBase(model: Model, unit: number, angleTol?: number): PlateauBase {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new InputError("plateau:UNIT", `plateau slices are for two-layer networks, got ${describeArchitecture(arch)}`);
  if (unit >= arch.m) throw new InputError("plateau:UNIT", `unit ${unit} is out of range: the network has units 0..${arch.m - 1}`);
  let base = model;
  let madeSplit = false;
  let merge = mergeRedundantUnits(base, { angleTol });
  let group = merge.layers[0].groups.find((g) => g.members.includes(unit));
  if (group === undefined || group.members.length < 2) {
    if (group === undefined) throw new InputError("plateau:UNIT", `unit ${unit} contributes nothing (zero weights): it has no plateau`);
    base = splitUnitCopyDivide(model, unit, [0.5, 0.5]);
    madeSplit = true;
    merge = mergeRedundantUnits(base, { angleTol });
    group = merge.layers[0].groups.find((g) => g.members.includes(unit))!;
  }
  const partner = group.members.find((u) => u !== unit)!;
  return {
    base, madeSplit, members: group.members, unit, partner, inScale: group.inScale, outScale: group.outScale,
    narrow: merge.merged, mergedUnit: group.unit, degree: merge.degree,
  };
}

/** Offsets of unit u's incoming entries (W row, then b) and outgoing entries (a row) in a two-layer θ. */
function unitSlots(model: Model, u: number): { incoming: number[]; outgoing: number[] } {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new RangeError("unitSlots: not a two-layer network");
  const L = twoLayerLayout(arch);
  const incoming = Array.from({ length: arch.d }, (_, i) => L.W + u * arch.d + i);
  if (L.b >= 0) incoming.push(L.b + u);
  return { incoming, outgoing: Array.from({ length: arch.k }, (_, c) => L.a + u * arch.k + c) };
}

/**
 * Effective split weights λ_u = out_u·in_u^p of the members (p the degree of homogeneity of σ;
 * in_u = 1 for smooth σ), which sum to 1.
 *
 * @param pb - a plateau base (plateauBase)
 * @returns λ of each member, in the order of pb.members
 * @example
 * ```ts
 * import { initializeModel, makeActivation, plateauBase, plateauLambdas, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("tanh") }), { seed: 2 });
 * console.log(plateauLambdas(plateauBase(net, 1)));
 * ```
 */
export function plateauLambdas(pb: PlateauBase): number[] {
  return pb.outScale.map((o, i) => o * (pb.degree === null ? 1 : pb.inScale[i] ** pb.degree));
}

/**
 * Along the plateau: δo_UNIT = ō/in_UNIT^p, δo_P = −ō/in_P^p (ō the merged outgoing weights), so
 * the function is unchanged and t is the change of λ_UNIT (λ_P changes by −t).
 *
 * @param pb - a plateau base (plateauBase)
 * @returns the direction (on the base network's θ), unnormalised
 * @example
 * ```ts
 * import { initializeModel, makeActivation, plateauAlong, plateauBase, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("tanh") }), { seed: 2 });
 * console.log(plateauAlong(plateauBase(net, 0)).normalization);
 * ```
 */
export function plateauAlong(pb: PlateauBase): SliceDirection {
  const v = new Float64Array(pb.base.theta.length);
  const narrow = pb.narrow.arch;
  if (narrow.kind !== "two-layer") throw new RangeError("plateauAlong: not a two-layer network");
  const k = narrow.k;
  const oBar = twoLayerSlice(pb.narrow, pb.mergedUnit);
  const fU = pb.degree === null ? 1 : pb.inScale[pb.members.indexOf(pb.unit)] ** pb.degree;
  const fP = pb.degree === null ? 1 : pb.inScale[pb.members.indexOf(pb.partner)] ** pb.degree;
  const su = unitSlots(pb.base, pb.unit).outgoing;
  const sp = unitSlots(pb.base, pb.partner).outgoing;
  for (let c = 0; c < k; c++) {
    v[su[c]] = oBar[c] / fU;
    v[sp[c]] = -oBar[c] / fP;
  }
  return { spec: `plateau:${pb.unit}`, vector: v, norm: nrm2(v), normalization: `t = change of λ_${pb.unit} (λ_${pb.partner} changes by −t; the function is unchanged)` };
}

/** The outgoing weights of unit u of a two-layer model. */
function twoLayerSlice(model: Model, u: number): Float64Array {
  const slots = unitSlots(model, u).outgoing;
  return Float64Array.from(slots, (i) => model.theta[i]);
}

/** The direction across the plateau and the curvature the inner Hessian predicts along it. */
export interface PlateauAcross extends SliceDirection {
  /** μ, the eigenvalue of H_j used. */
  readonly innerEigenvalue: number;
  /** λ_U, λ_P at the base. */
  readonly lambdas: [number, number];
  /** d²F/dt² along the unit direction: λ_Uλ_P(λ_U + λ_P)μ/(λ_U² + λ_P²) (+ β‖D_reg‖² with weight decay). */
  readonly predictedCurvature: number;
}

/**
 * Across the plateau: ξ_UNIT = λ_P η, ξ_P = −λ_UNIT η on the two children's incoming weights
 * (Σ λ_l ξ_l = 0), η the `eigen`-th unit eigenvector of the inner Hessian H_j of the merged unit
 * (ordered by |μ|, largest first), normalised to unit length. Then f is unchanged to first
 * order and d²ℒ/dt² = Σ_l λ_l ξ_lᵀ H_j ξ_l exactly (docs/science/plateau.md §4), at any point where the
 * children share their incoming weights. Smooth σ only.
 *
 * @param pb - a plateau base (plateauBase) of a network with a smooth activation
 * @param data - inputs X and targets Y
 * @param loss - the loss
 * @param mean - the mean over samples instead of the sum
 * @param beta - the weight decay β (adds β‖D_reg‖² to the predicted curvature)
 * @param eigen - which eigenvector of H_j, 1-based by |μ| (InputError beyond its dimension)
 * @returns the unit direction with μ, the base's λ_U, λ_P and the predicted d²F/dt²
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, plateauAcross, plateauBase } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("tanh") }), { seed: 2 });
 * const across = plateauAcross(plateauBase(net, 0), data, "square", false, 0, 1);
 * console.log(across.innerEigenvalue, across.predictedCurvature);
 * ```
 */
export function plateauAcross(pb: PlateauBase, data: ModelData, loss: LossName, mean: boolean, beta: number, eigen: number): PlateauAcross {
  if (pb.degree !== null) throw new InputError("plateau-across:UNIT", "needs a smooth activation: the inner Hessian of a piecewise-linear σ is zero");
  const inner = innerHessian(pb.narrow, data, loss, pb.mergedUnit, { mean });
  const dt = inner.dim;
  if (eigen > dt) throw new InputError("plateau-across:UNIT:I", `I = ${eigen} exceeds the ${dt} eigenvalues of the inner Hessian`);
  const order = Array.from(inner.eigenvalues.keys()).sort((a, b) => Math.abs(inner.eigenvalues[b]) - Math.abs(inner.eigenvalues[a]));
  const col = order[eigen - 1];
  const mu = inner.eigenvalues[col];
  const eta = Float64Array.from({ length: dt }, (_, s) => inner.eigenvectors.data[s * dt + col]);
  canonicalSign(eta);
  const lambdas = plateauLambdas(pb);
  const lU = lambdas[pb.members.indexOf(pb.unit)];
  const lP = lambdas[pb.members.indexOf(pb.partner)];
  const v = new Float64Array(pb.base.theta.length);
  const su = unitSlots(pb.base, pb.unit).incoming;
  const sp = unitSlots(pb.base, pb.partner).incoming;
  for (let s = 0; s < dt; s++) {
    v[su[s]] = lP * eta[s];
    v[sp[s]] = -lU * eta[s];
  }
  const n = nrm2(v);
  for (let i = 0; i < v.length; i++) v[i] /= n;
  const mask = penaltyMask(pb.base.arch);
  let reg = 0;
  for (let i = 0; i < v.length; i++) if (mask[i]) reg += v[i] * v[i];
  return {
    spec: `plateau-across:${pb.unit}:${eigen}`, vector: v, norm: 1,
    normalization: `unit length; ξ_${pb.unit} = λ_${pb.partner}η, ξ_${pb.partner} = −λ_${pb.unit}η, η the eigenvector of H_j with μ = ${mu.toExponential(4)}`,
    innerEigenvalue: mu, lambdas: [lU, lP],
    predictedCurvature: (lU * lP * (lU + lP) * mu) / (lU * lU + lP * lP) + beta * reg,
  };
}
