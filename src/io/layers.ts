/**
 * Layer lists of a `torch.nn.Sequential`, from the two texts a user has at hand:
 *
 *  - an ARCH string: layers in order, comma-separated, parameters after colons, e.g.
 *      `linear,tanh,linear`   `linear,leaky_relu:0.05,linear`
 *      `conv2d:3,relu,conv2d:3:2:1,relu,flatten,linear`   (conv2d:kernel[:stride[:padding]])
 *      `conv1d:5,relu,avgpool1d:2,flatten,linear`   `avgpool2d:kernel[:stride[:padding]]`
 *      `identity`   `dropout`
 *    a 2-D size is a number or HxW (`conv2d:3x1:1x2:1x0`, PyTorch's kernel_size=(3, 1), …);
 *    any other word is an activation (`relu`, `tanh`, `relu_power:3`, …) for the model layer to
 *    check; module i of the Sequential is token i, so its state_dict keys are `i.weight`, `i.bias`;
 *  - the text `print(model)` shows, e.g.
 *      Sequential(
 *        (0): Linear(in_features=3, out_features=5, bias=True)
 *        (1): Tanh()
 *        (2): Linear(in_features=5, out_features=1, bias=True)
 *      )
 *    which also states the sizes and whether each Linear or Conv has a bias (checked against the
 *    weights).
 *
 * This module is syntax only: names and numbers. Which layers a model kind can hold, and the
 * activation names, are decided by model/ (torchModel.ts, torchConv.ts).
 */
import { InputError } from "../common/errors.js";

/** A Linear layer (`key.weight` out×in, optional `key.bias`). Sizes and bias when the text says. */
export interface LinearSpec {
  readonly kind: "linear";
  /** Module name in the Sequential, the prefix of its state_dict keys ("0", "fc1"). */
  readonly key: string;
  readonly inFeatures?: number;
  readonly outFeatures?: number;
  readonly bias?: boolean;
}

/** A parameter-free activation, by splitscape's name (`leaky_relu`) and its parameter. */
export interface ActivationSpec {
  readonly kind: "activation";
  readonly key: string;
  readonly activation: string;
  readonly param?: number;
  /** The text it came from, for messages ("LeakyReLU(negative_slope=0.05)", "leaky_relu:0.05"). */
  readonly text: string;
}

/**
 * Conv1d (dims 1) or Conv2d (dims 2). kernel, stride and padding hold one size per spatial
 * dimension ([k] or [kh, kw]); stride and padding cannot be read from a state_dict.
 */
export interface ConvSpec {
  readonly kind: "conv";
  readonly dims: 1 | 2;
  readonly key: string;
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly inChannels?: number;
  readonly outChannels?: number;
  readonly bias?: boolean;
}

/**
 * AvgPool1d or AvgPool2d (stride = kernel unless given; zero padding, counted in the divisor as
 * PyTorch's default count_include_pad=True does; ceil_mode=False). Sizes as in ConvSpec.
 */
export interface AvgPoolSpec {
  readonly kind: "avgpool";
  readonly dims: 1 | 2;
  readonly key: string;
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
}

/** Flatten(start_dim=1, end_dim=−1). */
export interface FlattenSpec {
  readonly kind: "flatten";
  readonly key: string;
}

/** A layer that is the identity at evaluation: Identity, Dropout (no parameters). */
export interface IdentitySpec {
  readonly kind: "identity";
  readonly key: string;
  readonly text: string;
}

export type LayerSpec = LinearSpec | ActivationSpec | ConvSpec | AvgPoolSpec | FlattenSpec | IdentitySpec;

/** A layer list and where it came from (`--arch`, a repr file, a safetensors file's metadata). */
export interface LayerList {
  readonly layers: readonly LayerSpec[];
  readonly source: string;
}

/** Activation names PyTorch spells differently, in ARCH strings. */
const ARCH_ALIASES: Readonly<Record<string, string>> = { silu: "swish" };

/**
 * Parse an ARCH string; InputError(source, …) naming the token and what was expected.
 *
 * @param text - the ARCH string, e.g. `linear,tanh,linear` or `conv2d:3,relu,flatten,linear`
 * @param source - the option or file the InputErrors name
 * @returns the layers in order (module i is token i) and `source`
 * @example
 * ```ts
 * import { parseArch } from "splitscape";
 * const list = parseArch("conv2d:3:2:1,relu,flatten,linear", "--arch");
 * console.log(list.layers.map((l) => l.kind)); // ["conv", "activation", "flatten", "linear"]
 * ```
 */
