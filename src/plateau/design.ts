/**
 * Inverse design of stationary points with a chosen inner Hessian (docs/science/plateau.md §7,
 * making test cases), square loss. Fix θ and inputs X; J = ∂f/∂θ (n×p, full column rank, n > p).
 * Any r ∈ null(Jᵀ) makes θ stationary for targets y = f_θ − r, since ∇L = Jᵀ(f − y) = Jᵀr = 0.
 * H_j(r) = a_j Σ_i r_i σ″(z_ij) x̃_i x̃_iᵀ is linear in r, so with a basis N of null(Jᵀ) we pick
 * r = Nc by least squares, H_j(Nc) ≈ T, for a target T = U diag(τ) Uᵀ of the wanted inertia
 * (positive/negative definite, indefinite, singular). Then r is scaled by s: the Hessian of
 * the unsplit network is H_red(s) = JᵀJ + s Σ_i r_i ∇²f(x_i), so halving s until
 * λ_min(H_red) ≥ margin·λ_min(JᵀJ) (then bisecting for the largest such s) gives a
 * nondegenerate local minimum (JᵀJ ≻ 0), and
 * doubling s until λ_min(H_red) ≤ −margin·λ_min(JᵀJ) gives a saddle. H_j(sr) = sH_j(r) keeps
 * its inertia throughout.
 */
import { eigvalsh, gram, lstsq, nrm2, nullSpace, qr, qrQ, type Matrix } from "../linalg/index.js";
import type { Activation, Model } from "../model/index.js";
import { activationSecondDerivative, forward, hessian, lossAndGradient, outputJacobian, twoLayerArchitecture, twoLayerParts, type TwoLayerArchitecture } from "../model/index.js";
import { fork, gaussianMatrix, normal, uniform } from "../random/index.js";
import { innerHessianMatrix, unitPreactivations } from "./innerHessian.js";
import { activationThirdDerivative } from "./thirdDerivative.js";

/**
 * Wanted inertia of H_j: (d̃,0,0), (0,d̃,0), both signs, (d̃−1, 0, 1), or H_j = 0 ("zero", with
 * the third derivative T_j of the residual correlation left free, generically ≠ 0; "zero-cubic"
 * with T_j = 0 as well: the case the third order leaves open, docs/science/plateau.md §5.7).
 */
export const INNER_TARGETS = ["positive-definite", "negative-definite", "indefinite", "singular", "zero", "zero-cubic"] as const;
export type InnerTarget = (typeof INNER_TARGETS)[number];

export interface DesignOptions {
  seed: number;
  d: number;
  m: number;
  activation: Activation;
  target: InnerTarget;
  /** "minimum" (default): H_red ≻ 0; "saddle": H_red with a negative eigenvalue. */
  stationary?: "minimum" | "saddle";
  inputBias?: boolean;
  /** Unit whose H_j is designed (default 0). */
  unit?: number;
  /** Samples; default 3p + d̃(d̃+1)/2 + 5. */
  n?: number;
  /** max|r_i| before the shrink (default 1). */
  residualSize?: number;
  /**
   * Curvature margin (default 0.5): a minimum needs λ_min(H_red) ≥ margin·λ_min(JᵀJ) (reached as
   * s → 0); a saddle needs λ_min(H_red) ≤ −margin·λ_min(JᵀJ).
   */
  minCurvature?: number;
  /** Candidate (θ, X) draws; the best-conditioned JᵀJ is kept (default 16). */
  candidates?: number;
}

/** A designed stationary point and the numbers that show it is what was asked for. */
export interface DesignedCase {
  readonly model: Model;
  readonly data: { readonly X: Matrix; readonly Y: Matrix; readonly source: string };
  readonly unit: number;
  readonly target: InnerTarget;
  readonly stationary: "minimum" | "saddle";
  /** r = f − y at the designed point. */
  readonly residual: Float64Array;
  /** Factor s applied to the least-squares residual. */
  readonly scale: number;
  /** cond(JᵀJ) of the kept candidate. */
  readonly jacobianCondition: number;
  /** dim null(Jᵀ) = n − p. */
  readonly nullDimension: number;
  /** ‖H_j(Nc) − T‖_F/‖T‖_F of the least-squares fit. */
  readonly targetResidual: number;
  /** Eigenvalues of the designed H_j, ascending. */
  readonly innerEigenvalues: Float64Array;
  readonly reducedMinEigenvalue: number;
  readonly reducedMaxEigenvalue: number;
  /** ‖∇L‖ at the designed point (rounding only). */
  readonly gradientNorm: number;
}

