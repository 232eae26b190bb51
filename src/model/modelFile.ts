/**
 * Model files (INTERFACES.md, "Model file"): JSON records of a two-layer network
 *   { "kind": "two-layer", "activation": A, "W": [[…d…], …m rows], "a": [m] | [[…k…], …m rows],
 *     "b"?: [m], "c"?: number | [k] }
 * or of a bias-free MLP
 *   { "kind": "mlp", "activation": A, "weights": [W1, …, WL] }   (W_l is width_l × width_{l−1}),
 * or of a parallel three-layer network (m blocks of m1 first-layer units)
 *   { "kind": "parallel-three-layer", "activation": A, "W1": [[[…d…] × m1] × m], "W2": [[…m1…] × m], "a": [m] },
 * or of a bias-free CNN (conv/modelFile.ts)
 *   { "kind": "conv", "activation": A, "input": [C, H, W] | [C, L], "layers": [...], "head": [[…]] },
 * with A a name or { "name", "slope" | "power" }. Unknown extra fields are ignored. Every problem
 * is an InputError naming the file, the field and what was expected.
 */
import { writeFileAtomic } from "../common/atomic.js";
import { InputError } from "../common/errors.js";
import { readFormat, stamped } from "../common/format.js";
import { readTextInput, stripBom } from "../common/textInput.js";
import { activationToJson, parseActivation } from "./activations.js";
import type { Model } from "./architecture.js";
import {
  mlpArchitecture, mlpWeights, parallelThreeLayerArchitecture, parallelThreeLayerParts, twoLayerArchitecture, twoLayerParts,
} from "./architecture.js";
import type { ConvModelJson } from "./conv/index.js";
import { convModelToJson, parseConvModel } from "./conv/index.js";
import { isSafetensorsPath, loadSafetensorsModel, safetensorsModelBytes, type ArchitectureSource } from "./torchModel.js";

/** JSON form of a two-layer model. */
export interface TwoLayerModelJson {
  kind: "two-layer";
  activation: ReturnType<typeof activationToJson>;
  W: number[][];
  a: number[] | number[][];
  b?: number[];
  c?: number | number[];
}

/** JSON form of an MLP model. */
export interface MlpModelJson {
  kind: "mlp";
  activation: ReturnType<typeof activationToJson>;
  weights: number[][][];
}

/** JSON form of a parallel three-layer model: W1[j][k] = w_{1jk}, W2[j][k] = w_{2jk}, a[j]. */
export interface ParallelThreeLayerModelJson {
  kind: "parallel-three-layer";
  activation: ReturnType<typeof activationToJson>;
  W1: number[][][];
  W2: number[][];
  a: number[];
}

export type ModelJson = TwoLayerModelJson | MlpModelJson | ParallelThreeLayerModelJson | ConvModelJson;

const KINDS = ["two-layer", "mlp", "parallel-three-layer", "conv"];

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function finite(v: unknown, source: string, field: string, where: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new InputError(source, `${where} is not a finite number (got ${show(v)})`, field);
  }
  return v;
}

/** A vector of `len` finite numbers (len = −1: any length ≥ 1). */
function vector(v: unknown, source: string, field: string, len: number, what: string): number[] {
  if (!Array.isArray(v)) throw new InputError(source, `expected an array of numbers, got ${show(v)}`, field);
  if (len >= 0 && v.length !== len) throw new InputError(source, `has ${v.length} entries, expected ${len} (${what})`, field);
  if (v.length === 0) throw new InputError(source, "is empty", field);
  return v.map((x, i) => finite(x, source, field, `entry ${i}`));
}

