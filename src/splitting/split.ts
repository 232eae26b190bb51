/**
 * The splitting map T of the KKT-point embedding principle (arXiv 2505.12419, "Embedding
 * principle of homogeneous neural network for classification problem") and the copy-and-divide
 * embedding of Zhang et al. 2021 ("Embedding principle of loss landscape of deep neural
 * networks"), as EmbeddingMaps.
 *
 * Unit j of hidden layer l (rows of W_l, l = 1 for a two-layer net) becomes K copies; the first
 * copy stays at j, copies 2..K are appended after the last unit of the layer (INTERFACES.md).
 *   splitting:        copy i gets (c_i · incoming weights, c_i · outgoing weights), c_i ≥ 0, Σc_i² = 1
 *   copy-and-divide:  copy i gets (incoming weights, λ_i · outgoing weights), Σλ_i = 1
 * Two-layer: incoming = row j of W and b_j (when present), outgoing = row j of a; the output
 * bias c is unchanged. MLP: incoming = row j of W_l, outgoing = column j of W_{l+1}.
 * Conv (channel.ts): the unit is output channel j of conv layer l; incoming = its filter,
 * outgoing = the next conv's input slice j, or the head's columns of channel j.
 */
import { InputError } from "../common/errors.js";
import type { Architecture } from "../model/index.js";
import {
  convLayerChannels,
  describeArchitecture,
  hiddenLayers,
  mlpArchitecture,
  mlpLayerOffsets,
  paramCount,
  twoLayerArchitecture,
  twoLayerLayout,
} from "../model/index.js";
import { unsupportedArchitecture } from "../model/architecture.js";
import { channelEmbedding } from "./channel.js";
import type { EmbeddingMap } from "./embeddingMap.js";

/** Default tolerance on |Σc_i² − 1| (splitting) and |Σλ_i − 1| (copy-and-divide). */
export const SPLIT_COEFF_TOL = 1e-12;

/** Which unit to split: hidden layer (1-based; 1 for two-layer) and unit (0-based row). */
export interface UnitRef {
  readonly layer?: number;
  readonly unit: number;
}

export interface SplitOptions {
  /** Tolerance on |Σc² − 1| (default SPLIT_COEFF_TOL). */
  readonly tol?: number;
  /** Accept negative coefficients (negative controls only: function preservation then fails). */
  readonly allowNegative?: boolean;
  /** Accept Σc² ≠ 1 (controls only: T is then not an isometry). */
  readonly allowUnnormalized?: boolean;
  /** Names the source in error messages (e.g. "--coeffs"). */
  readonly source?: string;
  /** Names of the layer and unit in error messages (default "layer", "unit"; the CLI: "--layer", "--unit"). */
  readonly refNames?: { readonly layer: string; readonly unit: string };
}

/** Per wide unit of the split layer: the narrow unit it copies and its incoming/outgoing factors. */
interface UnitPlan {
  readonly src: Int32Array;
  readonly inScale: Float64Array;
  readonly outScale: Float64Array;
}

/**
 * Units of hidden layer `layer` (1-based; channels of a conv stage) of an architecture splitting
 * covers; the parallel three-layer net is an InputError (unsupportedArchitecture).
 *
 * @param arch - a two-layer, MLP or conv architecture
 * @param layer - hidden layer, 1-based (1 for a two-layer network; a conv layer's index for conv)
 * @returns its number of units (channels for a conv layer)
 * @example
 * ```ts
 * import { hiddenLayerWidth, makeActivation, mlpArchitecture } from "splitscape";
 * console.log(hiddenLayerWidth(mlpArchitecture([2, 8, 5, 1], makeActivation("relu")), 2)); // 5
 * ```
 */
export function hiddenLayerWidth(arch: Architecture, layer: number): number {
  if (arch.kind === "parallel-three-layer") throw unsupportedArchitecture(arch, "neuron splitting");
  return arch.kind === "two-layer" ? arch.m : arch.kind === "conv" ? convLayerChannels(arch, layer) : arch.widths[layer];
}

/** Width of hidden layer `layer` (1-based), with range checks (InputError). */
function layerWidth(arch: Architecture, ref: UnitRef, names: { layer: string; unit: string } = { layer: "layer", unit: "unit" }): { layer: number; width: number } {
  const layer = ref.layer ?? 1;
  const h = hiddenLayers(arch);
  if (!Number.isInteger(layer) || layer < 1 || layer > h) {
    throw new InputError(names.layer, `layer ${layer} is out of range: the ${describeArchitecture(arch)} network has hidden layers 1..${h}`);
  }
  const width = hiddenLayerWidth(arch, layer);
  if (!Number.isInteger(ref.unit) || ref.unit < 0 || ref.unit >= width) {
    throw new InputError(names.unit, `unit ${ref.unit} is out of range: hidden layer ${layer} has units 0..${width - 1}`);
  }
  return { layer, width };
}

