/**
 * One-sample forward pass and margin gradient with explicit activation slopes, for the
 * Clarke-aware KKT certificate: at a kink (pre-activation ≈ 0) the derivative of a ReLU-type
 * unit may be any s in the Clarke interval, so the gradient h_k(s) is computed for chosen s.
 * Two-layer nets and MLPs go through a uniform list of affine layers read off THE θ layout; conv
 * nets through the model's one-sample conv passes (model.convSampleForward / convSampleGradient).
 * `evaluateSample` is the architecture-independent face the certificate uses.
 */
import { nrm2, sliceNorm } from "../linalg/index.js";
import type { Activation, Architecture } from "../model/index.js";
import {
  activationDerivative, activationValue, mlpLayerOffsets, twoLayerLayout,
} from "../model/index.js";
import { convSampleForward, convSampleGradient } from "../model/conv/sample.js";
import { unsupportedArchitecture } from "../model/architecture.js";

/** An affine layer z = V u (+ bias) inside θ: entry (r, s) of V at off + r·rs + s·ss. */
export interface AffineLayer {
  readonly rows: number;
  readonly cols: number;
  readonly off: number;
  readonly rs: number;
  readonly ss: number;
  /** Offset of the bias in θ, or −1. */
  readonly biasOff: number;
}

/** The affine layers of an architecture: hidden layers 1..h, then the output layer. */
export function affineLayers(arch: Architecture): AffineLayer[] {
  if (arch.kind === "parallel-three-layer") throw unsupportedArchitecture(arch, "the per-sample pass of margin and KKT certificates");
  if (arch.kind === "conv") throw new RangeError("affineLayers: a conv network is not a list of affine layers (use evaluateSample)");
  if (arch.kind === "two-layer") {
    const L = twoLayerLayout(arch);
    return [
      { rows: arch.m, cols: arch.d, off: L.W, rs: arch.d, ss: 1, biasOff: L.b },
      { rows: arch.k, cols: arch.m, off: L.a, rs: 1, ss: arch.k, biasOff: L.c },
    ];
  }
  const off = mlpLayerOffsets(arch);
  const out: AffineLayer[] = [];
  for (let l = 1; l < arch.widths.length; l++) {
    out.push({ rows: arch.widths[l], cols: arch.widths[l - 1], off: off[l - 1], rs: arch.widths[l - 1], ss: 1, biasOff: -1 });
  }
  return out;
}

/** Pre-activations z_l and activations u_l = σ(z_l) of every hidden layer for one input; u_0 = x. */
export interface SamplePass {
  /** pre[l] for hidden layer l = 0..h−1 (0-based), plus the outputs at index h. */
  readonly pre: Float64Array[];
  /** post[0] = x, post[l + 1] = σ(pre[l]) for hidden layers. */
  readonly post: Float64Array[];
}

/** Forward pass of one input x through the layers. */
export function forwardSample(layers: readonly AffineLayer[], act: Activation, theta: Float64Array, x: Float64Array): SamplePass {
  const pre: Float64Array[] = [];
  const post: Float64Array[] = [x];
  for (let l = 0; l < layers.length; l++) {
    const Ly = layers[l];
    const u = post[l];
    const z = new Float64Array(Ly.rows);
    for (let r = 0; r < Ly.rows; r++) {
      let s = Ly.biasOff >= 0 ? theta[Ly.biasOff + r] : 0;
      for (let c = 0; c < Ly.cols; c++) s += theta[Ly.off + r * Ly.rs + c * Ly.ss] * u[c];
      z[r] = s;
    }
    pre.push(z);
    if (l + 1 < layers.length) post.push(z.map((v) => activationValue(act, v)));
  }
  return { pre, post };
}

/** Default slopes σ′(z) (the model's convention, left derivative at 0) of every hidden unit. */
export function conventionSlopes(act: Activation, pass: Pick<SamplePass, "pre">): Float64Array[] {
  return pass.pre.slice(0, -1).map((z) => z.map((v) => activationDerivative(act, v)));
}

