import { InputError } from "../../common/errors.js";
import { eigh, type Matrix } from "../../linalg/index.js";
import { gemmRaw } from "../../linalg/gemm.js";
import { optNumParam, type IntParam, type ParamValues } from "../params.js";
import type { Generated } from "./types.js";
import { MAX_D } from "./types.js";

const EPS = 2.220446049250313e-16;

/** The optional key `pca`: project the inputs onto their first k principal components. */
export function pcaParam(): IntParam {
  return {
    name: "pca", kind: "int", min: 1, max: MAX_D,
    description: "project X onto its first k principal components (centred; signs fixed), for methods that need small d",
  };
}

/** `data` with X replaced by its first k principal-component scores when the key `pca` = k is set. */
export function withPca(data: Generated, p: ParamValues, source: string): Generated {
  const k = optNumParam(p, "pca");
  return k === undefined ? data : { X: pcaScores(data.X, k, source), Y: data.Y };
}

/**
 * Principal-component scores Z = X_c V_k (n×k) of the centred inputs X_c = X − 1 x̄ᵀ, with V_k the
 * unit eigenvectors of X_cᵀX_c for its k largest eigenvalues λ_1 ≥ … ≥ λ_k (= squared singular
 * values of X_c), so Zᵀ Z = diag(λ). They come from linalg's eigh of the smaller Gram matrix:
 * X_cᵀX_c (d×d) when n ≥ d, else X_c X_cᵀ (n×n) with v = X_cᵀu/√λ — the same vectors, since both
 * share the nonzero λ. Signs are made deterministic: each v has its entry of largest magnitude
 * positive (the first such entry on ties). The components are those of the selected samples
 * themselves. InputError when k > min(n, d) or a requested component has (numerically) zero
 * variance, λ_c ≤ max(n, d)·ε·λ_1.
 */
export function pcaScores(X: Matrix, k: number, source: string): Matrix {
  const { rows: n, cols: d } = X;
  if (k > Math.min(n, d)) throw new InputError(source, `${k} components asked for, but the data have n = ${n} samples of d = ${d} inputs (k ≤ min(n, d))`, "pca");
  const Xc = new Float64Array(X.data);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += Xc[i * d + j];
    mean /= n;
    for (let i = 0; i < n; i++) Xc[i * d + j] -= mean;
  }
  const viaGram = n < d;
  const s = viaGram ? n : d;
  const G = new Float64Array(s * s);
  if (viaGram) gemmRaw(false, true, n, n, d, 1, Xc, 0, d, Xc, 0, d, 0, G, 0, n);
  else gemmRaw(true, false, d, d, n, 1, Xc, 0, d, Xc, 0, d, 0, G, 0, d);
  const { values, vectors } = eigh({ rows: s, cols: s, data: G }, { symmetryTol: Infinity });
  const E = vectors!.data;
  const top = Math.max(values[s - 1], 0);
  const V = new Float64Array(d * k); // d×k, column c = v_c
  for (let c = 0; c < k; c++) {
    const col = s - 1 - c;
    const lambda = values[col];
    if (!(lambda > Math.max(n, d) * EPS * top)) {
      throw new InputError(source, `component ${c + 1} has zero variance (the centred data have rank ${c}); ask for at most ${c}`, "pca");
    }
    if (viaGram) {
      const scale = 1 / Math.sqrt(lambda);
      for (let j = 0; j < d; j++) {
        let t = 0;
        for (let i = 0; i < n; i++) t += Xc[i * d + j] * E[i * s + col];
        V[j * k + c] = t * scale;
      }
    } else {
      for (let j = 0; j < d; j++) V[j * k + c] = E[j * s + col];
    }
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(V[j * k + c]) > Math.abs(V[big * k + c])) big = j;
    if (V[big * k + c] < 0) for (let j = 0; j < d; j++) V[j * k + c] = -V[j * k + c];
  }
  const Z = new Float64Array(n * k);
  gemmRaw(false, false, n, k, d, 1, Xc, 0, d, V, 0, k, 0, Z, 0, k);
  return { rows: n, cols: k, data: Z };
}
