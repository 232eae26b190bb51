/**
 * Bias-free convolutional networks: the architecture record, its shapes and THE parameter
 * layout of the conv kind (INTERFACES.md, "Parameter vector").
 *
 *   x (C₀×H₀×W₀, one data row in PyTorch's C,H,W order)
 *     → stages: conv K_l (σ applied to its output) or avgpool (linear), in the listed order
 *     → flatten (C,H,W order) → head W (outputs × features)
 *   θ = [ K_1 | K_2 | … | W ], each conv weight (out_ch × in_ch × kh × kw) row-major — PyTorch's
 *   Conv2d.weight order, so a state_dict maps without transposes — then the head (out × features).
 *
 * A 1-D network (Conv1d / AvgPool1d, input C₀×L) is the 2-D network with height 1: kernel 1×k,
 * stride (1, s), padding (0, p); its weights (out × in × k) have the same memory order.
 * Output sizes follow PyTorch: ⌊(H + 2p − k)/s⌋ + 1 (dilation 1, floor mode); average pooling
 * divides by kh·kw also where the window covers padding (count_include_pad = True), so every
 * stage is exactly linear or σ, and Φ(cθ) = c^L Φ(θ) with L = (#conv + 1) for σ of degree 1.
 */
import type { Activation } from "../activations.js";
import { activationHomogeneity, formatActivation, sameActivation } from "../activations.js";

/**
 * Largest per-sample buffer (an activation tensor or a conv's im2col matrix, in float64 entries)
 * a network may need: 2^27 entries = 1 GiB. The kernels hold at least one sample's buffers.
 */
export const CONV_MAX_SAMPLE_ENTRIES = 2 ** 27;

