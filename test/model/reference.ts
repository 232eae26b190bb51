/**
 * A deliberately naive, independent reference for the model tests: scalar loops per sample, no
 * GEMM, no workspaces, textbook derivative formulas written here (not taken from src/model),
 * and 8th-order central finite differences. Only the erf function (checked against 30-digit
 * values in erf.test.ts) and the architecture/activation records are shared with the library.
 */
import type { Activation, Architecture } from "../../src/model/index.js";
import { erf } from "../../src/model/index.js";

export type RefLoss = "logistic" | "exponential" | "square";

/** σ(z), written plainly. */
export function refSigma(act: Activation, z: number): number {
  switch (act.name) {
    case "relu": return Math.max(z, 0);
    case "leaky_relu": return z >= 0 ? z : act.slope * z;
    case "linear": return z;
    case "relu_power": return z > 0 ? z ** act.power : 0;
    case "tanh": return Math.tanh(z);
    case "sigmoid": return 1 / (1 + Math.exp(-z));
    case "softplus": return Math.log(1 + Math.exp(z));
    case "gelu": return 0.5 * z * (1 + erf(z / Math.SQRT2));
    case "swish": return z / (1 + Math.exp(-z));
    case "erf": return erf(z);
  }
}

/** σ′(z) by the textbook formulas (relu-type: left derivative at 0). */
export function refSigmaPrime(act: Activation, z: number): number {
  switch (act.name) {
    case "relu": return z > 0 ? 1 : 0;
    case "leaky_relu": return z > 0 ? 1 : act.slope;
    case "linear": return 1;
    case "relu_power": return z > 0 ? act.power * z ** (act.power - 1) : 0;
    case "tanh": { const t = Math.tanh(z); return 1 - t * t; }
    case "sigmoid": { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s); }
    case "softplus": return 1 / (1 + Math.exp(-z));
    case "gelu": return 0.5 * (1 + erf(z / Math.SQRT2)) + (z * Math.exp(-z * z / 2)) / Math.sqrt(2 * Math.PI);
    case "swish": { const s = 1 / (1 + Math.exp(-z)); return s + z * s * (1 - s); }
    case "erf": return (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z);
  }
}

/** ℓ(f; y) and ∂ℓ/∂f written plainly (moderate arguments only). */
export function refLoss(loss: RefLoss, f: number, y: number): { value: number; slope: number } {
  switch (loss) {
    case "logistic": return { value: Math.log(1 + Math.exp(-y * f)), slope: -y / (1 + Math.exp(y * f)) };
    case "exponential": return { value: Math.exp(-y * f), slope: -y * Math.exp(-y * f) };
    case "square": return { value: 0.5 * (f - y) ** 2, slope: f - y };
  }
}

/** Per-sample layer values of one forward pass: pre-activations z[l] and activations h[l]. */
export interface RefPass {
  /** Pre-activations of every layer (last = outputs for the MLP; two-layer: [z] then [f]). */
  z: number[][];
  out: number[];
}

/** Outputs f(x; θ) for one sample x, by loops over the θ layout of INTERFACES.md. */
export function refForward(arch: Architecture, theta: ArrayLike<number>, x: ArrayLike<number>): RefPass {
  if (arch.kind === "two-layer") {
    const { d, m, k } = arch;
    const aOff = m * d;
    const bOff = arch.inputBias ? aOff + m * k : -1;
    const cOff = arch.outputBias ? aOff + m * k + (arch.inputBias ? m : 0) : -1;
    const z: number[] = [];
    for (let j = 0; j < m; j++) {
      let s = bOff >= 0 ? theta[bOff + j] : 0;
      for (let q = 0; q < d; q++) s += theta[j * d + q] * x[q];
      z.push(s);
    }
    const out: number[] = [];
    for (let c = 0; c < k; c++) {
      let f = cOff >= 0 ? theta[cOff + c] : 0;
      for (let j = 0; j < m; j++) f += theta[aOff + j * k + c] * refSigma(arch.activation, z[j]);
      out.push(f);
    }
    return { z: [z], out };
  }
  if (arch.kind !== "mlp") throw new RangeError(`reference: no reference for ${arch.kind}`);
  const w = arch.widths;
  let h: number[] = Array.from(x);
  let off = 0;
  const zs: number[][] = [];
  for (let l = 1; l < w.length; l++) {
    const z: number[] = [];
    for (let r = 0; r < w[l]; r++) {
      let s = 0;
      for (let q = 0; q < w[l - 1]; q++) s += theta[off + r * w[l - 1] + q] * h[q];
      z.push(s);
    }
    off += w[l] * w[l - 1];
    zs.push(z);
    h = l < w.length - 1 ? z.map((v) => refSigma(arch.activation, v)) : z;
  }
  return { z: zs.slice(0, -1), out: h };
}