export function parseArch(text: string, source: string): LayerList {
  const tokens = text.split(",").map((t) => t.trim());
  if (tokens.length === 0 || (tokens.length === 1 && tokens[0] === "")) {
    throw new InputError(source, "empty architecture; expected layers such as linear,relu,linear");
  }
  const layers = tokens.map((token, i) => parseArchToken(token, String(i), source));
  return { layers, source };
}

/** The windowed layers of an ARCH string: `conv2d`, `conv1d`, `avgpool2d`, `avgpool1d`. */
const WINDOWED = /^(conv|avgpool)([12])d$/;

function parseArchToken(token: string, key: string, source: string): LayerSpec {
  const where = `layer ${key} (${JSON.stringify(token)})`;
  if (token === "") throw new InputError(source, `${where}: empty layer (two commas in a row?)`);
  const [head, ...rest] = token.split(":").map((s) => s.trim());
  const windowed = WINDOWED.exec(head);
  if (windowed !== null) return windowedToken(windowed[1] as "conv" | "avgpool", windowed[2] === "1" ? 1 : 2, rest, key, where, source);
  const nums = rest.map((r) => {
    const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(r) ? Number(r) : NaN;
    if (!Number.isFinite(v)) throw new InputError(source, `${where}: parameter ${JSON.stringify(r)} is not a number`);
    return v;
  });
  switch (head) {
    case "linear":
    case "flatten":
      if (nums.length > 0) throw new InputError(source, `${where}: ${head} takes no parameters`);
      return head === "linear" ? { kind: "linear", key } : { kind: "flatten", key };
    case "identity":
    case "dropout":
      if (nums.length > 1) throw new InputError(source, `${where}: expected ${head} or ${head}:p`);
      return { kind: "identity", key, text: token };
  }
  if (!/^[a-z][a-z0-9_]*$/.test(head) || /^(conv|avgpool|maxpool)\d?d$/.test(head)) {
    throw new InputError(source, `${where}: expected a layer (linear, conv2d:k, conv1d:k, avgpool2d:k, avgpool1d:k, flatten) or an activation name`);
  }
  if (nums.length > 1) throw new InputError(source, `${where}: an activation takes at most one parameter (leaky_relu:0.05)`);
  return { kind: "activation", key, activation: ARCH_ALIASES[head] ?? head, param: nums[0], text: token };
}

/**
 * `conv{1,2}d:kernel[:stride[:padding]]` (stride 1, padding 0 by default) or
 * `avgpool{1,2}d:kernel[:stride[:padding]]` (stride = kernel by default); a 2-D size is N or HxW.
 */
function windowedToken(type: "conv" | "avgpool", dims: 1 | 2, rest: string[], key: string, where: string, source: string): ConvSpec | AvgPoolSpec {
  const head = `${type}${dims}d`;
  if (rest.length < 1 || rest.length > 3) throw new InputError(source, `${where}: expected ${head}:kernel[:stride[:padding]]`);
  const names = ["kernel", "stride", "padding"];
  const [kernel, stride, padding] = rest.map((r, j) => {
    const min = names[j] === "padding" ? 0 : 1;
    const parts = r.split(/[xX×]/).map((t) => t.trim());
    const v = parts.map((t) => (/^\d+$/.test(t) ? Number(t) : NaN));
    const ok = (parts.length === 1 || (dims === 2 && parts.length === 2)) && v.every((x) => Number.isSafeInteger(x) && x >= min);
    if (!ok) {
      throw new InputError(source, `${where}: ${names[j]} must be an integer ≥ ${min}${dims === 2 ? " or HxW of them" : ""}, got ${JSON.stringify(r)}`);
    }
    return v.length === dims ? v : Array<number>(dims).fill(v[0]);
  });
  const zeros = Array<number>(dims).fill(0);
  if (type === "conv") return { kind: "conv", dims, key, kernel, stride: stride ?? Array<number>(dims).fill(1), padding: padding ?? zeros };
  return { kind: "avgpool", dims, key, kernel, stride: stride ?? kernel, padding: padding ?? zeros };
}

/**
 * An input shape as `--input-shape` and splitscape's metadata write it: 1 to 3 comma-separated
 * positive integers (C,H,W for Conv2d, C,L for Conv1d; any for a Linear chain, whose input size
 * is their product). InputError(source, …) otherwise.
 *
 * @param text - comma-separated positive integers, e.g. `1,28,28`
 * @param source - the option or file the InputErrors name
 * @returns the shape as numbers
 * @example
 * ```ts
 * import { parseInputShape } from "splitscape";
 * console.log(parseInputShape("3,32,32", "--input-shape")); // [3, 32, 32]
 * ```
 */