/** Target eigenvalues τ (d̃ of them) of the wanted inertia. */
function targetEigenvalues(target: InnerTarget, dt: number, u: () => number): number[] {
  const tau = Array.from({ length: dt }, () => 1 + u());
  switch (target) {
    case "positive-definite": return tau;
    case "negative-definite": return tau.map((t) => -t);
    case "indefinite":
      if (dt < 2) throw new RangeError("design: an indefinite H_j needs d̃ ≥ 2");
      return tau.map((t, i) => (i % 2 === 0 ? t : -t));
    case "singular": return tau.map((t, i) => (i === 0 ? 0 : t));
    case "zero": case "zero-cubic": return tau.map(() => 0);
  }
}

/**
 * A scalar-output two-layer network, inputs and targets for which θ is stationary (square loss)
 * with a chosen inertia of H_j at a nondegenerate local minimum (or a saddle). Candidates are
 * tried in order of cond(JᵀJ); RangeError if none works, or if no residual can give H_j the
 * target (a structural constraint, e.g. erf with input biases forces (H_j)_bb = 0), and for a
 * target or stationary kind outside INNER_TARGETS and minimum/saddle (options from untyped code).
 *
 * @param o - seed, sizes d and m, the activation, the target inertia of H_j and the kind of stationary point
 * @returns the model, the data and the designed H_j's eigenvalues
 * @example
 * ```ts
 * import { designStationaryPoint, makeActivation } from "splitscape";
 * const design = designStationaryPoint({ seed: 1, d: 2, m: 3, activation: makeActivation("tanh"), target: "indefinite" });
 * console.log(design.data.X.rows, Array.from(design.innerEigenvalues));
 * ```
 */
export function designStationaryPoint(o: DesignOptions): DesignedCase {
  if (!(INNER_TARGETS as readonly string[]).includes(o.target)) {
    throw new RangeError(`design: target ${JSON.stringify(o.target)} is not one of ${INNER_TARGETS.join(", ")}`);
  }
  if (o.stationary !== undefined && o.stationary !== "minimum" && o.stationary !== "saddle") {
    throw new RangeError(`design: stationary ${JSON.stringify(o.stationary)} is not "minimum" or "saddle"`);
  }
  const unit = o.unit ?? 0;
  const inputBias = o.inputBias ?? false;
  const arch = twoLayerArchitecture({ d: o.d, m: o.m, activation: o.activation, inputBias });
  if (!(Number.isInteger(unit) && unit >= 0 && unit < o.m)) throw new RangeError(`design: unit ${unit} is not in [0, ${o.m})`);
  const dt = inputBias ? o.d + 1 : o.d;
  const p = o.m * o.d + o.m + (inputBias ? o.m : 0);
  const n = o.n ?? 3 * p + (dt * (dt + 1)) / 2 + 5;
  if (n <= p) throw new RangeError(`design: needs n > p = ${p}, got n = ${n}`);
  const rng = fork(o.seed, "plateau-design");
  // Small random networks have badly conditioned Jacobians (cond(JᵀJ) from 1e3 to 1e10), which
  // would make H_red nearly singular and H_j tiny after the shrink: draw `candidates` (θ, X)
  // from the seed's stream and keep the one with the best-conditioned JᵀJ.
  const candidates: Array<{ X: Matrix; theta: Float64Array; cond: number }> = [];
  for (let trial = 0; trial < (o.candidates ?? 16); trial++) {
    const Xc = gaussianMatrix(rng, n, o.d);
    const th = new Float64Array(p);
    const parts = twoLayerParts(arch, th);
    for (let t = 0; t < parts.W.length; t++) parts.W[t] = (1.5 * normal(rng)) / Math.sqrt(o.d);
    for (let j = 0; j < o.m; j++) {
      const v = normal(rng);
      parts.a[j] = (v >= 0 ? 1 : -1) * (0.5 + Math.abs(v));
    }
    if (parts.b) for (let j = 0; j < o.m; j++) parts.b[j] = 0.5 * normal(rng);
    const ev = eigvalsh(gram(outputJacobian({ arch, theta: th }, Xc)));
    const cond = ev[0] > 0 ? ev[ev.length - 1] / ev[0] : Infinity;
    candidates.push({ X: Xc, theta: th, cond });
  }
  candidates.sort((a, b) => a.cond - b.cond);
  // A saddle may need a residual scale beyond SADDLE_MAX_SCALE on some draws: then the next one.
  let reason = "";
  for (const cand of candidates) {
    const out = designFromCandidate(o, { arch, X: cand.X, theta: cand.theta, jacobianCondition: cand.cond, n, p, dt });
    if (out.ok) return out.design;
    reason = out.reason;
  }
  throw new RangeError(`design: ${reason}`);
}

