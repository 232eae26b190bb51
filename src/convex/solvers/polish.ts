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
import { cholesky, choleskySolve, NotPositiveDefiniteError, nrm2, nullSpace } from "../../linalg/index.js";
import { gemmRaw, gemvRaw } from "../../linalg/gemm.js";
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
    const slack = 1e-12 * nrm2(out.subarray(b * d, b * d + d));
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
      const cn = nrm2(out.subarray(b * d, b * d + d));
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

/** The face in coordinates z: per block an orthonormal basis N_b of null(A_{S_b}) (rows), its offset in z, and m = Σ dim. */
interface FaceCoordinates {
  readonly bases: Float64Array[][];
  readonly offs: number[];
  readonly m: number;
}

/** N_b = null(A_{S_b}) of every block by linalg nullSpace (empty when the face is {0}); null when Σ dim > POLISH_MAX_DIM. */
function faceCoordinates(op: BlockOperator, blocks: readonly number[], faces: readonly (readonly number[])[]): FaceCoordinates | null {
  const { n, d, X } = op;
  const CS = op.coneSign!;
  const bases: Float64Array[][] = [];
  const offs: number[] = [];
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
    bases.push(Array.from({ length: N.rows }, (_, c) => N.data.subarray(c * d, (c + 1) * d)));
    offs.push(m);
    m += N.rows;
    if (m > POLISH_MAX_DIM) return null;
  }
  return { bases, offs, m };
}

/** F (n×m): column c of block b is s_b D_b X N_b[:, c] (one GEMM per block, then the mask). */
function faceMatrix(op: BlockOperator, blocks: readonly number[], fc: FaceCoordinates): Float64Array {
  const { n, d, X, signedMask: SM } = op;
  const { bases, offs, m } = fc;
  const F = new Float64Array(n * m);
  for (let t = 0; t < blocks.length; t++) {
    const b = blocks[t];
    const off = offs[t];
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
  }
  return F;
}

/**
 * The smooth program on the face, φ(z) = L(F z) + β Σ_b ‖z_b‖, its gradient and Hessian
 * Fᵀ diag(ℓ'') F + β Σ_b (I − ẑ_b ẑ_bᵀ)/‖z_b‖ (FᵀF kept for the square loss).
 */
class FaceProgram {
  private readonly yhat: Float64Array;
  private readonly gl: Float64Array;
  private FtF: Float64Array | null = null;

  constructor(
    private readonly F: Float64Array, private readonly n: number, private readonly fc: FaceCoordinates,
    private readonly loss: ConvexLoss, private readonly y: Float64Array, private readonly beta: number,
  ) {
    this.yhat = new Float64Array(n);
    this.gl = new Float64Array(n);
  }

  value(z: Float64Array): number {
    const { F, n, fc, yhat } = this;
    const m = fc.m;
    gemvRaw(false, n, m, 1, F, 0, m, z, 0, 1, 0, yhat, 0, 1);
    let v = this.loss.value(yhat, this.y);
    for (let t = 0; t < fc.bases.length; t++) v += this.beta * nrm2(z.subarray(fc.offs[t], fc.offs[t] + fc.bases[t].length));
    return v;
  }

  /** g = ∇φ(z) and the Hessian H (m×m, symmetric, with a 1e-13·trace/m ridge); null when some z_b = 0 (not differentiable). */
  gradientAndHessian(z: Float64Array): { g: Float64Array; H: Float64Array } | null {
    const { F, n, fc, loss, y, yhat, gl, beta } = this;
    const m = fc.m;
    gemvRaw(false, n, m, 1, F, 0, m, z, 0, 1, 0, yhat, 0, 1);
    loss.valueAndGradient(yhat, y, gl);
    const g = new Float64Array(m);
    gemvRaw(true, n, m, 1, F, 0, m, gl, 0, 1, 0, g, 0, 1);
    if (this.FtF === null || loss.name !== "square") {
      const Fs = loss.name === "square" ? F : new Float64Array(n * m);
      if (Fs !== F) {
        for (let k = 0; k < n; k++) {
          const w = Math.sqrt(lossCurvature(loss, yhat[k], y[k]));
          for (let c = 0; c < m; c++) Fs[k * m + c] = w * F[k * m + c];
        }
      }
      this.FtF = new Float64Array(m * m);
      gemmRaw(true, false, m, m, n, 1, Fs, 0, m, Fs, 0, m, 0, this.FtF, 0, m);
    }
    const H = this.FtF.slice();
    for (let t = 0; t < fc.bases.length; t++) {
      const o = fc.offs[t];
      const f_ = fc.bases[t].length;
      if (f_ === 0) continue;
      const nz = nrm2(z.subarray(o, o + f_));
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
    return { g, H };
  }
}

/**
 * At most 40 Newton steps on φ from z (updated in place): H p = −g by Cholesky, Armijo
 * backtracking (halving, 30 tries); stops when ‖g‖ ≤ 1e-15·max(1, φ), a step gains < 1e-16·|φ|, or
 * no step is accepted. Returns the final φ, or null when H is not positive definite or some z_b
 * reaches 0.
 */
function newtonIterations(prog: FaceProgram, z: Float64Array): number | null {
  const m = z.length;
  let f = prog.value(z);
  for (let it = 0; it < 40; it++) {
    const gh = prog.gradientAndHessian(z);
    if (gh === null) return null;
    const { g, H } = gh;
    if (nrm2(g) <= 1e-15 * Math.max(1, f)) break;
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
      const ft = prog.value(zt);
      if (ft <= f + 1e-4 * step * slope || ft < f) {
        z.set(zt);
        const dec = f - ft;
        f = ft;
        accepted = true;
        if (dec <= 1e-16 * Math.abs(f)) return f;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
  }
  return f;
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
  const { n, d, blocks: B } = op;
  const fc = faceCoordinates(op, blocks, faces);
  if (fc === null) return null;
  const { bases, offs, m } = fc;
  const z = new Float64Array(m);
  for (let t = 0; t < blocks.length; t++) {
    const N = bases[t];
    for (let c = 0; c < N.length; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += N[c][j] * W[blocks[t] * d + j];
      z[offs[t] + c] = s;
    }
  }
  const prog = new FaceProgram(faceMatrix(op, blocks, fc), n, fc, loss, y, beta);
  const f0 = prog.value(z);
  const f = newtonIterations(prog, z);
  if (f === null || !(f <= f0)) return null;
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
