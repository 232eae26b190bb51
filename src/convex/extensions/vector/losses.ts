// Losses of the vector-output program on F ∈ ℝ^{n×c} (row-major), their gradients and dual values
// −L*(−Λ) (docs/science/convex.md §8.1):
//   square    L = ½‖F − Y‖²_F,                       −L*(−Λ) = ⟨Λ, Y⟩ − ½‖Λ‖²_F;
//   softmax   L = Σ_k [lse(F_k) − ⟨Y_k, F_k⟩] (rows of Y in the probability simplex),
//             −L*(−Λ) = Σ_k H(Y_k − Λ_k), H the Shannon entropy (finite when Y_k − Λ_k is in the
//             simplex; Y − tΛ = (1−t)Y + t·softmax(F) is, for t ∈ [0, 1]).
import type { OutputLoss } from "../../../model/index.js";

export const VECTOR_LOSSES = ["square", "softmax"] as const;
export type VectorLossName = (typeof VECTOR_LOSSES)[number];

/** L(F, Y) for F ∈ ℝ^{n×c} (row-major); writes ∇L(F) into `grad` when given. */
export function vectorLossValue(loss: VectorLossName, F: Float64Array, Y: Float64Array, c: number, grad?: Float64Array): number {
  let s = 0;
  if (loss === "square") {
    for (let i = 0; i < F.length; i++) {
      const r = F[i] - Y[i];
      if (grad) grad[i] = r;
      s += r * r;
    }
    return 0.5 * s;
  }
  const n = F.length / c;
  for (let k = 0; k < n; k++) {
    let mx = -Infinity;
    for (let o = 0; o < c; o++) mx = Math.max(mx, F[k * c + o]);
    let z = 0;
    for (let o = 0; o < c; o++) z += Math.exp(F[k * c + o] - mx);
    const lse = mx + Math.log(z);
    for (let o = 0; o < c; o++) {
      const i = k * c + o;
      s -= Y[i] * F[i];
      if (grad) grad[i] = Math.exp(F[i] - mx) / z - Y[i];
    }
    s += lse;
  }
  return s;
}

/** −L*(−Λ): ⟨Λ, Y⟩ − ½‖Λ‖² (square); Σ_k H(Y_k − Λ_k) (softmax; −∞ outside the simplex). */
export function vectorLossDualValue(loss: VectorLossName, Lambda: Float64Array, Y: Float64Array, c: number): number {
  let s = 0;
  if (loss === "square") {
    for (let i = 0; i < Y.length; i++) s += Lambda[i] * Y[i] - 0.5 * Lambda[i] * Lambda[i];
    return s;
  }
  const n = Y.length / c;
  for (let k = 0; k < n; k++) {
    let total = 0;
    for (let o = 0; o < c; o++) {
      const p = Y[k * c + o] - Lambda[k * c + o];
      if (p < -1e-15) return -Infinity;
      total += p;
      if (p > 0) s -= p * Math.log(p);
    }
    if (Math.abs(total - 1) > 1e-9) return -Infinity;
  }
  return s;
}

/** The loss as a model/ OutputLoss on F (for training through dynamics/). */
export function vectorOutputLoss(loss: VectorLossName, Y: Float64Array, c: number): OutputLoss {
  return { value: (F, dF) => vectorLossValue(loss, F, Y, c, dF ?? undefined) };
}
