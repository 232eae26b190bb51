/**
 * PyTorch state_dicts ↔ splitscape models. A torch.nn.Sequential of Linear layers and one
 * parameter-free activation between them maps onto the model kinds (INTERFACES.md, "Model file"):
 *
 *   Linear(d, m[, bias]) · σ · Linear(m, k[, bias])          → two-layer:  W = 0.weight (m×d),
 *                                                               a = 2.weightᵀ (m×k), b = 0.bias, c = 2.bias
 *   Linear(d, h₁) · σ · … · σ · Linear(h_{L−1}, k), L ≥ 3    → mlp:  W_l = (2l−2).weight (h_l×h_{l−1});
 *                                                               bias-free, so any bias is an error
 *   Linear(d, k)                                              → mlp [d, k] (a linear map; no bias)
 *   Conv{1,2}d(bias=False) · σ · [AvgPool] · … · Flatten · Linear(bias=False)  → conv (torchConv.ts)
 *
 * PyTorch stores Linear.weight as out×in, row-major — the layout of W and W_l here; only the
 * two-layer output weights are transposed (a is m×k). Identity and Dropout (the identity at
 * evaluation) are skipped, as is a leading Flatten; two Linear layers with nothing between them
 * have the identity activation (`linear`). Every hidden activation must be the same (the model
 * kinds have one σ), and the output is linear (no activation after the last Linear).
 *
 * Safetensors model files: `loadSafetensorsModel` reads the weights and takes the layer list from
 * the caller (--arch, --torch-repr) or from splitscape's own `__metadata__` ("splitscape.arch",
 * and "splitscape.input_shape" for a conv model); `safetensorsModelBytes` writes keys that
 * `load_state_dict` of the same Sequential accepts.
 * Anything that does not fit is an InputError naming the tensor key and what was expected, with
 * the state_dict's keys and shapes.
 */
import { InputError } from "../common/errors.js";
import { formatStampMetadata, readFormatMetadata } from "../common/format.js";
import { METADATA_ARCH, METADATA_INPUT_SHAPE, archToken, encodeSafetensors, parseArch, parseInputShape, readSafetensors, type SafetensorsFile, type ActivationSpec, type LayerList, type LayerSpec, type LinearSpec, type Tensor, type TensorToWrite, type WriteDtype } from "../io/index.js";
import { describeTensors } from "../io/safetensors.js";
import { formatShape } from "../io/tensor.js";
import { makeActivation, type Activation } from "./activations.js";
import type { Model } from "./architecture.js";
import { mlpArchitecture, mlpWeights, twoLayerArchitecture, twoLayerParts, unsupportedArchitecture } from "./architecture.js";
import { activationLayer, sharedActivation, torchActivationModule } from "./torchActivation.js";
import { convInputShape, convModelLayers, convStateDict, convStateDictToModel } from "./torchConv.js";

/** Where a safetensors model's architecture comes from when the file does not say. */
export interface ArchitectureSource {
  /** The layer list (from --arch or --torch-repr); overrides the file's metadata. */
  readonly layers?: LayerList;
  /** `--input-shape C,H,W` (1-D: C,L) of a convolutional model (else checked against the first Linear). */
  readonly inputShape?: readonly number[];
  /** Where inputShape came from, for messages (default "--input-shape"). */
  readonly inputShapeSource?: string;
}

/** True for a path that names a safetensors file (by its extension). */
export function isSafetensorsPath(path: string): boolean {
  return path.toLowerCase().endsWith(".safetensors");
}

/** A Linear layer matched to its tensors. */
interface DenseLayer {
  readonly spec: LinearSpec;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
}

