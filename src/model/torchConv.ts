/**
 * PyTorch Sequentials of convolutions ↔ the conv model kind (conv/architecture.ts):
 *
 *   Conv{1,2}d(C_{l−1}, C_l, k, stride, padding, bias=False) · σ   → conv stage l, K_l = KEY.weight
 *                                                                    (C_l × C_{l−1} × kh × kw; 1-D: × k)
 *   AvgPool{1,2}d(k, stride, padding)                              → avgpool stage (linear)
 *   Flatten() · Linear(F, k, bias=False)                           → the head W = KEY.weight (k × F)
 *
 * θ = [K_1 | … | K_h | W] is the state_dict's tensors in order, bit for bit: PyTorch's weight
 * layouts are the conv kind's, and Flatten's C,H,W order is the head's feature order. A
 * state_dict holds channels and kernel sizes but not the input's size, nor stride and padding:
 * the layer list gives stride and padding, and the input shape C₀,H₀,W₀ (1-D: C₀,L) comes from
 * --input-shape or splitscape's metadata. Identity and Dropout are skipped.
 *
 * The conv kind is bias-free, applies its one σ right after every convolution (nothing after a
 * convolution is σ = linear, for every convolution) and ends in Flatten and one Linear. Anything
 * else — a bias, a BatchNorm's tensors, an activation after a pooling or after Flatten, a Linear
 * without Flatten or a second Linear, mixed 1-D and 2-D layers, a kernel, channel or feature
 * count that does not fit, a window larger than its (padded) input — is an InputError naming the
 * layer or tensor key and what was expected, with the state_dict's keys and shapes.
 */
import { InputError } from "../common/errors.js";
import { archToken, type ActivationSpec, type AvgPoolSpec, type ConvSpec, type LayerList, type LayerSpec, type LinearSpec, type Tensor, type TensorToWrite } from "../io/index.js";
import { describeTensors } from "../io/safetensors.js";
import { formatShape } from "../io/tensor.js";
import type { Model } from "./architecture.js";
import type { ConvArchitecture, Shape3, StageSpec } from "./conv/index.js";
import { convArchitecture, convGeometry, convWeights } from "./conv/index.js";
import { activationLayer, sharedActivation } from "./torchActivation.js";

/** An input shape and where it came from ("--input-shape", or a file's metadata), for messages. */
export interface InputShape {
  readonly shape: readonly number[];
  readonly source: string;
}

/** A convolution with the activation after it (null: none), or a pooling. */
type ChainStage = { readonly spec: ConvSpec; readonly activation: ActivationSpec | null } | { readonly spec: AvgPoolSpec };

/** The Sequential read as the conv kind's grammar: stages, Flatten, the Linear head. */
interface ConvChain {
  readonly dims: 1 | 2;
  readonly stages: readonly ChainStage[];
  readonly flatten: LayerSpec;
  readonly head: LinearSpec;
}

function layerName(l: LayerSpec): string {
  return `layer ${l.key} (${l.kind === "activation" || l.kind === "identity" ? l.text : archToken(l)})`;
}

/** Why `act` cannot stand after `prev` (the previous non-identity layer), or null when it follows a convolution. */
function misplacedActivation(act: ActivationSpec, prev: LayerSpec | null): string | null {
  const what = `${layerName(act)}`;
  if (prev === null) return `${what} comes before any convolution; the conv kind applies σ right after each convolution`;
  switch (prev.kind) {
    case "conv": return null;
    case "activation": return `${layerName(prev)} and ${what} are two activations in a row; expected one after each convolution`;
    case "avgpool": return `${what} follows the pooling ${layerName(prev)}; the conv kind applies σ only right after each convolution (Conv → σ → AvgPool), and σ does not commute with average pooling`;
    case "flatten": return `${what} follows Flatten at ${prev.key}; the conv kind has its Linear head right after Flatten (no activation or hidden Linear there)`;
    default: return `${what} follows the Linear head; splitscape's networks have a linear output — drop it`;
  }
}

/**
 * The layer list as stages, Flatten and the head (identity layers skipped); InputError naming
 * the first layer that does not fit the conv kind's order.
 */
