import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { InputError } from "../common/errors.js";
import { readFormat, unstamped } from "../common/format.js";
import { readTextInput, stripBom } from "../common/textInput.js";
import { experimentKinds, getExperiment } from "./registry.js";
import type { RunSpec } from "./types.js";
import { describeJsonSchema, parseWithSchema } from "./zodErrors.js";

/**
 * Experiment spec files, JSON or YAML:
 *
 * ```yaml
 * kind: linalg-check        # a registered kind (splitscape run --list shows them)
 * seed: 1                   # default 0
 * title: optional title
 * params: { n: 64 }         # the kind's parameters; defaults fill the rest
 * grid:                     # sweeps only: top-level params and/or seed, each a list of values
 *   n: [16, 32, 64]          # (a value may itself be a list or object, if the param is one)
 *   seed: [1, 2, 3]
 * ```
 *
 * Validation errors are InputErrors naming the file, the field path and what is allowed.
 */

/** The values each grid axis takes: parameter (or "seed") → list (values may be lists too). */
export type Grid = Record<string, unknown[]>;

/** A validated spec document: the run spec (params with defaults) and its grid, if any. */
export interface LoadedSpec {
  /** Where it came from (file path, or a label for in-memory specs). */
  source: string;
  spec: RunSpec;
  grid?: Grid;
}

const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** The envelope every spec shares; `params` are checked by the kind's own schema. */
const envelopeSchema = z.strictObject({
  kind: z.string().min(1),
  seed: z.number().int().min(0).max(MAX_SEED).default(0),
  title: z.string().optional(),
  params: z.record(z.string(), z.unknown()).default({}),
  grid: z.record(z.string(), z.array(z.unknown()).min(1)).optional(),
  /** Written into spec.json by runs (the version that produced it); ignored on input. */
  splitscape: z.string().optional(),
});

/**
 * Parse spec text as YAML (.yaml/.yml) or JSON (anything else; YAML is tried if JSON fails).
 * No validation: pass the result to validateSpec.
 *
 * @param raw - the file's text (a byte-order mark is stripped)
 * @param source - the file name: its extension picks the parser, and errors name it
 * @returns the parsed document; an InputError naming `source` when the text is neither JSON nor YAML
 * @example
 * ```ts
 * import { parseSpecText, validateSpec } from "splitscape";
 * const raw = parseSpecText("kind: linalg-check\nseed: 3\n", "inline.yaml");
 * console.log(validateSpec(raw, "inline.yaml").spec.seed); // 3
 * ```
 */
export function parseSpecText(raw: string, source: string): unknown {
  const text = stripBom(raw);
  const ext = extname(source).toLowerCase();
  const yamlFirst = ext === ".yaml" || ext === ".yml";
  try {
    return yamlFirst ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    if (!yamlFirst && ext !== ".json") {
      try {
        return parseYaml(text);
      } catch {
        // fall through to the JSON error
      }
    }
    // Parser messages may quote the offending lines below the first: keep the first line.
    throw new InputError(source, `not valid ${yamlFirst ? "YAML" : "JSON"}: ${(err as Error).message.split("\n")[0].trim()}`);
  }
}

/**
 * Read and parse a spec file (no validation; loadSpec validates too).
 *
 * @param path - a .yaml, .yml or .json file (at most the size limit of text inputs)
 * @returns the parsed document; an InputError naming the file when it is missing or unparsable
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { readSpecFile } from "splitscape";
 * writeFileSync("spec.json", JSON.stringify({ kind: "linalg-check" }));
 * console.log(readSpecFile("spec.json"));
 * ```
 */
export function readSpecFile(path: string): unknown {
  return parseSpecText(readTextInput(path, { what: "a spec file (.yaml, .yml or .json)", option: "spec" }), path);
}

/**
 * Validate the params of `kind` (defaults filled); errors name `params.<field>`.
 *
 * @param kind - a registered experiment kind
 * @param params - the parameters to check (an object; omitted fields take their defaults)
 * @param source - the name errors give (a file path, or a label)
 * @param prefix - the field path errors start with (default `params`)
 * @returns the parameters with defaults filled; an InputError naming the field and what it accepts otherwise
 * @example
 * ```ts
 * import { validateParams } from "splitscape";
 * console.log(validateParams("linalg-check", {}, "my params")); // every default
 * ```
 */
export function validateParams(kind: string, params: unknown, source: string, prefix: readonly string[] = ["params"]): Record<string, unknown> {
  const def = getExperiment(kind);
  if (!def) throw unknownKind(kind, source);
  return parseWithSchema(def.schema, params, source, prefix) as Record<string, unknown>;
}

function unknownKind(kind: string, source: string): InputError {
  const kinds = experimentKinds();
  return new InputError(source, `unknown experiment kind ${JSON.stringify(kind)}; registered kinds: ${kinds.length ? kinds.join(", ") : "(none)"}`, "kind");
}

