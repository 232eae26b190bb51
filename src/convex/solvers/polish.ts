// Active-face Newton polish for small ReLU programs. First-order iterates reach the optimal value
// fast but ŷ only to √(primal error), and the scaled dual ν_f = ν·min(1, β/s) inherits that, so
// certified gaps stall near 1e-8 (measured: n = 6, 1-D + bias, β = 0.02 stalls at 5e-8 after
// 10⁵ iterations). Once the active blocks and their active cone rows are identified, the
// optimum solves a smooth problem on that face:
//   min_z L(Σ_b F_b z_b) + β Σ_b ‖z_b‖,  w_b = N_b z_b,  N_b an orthonormal basis of null(A_{S_b}),
// F_b = s_b D_b X N_b, which Newton's method (Levenberg–Marquardt damped, Armijo backtracking)
// solves to rounding level. N_b comes from a pivoted QR of A_{S_b}ᵀ (linalg nullSpace), and
// Fᵀ diag(ℓ'') F is one GEMM (once for the square loss). A block that leaves its cone is clipped
// back along the segment from its start (polishOnFace); the certificate then decides.
import { cholesky, choleskySolve, gemmRaw, gemvRaw, NotPositiveDefiniteError, nullSpace } from "../../linalg/index.js";
import { blockNorms, type BlockOperator, type ConvexLoss } from "../program/index.js";

/** Largest face dimension Σ f_b polished (dense Newton systems). */
export const POLISH_MAX_DIM = 1500;

/**
 * Polish W (B×d, Z = W Xᵀ) on its active face. The active rows of block b are `activeRows[b]`
 * when given (e.g. the active set of Π_{K_b}(g_b) at the current dual point, which is the face of
 * the optimal w_b once ν is close), otherwise the rows with CS_bk x_kᵀw_b ≈ 0. Newton's method
 * solves the program on that face; a block whose Newton point w'_b violates rows of its full cone
 * (the face was guessed too large) moves only part way, to w_b + t_b (w'_b − w_b) with the
 * largest feasible t_b ∈ [0, 1] (w_b is feasible, so t_b exists). Returns the polished feasible
 * W, or null when the face is too large or degenerate or Newton did not improve on its start.
 */
export function polishOnFace(
  op: BlockOperator, loss: ConvexLoss, y: Float64Array, beta: number, W: Float64Array, Z: Float64Array,
  activeRows?: readonly (readonly number[])[],
): Float64Array | null {
  const { n, d, blocks: B, X, rowNorm } = op;
  const CS = op.coneSign!;
  const wn = blockNorms(W, B, d);
  let wMax = 0;
  for (const v of wn) wMax = Math.max(wMax, v);
  if (wMax === 0) return null;
  const blocks: number[] = [];
  const faces: (readonly number[])[] = [];
  for (let b = 0; b < B; b++) {
    if (wn[b] <= 1e-12 * wMax) continue;
    blocks.push(b);
    if (activeRows !== undefined) {
      faces.push(activeRows[b]);
    } else {
      const rows: number[] = [];
      for (let k = 0; k < n; k++) {
        if (rowNorm[k] > 0 && CS[b * n + k] * Z[b * n + k] <= 1e-9 * rowNorm[k] * wn[b]) rows.push(k);
      }
      faces.push(rows);
    }
  }
  const out = newtonOnFace(op, loss, y, beta, W, blocks, faces);
  if (out === null) return null;
  // Feasibility of every row of every polished block: a_kᵀ(w + t(w' − w)) ≥ −ε‖a_k‖‖w'‖ for t ≤ t_b.
  const xw = new Float64Array(n);
  const xo = new Float64Array(n);
  for (const b of blocks) {
    let s2 = 0;
    for (let j = 0; j < d; j++) s2 += out[b * d + j] ** 2;
    const slack = 1e-12 * Math.sqrt(s2);
    gemvRaw(false, n, d, 1, X, 0, d, out, b * d, 1, 0, xw, 0, 1);
    gemvRaw(false, n, d, 1, X, 0, d, W, b * d, 1, 0, xo, 0, 1);
    let t = 1;
    for (let k = 0; k < n; k++) {
      const hi = CS[b * n + k] * xw[k];
      if (hi >= -slack * rowNorm[k]) continue;
      const lo = Math.max(0, CS[b * n + k] * xo[k]);
      t = Math.min(t, lo / (lo - hi));
    }
    if (t < 1) {
      for (let j = 0; j < d; j++) out[b * d + j] = W[b * d + j] + t * (out[b * d + j] - W[b * d + j]);
      // Rounding guard: when the clipped w_b is much shorter than the start (cancellation), its
      // rows carry errors ~eps·‖w_b‖ that are large relative to it; keep the start then.
      let c2 = 0;
      for (let j = 0; j < d; j++) c2 += out[b * d + j] ** 2;
      const cn = Math.sqrt(c2);
      gemvRaw(false, n, d, 1, X, 0, d, out, b * d, 1, 0, xw, 0, 1);
      for (let k = 0; k < n; k++) {
        if (CS[b * n + k] * xw[k] < -1e-13 * rowNorm[k] * cn) {
          out.set(W.subarray(b * d, b * d + d), b * d);
          break;
        }
      }
    }
  }
  return out;
}