function plan(width: number, unit: number, inFactors: readonly number[], outFactors: readonly number[]): UnitPlan {
  const K = inFactors.length;
  const w2 = width + K - 1;
  const src = new Int32Array(w2);
  const inScale = new Float64Array(w2).fill(1);
  const outScale = new Float64Array(w2).fill(1);
  for (let u = 0; u < width; u++) src[u] = u;
  for (let i = 0; i < K; i++) {
    const u = i === 0 ? unit : width + i - 1;
    src[u] = unit;
    inScale[u] = inFactors[i];
    outScale[u] = outFactors[i];
  }
  return { src, inScale, outScale };
}

/** Build the map from a unit plan for one hidden layer. */
function buildMap(arch: Architecture, layer: number, P: UnitPlan): EmbeddingMap {
  if (arch.kind === "conv") return channelEmbedding(arch, layer, P);
  const w2 = P.src.length;
  if (arch.kind === "two-layer") {
    const to = twoLayerArchitecture({ d: arch.d, m: w2, k: arch.k, activation: arch.activation, inputBias: arch.inputBias, outputBias: arch.outputBias });
    const A = twoLayerLayout(arch);
    const B = twoLayerLayout(to);
    const { d, k } = arch;
    const source = new Int32Array(B.size);
    const scale = new Float64Array(B.size);
    for (let u = 0; u < w2; u++) {
      const s = P.src[u];
      for (let i = 0; i < d; i++) { source[B.W + u * d + i] = A.W + s * d + i; scale[B.W + u * d + i] = P.inScale[u]; }
      for (let c = 0; c < k; c++) { source[B.a + u * k + c] = A.a + s * k + c; scale[B.a + u * k + c] = P.outScale[u]; }
      if (B.b >= 0) { source[B.b + u] = A.b + s; scale[B.b + u] = P.inScale[u]; }
    }
    if (B.c >= 0) for (let c = 0; c < k; c++) { source[B.c + c] = A.c + c; scale[B.c + c] = 1; }
    return { from: arch, to, source, scale };
  }
  if (arch.kind === "parallel-three-layer") throw unsupportedArchitecture(arch, "neuron splitting");
  const widths = arch.widths.slice();
  widths[layer] = w2;
  const to = mlpArchitecture(widths, arch.activation);
  const offA = mlpLayerOffsets(arch);
  const offB = mlpLayerOffsets(to);
  const source = new Int32Array(paramCount(to));
  const scale = new Float64Array(source.length);
  for (let l = 1; l < widths.length; l++) {
    const rows2 = widths[l];
    const cols2 = widths[l - 1];
    const colsA = arch.widths[l - 1];
    for (let r = 0; r < rows2; r++) {
      const rs = l === layer ? P.src[r] : r;
      const rf = l === layer ? P.inScale[r] : 1;
      for (let s = 0; s < cols2; s++) {
        const cs = l === layer + 1 ? P.src[s] : s;
        const cf = l === layer + 1 ? P.outScale[s] : 1;
        source[offB[l - 1] + r * cols2 + s] = offA[l - 1] + rs * colsA + cs;
        scale[offB[l - 1] + r * cols2 + s] = rf * cf;
      }
    }
  }
  return { from: arch, to, source, scale };
}

/** InputError unless every coefficient is finite (and ≥ 0 unless allowed). */
function checkFinite(coeffs: readonly number[], source: string): void {
  if (coeffs.length < 1) throw new InputError(source, "needs at least one coefficient");
  coeffs.forEach((c, i) => {
    if (!Number.isFinite(c)) throw new InputError(source, `coefficient ${i + 1} is not a finite number (got ${c})`);
  });
}

/**
 * Validate splitting coefficients: c_i ≥ 0 and |Σc_i² − 1| ≤ tol (InputError naming the rule,
 * the value and the tolerance).
 *
 * @param coeffs - c_1, …, c_K
 * @param opts - `tol` on |Σc_i² − 1|, `allowNegative` / `allowUnnormalized` for controls, `source` naming the input in errors
 * @returns nothing; throws an InputError when a rule fails
 * @example
 * ```ts
 * import { checkSplitCoefficients } from "splitscape";
 * checkSplitCoefficients([0.6, 0.8]); // fine
 * try { checkSplitCoefficients([0.5, 0.5]); } catch (e) { console.log((e as Error).message); } // Σc_i² = 0.5 must equal 1 …
 * ```
 */