/** ℒ = s Σ_i Σ_c ℓ(f_c(x_i); y_ic) by loops. */
export function refLossValue(
  arch: Architecture, theta: ArrayLike<number>, X: number[][], Y: number[][], loss: RefLoss, mean: boolean,
): number {
  let total = 0;
  for (let i = 0; i < X.length; i++) {
    const f = refForward(arch, theta, X[i]).out;
    for (let c = 0; c < f.length; c++) total += refLoss(loss, f[c], Y[i][c]).value;
  }
  return mean ? total / X.length : total;
}

/** ∇ℒ by per-sample backpropagation written with scalar loops. */
export function refGradient(
  arch: Architecture, theta: ArrayLike<number>, X: number[][], Y: number[][], loss: RefLoss, mean: boolean,
): Float64Array {
  const g = new Float64Array(theta.length);
  const s = mean ? 1 / X.length : 1;
  for (let i = 0; i < X.length; i++) {
    const x = X[i];
    const pass = refForward(arch, theta, x);
    const gOut = pass.out.map((f, c) => s * refLoss(loss, f, Y[i][c]).slope);
    if (arch.kind === "two-layer") {
      const { d, m, k } = arch;
      const aOff = m * d;
      const bOff = arch.inputBias ? aOff + m * k : -1;
      const cOff = arch.outputBias ? aOff + m * k + (arch.inputBias ? m : 0) : -1;
      const z = pass.z[0];
      for (let j = 0; j < m; j++) {
        let back = 0;
        for (let c = 0; c < k; c++) {
          g[aOff + j * k + c] += gOut[c] * refSigma(arch.activation, z[j]);
          back += gOut[c] * theta[aOff + j * k + c];
        }
        const dz = back * refSigmaPrime(arch.activation, z[j]);
        for (let q = 0; q < d; q++) g[j * d + q] += dz * x[q];
        if (bOff >= 0) g[bOff + j] += dz;
      }
      if (cOff >= 0) for (let c = 0; c < k; c++) g[cOff + c] += gOut[c];
      continue;
    }
    if (arch.kind !== "mlp") throw new RangeError(`reference: no reference for ${arch.kind}`);
    const w = arch.widths;
    const L = w.length - 1;
    const offs = [0];
    for (let l = 1; l <= L; l++) offs.push(offs[l - 1] + w[l] * w[l - 1]);
    const inputs: number[][] = [Array.from(x), ...pass.z.map((z) => z.map((v) => refSigma(arch.activation, v)))];
    let delta = gOut; // ∂ℒ/∂z of layer l (1-based l = L first)
    for (let l = L; l >= 1; l--) {
      const inp = inputs[l - 1];
      for (let r = 0; r < w[l]; r++) for (let q = 0; q < w[l - 1]; q++) g[offs[l - 1] + r * w[l - 1] + q] += delta[r] * inp[q];
      if (l === 1) break;
      const prev: number[] = [];
      for (let q = 0; q < w[l - 1]; q++) {
        let sum = 0;
        for (let r = 0; r < w[l]; r++) sum += delta[r] * theta[offs[l - 1] + r * w[l - 1] + q];
        prev.push(sum * refSigmaPrime(arch.activation, pass.z[l - 2][q]));
      }
      delta = prev;
    }
  }
  return g;
}

/** Signs of every pre-activation of every sample (to detect a finite-difference stencil crossing a kink). */
export function activationPattern(arch: Architecture, theta: ArrayLike<number>, X: number[][]): string {
  let out = "";
  for (const x of X) for (const z of refForward(arch, theta, x).z) for (const v of z) out += v > 0 ? "+" : "-";
  return out;
}

/** 8th-order central difference weights for offsets ±1…±4 (times h⁻¹). */
const FD8 = [4 / 5, -1 / 5, 4 / 105, -1 / 280];

/** φ′(0) ≈ Σ_s w_s (φ(s·h) − φ(−s·h)) / h, error O(h⁸) for smooth φ. */
export function fd8(phi: (t: number) => number, h: number): number {
  let s = 0;
  for (let q = 1; q <= 4; q++) s += FD8[q - 1] * (phi(q * h) - phi(-q * h));
  return s / h;
}

/** The same for a vector-valued φ. */
export function fd8Vec(phi: (t: number) => Float64Array, h: number): Float64Array {
  let out: Float64Array | null = null;
  for (let q = 1; q <= 4; q++) {
    const p = phi(q * h);
    const m = phi(-q * h);
    out ??= new Float64Array(p.length);
    for (let t = 0; t < p.length; t++) out[t] += (FD8[q - 1] * (p[t] - m[t])) / h;
  }
  return out!;
}

/** Deterministic uniform numbers in [−1, 1) (a small LCG; tests only need reproducible data). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296) * 2 - 1;
  };
}

/** Max |a_t − b_t|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let t = 0; t < a.length; t++) m = Math.max(m, Math.abs(a[t] - b[t]));
  return m;
}

/** Max |a_t|. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let t = 0; t < a.length; t++) m = Math.max(m, Math.abs(a[t]));
  return m;
}
