/**
 * Network architectures and THE parameter layout (INTERFACES.md, "Parameter vector"). Every
 * module reads θ through the offsets defined here and nowhere else.
 *
 *   two-layer  f(x) = Σ_j a_j σ(w_jᵀx + b_j) (+ c),  x ∈ ℝ^d, m hidden units, k outputs:
 *              θ = [ W (m×d, row-major) | a (m×k, row-major; m entries when k = 1) | b (m)? | c (k)? ]
 *   mlp        f(x) = W_L σ(… σ(W_1 x)),  widths [d, h_1, …, h_{L−1}, out], no biases:
 *              θ = [ W_1 (h_1×d) | W_2 (h_2×h_1) | … | W_L (out×h_{L−1}) ], each row-major.
 *   parallel-three-layer
 *              f(x) = Σ_{j<m} a_j σ(Σ_{k<m1} w_{2jk} σ(w_{1jk}ᵀx)),  m blocks of m1 first-layer units,
 *              scalar output, no biases (docs/science/convex.md §8.2):
 *              θ = [ W1 ((m·m1)×d, row j·m1 + k = w_{1jk}) | W2 (m×m1, row j = w_{2j}) | a (m) ].
 *   conv       x (C₀×H₀×W₀, PyTorch's C,H,W order) → conv K_1 → σ → [avgpool] → … → flatten → W x̃,
 *              no biases (conv/architecture.ts):
 *              θ = [ K_1 (out_ch×in_ch×kh×kw) | … | K_h | W (out × features) ], each row-major —
 *              PyTorch's Conv2d/Conv1d.weight order (1-D: out×in×k), so a state_dict maps without
 *              transposes; features are flattened in PyTorch's C,H,W order.
 */
import { InputError } from "../common/errors.js";
import type { Activation } from "./activations.js";
import { activationHomogeneity, formatActivation, sameActivation } from "./activations.js";
import type { ConvArchitecture } from "./conv/architecture.js";
import {
  convGeometry, convHiddenLayers, convHomogeneityOrder, convInputDim, convParameterLabels, describeConv, sameConvArchitecture,
} from "./conv/architecture.js";

/** f(x) = Σ_j a_j σ(w_jᵀx + b_j) (+ c) with m hidden units and k outputs (a_j ∈ ℝ^k). */
export interface TwoLayerArchitecture {
  readonly kind: "two-layer";
  /** Input dimension. */
  readonly d: number;
  /** Hidden units. */
  readonly m: number;
  /** Outputs (1 = scalar output). */
  readonly k: number;
  readonly activation: Activation;
  /** Input biases b ∈ ℝ^m present. */
  readonly inputBias: boolean;
  /** Output bias c ∈ ℝ^k present. */
  readonly outputBias: boolean;
}

/** Bias-free deep network f(x) = W_L σ(… σ(W_1 x)) with widths [d, h_1, …, out] (L = widths.length − 1 layers). */
export interface MlpArchitecture {
  readonly kind: "mlp";
  readonly widths: readonly number[];
  readonly activation: Activation;
}

/**
 * Parallel three-layer network f(x) = Σ_j a_j σ(Σ_k w_{2jk} σ(w_{1jk}ᵀx)): m blocks, each a
 * two-layer network of m1 units feeding one second-layer unit; scalar output, no biases. It is
 * the MLP d → m·m1 → m → 1 whose second layer is block diagonal (parallelThreeLayer.ts).
 */
export interface ParallelThreeLayerArchitecture {
  readonly kind: "parallel-three-layer";
  /** Input dimension. */
  readonly d: number;
  /** Blocks (second-layer units). */
  readonly m: number;
  /** First-layer units per block. */
  readonly m1: number;
  readonly activation: Activation;
}

export type Architecture = TwoLayerArchitecture | MlpArchitecture | ParallelThreeLayerArchitecture | ConvArchitecture;

/** A network: an architecture and its flat parameter vector θ (layout above). */
export interface Model {
  readonly arch: Architecture;
  readonly theta: Float64Array;
}

/** Offsets of W1, W2, a in θ for a parallel three-layer network. */
export interface ParallelThreeLayerLayout {
  readonly W1: number;
  readonly W2: number;
  readonly a: number;
  /** p = total parameter count. */
  readonly size: number;
}