/** Largest residual scale tried for a saddle (r normalised to max|r_i| = residualSize). */
const SADDLE_MAX_SCALE = 64;
/** Largest accepted relative misfit ‖H_j(Nc) − T‖_F/‖T‖_F. */
const TARGET_MISFIT_MAX = 1e-6;

/** One candidate draw (θ, X) with the sizes of the design. */
interface Candidate {
  readonly arch: TwoLayerArchitecture;
  readonly X: Matrix;
  readonly theta: Float64Array;
  /** cond(JᵀJ) of the draw. */
  readonly jacobianCondition: number;
  /** Samples n, parameters p, dimension d̃ of H_j. */
  readonly n: number;
  readonly p: number;
  readonly dt: number;
}

/** The design on one candidate, or why this draw cannot carry it (the next one may). */
type CandidateOutcome = { readonly ok: true; readonly design: DesignedCase } | { readonly ok: false; readonly reason: string };

/**
 * The design on one candidate: a basis N of null(Jᵀ), the residual r = Nc whose H_j fits the
 * target, and the scale s of r that makes θ a minimum (or a saddle) — see the file comment.
 */
function designFromCandidate(o: DesignOptions, c: Candidate): CandidateOutcome {
  const unit = o.unit ?? 0;
  const stationary = o.stationary ?? "minimum";
  const model: Model = { arch: c.arch, theta: c.theta };
  const f = forward(model, c.X).data;
  const basis = nullSpaceOfJt(model, c);
  if (!basis.ok) return basis;
  const fit = fitInnerHessian(o, model, c, basis.N);
  const dataAt = (s: number): { X: Matrix; Y: Matrix; source: string } => {
    const Y = new Float64Array(c.n);
    for (let i = 0; i < c.n; i++) Y[i] = f[i] - s * fit.r0[i];
    return { X: c.X, Y: { rows: c.n, cols: 1, data: Y }, source: `design:${o.target}/${stationary}?seed=${o.seed}` };
  };
  const sc = stationaryScale(model, dataAt, stationary, o.minCurvature ?? 0.5);
  if (!sc.ok) return sc;
  const data = dataAt(sc.s);
  const residual = new Float64Array(c.n);
  for (let i = 0; i < c.n; i++) residual[i] = f[i] - data.Y.data[i];
  const Hj = innerHessianMatrix(model, c.X, unit, residual);
  return {
    ok: true,
    design: {
      model,
      data,
      unit,
      target: o.target,
      stationary,
      residual,
      scale: sc.s * fit.normalisation,
      jacobianCondition: c.jacobianCondition,
      nullDimension: c.n - c.p,
      targetResidual: fit.targetResidual,
      innerEigenvalues: eigvalsh(Hj),
      reducedMinEigenvalue: sc.lo,
      reducedMaxEigenvalue: sc.hi,
      gradientNorm: nrm2(lossAndGradient(model, data, "square").gradient!),
    },
  };
}

/** A basis of null(Jᵀ): the last n − p columns of the full Q of J = QR (n × (n − p), row-major). */
function nullSpaceOfJt(model: Model, c: Candidate): { ok: true; N: Float64Array } | { ok: false; reason: string } {
  const { n, p } = c;
  const fac = qr(outputJacobian(model, c.X));
  let rmax = 0;
  let rmin = Infinity;
  for (let i = 0; i < p; i++) {
    const v = Math.abs(fac.qr.data[i * p + i]);
    rmax = Math.max(rmax, v);
    rmin = Math.min(rmin, v);
  }
  if (!(rmin > 1e-10 * rmax)) return { ok: false, reason: `J is numerically rank deficient (min|R_ii|/max|R_ii| = ${rmin / rmax}); change the seed` };
  const Q = qrQ(fac, { full: true });
  const q = n - p;
  const N = new Float64Array(n * q);
  for (let i = 0; i < n; i++) for (let s = 0; s < q; s++) N[i * q + s] = Q.data[i * n + p + s];
  return { ok: true, N };
}

