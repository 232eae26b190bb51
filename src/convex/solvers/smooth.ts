// The smooth part of the convex programs as a function of Z = W Xᵀ (B×n):
//   φ(Z) = L(ŷ(Z)),  ŷ = Σ_b SM_b ⊙ Z_b,   ∇_{Z_b} φ = SM_b ⊙ ∇L(ŷ),
// and ∇_W f = (∇φ(Z)) X, one adjoint GEMM.
import { type BlockOperator, type ConvexLoss, predict } from "../program/index.js";

/** The smooth part as FISTA sees it; every method is allocation-free. */
export interface ZSmooth {
  /** Zy ← Z + c·(Z − Zprev) (c = 0: Zy ← Z), then φ(Zy) is returned and ∇φ(Zy) written to gZ. */
  extrapolateValueGrad(Z: Float64Array, Zprev: Float64Array, c: number, Zy: Float64Array, gZ: Float64Array): number;
  /**
   * An upper bound on φ(Zn) − φ(Zy) − ⟨∇φ(Zy), Zn − Zy⟩ from the differences (no cancellation
   * between large function values): (ℓ''_max/2)·‖ŷ(Zn) − ŷ(Zy)‖².
   */
  curvature(Zy: Float64Array, Zn: Float64Array): number;
  /** φ(Z). */
  value(Z: Float64Array): number;
  /** ŷ(Z) into `out`. */
  prediction(Z: Float64Array, out: Float64Array): void;
}

/** φ for a loss and targets y. */
export function makeZSmooth(op: BlockOperator, loss: ConvexLoss, y: Float64Array): ZSmooth {
  const { n, blocks: B, signedMask: SM } = op;
  const yhat = new Float64Array(n);
  const r = new Float64Array(n);
  const dy = new Float64Array(n);
  return {
    extrapolateValueGrad(Z, Zprev, c, Zy, gZ) {
      yhat.fill(0);
      for (let b = 0; b < B; b++) {
        const o = b * n;
        if (c === 0) {
          for (let k = 0; k < n; k++) {
            const z = Z[o + k];
            Zy[o + k] = z;
            yhat[k] += SM[o + k] * z;
          }
        } else {
          for (let k = 0; k < n; k++) {
            const z = Z[o + k] + c * (Z[o + k] - Zprev[o + k]);
            Zy[o + k] = z;
            yhat[k] += SM[o + k] * z;
          }
        }
      }
      const value = loss.valueAndGradient(yhat, y, r);
      for (let b = 0; b < B; b++) {
        const o = b * n;
        for (let k = 0; k < n; k++) gZ[o + k] = SM[o + k] * r[k];
      }
      return value;
    },

    curvature(Zy, Zn) {
      dy.fill(0);
      for (let b = 0; b < B; b++) {
        const o = b * n;
        for (let k = 0; k < n; k++) dy[k] += SM[o + k] * (Zn[o + k] - Zy[o + k]);
      }
      let s = 0;
      for (let k = 0; k < n; k++) s += dy[k] * dy[k];
      return 0.5 * loss.curvature * s;
    },

    value(Z) {
      predict(op, Z, yhat);
      return loss.value(yhat, y);
    },

    prediction(Z, out) {
      predict(op, Z, out);
    },
  };
}