function convChain(list: LayerList): ConvChain {
  const source = list.source;
  const stages: ChainStage[] = [];
  let dimsAt: ConvSpec | AvgPoolSpec | null = null;
  let flatten: LayerSpec | null = null;
  let head: LinearSpec | null = null;
  let prev: LayerSpec | null = null;
  for (const [i, l] of list.layers.entries()) {
    if (l.kind === "identity") continue;
    if (head !== null) {
      const hidden = list.layers.slice(i).some((m) => m.kind === "linear");
      const why = hidden
        ? "the conv kind has one Linear, the head right after Flatten (hidden Linear layers after the convolutions cannot be mapped)"
        : l.kind === "activation" ? "splitscape's networks have a linear output — drop it" : "the conv kind ends in one Linear after Flatten";
      throw new InputError(source, `${layerName(l)} follows the Linear head at ${head.key}; ${why}`);
    }
    if (l.kind === "conv" || l.kind === "avgpool") {
      if (flatten !== null) throw new InputError(source, `${layerName(l)} comes after Flatten at ${flatten.key}; expected every convolution and pooling before the Flatten`);
      if (dimsAt !== null && l.dims !== dimsAt.dims) {
        throw new InputError(source, `${layerName(l)} is ${l.dims}-D but ${layerName(dimsAt)} is ${dimsAt.dims}-D; expected Conv1d/AvgPool1d or Conv2d/AvgPool2d throughout`);
      }
      dimsAt ??= l;
      stages.push(l.kind === "conv" ? { spec: l, activation: null } : { spec: l });
    } else if (l.kind === "activation") {
      const why = misplacedActivation(l, prev);
      if (why !== null) throw new InputError(source, why);
      stages[stages.length - 1] = { spec: stages[stages.length - 1].spec as ConvSpec, activation: l };
    } else if (l.kind === "flatten") {
      if (flatten !== null) throw new InputError(source, `${layerName(l)} is a second Flatten (the first at ${flatten.key}); expected one, before the Linear head`);
      flatten = l;
    } else {
      if (flatten === null) {
        const where = prev === null ? "comes before the convolutions" : `follows ${layerName(prev)} without a Flatten`;
        throw new InputError(source, `${layerName(l)} ${where}; expected Conv/AvgPool layers, then flatten and the Linear head (on an N×C×H×W tensor a Linear acts on the last dimension only)`);
      }
      head = l;
    }
    prev = l;
  }
  if (head === null || flatten === null || dimsAt === null) {
    throw new InputError(source, `expected the Sequential to end with Flatten and a Linear head (the conv kind's linear head), got ${prev === null ? "no layers" : `${layerName(prev)} last`}`);
  }
  return { dims: dimsAt.dims, stages, flatten, head };
}

function shapeText(dims: 1 | 2, s: Shape3): string {
  return dims === 1 ? `${s.channels}×${s.width}` : `${s.channels}×${s.height}×${s.width}`;
}

/** The input C₀×H₀×W₀ (1-D: C₀×1×L) from the given shape; InputError when absent or of the wrong length. */
function convInput(chain: ConvChain, tensors: ReadonlyMap<string, Tensor>, input: InputShape | undefined): Shape3 {
  const expected = chain.dims === 2 ? "C,H,W" : "C,L";
  if (input === undefined) {
    const first = chain.stages.find((s): s is ChainStage & { spec: ConvSpec } => s.spec.kind === "conv");
    const w = first === undefined ? undefined : tensors.get(`${first.spec.key}.weight`);
    const hint = w === undefined || w.shape.length !== chain.dims + 2 ? "" : ` (the first Conv${chain.dims}d, ${first!.spec.key}.weight ${formatShape(w.shape)}, takes C = ${w.shape[1]})`;
    throw new InputError("--input-shape", `a convolutional model needs its input shape, which a state_dict does not hold: give --input-shape ${expected}${hint}`);
  }
  const s = input.shape;
  if (s.length !== chain.dims + 1) {
    throw new InputError(input.source, `${s.join(",")} has ${s.length} entr${s.length === 1 ? "y" : "ies"}; a Conv${chain.dims}d network takes ${expected}`);
  }
  return { channels: s[0], height: chain.dims === 2 ? s[1] : 1, width: s[s.length - 1] };
}

/** Collects the tensors of a state_dict that the mapping used, and the "held" suffix of messages. */
class TensorUse {
  readonly used = new Set<string>();
  constructor(readonly tensors: ReadonlyMap<string, Tensor>, readonly source: string) {}

  held(): string {
    return `; the state_dict holds ${describeTensors(this.tensors)}`;
  }

