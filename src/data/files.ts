import { extname } from "node:path";
import { writeFileAtomic } from "../common/atomic.js";
import { InputError } from "../common/errors.js";
import { readTextInput } from "../common/textInput.js";
import { isBuiltinAddress } from "./address.js";
import { makeBuiltin } from "./builtin.js";
import { datasetToCsv, parseCsvDataset } from "./csv.js";
import type { Dataset } from "./dataset.js";
import { datasetToJsonText, parseJsonDataset } from "./json.js";
import { datasetToNpy, datasetToNpz, loadNpyDataset, loadNpzDataset } from "./numpy.js";

/** Dataset file formats. */
export type DatasetFormat = "json" | "csv" | "npy" | "npz";

/** Options for loadDataset. */
export interface LoadOptions {
  /** CSV only: number of trailing label columns (see parseCsvDataset). */
  labelCols?: number;
  /** .npz only: names of the input and target arrays (default "X", "y"). */
  xKey?: string;
  yKey?: string;
  /** Force a format instead of deciding by extension / content. */
  format?: DatasetFormat;
  /** The option that named the path, for an empty path (default "--data"). */
  option?: string;
}

/** Format by file extension: .json → json; .csv, .tsv, .txt → csv; .npy, .npz; otherwise undefined. */
export function formatFromPath(path: string): DatasetFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".csv" || ext === ".tsv" || ext === ".txt") return "csv";
  if (ext === ".npy" || ext === ".npz") return ext.slice(1) as DatasetFormat;
  return undefined;
}

/**
 * Load a dataset from a file (.json or .csv; other extensions are sniffed: `{` starts JSON) or
 * generate it from a `builtin:NAME?…` address. The Dataset's source is the path as given (or the
 * canonical address). Missing or unreadable files and invalid content are InputErrors.
 *
 * @param pathOrAddress - a .json, .csv, .npy or .npz file, or a `builtin:NAME?…` address
 * @param opts - label columns (CSV, .npy), array names (.npz), a forced format
 * @returns the dataset
 * @example
 * ```ts
 * import { loadDataset } from "splitscape";
 * const data = loadDataset("builtin:iris?classes=1,2");
 * console.log(data.X.rows, data.X.cols);
 * ```
 */
export function loadDataset(pathOrAddress: string, opts: LoadOptions = {}): Dataset {
  if (isBuiltinAddress(pathOrAddress)) return makeBuiltin(pathOrAddress);
  const path = pathOrAddress;
  const binary = opts.format ?? formatFromPath(path);
  if (binary === "npz") return loadNpzDataset(path, opts);
  if (binary === "npy") return loadNpyDataset(path, opts);
  const text = readTextInput(path, { what: "a dataset file (.json, .csv, .npy, .npz) or a builtin:NAME address", option: opts.option ?? "--data" });
  const format = opts.format ?? formatFromPath(path) ?? (text.trimStart().startsWith("{") ? "json" : "csv");
  return format === "json" ? parseJsonDataset(text, path) : parseCsvDataset(text, path, { labelCols: opts.labelCols });
}

/**
 * The file content of a dataset in the given format (text for JSON and CSV, bytes for NumPy).
 *
 * @param ds - the dataset
 * @param format - json, csv (text) or npy, npz (bytes)
 * @returns the content saveDataset would write, without touching the file system
 * @example
 * ```ts
 * import { datasetToText, makeBuiltin } from "splitscape";
 * const bytes = datasetToText(makeBuiltin("builtin:blobs?n=20&seed=1"), "npz");
 * console.log(bytes instanceof Uint8Array); // true
 * ```
 */
export function datasetToText(ds: Dataset, format: DatasetFormat): string | Uint8Array {
  if (format === "npz") return datasetToNpz(ds);
  if (format === "npy") return datasetToNpy(ds);
  return format === "json" ? datasetToJsonText(ds) : datasetToCsv(ds);
}

/**
 * Write a dataset to `path` atomically (a temporary sibling renamed into place: readers never see
 * a partial file, and nothing is written if serialisation fails). The format follows the
 * extension (.json or .csv) unless given; any other extension is an InputError.
 *
 * @param ds - the dataset
 * @param path - the file to write
 * @param format - json, csv, npy or npz (default: from the extension)
 * @returns nothing; a JSON file carries the format stamp
 * @example
 * ```ts
 * import { makeBuiltin, saveDataset } from "splitscape";
 * saveDataset(makeBuiltin("builtin:blobs?n=40&seed=1"), "blobs.json");
 * ```
 */
export function saveDataset(ds: Dataset, path: string, format?: DatasetFormat): void {
  const f = format ?? formatFromPath(path);
  if (f === undefined) throw new InputError(path, "unknown dataset format: use a .json, .csv, .npy or .npz file name");
  writeFileAtomic(path, datasetToText(ds, f));
}
