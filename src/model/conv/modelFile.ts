/**
 * The model-file form of a conv network (INTERFACES.md, "Model file"):
 *   { "kind": "conv", "activation": A, "input": [C, H, W] (2-D) | [C, L] (1-D),
 *     "layers": [ { "type": "conv", "weight": K, "stride"?: s, "padding"?: p }
 *               | { "type": "avgpool", "kernel": k, "stride"?: s, "padding"?: p }, … ],
 *     "head": [[…features…], …outputs rows] }
 * K is the nested (out × in × kh × kw) array of PyTorch's Conv2d.weight.tolist() (Conv1d: out × in × k);
 * s, p, k are a number or [h, w] (2-D); stride defaults to 1 (conv) or the kernel (avgpool), padding
 * to 0. Every problem is an InputError naming the file, the field and what was expected.
 */
import { InputError } from "../../common/errors.js";
import type { Activation } from "../activations.js";
import { activationToJson } from "../activations.js";
import type { ConvArchitecture, StageSpec } from "./architecture.js";
import { convArchitecture, convGeometry, convWeights } from "./architecture.js";

/** Nested numbers: a tensor written as arrays of arrays. */
export type NestedNumbers = number | NestedNumbers[];

/** JSON form of a conv model. */
export interface ConvModelJson {
  kind: "conv";
  activation: ReturnType<typeof activationToJson>;
  input: number[];
  layers: Array<
    | { type: "conv"; weight: NestedNumbers[]; stride: number | number[]; padding: number | number[] }
    | { type: "avgpool"; kernel: number | number[]; stride: number | number[]; padding: number | number[] }
  >;
  head: number[][];
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * A nested array of finite numbers with `shape.length` levels; shape[i] = −1 leaves that extent
 * free (it is taken from the first element). Returns the shape and the row-major entries.
 */
function tensor(v: unknown, shape: readonly number[], names: readonly string[], source: string, field: string): { shape: number[]; data: number[] } {
  const found = shape.slice();
  const data: number[] = [];
  const walk = (x: unknown, level: number, where: string): void => {
    if (level === shape.length) {
      if (typeof x !== "number" || !Number.isFinite(x)) throw new InputError(source, `entry ${where || "[]"} is not a finite number (got ${show(x)})`, field);
      data.push(x);
      return;
    }
    if (!Array.isArray(x)) {
      throw new InputError(source, `expected ${shape.length - level} more level(s) of nested arrays (${names.slice(level).join(" × ")}) at ${where || "the top"}, got ${show(x)}`, field);
    }
    if (found[level] < 0) {
      if (x.length === 0) throw new InputError(source, `${names[level]} is 0 at ${where || "the top"}; expected at least 1`, field);
      found[level] = x.length;
    } else if (x.length !== found[level]) {
      throw new InputError(source, `has ${x.length} entries at ${where || "the top"}, expected ${found[level]} (${names[level]})`, field);
    }
    x.forEach((y: unknown, i: number) => walk(y, level + 1, `${where}[${i}]`));
  };
  walk(v, 0, "");
  return { shape: found, data };
}

/** A positive (min 1) or non-negative (min 0) integer, or a list of `dims` of them. */
function sizes(v: unknown, dims: 1 | 2, min: number, source: string, field: string): number | number[] {
  const ok = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= min;
  const what = `an integer ≥ ${min}${dims === 2 ? " or [h, w] of them" : ""}`;
  if (ok(v)) return v;
  if (Array.isArray(v) && v.length === dims && v.every(ok)) return v as number[];
  throw new InputError(source, `expected ${what}, got ${show(v)}`, field);
}

/** Parse the conv fields of a model record (kind and activation already checked). */
export function parseConvModel(o: Record<string, unknown>, activation: Activation, source: string): { arch: ConvArchitecture; theta: Float64Array } {
  const input = o.input;
  const inputOk = Array.isArray(input) && (input.length === 2 || input.length === 3) &&
    input.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 1 && x <= 2 ** 31);
  if (!inputOk) {
    throw new InputError(source, `expected [channels, height, width] (Conv2d) or [channels, length] (Conv1d) of positive integers, got ${show(input)}`, "input");
  }
  const dims: 1 | 2 = input.length === 3 ? 2 : 1;
  if (!Array.isArray(o.layers)) throw new InputError(source, `expected an array of {"type": "conv" | "avgpool", …} layers, got ${show(o.layers)}`, "layers");
  let channels = input[0] as number;
  const stages: StageSpec[] = [];
  const parts: number[][] = [];
  o.layers.forEach((layer: unknown, i: number) => {
    const field = `layers[${i}]`;
    if (layer === null || typeof layer !== "object" || Array.isArray(layer)) {
      throw new InputError(source, `expected {"type": "conv" | "avgpool", …}, got ${show(layer)}`, field);
    }
    const L = layer as Record<string, unknown>;
    if (L.type === "conv") {
      const names = dims === 2 ? ["out channels", "in channels", "kernel height", "kernel width"] : ["out channels", "in channels", "kernel length"];
      const K = tensor(L.weight, dims === 2 ? [-1, channels, -1, -1] : [-1, channels, -1], names, source, `${field}.weight`);
      const kernel = dims === 2 ? [K.shape[2], K.shape[3]] : [K.shape[2]];
      stages.push({
        type: "conv", channels: K.shape[0], kernel,
        stride: L.stride === undefined ? 1 : sizes(L.stride, dims, 1, source, `${field}.stride`),
        padding: L.padding === undefined ? 0 : sizes(L.padding, dims, 0, source, `${field}.padding`),
      });
      parts.push(K.data);
      channels = K.shape[0];
    } else if (L.type === "avgpool") {
      if (L.kernel === undefined) throw new InputError(source, "missing (the pooling window, e.g. 2)", `${field}.kernel`);
      const kernel = sizes(L.kernel, dims, 1, source, `${field}.kernel`);
      stages.push({
        type: "avgpool", kernel,
        stride: L.stride === undefined ? kernel : sizes(L.stride, dims, 1, source, `${field}.stride`),
        padding: L.padding === undefined ? 0 : sizes(L.padding, dims, 0, source, `${field}.padding`),
      });
    } else {
      throw new InputError(source, `unknown layer type ${show(L.type)}; allowed: "conv", "avgpool" (σ follows every conv; flatten and the linear head are implicit)`, `${field}.type`);
    }
  });
  const spec = {
    dims, input: { channels: input[0] as number, height: dims === 2 ? (input[1] as number) : 1, width: input[input.length - 1] as number },
    stages, outputs: 1, activation,
  };
  let features: number;
  try {
    features = convGeometry(convArchitecture(spec)).features;
  } catch (err) {
    throw new InputError(source, (err as Error).message.replace(/^conv: /, ""), "layers");
  }
  const head = tensor(o.head, [-1, features], ["outputs", `features (${features} = C·H·W after the last layer)`], source, "head");
  const arch = convArchitecture({ ...spec, outputs: head.shape[0] });
  parts.push(head.data);
  return { arch, theta: Float64Array.from(parts.flat()) };
}