/** Offsets of the blocks of θ for a two-layer network; b, c are −1 when absent. */
export interface TwoLayerLayout {
  readonly W: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  /** p = total parameter count. */
  readonly size: number;
}

/** Views (no copies) of the blocks of θ for a two-layer network. */
export interface TwoLayerParts {
  /** m×d row-major. */
  readonly W: Float64Array;
  /** m×k row-major. */
  readonly a: Float64Array;
  readonly b: Float64Array | null;
  readonly c: Float64Array | null;
}

function checkCount(what: string, v: number): void {
  if (!(Number.isSafeInteger(v) && v >= 1)) throw new RangeError(`${what} must be a positive integer, got ${v}`);
}

/**
 * A two-layer architecture (k defaults to 1, biases to absent); RangeError on bad sizes.
 *
 * @param opts - input dimension `d`, width `m`, `activation`, and optionally outputs `k` and `bias`
 * @returns the architecture of f(x) = Σ_j a_j σ(w_jᵀx (+ b_j)) (+ c)
 * @example
 * ```ts
 * import { makeActivation, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") });
 * console.log(arch.kind); // "two-layer"
 * ```
 */
export function twoLayerArchitecture(opts: {
  d: number; m: number; k?: number; activation: Activation; inputBias?: boolean; outputBias?: boolean;
}): TwoLayerArchitecture {
  const k = opts.k ?? 1;
  checkCount("two-layer: d", opts.d);
  checkCount("two-layer: m", opts.m);
  checkCount("two-layer: k", k);
  return {
    kind: "two-layer", d: opts.d, m: opts.m, k, activation: opts.activation,
    inputBias: opts.inputBias ?? false, outputBias: opts.outputBias ?? false,
  };
}

/**
 * A bias-free MLP with widths [d, h_1, …, out] (at least [d, out]); RangeError on bad widths.
 *
 * @param widths - layer widths [d, h_1, …, h_{L−1}, out], positive integers, at least two entries
 * @param activation - σ of the hidden layers (makeActivation)
 * @returns the architecture of f(x) = W_L σ(… σ(W_1 x)), θ laid out as [W_1 | … | W_L]
 * @example
 * ```ts
 * import { makeActivation, mlpArchitecture, paramCount } from "splitscape";
 * const arch = mlpArchitecture([2, 4, 3, 1], makeActivation("relu"));
 * console.log(paramCount(arch)); // 8 + 12 + 3 = 23
 * ```
 */
export function mlpArchitecture(widths: readonly number[], activation: Activation): MlpArchitecture {
  if (widths.length < 2) throw new RangeError(`mlp: widths needs at least [d, out], got [${widths.join(", ")}]`);
  widths.forEach((w, i) => checkCount(`mlp: widths[${i}]`, w));
  return { kind: "mlp", widths: widths.slice(), activation };
}

/**
 * A parallel three-layer architecture; RangeError on bad sizes.
 *
 * @param opts - input dimension `d`, number of blocks `m`, first-layer units per block `m1` (positive integers) and `activation`
 * @returns the architecture of f(x) = Σ_j a_j σ(Σ_k w_{2jk} σ(w_{1jk}ᵀx))
 * @example
 * ```ts
 * import { makeActivation, parallelThreeLayerArchitecture, paramCount } from "splitscape";
 * const arch = parallelThreeLayerArchitecture({ d: 3, m: 2, m1: 4, activation: makeActivation("relu") });
 * console.log(paramCount(arch)); // 2·4·3 + 2·4 + 2 = 34
 * ```
 */
export function parallelThreeLayerArchitecture(opts: { d: number; m: number; m1: number; activation: Activation }): ParallelThreeLayerArchitecture {
  checkCount("parallel-three-layer: d", opts.d);
  checkCount("parallel-three-layer: m", opts.m);
  checkCount("parallel-three-layer: m1", opts.m1);
  return { kind: "parallel-three-layer", d: opts.d, m: opts.m, m1: opts.m1, activation: opts.activation };
}

/**
 * Offsets of W1, W2, a in θ for a parallel three-layer network.
 *
 * @param arch - a parallel three-layer architecture
 * @returns the start offsets of W1, W2 and a in θ, and the parameter count `size`
 * @example
 * ```ts
 * import { makeActivation, parallelThreeLayerArchitecture, parallelThreeLayerLayout } from "splitscape";
 * const L = parallelThreeLayerLayout(parallelThreeLayerArchitecture({ d: 3, m: 2, m1: 4, activation: makeActivation("relu") }));
 * console.log(L.W2, L.a, L.size); // 24 32 34
 * ```
 */