/**
 * r₀ = Nc with c the least-squares fit of the upper triangle of H_j(Nc) to the target
 * T = U diag(τ) Uᵀ (U random orthogonal; off-diagonal entries weighted √2: the Frobenius norm),
 * normalised to max|r₀_i| = residualSize. RangeError when no c fits (a structural constraint).
 */
function fitInnerHessian(o: DesignOptions, model: Model, c: Candidate, N: Float64Array): { r0: Float64Array; targetResidual: number; normalisation: number } {
  const { n, p, dt } = c;
  const q = n - p;
  const rng = fork(o.seed, "plateau-design/target");
  const neq = (dt * (dt + 1)) / 2;
  const A = new Float64Array(neq * q);
  const col = new Float64Array(n);
  for (let s = 0; s < q; s++) {
    for (let i = 0; i < n; i++) col[i] = N[i * q + s];
    const M = innerHessianMatrix(model, c.X, o.unit ?? 0, col).data;
    let e = 0;
    for (let a = 0; a < dt; a++) for (let b = a; b < dt; b++) A[e++ * q + s] = (a === b ? 1 : Math.SQRT2) * M[a * dt + b];
  }
  if (o.target === "zero" || o.target === "zero-cubic") return zeroInnerHessian(o, model, c, N, A);
  const tau = targetEigenvalues(o.target, dt, () => uniform(rng));
  const U = qrQ(qr(gaussianMatrix(rng, dt, dt)));
  const T = new Float64Array(dt * dt);
  for (let a = 0; a < dt; a++) for (let b = 0; b < dt; b++) {
    let s = 0;
    for (let l = 0; l < dt; l++) s += U.data[a * dt + l] * tau[l] * U.data[b * dt + l];
    T[a * dt + b] = s;
  }
  const tvec = new Float64Array(neq);
  let e = 0;
  for (let a = 0; a < dt; a++) for (let b = a; b < dt; b++) tvec[e++] = (a === b ? 1 : Math.SQRT2) * T[a * dt + b];
  const ls = lstsq({ rows: neq, cols: q, data: A }, tvec);
  const targetResidual = ls.residualNorm / nrm2(tvec);
  if (!(targetResidual <= TARGET_MISFIT_MAX)) {
    // Structural, not a matter of the draw: e.g. erf with input biases has σ″(z) = −2zσ′(z), so
    // (H_j)_bb = a_jΣr_iσ″(z_i) = −2(w_jᵀ∇_{w_j}L + b_j∂_{b_j}L) = 0 at every stationary point.
    throw new RangeError(`design: no r ∈ null(Jᵀ) gives H_j the ${o.target} target (relative misfit ${targetResidual.toExponential(2)}); stationarity constrains H_j here`);
  }
  const r0 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < q; k++) s += N[i * q + k] * ls.x[k];
    r0[i] = s;
  }
  let rinf = 0;
  for (let i = 0; i < n; i++) rinf = Math.max(rinf, Math.abs(r0[i]));
  const size = o.residualSize ?? 1;
  for (let i = 0; i < n; i++) r0[i] *= size / rinf;
  return { r0, targetResidual, normalisation: size / rinf };
}

/**
 * H_j(Nc) = 0 (and T_j(Nc) = 0 for "zero-cubic"): c a seeded random combination of a basis of
 * null(A) (A the upper triangle of c ↦ H_j(Nc), stacked with the entries a ≤ b ≤ e of
 * c ↦ T_j(Nc) = Σ_i (Nc)_i σ‴(z_ij) x̃_i⊗x̃_i⊗x̃_i for "zero-cubic"). RangeError when that null space
 * is {0} (too few samples). targetResidual is ‖H_j(r₀)‖_F relative to Σ_i |a_j r₀_i σ″(z_ij)|‖x̃_i‖².
 */