/**
 * The model held by a state_dict (`tensors`, read from `weightsSource`) for the Sequential
 * described by `list`. See the module comment for the mapping; InputError otherwise.
 *
 * @param tensors - the state_dict: key (e.g. "0.weight") → tensor with PyTorch's shape (out×in for a Linear)
 * @param list - the Sequential's layers (parseArch of an ARCH string, or parseTorchRepr of print(model))
 * @param weightsSource - the weights' file, named in error messages
 * @param opts - for conv models the input shape (`inputShape` C,H,W or C,L) when the layers do not give it
 * @returns the model; InputError when a tensor is missing, unused or of the wrong shape
 * @example
 * ```ts
 * import { parseArch, stateDictToModel, type Tensor } from "splitscape";
 * const tensors = new Map<string, Tensor>([
 *   ["0.weight", { shape: [3, 2], data: new Float64Array([1, 0, 0, 1, 1, 1]), dtype: "F64" }],
 *   ["2.weight", { shape: [1, 3], data: new Float64Array([1, -1, 0.5]), dtype: "F64" }],
 * ]);
 * const net = stateDictToModel(tensors, parseArch("linear,relu,linear", "--arch"), "inline");
 * console.log(net.arch.kind, net.theta.length); // two-layer 9
 * ```
 */
export function stateDictToModel(tensors: ReadonlyMap<string, Tensor>, list: LayerList, weightsSource: string, opts: ArchitectureSource = {}): Model {
  if (list.layers.some((l) => l.kind === "conv" || l.kind === "avgpool")) {
    const input = opts.inputShape === undefined ? undefined : { shape: opts.inputShape, source: opts.inputShapeSource ?? "--input-shape" };
    return convStateDictToModel(tensors, list, weightsSource, input);
  }
  const { linears, activations } = denseChain(list);
  const activation = sharedActivation(activations, list.source);
  const dense = matchTensors(linears, tensors, weightsSource);
  checkInputShape(opts.inputShape, dense[0], list.source);
  return dense.length === 2 ? twoLayerModel(dense, activation) : mlpModel(dense, activation, tensors, weightsSource);
}

/** The Linear layers in order and the activation between consecutive ones (null: nothing). */
function denseChain(list: LayerList): { linears: LinearSpec[]; activations: (ActivationSpec | null)[] } {
  const layers = list.layers.filter((l) => l.kind !== "identity" && l.kind !== "flatten");
  const linears: LinearSpec[] = [];
  const activations: (ActivationSpec | null)[] = [];
  let pending: ActivationSpec | null = null;
  for (const l of layers) {
    if (l.kind === "linear") {
      if (linears.length > 0) activations.push(pending);
      linears.push(l);
      pending = null;
    } else if (l.kind === "activation") {
      if (linears.length === 0) throw new InputError(list.source, `layer ${l.key} (${l.text}) comes before any Linear; expected the Sequential to start with a Linear`);
      if (pending !== null) throw new InputError(list.source, `layers ${pending.key} and ${l.key} are two activations in a row (${pending.text}, ${l.text}); expected one between Linear layers`);
      pending = l;
    }
  }
  if (linears.length === 0) throw new InputError(list.source, "no Linear layer; expected e.g. linear,relu,linear");
  if (pending !== null) {
    throw new InputError(list.source, `layer ${pending.key} (${pending.text}) follows the last Linear; splitscape's networks have a linear output — drop it (a final Sigmoid is what the logistic loss assumes)`);
  }
  return { linears, activations };
}

