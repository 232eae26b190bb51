/**
 * Measurements at a split point θ_λ of the wide network, independent of the classification
 * rules: the inertia of the full Hessian ∇²L(θ_λ) (dense eigh; Lanczos for the extreme
 * eigenpairs when p is large) and descent checks that follow a direction and evaluate the loss:
 *  - an eigenvector v of the most negative eigenvalue μ: ½(ΔL(t) + ΔL(−t)) ≈ ½μt²;
 *  - the quartic probe at a child with zero output weight (docs/science/plateau.md §5.5): input moved by
 *    tξ, output weight set to ε = −sign(q)κt², q = ξᵀH_jξ/a_j, κ = |q|/(2 Σ ℓ″_i σ(z_ij)²);
 *    ½(ΔL(t) + ΔL(−t)) ≈ −κ|q|t⁴/4;
 *  - the cubic line where second order vanishes (§5.7): the children's inputs moved by t c_l v,
 *    v ∈ null(H_j), Σ_l λ_l c_l = 0; ½(ΔL(t) − ΔL(−t)) ≈ (a_j/6)(Σ_l λ_l c_l³)T_j[v, v, v]t³;
 *  - the same after a move along the plateau (λ → λ + η(e_to − e_from)), where the cubic
 *    vanishes at λ itself.
 * "Lowers the loss" is judged on the better of ±t, the descent actually found.
 */
import { eigh, lanczos, nrm2, type Matrix } from "../linalg/index.js";
import type { LossName, LossOptions, Model, ModelData } from "../model/index.js";
import { activationValue, evaluateLoss, hessian, hessianOperator, lossTerm, twoLayerParts } from "../model/index.js";
import { outputResiduals } from "./residuals.js";
import { inertiaOfEigenvalues, type Inertia } from "./inertia.js";
import { requireScalarTwoLayer } from "./split.js";

/** Default relative threshold for the inertia of the full Hessian. */
export const HESSIAN_REL_TOL = 1e-9;
/** Above this many parameters the spectrum is not formed densely (Lanczos extremes only). */
export const DENSE_HESSIAN_MAX = 1500;

/** The measured spectrum of ∇²L at a point. */
export interface HessianMeasurement {
  /** In(∇²L) by the relative threshold; null when only Lanczos extremes were computed. */
  readonly inertia: Inertia | null;
  readonly threshold: number;
  readonly relTol: number;
  /** max|λ|. */
  readonly scale: number;
  readonly minEigenvalue: number;
  /** Unit eigenvector of minEigenvalue. */
  readonly minEigenvector: Float64Array;
  /** Smallest |λ| counted as nonzero over the threshold (how clear the count is). */
  readonly nonzeroMargin: number;
  /** Largest |λ| counted as zero over the threshold. */
  readonly zeroMargin: number;
  /** "eigh" (dense) or "lanczos" (extremes). */
  readonly method: "eigh" | "lanczos";
  /** All eigenvalues ascending (dense method only). */
  readonly eigenvalues: Float64Array | null;
}

export interface MeasureOptions extends LossOptions {
  relTol?: number;
  /** Dense eigh up to this many parameters (default DENSE_HESSIAN_MAX). */
  denseMax?: number;
}

/**
 * Spectrum of the dense Hessian H (eigh) with the inertia at relTol·max|λ|.
 *
 * @param H - a dense symmetric matrix
 * @param relTol - relative zero threshold of the inertia (default HESSIAN_REL_TOL)
 * @returns the inertia, threshold, scale, the smallest eigenvalue with its eigenvector, and the margins
 * @example
 * ```ts
 * import { matrix, measureSpectrum } from "splitscape";
 * const m = measureSpectrum(matrix(2, 2, Float64Array.of(2, 1, 1, -3)));
 * console.log(m.inertia, m.minEigenvalue);
 * ```
 */