/** A convolution stage (followed by σ): `channels` output channels, kernel/stride/padding as [h, w]. */
export interface ConvStage {
  readonly type: "conv";
  readonly channels: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

/** An average-pooling stage (linear, channel-wise; divisor kh·kw, zero padding included). */
export interface PoolStage {
  readonly type: "avgpool";
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

export type Stage = ConvStage | PoolStage;

/** Bias-free CNN: stages, then flatten and a linear head with `outputs` outputs. */
export interface ConvArchitecture {
  readonly kind: "conv";
  /** 1 (Conv1d: height 1) or 2 (Conv2d). */
  readonly dims: 1 | 2;
  /** Input channels C₀ and spatial size H₀ × W₀ (H₀ = 1 for dims = 1). */
  readonly input: { readonly channels: number; readonly height: number; readonly width: number };
  readonly stages: readonly Stage[];
  /** Outputs of the linear head. */
  readonly outputs: number;
  readonly activation: Activation;
}

/** A tensor shape C × H × W (per sample). */
export interface Shape3 {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** Shapes and θ offsets of one stage. */
export interface StageGeometry {
  readonly stage: Stage;
  readonly in: Shape3;
  readonly out: Shape3;
  /** Offset of the conv weight in θ (−1 for pooling). */
  readonly offset: number;
  /** Conv: weight entries out·in·kh·kw; pooling: 0. */
  readonly size: number;
  /** Conv: the 1-based hidden-layer number (counting conv stages); pooling: 0. */
  readonly layer: number;
}

/** Every stage's shapes and offsets, the flattened feature count and the head's offset. */
export interface ConvGeometry {
  readonly stages: readonly StageGeometry[];
  /** Indices into `stages` of the conv stages (hidden layer l is convStages[l − 1]). */
  readonly convStages: readonly number[];
  /** Shape after the last stage; features = C·H·W. */
  readonly last: Shape3;
  readonly features: number;
  readonly headOffset: number;
  /** p = dim θ. */
  readonly size: number;
}

/** One stage as given to `convArchitecture` (kernel/stride/padding: a number or [h, w]). */
export type StageSpec =
  | { type: "conv"; channels: number; kernel: number | readonly number[]; stride?: number | readonly number[]; padding?: number | readonly number[] }
  | { type: "avgpool"; kernel: number | readonly number[]; stride?: number | readonly number[]; padding?: number | readonly number[] };

function checkCount(what: string, v: number, min = 1): void {
  if (!(Number.isSafeInteger(v) && v >= min)) throw new RangeError(`conv: ${what} must be an integer ≥ ${min}, got ${v}`);
}

/** [h, w] from a number or a list of `dims` numbers (1-D: [1, v] / padding [0, v]). */
function pair(v: number | readonly number[], dims: 1 | 2, what: string, min: number, heightForOneD: number): [number, number] {
  const list = typeof v === "number" ? (dims === 1 ? [v] : [v, v]) : Array.from(v);
  if (list.length !== dims) throw new RangeError(`conv: ${what} needs ${dims} number${dims === 1 ? "" : "s"}, got [${list.join(", ")}]`);
  list.forEach((x) => checkCount(what, x, min));
  return dims === 1 ? [heightForOneD, list[0]] : [list[0], list[1]];
}

/** ⌊(n + 2p − k)/s⌋ + 1, or 0 when the window does not fit. */
function outSize(n: number, k: number, s: number, p: number): number {
  const span = n + 2 * p - k;
  return span < 0 ? 0 : Math.floor(span / s) + 1;
}

/**
 * A conv architecture; RangeError on bad sizes, on a stage whose window does not fit its input
 * (output size 0) and on pooling padding above half the kernel (PyTorch's rule).
 *
 * @param opts - `dims` (1 or 2), `input` ({ channels, height (2-D only), width }), `stages` (conv: channels, kernel, stride?, padding?; avgpool: kernel, stride?, padding?), `outputs` of the linear head and `activation`
 * @returns the architecture, its shapes validated
 * @example
 * ```ts
 * import { convArchitecture, describeArchitecture, makeActivation, paramCount } from "splitscape";
 * const arch = convArchitecture({
 *   dims: 2, input: { channels: 1, height: 8, width: 8 }, outputs: 1, activation: makeActivation("relu"),
 *   stages: [{ type: "conv", channels: 4, kernel: 3, padding: 1 }, { type: "avgpool", kernel: 2 }],
 * });
 * console.log(describeArchitecture(arch), paramCount(arch)); // 4·1·3·3 + 1·(4·4·4) = 100 parameters
 * ```
 */
export function convArchitecture(opts: {
  dims: 1 | 2;
  input: { channels: number; height?: number; width: number };
  stages: readonly StageSpec[];
  outputs: number;
  activation: Activation;
}): ConvArchitecture {
  const dims = opts.dims;
  if (dims !== 1 && dims !== 2) throw new RangeError(`conv: dims must be 1 or 2, got ${String(dims)}`);
  const height = dims === 1 ? 1 : opts.input.height ?? NaN;
  checkCount("input channels", opts.input.channels);
  checkCount("input height", height);
  checkCount("input width", opts.input.width);
  checkCount("outputs", opts.outputs);
  const stages: Stage[] = opts.stages.map((s, i) => {
    const where = `layers[${i}] (${s.type})`;
    const kernel = pair(s.kernel, dims, `${where} kernel`, 1, 1);
    const stride = pair(s.stride ?? (s.type === "avgpool" ? s.kernel : 1), dims, `${where} stride`, 1, 1);
    const padding = pair(s.padding ?? 0, dims, `${where} padding`, 0, 0);
    if (s.type === "conv") {
      checkCount(`${where} channels`, s.channels);
      return { type: "conv", channels: s.channels, kernel, stride, padding };
    }
    if (s.type !== "avgpool") throw new RangeError(`conv: layers[${i}] has unknown type ${JSON.stringify((s as { type: unknown }).type)}`);
    if (2 * padding[0] > kernel[0] || 2 * padding[1] > kernel[1]) {
      throw new RangeError(`conv: ${where} padding [${padding.join(", ")}] must be at most half the kernel [${kernel.join(", ")}]`);
    }
    return { type: "avgpool", kernel, stride, padding };
  });
  const arch: ConvArchitecture = {
    kind: "conv", dims, input: { channels: opts.input.channels, height, width: opts.input.width },
    stages, outputs: opts.outputs, activation: opts.activation,
  };
  convGeometry(arch); // validates the shapes
  return arch;
}

/**
 * Shapes and offsets of every stage (RangeError when a window does not fit its input).
 *
 * @param arch - a conv architecture
 * @returns per stage its input/output shape and θ offset, the conv stages' indices, the flattened feature count, the head's offset and p
 * @example
 * ```ts
 * import { convArchitecture, convGeometry, makeActivation } from "splitscape";
 * const arch = convArchitecture({
 *   dims: 1, input: { channels: 2, width: 16 }, outputs: 1, activation: makeActivation("relu"),
 *   stages: [{ type: "conv", channels: 3, kernel: 5, stride: 2 }],
 * });
 * const g = convGeometry(arch);
 * console.log(g.stages[0].out, g.features, g.headOffset); // 3 channels × 1 × 6, 18 features, head at 30
 * ```
 */
export function convGeometry(arch: ConvArchitecture): ConvGeometry {
  let shape: Shape3 = arch.input;
  let offset = 0;
  let layer = 0;
  const stages: StageGeometry[] = [];
  const convStages: number[] = [];
  arch.stages.forEach((s, i) => {
    const h = outSize(shape.height, s.kernel[0], s.stride[0], s.padding[0]);
    const w = outSize(shape.width, s.kernel[1], s.stride[1], s.padding[1]);
    if (h === 0 || w === 0) {
      throw new RangeError(`conv: layers[${i}] (${s.type}, kernel ${s.kernel.join("×")}, padding ${s.padding.join("×")}) does not fit its ${shape.channels}×${shape.height}×${shape.width} input`);
    }
    const perSample = Math.max(
      shape.channels * shape.height * shape.width, (s.type === "conv" ? s.channels : shape.channels) * h * w,
      s.type === "conv" ? shape.channels * s.kernel[0] * s.kernel[1] * h * w : 0,
    );
    if (!(perSample <= CONV_MAX_SAMPLE_ENTRIES)) {
      throw new RangeError(`conv: layers[${i}] needs ${perSample} entries per sample (tensor or im2col matrix), more than the limit ${CONV_MAX_SAMPLE_ENTRIES}`);
    }
    const out: Shape3 = { channels: s.type === "conv" ? s.channels : shape.channels, height: h, width: w };
    if (s.type === "conv") {
      const size = s.channels * shape.channels * s.kernel[0] * s.kernel[1];
      layer += 1;
      convStages.push(i);
      stages.push({ stage: s, in: shape, out, offset, size, layer });
      offset += size;
    } else {
      stages.push({ stage: s, in: shape, out, offset: -1, size: 0, layer: 0 });
    }
    shape = out;
  });
  const features = shape.channels * shape.height * shape.width;
  const size = offset + arch.outputs * features;
  if (!Number.isSafeInteger(size) || size > 2 ** 31 - 1) throw new RangeError(`conv: ${size} parameters is more than θ can hold`);
  return { stages, convStages, last: shape, features, headOffset: offset, size };
}

/** Number of conv stages (the hidden layers: each is followed by σ). */
export function convHiddenLayers(arch: ConvArchitecture): number {
  return arch.stages.filter((s) => s.type === "conv").length;
}

/**
 * Output channels of conv layer `layer` (1-based, counting conv stages); RangeError when out of range.
 *
 * @param arch - a conv architecture
 * @param layer - the conv layer, 1-based, counting conv stages only (RangeError when out of range)
 * @returns its number of output channels
 * @example
 * ```ts
 * import { convArchitecture, convLayerChannels, makeActivation } from "splitscape";
 * const arch = convArchitecture({
 *   dims: 1, input: { channels: 1, width: 12 }, outputs: 1, activation: makeActivation("relu"),
 *   stages: [{ type: "conv", channels: 4, kernel: 3 }, { type: "conv", channels: 6, kernel: 3 }],
 * });
 * console.log(convLayerChannels(arch, 2)); // 6
 * ```
 */
export function convLayerChannels(arch: ConvArchitecture, layer: number): number {
  const convs = arch.stages.filter((s): s is ConvStage => s.type === "conv");
  if (!Number.isInteger(layer) || layer < 1 || layer > convs.length) {
    throw new RangeError(`conv layer ${layer} is out of range: the network has conv layers 1..${convs.length}`);
  }
  return convs[layer - 1].channels;
}

/**
 * The same architecture with `channels` output channels in conv layer `layer` (1-based).
 *
 * @param arch - a conv architecture
 * @param layer - the conv layer to widen or narrow, 1-based (RangeError when out of range)
 * @param channels - its new number of output channels, an integer ≥ 1
 * @returns a new architecture (arch is unchanged), e.g. the target of a channel split
 * @example
 * ```ts
 * import { convArchitecture, convWithChannels, makeActivation, paramCount } from "splitscape";
 * const arch = convArchitecture({
 *   dims: 1, input: { channels: 1, width: 12 }, outputs: 1, activation: makeActivation("relu"),
 *   stages: [{ type: "conv", channels: 4, kernel: 3 }],
 * });
 * console.log(paramCount(arch), paramCount(convWithChannels(arch, 1, 5))); // 52 65
 * ```
 */
export function convWithChannels(arch: ConvArchitecture, layer: number, channels: number): ConvArchitecture {
  convLayerChannels(arch, layer);
  if (!(Number.isSafeInteger(channels) && channels >= 1)) throw new RangeError(`conv: channels must be an integer ≥ 1, got ${channels}`);
  let l = 0;
  const stages = arch.stages.map((s): Stage => (s.type === "conv" && ++l === layer ? { ...s, channels } : s));
  const out: ConvArchitecture = { ...arch, stages };
  convGeometry(out); // validates the sizes
  return out;
}

/** C₀·H₀·W₀, the length of one data row. */
export function convInputDim(arch: ConvArchitecture): number {
  return arch.input.channels * arch.input.height * arch.input.width;
}

/**
 * Order of positive homogeneity with σ of degree p: the pre-activation of conv l has degree
 * e_l = 1 + p·e_{l−1} (e_0 = 0; pooling is linear, degree unchanged), the head 1 + p·e_last;
 * = #conv + 1 for p = 1. Null for a non-homogeneous σ unless there is no conv stage (linear map).
 */
export function convHomogeneityOrder(arch: ConvArchitecture): number | null {
  const h = convHiddenLayers(arch);
  if (h === 0) return 1;
  const p = activationHomogeneity(arch.activation);
  if (p === null) return null;
  let e = 1;
  for (let l = 0; l < h; l++) e = 1 + p * e;
  return e;
}

function dimsText(arch: ConvArchitecture, v: readonly [number, number]): string {
  return arch.dims === 1 ? String(v[1]) : `${v[0]}×${v[1]}`;
}

function shapeText(arch: ConvArchitecture, s: Shape3): string {
  return arch.dims === 1 ? `${s.channels}×${s.width}` : `${s.channels}×${s.height}×${s.width}`;
}

/** "conv2d 1×7×7 → conv 4 3×3 → 4×5×5 → conv 6 3×3 s2 p1 → 6×3×3 → 1 relu" (stride shown when not PyTorch's default). */
export function describeConv(arch: ConvArchitecture): string {
  const g = convGeometry(arch);
  const parts = [`conv${arch.dims}d ${shapeText(arch, arch.input)}`];
  for (const sg of g.stages) {
    const s = sg.stage;
    const defaultStride = s.type === "conv" ? [1, 1] : s.kernel; // PyTorch's defaults
    const extra = [
      s.stride[0] !== defaultStride[0] || s.stride[1] !== defaultStride[1] ? `s${dimsText(arch, s.stride)}` : "",
      s.padding[0] !== 0 || s.padding[1] !== 0 ? `p${dimsText(arch, s.padding)}` : "",
    ].filter(Boolean);
    const name = s.type === "conv" ? `conv ${s.channels} ${dimsText(arch, s.kernel)}` : `avgpool ${dimsText(arch, s.kernel)}`;
    parts.push([name, ...extra].join(" "), shapeText(arch, sg.out));
  }
  parts.push(String(arch.outputs));
  return `${parts.join(" → ")} ${formatActivation(arch.activation)}`;
}

/** Same dims, input, stages, outputs and activation. */
export function sameConvArchitecture(a: ConvArchitecture, b: ConvArchitecture): boolean {
  const same2 = (x: readonly number[], y: readonly number[]): boolean => x[0] === y[0] && x[1] === y[1];
  return a.dims === b.dims && a.outputs === b.outputs && sameActivation(a.activation, b.activation) &&
    a.input.channels === b.input.channels && a.input.height === b.input.height && a.input.width === b.input.width &&
    a.stages.length === b.stages.length &&
    a.stages.every((s, i) => {
      const t = b.stages[i];
      return s.type === t.type && same2(s.kernel, t.kernel) && same2(s.stride, t.stride) && same2(s.padding, t.padding) &&
        (s.type !== "conv" || (t.type === "conv" && s.channels === t.channels));
    });
}

/** Names of θ's entries: "K1[o,i,y,x]" (1-D: "K1[o,i,x]") per conv layer, then "head[c,f]". */
export function convParameterLabels(arch: ConvArchitecture): string[] {
  const g = convGeometry(arch);
  const out: string[] = [];
  for (const sg of g.stages) {
    const s = sg.stage;
    if (s.type !== "conv") continue;
    for (let o = 0; o < s.channels; o++) {
      for (let i = 0; i < sg.in.channels; i++) {
        for (let y = 0; y < s.kernel[0]; y++) {
          for (let x = 0; x < s.kernel[1]; x++) out.push(arch.dims === 1 ? `K${sg.layer}[${o},${i},${x}]` : `K${sg.layer}[${o},${i},${y},${x}]`);
        }
      }
    }
  }
  for (let c = 0; c < arch.outputs; c++) for (let f = 0; f < g.features; f++) out.push(`head[${c},${f}]`);
  return out;
}

/**
 * Views of the conv weights K_1…K_h and the head W inside θ (writes change θ).
 *
 * @param arch - a conv architecture
 * @param theta - its parameter vector (RangeError unless it has paramCount(arch) entries)
 * @returns subarray views: `conv[l]` = K_{l+1} (out×in×kh×kw, PyTorch's weight order) and `head` (outputs×features)
 * @example
 * ```ts
 * import { convArchitecture, convWeights, initializeModel, makeActivation } from "splitscape";
 * const arch = convArchitecture({
 *   dims: 2, input: { channels: 1, height: 6, width: 6 }, outputs: 2, activation: makeActivation("relu"),
 *   stages: [{ type: "conv", channels: 3, kernel: 3 }],
 * });
 * const { conv, head } = convWeights(arch, initializeModel(arch, { seed: 1 }).theta);
 * console.log(conv[0].length, head.length); // 27 96
 * ```
 */
export function convWeights(arch: ConvArchitecture, theta: Float64Array): { conv: Float64Array[]; head: Float64Array } {
  const g = convGeometry(arch);
  if (theta.length !== g.size) throw new RangeError(`θ has ${theta.length} entries, the ${describeConv(arch)} network has ${g.size} parameters`);
  const conv = g.convStages.map((i) => theta.subarray(g.stages[i].offset, g.stages[i].offset + g.stages[i].size));
  return { conv, head: theta.subarray(g.headOffset, g.size) };
}