/** Each Linear's `key.weight` (out×in) and optional `key.bias` (out); every key must be used. */
function matchTensors(linears: LinearSpec[], tensors: ReadonlyMap<string, Tensor>, source: string): DenseLayer[] {
  const held = (): string => `; the state_dict holds ${describeTensors(tensors)}`;
  const used = new Set<string>();
  const dense: DenseLayer[] = [];
  let prevOut = -1;
  for (const spec of linears) {
    const wKey = `${spec.key}.weight`;
    const bKey = `${spec.key}.bias`;
    const weight = tensors.get(wKey);
    const inF = spec.inFeatures ?? (prevOut >= 0 ? prevOut : undefined);
    const expectedW = `[${spec.outFeatures ?? "out"}, ${inF ?? "in"}] (Linear.weight is out×in)`;
    if (weight === undefined) throw new InputError(source, `missing: the Linear at ${spec.key} needs a weight of shape ${expectedW}${held()}`, wKey);
    const [out, inp] = weight.shape;
    if (weight.shape.length !== 2 || (spec.outFeatures !== undefined && out !== spec.outFeatures) || (inF !== undefined && inp !== inF)) {
      const why = prevOut >= 0 && spec.inFeatures === undefined ? `, its input is the ${prevOut} outputs of the previous Linear` : "";
      throw new InputError(source, `has shape ${formatShape(weight.shape)}, expected ${expectedW}${why}${held()}`, wKey);
    }
    if (prevOut >= 0 && inp !== prevOut) {
      throw new InputError(source, `has shape ${formatShape(weight.shape)}: ${inp} inputs, but the previous Linear has ${prevOut} outputs${held()}`, wKey);
    }
    if (out < 1 || inp < 1) throw new InputError(source, `has shape ${formatShape(weight.shape)}; a Linear needs at least one input and one output`, wKey);
    const bias = tensors.get(bKey) ?? null;
    if (bias === null && spec.bias === true) throw new InputError(source, `missing, but the architecture says Linear(…, bias=True) at ${spec.key}${held()}`, bKey);
    if (bias !== null && spec.bias === false) throw new InputError(source, `present, but the architecture says Linear(…, bias=False) at ${spec.key}${held()}`, bKey);
    if (bias !== null && (bias.shape.length !== 1 || bias.shape[0] !== out)) {
      throw new InputError(source, `has shape ${formatShape(bias.shape)}, expected [${out}] (one per output of ${wKey})${held()}`, bKey);
    }
    used.add(wKey);
    if (bias !== null) used.add(bKey);
    dense.push({ spec, weight, bias });
    prevOut = out;
  }
  const extra = [...tensors.keys()].filter((key) => !used.has(key));
  if (extra.length > 0) {
    const linearKeys = linears.map((l) => l.key).join(", ");
    throw new InputError(source, `belongs to no Linear of the architecture (Linear layers at ${linearKeys}; a BatchNorm or other parametrised module cannot be mapped)${held()}`, extra[0]);
  }
  return dense;
}

function checkInputShape(shape: readonly number[] | undefined, first: DenseLayer, source: string): void {
  if (shape === undefined) return;
  const size = shape.reduce((p, s) => p * s, 1);
  if (size !== first.weight.shape[1]) {
    throw new InputError(source, `--input-shape ${shape.join(",")} has ${size} entries, but the first Linear (${first.spec.key}.weight) takes ${first.weight.shape[1]} inputs`);
  }
}

function twoLayerModel([l1, l2]: DenseLayer[], activation: Activation): Model {
  const [m, d] = l1.weight.shape;
  const k = l2.weight.shape[0];
  const arch = twoLayerArchitecture({ d, m, k, activation, inputBias: l1.bias !== null, outputBias: l2.bias !== null });
  const theta = new Float64Array((m * d) + (m * k) + (l1.bias ? m : 0) + (l2.bias ? k : 0));
  const parts = twoLayerParts(arch, theta);
  parts.W.set(l1.weight.data);
  for (let c = 0; c < k; c++) for (let j = 0; j < m; j++) parts.a[j * k + c] = l2.weight.data[c * m + j];
  if (parts.b) parts.b.set(l1.bias!.data);
  if (parts.c) parts.c.set(l2.bias!.data);
  return { arch, theta };
}

function mlpModel(dense: DenseLayer[], activation: Activation, tensors: ReadonlyMap<string, Tensor>, source: string): Model {
  const withBias = dense.find((l) => l.bias !== null);
  if (withBias !== undefined) {
    const why = dense.length === 1
      ? "a single Linear maps to the mlp kind [d, k], which is bias-free"
      : `a Sequential with ${dense.length} Linear layers maps to the mlp kind, which is bias-free (only the two-layer kind has biases)`;
    throw new InputError(source, `${why}; expected no bias — train with Linear(…, bias=False); the state_dict holds ${describeTensors(tensors)}`, `${withBias.spec.key}.bias`);
  }
  const widths = [dense[0].weight.shape[1], ...dense.map((l) => l.weight.shape[0])];
  const arch = mlpArchitecture(widths, dense.length === 1 ? makeActivation("linear") : activation);
  const theta = new Float64Array(dense.reduce((p, l) => p + l.weight.data.length, 0));
  let at = 0;
  for (const l of dense) {
    theta.set(l.weight.data, at);
    at += l.weight.data.length;
  }
  return { arch, theta };
}

