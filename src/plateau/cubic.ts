/**
 * The third-order term of the plateau expansion (docs/science/plateau.md §5.7). At a stationary
 * θ*, unit j's residual correlation
 *
 *   g(w) = Σ_i r_i σ(wᵀx̃_i),   r_i = ∂ℓ/∂f(x_i),
 *
 * has ∇g(w_j) = 0 (stationarity, a_j ≠ 0) and ∇²g(w_j) = H_j/a_j. Its third derivative
 *
 *   T_j = ∇³g(w_j) = Σ_i r_i σ‴(z_ij) x̃_i ⊗ x̃_i ⊗ x̃_i
 *
 * decides the split points that second order leaves open: on the null space N of H_j (all of
 * ℝ^d̃ when H_j = 0) the loss at θ_λ moved by ξ_l = t c_l v (v ∈ N, Σ_l λ_l c_l = 0) changes by
 * (a_j/6)(Σ_l λ_l c_l³) T_j[v, v, v] t³ + O(t⁴). This module forms T_j restricted to N and finds
 * a unit v ∈ N with T_j[v, v, v] as large as it can (the escape direction).
 */
import type { Matrix } from "../linalg/index.js";
import type { LossName, LossOptions, Model, ModelData } from "../model/index.js";
import { INNER_REL_TOL, unitPreactivations, type InnerHessian } from "./innerHessian.js";
import { outputResiduals } from "./residuals.js";
import { requireScalarTwoLayer } from "./split.js";
import { activationThirdDerivative } from "./thirdDerivative.js";

/** T_j on null(H_j), with the numbers that decide whether it vanishes. */
export interface NullCubic {
  readonly unit: number;
  /** dim null(H_j) (the zero count of In(H_j)). */
  readonly nullity: number;
  /** Orthonormal basis of null(H_j): H_j's eigenvectors counted zero, as columns (d̃ × nullity). */
  readonly basis: Matrix;
  /** ‖T_N‖_F, T_N[a, b, c] = T_j[n_a, n_b, n_c] over the basis vectors n_a. */
  readonly norm: number;
  /** Σ_i |r_i σ‴(z_ij)| ‖x̃_i‖³: the size of the terms T_j is a sum of. */
  readonly termScale: number;
  readonly relTol: number;
  /** relTol·termScale: ‖T_N‖_F at or below it counts as zero. */
  readonly threshold: number;
  /** ‖T_N‖_F ≤ threshold (true when the null space is {0}). */
  readonly vanishes: boolean;
  /** A unit v ∈ null(H_j) (length d̃) with T_j[v, v, v] = value ≥ 0 (the largest found). */
  readonly direction: Float64Array;
  /** T_j[v, v, v] = Σ_i r_i σ‴(z_ij)(vᵀx̃_i)³ = d³/dt³ g(w_j + tv) at t = 0. */
  readonly value: number;
}

/** Candidate directions tried before the power iteration: e_a, and (e_a ± e_b)/√2 while nullity ≤ this. */
const PAIR_CANDIDATES_MAX = 32;
/** Iterations of the shifted symmetric power method. */
const POWER_ITERATIONS = 200;

/**
 * T_j restricted to null(H_j) at θ (the inner Hessian `inner` computed there), its norm against
 * relTol·Σ_i |r_i σ‴(z_ij)| ‖x̃_i‖³ (default INNER_REL_TOL, as for H_j), and a direction v ∈ N
 * maximising T_j[v, v, v] over the unit sphere of N: the best of the candidates e_a and
 * (e_a ± e_b)/√2 (polarisation: T_N ≠ 0 makes one of them nonzero), improved by the shifted
 * symmetric higher-order power method v ← normalise(T_N[·, v, v] + αv) with α = 2Σ_i|c_i|‖y_i‖³,
 * which increases T_N[v, v, v] monotonically (Kolda & Mayo, SIAM J. Matrix Anal. Appl. 32, 2011).
 *
 * @param model - a smooth scalar-output two-layer network, stationary at θ
 * @param data - inputs and targets
 * @param loss - the loss of L
 * @param inner - the inner Hessian H_j of the unit, computed at θ (`innerHessian`)
 * @param opts - loss options (`mean`) and `relTol`, the relative threshold below which T_N counts as zero
 * @returns null(H_j) with its basis, ‖T_N‖_F against its threshold (`vanishes`), and a unit
 *   v ∈ null(H_j) with the largest T_j[v, v, v] found
 * @example
 * ```ts
 * import { designStationaryPoint, innerHessian, makeActivation, nullCubic } from "splitscape";
 * // a stationary tanh network whose unit 0 has H_0 = 0 (second order blind there)
 * const design = designStationaryPoint({ seed: 5, d: 2, m: 3, activation: makeActivation("tanh"), target: "zero" });
 * const inner = innerHessian(design.model, design.data, "square", 0);
 * const cubic = nullCubic(design.model, design.data, "square", inner);
 * console.log(cubic.nullity, cubic.vanishes, cubic.value); // 2 false 2.46…
 * ```
 */