export function measureSpectrum(H: Matrix, relTol = HESSIAN_REL_TOL): HessianMeasurement {
  const e = eigh(H);
  const m = inertiaOfEigenvalues(e.values, relTol);
  const p = H.rows;
  const v = new Float64Array(p);
  for (let i = 0; i < p; i++) v[i] = e.vectors!.data[i * p];
  return {
    inertia: m.inertia, threshold: m.threshold, relTol, scale: m.scale,
    minEigenvalue: e.values[0], minEigenvector: v, nonzeroMargin: m.nonzeroMargin, zeroMargin: m.zeroMargin,
    method: "eigh", eigenvalues: e.values,
  };
}

/**
 * Measured spectrum of ∇²L(θ): dense up to denseMax parameters, Lanczos extremes beyond.
 *
 * @param model - the network at θ
 * @param data - inputs X and targets Y
 * @param loss - the loss name
 * @param opts - relTol, denseMax (the largest p for the dense path; default DENSE_HESSIAN_MAX) and `mean`
 * @returns the measured spectrum: inertia (null on the Lanczos path), threshold, smallest eigenvalue and eigenvector, margins
 * @example
 * ```ts
 * import { designStationaryPoint, makeActivation, measureHessian } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * const h = measureHessian(model, data, "square");
 * console.log(h.inertia, h.minEigenvalue);
 * ```
 */
export function measureHessian(model: Model, data: ModelData, loss: LossName, opts: MeasureOptions = {}): HessianMeasurement {
  const relTol = opts.relTol ?? HESSIAN_REL_TOL;
  const p = model.theta.length;
  if (p <= (opts.denseMax ?? DENSE_HESSIAN_MAX)) return measureSpectrum(hessian(model, data, loss, { mean: opts.mean }), relTol);
  const op = hessianOperator(model, data, loss, { mean: opts.mean });
  const res = lanczos((x, y) => { op.apply(x, y); }, p, { k: 1, which: "both" });
  const lo = res.values[0];
  const hi = res.values[res.values.length - 1];
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  const v = new Float64Array(p);
  for (let i = 0; i < p; i++) v[i] = res.vectors.data[i * res.vectors.cols];
  return {
    inertia: null, threshold: relTol * scale, relTol, scale, minEigenvalue: lo, minEigenvector: v,
    nonzeroMargin: NaN, zeroMargin: NaN, method: "lanczos", eigenvalues: null,
  };
}

/** A followed descent direction and what the loss did. */
export interface DescentReport {
  /** "eigenvector" (most negative eigenvalue), "quartic-probe", "cubic-line" or "cubic-plateau". */
  readonly kind: "eigenvector" | "quartic-probe" | "cubic-line" | "cubic-plateau";
  /** Step length t used. */
  readonly t: number;
  /** L(θ + step) − L(θ), measured: the lower of the two signs ±t (the descent actually found). */
  readonly deltaLoss: number;
  /** ½(ΔL(t) + ΔL(−t)): odd orders cancel, so this is what the prediction describes. */
  readonly evenPart: number;
  /** The model's prediction: ½μt², −κ|q|t⁴/4, or −|C|t³ for the cubic probes. */
  readonly predicted: number;
  /** Cubic probes: −½|ΔL(t) − ΔL(−t)|, the odd part the prediction −|C|t³ describes. */
  readonly oddPart?: number;
  /** "cubic-plateau": the plateau move η (output weight a_j·η moved between two children). */
  readonly plateauMove?: number;
  /** deltaLoss < 0. */
  readonly lowers: boolean;
  /** ‖step‖ in parameter space. */
  readonly stepNorm: number;
}

/** Step lengths tried, largest first: 2^{−s}, s = 0 … 40. */
function steps(): number[] {
  const out: number[] = [];
  for (let s = 0; s <= 40; s++) out.push(2 ** -s);
  return out;
}

interface Trial {
  plus: number;
  minus: number;
  predicted: number;
  stepNorm: number;
}

/**
 * Choose, among t = 1, ½, ¼, …, the largest t where the even part ½(ΔL(t) + ΔL(−t)) is negative
 * and within 25% of the prediction (else the best ratio seen with ΔL < 0): a step in the regime
 * the expansion describes, yet far above rounding. The even part removes the odd orders (the t³
 * term of an eigen-step, the t⁵ term of the probe), which can dominate when the residuals are
 * large compared with H_j.
 */