/** The safetensors feature's message for a kind no Sequential of these layers represents. */
const SEQUENTIAL_WEIGHTS = "a PyTorch Sequential (safetensors weights, export)";

/**
 * The layer list of the Sequential a model corresponds to (keys 0, 1, 2, …). The parallel
 * three-layer net is an InputError: its block-diagonal second layer is no plain Sequential.
 *
 * @param model - a two-layer, MLP or conv network (InputError for parallel three-layer)
 * @returns the layer specs of the equivalent torch.nn.Sequential, keys "0", "1", …
 * @example
 * ```ts
 * import { initializeModel, makeActivation, mlpArchitecture, modelLayers } from "splitscape";
 * const net = initializeModel(mlpArchitecture([2, 4, 4, 1], makeActivation("tanh")), { seed: 1 });
 * console.log(modelLayers(net).length); // 5: Linear, Tanh, Linear, Tanh, Linear
 * ```
 */
export function modelLayers(model: Model): LayerSpec[] {
  const { arch } = model;
  if (arch.kind === "conv") return convModelLayers(arch);
  if (arch.kind === "parallel-three-layer") throw unsupportedArchitecture(arch, SEQUENTIAL_WEIGHTS);
  if (arch.kind === "two-layer") {
    return [
      { kind: "linear", key: "0", inFeatures: arch.d, outFeatures: arch.m, bias: arch.inputBias },
      activationLayer(arch.activation, "1"),
      { kind: "linear", key: "2", inFeatures: arch.m, outFeatures: arch.k, bias: arch.outputBias },
    ];
  }
  const layers: LayerSpec[] = [];
  for (let l = 1; l < arch.widths.length; l++) {
    if (l > 1) layers.push(activationLayer(arch.activation, String(layers.length)));
    layers.push({ kind: "linear", key: String(layers.length), inFeatures: arch.widths[l - 1], outFeatures: arch.widths[l], bias: false });
  }
  return layers;
}

/**
 * The ARCH string of a model, e.g. "linear,leaky_relu:0.05,linear".
 *
 * @param model - a two-layer, MLP or conv network
 * @returns the ARCH string of its Sequential (what `--arch` and the safetensors metadata hold)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, modelArch, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("leaky_relu", 0.05) }), { seed: 1 });
 * console.log(modelArch(net)); // "linear,leaky_relu:0.05,linear"
 * ```
 */
export function modelArch(model: Model): string {
  return modelLayers(model).map(archToken).join(",");
}

/**
 * The state_dict of the Sequential `modelLayers(model)`: key, shape (PyTorch's), data.
 *
 * @param model - a two-layer, MLP or conv network
 * @returns the tensors of the Sequential's state_dict (key, PyTorch shape, float64 data)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, modelToStateDict, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 1 });
 * for (const t of modelToStateDict(net)) console.log(t.key, t.shape); // 0.weight [4, 2], 2.weight [1, 4]
 * ```
 */
export function modelToStateDict(model: Model): TensorToWrite[] {
  const { arch, theta } = model;
  if (arch.kind === "two-layer") {
    const { d, m, k } = arch;
    const p = twoLayerParts(arch, theta);
    const aT = new Float64Array(k * m);
    for (let j = 0; j < m; j++) for (let c = 0; c < k; c++) aT[c * m + j] = p.a[j * k + c];
    const out: TensorToWrite[] = [{ key: "0.weight", shape: [m, d], data: p.W.slice() }];
    if (p.b) out.push({ key: "0.bias", shape: [m], data: p.b.slice() });
    out.push({ key: "2.weight", shape: [k, m], data: aT });
    if (p.c) out.push({ key: "2.bias", shape: [k], data: p.c.slice() });
    return out;
  }
  if (arch.kind === "conv") return convStateDict(arch, theta);
  if (arch.kind === "parallel-three-layer") throw unsupportedArchitecture(arch, SEQUENTIAL_WEIGHTS);
  return mlpWeights(arch, theta).map((Wl, l) => ({ key: `${2 * l}.weight`, shape: [arch.widths[l + 1], arch.widths[l]], data: Wl.slice() }));
}