function zeroInnerHessian(o: DesignOptions, model: Model, c: Candidate, N: Float64Array, A: Float64Array): { r0: Float64Array; targetResidual: number; normalisation: number } {
  const { n, p, dt } = c;
  const q = n - p;
  const unit = o.unit ?? 0;
  const neq = (dt * (dt + 1)) / 2;
  const rows: number[][] = [];
  for (let e = 0; e < neq; e++) rows.push(Array.from(A.subarray(e * q, (e + 1) * q)));
  const arch = model.arch as TwoLayerArchitecture;
  const z = unitPreactivations(model, c.X, unit);
  const xt = (i: number, a: number): number => (a < o.d ? c.X.data[i * o.d + a] : 1);
  if (o.target === "zero-cubic") {
    for (let a = 0; a < dt; a++) for (let b = a; b < dt; b++) for (let e = b; e < dt; e++) {
      const row = new Array<number>(q).fill(0);
      for (let i = 0; i < n; i++) {
        const w = activationThirdDerivative(arch.activation, z[i]) * xt(i, a) * xt(i, b) * xt(i, e);
        if (w !== 0) for (let s = 0; s < q; s++) row[s] += w * N[i * q + s];
      }
      rows.push(row);
    }
  }
  const Amat = { rows: rows.length, cols: q, data: Float64Array.from(rows.flat()) };
  const K = nullSpace(Amat);
  if (K.rows === 0) throw new RangeError(`design: no r ∈ null(Jᵀ) gives H_j = 0${o.target === "zero-cubic" ? " and T_j = 0" : ""} (${rows.length} conditions on ${q} degrees of freedom); use more samples`);
  const rng = fork(o.seed, "plateau-design/zero");
  const coef = new Float64Array(q);
  for (let k = 0; k < K.rows; k++) {
    const g = normal(rng);
    for (let s = 0; s < q; s++) coef[s] += g * K.data[k * q + s];
  }
  const r0 = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let s = 0; s < q; s++) r0[i] += N[i * q + s] * coef[s];
  let rinf = 0;
  for (let i = 0; i < n; i++) rinf = Math.max(rinf, Math.abs(r0[i]));
  const size = o.residualSize ?? 1;
  for (let i = 0; i < n; i++) r0[i] *= size / rinf;
  const H = innerHessianMatrix(model, c.X, unit, r0);
  const aj = twoLayerParts(arch, model.theta).a[unit];
  let scale = 0;
  for (let i = 0; i < n; i++) {
    let x2 = arch.inputBias ? 1 : 0;
    for (let a = 0; a < o.d; a++) x2 += c.X.data[i * o.d + a] ** 2;
    scale += Math.abs(aj * r0[i] * activationSecondDerivative(arch.activation, z[i])) * x2;
  }
  return { r0, targetResidual: nrm2(H.data) / scale, normalisation: size / rinf };
}

/**
 * The scale s of the residual for a minimum (halve s until λ_min(H_red) ≥ margin·λ_min(JᵀJ),
 * then bisect for the largest such s) or a saddle (double s until λ_min(H_red) ≤ −margin·λ_min(JᵀJ)),
 * with the extreme eigenvalues of H_red there.
 */
function stationaryScale(
  model: Model, dataAt: (s: number) => { X: Matrix; Y: Matrix }, stationary: "minimum" | "saddle", minCurvature: number,
): { ok: true; s: number; lo: number; hi: number } | { ok: false; reason: string } {
  const gn = eigvalsh(hessian(model, dataAt(0), "square"))[0];
  if (!(gn > 0)) return { ok: false, reason: `JᵀJ is singular (λ_min = ${gn}); change the seed` };
  const extremes = (s: number): [number, number] => {
    const ev = eigvalsh(hessian(model, dataAt(s), "square"));
    return [ev[0], ev[ev.length - 1]];
  };
  let s = 1;
  let [lo, hi] = extremes(s);
  const reached = (l: number): boolean => (stationary === "minimum" ? l >= minCurvature * gn : l <= -minCurvature * gn);
  while (!reached(lo)) {
    s = stationary === "minimum" ? s / 2 : s * 2;
    if (s > SADDLE_MAX_SCALE || s < 1e-30) return { ok: false, reason: `could not reach a ${stationary} (λ_min(H_red) = ${lo}, λ_max = ${hi} at scale ${s})` };
    [lo, hi] = extremes(s);
  }
  if (stationary === "minimum" && s < 1) {
    // Bisect on [s, 2s] for the largest scale keeping the margin: H_j as large as allowed.
    let lo2 = s;
    let hi2 = 2 * s;
    for (let it = 0; it < 12; it++) {
      const mid = 0.5 * (lo2 + hi2);
      const [l] = extremes(mid);
      if (l >= minCurvature * gn) lo2 = mid;
      else hi2 = mid;
    }
    s = lo2;
    [lo, hi] = extremes(s);
  }
  return { ok: true, s, lo, hi };
}