function scanSteps(trial: (t: number) => Trial, parity: "even" | "odd" = "even"): { t: number; delta: number; even: number; predicted: number; stepNorm: number } {
  let best: { t: number; delta: number; even: number; predicted: number; stepNorm: number } | null = null;
  let bestScore = Infinity;
  for (const t of steps()) {
    const r = trial(t);
    if (!(r.predicted < 0)) continue;
    // even: ½(ΔL(t) + ΔL(−t)); odd: −½|ΔL(t) − ΔL(−t)|, the descending side of a cubic
    const even = parity === "even" ? 0.5 * (r.plus + r.minus) : -0.5 * Math.abs(r.plus - r.minus);
    const delta = Math.min(r.plus, r.minus);
    const ratio = even / r.predicted;
    const rec = { t, delta, even, predicted: r.predicted, stepNorm: r.stepNorm };
    if (delta < 0 && Math.abs(ratio - 1) <= 0.25) return rec;
    const score = delta < 0 ? Math.abs(ratio - 1) : 1e300 + delta;
    if (best === null || score < bestScore) {
      best = rec;
      bestScore = score;
    }
  }
  return best ?? { t: 0, delta: 0, even: 0, predicted: 0, stepNorm: 0 };
}

/**
 * Follow the eigenvector v of the most negative eigenvalue μ < 0: ΔL(t) = min over ±t of
 * L(θ ± tv) − L(θ), predicted ½μt².
 *
 * @param model - the network at θ
 * @param data - inputs X and targets Y
 * @param loss - the loss name
 * @param v - the unit eigenvector (length p)
 * @param mu - its eigenvalue μ (< 0)
 * @param opts - `mean`
 * @returns the step t, the measured ΔL, its even part and the predicted ½μt²
 * @example
 * ```ts
 * import { designStationaryPoint, descentAlongEigenvector, makeActivation, measureHessian, splitUnitCopyDivide } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * const wide = splitUnitCopyDivide(model, 0, [0.3, 0.7]);
 * const h = measureHessian(wide, data, "square");
 * if (h.minEigenvalue < 0) console.log(descentAlongEigenvector(wide, data, "square", h.minEigenvector, h.minEigenvalue));
 * ```
 */
export function descentAlongEigenvector(model: Model, data: ModelData, loss: LossName, v: Float64Array, mu: number, opts: LossOptions = {}): DescentReport {
  const L0 = evaluateLoss(model, data, loss, opts).loss;
  const vn = nrm2(v);
  const at = (t: number): number => {
    const th = model.theta.slice();
    for (let i = 0; i < th.length; i++) th[i] += (t * v[i]) / vn;
    return evaluateLoss({ arch: model.arch, theta: th }, data, loss, opts).loss - L0;
  };
  const r = scanSteps((t) => ({ plus: at(t), minus: at(-t), predicted: 0.5 * mu * t * t, stepNorm: t }));
  return { kind: "eigenvector", t: r.t, deltaLoss: r.delta, evenPart: r.even, predicted: r.predicted, lowers: r.delta < 0, stepNorm: r.stepNorm };
}

/** Where and along what the quartic probe moves (see quarticProbe). */
export interface QuarticProbeDirection {
  /** The child c with output weight 0 in the wide network. */
  readonly child: number;
  /** The inner direction ξ (length d̃). */
  readonly xi: Float64Array;
  /** q = ξᵀH_jξ/a_j. */
  readonly q: number;
  /** S = Σ_i ℓ″_i σ(z_ij)² (InnerHessian.outputCurvature). */
  readonly outputCurvature: number;
}