/** A size argument of nn.Conv/nn.AvgPool: the number when all entries agree, else the tuple. */
function torchSize(v: readonly number[]): string {
  return v.every((x) => x === v[0]) ? String(v[0]) : `(${v.join(", ")})`;
}

/** The torch.nn module of one layer of modelLayers (`activation`: σ's module, for activation and identity layers). */
function torchModule(l: LayerSpec, activation: string): string {
  switch (l.kind) {
    case "linear":
      return `nn.Linear(${l.inFeatures}, ${l.outFeatures}${l.bias ? "" : ", bias=False"})`;
    case "conv": {
      const args = [String(l.inChannels), String(l.outChannels), torchSize(l.kernel)];
      if (l.stride.some((s) => s !== 1)) args.push(`stride=${torchSize(l.stride)}`);
      if (l.padding.some((p) => p !== 0)) args.push(`padding=${torchSize(l.padding)}`);
      return `nn.Conv${l.dims}d(${[...args, "bias=False"].join(", ")})`;
    }
    case "avgpool": {
      const args = [torchSize(l.kernel)];
      if (l.stride.some((s, i) => s !== l.kernel[i])) args.push(`stride=${torchSize(l.stride)}`);
      if (l.padding.some((p) => p !== 0)) args.push(`padding=${torchSize(l.padding)}`);
      return `nn.AvgPool${l.dims}d(${args.join(", ")})`;
    }
    case "flatten":
      return "nn.Flatten()";
    default:
      return activation;
  }
}

/**
 * The Python expression of the Sequential whose `load_state_dict` accepts modelToStateDict(model),
 * e.g. "nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))" or "nn.Sequential(nn.Conv2d(1,
 * 4, 3, bias=False), nn.ReLU(), nn.Flatten(), nn.Linear(100, 1, bias=False))"; null when the
 * activation has no torch.nn module (relu_power, erf). AvgPool keeps PyTorch's defaults
 * (count_include_pad=True, ceil_mode=False), which are the conv kind's.
 *
 * @param model - a two-layer, MLP or conv network
 * @returns Python source of the matching nn.Sequential, or null when σ has no torch.nn module
 * @example
 * ```ts
 * import { initializeModel, makeActivation, mlpArchitecture, torchSequentialCode } from "splitscape";
 * const net = initializeModel(mlpArchitecture([3, 5, 1], makeActivation("tanh")), { seed: 1 });
 * console.log(torchSequentialCode(net)); // nn.Sequential(nn.Linear(3, 5, bias=False), nn.Tanh(), nn.Linear(5, 1, bias=False))
 * ```
 */
export function torchSequentialCode(model: Model): string | null {
  const module = torchActivationModule(model.arch.activation);
  if (module === null) return null;
  return `nn.Sequential(${modelLayers(model).map((l) => torchModule(l, module)).join(", ")})`;
}

/**
 * The bytes of a safetensors file of `model`: modelToStateDict in `dtype` (F64 exact, F32 rounded)
 * and `__metadata__` {"format": "pt", "splitscape.arch": ARCH, "splitscape.version"}, plus
 * "splitscape.input_shape": "C,H,W" (1-D "C,L") for a conv model, so that splitscape reads it
 * back without flags.
 *
 * @param model - a two-layer, MLP or conv network
 * @param dtype - "F64" (default, exact) or "F32" (rounded to nearest)
 * @returns the file's bytes (PyTorch's `safetensors.torch.load_file` reads them)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, parseSafetensors, safetensorsModelBytes, safetensorsToModel, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 1 });
 * const bytes = safetensorsModelBytes(net);
 * const back = safetensorsToModel(parseSafetensors(bytes, "memory"), "memory");
 * console.log(back.theta.every((t, i) => t === net.theta[i])); // true (F64 is exact)
 * ```
 */