export function parallelThreeLayerLayout(arch: ParallelThreeLayerArchitecture): ParallelThreeLayerLayout {
  const { d, m, m1 } = arch;
  const W2 = m * m1 * d;
  const a = W2 + m * m1;
  return { W1: 0, W2, a, size: a + m };
}

/**
 * Views (no copies) of W1 ((m·m1)×d), W2 (m×m1) and a (m) inside θ.
 *
 * @param arch - a parallel three-layer architecture
 * @param theta - its parameter vector (RangeError unless it has paramCount(arch) entries)
 * @returns subarray views W1, W2, a of θ (writing to them changes θ)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, parallelThreeLayerArchitecture, parallelThreeLayerParts } from "splitscape";
 * const arch = parallelThreeLayerArchitecture({ d: 3, m: 2, m1: 4, activation: makeActivation("relu") });
 * const { theta } = initializeModel(arch, { seed: 1 });
 * const { W2 } = parallelThreeLayerParts(arch, theta);
 * console.log(W2.length); // 8 = m·m1
 * ```
 */
export function parallelThreeLayerParts(arch: ParallelThreeLayerArchitecture, theta: Float64Array): { W1: Float64Array; W2: Float64Array; a: Float64Array } {
  checkTheta(arch, theta);
  const L = parallelThreeLayerLayout(arch);
  return { W1: theta.subarray(L.W1, L.W2), W2: theta.subarray(L.W2, L.a), a: theta.subarray(L.a, L.size) };
}

/**
 * Offsets of W, a, b, c in θ for a two-layer network.
 *
 * @param arch - a two-layer architecture
 * @returns the start offsets of W, a, b, c in θ (−1 for an absent bias) and the parameter count `size`
 * @example
 * ```ts
 * import { makeActivation, twoLayerArchitecture, twoLayerLayout } from "splitscape";
 * const L = twoLayerLayout(twoLayerArchitecture({ d: 2, m: 5, activation: makeActivation("relu"), inputBias: true }));
 * console.log(L.a, L.b, L.c, L.size); // 10 15 -1 20
 * ```
 */
export function twoLayerLayout(arch: TwoLayerArchitecture): TwoLayerLayout {
  const { d, m, k } = arch;
  const W = 0;
  const a = m * d;
  let next = a + m * k;
  const b = arch.inputBias ? next : -1;
  if (arch.inputBias) next += m;
  const c = arch.outputBias ? next : -1;
  if (arch.outputBias) next += k;
  return { W, a, b, c, size: next };
}

/**
 * Offsets of W_1, …, W_L in θ for an MLP, followed by p (L + 1 entries).
 *
 * @param arch - an MLP architecture
 * @returns the offsets (0, off_2, …, off_L, p): W_l occupies θ[off_l, off_{l+1})
 * @example
 * ```ts
 * import { makeActivation, mlpArchitecture, mlpLayerOffsets } from "splitscape";
 * console.log(mlpLayerOffsets(mlpArchitecture([2, 4, 1], makeActivation("relu")))); // [0, 8, 12]
 * ```
 */
export function mlpLayerOffsets(arch: MlpArchitecture): number[] {
  const off = [0];
  for (let l = 1; l < arch.widths.length; l++) off.push(off[l - 1] + arch.widths[l] * arch.widths[l - 1]);
  return off;
}

/**
 * Number of parameters p = dim θ.
 *
 * @param arch - any architecture
 * @returns p, the length θ must have
 * @example
 * ```ts
 * import { makeActivation, paramCount, twoLayerArchitecture } from "splitscape";
 * console.log(paramCount(twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("relu") }))); // 18
 * ```
 */
export function paramCount(arch: Architecture): number {
  if (arch.kind === "conv") return convGeometry(arch).size;
  if (arch.kind === "two-layer") return twoLayerLayout(arch).size;
  if (arch.kind === "parallel-three-layer") return parallelThreeLayerLayout(arch).size;
  const off = mlpLayerOffsets(arch);
  return off[off.length - 1];
}

