// Data sets of the lab: built-in generators by their `builtin:NAME?…` address (the CLI's
// --data), and the user's own files (CSV, JSON, NumPy .npy/.npz), parsed from their contents by the library's parsers and
// kept under a content-addressed name `upload:NAME@HASH` that a URL can carry.
import { InputError } from "../../../src/common/errors.js";
import { datasetShape, makeBuiltin, npyDataset, npzDataset, parseCsvDataset, parseJsonDataset, type Dataset } from "../../../src/data/index.js";
import { isBuiltinAddress } from "../../../src/data/address.js";
import { parseNpy, parseNpz } from "../../../src/io/index.js";

/** Prefix of uploaded data sets in the URL: `upload:moons.csv@1a2b3c4d`. */
export const UPLOAD_PREFIX = "upload:";

/** Largest upload accepted (characters of text, or bytes), checked before parsing. */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

/** What the page shows of a data set: its shape, source and the points of a 2-D scatter. */
export interface DataSummary {
  readonly source: string;
  readonly n: number;
  readonly d: number;
  readonly k: number;
  /** Targets are all ±1 (a classification data set). */
  readonly labels: boolean;
  /** Row-major n×d inputs and n×k targets (copies, for plotting). */
  readonly X: Float64Array;
  readonly Y: Float64Array;
}

/** FNV-1a (32-bit) of a string's UTF-16 code units or of bytes, as 8 hex digits: a short content address for uploads. */
export function contentHash(content: string | Uint8Array): string {
  let h = 0x811c9dc5;
  const text = typeof content === "string";
  for (let i = 0; i < content.length; i++) {
    h ^= text ? content.charCodeAt(i) : (content as Uint8Array)[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** Is a file of this name a NumPy array file (read as bytes)? */
export function isNumpyName(name: string): boolean {
  return /\.np[yz]$/i.test(name);
}

/** The data sets of one page: uploads by their address; built-ins are regenerated on demand. */
export class DataStore {
  private readonly uploads = new Map<string, Dataset>();

  /**
   * Parse an uploaded file and keep it; returns its address `upload:NAME@HASH` (`hash` defaults
   * to the content's). By the CLI's rules: .npy bytes are one [n, d + 1] array whose last column
   * is y, .npz bytes hold arrays X and y (data/numpy.ts; an .npz must be stored, see
   * numpy.ts's storedNpz); text is JSON when the name ends in .json or the text starts with `{`,
   * else CSV. InputErrors name the file.
   */
  upload(name: string, content: string | Uint8Array, hash = contentHash(content)): string {
    if (content.length > MAX_UPLOAD_BYTES) throw new InputError(name, `is ${content.length} bytes; the lab accepts files up to ${MAX_UPLOAD_BYTES} bytes`);
    const ds = typeof content === "string" ? parseText(name, content) : parseNumpy(name, content);
    const address = `${UPLOAD_PREFIX}${name}@${hash}`;
    this.uploads.set(address, { X: ds.X, Y: ds.Y, source: address });
    return address;
  }

  /** The data set at `source` (built-in address or upload address); InputError if unknown. */
  get(source: string): Dataset {
    if (source.startsWith(UPLOAD_PREFIX)) {
      const ds = this.uploads.get(source);
      if (ds === undefined) {
        throw new InputError(source, "this link names a file uploaded in another page; drop the file here again (its content hash must match)");
      }
      return ds;
    }
    if (!isBuiltinAddress(source)) throw new InputError(source, "expected a builtin:NAME?key=value&… address or an uploaded file");
    return makeBuiltin(source);
  }

  /** The summary of `source` for the page. */
  summary(source: string): DataSummary {
    return summarize(this.get(source));
  }
}

function parseText(name: string, text: string): Dataset {
  if (isNumpyName(name)) throw new InputError(name, "is a NumPy file: it is read as bytes, not text");
  const lower = name.toLowerCase();
  const json = lower.endsWith(".json") || (!/\.(csv|tsv|txt)$/.test(lower) && text.trimStart().startsWith("{"));
  return json ? parseJsonDataset(text, name) : parseCsvDataset(text, name);
}

function parseNumpy(name: string, bytes: Uint8Array): Dataset {
  const lower = name.toLowerCase();
  if (lower.endsWith(".npz")) return npzDataset(parseNpz(bytes, name));
  if (lower.endsWith(".npy")) return npyDataset(parseNpy(bytes, name), name);
  throw new InputError(name, "expected a NumPy file (.npy: one [n, d + 1] array whose last column is y; .npz: arrays X and y) or a CSV/JSON text file");
}

/** The page's view of a data set. */
export function summarize(ds: Dataset): DataSummary {
  const { n, d, k } = datasetShape(ds);
  let labels = true;
  for (const v of ds.Y.data) if (v !== 1 && v !== -1) { labels = false; break; }
  return { source: ds.source, n, d, k, labels, X: ds.X.data.slice(), Y: ds.Y.data.slice() };
}