/**
 * The quartic probe at child c (output weight 0) of the wide network θ_λ, along the inner
 * direction ξ (length d̃): w_c ← w_c + tξ (and b_c ← b_c + tξ_d with biases), a_c ← −sign(q)κt²,
 * q = ξᵀH_jξ/a_j, κ = |q|/(2S), S = Σ ℓ″_i σ(z_ij)². Predicted ΔL = −κ|q|t⁴/4 = −q²t⁴/(8S).
 *
 * @param wide - the split network θ_λ with a zero-weight child
 * @param data - inputs X and targets Y
 * @param loss - the loss name
 * @param dir - the child c, the inner direction ξ, q = ξᵀH_jξ/a_j and the output curvature S
 * @param opts - `mean`
 * @returns the step t, the measured ΔL, its even part and the predicted −q²t⁴/(8S)
 * @example
 * ```ts
 * import { childIndices, designStationaryPoint, innerHessian, makeActivation, quarticProbe, splitUnitCopyDivide } from "splitscape";
 * const { model, data } = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "positive-definite" });
 * const h = innerHessian(model, data, "square", 0);
 * const wide = splitUnitCopyDivide(model, 0, [1, 0]);
 * const xi = Float64Array.from({ length: h.dim }, (_, i) => h.eigenvectors.data[i * h.dim]);
 * let q = 0;
 * for (let i = 0; i < h.dim; i++) for (let l = 0; l < h.dim; l++) q += xi[i] * h.matrix.data[i * h.dim + l] * xi[l];
 * const probe = quarticProbe(wide, data, "square", { child: childIndices(3, 0, 2)[1], xi, q: q / h.outputWeight, outputCurvature: h.outputCurvature });
 * console.log(probe.deltaLoss, probe.predicted);
 * ```
 */
export function quarticProbe(wide: Model, data: ModelData, loss: LossName, dir: QuarticProbeDirection, opts: LossOptions = {}): DescentReport {
  const { child, xi, q, outputCurvature } = dir;
  const arch = requireScalarTwoLayer(wide, "quarticProbe");
  const { d } = arch;
  const parts0 = twoLayerParts(arch, wide.theta);
  if (parts0.a[child] !== 0) throw new RangeError(`quarticProbe: child ${child} has output weight ${parts0.a[child]}, expected 0`);
  const res = outputResiduals(wide, data, loss, opts);
  const F = res.outputs;
  const Y = data.Y.data;
  const X = data.X.data;
  const n = data.X.rows;
  const kappa = Math.abs(q) / (2 * outputCurvature);
  const s = opts.mean ? 1 / n : 1;
  // The child had a_c = 0, so only its own term changes: Δf_i = ε σ(w_c'ᵀx_i + b_c'), formed
  // directly; ΔL = Σ_i [ℓ(f_i + Δf_i) − ℓ(f_i)], for the square loss Δf_i (r_i + ½Δf_i) exactly
  // (no cancellation against L itself).
  const at = (t: number): number => {
    const eps = -Math.sign(q) * kappa * t * t;
    let total = 0;
    for (let i = 0; i < n; i++) {
      let z = parts0.b ? parts0.b[child] + t * xi[d] : 0;
      for (let u = 0; u < d; u++) z += (parts0.W[child * d + u] + t * xi[u]) * X[i * d + u];
      const df = eps * activationValue(arch.activation, z);
      total += loss === "square" ? df * (F[i] - Y[i] + 0.5 * df) : lossTerm(loss, F[i] + df, Y[i]) - lossTerm(loss, F[i], Y[i]);
    }
    return s * total;
  };
  const r = scanSteps((t) => ({
    plus: at(t), minus: at(-t), predicted: (-kappa * Math.abs(q) * t ** 4) / 4, stepNorm: Math.hypot(t * nrm2(xi), kappa * t * t),
  }));
  return { kind: "quartic-probe", t: r.t, deltaLoss: r.delta, evenPart: r.even, predicted: r.predicted, lowers: r.delta < 0, stepNorm: r.stepNorm };
}

/** Where and along what the cubic probes move (see cubicLineProbe). */
export interface CubicProbeDirection {
  /** The children of the split unit in the wide network, in λ order (childIndices). */
  readonly children: readonly number[];
  /** λ (Σ λ_l = 1) of the split point probed. */
  readonly lambdas: readonly number[];
  /** a_j, the parent's output weight. */
  readonly outputWeight: number;
  /** Unit v ∈ null(H_j) (length d̃). */
  readonly v: Float64Array;
  /** T_j[v, v, v] (nullCubic). */
  readonly cubicValue: number;
}

