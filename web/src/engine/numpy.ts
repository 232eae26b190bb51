// NumPy uploads in the page: .npy and .npz bytes go to the library's parsers (io/npy.ts,
// io/npz.ts) and dataset readers (data/numpy.ts), exactly as the CLI reads files. One thing the
// browser lacks is Node's synchronous zlib, which `np.savez_compressed` archives need: their
// deflated members are inflated here first with the platform's DecompressionStream
// ("deflate-raw", the same RFC 1951 stream), size-limited while inflating and CRC-32 checked
// after, and the archive is re-packed stored — which parseNpz then reads without zlib.
import { InputError } from "../../../src/common/errors.js";
import { NPY_MAX_ELEMENTS } from "../../../src/io/index.js";
import { crc32, encodeZip, zipEntries } from "../../../src/io/zip.js";

const LOCAL_HEADER = 0x04034b50;

/** Largest inflated member accepted: the .npy header allowance plus NPY_MAX_ELEMENTS float64s (parseNpz's bound). */
export const NPZ_MAX_MEMBER = 1_000_000 + 8 * NPY_MAX_ELEMENTS;

/** Inflate raw DEFLATE data, refusing more than `size` bytes of output (a zip bomb stops at the limit). */
async function inflateRaw(raw: Uint8Array, size: number, source: string, what: string): Promise<Uint8Array> {
  const stream = new Blob([raw as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const out = new Uint8Array(size);
  let at = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (at + value.length > size) {
        await reader.cancel();
        throw new InputError(source, `inflates to more than the ${size} bytes the directory says: corrupt archive`, what);
      }
      out.set(value, at);
      at += value.length;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(source, `cannot inflate the member (${(e as Error).message}): corrupt archive`, what);
  }
  if (at !== size) throw new InputError(source, `inflated to ${at} bytes, the directory says ${size}: corrupt archive`, what);
  return out;
}

/**
 * The bytes of an .npz archive with every deflated member inflated and stored (see the file
 * comment); an archive without deflated members is returned as it is. InputErrors name the file
 * and the member, in the words of io/zip.ts.
 */
export async function storedNpz(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  const entries = zipEntries(bytes, source);
  if (entries.every((e) => e.method !== 8)) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const members: { name: string; data: Uint8Array }[] = [];
  for (const e of entries) {
    if (e.name.endsWith("/")) continue;
    if (e.flags & 1) throw new InputError(source, "encrypted ZIP members are not supported", e.name);
    if (e.method !== 0 && e.method !== 8) throw new InputError(source, `compression method ${e.method} is not supported (stored and deflate are)`, e.name);
    if (e.size > NPZ_MAX_MEMBER) throw new InputError(source, `member of ${e.size} bytes exceeds the limit of ${NPZ_MAX_MEMBER}`, e.name);
    const h = e.localHeaderOffset;
    if (h + 30 > bytes.length || view.getUint32(h, true) !== LOCAL_HEADER) throw new InputError(source, "local header missing: corrupt archive", e.name);
    const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
    const end = start + e.compressedSize;
    if (end > bytes.length) throw new InputError(source, `data run past the end of the file (${end} > ${bytes.length}): truncated archive`, e.name);
    const raw = bytes.subarray(start, end);
    const data = e.method === 8 ? await inflateRaw(raw, e.size, source, e.name) : raw;
    if (crc32(data) !== e.crc32) throw new InputError(source, "CRC-32 mismatch: corrupt archive", e.name);
    members.push({ name: e.name, data });
  }
  return encodeZip(members);
}