/**
 * Validate a parsed spec document (object from JSON/YAML, or built in code).
 *
 * @param raw - the spec: `{kind, seed?, title?, params?, grid?}` (a stamped spec.json is accepted)
 * @param source - the name errors give (a file path, or a label)
 * @returns the spec with defaults filled (and its grid, when it has one); InputError naming the field otherwise
 * @example
 * ```ts
 * import { validateSpec } from "splitscape";
 * const { spec } = validateSpec({ kind: "linalg-check", seed: 1 }, "my spec");
 * console.log(spec.params); // the kind's parameters with their defaults
 * ```
 */
export function validateSpec(raw: unknown, source: string): LoadedSpec {
  const stamp = readFormat(raw, "spec", source);
  const env = parseWithSchema(envelopeSchema, stamp.stamped ? unstamped(raw as object) : raw, source);
  if (!getExperiment(env.kind)) throw unknownKind(env.kind, source);
  const params = validateParams(env.kind, env.params, source);
  const spec: RunSpec = { kind: env.kind, seed: env.seed, ...(env.title !== undefined ? { title: env.title } : {}), params };
  if (env.grid === undefined) return { source, spec };
  checkGridAxes(env.kind, env.grid, params, source);
  return { source, spec, grid: env.grid };
}

/** Grid axes must be "seed" (non-negative integers) or a top-level parameter of the kind. */
function checkGridAxes(kind: string, grid: Grid, params: Record<string, unknown>, source: string): void {
  const names = paramNames(kind, params);
  const allowed = ["seed", ...names];
  for (const [axis, values] of Object.entries(grid)) {
    if (axis === "seed") {
      values.forEach((v, i) => {
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_SEED) {
          throw new InputError(source, `expected a non-negative integer seed, got ${JSON.stringify(v)}`, `grid.seed[${i}]`);
        }
      });
      continue;
    }
    if (!names.includes(axis)) {
      throw new InputError(source, `unknown grid axis; allowed axes for ${kind}: ${allowed.join(", ")}`, `grid.${axis}`);
    }
    // Each value must be valid in place of the parameter; errors are named grid.<axis>.
    for (const v of values) validateParams(kind, { ...params, [axis]: v }, source, ["grid"]);
  }
}

/**
 * The top-level parameter names of a kind: its object schema's keys (or the filled params' keys).
 * They are the axes a sweep's grid may vary besides `seed`.
 *
 * @param kind - a registered experiment kind
 * @param params - filled parameters whose keys are added (default none)
 * @returns the names, schema order first
 * @example
 * ```ts
 * import { paramNames } from "splitscape";
 * console.log(paramNames("linalg-check"));
 * ```
 */
export function paramNames(kind: string, params: Record<string, unknown> = {}): string[] {
  const schema = getExperiment(kind)?.schema;
  const shape = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  return [...new Set([...shape, ...Object.keys(params)])];
}

/**
 * Load and validate a spec file (readSpecFile, then validateSpec).
 *
 * @param path - a .yaml, .yml or .json spec file
 * @returns the spec with defaults filled and its grid, if any; an InputError naming the file and field otherwise
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { loadSpec, runToFolder } from "splitscape";
 * writeFileSync("check.yaml", "kind: linalg-check\nseed: 1\n");
 * const { spec } = loadSpec("check.yaml");
 * const outcome = await runToFolder(spec, { outDir: "runs" });
 * console.log(outcome.dir, outcome.pass);
 * ```
 */
export function loadSpec(path: string): LoadedSpec {
  return validateSpec(readSpecFile(path), path);
}

/** One parameter of a kind as `run --list` shows it. */
export interface ParamDescription {
  name: string;
  /** The default (JSON), or undefined when the parameter has none. */
  default: unknown;
  /** True when a spec must give it (no default, not optional). */
  required: boolean;
  /** What it accepts, in words: "an integer in [2, 200]". */
  accepts: string;
}

/**
 * The parameters of a kind with their defaults and what they accept (read from its zod schema),
 * as `splitscape run --list` shows them.
 *
 * @param kind - a registered experiment kind
 * @returns one entry per parameter: name, default (JSON), required, and what it accepts in words; empty for an unknown kind
 * @example
 * ```ts
 * import { describeParams } from "splitscape";
 * for (const p of describeParams("linalg-check")) console.log(`${p.name} = ${JSON.stringify(p.default)}: ${p.accepts}`);
 * ```
 */
export function describeParams(kind: string): ParamDescription[] {
  const schema = getExperiment(kind)?.schema;
  if (!(schema instanceof z.ZodObject)) return [];
  let props: Record<string, Record<string, unknown>> = {};
  let required: string[] = [];
  try {
    const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    props = js.properties ?? {};
    required = js.required ?? [];
  } catch {
    return Object.keys(schema.shape).map((name) => ({ name, default: undefined, required: false, accepts: "a valid value" }));
  }
  return Object.entries(props).map(([name, node]) => ({ name, default: node.default, required: required.includes(name), accepts: describeJsonSchema(node) }));
}
