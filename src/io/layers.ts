/**
 * Layer lists of a `torch.nn.Sequential`, from the two texts a user has at hand:
 *
 *  - an ARCH string: layers in order, comma-separated, parameters after colons, e.g.
 *      `linear,tanh,linear`   `linear,leaky_relu:0.05,linear`
 *      `conv2d:3,relu,conv2d:3:2:1,relu,flatten,linear`   (conv2d:kernel[:stride[:padding]])
 *      `avgpool2d:2`   `identity`   `dropout`
 *    any other word is an activation (`relu`, `tanh`, `relu_power:3`, …) for the model layer to
 *    check; module i of the Sequential is token i, so its state_dict keys are `i.weight`, `i.bias`;
 *  - the text `print(model)` shows, e.g.
 *      Sequential(
 *        (0): Linear(in_features=3, out_features=5, bias=True)
 *        (1): Tanh()
 *        (2): Linear(in_features=5, out_features=1, bias=True)
 *      )
 *    which also states the sizes and whether each Linear has a bias (checked against the weights).
 *
 * This module is syntax only: names and numbers. Which layers a model kind can hold, and the
 * activation names, are decided by model/ (torchModel.ts).
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

/** Conv2d with a square kernel (stride and padding cannot be read from a state_dict). */
export interface Conv2dSpec {
  readonly kind: "conv2d";
  readonly key: string;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  readonly inChannels?: number;
  readonly outChannels?: number;
  readonly bias?: boolean;
}

