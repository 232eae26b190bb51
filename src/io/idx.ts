/**
 * The IDX format of the MNIST family (LeCun et al., "THE MNIST DATABASE", file formats):
 * a 4-byte magic 0x00 0x00 TYPE NDIM (TYPE 0x08 = unsigned byte), NDIM big-endian u32 sizes,
 * then the data, row-major. Files may be gzip-compressed (the usual `.gz` distribution).
 */
import { gunzipSync } from "node:zlib";
import { InputError } from "../common/errors.js";
import { readFileBytes } from "./readBytes.js";
import { elementCount, formatShape } from "./tensor.js";

/** Largest accepted decompressed IDX file (1 GiB; Fashion-MNIST's training images are 47 MB). */
export const IDX_MAX_BYTES = 2 ** 30;

/** An unsigned-byte IDX array: shape and the bytes (row-major). */
export interface IdxArray {
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Decode an unsigned-byte IDX array (gzip-compressed or not); `source` names the file in errors.
 *
 * @param raw - the file's bytes, gzip-compressed (`.gz`, as distributed) or not
 * @param source - the file the InputErrors name (wrong magic or element type, size mismatch,
 * decompressed size above IDX_MAX_BYTES)
 * @returns the shape (e.g. [60000, 28, 28]) and the unsigned bytes in row-major order
 * @example
 * ```ts
 * import { parseIdx } from "splitscape";
 * // magic 0x00000801 (unsigned bytes, 1 dimension), size 3, then the bytes
 * const idx = parseIdx(Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1), "labels");
 * console.log(idx.shape, Array.from(idx.data)); // [3] [7, 2, 1]
 * ```
 */
export function parseIdx(raw: Uint8Array, source: string): IdxArray {
  let bytes = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw, { maxOutputLength: IDX_MAX_BYTES });
    } catch (err) {
      throw new InputError(source, `cannot decompress (${(err as Error).message}): truncated or corrupt .gz`);
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new InputError(source, "not an IDX file (bad magic number)");
  if (bytes[2] !== 0x08) throw new InputError(source, `IDX element type 0x${bytes[2].toString(16)} is not supported (unsigned byte 0x08 is)`);
  const ndim = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * ndim) throw new InputError(source, "truncated IDX header");
  const shape = Array.from({ length: ndim }, (_, a) => view.getUint32(4 + 4 * a, false));
  const start = 4 + 4 * ndim;
  const count = elementCount(shape);
  if (bytes.length - start !== count) throw new InputError(source, `IDX shape ${formatShape(shape)} needs ${count} bytes of data, the file has ${bytes.length - start}`);
  return { shape, data: bytes.subarray(start) };
}

/**
 * Read an IDX file (InputError for a missing or unreadable file).
 *
 * @param path - an IDX file such as `train-images-idx3-ubyte.gz` (gzip or not)
 * @returns the shape and the unsigned bytes in row-major order
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { readIdx } from "splitscape";
 * // A 2×2×2 unsigned-byte tensor: magic 0x00000803 (type 0x08 = uint8, 3 dimensions), the three
 * // sizes as big-endian uint32, then the 8 bytes; MNIST's train-images-idx3-ubyte.gz reads the same way.
 * writeFileSync("tiny-idx3-ubyte", Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8]));
 * const images = readIdx("tiny-idx3-ubyte");
 * console.log(images.shape, images.data[7]); // [2, 2, 2] 8
 * ```
 */
export function readIdx(path: string): IdxArray {
  return parseIdx(readFileBytes(path), path);
}
