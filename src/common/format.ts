/**
 * Format stamps (docs/INTERFACES.md, "Format versions"). Every file splitscape writes records
 * the splitscape version that wrote it and the name and version of its format, so that a reader
 * years later knows what it holds and a reader that is too old says so instead of misreading it.
 *
 * - A JSON file carries the stamp as two top-level fields,
 *     { "splitscape": "0.1.0", "format": { "name": "model", "version": 1 }, …the content… }
 *   (a Vega-Lite figure spec carries them under `usermeta`, the field Vega-Lite keeps for
 *   metadata; exported safetensors in `__metadata__`: "splitscape.version",
 *   "splitscape.format", "splitscape.format_version").
 * - An HTML report carries them in `<meta name="splitscape" …>` and `<meta name="splitscape-format" …>`.
 * - Files whose own layout leaves no room (CSV, SVG, PNG, .npy/.npz, metrics.jsonl) inside a
 *   run folder are versioned by that folder's spec.json; stand-alone CSV/NumPy datasets are the
 *   plain formats INTERFACES.md describes and carry no stamp.
 *
 * Reading: a file without a stamp is version 1 (written before stamps existed) and reads as
 * before; a stamp naming a version this splitscape does not know (a newer one) is an
 * InputError naming the file, the field `format.version` and the version it reads.
 */
import { VERSION } from "../version.js";
import { InputError } from "./errors.js";

/**
 * The current version of every file format splitscape writes. Raise a number when the layout of
 * that file changes in a way an older reader would misread, and say what changed in
 * docs/INTERFACES.md ("Format versions"); readers keep accepting every older version.
 */
export const FORMAT_VERSIONS = {
  /** Dataset JSON ({X, y, source?}). */
  dataset: 1,
  /** Model JSON (two-layer, mlp, parallel-three-layer, conv), also initial/final/merged.json of a run folder. */
  model: 1,
  /** Exported safetensors weights (`export`, `split -o x.safetensors`). */
  "model-safetensors": 1,
  /** spec.json of a run folder (run, sweep cell, tour, train, inspect, slice, reproduce). */
  spec: 1,
  /** result.json of a run folder (an experiment's, train's or a reproduction's result). */
  result: 1,
  /** run.json of a run folder: id, status, times, environment. */
  run: 1,
  /** trajectory.json of a train run folder. */
  trajectory: 1,
  /** inspect.json of an inspect run folder. */
  inspect: 1,
  /** slice.json of a slice run folder. */
  slice: 1,
  /** sweep.json: the manifest of a sweep folder. */
  sweep: 1,
  /** summary.json of a sweep folder: one row per cell. */
  summary: 1,
  /** tour.json: the manifest of a tour folder. */
  tour: 1,
  /** A figure's Vega-Lite spec (figures/NAME.vl.json). */
  figure: 1,
  /** report.html. */
  report: 1,
  /** docs/reproductions.json: the record of full reproduction runs. */
  "reproduction-record": 1,
} as const;

/** The name of a file format splitscape writes. */
export type FormatName = keyof typeof FORMAT_VERSIONS;

/** The stamp a written file carries: the splitscape version and the format's name and version. */
export interface FormatStamp {
  splitscape: string;
  format: { name: FormatName; version: number };
}

/**
 * The stamp of a file of format `name` written now.
 *
 * @param name - the file's format (a key of {@link FORMAT_VERSIONS})
 * @returns `{ splitscape: VERSION, format: { name, version: FORMAT_VERSIONS[name] } }`
 * @example
 * ```ts
 * import { formatStamp } from "splitscape";
 * formatStamp("model"); // { splitscape: "0.1.0", format: { name: "model", version: 1 } }
 * ```
 */
export function formatStamp(name: FormatName): FormatStamp {
  return { splitscape: VERSION, format: { name, version: FORMAT_VERSIONS[name] } };
}

