/**
 * Clarke residuals of the KKT condition of max 𝒩(u) s.t. ‖u‖ = 1 (docs/science/small-init.md §2.3):
 *   r(u) = dist(L·𝒩(u)·u, ∂𝒩(u)),
 * with ∂𝒩 the Clarke set at kinks (Clarke, "Optimization and Nonsmooth Analysis", 1983, §2.3:
 * for a sum of terms y_i·a_j·σ(w_jᵀx_i) the set is contained in the sum of the terms' sets, each
 * σ′ at a kink ranging over ∂σ(0) = [lo, hi]). For a bias-free two-layer net the problem
 * decouples per neuron: the a_j-component is exact (σ is continuous) and the w_j-component is
 * a box-constrained least-squares problem over the slopes s_i ∈ [lo, hi] of the kink samples
 * K_j = {i : |w_jᵀx_i| ≤ tol·‖x_i‖·‖w_j‖}.
 */
import { kinkInterval, activationDerivative, activationValue, twoLayerParts } from "../model/index.js";
import { distance, nnls, nrm2, sliceNorm } from "../linalg/index.js";
import type { Rng } from "../random/index.js";
import { normal } from "../random/index.js";
import type { NcfEvaluator } from "./correlation.js";
import type { NcfProblem } from "./problem.js";

/** Default relative kink tolerance: |w_jᵀx_i| ≤ tol·‖x_i‖·‖w_j‖ counts as a kink. */
export const DEFAULT_KINK_TOL = 1e-8;

/**
 * min_{t ∈ [lo, hi]^K} ‖b − Σ_k t_k·c_k‖ for K columns c_k (each of length q), by cyclic
 * coordinate descent with exact clipped line minimisation (convex, so it converges to the
 * minimum; K ≤ d − 1 generically at a kink, so the Gram matrix is small and well conditioned).
 * Returns the residual norm and the slopes t.
 */
export function boxLeastSquares(cols: readonly Float64Array[], b: Float64Array, lo: number, hi: number, maxSweeps = 5000): { residual: number; t: Float64Array } {
  const K = cols.length;
  const q = b.length;
  const r = Float64Array.from(b);
  const t = new Float64Array(K);
  const nrm = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let i = 0; i < q; i++) s += cols[k][i] * cols[k][i];
    nrm[k] = s;
    t[k] = 0.5 * (lo + hi);
    for (let i = 0; i < q; i++) r[i] -= t[k] * cols[k][i];
  }
  for (let sweep = 0; sweep < maxSweeps && K > 0; sweep++) {
    let change = 0;
    for (let k = 0; k < K; k++) {
      if (nrm[k] === 0) continue;
      const c = cols[k];
      let cr = 0;
      for (let i = 0; i < q; i++) cr += c[i] * r[i];
      const tNew = Math.min(hi, Math.max(lo, t[k] + cr / nrm[k]));
      const dt = tNew - t[k];
      if (dt !== 0) {
        for (let i = 0; i < q; i++) r[i] -= dt * c[i];
        t[k] = tNew;
        change = Math.max(change, Math.abs(dt) * Math.sqrt(nrm[k]));
      }
    }
    if (change <= 1e-17 * (1 + nrm2(b))) break;
  }
  return { residual: nrm2(r), t };
}

/** Residual of one KKT check: the Clarke residual, the plain-gradient one, and the kinks used. */
export interface ClarkeResidual {
  /** dist(L𝒩(u)u, ∂𝒩(u)) with the Clarke set at kinks. */
  residual: number;
  /** ‖∇𝒩(u) − L𝒩(u)u‖ with the model layer's single gradient (left derivative at kinks). */
  gradientResidual: number;
  /** Number of (neuron, sample) pairs counted as kinks. */
  kinks: number;
  /** How ∂𝒩 was represented: exact per-neuron boxes, or gradient sampling (deep nets). */
  method: "two-layer-box" | "smooth" | "gradient-sampling";
}

/**
 * Two-layer bias-free net, θ = [W (m×d) | a (m)]: per neuron j with z_i = w_jᵀx_i,
 *   ∂_{a_j}𝒩 = c Σ_i y_i σ(z_i),  ∂_{w_j}𝒩 ∋ a_j·c·(Σ_{i∉K_j} y_i σ′(z_i) x_i + Σ_{i∈K_j} y_i s_i x_i), s_i ∈ [lo, hi];
 * residual² = Σ_j (|∂_{a_j}𝒩 − L𝒩 a_j|² + min_s ‖∂_{w_j}𝒩 − L𝒩 w_j‖²).
 *
 * @param prob - an NCF problem of a two-layer net
 * @param u - a unit point u (length p)
 * @param opts - `kinkTol`: |w_jᵀx_i| ≤ kinkTol·‖x_i‖ counts as a kink (default DEFAULT_KINK_TOL)
 * @returns the Clarke residual, the plain gradient residual ‖∇𝒩 − L𝒩u‖, the number of kinks and the method
 * @example
 * ```ts
 * import { fork, makeActivation, makeBuiltin, ncfKktPoints, ncfProblem, twoLayerArchitecture, twoLayerClarkeResidual } from "splitscape";
 * const prob = ncfProblem(twoLayerArchitecture({ d: 5, m: 4, activation: makeActivation("leaky_relu", 0.1) }), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const best = ncfKktPoints(prob, { starts: 6, rng: fork(2, "k") }).points[0];
 * console.log(twoLayerClarkeResidual(prob, best.u).residual); // ≈ 0 at a KKT point
 * ```
 */
