import { z } from "zod";
import { InputError } from "../common/errors.js";

/**
 * Zod validation errors as InputErrors that name the field (a path such as `params.n` or
 * `params.layers[2]`) and say what is allowed there: the allowed values of an enum, the
 * allowed keys of an object, or the type and range expected (read from the schema's JSON
 * Schema), together with the value that was given.
 */

type JsonSchema = Record<string, unknown>;
type Path = readonly PropertyKey[];

/** `params.layers[2]` from ["params", "layers", 2]. */
export function formatPath(path: Path): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** The JSON Schema of a zod schema (input side), or null if zod cannot express it. */
function jsonSchemaOf(schema: z.ZodType): JsonSchema | null {
  try {
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  } catch {
    return null;
  }
}

/** The JSON Schema node at `path` (object properties and array items), or null. */
function nodeAt(root: JsonSchema | null, path: Path): JsonSchema | null {
  let node: JsonSchema | null = root;
  for (const p of path) {
    if (node === null) return null;
    node = unwrap(node);
    if (typeof p === "number") node = (node.items as JsonSchema | undefined) ?? null;
    else {
      const props = node.properties as Record<string, JsonSchema> | undefined;
      const extra = node.additionalProperties;
      node = props?.[String(p)] ?? (extra !== null && typeof extra === "object" ? (extra as JsonSchema) : null);
    }
  }
  return node === null ? null : unwrap(node);
}

/** A node whose anyOf has one non-null member stands for that member (optional/nullable). */
function unwrap(node: JsonSchema): JsonSchema {
  const any = node.anyOf as JsonSchema[] | undefined;
  if (any) {
    const nonNull = any.filter((n) => n.type !== "null");
    if (nonNull.length === 1) return { ...nonNull[0], ...(node.default !== undefined ? { default: node.default } : {}) };
  }
  return node;
}

/** The values allowed by an enum/const/anyOf-of-consts node, or null. */
function allowedValues(node: JsonSchema): unknown[] | null {
  if (Array.isArray(node.enum)) return node.enum as unknown[];
  if ("const" in node) return [node.const];
  const any = node.anyOf as JsonSchema[] | undefined;
  if (any && any.length > 0) {
    const vals = any.map((n) => allowedValues(n));
    if (vals.every((v) => v !== null)) return vals.flat();
  }
  return null;
}

/** A phrase for what a JSON Schema node accepts ("an integer in [2, 1000]", "one of "a", "b""). */
export function describeJsonSchema(node: JsonSchema): string {
  const vals = allowedValues(node);
  if (vals) return `one of ${vals.map((v) => JSON.stringify(v)).join(", ")}`;
  const t = node.type;
  const lo = (node.minimum ?? node.exclusiveMinimum) as number | undefined;
  const hi = (node.maximum ?? node.exclusiveMaximum) as number | undefined;
  const range = (): string => {
    // zod's int() adds ±MAX_SAFE_INTEGER bounds; those are not worth showing.
    const l = lo !== undefined && Math.abs(lo) < 1e15 ? lo : undefined;
    const h = hi !== undefined && Math.abs(hi) < 1e15 ? hi : undefined;
    const lb = node.exclusiveMinimum !== undefined ? "(" : "[";
    const rb = node.exclusiveMaximum !== undefined ? ")" : "]";
    if (l !== undefined && h !== undefined) return ` in ${lb}${l}, ${h}${rb}`;
    if (l !== undefined) return node.exclusiveMinimum !== undefined ? ` > ${l}` : ` ≥ ${l}`;
    if (h !== undefined) return node.exclusiveMaximum !== undefined ? ` < ${h}` : ` ≤ ${h}`;
    return "";
  };
  if (t === "integer") return `an integer${range()}`;
  if (t === "number") return `a number${range()}`;
  if (t === "string") return typeof node.minLength === "number" && node.minLength > 0 ? "a non-empty string" : "a string";
  if (t === "boolean") return "true or false";
  if (t === "array") {
    const items = node.items as JsonSchema | undefined;
    const min = typeof node.minItems === "number" ? node.minItems : 0;
    const list = min === 1 ? "a non-empty list" : min > 1 ? `a list of at least ${min}` : "a list";
    return `${list}${items ? ` of ${plural(describeJsonSchema(unwrap(items)))}` : ""}`;
  }
  if (t === "object") {
    const keys = Object.keys((node.properties as object | undefined) ?? {});
    return keys.length ? `an object with fields ${keys.join(", ")}` : "an object";
  }
  const any = node.anyOf as JsonSchema[] | undefined;
  if (any) return any.map((n) => describeJsonSchema(unwrap(n))).join(" or ");
  return "a valid value";
}