/**
 * The cubic line at θ_λ: child l's input weights (and bias) move by t c_l v. With v ∈ null(H_j)
 * and Σ_l λ_l c_l = 0 the first and second orders vanish and
 *   ΔL(t) = (a_j/6)(Σ_l λ_l c_l³) T_j[v, v, v] t³ + O(t⁴)
 * (docs/science/plateau.md §5.7). ΔL is formed from the changed outputs directly (Δf_i =
 * Σ_l λ_l a_j [σ(z_ij + t c_l vᵀx̃_i) − σ(z_ij)]), so it does not cancel against L. The kind is
 * "cubic-line", with the odd part ½(ΔL(t) − ΔL(−t)) checked against the prediction.
 *
 * @param wide - the split network θ_λ (`splitUnitCopyDivide`)
 * @param data - inputs and targets
 * @param loss - the loss of L
 * @param dir - the children, λ, a_j, v ∈ null(H_j) and T_j[v, v, v] (from `nullCubic`)
 * @param coefficients - c (one per child) with Σ_l λ_l c_l = 0 (`cubicSplitCoefficients`)
 * @param opts - loss options (`mean`: the mean loss instead of the sum)
 * @returns the measured ΔL at the step found, its odd part against the prediction −|C|t³, and
 *   whether it lowers the loss
 * @example
 * ```ts
 * import { childIndices, cubicLineProbe, cubicSplitCoefficients, designStationaryPoint, innerHessian, makeActivation, nullCubic, splitUnitCopyDivide } from "splitscape";
 * const design = designStationaryPoint({ seed: 5, d: 2, m: 3, activation: makeActivation("tanh"), target: "zero" });
 * const inner = innerHessian(design.model, design.data, "square", 0);
 * const cubic = nullCubic(design.model, design.data, "square", inner);
 * const lambdas = [0.3, 0.7];
 * const dir = { children: childIndices(3, 0, 2), lambdas, outputWeight: inner.outputWeight, v: cubic.direction, cubicValue: cubic.value };
 * const r = cubicLineProbe(splitUnitCopyDivide(design.model, 0, lambdas), design.data, "square", dir, cubicSplitCoefficients(lambdas)!.coefficients);
 * console.log(r.lowers, r.oddPart, r.predicted); // true -8.9e-5 -8.7e-5
 * ```
 */
export function cubicLineProbe(wide: Model, data: ModelData, loss: LossName, dir: CubicProbeDirection, coefficients: readonly number[], opts: LossOptions = {}): DescentReport {
  let cubicSum = 0;
  for (let l = 0; l < coefficients.length; l++) cubicSum += dir.lambdas[l] * coefficients[l] ** 3;
  const C = (dir.outputWeight / 6) * cubicSum * dir.cubicValue;
  const at = childOutputChange(wide, data, loss, dir, coefficients, opts);
  const cn = Math.hypot(...coefficients) * nrm2(dir.v);
  const r = scanSteps((t) => ({ plus: at(t), minus: at(-t), predicted: -Math.abs(C) * t ** 3, stepNorm: t * cn }), "odd");
  return {
    kind: "cubic-line", t: r.t, deltaLoss: r.delta, evenPart: 0.5 * (at(r.t) + at(-r.t)), oddPart: r.even, predicted: r.predicted,
    lowers: r.delta < 0, stepNorm: r.stepNorm,
  };
}