  /** InputError at `key` when the state_dict has it, or when the architecture says there is one (a bias). */
  refuseBias(key: string, module: string, layerKey: string, said: boolean | undefined): void {
    if (this.tensors.has(key)) {
      throw new InputError(this.source, `a ${module} bias, but the conv kind is bias-free; expected none — train with ${module}(…, bias=False)${this.held()}`, key);
    }
    if (said === true) {
      throw new InputError(this.source, `absent, but the architecture says ${module}(…, bias=True) at ${layerKey} (print(model) shows bias=False when there is none); the conv kind is bias-free: expected bias=False${this.held()}`, key);
    }
  }
}

/** KEY.weight of a convolution whose input has `channels` channels (`from`: why); its shape checked. */
function convWeight(spec: ConvSpec, channels: number, from: string, use: TensorUse): Tensor {
  const key = `${spec.key}.weight`;
  const module = `Conv${spec.dims}d`;
  const expected = `[${spec.outChannels ?? "out"}, ${channels}, ${spec.kernel.join(", ")}] (${module}.weight is out_channels × in_channels × ${spec.dims === 2 ? "kh × kw" : "k"})`;
  const w = use.tensors.get(key);
  if (w === undefined) throw new InputError(use.source, `missing: the ${module} at ${spec.key} needs a weight of shape ${expected}${use.held()}`, key);
  const fits = w.shape.length === spec.dims + 2 && w.shape[0] >= 1 && w.shape[1] === channels &&
    spec.kernel.every((k, i) => w.shape[2 + i] === k) && (spec.outChannels === undefined || w.shape[0] === spec.outChannels);
  if (!fits) throw new InputError(use.source, `has shape ${formatShape(w.shape)}, expected ${expected}: its input has ${channels} channel(s) (${from})${use.held()}`, key);
  if (spec.inChannels !== undefined && spec.inChannels !== channels) {
    throw new InputError(use.source, `the architecture says ${module}(${spec.inChannels}, …) at ${spec.key}, but its input has ${channels} channel(s) (${from})`, key);
  }
  use.refuseBias(`${spec.key}.bias`, module, spec.key, spec.bias);
  use.used.add(key);
  return w;
}

/** KEY.weight of the head on `features` flattened features (`from`: why); its shape checked. */
function headWeight(spec: LinearSpec, features: number, from: string, use: TensorUse): Tensor {
  const key = `${spec.key}.weight`;
  const expected = `[${spec.outFeatures ?? "out"}, ${features}] (Linear.weight is out×in; Flatten gives ${from})`;
  const w = use.tensors.get(key);
  if (w === undefined) throw new InputError(use.source, `missing: the Linear head at ${spec.key} needs a weight of shape ${expected}${use.held()}`, key);
  if (w.shape.length !== 2 || w.shape[0] < 1 || w.shape[1] !== features || (spec.outFeatures !== undefined && w.shape[0] !== spec.outFeatures)) {
    throw new InputError(use.source, `has shape ${formatShape(w.shape)}, expected ${expected}${use.held()}`, key);
  }
  if (spec.inFeatures !== undefined && spec.inFeatures !== features) {
    throw new InputError(use.source, `the architecture says Linear(in_features=${spec.inFeatures}, …) at ${spec.key}, but Flatten gives ${from}`, key);
  }
  use.refuseBias(`${spec.key}.bias`, "Linear", spec.key, spec.bias);
  use.used.add(key);
  return w;
}

/**
 * The conv model held by a state_dict for the Sequential `list` (see the module comment);
 * `input` is the input shape (--input-shape or splitscape's metadata).
 */