export function checkSplitCoefficients(coeffs: readonly number[], opts: SplitOptions = {}): void {
  const source = opts.source ?? "coeffs";
  checkFinite(coeffs, source);
  if (!opts.allowNegative) {
    const i = coeffs.findIndex((c) => c < 0);
    if (i >= 0) throw new InputError(source, `coefficient ${i + 1} is ${coeffs[i]}: splitting coefficients must be ≥ 0 (a negative c_i flips the sign of a ReLU pre-activation and breaks function preservation)`);
  }
  if (!opts.allowUnnormalized) {
    const tol = opts.tol ?? SPLIT_COEFF_TOL;
    const s2 = coeffs.reduce((s, c) => s + c * c, 0);
    if (!(Math.abs(s2 - 1) <= tol)) {
      throw new InputError(source, `Σc_i² = ${s2} must equal 1 within the tolerance ${tol} (|Σc_i² − 1| = ${Math.abs(s2 - 1).toExponential(3)}); e.g. 0.6,0.8 or 0.7071067811865476,0.7071067811865476`);
    }
  }
}

/**
 * The splitting map T (arXiv 2505.12419, §"splitting map"): unit j of hidden layer l becomes K
 * copies, copy i carrying c_i times the unit's incoming and outgoing weights,
 *   W'^(l) = S W^(l),  W'^(l+1) = W^(l+1) Sᵀ,  S = [e_j-row replaced by c_1 e_jᵀ; appended rows c_i e_jᵀ],
 * so that TᵀT = I (Σc_i² = 1) and, for σ(z) = a·max(z,0) + b·min(z,0), Φ̃(Tθ; x) = Φ(θ; x) and
 * ∇Φ̃(Tθ; x) = T∇Φ(θ; x). Coefficients are validated (checkSplitCoefficients).
 *
 * @param arch - the narrow architecture (two-layer, MLP or conv)
 * @param ref - the unit: `{ unit }` (hidden layer 1) or `{ layer, unit }`, 1-based layer, 0-based unit
 * @param coeffs - c_1, …, c_K ≥ 0 with Σc_i² = 1 (K copies)
 * @param opts - tolerance, negative/unnormalised controls, names for error messages
 * @returns the map T from `arch` to the architecture one layer K − 1 units wider
 * @example
 * ```ts
 * import { initializeModel, isometryDefect, makeActivation, mlpArchitecture, splitMap } from "splitscape";
 * const net = initializeModel(mlpArchitecture([2, 4, 3, 1], makeActivation("relu")), { seed: 3 });
 * const T = splitMap(net.arch, { layer: 2, unit: 1 }, [0.6, 0.8]);
 * console.log(T.to.kind === "mlp" && T.to.widths, isometryDefect(T)); // [2, 4, 4, 1], 0 up to rounding
 * ```
 */
export function splitMap(arch: Architecture, ref: UnitRef, coeffs: readonly number[], opts: SplitOptions = {}): EmbeddingMap {
  const source = opts.source ?? "coeffs";
  const { layer, width } = layerWidth(arch, ref, opts.refNames);
  checkSplitCoefficients(coeffs, { ...opts, source });
  return buildMap(arch, layer, plan(width, ref.unit, coeffs, coeffs));
}

/**
 * The copy-and-divide embedding of Zhang et al. 2021: copy i of unit j keeps its incoming
 * weights w_j (and b_j) and gets λ_i times the outgoing weights, Σλ_i = 1 (two copies:
 * λ = (α, 1 − α)). Preserves the function for ANY activation and maps critical points to
 * critical points, but is not an isometry (TᵀT ≠ I) and does not map gradient-flow trajectories.
 *
 * @param arch - the narrow architecture (two-layer, MLP or conv)
 * @param ref - the unit: `{ unit }` (hidden layer 1) or `{ layer, unit }`
 * @param lambdas - λ_1, …, λ_K with Σλ_i = 1 (checked within `opts.tol`)
 * @param opts - tolerance and names for error messages
 * @returns the map T from `arch` to the architecture with K − 1 more units
 * @example
 * ```ts
 * import { copyDivideMap, functionPreservation, initializeModel, makeActivation, randomInputs, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("tanh") }), { seed: 3 });
 * const T = copyDivideMap(net.arch, { unit: 0 }, [0.3, 0.7]);
 * console.log(functionPreservation(T, net, randomInputs(T, 16, 0)).relative); // ~1e-16, for any σ
 * ```
 */
