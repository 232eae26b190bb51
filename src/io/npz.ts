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

/** Open an .npz file held in `bytes`; `source` names it in errors. */
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

/** Open an .npz file (InputError for a missing or unreadable file). */
export function readNpz(path: string): NpzArchive {
  return parseNpz(readFileBytes(path), path);
}

/** The bytes of an .npz archive (stored, like `np.savez`) of float64 arrays by name. */
export function encodeNpz(arrays: ReadonlyArray<{ readonly key: string; readonly shape: readonly number[]; readonly data: Float64Array }>): Uint8Array {
  return encodeZip(arrays.map((a) => ({ name: `${a.key}.npy`, data: encodeNpy(a.shape, a.data) })));
}
