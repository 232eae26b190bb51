/**
 * Small objectives written by hand for the dynamics tests (independent of src/model): a
 * quadratic, logistic regression in log space, and bias-free two- and three-layer nets with
 * square loss (homogeneous of order 2 and 3, with evaluateScaled).
 */
import type { LossValue, Objective } from "../../src/model/objective.js";

/** ℒ(θ) = ½ θᵀAθ for a symmetric n×n A (row-major). */
export function quadratic(A: number[][]): Objective {
  const n = A.length;
  return {
    dim: n,
    samples: 1,
    homogeneity: null,
    evaluate(theta, grad): LossValue {
      let loss = 0;
      for (let i = 0; i < n; i++) {
        let ai = 0;
        for (let j = 0; j < n; j++) ai += A[i][j] * theta[j];
        if (grad) grad[i] = ai;
        loss += 0.5 * theta[i] * ai;
      }
      return { loss, logLoss: Math.log(loss) };
    },
  };
}

/** log(softplus(z)) = log log(1 + e^z), accurate for z ≪ 0 and z ≫ 0. */
function logSoftplus(z: number): number {
  if (z < -30) return z + Math.log1p(-0.5 * Math.exp(z));
  if (z > 30) return Math.log(z + Math.log1p(Math.exp(-z)));
  return Math.log(Math.log1p(Math.exp(z)));
}

/**
 * Linear logistic regression ℒ(θ) = Σ_k log(1 + e^{−q_k}), q_k = y_k⟨θ, x_k⟩ (sum convention),
 * computed in log space: log ℒ = logsumexp_k log softplus(−q_k). L = 1 (linear in θ).
 */
export function logistic(xs: number[][], ys: number[]): Objective {
  const n = xs.length;
  const d = xs[0].length;
  const logs = new Float64Array(n);
  const evaluate = (theta: Float64Array, grad: Float64Array | null, batch?: Int32Array): LossValue => {
    const m = batch ? batch.length : n;
    if (grad) grad.fill(0);
    let mx = -Infinity;
    for (let b = 0; b < m; b++) {
      const k = batch ? batch[b] : b;
      let q = 0;
      for (let j = 0; j < d; j++) q += theta[j] * xs[k][j];
      q *= ys[k];
      logs[b] = logSoftplus(-q);
      mx = Math.max(mx, logs[b]);
      if (grad) {
        const w = 1 / (1 + Math.exp(q)); // σ(−q) = −ℓ′(q)
        for (let j = 0; j < d; j++) grad[j] -= w * ys[k] * xs[k][j];
      }
    }
    let s = 0;
    for (let b = 0; b < m; b++) s += Math.exp(logs[b] - mx);
    const logLoss = mx + Math.log(s);
    return { loss: Math.exp(logLoss), logLoss };
  };
  return { dim: d, samples: n, homogeneity: 1, evaluate };
}

/**
 * Two-layer bias-free net f(x) = Σ_j v_j σ(w_jᵀx), σ(z) = z for z ≥ 0 and a·z otherwise (a = 1:
 * linear), square loss ℒ = ½ Σ_i (f(x_i) − y_i)² (sum). θ = [W (m×d, row-major), v (m)], L = 2.
 */