/**
 * `value` with the stamp of format `name` in front (the stamp's fields replace any of the same
 * name in `value`, e.g. the plain `splitscape` version older spec records carried).
 *
 * @param name - the file's format
 * @param value - the file's content, a JSON object
 * @returns a new object: the stamp's fields first, then `value`'s other fields in order
 * @example
 * ```ts
 * import { stamped } from "splitscape";
 * stamped("dataset", { X: [[0, 1]], y: [1] });
 * // { splitscape: "0.1.0", format: { name: "dataset", version: 1 }, X: [[0, 1]], y: [1] }
 * ```
 */
export function stamped<T extends object>(name: FormatName, value: T): FormatStamp & Omit<T, keyof FormatStamp> {
  return { ...formatStamp(name), ...unstamped(value) };
}

/** What {@link readFormat} found: the format version of the file (1 for a file without a stamp). */
export interface FormatFound {
  /** The version the file declares, or 1 when it carries no stamp (written before stamps). */
  version: number;
  /** The splitscape version that wrote it, when stamped. */
  writtenBy?: string;
  /** False for a file without a stamp. */
  stamped: boolean;
}

/**
 * Check the format stamp of a parsed JSON file. A value without a `format` object is a
 * pre-stamp file, version 1. A stamp of another format, a malformed one, or a version newer than
 * this splitscape reads is an InputError naming `source`, the field and the expectation.
 *
 * @param value - the parsed JSON content of the file
 * @param name - the format the caller expects
 * @param source - the file, for the error message
 * @returns the file's format version and writer
 * @example
 * ```ts
 * import { readFormat } from "splitscape";
 * readFormat({ X: [[0]], y: [1] }, "dataset", "old.json"); // { version: 1, stamped: false }
 * // readFormat({ format: { name: "dataset", version: 9 } }, "dataset", "new.json") throws
 * // InputError "new.json: format.version: is 9, but splitscape 0.1.0 reads dataset files up to version 1; …"
 * ```
 */
export function readFormat(value: unknown, name: FormatName, source: string): FormatFound {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { version: 1, stamped: false };
  const { format, splitscape } = value as { format?: unknown; splitscape?: unknown };
  if (format === undefined || format === null || typeof format !== "object" || Array.isArray(format)) return { version: 1, stamped: false };
  const { name: found, version } = format as { name?: unknown; version?: unknown };
  return checkStamp({ found, version, writtenBy: splitscape }, name, source, { name: "format.name", version: "format.version" });
}

/** The checks of readFormat, on the stamp's three values; `fields` names them in errors. */
function checkStamp(
  stamp: { found: unknown; version: unknown; writtenBy: unknown },
  name: FormatName, source: string, fields: { name: string; version: string },
): FormatFound {
  const { found, version } = stamp;
  if (typeof found !== "string") throw new InputError(source, `expected the name of the file's format (a string, e.g. "${name}"), got ${JSON.stringify(found) ?? "nothing"}`, fields.name);
  if (found !== name) throw new InputError(source, `the file is a splitscape "${found}" file, expected a "${name}" file`, fields.name);
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new InputError(source, `expected a positive integer format version, got ${JSON.stringify(version) ?? "nothing"}`, fields.version);
  }
  const current = FORMAT_VERSIONS[name];
  const writtenBy = typeof stamp.writtenBy === "string" ? stamp.writtenBy : undefined;
  if (version > current) {
    throw new InputError(source, `is ${version}, but splitscape ${VERSION} reads ${name} files up to version ${current}; the file was written by ${writtenBy ? `splitscape ${writtenBy}` : "a newer splitscape"}: upgrade splitscape to read it`, fields.version);
  }
  return { version, stamped: true, ...(writtenBy !== undefined ? { writtenBy } : {}) };
}

/** The `__metadata__` keys of the stamp in a safetensors file (its metadata holds strings only). */
export const FORMAT_METADATA_KEYS = { splitscape: "splitscape.version", name: "splitscape.format", version: "splitscape.format_version" } as const;

/**
 * The stamp as safetensors `__metadata__` entries (strings).
 *
 * @param name - the file's format (`"model-safetensors"`)
 * @returns `{"splitscape.version": VERSION, "splitscape.format": name, "splitscape.format_version": "1"}`
 * @example
 * ```ts
 * import { formatStampMetadata } from "splitscape";
 * formatStampMetadata("model-safetensors")["splitscape.format_version"]; // "1"
 * ```
 */
