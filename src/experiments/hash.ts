import { createHash } from "node:crypto";

/**
 * Canonical JSON (object keys sorted at every level, no whitespace) and short content hashes,
 * used for run ids and for recognising finished sweep cells.
 */

/** JSON with object keys sorted recursively, so equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The first `length` hex digits of the SHA-256 of the canonical JSON of `value`. */
export function shortHash(value: unknown, length = 8): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, length);
}