export function twoLayerClarkeResidual(prob: NcfProblem, u: Float64Array, opts: { kinkTol?: number } = {}): ClarkeResidual {
  const arch = prob.arch;
  if (arch.kind !== "two-layer") throw new RangeError("twoLayerClarkeResidual: needs a two-layer network");
  const { m, d } = arch;
  const act = arch.activation;
  const tol = opts.kinkTol ?? DEFAULT_KINK_TOL;
  const box = kinkInterval(act);
  const { W, a } = twoLayerParts(arch, u);
  const { X, y, n, scale, L } = prob;
  // 𝒩(u) first.
  let value = 0;
  for (let j = 0; j < m; j++) {
    let fj = 0;
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += W[j * d + k] * X[i * d + k];
      fj += y[i] * activationValue(act, z);
    }
    value += scale * a[j] * fj;
  }
  const mu = L * value;
  let res2 = 0;
  let grad2 = 0;
  let kinks = 0;
  const gw = new Float64Array(d);
  const xNorm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xNorm[i] = sliceNorm(X, i * d, i * d + d);
  }
  for (let j = 0; j < m; j++) {
    const wj = W.subarray(j * d, j * d + d);
    const wn = nrm2(wj);
    let fa = 0;
    gw.fill(0);
    const cols: Float64Array[] = [];
    const gwLeft = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += wj[k] * X[i * d + k];
      fa += y[i] * activationValue(act, z);
      const coef = scale * a[j] * y[i];
      const dl = activationDerivative(act, z);
      for (let k = 0; k < d; k++) gwLeft[k] += coef * dl * X[i * d + k];
      if (box && Math.abs(z) <= tol * xNorm[i] * wn && coef !== 0) {
        kinks++;
        const c = new Float64Array(d);
        for (let k = 0; k < d; k++) c[k] = coef * X[i * d + k];
        cols.push(c);
      } else {
        for (let k = 0; k < d; k++) gw[k] += coef * dl * X[i * d + k];
      }
    }
    const ra = scale * fa - mu * a[j];
    res2 += ra * ra;
    grad2 += ra * ra;
    const rhs = new Float64Array(d);
    for (let k = 0; k < d; k++) {
      rhs[k] = mu * wj[k] - gw[k];
      grad2 += (gwLeft[k] - mu * wj[k]) ** 2;
    }
    if (cols.length > 0 && box) res2 += boxLeastSquares(cols, rhs, box.lo, box.hi).residual ** 2;
    else for (let k = 0; k < d; k++) res2 += rhs[k] * rhs[k];
  }
  return { residual: Math.sqrt(res2), gradientResidual: Math.sqrt(grad2), kinks, method: box ? "two-layer-box" : "smooth" };
}

/**
 * Any homogeneous net (used for deep nets): the Clarke set is approximated by gradient sampling
 * (Burke, Lewis & Overton, SIAM J. Optim. 2005): the convex hull of ∇𝒩 at u and at `samples`
 * points u + radius·ξ, ξ ~ N(0, I)/√p; the residual is the distance of L𝒩(u)u to that hull,
 * min ‖Gλ − b‖ s.t. λ ≥ 0, Σλ = 1, solved by NNLS with the constraint Σλ = 1 as a row weighted
 * by 1e6·max(1, ‖b‖) (its violation enters the residual at 1e-6 relative).
 *
 * @param prob - the NCF problem (any homogeneous architecture)
 * @param ev - its evaluator (ncfEvaluator(prob))
 * @param u - a unit point u
 * @param rng - the generator of the sample points
 * @param opts - the sampling radius and the number of samples
 * @returns the Clarke residual (distance to the sampled hull), the gradient residual, and the method "gradient-sampling"
 * @example
 * ```ts
 * import { fork, makeActivation, makeBuiltin, mlpArchitecture, ncfEvaluator, ncfProblem, sampledClarkeResidual } from "splitscape";
 * const prob = ncfProblem(mlpArchitecture([5, 4, 3, 1], makeActivation("leaky_relu", 0.1)), makeBuiltin("builtin:sin?n=20&d=5&seed=3"));
 * const u = new Float64Array(prob.p).fill(1 / Math.sqrt(prob.p));
 * console.log(sampledClarkeResidual(prob, ncfEvaluator(prob), u, fork(1, "clarke")).residual);
 * ```
 */
export function sampledClarkeResidual(
  prob: NcfProblem, ev: NcfEvaluator, u: Float64Array, rng: Rng, opts: { radius?: number; samples?: number } = {},
): ClarkeResidual {
  const p = prob.p;
  const radius = opts.radius ?? 1e-7;
  const samples = opts.samples ?? 2 * p + 2;
  const g0 = new Float64Array(p);
  const value = ev(u, g0);
  const b = new Float64Array(p);
  for (let k = 0; k < p; k++) b[k] = prob.L * value * u[k];
  const gradientResidual = distance(g0, b);
  const grads: Float64Array[] = [g0];
  const v = new Float64Array(p);
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < p; k++) v[k] = u[k] + (radius / Math.sqrt(p)) * normal(rng);
    const g = new Float64Array(p);
    ev(v, g);
    grads.push(g);
  }
  const K = grads.length;
  const wgt = 1e6 * Math.max(1, nrm2(b));
  const A = new Float64Array((p + 1) * K);
  for (let c = 0; c < K; c++) {
    for (let k = 0; k < p; k++) A[k * K + c] = grads[c][k];
    A[p * K + c] = wgt;
  }
  const rhs = new Float64Array(p + 1);
  rhs.set(b);
  rhs[p] = wgt;
  const sol = nnls({ rows: p + 1, cols: K, data: A }, rhs);
  const combination = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    let s = 0;
    for (let c = 0; c < K; c++) s += grads[c][k] * sol.x[c];
    combination[k] = s;
  }
  return { residual: distance(combination, b), gradientResidual, kinks: 0, method: "gradient-sampling" };
}