/** A matrix given as rows of equal length; rows/cols = −1 when free. Returns [rows, cols, data]. */
function matrixRows(
  v: unknown, source: string, field: string, rows: number, cols: number, rowsWhat: string, colsWhat: string,
): [number, number, number[]] {
  if (!Array.isArray(v)) throw new InputError(source, `expected an array of rows, got ${show(v)}`, field);
  if (v.length === 0) throw new InputError(source, "has no rows", field);
  if (rows >= 0 && v.length !== rows) throw new InputError(source, `has ${v.length} rows, expected ${rows} (${rowsWhat})`, field);
  const first = v[0];
  if (!Array.isArray(first)) throw new InputError(source, `row 0 is not an array of numbers (got ${show(first)})`, field);
  const c = cols >= 0 ? cols : first.length;
  if (c === 0) throw new InputError(source, "row 0 is empty", field);
  const data: number[] = [];
  v.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row)) throw new InputError(source, `row ${i} is not an array of numbers (got ${show(row)})`, field);
    if (row.length !== c) {
      const why = cols >= 0 ? colsWhat : "the length of row 0";
      throw new InputError(source, `row ${i} has ${row.length} entries, expected ${c} (${why})`, field);
    }
    row.forEach((x: unknown, j: number) => data.push(finite(x, source, field, `row ${i}, entry ${j}`)));
  });
  return [v.length, c, data];
}

/**
 * Parse a model record (already JSON-decoded); `source` names the file in errors.
 *
 * @param json - the decoded record: `{ kind, activation, W, a, ... }` as in INTERFACES.md (a format stamp is checked when present)
 * @param source - the file (or other source) named in error messages
 * @returns the model; InputError naming source and field on anything malformed
 * @example
 * ```ts
 * import { forward, fromRows, parseModelJson } from "splitscape";
 * const net = parseModelJson({ kind: "two-layer", activation: "relu", W: [[1, 0], [0, 1]], a: [1, -1] }, "inline");
 * console.log(forward(net, fromRows([[3, 2]])).data[0]); // 1 = relu(3) − relu(2)
 * ```
 */
export function parseModelJson(json: unknown, source: string): Model {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new InputError(source, `expected a JSON object with "kind", "activation" and weights, got ${show(json)}`);
  }
  const o = json as Record<string, unknown>;
  readFormat(o, "model", source);
  if (o.kind === undefined) throw new InputError(source, `missing field kind, expected one of ${KINDS.map((k) => JSON.stringify(k)).join(", ")}`, "kind");
  if (typeof o.kind !== "string" || !KINDS.includes(o.kind)) {
    throw new InputError(source, `unknown model kind ${show(o.kind)}; allowed: ${KINDS.join(", ")}`, "kind");
  }
  if (o.activation === undefined) throw new InputError(source, "missing field activation, expected a name such as \"relu\"", "activation");
  const activation = parseActivation(o.activation, source, "activation");
  if (o.kind === "conv") return parseConvModel(o, activation, source);
  if (o.kind === "mlp") {
    if (!Array.isArray(o.weights) || o.weights.length === 0) {
      throw new InputError(source, `expected a non-empty array of weight matrices [W1, …, WL], got ${show(o.weights)}`, "weights");
    }
    const widths: number[] = [];
    const parts: number[][] = [];
    o.weights.forEach((Wl: unknown, l: number) => {
      const field = `weights[${l}]`;
      const cols = l === 0 ? -1 : widths[l];
      const [r, c, data] = matrixRows(Wl, source, field, -1, cols, "", `W${l + 1} needs width_${l} = ${cols} columns, the rows of weights[${l - 1}]`);
      if (l === 0) widths.push(c);
      widths.push(r);
      parts.push(data);
    });
    const arch = mlpArchitecture(widths, activation);
    return { arch, theta: Float64Array.from(parts.flat()) };
  }
  if (o.kind === "parallel-three-layer") return parseParallelThreeLayer(o, activation, source);
  const [m, d, W] = matrixRows(o.W, source, "W", -1, -1, "", "");
  let k = 1;
  let a: number[];
  if (o.a === undefined) throw new InputError(source, `missing field a, expected ${m} output weights (one per row of W)`, "a");
  if (Array.isArray(o.a) && o.a.length > 0 && Array.isArray(o.a[0])) {
    const [, kk, data] = matrixRows(o.a, source, "a", m, -1, "one row per row of W", "");
    k = kk;
    a = data;
  } else {
    a = vector(o.a, source, "a", m, "one per row of W");
  }
  const b = o.b === undefined ? null : vector(o.b, source, "b", m, "one per row of W");
  let c: number[] | null = null;
  if (o.c !== undefined) {
    if (typeof o.c === "number" || !Array.isArray(o.c)) {
      if (k !== 1) throw new InputError(source, `expected ${k} numbers (one per output), got ${show(o.c)}`, "c");
      c = [finite(o.c, source, "c", "the output bias")];
    } else {
      c = vector(o.c, source, "c", k, "one per output");
    }
  }
  const arch = twoLayerArchitecture({ d, m, k, activation, inputBias: b !== null, outputBias: c !== null });
  return { arch, theta: Float64Array.from([...W, ...a, ...(b ?? []), ...(c ?? [])]) };
}