export function twoLayer(xs: number[][], ys: number[], m: number, a = 1): Objective {
  const n = xs.length;
  const d = xs[0].length;
  const p = m * d + m;
  const pre = new Float64Array(m);
  /** Outputs Φ(θ; x_i) and Σ_i c_i ∇Φ(θ; x_i) with c_i = resid(i, Φ_i); returns Σ ℓ. */
  const run = (theta: Float64Array, scale2: number, grad: Float64Array | null): number => {
    if (grad) grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      let f = 0;
      for (let j = 0; j < m; j++) {
        let z = 0;
        for (let k = 0; k < d; k++) z += theta[j * d + k] * x[k];
        pre[j] = z;
        f += theta[m * d + j] * (z >= 0 ? z : a * z);
      }
      const r = scale2 * f - ys[i];
      loss += 0.5 * r * r;
      if (grad) {
        for (let j = 0; j < m; j++) {
          const z = pre[j];
          const vj = theta[m * d + j];
          grad[m * d + j] += r * (z >= 0 ? z : a * z);
          const slope = z >= 0 ? 1 : a;
          for (let k = 0; k < d; k++) grad[j * d + k] += r * vj * slope * x[k];
        }
      }
    }
    return loss;
  };
  return {
    dim: p,
    samples: n,
    homogeneity: 2,
    evaluate(theta, grad) {
      const loss = run(theta, 1, grad);
      return { loss, logLoss: Math.log(loss) };
    },
    evaluateScaled(u, s, gradScaled) {
      // θ = e^s u: Φ(θ) = e^{2s}Φ(u), ∇ℒ(θ) = Σ r_i e^{s}∇Φ(u) ⇒ gradScaled = Σ r_i ∇Φ(u).
      const loss = run(u, Math.exp(2 * s), gradScaled);
      return { loss, logLoss: Math.log(loss) };
    },
  };
}

/**
 * Three-layer bias-free linear net f(x) = cᵀ B W x with W (m×d), B (m×m), c (m), square loss
 * (sum). θ = [W, B, c], L = 3.
 */
export function threeLayerLinear(xs: number[][], ys: number[], m: number): Objective {
  const n = xs.length;
  const d = xs[0].length;
  const oW = 0;
  const oB = m * d;
  const oc = m * d + m * m;
  const p = oc + m;
  const h1 = new Float64Array(m);
  const h2 = new Float64Array(m);
  const g2 = new Float64Array(m);
  const run = (theta: Float64Array, scale3: number, grad: Float64Array | null): number => {
    if (grad) grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      for (let j = 0; j < m; j++) {
        let z = 0;
        for (let k = 0; k < d; k++) z += theta[oW + j * d + k] * x[k];
        h1[j] = z;
      }
      let f = 0;
      for (let j = 0; j < m; j++) {
        let z = 0;
        for (let k = 0; k < m; k++) z += theta[oB + j * m + k] * h1[k];
        h2[j] = z;
        f += theta[oc + j] * z;
      }
      const r = scale3 * f - ys[i];
      loss += 0.5 * r * r;
      if (grad) {
        for (let j = 0; j < m; j++) grad[oc + j] += r * h2[j];
        // ∂f/∂h1_k = Σ_j c_j B_jk
        for (let k = 0; k < m; k++) {
          let s = 0;
          for (let j = 0; j < m; j++) s += theta[oc + j] * theta[oB + j * m + k];
          g2[k] = s;
        }
        for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) grad[oB + j * m + k] += r * theta[oc + j] * h1[k];
        for (let j = 0; j < m; j++) for (let k = 0; k < d; k++) grad[oW + j * d + k] += r * g2[j] * x[k];
      }
    }
    return loss;
  };
  return {
    dim: p,
    samples: n,
    homogeneity: 3,
    evaluate(theta, grad) {
      const loss = run(theta, 1, grad);
      return { loss, logLoss: Math.log(loss) };
    },
    evaluateScaled(u, s, gradScaled) {
      // Φ(e^s u) = e^{3s}Φ(u), ∇Φ(e^s u) = e^{2s}∇Φ(u) ⇒ gradScaled = Σ r_i ∇Φ(u).
      const loss = run(u, Math.exp(3 * s), gradScaled);
      return { loss, logLoss: Math.log(loss) };
    },
  };
}

/** Central finite-difference gradient (for checking the hand-written gradients). */
export function fdGradient(obj: Objective, theta: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(obj.dim);
  const th = Float64Array.from(theta);
  for (let i = 0; i < obj.dim; i++) {
    const t0 = th[i];
    th[i] = t0 + h;
    const lp = obj.evaluate(th, null).loss;
    th[i] = t0 - h;
    const lm = obj.evaluate(th, null).loss;
    th[i] = t0;
    g[i] = (lp - lm) / (2 * h);
  }
  return g;
}

/** A deterministic pseudo-random vector in [−1, 1) (splitmix32-based), for initialisations. */
export function testVector(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = 2 * next() - 1;
  return v;
}
