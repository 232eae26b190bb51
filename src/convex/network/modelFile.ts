// Model files of the convex family: the two-layer model file of INTERFACES.md restricted to what
// the convex program covers (ReLU, no output bias; scalar output unless vector outputs are
// asked for), read through model/'s validation, and the model-file record of a network.
import { InputError } from "../../common/errors.js";
import type { Matrix } from "../../linalg/index.js";
import { describeArchitecture, loadModel, parseModelJson, twoLayerParts, type ArchitectureSource, type Model } from "../../model/index.js";
import type { ReluNetwork } from "./network.js";

/** The two-layer model file of INTERFACES.md, restricted to what the convex program covers. */
export interface TwoLayerReluModel {
  /** m×d input weights. */
  readonly W: Matrix;
  /** m×k output weights, row-major (k = 1: one per neuron). */
  readonly a: Float64Array;
  /** Number of outputs k. */
  readonly k: number;
  /** m input biases, or null. */
  readonly b: Float64Array | null;
}

/**
 * A two-layer ReLU model (model/ file format, validated there) restricted to what the convex
 * program covers: scalar output and no output bias c (c is not regularised, so it is not part of
 * the group-lasso reformulation; c = 0 is accepted). Anything else is an InputError.
 */
export function toTwoLayerReluModel(model: Model, source: string, opts: { vector?: boolean } = {}): TwoLayerReluModel {
  const arch = model.arch;
  if (arch.kind !== "two-layer") throw new InputError(source, `the convex reformulation covers two-layer networks, got ${describeArchitecture(arch)}`, "kind");
  if (arch.activation.name !== "relu") throw new InputError(source, `the convex reformulation needs "relu", got ${JSON.stringify(arch.activation.name)}`, "activation");
  if (arch.k !== 1 && !opts.vector) throw new InputError(source, `expected a scalar-output model (a: m numbers), got ${arch.k} outputs per neuron`, "a");
  const parts = twoLayerParts(arch, model.theta);
  if (parts.c !== null && parts.c.some((x) => x !== 0)) {
    throw new InputError(source, "an output bias is not regularised and not part of the convex program; expected 0 or absent", "c");
  }
  return { W: { rows: arch.m, cols: arch.d, data: parts.W.slice() }, a: parts.a.slice(), k: arch.k, b: parts.b === null ? null : parts.b.slice() };
}

/**
 * Parse a two-layer ReLU model JSON (model/ validation, then toTwoLayerReluModel).
 *
 * @param json - the parsed JSON of a two-layer model file
 * @param source - names the input in error messages (a path, "--model")
 * @returns the validated model: W, a, k, b (InputError for anything the convex program does not cover)
 * @example
 * ```ts
 * import { modelToNetwork, parseTwoLayerReluModel } from "splitscape";
 * const model = parseTwoLayerReluModel({ kind: "two-layer", activation: "relu", W: [[1], [-1]], a: [1, 1], b: [0, 0] }, "inline");
 * console.log(modelToNetwork(model).D); // 2: x and the bias
 * ```
 */
export function parseTwoLayerReluModel(json: unknown, source: string): TwoLayerReluModel {
  return toTwoLayerReluModel(parseModelJson(json, source), source);
}

/**
 * Read and validate a two-layer ReLU model file (vector outputs only when `opts.vector`; safetensors layers from `opts.architecture`).
 *
 * @param path - a model file (JSON, or safetensors with `opts.architecture`)
 * @param opts - `vector` to accept k > 1 outputs, `architecture` for safetensors layers
 * @returns the validated model
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { loadTwoLayerReluModel, networkToModelJson } from "splitscape";
 * const absNet = { W: Float64Array.of(1, 0, -1, 0), alpha: Float64Array.of(1, 1), m: 2, D: 2 };
 * writeFileSync("abs.json", JSON.stringify(networkToModelJson(absNet, true)));
 * console.log(loadTwoLayerReluModel("abs.json").W.rows); // 2
 * ```
 */