/** The parallel three-layer record: W2 (m rows of m1) fixes m and m1, W1 is m blocks of m1 rows of d. */
function parseParallelThreeLayer(o: Record<string, unknown>, activation: ReturnType<typeof parseActivation>, source: string): Model {
  const [m, m1, W2] = matrixRows(o.W2, source, "W2", -1, -1, "", "");
  if (!Array.isArray(o.W1)) throw new InputError(source, `expected ${m} blocks (one per row of W2) of ${m1} rows each, got ${show(o.W1)}`, "W1");
  if (o.W1.length !== m) throw new InputError(source, `has ${o.W1.length} blocks, expected ${m} (one per row of W2)`, "W1");
  let d = -1;
  const W1: number[] = [];
  o.W1.forEach((block: unknown, j: number) => {
    const [, cols, data] = matrixRows(block, source, `W1[${j}]`, m1, d, `${m1} rows, the length of the rows of W2`, "the length of the rows of W1[0]");
    d = cols;
    W1.push(...data);
  });
  if (o.a === undefined) throw new InputError(source, `missing (${m} output weights, one per row of W2)`, "a");
  const a = vector(o.a, source, "a", m, "one per row of W2");
  const arch = parallelThreeLayerArchitecture({ d, m, m1, activation });
  return { arch, theta: Float64Array.from([...W1, ...W2, ...a]) };
}

/**
 * The JSON record of a model (parseModelJson(modelToJson(M)) reproduces M exactly).
 *
 * @param model - the network
 * @returns its JSON record, stamped with the format version; exact for every float64
 * @example
 * ```ts
 * import { initializeModel, makeActivation, modelToJson, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), { seed: 1 });
 * const record = modelToJson(net);
 * console.log(record.kind); // "two-layer"
 * ```
 */
export function modelToJson(model: Model): ModelJson {
  const { arch, theta } = model;
  if (arch.kind === "conv") return convModelToJson(arch, theta);
  const activation = activationToJson(arch.activation);
  if (arch.kind === "mlp") {
    const weights = mlpWeights(arch, theta).map((Wl, l) => rows(Wl, arch.widths[l + 1], arch.widths[l]));
    return { kind: "mlp", activation, weights };
  }
  if (arch.kind === "parallel-three-layer") {
    const { W1, W2, a } = parallelThreeLayerParts(arch, theta);
    const { d, m, m1 } = arch;
    const blocks: number[][][] = [];
    for (let j = 0; j < m; j++) blocks.push(rows(W1.subarray(j * m1 * d, (j + 1) * m1 * d), m1, d));
    return { kind: "parallel-three-layer", activation, W1: blocks, W2: rows(W2, m, m1), a: Array.from(a) };
  }
  const parts = twoLayerParts(arch, theta);
  const out: TwoLayerModelJson = {
    kind: "two-layer",
    activation,
    W: rows(parts.W, arch.m, arch.d),
    a: arch.k === 1 ? Array.from(parts.a) : rows(parts.a, arch.m, arch.k),
  };
  if (parts.b) out.b = Array.from(parts.b);
  if (parts.c) out.c = arch.k === 1 ? parts.c[0] : Array.from(parts.c);
  return out;
}