export function copyDivideMap(arch: Architecture, ref: UnitRef, lambdas: readonly number[], opts: Pick<SplitOptions, "tol" | "source" | "refNames"> = {}): EmbeddingMap {
  const source = opts.source ?? "lambdas";
  const { layer, width } = layerWidth(arch, ref, opts.refNames);
  checkFinite(lambdas, source);
  const tol = opts.tol ?? SPLIT_COEFF_TOL;
  const s = lambdas.reduce((t, c) => t + c, 0);
  if (!(Math.abs(s - 1) <= tol)) throw new InputError(source, `Σλ_i = ${s} must equal 1 within the tolerance ${tol}`);
  return buildMap(arch, layer, plan(width, ref.unit, lambdas.map(() => 1), lambdas));
}

/** The S matrix of a split of hidden layer l, (h_l + K − 1) × h_l with one entry per row: W'^(l) = S·W^(l) (up to the incoming factors). */
export interface SplitMatrices {
  /** Incoming factor matrix: W'^(l) = S_in W^(l). */
  readonly Sin: { rows: number; cols: number; data: Float64Array };
  /** Outgoing factor matrix: W'^(l+1) = W^(l+1) S_outᵀ. For the splitting map S_in = S_out = S with SᵀS = I. */
  readonly Sout: { rows: number; cols: number; data: Float64Array };
}

/**
 * The matrix form of a unit split (docs/science/embedding.md §3.2: W'^(l) = S W^(l), W'^(l+1) = W^(l+1) Sᵀ), read
 * off an EmbeddingMap built by splitMap or copyDivideMap for `layer`.
 *
 * @param T - a unit split of a two-layer network or MLP (`splitMap`, `copyDivideMap`)
 * @param layer - the split hidden layer, 1-based (default 1)
 * @returns S_in and S_out, each (h_l + K − 1) × h_l row-major
 * @example
 * ```ts
 * import { initializeModel, makeActivation, splitMap, splitMatrices, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 2, activation: makeActivation("relu") }), { seed: 1 });
 * const { Sin } = splitMatrices(splitMap(net.arch, { unit: 0 }, [0.6, 0.8]));
 * console.log(Sin.rows, Sin.cols, Array.from(Sin.data)); // 3 2 [0.6, 0, 0, 1, 0.8, 0]
 * ```
 */
export function splitMatrices(T: EmbeddingMap, layer = 1): SplitMatrices {
  if (T.from.kind === "parallel-three-layer" || T.to.kind === "parallel-three-layer") throw unsupportedArchitecture(T.from, "neuron splitting");
  if (T.from.kind === "conv" || T.to.kind === "conv") throw new RangeError("splitMatrices: unit splits of two-layer networks and MLPs only (a conv channel split is not one S per layer)");
  const h = T.from.kind === "two-layer" ? T.from.m : T.from.widths[layer];
  const h2 = T.to.kind === "two-layer" ? T.to.m : T.to.widths[layer];
  const Sin = new Float64Array(h2 * h);
  const Sout = new Float64Array(h2 * h);
  if (T.from.kind === "two-layer" && T.to.kind === "two-layer") {
    const A = twoLayerLayout(T.from);
    const B = twoLayerLayout(T.to);
    for (let u = 0; u < h2; u++) {
      const iw = B.W + u * T.to.d;
      const src = Math.floor((T.source[iw] - A.W) / T.from.d);
      Sin[u * h + src] = T.scale[iw];
      Sout[u * h + src] = T.scale[B.a + u * T.to.k];
    }
  } else if (T.from.kind === "mlp" && T.to.kind === "mlp") {
    const offA = mlpLayerOffsets(T.from);
    const offB = mlpLayerOffsets(T.to);
    const colsA = T.from.widths[layer - 1];
    const colsB = T.to.widths[layer - 1];
    const hA = T.from.widths[layer];
    for (let u = 0; u < h2; u++) {
      const iw = offB[layer - 1] + u * colsB;
      const src = Math.floor((T.source[iw] - offA[layer - 1]) / colsA);
      Sin[u * h + src] = T.scale[iw];
      const io = offB[layer] + u; // row 0, column u of W_{l+1}
      const srcO = (T.source[io] - offA[layer]) % hA;
      Sout[u * h + srcO] = T.scale[io];
    }
  }
  return { Sin: { rows: h2, cols: h, data: Sin }, Sout: { rows: h2, cols: h, data: Sout } };
}