/**
 * Input dimension d.
 *
 * @param arch - any architecture
 * @returns d, the length of one input row (C₀·H₀·W₀ for a conv net)
 * @example
 * ```ts
 * import { inputDim, makeActivation, mlpArchitecture } from "splitscape";
 * console.log(inputDim(mlpArchitecture([3, 5, 1], makeActivation("tanh")))); // 3
 * ```
 */
export function inputDim(arch: Architecture): number {
  if (arch.kind === "conv") return convInputDim(arch);
  return arch.kind === "mlp" ? arch.widths[0] : arch.d;
}

/**
 * Output dimension k.
 *
 * @param arch - any architecture
 * @returns k, the number of outputs per sample
 * @example
 * ```ts
 * import { makeActivation, outputDim, twoLayerArchitecture } from "splitscape";
 * console.log(outputDim(twoLayerArchitecture({ d: 2, m: 6, k: 3, activation: makeActivation("relu") }))); // 3
 * ```
 */
export function outputDim(arch: Architecture): number {
  if (arch.kind === "conv") return arch.outputs;
  if (arch.kind === "parallel-three-layer") return 1;
  return arch.kind === "two-layer" ? arch.k : arch.widths[arch.widths.length - 1];
}

/**
 * Number of hidden layers: 1 for two-layer, 2 for parallel three-layer, widths.length − 2 for an MLP, the conv stages of a conv net.
 *
 * @param arch - any architecture
 * @returns the number of hidden (activation) layers
 * @example
 * ```ts
 * import { hiddenLayers, makeActivation, mlpArchitecture } from "splitscape";
 * console.log(hiddenLayers(mlpArchitecture([2, 4, 4, 1], makeActivation("relu")))); // 2
 * ```
 */
export function hiddenLayers(arch: Architecture): number {
  if (arch.kind === "conv") return convHiddenLayers(arch);
  if (arch.kind === "parallel-three-layer") return 2;
  return arch.kind === "two-layer" ? 1 : arch.widths.length - 2;
}

/**
 * RangeError unless θ has exactly paramCount(arch) entries.
 *
 * @param arch - any architecture
 * @param theta - a candidate parameter vector
 * @example
 * ```ts
 * import { checkTheta, makeActivation, twoLayerArchitecture } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") });
 * checkTheta(arch, new Float64Array(9)); // fine; a length other than 9 throws RangeError
 * ```
 */
export function checkTheta(arch: Architecture, theta: Float64Array): void {
  const p = paramCount(arch);
  if (theta.length !== p) throw new RangeError(`θ has ${theta.length} entries, the ${describeArchitecture(arch)} network has ${p} parameters`);
}

/**
 * Views of W, a, b, c inside θ (writes through them change θ).
 *
 * @param arch - a two-layer architecture
 * @param theta - its parameter vector (RangeError unless it has paramCount(arch) entries)
 * @returns subarray views W (m×d), a (m×k), b and c (null when absent)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, twoLayerArchitecture, twoLayerParts } from "splitscape";
 * const arch = twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") });
 * const { theta } = initializeModel(arch, { seed: 1 });
 * const { W, a } = twoLayerParts(arch, theta);
 * a.fill(1); // writes through to theta
 * console.log(W.length, theta[6]); // 6 1
 * ```
 */
export function twoLayerParts(arch: TwoLayerArchitecture, theta: Float64Array): TwoLayerParts {
  checkTheta(arch, theta);
  const L = twoLayerLayout(arch);
  const { m, d, k } = arch;
  return {
    W: theta.subarray(L.W, L.W + m * d),
    a: theta.subarray(L.a, L.a + m * k),
    b: L.b >= 0 ? theta.subarray(L.b, L.b + m) : null,
    c: L.c >= 0 ? theta.subarray(L.c, L.c + k) : null,
  };
}

/**
 * Views of W_1, …, W_L inside θ; W_l is widths[l]×widths[l−1] row-major.
 *
 * @param arch - an MLP architecture
 * @param theta - its parameter vector (RangeError unless it has paramCount(arch) entries)
 * @returns subarray views W_1, …, W_L of θ, each row-major widths[l]×widths[l−1]
 * @example
 * ```ts
 * import { initializeModel, makeActivation, mlpArchitecture, mlpWeights } from "splitscape";
 * const arch = mlpArchitecture([2, 4, 1], makeActivation("relu"));
 * const [W1, W2] = mlpWeights(arch, initializeModel(arch, { seed: 1 }).theta);
 * console.log(W1.length, W2.length); // 8 4
 * ```
 */
