import { InputError } from "../common/errors.js";
import { readNumber } from "./numbers.js";

/** A parameter value after parsing: a number, an enum string, or a list of numbers. */
export type ParamValue = number | string | readonly number[];

/** Resolved parameters of a generator, by key; `undefined` for an optional key left unset. */
export type ParamValues = Readonly<Record<string, ParamValue | undefined>>;

interface ParamBase {
  readonly name: string;
  readonly description: string;
  /** Text for `data list` when there is no literal default, e.g. "same as seed". */
  readonly defaultText?: string;
}

/** An integer in [min, max]. */
export interface IntParam extends ParamBase {
  readonly kind: "int";
  readonly default?: number;
  readonly min: number;
  readonly max: number;
}

/** A finite number in [min, max] (or open at an end when minOpen/maxOpen). */
export interface NumberParam extends ParamBase {
  readonly kind: "number";
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
}

/** One of a fixed list of words. */
export interface EnumParam extends ParamBase {
  readonly kind: "enum";
  readonly default: string;
  readonly values: readonly string[];
}

/** Comma-separated finite numbers, e.g. `1.5,-2`. */
export interface VectorParam extends ParamBase {
  readonly kind: "vector";
  readonly default?: readonly number[];
}

/** A generator parameter: its key, type, default and allowed range. */
export type ParamSpec = IntParam | NumberParam | EnumParam | VectorParam;

/** Human wording of what a parameter accepts, e.g. "an integer in [1, 1000000]". */
export function allowedText(spec: ParamSpec): string {
  switch (spec.kind) {
    case "int":
      return `an integer in [${spec.min}, ${spec.max}]`;
    case "number":
      return `a number in ${spec.minOpen ? "(" : "["}${spec.min}, ${spec.max}${spec.maxOpen ? ")" : "]"}`;
    case "enum":
      return `one of ${spec.values.join(", ")}`;
    case "vector":
      return "comma-separated finite numbers";
  }
}

/** The default as text for listings ("—" when optional with no default). */
export function defaultText(spec: ParamSpec): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.default === undefined) return "—";
  return Array.isArray(spec.default) ? spec.default.join(",") : String(spec.default);
}

/** Parse one raw `key=value` value; InputError(source, …, key) naming the allowed values. */
export function parseParam(spec: ParamSpec, raw: string, source: string): ParamValue {
  const bad = (): never => {
    throw new InputError(source, `expected ${allowedText(spec)}, got ${JSON.stringify(raw)}`, spec.name);
  };
  switch (spec.kind) {
    case "enum":
      return spec.values.includes(raw) ? raw : bad();
    case "vector": {
      const parts = raw.split(",");
      const out: number[] = [];
      for (const p of parts) {
        const r = readNumber(p);
        if (!r.ok) bad();
        else out.push(r.value);
      }
      return out;
    }
    case "int":
    case "number": {
      const r = readNumber(raw);
      if (!r.ok) return bad();
      const v = r.value;
      if (spec.kind === "int" && !Number.isInteger(v)) return bad();
      return checkRange(spec, v) ? v : bad();
    }
  }
}

function checkRange(spec: IntParam | NumberParam, v: number): boolean {
  const minOk = spec.kind === "number" && spec.minOpen ? v > spec.min : v >= spec.min;
  const maxOk = spec.kind === "number" && spec.maxOpen ? v < spec.max : v <= spec.max;
  return minOk && maxOk;
}

/**
 * Resolve raw string parameters against the specs: unknown keys are an InputError listing the
 * allowed keys; missing keys take their defaults (optional keys without default stay undefined).
 */
export function resolveParams(specs: readonly ParamSpec[], raw: ReadonlyMap<string, string>, source: string): ParamValues {
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const key of raw.keys()) {
    if (!byName.has(key)) {
      throw new InputError(source, `unknown parameter; allowed: ${specs.map((s) => s.name).join(", ")}`, key);
    }
  }
  const out: Record<string, ParamValue | undefined> = {};
  for (const spec of specs) {
    const r = raw.get(spec.name);
    out[spec.name] = r === undefined ? spec.default : parseParam(spec, r, source);
  }
  return out;
}

/** The numeric parameter `key` (a typed accessor for generator code). */
export function numParam(p: ParamValues, key: string): number {
  const v = p[key];
  if (typeof v !== "number") throw new TypeError(`parameter ${key} is not a number`);
  return v;
}

/** The numeric parameter `key`, or undefined when an optional key was not given. */
export function optNumParam(p: ParamValues, key: string): number | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number") throw new TypeError(`parameter ${key} is not a number`);
  return v;
}

/** The enum parameter `key`. */
export function strParam(p: ParamValues, key: string): string {
  const v = p[key];
  if (typeof v !== "string") throw new TypeError(`parameter ${key} is not a string`);
  return v;
}

/** The vector parameter `key`, or undefined when an optional key was not given. */
export function vecParam(p: ParamValues, key: string): readonly number[] | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new TypeError(`parameter ${key} is not a vector`);
  return v as readonly number[];
}

/** Text form of a value, as written in an address (`key=value`). */
export function formatParam(v: ParamValue): string {
  return Array.isArray(v) ? v.map(String).join(",") : String(v);
}