/** AvgPool2d with a square window (stride = kernel unless given). */
export interface AvgPool2dSpec {
  readonly kind: "avgpool2d";
  readonly key: string;
  readonly kernel: number;
  readonly stride: number;
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

export type LayerSpec = LinearSpec | ActivationSpec | Conv2dSpec | AvgPool2dSpec | FlattenSpec | IdentitySpec;

/** A layer list and where it came from (`--arch`, a repr file, a safetensors file's metadata). */
export interface LayerList {
  readonly layers: readonly LayerSpec[];
  readonly source: string;
}

/** Activation names PyTorch spells differently, in ARCH strings. */
const ARCH_ALIASES: Readonly<Record<string, string>> = { silu: "swish" };

/** Parse an ARCH string; InputError(source, …) naming the token and what was expected. */
export function parseArch(text: string, source: string): LayerList {
  const tokens = text.split(",").map((t) => t.trim());
  if (tokens.length === 0 || (tokens.length === 1 && tokens[0] === "")) {
    throw new InputError(source, "empty architecture; expected layers such as linear,relu,linear");
  }
  const layers = tokens.map((token, i) => parseArchToken(token, String(i), source));
  return { layers, source };
}

function parseArchToken(token: string, key: string, source: string): LayerSpec {
  const where = `layer ${key} (${JSON.stringify(token)})`;
  if (token === "") throw new InputError(source, `${where}: empty layer (two commas in a row?)`);
  const [head, ...rest] = token.split(":").map((s) => s.trim());
  const nums = rest.map((r) => {
    const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(r) ? Number(r) : NaN;
    if (!Number.isFinite(v)) throw new InputError(source, `${where}: parameter ${JSON.stringify(r)} is not a number`);
    return v;
  });
  const ints = (min: number, max: number, names: string[]): number[] => {
    if (nums.length < min || nums.length > max) throw new InputError(source, `${where}: expected ${head}:${names.slice(0, max).join("[:")}${"]".repeat(max - min)}`);
    nums.forEach((v, j) => {
      if (!Number.isSafeInteger(v) || v < (names[j] === "padding" ? 0 : 1)) {
        throw new InputError(source, `${where}: ${names[j]} must be an integer ≥ ${names[j] === "padding" ? 0 : 1}, got ${v}`);
      }
    });
    return nums;
  };
  switch (head) {
    case "linear":
      ints(0, 0, []);
      return { kind: "linear", key };
    case "conv2d": {
      const [kernel, stride = 1, padding = 0] = ints(1, 3, ["kernel", "stride", "padding"]);
      return { kind: "conv2d", key, kernel, stride, padding };
    }
    case "avgpool2d": {
      const [kernel, stride = kernel] = ints(1, 2, ["kernel", "stride"]);
      return { kind: "avgpool2d", key, kernel, stride };
    }
    case "flatten":
      ints(0, 0, []);
      return { kind: "flatten", key };
    case "identity":
    case "dropout":
      if (nums.length > 1) throw new InputError(source, `${where}: expected ${head} or ${head}:p`);
      return { kind: "identity", key, text: token };
  }
  if (!/^[a-z][a-z0-9_]*$/.test(head)) throw new InputError(source, `${where}: expected a layer (linear, conv2d:k, avgpool2d:k, flatten) or an activation name`);
  if (nums.length > 1) throw new InputError(source, `${where}: an activation takes at most one parameter (leaky_relu:0.05)`);
  return { kind: "activation", key, activation: ARCH_ALIASES[head] ?? head, param: nums[0], text: token };
}

/** A parsed argument value of a module's repr. */
type ReprValue = number | boolean | string | number[];

/**
 * Parse the text `print(model)` shows for a torch.nn.Sequential (one child per line,
 * `(NAME): Module(args)`). InputError(source, …) names the line for anything else: nested
 * containers, modules without a splitscape counterpart (BatchNorm, LayerNorm, Conv1d, …).
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
  const int = (v: ReprValue | undefined, name: string, dflt?: number): number => {
    const x = Array.isArray(v) ? square(v, name) : v ?? dflt;
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) throw new InputError(source, `${where}: ${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return x;
  };
  const square = (v: number[], name: string): number => {
    if (v.some((x) => x !== v[0])) throw new InputError(source, `${where}: only square ${name} are supported, got (${v.join(", ")})`);
    return v[0];
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
  switch (module) {
    case "Linear":
      return {
        kind: "linear", key, bias: flag("bias", true),
        inFeatures: int(args.named.get("in_features") ?? args.positional[0], "in_features"),
        outFeatures: int(args.named.get("out_features") ?? args.positional[1], "out_features"),
      };
    case "Conv2d": {
      for (const [k, dflt] of [["dilation", 1], ["groups", 1]] as const) {
        if (args.named.has(k) && int(args.named.get(k), k) !== dflt) throw new InputError(source, `${where}: ${k} ≠ ${dflt} is not supported`);
      }
      const mode = args.named.get("padding_mode");
      if (mode !== undefined && mode !== "zeros") throw new InputError(source, `${where}: padding_mode ${JSON.stringify(mode)} is not supported (zeros is)`);
      return {
        kind: "conv2d", key, bias: flag("bias", true),
        inChannels: int(args.positional[0] ?? args.named.get("in_channels"), "in_channels"),
        outChannels: int(args.positional[1] ?? args.named.get("out_channels"), "out_channels"),
        kernel: int(args.positional[2] ?? args.named.get("kernel_size"), "kernel_size"),
        stride: int(args.named.get("stride"), "stride", 1),
        padding: int(args.named.get("padding"), "padding", 0),
      };
    }
    case "AvgPool2d": {
      const kernel = int(args.named.get("kernel_size") ?? args.positional[0], "kernel_size");
      if (int(args.named.get("padding"), "padding", 0) !== 0) throw new InputError(source, `${where}: padding ≠ 0 is not supported`);
      return { kind: "avgpool2d", key, kernel, stride: int(args.named.get("stride"), "stride", kernel) };
    }
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
    `${where}: no splitscape counterpart; supported modules: Linear, ${Object.keys(TORCH_ACTIVATIONS).join(", ")}, Identity, Dropout, Conv2d, AvgPool2d, Flatten`,
  );
}

/** The ARCH token of a layer (the inverse of parseArch for one layer). */
export function archToken(layer: LayerSpec): string {
  switch (layer.kind) {
    case "linear": return "linear";
    case "activation": return layer.param === undefined ? layer.activation : `${layer.activation}:${layer.param}`;
    case "conv2d": return `conv2d:${layer.kernel}:${layer.stride}:${layer.padding}`;
    case "avgpool2d": return layer.stride === layer.kernel ? `avgpool2d:${layer.kernel}` : `avgpool2d:${layer.kernel}:${layer.stride}`;
    case "flatten": return "flatten";
    case "identity": return "identity";
  }
}