export function loadTwoLayerReluModel(path: string, opts: { vector?: boolean; architecture?: ArchitectureSource } = {}): TwoLayerReluModel {
  return toTwoLayerReluModel(loadModel(path, opts.architecture), path, opts);
}

/** Input weights in X̃-space: w̃_j = [w_j, b_j] when the model has biases (m×D row-major). */
export function augmentedInputWeights(model: TwoLayerReluModel): { W: Float64Array; D: number } {
  const { rows: m, cols: d, data } = model.W;
  const D = model.b === null ? d : d + 1;
  const W = new Float64Array(m * D);
  for (let j = 0; j < m; j++) {
    W.set(data.subarray(j * d, (j + 1) * d), j * D);
    if (model.b !== null) W[j * D + d] = model.b[j];
  }
  return { W, D };
}

/**
 * The scalar-output network in X̃-space. RangeError for a vector-output model.
 *
 * @param model - a scalar-output two-layer ReLU model (`loadTwoLayerReluModel`)
 * @returns the network in X̃-space: rows [w_j, b_j] when the model has biases
 * @example
 * ```ts
 * import { modelToNetwork, parseTwoLayerReluModel } from "splitscape";
 * const net = modelToNetwork(parseTwoLayerReluModel({ kind: "two-layer", activation: "relu", W: [[2]], a: [0.5], b: [-1] }, "inline"));
 * console.log(Array.from(net.W), Array.from(net.alpha)); // [2, -1] [0.5]
 * ```
 */
export function modelToNetwork(model: TwoLayerReluModel): ReluNetwork {
  if (model.k !== 1) throw new RangeError(`modelToNetwork: the model has ${model.k} outputs; use modelToVectorNetwork`);
  const { W, D } = augmentedInputWeights(model);
  return { W, alpha: model.a.slice(), m: model.W.rows, D };
}

/**
 * The model file record of an m-neuron network with k outputs (A m×k row-major; k = 1: a list),
 * the bias the last input coordinate when `bias`. The network with no neurons (the zero function)
 * is written as one neuron with zero weights: a model file needs a row, and an inactive neuron
 * changes neither the function nor the objective.
 */
export function reluModelJson(W: Float64Array, A: Float64Array, m: number, D: number, k: number, bias: boolean): Record<string, unknown> {
  if (m === 0) return reluModelJson(new Float64Array(D), new Float64Array(k), 1, D, k, bias);
  const d = bias ? D - 1 : D;
  const rows: number[][] = [];
  const a: (number | number[])[] = [];
  const b: number[] = [];
  for (let j = 0; j < m; j++) {
    rows.push(Array.from(W.subarray(j * D, j * D + d)));
    a.push(k === 1 ? A[j] : Array.from(A.subarray(j * k, (j + 1) * k)));
    if (bias) b.push(W[j * D + d]);
  }
  return bias ? { kind: "two-layer", activation: "relu", W: rows, a, b } : { kind: "two-layer", activation: "relu", W: rows, a };
}

/**
 * The model file record of a network (bias = last coordinate when `bias`).
 *
 * @param net - the network
 * @param bias - the last input coordinate is a bias (the data went through `withBias`)
 * @returns the model file record (JSON-ready) of the two-layer ReLU model
 * @example
 * ```ts
 * import { networkToModelJson } from "splitscape";
 * const absNet = { W: Float64Array.of(1, 0, -1, 0), alpha: Float64Array.of(1, 1), m: 2, D: 2 };
 * console.log(JSON.stringify(networkToModelJson(absNet, true))); // {"kind":"two-layer",…,"b":[0,0]}
 * ```
 */
export function networkToModelJson(net: ReluNetwork, bias: boolean): { kind: "two-layer"; activation: "relu"; W: number[][]; a: number[]; b?: number[] } {
  return reluModelJson(net.W, net.alpha, net.m, net.D, 1, bias) as { kind: "two-layer"; activation: "relu"; W: number[][]; a: number[]; b?: number[] };
}