export function parseInputShape(text: string, source: string): number[] {
  const v = text.split(",").map((s) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : NaN));
  if (v.length > 3 || !v.every((x) => Number.isSafeInteger(x) && x >= 1)) {
    throw new InputError(source, `expected C,H,W (Conv2d) or C,L (Conv1d) of positive integers, got ${JSON.stringify(text)}`);
  }
  return v;
}

/** A parsed argument value of a module's repr. */
type ReprValue = number | boolean | string | number[];

/**
 * Parse the text `print(model)` shows for a torch.nn.Sequential (one child per line,
 * `(NAME): Module(args)`). InputError(source, …) names the line for anything else: nested
 * containers, modules without a splitscape counterpart (BatchNorm, LayerNorm, MaxPool2d, …).
 *
 * @param text - the text `print(model)` prints for a torch.nn.Sequential
 * @param source - the file the InputErrors name (with the line)
 * @returns the layers in order, with the sizes and biases the text states, and `source`
 * @example
 * ```ts
 * import { parseTorchRepr } from "splitscape";
 * const repr = `Sequential(
 *   (0): Linear(in_features=3, out_features=5, bias=True)
 *   (1): Tanh()
 *   (2): Linear(in_features=5, out_features=1, bias=True)
 * )`;
 * console.log(parseTorchRepr(repr, "model.txt").layers.length); // 3
 * ```
 */