export function mlpWeights(arch: MlpArchitecture, theta: Float64Array): Float64Array[] {
  checkTheta(arch, theta);
  const off = mlpLayerOffsets(arch);
  const out: Float64Array[] = [];
  for (let l = 0; l + 1 < off.length; l++) out.push(theta.subarray(off[l], off[l + 1]));
  return out;
}

/**
 * Order L of positive homogeneity in θ, Φ(cθ; x) = c^L Φ(θ; x) for c > 0, or null.
 * With σ homogeneous of degree p (σ(cz) = c^p σ(z)):
 *  - two-layer without output bias: L = p + 1 (an input bias b scales with θ, so it keeps the
 *    network homogeneous: a·σ(c(wᵀx + b))·c = c^{p+1}·aσ(wᵀx + b)); an output bias c breaks it → null;
 *  - mlp with h hidden layers: the pre-activation of layer l has degree e_l = 1 + p·e_{l−1}
 *    (e_1 = 1), so L = e_{h+1} = 1 + p + … + p^h (= h + 1 when p = 1);
 *  - parallel three-layer: as the MLP with two hidden layers it embeds into, L = 1 + p + p².
 * Null when σ is not positively homogeneous (tanh, sigmoid, …), except the linear map [d, out].
 *
 * @param arch - any architecture
 * @returns L with Φ(cθ) = c^L Φ(θ) for all c > 0, or null if the network is not positively homogeneous
 * @example
 * ```ts
 * import { homogeneityOrder, makeActivation, mlpArchitecture, twoLayerArchitecture } from "splitscape";
 * const relu = makeActivation("relu");
 * console.log(homogeneityOrder(twoLayerArchitecture({ d: 2, m: 4, activation: relu }))); // 2
 * console.log(homogeneityOrder(mlpArchitecture([2, 4, 4, 1], makeActivation("tanh")))); // null
 * ```
 */
export function homogeneityOrder(arch: Architecture): number | null {
  if (arch.kind === "conv") return convHomogeneityOrder(arch);
  if (arch.kind === "mlp" && hiddenLayers(arch) === 0) return 1; // f = W_1 x is linear whatever σ is
  const p = activationHomogeneity(arch.activation);
  if (p === null) return null;
  if (arch.kind === "two-layer") return arch.outputBias ? null : p + 1;
  if (arch.kind === "parallel-three-layer") return 1 + p + p * p;
  let e = 1;
  for (let l = 0; l < hiddenLayers(arch); l++) e = 1 + p * e;
  return e;
}

/**
 * Names of the entries of θ in order: "W[j,i]", "a[j]" (or "a[j,c]"), "b[j]", "c" / "c[c]"; MLP:
 * "W1[r,s]", …; parallel three-layer: "W1[j,k,i]", "W2[j,k]", "a[j]".
 *
 * @param arch - any architecture
 * @returns one label per entry of θ, in layout order (for tables and plots)
 * @example
 * ```ts
 * import { makeActivation, parameterLabels, twoLayerArchitecture } from "splitscape";
 * console.log(parameterLabels(twoLayerArchitecture({ d: 2, m: 2, activation: makeActivation("relu") })));
 * // ["W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "a[0]", "a[1]"]
 * ```
 */
export function parameterLabels(arch: Architecture): string[] {
  if (arch.kind === "conv") return convParameterLabels(arch);
  const out: string[] = [];
  if (arch.kind === "two-layer") {
    const { d, m, k } = arch;
    for (let j = 0; j < m; j++) for (let i = 0; i < d; i++) out.push(`W[${j},${i}]`);
    for (let j = 0; j < m; j++) for (let c = 0; c < k; c++) out.push(k === 1 ? `a[${j}]` : `a[${j},${c}]`);
    if (arch.inputBias) for (let j = 0; j < m; j++) out.push(`b[${j}]`);
    if (arch.outputBias) for (let c = 0; c < k; c++) out.push(k === 1 ? "c" : `c[${c}]`);
    return out;
  }
  if (arch.kind === "parallel-three-layer") {
    const { d, m, m1 } = arch;
    for (let j = 0; j < m; j++) for (let k = 0; k < m1; k++) for (let i = 0; i < d; i++) out.push(`W1[${j},${k},${i}]`);
    for (let j = 0; j < m; j++) for (let k = 0; k < m1; k++) out.push(`W2[${j},${k}]`);
    for (let j = 0; j < m; j++) out.push(`a[${j}]`);
    return out;
  }
  const w = arch.widths;
  for (let l = 1; l < w.length; l++) {
    for (let r = 0; r < w[l]; r++) for (let s = 0; s < w[l - 1]; s++) out.push(`W${l}[${r},${s}]`);
  }
  return out;
}

