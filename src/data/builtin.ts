import { InputError } from "../common/errors.js";
import { checkMemory, datasetBytes } from "../common/limits.js";
import { formatAddress, parseAddress, BUILTIN_PREFIX } from "./address.js";
import { makeDataset } from "./build.js";
import type { Dataset } from "./dataset.js";
import { teacherToModelJson, type TeacherNet } from "./generators/teacherNet.js";
import type { GeneratorSpec } from "./generators/types.js";
import { allowedText, defaultText, formatParam, numParam, resolveParams, type ParamValues } from "./params.js";
import { findGenerator, GENERATORS } from "./registry.js";

/** A built-in address resolved against the registry: the entry, every parameter, the canonical address. */
export interface ResolvedBuiltin {
  readonly spec: GeneratorSpec;
  readonly params: ParamValues;
  /** `builtin:NAME?k=v&…` listing every parameter with a value, in registry order. */
  readonly address: string;
}

/**
 * Resolve `builtin:NAME?key=value&…` (or a bare `NAME?…`): unknown name, unknown key or a value
 * outside its range is an InputError naming the key and the allowed values. `overrides` (raw
 * strings, e.g. from `--n`, `--seed`, `--param`) replace keys of the address.
 *
 * @param address - `builtin:NAME?key=value&…` (or `NAME?…`)
 * @param overrides - raw parameter strings that replace those of the address
 * @returns the generator's registry entry, every parameter typed and range-checked (defaults
 * filled in), and the canonical address listing them
 * @example
 * ```ts
 * import { resolveBuiltin } from "splitscape";
 * const r = resolveBuiltin("builtin:blobs?n=40", new Map([["seed", "7"]]));
 * console.log(r.address, r.params.n); // the canonical address with every parameter, 40
 * ```
 */
export function resolveBuiltin(address: string, overrides: ReadonlyMap<string, string> = new Map()): ResolvedBuiltin {
  const parsed = parseAddress(address);
  const spec = findGenerator(parsed.name);
  const where = `${BUILTIN_PREFIX}${parsed.name}`;
  if (!spec) throw new InputError(where, `unknown generator; available: ${GENERATORS.map((g) => g.name).join(", ")}`);
  const raw = new Map(parsed.params);
  for (const [k, v] of overrides) raw.set(k, v);
  const params = resolveParams(spec.params, raw, where);
  spec.check?.(params, where);
  const n = numParam(params, "n");
  const d = typeof params.d === "number" ? params.d : 2;
  const k = typeof params.k === "number" ? params.k : 1;
  checkMemory(where, `the dataset (n = ${n}, d = ${d})`, datasetBytes(n, d, k), "16·n·(d + k) bytes", "n");
  const entries: [string, string][] = [];
  for (const p of spec.params) {
    const v = params[p.name];
    if (v !== undefined) entries.push([p.name, formatParam(v)]);
  }
  return { spec, params, address: formatAddress(spec.name, entries) };
}

/**
 * Generate a built-in dataset. The Dataset's source is the canonical address (every parameter
 * written out), so the same source always regenerates bit-identical data.
 *
 * @param address - `builtin:NAME?key=value&…` (`splitscape data list` shows the generators)
 * @param overrides - parameters that replace those of the address (e.g. from a spec's grid)
 * @returns the dataset: X (n × d), Y (n × k) and its canonical `source`
 * @example
 * ```ts
 * import { makeBuiltin } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * console.log(data.X.rows, data.X.cols, data.source);
 * ```
 */
export function makeBuiltin(address: string, overrides?: ReadonlyMap<string, string>): Dataset {
  const r = resolveBuiltin(address, overrides);
  const { X, Y } = r.spec.generate(r.params);
  return makeDataset(X, Y, r.address);
}

/**
 * The teacher network behind a `sphere` or `teacher` address, or InputError for other generators.
 *
 * @param address - a `builtin:sphere?…` or `builtin:teacher?…` address
 * @returns the teacher f(x) = Σ_j a_j σ(w_jᵀx) that labels that address's data
 * @example
 * ```ts
 * import { builtinTeacherNet, teacherOutput } from "splitscape";
 * const t = builtinTeacherNet("builtin:teacher?d=2&m=3&seed=1");
 * console.log(t.W.rows, teacherOutput(t, [1, 0]));
 * ```
 */
export function builtinTeacherNet(address: string): TeacherNet {
  const r = resolveBuiltin(address);
  if (!r.spec.teacher) {
    throw new InputError(`${BUILTIN_PREFIX}${r.spec.name}`, `has no teacher network; generators with one: ${GENERATORS.filter((g) => g.teacher).map((g) => g.name).join(", ")}`);
  }
  return r.spec.teacher(r.params);
}

/**
 * The teacher behind a `sphere` or `teacher` address as a model file object (kind "two-layer").
 *
 * @param address - a `builtin:sphere?…` or `builtin:teacher?…` address
 * @returns the teacher as a two-layer model file object (W, a, activation), as INTERFACES.md
 * describes
 * @example
 * ```ts
 * import { builtinTeacher } from "splitscape";
 * import { writeFileSync } from "node:fs";
 * writeFileSync("teacher.json", JSON.stringify(builtinTeacher("builtin:teacher?d=2&m=3&seed=1")));
 * ```
 */
export function builtinTeacher(address: string): ReturnType<typeof teacherToModelJson> {
  return teacherToModelJson(builtinTeacherNet(address));
}

/** One parameter as shown by `data list`. */
export interface ParamInfo {
  name: string;
  type: "int" | "number" | "enum" | "vector";
  default: string;
  allowed: string;
  description: string;
  min?: number;
  max?: number;
  values?: string[];
}

/** One generator as shown by `data list`. */
export interface GeneratorInfo {
  name: string;
  description: string;
  task: string;
  example: string;
  params: ParamInfo[];
}

/**
 * The registry as plain data: names, descriptions, and every parameter with default and range.
 *
 * @returns every built-in generator with its description, task, an example address and each
 * parameter's type, default and allowed range
 * @example
 * ```ts
 * import { listGenerators } from "splitscape";
 * for (const g of listGenerators()) console.log(g.name, g.params.map((p) => p.name).join(" "));
 * ```
 */
export function listGenerators(): GeneratorInfo[] {
  return GENERATORS.map((g) => ({
    name: g.name,
    description: g.description,
    task: g.task,
    example: resolveBuiltin(g.name).address,
    params: g.params.map((p) => {
      const info: ParamInfo = { name: p.name, type: p.kind, default: defaultText(p), allowed: allowedText(p), description: p.description };
      if (p.kind === "int" || p.kind === "number") {
        info.min = p.min;
        info.max = p.max;
      }
      if (p.kind === "enum") info.values = [...p.values];
      return info;
    }),
  }));
}