/**
 * The cubic after a plateau move: where Σ_l λ_l c_l³ vanishes for every admissible c (two equal
 * weights ½, ½, or a vertex), move the output weight a_j·η from child `from` to child `to`
 * (θ_λ → θ_λ′, λ′ = λ + η(e_to − e_from): the same function, the same loss) and follow the cubic
 * line of the pair there, c_from = λ′_to, c_to = −λ′_from, whose cubic sum
 * λ′_fromλ′_to(λ′_to² − λ′_from²) is of order η. Every neighbourhood of θ_λ holds such points
 * (η → 0), so θ_λ is not a local minimum. Kind "cubic-plateau"; stepNorm is the distance from θ_λ.
 *
 * @param wide - the split network θ_λ (`splitUnitCopyDivide`)
 * @param data - inputs and targets
 * @param loss - the loss of L
 * @param dir - the children, λ, a_j, v ∈ null(H_j) and T_j[v, v, v] (from `nullCubic`)
 * @param move - the plateau move: output weight a_j·η from child `from` to child `to`
 * @param opts - loss options (`mean`: the mean loss instead of the sum)
 * @returns the cubic line's report at θ_λ′, of kind "cubic-plateau", with the move η and the step's
 *   distance from θ_λ
 * @example
 * ```ts
 * import { childIndices, cubicPlateauProbe, designStationaryPoint, innerHessian, makeActivation, nullCubic, splitUnitCopyDivide } from "splitscape";
 * const design = designStationaryPoint({ seed: 5, d: 2, m: 3, activation: makeActivation("tanh"), target: "zero" });
 * const inner = innerHessian(design.model, design.data, "square", 0);
 * const cubic = nullCubic(design.model, design.data, "square", inner);
 * const lambdas = [0.5, 0.5]; // the cubic vanishes on every line here
 * const dir = { children: childIndices(3, 0, 2), lambdas, outputWeight: inner.outputWeight, v: cubic.direction, cubicValue: cubic.value };
 * const r = cubicPlateauProbe(splitUnitCopyDivide(design.model, 0, lambdas), design.data, "square", dir, { from: 0, to: 1, eta: 0.05 });
 * console.log(r.lowers, r.deltaLoss, r.stepNorm); // true -1.8e-7 0.094
 * ```
 */
export function cubicPlateauProbe(wide: Model, data: ModelData, loss: LossName, dir: CubicProbeDirection, move: { from: number; to: number; eta: number }, opts: LossOptions = {}): DescentReport {
  const { from, to, eta } = move;
  const lambdas = dir.lambdas.slice();
  lambdas[from] -= eta;
  lambdas[to] += eta;
  const coefficients = lambdas.map(() => 0);
  coefficients[from] = lambdas[to];
  coefficients[to] = -lambdas[from];
  const r = cubicLineProbe(wide, data, loss, { ...dir, lambdas }, coefficients, opts);
  return { ...r, kind: "cubic-plateau", plateauMove: eta, stepNorm: Math.hypot(Math.SQRT2 * Math.abs(dir.outputWeight * eta), r.stepNorm) };
}

/**
 * ΔL(t) when the children of θ_λ (output weights λ_l a_j, all at the parent's input weights) move
 * their inputs by t c_l v: Δf_i = Σ_l λ_l a_j [σ(z_i + t c_l u_i) − σ(z_i)], u_i = vᵀx̃_i, and
 * ΔL = Σ_i [ℓ(f_i + Δf_i) − ℓ(f_i)] (square loss: Δf_i (r_i + ½Δf_i), exactly).
 */
function childOutputChange(wide: Model, data: ModelData, loss: LossName, dir: CubicProbeDirection, coefficients: readonly number[], opts: LossOptions): (t: number) => number {
  const arch = requireScalarTwoLayer(wide, "cubicProbe");
  const { d } = arch;
  const parts = twoLayerParts(arch, wide.theta);
  const j = dir.children[0];
  const res = outputResiduals(wide, data, loss, opts);
  const F = res.outputs;
  const Y = data.Y.data;
  const X = data.X.data;
  const n = data.X.rows;
  const z = new Float64Array(n);
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let zi = parts.b ? parts.b[j] : 0;
    let ui = arch.inputBias ? dir.v[d] : 0;
    for (let s = 0; s < d; s++) {
      zi += parts.W[j * d + s] * X[i * d + s];
      ui += dir.v[s] * X[i * d + s];
    }
    z[i] = zi;
    u[i] = ui;
  }
  const scale = opts.mean ? 1 / n : 1;
  return (t: number): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s0 = activationValue(arch.activation, z[i]);
      let df = 0;
      for (let l = 0; l < coefficients.length; l++) {
        if (coefficients[l] === 0) continue;
        df += dir.lambdas[l] * dir.outputWeight * (activationValue(arch.activation, z[i] + t * coefficients[l] * u[i]) - s0);
      }
      total += loss === "square" ? df * (F[i] - Y[i] + 0.5 * df) : lossTerm(loss, F[i] + df, Y[i]) - lossTerm(loss, F[i], Y[i]);
    }
    return scale * total;
  };
}