function rows(data: Float64Array, r: number, c: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < r; i++) out.push(Array.from(data.subarray(i * c, (i + 1) * c)));
  return out;
}

/**
 * Parse model JSON text; `source` names the file in errors.
 *
 * @param text - the file's contents (JSON)
 * @param source - the file named in error messages
 * @returns the model; InputError on invalid JSON or a malformed record
 * @example
 * ```ts
 * import { parseModelText } from "splitscape";
 * const net = parseModelText('{ "kind": "two-layer", "activation": "tanh", "W": [[0.5, -1]], "a": [2] }', "inline.json");
 * console.log(net.theta); // Float64Array [ 0.5, -1, 2 ]
 * ```
 */
export function parseModelText(text: string, source: string): Model {
  let json: unknown;
  try {
    json = JSON.parse(stripBom(text));
  } catch (err) {
    throw new InputError(source, `not valid JSON (${(err as Error).message})`);
  }
  return parseModelJson(json, source);
}

/**
 * Read and validate a model file: JSON, or safetensors weights (`.safetensors`, torchModel.ts)
 * whose architecture comes from `src` or from the file's splitscape metadata. `option` names the
 * flag that gave the path (for an empty one).
 *
 * @param path - a model JSON file or `.safetensors` weights
 * @param src - for safetensors: the layers (`--arch`/`--torch-repr`) and input shape, when the file does not store them
 * @param option - the flag named in the error for an empty path
 * @returns the model
 * @example
 * ```ts
 * import { loadModel } from "splitscape";
 * const net = loadModel("examples/net4.json");
 * console.log(net.arch.kind, net.theta.length);
 * ```
 */
export function loadModel(path: string, src: ArchitectureSource = {}, option = "--model"): Model {
  if (isSafetensorsPath(path)) return loadSafetensorsModel(path, src);
  if (src.layers !== undefined) throw new InputError(src.layers.source, `describes the layers of safetensors weights, but ${path} is a JSON model file (which states its architecture)`);
  return parseModelText(readTextInput(path, { what: "a model file (.json or .safetensors)", option }), path);
}

/**
 * The text of a model file: JSON with one matrix row per line, numbers in shortest round-trip form
 * (exact float64), and a final newline.
 *
 * @param model - the network
 * @returns the text to write to a model file (parseModelText reads it back bit for bit)
 * @example
 * ```ts
 * import { initializeModel, makeActivation, modelToText, parseModelText, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), { seed: 1 });
 * const back = parseModelText(modelToText(net), "roundtrip");
 * console.log(back.theta.every((t, i) => t === net.theta[i])); // true
 * ```
 */
export function modelToText(model: Model): string {
  return `${formatJson(stamped("model", modelToJson(model)), "")}\n`;
}

/** JSON with arrays of scalars on one line and arrays of arrays one element per line. */
function formatJson(v: unknown, indent: string): string {
  if (Array.isArray(v)) {
    if (v.every((x) => !Array.isArray(x) && (x === null || typeof x !== "object"))) return JSON.stringify(v).replace(/,/g, ", ");
    const inner = indent + "  ";
    return `[\n${v.map((x) => inner + formatJson(x, inner)).join(",\n")}\n${indent}]`;
  }
  if (v !== null && typeof v === "object") {
    const inner = indent + "  ";
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{\n${entries.map(([key, x]) => `${inner}${JSON.stringify(key)}: ${formatJson(x, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(v);
}

/**
 * Write a model file atomically (temporary file, then rename): safetensors for `.safetensors`, else JSON.
 *
 * @param path - the file to write (`.safetensors` or JSON)
 * @param model - the network
 * @returns nothing; the file carries the format stamp (INTERFACES.md, "Format versions")
 * @example
 * ```ts
 * import { initializeModel, makeActivation, saveModel, twoLayerArchitecture } from "splitscape";
 * saveModel("net.json", initializeModel(twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("relu") }), { seed: 1 }));
 * ```
 */
export function saveModel(path: string, model: Model): void {
  writeFileAtomic(path, isSafetensorsPath(path) ? safetensorsModelBytes(model) : modelToText(model));
}