/**
 * Newton's method on the face {w_b ∈ null(A_{S_b})} of the given blocks (the other blocks are
 * zero), started from the projection of W onto it. Returns the face optimum (B×d) or null when
 * the face is too large or degenerate or Newton did not improve on the start.
 */
function newtonOnFace(
  op: BlockOperator, loss: ConvexLoss, y: Float64Array, beta: number, W: Float64Array,
  blocks: readonly number[], faces: readonly (readonly number[])[],
): Float64Array | null {
  const { n, d, blocks: B, X, signedMask: SM } = op;
  const CS = op.coneSign!;
  const bases: Float64Array[][] = [];
  let m = 0;
  for (let t = 0; t < blocks.length; t++) {
    const b = blocks[t];
    const S = faces[t];
    const AS = new Float64Array(S.length * d);
    for (let c = 0; c < S.length; c++) {
      const sg = CS[b * n + S[c]];
      for (let j = 0; j < d; j++) AS[c * d + j] = sg * X[S[c] * d + j];
    }
    const N = nullSpace({ rows: S.length, cols: d, data: AS }, { rcond: 1e-9 });
    // Empty when the face is {0}: the block is zero on it.
    bases.push(Array.from({ length: N.rows }, (_, c) => N.data.subarray(c * d, (c + 1) * d)));
    m += N.rows;
    if (m > POLISH_MAX_DIM) return null;
  }
  // F (n×m): column c of block b is s_b D_b X N_b[:, c] (one GEMM per block, then the mask).
  const F = new Float64Array(n * m);
  const offs: number[] = [];
  let off = 0;
  for (let t = 0; t < blocks.length; t++) {
    const b = blocks[t];
    offs.push(off);
    const N = bases[t];
    const f = N.length;
    const Nt = new Float64Array(f * d);
    for (let c = 0; c < f; c++) Nt.set(N[c], c * d);
    gemmRaw(false, true, n, f, d, 1, X, 0, d, Nt, 0, d, 0, F, off, m);
    for (let k = 0; k < n; k++) {
      const sm = SM[b * n + k];
      if (sm === 1) continue;
      for (let c = 0; c < f; c++) F[k * m + off + c] *= sm;
    }
    off += f;
  }
  const z = new Float64Array(m);
  for (let t = 0; t < blocks.length; t++) {
    const N = bases[t];
    for (let c = 0; c < N.length; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += N[c][j] * W[blocks[t] * d + j];
      z[offs[t] + c] = s;
    }
  }
  const yhat = new Float64Array(n);
  const gl = new Float64Array(n);
  const objective = (zz: Float64Array): number => {
    gemvRaw(false, n, m, 1, F, 0, m, zz, 0, 1, 0, yhat, 0, 1);
    let v = loss.value(yhat, y);
    for (let t = 0; t < blocks.length; t++) {
      let s = 0;
      for (let c = 0; c < bases[t].length; c++) s += zz[offs[t] + c] ** 2;
      v += beta * Math.sqrt(s);
    }
    return v;
  };
  let f = objective(z);
  const f0 = f;
  let FtF: Float64Array | null = null;
  for (let it = 0; it < 40; it++) {
    // Gradient g = Fᵀℓ'(ŷ) and Hessian Fᵀ diag(ℓ''(ŷ)) F (constant for the square loss) at z.
    gemvRaw(false, n, m, 1, F, 0, m, z, 0, 1, 0, yhat, 0, 1);
    loss.valueAndGradient(yhat, y, gl);
    const g = new Float64Array(m);
    gemvRaw(true, n, m, 1, F, 0, m, gl, 0, 1, 0, g, 0, 1);
    if (FtF === null || loss.name !== "square") {
      const Fs = loss.name === "square" ? F : new Float64Array(n * m);
      if (Fs !== F) {
        for (let k = 0; k < n; k++) {
          const w = Math.sqrt(lossCurvature(loss, yhat[k], y[k]));
          for (let c = 0; c < m; c++) Fs[k * m + c] = w * F[k * m + c];
        }
      }
      FtF = new Float64Array(m * m);
      gemmRaw(true, false, m, m, n, 1, Fs, 0, m, Fs, 0, m, 0, FtF, 0, m);
    }
    const H = FtF.slice();
    for (let t = 0; t < blocks.length; t++) {
      const o = offs[t];
      const f_ = bases[t].length;
      if (f_ === 0) continue;
      let s = 0;
      for (let c = 0; c < f_; c++) s += z[o + c] ** 2;
      const nz = Math.sqrt(s);
      if (nz === 0) return null;
      for (let a = 0; a < f_; a++) {
        g[o + a] += (beta * z[o + a]) / nz;
        for (let c = 0; c <= a; c++) {
          H[(o + a) * m + o + c] += (beta / nz) * ((a === c ? 1 : 0) - (z[o + a] * z[o + c]) / (nz * nz));
        }
      }
    }
    let trace = 0;
    for (let a = 0; a < m; a++) trace += H[a * m + a];
    for (let a = 0; a < m; a++) {
      for (let c = 0; c < a; c++) H[c * m + a] = H[a * m + c];
      H[a * m + a] += 1e-13 * trace / m;
    }
    let gn = 0;
    for (let a = 0; a < m; a++) gn += g[a] * g[a];
    if (Math.sqrt(gn) <= 1e-15 * Math.max(1, f)) break;
    let L;
    try {
      L = cholesky({ rows: m, cols: m, data: H });
    } catch (e) {
      if (e instanceof NotPositiveDefiniteError) return null;
      throw e;
    }
    // Solve H p = −g.
    const p = choleskySolve(L, g.map((v) => -v));
    let slope = 0;
    for (let a = 0; a < m; a++) slope += g[a] * p[a];
    let step = 1;
    let accepted = false;
    const zt = new Float64Array(m);
    for (let ls = 0; ls < 30; ls++) {
      for (let a = 0; a < m; a++) zt[a] = z[a] + step * p[a];
      const ft = objective(zt);
      if (ft <= f + 1e-4 * step * slope || ft < f) {
        z.set(zt);
        const dec = f - ft;
        f = ft;
        accepted = true;
        if (dec <= 1e-16 * Math.abs(f)) it = 1e9;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
  }
  if (!(f <= f0)) return null;
  const out = new Float64Array(B * d);
  for (let t = 0; t < blocks.length; t++) {
    const b = blocks[t];
    const N = bases[t];
    for (let c = 0; c < N.length; c++) {
      const zc = z[offs[t] + c];
      for (let j = 0; j < d; j++) out[b * d + j] += N[c][j] * zc;
    }
  }
  return out;
}

/** ℓ''(ŷ_k) of the loss (1 for the square loss, σ(1 − σ) for the logistic loss). */
function lossCurvature(loss: ConvexLoss, f: number, y: number): number {
  if (loss.name === "square") return 1;
  const m = -y * f;
  const s = m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m));
  return s * (1 - s);
}