export function formatStampMetadata(name: FormatName): Record<string, string> {
  return { [FORMAT_METADATA_KEYS.splitscape]: VERSION, [FORMAT_METADATA_KEYS.name]: name, [FORMAT_METADATA_KEYS.version]: String(FORMAT_VERSIONS[name]) };
}

/**
 * readFormat for safetensors `__metadata__`: no "splitscape.format" entry is version 1 (files
 * splitscape wrote before stamps, and every file PyTorch wrote); otherwise as readFormat, with
 * errors naming the `__metadata__` key.
 *
 * @param metadata - the file's `__metadata__` (strings)
 * @param name - the format the caller expects
 * @param source - the file, for the error message
 * @returns the file's format version and writer
 * @example
 * ```ts
 * import { readFormatMetadata } from "splitscape";
 * readFormatMetadata({ format: "pt" }, "model-safetensors", "torch.safetensors"); // { version: 1, stamped: false }
 * ```
 */
export function readFormatMetadata(metadata: Readonly<Record<string, string>>, name: FormatName, source: string): FormatFound {
  const found = metadata[FORMAT_METADATA_KEYS.name];
  if (found === undefined) return { version: 1, stamped: false };
  const raw = metadata[FORMAT_METADATA_KEYS.version];
  const version = raw !== undefined && /^[0-9]+$/.test(raw) ? Number(raw) : raw;
  return checkStamp({ found, version, writtenBy: metadata[FORMAT_METADATA_KEYS.splitscape] }, name, source, {
    name: `__metadata__.${FORMAT_METADATA_KEYS.name}`, version: `__metadata__.${FORMAT_METADATA_KEYS.version}`,
  });
}

/**
 * `value` without its stamp fields (`splitscape`, `format`), after {@link readFormat} checked
 * them: what a reader hands on, so a record read back equals the one written.
 *
 * @param value - a parsed JSON object
 * @returns a shallow copy without the `splitscape` and `format` fields
 * @example
 * ```ts
 * import { unstamped } from "splitscape";
 * unstamped({ splitscape: "0.1.0", format: { name: "run", version: 1 }, id: "x" }); // { id: "x" }
 * ```
 */
export function unstamped<T extends object>(value: T): Omit<T, keyof FormatStamp> {
  const { splitscape: _v, format: _f, ...rest } = value as T & Partial<FormatStamp>;
  return rest as Omit<T, keyof FormatStamp>;
}

/**
 * The stamp as HTML `<meta>` elements, for the `<head>` of a report:
 * `<meta name="splitscape" content="0.1.0"><meta name="splitscape-format" content="report 1">`.
 *
 * @param name - the page's format (`"report"`)
 * @returns the two `<meta>` elements, one line
 * @example
 * ```ts
 * import { formatStampHtml } from "splitscape";
 * formatStampHtml("report"); // '<meta name="splitscape" content="0.1.0"><meta name="splitscape-format" content="report 1">'
 * ```
 */
export function formatStampHtml(name: FormatName): string {
  return `<meta name="splitscape" content="${VERSION}"><meta name="splitscape-format" content="${name} ${FORMAT_VERSIONS[name]}">`;
}

/**
 * A Vega-Lite spec with the stamp of a figure under `usermeta` (Vega-Lite's field for metadata;
 * renderers ignore it).
 *
 * @param spec - the Vega-Lite spec of a figure
 * @returns a copy of `spec` whose `usermeta` also holds `{ splitscape, format: { name: "figure", version } }`
 * @example
 * ```ts
 * import { stampedFigure } from "splitscape";
 * stampedFigure({ mark: "point" }).usermeta; // { splitscape: "0.1.0", format: { name: "figure", version: 1 } }
 * ```
 */
export function stampedFigure<T extends object>(spec: T): T & { usermeta: FormatStamp } {
  const usermeta = (spec as { usermeta?: object }).usermeta ?? {};
  return { ...spec, usermeta: { ...usermeta, ...formatStamp("figure") } };
}