/** "an integer in [1, 512]" → "integers in [1, 512]"; "one of "a", "b"" → "values, each one of "a", "b"". */
function plural(phrase: string): string {
  if (phrase.startsWith("one of ")) return `values, each ${phrase}`;
  if (phrase === "a valid value") return "values";
  const m = /^(?:an? )?(non-empty )?(\w+)(.*)$/.exec(phrase);
  if (!m) return phrase;
  const [, adj = "", noun, rest] = m;
  const nouns: Record<string, string> = { integer: "integers", number: "numbers", string: "strings", list: "lists", object: "objects" };
  return `${adj}${nouns[noun] ?? `${noun}s`}${rest}`;
}

/** A zod issue in the project's words, for nodes the JSON Schema cannot describe. */
function issueText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected === "array" ? "a list" : issue.expected === "object" ? "an object" : issue.expected === "integer" ? "an integer" : `a ${issue.expected}`}`;
    case "too_small":
      return issue.origin === "array" ? `expected at least ${String(issue.minimum)} item(s)` : `expected at least ${String(issue.minimum)}`;
    case "too_big":
      return issue.origin === "array" ? `expected at most ${String(issue.maximum)} item(s)` : `expected at most ${String(issue.maximum)}`;
    case "invalid_union":
      return "matches none of the allowed forms";
    default:
      return issue.message.replace(/^Invalid input: /, "").replace(/^./, (c) => c.toLowerCase());
  }
}

function valueAt(input: unknown, path: Path): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

function shown(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** One issue as [field path, message]. */
function describeIssue(issue: z.core.$ZodIssue, root: JsonSchema | null, input: unknown, prefix: Path): [string, string] {
  const node = nodeAt(root, issue.path);
  const got = valueAt(input, issue.path);
  const field = formatPath([...prefix, ...issue.path]);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = Object.keys((node?.properties as object | undefined) ?? {});
      const keys = issue.keys.map((k) => formatPath([...prefix, ...issue.path, k]));
      return [keys[0], `unknown field${keys.length > 1 ? `s ${keys.join(", ")}` : ""}; allowed fields${field ? ` of ${field}` : ""}: ${allowed.length ? allowed.join(", ") : "none"}`];
    }
    case "invalid_value":
      return [field, `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${shown(got)}`];
    default: {
      const missing = got === undefined && issue.code === "invalid_type";
      if (!node) return [field, missing ? `missing, ${issueText(issue)}` : `${issueText(issue)}, got ${shown(got)}`];
      if (missing) return [field, `missing, expected ${describeJsonSchema(node)}`];
      // Custom refinements carry their own explanation; for the others the schema says it all.
      const why = issue.code === "custom" ? ` (${issue.message})` : "";
      return [field, `expected ${describeJsonSchema(node)}, got ${shown(got)}${why}`];
    }
  }
}

/**
 * Validate `input` with `schema`; on failure throw an InputError from `source` naming the
 * first bad field (prefixed by `prefix`, e.g. ["params"]) and listing the others.
 */
export function parseWithSchema<T>(schema: z.ZodType<T>, input: unknown, source: string, prefix: Path = []): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const root = jsonSchemaOf(schema);
  const described = r.error.issues.map((i) => describeIssue(i, root, input, prefix));
  const [field, message] = described[0];
  const more = described.slice(1).map(([f, m]) => `\n  also ${f || "(top level)"}: ${m}`).join("");
  throw new InputError(source, message + more, field || undefined);
}