function nest(data: Float64Array, shape: readonly number[]): NestedNumbers[] {
  if (shape.length === 1) return Array.from(data);
  const step = data.length / shape[0];
  const out: NestedNumbers[] = [];
  for (let i = 0; i < shape[0]; i++) out.push(nest(data.subarray(i * step, (i + 1) * step), shape.slice(1)));
  return out;
}

/** The JSON record of a conv model (parseConvModel reproduces it exactly). */
export function convModelToJson(arch: ConvArchitecture, theta: Float64Array): ConvModelJson {
  const g = convGeometry(arch);
  const w = convWeights(arch, theta);
  const pick = (v: readonly [number, number]): number | number[] => (arch.dims === 1 ? v[1] : [v[0], v[1]]);
  let l = 0;
  const layers: ConvModelJson["layers"] = g.stages.map((sg) => {
    const s = sg.stage;
    if (s.type === "avgpool") return { type: "avgpool", kernel: pick(s.kernel), stride: pick(s.stride), padding: pick(s.padding) };
    const shape = arch.dims === 2 ? [s.channels, sg.in.channels, s.kernel[0], s.kernel[1]] : [s.channels, sg.in.channels, s.kernel[1]];
    return { type: "conv", weight: nest(w.conv[l++], shape), stride: pick(s.stride), padding: pick(s.padding) };
  });
  const inp = arch.input;
  return {
    kind: "conv",
    activation: activationToJson(arch.activation),
    input: arch.dims === 2 ? [inp.channels, inp.height, inp.width] : [inp.channels, inp.width],
    layers,
    head: nest(w.head, [arch.outputs, g.features]) as number[][],
  };
}