export function safetensorsModelBytes(model: Model, dtype: WriteDtype = "F64"): Uint8Array {
  const meta: Record<string, string> = { format: "pt", [METADATA_ARCH]: modelArch(model) };
  if (model.arch.kind === "conv") meta[METADATA_INPUT_SHAPE] = convInputShape(model.arch).join(",");
  Object.assign(meta, formatStampMetadata("model-safetensors"));
  return encodeSafetensors(modelToStateDict(model), meta, dtype);
}

/**
 * Read a safetensors model file. The layers come from `src.layers` or, failing that, from the
 * file's `__metadata__` (written by splitscape); without either it is an InputError that shows
 * the state_dict and asks for the architecture. Likewise the input shape of a conv model:
 * `src.inputShape`, else the metadata's "splitscape.input_shape".
 *
 * @param path - a `.safetensors` file
 * @param src - the layers and, for conv models, input shape, when the file's metadata does not give them
 * @returns the model; InputError naming the file when the architecture is unknown or the tensors do not fit it
 * @example
 * ```ts
 * import { initializeModel, loadSafetensorsModel, makeActivation, saveModel, twoLayerArchitecture } from "splitscape";
 * saveModel("net.safetensors", initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 1 }));
 * const net = loadSafetensorsModel("net.safetensors"); // the architecture comes from the file's metadata
 * console.log(net.arch.kind); // "two-layer"
 * ```
 */
export function loadSafetensorsModel(path: string, src: ArchitectureSource = {}): Model {
  return safetensorsToModel(readSafetensors(path), path, src);
}

/**
 * The model held by a parsed safetensors file (`readSafetensors`, or `parseSafetensors` of bytes) named `path`; as loadSafetensorsModel.
 *
 * @param file - a parsed safetensors file (readSafetensors, or parseSafetensors of bytes)
 * @param path - the name used in error messages
 * @param src - the layers and input shape when the file's metadata does not give them
 * @returns the model
 * @example
 * ```ts
 * import { initializeModel, makeActivation, mlpArchitecture, parseArch, parseSafetensors, safetensorsModelBytes, safetensorsToModel } from "splitscape";
 * const bytes = safetensorsModelBytes(initializeModel(mlpArchitecture([2, 3, 1], makeActivation("tanh")), { seed: 1 }), "F32");
 * const net = safetensorsToModel(parseSafetensors(bytes, "weights"), "weights", { layers: parseArch("linear,tanh,linear", "--arch") });
 * console.log(net.theta.length); // 9
 * ```
 */
export function safetensorsToModel(file: SafetensorsFile, path: string, src: ArchitectureSource = {}): Model {
  readFormatMetadata(file.metadata, "model-safetensors", path);
  let list = src.layers;
  if (list === undefined) {
    const arch = file.metadata[METADATA_ARCH];
    if (arch === undefined) {
      throw new InputError(path, `the architecture is not stored in the file (no __metadata__ "${METADATA_ARCH}": not written by splitscape); give it with --arch (e.g. linear,relu,linear) or --torch-repr FILE (the text print(model) shows); the state_dict holds ${describeTensors(file.tensors)}`);
    }
    list = parseArch(arch, `${path}: __metadata__.${METADATA_ARCH}`);
  }
  const storedShape = file.metadata[METADATA_INPUT_SHAPE];
  if (src.inputShape === undefined && storedShape !== undefined) {
    const where = `${path}: __metadata__.${METADATA_INPUT_SHAPE}`;
    return stateDictToModel(file.tensors, list, path, { ...src, inputShape: parseInputShape(storedShape, where), inputShapeSource: where });
  }
  return stateDictToModel(file.tensors, list, path, src);
}