export function parseTorchRepr(text: string, source: string): LayerList {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map((l) => l.trim()).filter((l) => l !== "");
  if (lines.length < 2 || !/^Sequential\($/.test(lines[0]) || lines[lines.length - 1] !== ")") {
    throw new InputError(source, "expected the text print(model) shows for a torch.nn.Sequential: \"Sequential(\", one \"(0): Linear(…)\" line per layer, \")\"");
  }
  const layers: LayerSpec[] = [];
  for (let i = 1; i < lines.length - 1; i++) {
    const m = /^\(([A-Za-z0-9_]+)\):\s*([A-Za-z0-9_]+)\((.*)\)$/.exec(lines[i]);
    if (m === null) {
      const nested = /^\([A-Za-z0-9_]+\):\s*[A-Za-z0-9_]+\($/.test(lines[i]);
      throw new InputError(source, `line ${i + 1}: ${nested ? "nested containers are not supported (flatten the Sequential)" : "expected \"(NAME): Module(arguments)\""}: ${JSON.stringify(lines[i])}`);
    }
    const [, key, module, argText] = m;
    layers.push(reprLayer(key, module, parseArgs(argText, source, i + 1), lines[i], source, i + 1));
  }
  if (layers.length === 0) throw new InputError(source, "the Sequential has no layers");
  return { layers, source };
}

interface Args {
  readonly positional: ReprValue[];
  readonly named: Map<string, ReprValue>;
}

function parseArgs(text: string, source: string, line: number): Args {
  const positional: ReprValue[] = [];
  const named = new Map<string, ReprValue>();
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") parts.push(cur);
  for (const p of parts.map((s) => s.trim())) {
    const eq = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(p);
    if (eq) named.set(eq[1], reprValue(eq[2].trim(), source, line));
    else positional.push(reprValue(p, source, line));
  }
  return { positional, named };
}

function reprValue(v: string, source: string, line: number): ReprValue {
  if (v === "True" || v === "False") return v === "True";
  if (/^'.*'$/.test(v) || /^".*"$/.test(v)) return v.slice(1, -1);
  if (v.startsWith("(") && v.endsWith(")")) {
    return v.slice(1, -1).split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => {
      const x = Number(s);
      if (!Number.isFinite(x)) throw new InputError(source, `line ${line}: ${JSON.stringify(v)} is not a tuple of numbers`);
      return x;
    });
  }
  const x = Number(v);
  if (v === "" || !Number.isFinite(x)) return v;
  return x;
}

/** Where PyTorch module names map to splitscape activation names. */
const TORCH_ACTIVATIONS: Readonly<Record<string, string>> = {
  ReLU: "relu", LeakyReLU: "leaky_relu", Tanh: "tanh", Sigmoid: "sigmoid", Softplus: "softplus", GELU: "gelu", SiLU: "swish",
};
const NORMALISATION = /^(BatchNorm\d?d?|LayerNorm|GroupNorm|InstanceNorm\dd|LocalResponseNorm|RMSNorm)$/;

function reprLayer(key: string, module: string, args: Args, text: string, source: string, line: number): LayerSpec {
  const where = `line ${line} (${module} at (${key}))`;
  const int = (v: ReprValue | undefined, name: string): number => {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new InputError(source, `${where}: ${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const flag = (name: string, dflt: boolean): boolean => {
    const v = args.named.get(name) ?? dflt;
    if (typeof v !== "boolean") throw new InputError(source, `${where}: ${name} must be True or False`);
    return v;
  };
  const num = (name: string, dflt: number): number => {
    const v = args.named.get(name) ?? dflt;
    if (typeof v !== "number") throw new InputError(source, `${where}: ${name} must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const windowed = /^(Conv|AvgPool)([12])d$/.exec(module);
  if (windowed !== null) {
    const dims = windowed[2] === "1" ? 1 : 2;
    const ctx: ReprContext = { args, where, source, dims };
    return windowed[1] === "Conv" ? reprConv(key, ctx, flag("bias", true)) : reprAvgPool(key, ctx);
  }
  switch (module) {
    case "Linear":
      return {
        kind: "linear", key, bias: flag("bias", true),
        inFeatures: int(args.named.get("in_features") ?? args.positional[0], "in_features"),
        outFeatures: int(args.named.get("out_features") ?? args.positional[1], "out_features"),
      };
    case "Flatten":
      if (num("start_dim", 1) !== 1 || num("end_dim", -1) !== -1) throw new InputError(source, `${where}: only Flatten(start_dim=1, end_dim=-1) is supported`);
      return { kind: "flatten", key };
    case "Identity":
    case "Dropout":
      return { kind: "identity", key, text };
  }
  if (module in TORCH_ACTIVATIONS) {
    const activation = TORCH_ACTIVATIONS[module];
    if (module === "LeakyReLU") return { kind: "activation", key, activation, param: num("negative_slope", 0.01), text };
    if (module === "Softplus" && num("beta", 1) !== 1) throw new InputError(source, `${where}: Softplus with beta ≠ 1 has no splitscape counterpart (softplus is log(1 + eˣ))`);
    if (module === "GELU" && (args.named.get("approximate") ?? "none") !== "none") {
      throw new InputError(source, `${where}: GELU(approximate='tanh') has no splitscape counterpart (gelu is the exact x·Φ(x), approximate='none')`);
    }
    return { kind: "activation", key, activation, text };
  }
  if (NORMALISATION.test(module)) {
    throw new InputError(source, `${where}: normalisation layers cannot be mapped onto splitscape's model kinds (they have no ${module}); fold it into the neighbouring Linear or train without it`);
  }
  throw new InputError(
    source,
    `${where}: no splitscape counterpart; supported modules: Linear, ${Object.keys(TORCH_ACTIVATIONS).join(", ")}, Identity, Dropout, Conv1d, Conv2d, AvgPool1d, AvgPool2d, Flatten`,
  );
}

/** What the Conv/AvgPool readers need of one repr line. */
interface ReprContext {
  readonly args: Args;
  readonly where: string;
  readonly source: string;
  readonly dims: 1 | 2;
}

/**
 * A size argument of Conv{1,2}d / AvgPool{1,2}d: a number (the same in every dimension) or a
 * tuple of `dims` numbers, each an integer ≥ min; `dflt` when absent.
 */
function reprSizes(ctx: ReprContext, v: ReprValue | undefined, name: string, min: number, dflt?: readonly number[]): number[] {
  if (v === undefined && dflt !== undefined) return [...dflt];
  const list = typeof v === "number" ? Array<number>(ctx.dims).fill(v) : Array.isArray(v) ? v : null;
  if (list === null || list.length !== ctx.dims || !list.every((x) => Number.isSafeInteger(x) && x >= min)) {
    const tuple = ctx.dims === 1 ? "(k,)" : "(h, w)";
    throw new InputError(ctx.source, `${ctx.where}: ${name} must be an integer ≥ ${min} or a tuple ${tuple} of them, got ${JSON.stringify(v ?? null)}`);
  }
  return list;
}

/**
 * Conv1d/Conv2d(in, out, kernel_size=…, stride=…, padding=…, bias=…): dilation 1, groups 1 and
 * padding_mode 'zeros' only; padding 'valid' is 0 and 'same' (stride 1) is (k − 1)/2 for odd k
 * (PyTorch pads an even kernel unevenly, which the conv kind cannot hold).
 */
function reprConv(key: string, ctx: ReprContext, bias: boolean): ConvSpec {
  const { args, where, source, dims } = ctx;
  const channels = (v: ReprValue | undefined, name: string): number => {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) throw new InputError(source, `${where}: ${name} must be a positive integer, got ${JSON.stringify(v ?? null)}`);
    return v;
  };
  for (const name of ["dilation", "groups"]) {
    if (reprSizes(ctx, args.named.get(name), name, 1, [1]).some((x) => x !== 1)) throw new InputError(source, `${where}: ${name} ≠ 1 is not supported`);
  }
  const mode = args.named.get("padding_mode");
  if (mode !== undefined && mode !== "zeros") throw new InputError(source, `${where}: padding_mode ${JSON.stringify(mode)} is not supported (zeros is)`);
  const kernel = reprSizes(ctx, args.positional[2] ?? args.named.get("kernel_size"), "kernel_size", 1);
  const stride = reprSizes(ctx, args.positional[3] ?? args.named.get("stride"), "stride", 1, Array<number>(dims).fill(1));
  const pad = args.positional[4] ?? args.named.get("padding");
  let padding: number[];
  if (pad === "valid") padding = Array<number>(dims).fill(0);
  else if (pad === "same") {
    if (stride.some((s) => s !== 1) || kernel.some((k) => k % 2 === 0)) {
      throw new InputError(source, `${where}: padding='same' is supported for stride 1 and odd kernels only (an even kernel is padded unevenly), got kernel_size ${JSON.stringify(kernel)}`);
    }
    padding = kernel.map((k) => (k - 1) / 2);
  } else padding = reprSizes(ctx, pad, "padding", 0, Array<number>(dims).fill(0));
  return {
    kind: "conv", dims, key, bias, kernel, stride, padding,
    inChannels: channels(args.positional[0] ?? args.named.get("in_channels"), "in_channels"),
    outChannels: channels(args.positional[1] ?? args.named.get("out_channels"), "out_channels"),
  };
}

/**
 * AvgPool1d/AvgPool2d(kernel_size, stride, padding). print(model) does not show ceil_mode or
 * count_include_pad: PyTorch's defaults (False, True) are assumed, which the conv kind computes;
 * other values, when written, are refused, as is divisor_override.
 */
function reprAvgPool(key: string, ctx: ReprContext): AvgPoolSpec {
  const { args, where, source, dims } = ctx;
  const kernel = reprSizes(ctx, args.positional[0] ?? args.named.get("kernel_size"), "kernel_size", 1);
  const strideArg = args.positional[1] ?? args.named.get("stride");
  const stride = reprSizes(ctx, strideArg === "None" ? undefined : strideArg, "stride", 1, kernel);
  const padding = reprSizes(ctx, args.positional[2] ?? args.named.get("padding"), "padding", 0, Array<number>(dims).fill(0));
  const bad = (name: string, ok: ReprValue): boolean => args.named.has(name) && args.named.get(name) !== ok;
  if (bad("ceil_mode", false)) throw new InputError(source, `${where}: ceil_mode=True is not supported (output sizes are ⌊(n + 2p − k)/s⌋ + 1)`);
  if (bad("count_include_pad", true) && padding.some((p) => p > 0)) {
    throw new InputError(source, `${where}: count_include_pad=False with padding is not supported (the divisor is always the window size)`);
  }
  if (bad("divisor_override", "None")) throw new InputError(source, `${where}: divisor_override is not supported`);
  return { kind: "avgpool", dims, key, kernel, stride, padding };
}

/**
 * The ARCH token of a layer (the inverse of parseArch for one layer).
 *
 * @param layer - one parsed layer
 * @returns its ARCH token, e.g. `conv2d:3:2:1` or `tanh` (parseArch of the joined tokens gives the
 * layers back)
 * @example
 * ```ts
 * import { archToken, parseArch } from "splitscape";
 * const layers = parseArch("linear,leaky_relu:0.05,linear", "--arch").layers;
 * console.log(layers.map(archToken).join(",")); // "linear,leaky_relu:0.05,linear"
 * ```
 */
export function archToken(layer: LayerSpec): string {
  const size = (v: readonly number[]): string => (v.every((x) => x === v[0]) ? String(v[0]) : v.join("x"));
  switch (layer.kind) {
    case "linear": return "linear";
    case "activation": return layer.param === undefined ? layer.activation : `${layer.activation}:${layer.param}`;
    case "conv": return `conv${layer.dims}d:${size(layer.kernel)}:${size(layer.stride)}:${size(layer.padding)}`;
    case "avgpool": {
      const head = `avgpool${layer.dims}d:${size(layer.kernel)}`;
      if (layer.padding.some((p) => p !== 0)) return `${head}:${size(layer.stride)}:${size(layer.padding)}`;
      return layer.stride.every((s, i) => s === layer.kernel[i]) ? head : `${head}:${size(layer.stride)}`;
    }
    case "flatten": return "flatten";
    case "identity": return "identity";
  }
}
