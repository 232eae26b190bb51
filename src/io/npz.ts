/**
 * NumPy's `.npz` archives (`np.savez`, `np.savez_compressed`): a ZIP file with one `.npy` member
 * per array, named KEY.npy. Only the arrays asked for are inflated and decoded.
 */
import { InputError } from "../common/errors.js";
import { NPY_MAX_ELEMENTS, encodeNpy, parseNpy, type NpyReadOptions } from "./npy.js";
import { readFileBytes } from "./readBytes.js";
import type { Tensor } from "./tensor.js";
import { encodeZip, zipEntries, zipMember, type ZipEntry } from "./zip.js";

/** An opened .npz: the array names it holds and a reader for one of them. */
export interface NpzArchive {
  readonly source: string;
  /** Array names (member names without ".npy"), in archive order. */
  readonly keys: readonly string[];
  /** Decode the array `key` (InputError naming the available keys when it is absent). */
  read(key: string, opts?: NpyReadOptions): Tensor;
}

/**
 * Open an .npz file held in `bytes`; `source` names it in errors.
 *
 * @param bytes - the whole .npz (ZIP) archive in memory, stored or deflated members
 * @param source - the file the InputErrors name (not a ZIP, corrupt or oversized members, bad .npy)
 * @returns the archive: its array names and a reader that decodes one array on demand
 * @example
 * ```ts
 * import { encodeNpz, parseNpz } from "splitscape";
 * const bytes = encodeNpz([{ key: "X", shape: [2, 1], data: Float64Array.of(1, 2) }]);
 * const npz = parseNpz(bytes, "in-memory");
 * console.log(npz.keys, npz.read("X").shape); // ["X"] [2, 1]
 * ```
 */
export function parseNpz(bytes: Uint8Array, source: string): NpzArchive {
  const members = new Map<string, ZipEntry>();
  for (const e of zipEntries(bytes, source)) {
    if (e.name.endsWith("/")) continue;
    members.set(e.name.endsWith(".npy") ? e.name.slice(0, -4) : e.name, e);
  }
  const keys = [...members.keys()];
  return {
    source,
    keys,
    read(key: string, opts: NpyReadOptions = {}): Tensor {
      const e = members.get(key);
      if (e === undefined) {
        throw new InputError(source, `no array named ${JSON.stringify(key)}; the archive holds ${keys.length === 0 ? "no arrays" : keys.map((k) => JSON.stringify(k)).join(", ")}`);
      }
      const max = opts.maxElements ?? NPY_MAX_ELEMENTS;
      const member = zipMember(bytes, e, source, 1_000_000 + 8 * max);
      return parseNpy(member, source, { ...opts, what: opts.what ?? key });
    },
  };
}

/**
 * Open an .npz file (InputError for a missing or unreadable file).
 *
 * @param path - the .npz file (as `np.savez` or `np.savez_compressed` writes it)
 * @returns the archive: its array names and a reader that decodes one array on demand
 * @example
 * ```ts
 * import { readNpz } from "splitscape";
 * const npz = readNpz("examples/iris.npz");
 * const X = npz.read("X");
 * console.log(npz.keys, X.shape);
 * ```
 */
export function readNpz(path: string): NpzArchive {
  return parseNpz(readFileBytes(path), path);
}

/**
 * The bytes of an .npz archive (stored, like `np.savez`) of float64 arrays by name.
 *
 * @param arrays - name (member `name.npy`), shape and C-order float64 data of each array
 * @returns the bytes of the archive, readable by `np.load`
 * @example
 * ```ts
 * import { encodeNpz } from "splitscape";
 * import { writeFileSync } from "node:fs";
 * writeFileSync("data.npz", encodeNpz([
 *   { key: "X", shape: [2, 2], data: Float64Array.of(0, 1, 1, 0) },
 *   { key: "y", shape: [2], data: Float64Array.of(1, -1) },
 * ]));
 * ```
 */
export function encodeNpz(arrays: ReadonlyArray<{ readonly key: string; readonly shape: readonly number[]; readonly data: Float64Array }>): Uint8Array {
  return encodeZip(arrays.map((a) => ({ name: `${a.key}.npy`, data: encodeNpy(a.shape, a.data) })));
}
