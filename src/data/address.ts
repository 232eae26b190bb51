import { InputError } from "../common/errors.js";

/** The prefix of built-in dataset addresses. */
export const BUILTIN_PREFIX = "builtin:";

/** A parsed `builtin:NAME?key=value&…` address: the generator name and its raw key/values. */
export interface BuiltinAddress {
  readonly name: string;
  readonly params: ReadonlyMap<string, string>;
}

/** True if `text` is a `builtin:` address. */
export function isBuiltinAddress(text: string): boolean {
  return text.startsWith(BUILTIN_PREFIX);
}

const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Parse `builtin:NAME?key=value&key=value` (the `builtin:` prefix is optional, so `data make`
 * can take a bare `NAME?…`). Keys and values are percent-decoded; a key given twice, a segment
 * without `=`, an empty value or a malformed name is an InputError. Values stay strings: the
 * generator's registry entry types and range-checks them.
 */
export function parseAddress(text: string): BuiltinAddress {
  const body = isBuiltinAddress(text) ? text.slice(BUILTIN_PREFIX.length) : text;
  const q = body.indexOf("?");
  const name = q < 0 ? body : body.slice(0, q);
  const query = q < 0 ? "" : body.slice(q + 1);
  const where = `${BUILTIN_PREFIX}${name}`;
  if (!NAME.test(name)) {
    throw new InputError(text, `expected builtin:NAME?key=value&… with NAME in lower-case letters, digits and _, got ${JSON.stringify(name)}`);
  }
  const params = new Map<string, string>();
  for (const seg of query.split("&")) {
    if (seg === "") continue;
    const eq = seg.indexOf("=");
    if (eq <= 0) throw new InputError(where, `expected key=value, got ${JSON.stringify(seg)}`);
    const key = decode(seg.slice(0, eq), where);
    const value = decode(seg.slice(eq + 1), where);
    if (value.trim() === "") throw new InputError(where, "empty value", key);
    if (params.has(key)) throw new InputError(where, `given twice (${JSON.stringify(params.get(key))} and ${JSON.stringify(value)})`, key);
    params.set(key, value.trim());
  }
  return { name, params };
}

function decode(s: string, where: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new InputError(where, `malformed percent-encoding in ${JSON.stringify(s)}`);
  }
}

/** The address text `builtin:NAME?k=v&…` for already-formatted values, in the given order. */
export function formatAddress(name: string, entries: ReadonlyArray<readonly [string, string]>): string {
  const q = entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2C/g, ",")}`).join("&");
  return `${BUILTIN_PREFIX}${name}${q ? `?${q}` : ""}`;
}