/**
 * ∇_θ ⟨w, Φ(θ; x)⟩ with the hidden-unit derivatives replaced by `slopes` (w = y_c e_c gives the
 * margin gradient h of constraint (x, c)); accumulated into g (length p) with factor `alpha`.
 */
export function sampleGradient(
  layers: readonly AffineLayer[], theta: Float64Array, pass: SamplePass, w: Float64Array,
  slopes: readonly Float64Array[], g: Float64Array, alpha = 1,
): void {
  let delta = Float64Array.from(w, (v) => alpha * v);
  for (let l = layers.length - 1; l >= 0; l--) {
    const Ly = layers[l];
    const u = pass.post[l];
    for (let r = 0; r < Ly.rows; r++) {
      const dr = delta[r];
      if (dr === 0) continue;
      if (Ly.biasOff >= 0) g[Ly.biasOff + r] += dr;
      for (let c = 0; c < Ly.cols; c++) g[Ly.off + r * Ly.rs + c * Ly.ss] += dr * u[c];
    }
    if (l === 0) break;
    const back = new Float64Array(Ly.cols);
    for (let r = 0; r < Ly.rows; r++) {
      const dr = delta[r];
      if (dr === 0) continue;
      for (let c = 0; c < Ly.cols; c++) back[c] += theta[Ly.off + r * Ly.rs + c * Ly.ss] * dr;
    }
    const s = slopes[l - 1];
    for (let c = 0; c < Ly.cols; c++) back[c] *= s[c];
    delta = back;
  }
}

/** ‖row r of layer Ly‖₂ (its incoming weights, bias excluded), scaled as linalg's nrm2. */
export function rowNorm(Ly: AffineLayer, theta: Float64Array, r: number): number {
  const start = Ly.off + r * Ly.rs;
  if (Ly.ss === 1) return sliceNorm(theta, start, start + Ly.cols);
  const row = new Float64Array(Ly.cols);
  for (let c = 0; c < Ly.cols; c++) row[c] = theta[start + c * Ly.ss];
  return nrm2(row);
}

/** One input's forward pass with what the KKT certificate needs from it, for any architecture. */
export interface SampleEvaluation {
  /** Pre-activations of every hidden layer (units in θ-layout order), then the outputs. */
  readonly pre: Float64Array[];
  /**
   * Scale of unit r's pre-activation in hidden layer l (0-based) for the relative kink test
   * |z| ≤ tol·scale: ‖incoming weights‖·‖unit input‖ + |bias| (conv: ‖filter‖·‖input patch‖).
   */
  kinkScale(l: number, r: number): number;
  /** g += alpha·∇_θ ⟨w, Φ(θ; x)⟩ with the hidden-unit derivatives replaced by `slopes`. */
  gradient(w: Float64Array, slopes: readonly Float64Array[], g: Float64Array, alpha?: number): void;
}

/** The forward pass of x through the network (θ, arch), as a SampleEvaluation. */
export function evaluateSample(arch: Architecture, theta: Float64Array, x: Float64Array): SampleEvaluation {
  if (arch.kind === "conv") {
    const pass = convSampleForward(arch, theta, x);
    return {
      pre: pass.pre,
      kinkScale: (l, r) => pass.scale[l][r],
      gradient: (w, slopes, g, alpha = 1) => convSampleGradient(arch, theta, pass, w, slopes, g, alpha),
    };
  }
  const layers = affineLayers(arch);
  const pass = forwardSample(layers, arch.activation, theta, x);
  const inputNorms = pass.post.map(nrm2);
  return {
    pre: pass.pre,
    kinkScale: (l, r) => {
      const Ly = layers[l];
      return rowNorm(Ly, theta, r) * inputNorms[l] + (Ly.biasOff >= 0 ? Math.abs(theta[Ly.biasOff + r]) : 0);
    },
    gradient: (w, slopes, g, alpha = 1) => sampleGradient(layers, theta, pass, w, slopes, g, alpha),
  };
}