/**
 * Same kind, sizes, biases and activation.
 *
 * @param a - an architecture
 * @param b - another architecture
 * @returns true when θ of one is a valid parameter vector of the other with the same meaning
 * @example
 * ```ts
 * import { makeActivation, sameArchitecture, twoLayerArchitecture } from "splitscape";
 * const x = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") });
 * const y = twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("leaky_relu") });
 * console.log(sameArchitecture(x, x), sameArchitecture(x, y)); // true false
 * ```
 */
export function sameArchitecture(a: Architecture, b: Architecture): boolean {
  if (!sameActivation(a.activation, b.activation)) return false;
  if (a.kind === "two-layer" && b.kind === "two-layer") {
    return a.d === b.d && a.m === b.m && a.k === b.k && a.inputBias === b.inputBias && a.outputBias === b.outputBias;
  }
  if (a.kind === "mlp" && b.kind === "mlp") {
    return a.widths.length === b.widths.length && a.widths.every((w, i) => w === b.widths[i]);
  }
  if (a.kind === "parallel-three-layer" && b.kind === "parallel-three-layer") return a.d === b.d && a.m === b.m && a.m1 === b.m1;
  if (a.kind === "conv" && b.kind === "conv") return sameConvArchitecture(a, b);
  return false;
}

/**
 * Short description: "two-layer 2→20→1 relu (+b, +c)", "mlp 2→3→2→1 leaky_relu(0.01)",
 * "parallel-three-layer 6→2×3→1 relu" (m blocks × m1 units).
 *
 * @param arch - any architecture
 * @returns a one-line human-readable description
 * @example
 * ```ts
 * import { describeArchitecture, makeActivation, twoLayerArchitecture } from "splitscape";
 * console.log(describeArchitecture(twoLayerArchitecture({ d: 2, m: 20, activation: makeActivation("relu"), inputBias: true })));
 * // "two-layer 2→20→1 relu (+b)"
 * ```
 */
export function describeArchitecture(arch: Architecture): string {
  if (arch.kind === "conv") return describeConv(arch);
  const act = formatActivation(arch.activation);
  if (arch.kind === "two-layer") {
    const bias = [arch.inputBias ? "+b" : "", arch.outputBias ? "+c" : ""].filter(Boolean).join(", ");
    return `two-layer ${arch.d}→${arch.m}→${arch.k} ${act}${bias ? ` (${bias})` : ""}`;
  }
  if (arch.kind === "parallel-three-layer") return `parallel-three-layer ${arch.d}→${arch.m}×${arch.m1}→1 ${act}`;
  return `mlp ${arch.widths.join("→")} ${act}`;
}

/**
 * A model with θ = 0 of the given architecture.
 *
 * @param arch - any architecture
 * @returns `{ arch, theta }` with θ a fresh all-zero Float64Array of length paramCount(arch)
 * @example
 * ```ts
 * import { makeActivation, mlpArchitecture, zeroModel } from "splitscape";
 * const net = zeroModel(mlpArchitecture([2, 3, 1], makeActivation("relu")));
 * console.log(net.theta.length); // 9
 * ```
 */
export function zeroModel(arch: Architecture): Model {
  return { arch, theta: new Float64Array(paramCount(arch)) };
}

/**
 * The error of a feature that does not cover an architecture kind (splitting, margin and KKT
 * certificates on the parallel three-layer net; the features that refuse conv nets), naming the
 * kinds it covers: `if (arch.kind === "parallel-three-layer") throw unsupportedArchitecture(arch,
 * "…")` also narrows the type for the code that follows.
 */
export function unsupportedArchitecture(arch: Architecture, feature: string, covers = "two-layer, mlp and conv networks"): InputError {
  return new InputError("model", `${feature} is defined for ${covers}, got ${describeArchitecture(arch)}`, "kind");
}