export function nullCubic(model: Model, data: ModelData, loss: LossName, inner: InnerHessian, opts: LossOptions & { relTol?: number } = {}): NullCubic {
  const arch = requireScalarTwoLayer(model, "nullCubic");
  const { d } = arch;
  const dt = inner.dim;
  const unit = inner.unit;
  // The null basis: H_j's eigenvectors whose eigenvalues are counted zero.
  const zeros: number[] = [];
  for (let s = 0; s < dt; s++) if (Math.abs(inner.eigenvalues[s]) <= inner.inertia.threshold) zeros.push(s);
  const q = zeros.length;
  const basis = new Float64Array(dt * q);
  zeros.forEach((col, a) => { for (let s = 0; s < dt; s++) basis[s * q + a] = inner.eigenvectors.data[s * dt + col]; });
  // c_i = r_i σ‴(z_ij) and y_i = Nᵀx̃_i.
  const res = outputResiduals(model, data, loss, opts);
  const z = unitPreactivations(model, data.X, unit);
  const n = data.X.rows;
  const c = new Float64Array(n);
  const Y = new Float64Array(n * q);
  let termScale = 0;
  let alpha = 0;
  const xt = new Float64Array(dt);
  for (let i = 0; i < n; i++) {
    c[i] = res.r[i] * activationThirdDerivative(arch.activation, z[i]);
    for (let t = 0; t < d; t++) xt[t] = data.X.data[i * d + t];
    if (arch.inputBias) xt[d] = 1;
    let x2 = 0;
    for (let t = 0; t < dt; t++) x2 += xt[t] * xt[t];
    termScale += Math.abs(c[i]) * x2 ** 1.5;
    let y2 = 0;
    for (let a = 0; a < q; a++) {
      let s = 0;
      for (let t = 0; t < dt; t++) s += basis[t * q + a] * xt[t];
      Y[i * q + a] = s;
      y2 += s * s;
    }
    alpha += 2 * Math.abs(c[i]) * y2 ** 1.5;
  }
  const relTol = opts.relTol ?? INNER_REL_TOL;
  const norm = cubicNorm(c, Y, q);
  const best = maximiseCubic(c, Y, q, alpha);
  const direction = new Float64Array(dt);
  for (let s = 0; s < dt; s++) for (let a = 0; a < q; a++) direction[s] += basis[s * q + a] * best.v[a];
  return {
    unit, nullity: q, basis: { rows: dt, cols: q, data: basis }, norm, termScale, relTol,
    threshold: relTol * termScale, vanishes: q === 0 || norm <= relTol * termScale, direction, value: best.value,
  };
}

/**
 * T[v, v, v] = Σ_i c_i (y_iᵀv)³ for the n×q matrix Y of rows y_i.
 *
 * @param c - the weights c_i (length n)
 * @param Y - the n×q matrix of rows y_i, row-major
 * @param q - the number of columns of Y (the dimension of v)
 * @param v - the vector the form is evaluated at (length q)
 * @returns Σ_i c_i (y_iᵀv)³
 * @example
 * ```ts
 * import { cubicForm } from "splitscape";
 * // c = (1, −2), y₁ = (1, 0), y₂ = (1, 1), v = (1, 0): 1·1³ − 2·1³
 * console.log(cubicForm(Float64Array.from([1, -2]), Float64Array.from([1, 0, 1, 1]), 2, Float64Array.from([1, 0]))); // -1
 * ```
 */
export function cubicForm(c: Float64Array, Y: Float64Array, q: number, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < c.length; i++) {
    let p = 0;
    for (let a = 0; a < q; a++) p += Y[i * q + a] * v[a];
    s += c[i] * p * p * p;
  }
  return s;
}

/** ‖T‖_F of T = Σ_i c_i y_i ⊗ y_i ⊗ y_i, formed entry by entry (q³ entries). */
function cubicNorm(c: Float64Array, Y: Float64Array, q: number): number {
  const T = new Float64Array(q * q * q);
  for (let i = 0; i < c.length; i++) {
    if (c[i] === 0) continue;
    for (let a = 0; a < q; a++) {
      const ca = c[i] * Y[i * q + a];
      for (let b = 0; b < q; b++) {
        const cab = ca * Y[i * q + b];
        for (let e = 0; e < q; e++) T[(a * q + b) * q + e] += cab * Y[i * q + e];
      }
    }
  }
  let s = 0;
  for (const t of T) s += t * t;
  return Math.sqrt(s);
}

/** The best unit v found for T[v, v, v] (candidates, then the shifted power method). */
function maximiseCubic(c: Float64Array, Y: Float64Array, q: number, alpha: number): { v: Float64Array; value: number } {
  let best: { v: Float64Array; value: number } = { v: new Float64Array(q), value: 0 };
  if (q === 0) return best;
  const consider = (v: Float64Array): void => {
    const f = cubicForm(c, Y, q, v);
    // T[−v]³ = −T[v]³: the sign of v is free.
    if (Math.abs(f) > best.value || best.value === 0) best = { v: f < 0 ? v.map((x) => -x) : v, value: Math.abs(f) };
  };
  for (let a = 0; a < q; a++) {
    const e = new Float64Array(q);
    e[a] = 1;
    consider(e);
    if (q > PAIR_CANDIDATES_MAX) continue;
    for (let b = a + 1; b < q; b++) {
      for (const sgn of [1, -1]) {
        const v = new Float64Array(q);
        v[a] = Math.SQRT1_2;
        v[b] = sgn * Math.SQRT1_2;
        consider(v);
      }
    }
  }
  let v: Float64Array = best.v.slice();
  const g = new Float64Array(q);
  for (let it = 0; it < POWER_ITERATIONS && alpha > 0; it++) {
    g.fill(0);
    for (let i = 0; i < c.length; i++) {
      let p = 0;
      for (let a = 0; a < q; a++) p += Y[i * q + a] * v[a];
      const w = c[i] * p * p;
      for (let a = 0; a < q; a++) g[a] += w * Y[i * q + a];
    }
    let nn = 0;
    for (let a = 0; a < q; a++) {
      g[a] += alpha * v[a];
      nn += g[a] * g[a];
    }
    nn = Math.sqrt(nn);
    if (!(nn > 0)) break;
    v = g.map((x) => x / nn);
    consider(v.slice());
  }
  return best;
}