export function convStateDictToModel(tensors: ReadonlyMap<string, Tensor>, list: LayerList, weightsSource: string, input: InputShape | undefined): Model {
  const chain = convChain(list);
  const activation = sharedActivation(chain.stages.flatMap((s) => ("activation" in s ? [s.activation] : [])), list.source);
  const shape = convInput(chain, tensors, input);
  const inputText = input!.shape.join(","); // convInput has checked that it is there
  const use = new TensorUse(tensors, weightsSource);
  const specs: StageSpec[] = [];
  const parts: Float64Array[] = [];
  let current = shape;
  let lastConv: ConvSpec | null = null;
  for (const { spec } of chain.stages) {
    const { kernel, stride, padding } = spec;
    if (spec.kind === "conv") {
      const from = lastConv === null ? `from the input shape ${inputText}` : `the Conv${chain.dims}d at ${lastConv.key} has ${current.channels} output channels`;
      const w = convWeight(spec, current.channels, from, use);
      parts.push(w.data);
      lastConv = spec;
      specs.push({ type: "conv", channels: w.shape[0], kernel, stride, padding });
    } else {
      specs.push({ type: "avgpool", kernel, stride, padding });
    }
    current = stageOutput(chain, shape, specs, activation, list.source, spec);
  }
  const features = current.channels * current.height * current.width;
  const from = `${features} features: ${shapeText(chain.dims, current)} flattened at layer ${chain.flatten.key} for the input shape ${inputText}`;
  const head = headWeight(chain.head, features, from, use);
  const extra = [...tensors.keys()].filter((key) => !use.used.has(key));
  if (extra.length > 0) {
    const convKeys = chain.stages.filter((s) => s.spec.kind === "conv").map((s) => s.spec.key).join(", ");
    throw new InputError(weightsSource, `belongs to no layer of the architecture (convolutions at ${convKeys}, the Linear head at ${chain.head.key}; a BatchNorm or other parametrised module cannot be mapped)${use.held()}`, extra[0]);
  }
  parts.push(head.data);
  const arch = convArchitecture({ dims: chain.dims, input: shape, stages: specs, outputs: head.shape[0], activation });
  const theta = new Float64Array(parts.reduce((p, t) => p + t.length, 0));
  let at = 0;
  for (const t of parts) {
    theta.set(t, at);
    at += t.length;
  }
  return { arch, theta };
}

/**
 * The shape after the last of `specs` (the stages so far); InputError naming `layer` when its
 * window does not fit its padded input or its pooling padding exceeds half the kernel.
 */
function stageOutput(chain: ConvChain, input: Shape3, specs: StageSpec[], activation: ConvArchitecture["activation"], source: string, layer: LayerSpec): Shape3 {
  try {
    return convGeometry(convArchitecture({ dims: chain.dims, input, stages: specs, outputs: 1, activation })).last;
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const why = err.message.replace(/^conv: layers\[\d+\] (\([^)]*\) )?/, "");
    throw new InputError(source, `${layerName(layer)}: ${why} (input shape ${[input.channels, ...(chain.dims === 2 ? [input.height] : []), input.width].join(",")})`);
  }
}

/** [C, H, W] (1-D: [C, L]) of a conv model: what --input-shape gives. */
export function convInputShape(arch: ConvArchitecture): number[] {
  const { channels, height, width } = arch.input;
  return arch.dims === 2 ? [channels, height, width] : [channels, width];
}

/** The layer list of the Sequential a conv model corresponds to (keys 0, 1, 2, …). */
export function convModelLayers(arch: ConvArchitecture): LayerSpec[] {
  const g = convGeometry(arch);
  const sizes = (v: readonly [number, number]): number[] => (arch.dims === 1 ? [v[1]] : [v[0], v[1]]);
  const layers: LayerSpec[] = [];
  for (const sg of g.stages) {
    const s = sg.stage;
    const key = String(layers.length);
    const window = { dims: arch.dims, key, kernel: sizes(s.kernel), stride: sizes(s.stride), padding: sizes(s.padding) };
    if (s.type === "conv") {
      layers.push({ kind: "conv", ...window, inChannels: sg.in.channels, outChannels: s.channels, bias: false });
      layers.push(activationLayer(arch.activation, String(layers.length)));
    } else {
      layers.push({ kind: "avgpool", ...window });
    }
  }
  layers.push({ kind: "flatten", key: String(layers.length) });
  layers.push({ kind: "linear", key: String(layers.length), inFeatures: g.features, outFeatures: arch.outputs, bias: false });
  return layers;
}

/** The state_dict of convModelLayers(arch): each conv weight, then the head, in PyTorch's shapes. */
export function convStateDict(arch: ConvArchitecture, theta: Float64Array): TensorToWrite[] {
  const w = convWeights(arch, theta);
  const layers = convModelLayers(arch);
  const out: TensorToWrite[] = layers.filter((l): l is ConvSpec => l.kind === "conv").map((l, i) => ({
    key: `${l.key}.weight`, shape: [l.outChannels!, l.inChannels!, ...l.kernel], data: w.conv[i].slice(),
  }));
  const head = layers[layers.length - 1] as LinearSpec;
  out.push({ key: `${head.key}.weight`, shape: [arch.outputs, head.inFeatures!], data: w.head.slice() });
  return out;
}
