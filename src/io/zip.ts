/**
 * The part of the ZIP format (PKWARE APPNOTE 6.3) that NumPy's `.npz` files use: the central
 * directory (with ZIP64 sizes and offsets), members stored (method 0) or deflated (method 8,
 * `np.savez_compressed`), CRC-32 checked. Inflating is Node's zlib; the container is parsed here
 * because it is ~100 lines and a dependency would add nothing (no streaming is needed: npz
 * members are read whole). Encrypted, multi-disk and other compression methods are InputErrors.
 */
import { inflateRawSync } from "node:zlib";
import { InputError } from "../common/errors.js";

/** One member as listed by the central directory. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
  readonly flags: number;
}

const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The members of a ZIP archive held in `bytes`, from its central directory. */
export function zipEntries(bytes: Uint8Array, source: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndRecord(view, source);
  let count = view.getUint16(eocd + 10, true);
  let dirSize = view.getUint32(eocd + 12, true);
  let dirOffset = view.getUint32(eocd + 16, true);
  if (view.getUint16(eocd + 4, true) !== 0 || view.getUint16(eocd + 6, true) !== 0) {
    throw new InputError(source, "multi-disk ZIP archives are not supported");
  }
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== ZIP64_LOCATOR) throw new InputError(source, "ZIP64 end record missing: truncated or corrupt archive");
    const z = Number(view.getBigUint64(loc + 8, true));
    if (z + 56 > bytes.length || view.getUint32(z, true) !== ZIP64_EOCD) throw new InputError(source, "ZIP64 end record out of range: corrupt archive");
    count = Number(view.getBigUint64(z + 32, true));
    dirSize = Number(view.getBigUint64(z + 40, true));
    dirOffset = Number(view.getBigUint64(z + 48, true));
  }
  if (dirOffset + dirSize > bytes.length) throw new InputError(source, "the central directory runs past the end of the file: truncated archive");
  const entries: ZipEntry[] = [];
  let p = dirOffset;
  for (let e = 0; e < count; e++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) throw new InputError(source, `central directory entry ${e} is corrupt`);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen > bytes.length) throw new InputError(source, `central directory entry ${e} runs past the end of the file`);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    // ZIP64 extended information (header id 1): the 8-byte values of the fields saturated above.
    for (let x = p + 46 + nameLen; x + 4 <= p + 46 + nameLen + extraLen;) {
      const id = view.getUint16(x, true);
      const len = view.getUint16(x + 2, true);
      if (id === 1) {
        let q = x + 4;
        const next = (): number => {
          const v = Number(view.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      x += 4 + len;
    }
    entries.push({
      name, method: view.getUint16(p + 10, true), compressedSize, size, crc32: view.getUint32(p + 16, true), localHeaderOffset,
      flags: view.getUint16(p + 8, true),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function findEndRecord(view: DataView, source: string): number {
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let p = view.byteLength - 22; p >= min; p--) {
    if (view.getUint32(p, true) === EOCD) return p;
  }
  throw new InputError(source, "not a ZIP archive (no end-of-central-directory record): truncated, or not an .npz file");
}

/**
 * The uncompressed bytes of `entry`, refusing anything larger than `maxSize` before inflating.
 * Checks the local header, the declared sizes and the CRC-32.
 */
export function zipMember(bytes: Uint8Array, entry: ZipEntry, source: string, maxSize: number): Uint8Array {
  const what = entry.name;
  if (entry.flags & 1) throw new InputError(source, "encrypted ZIP members are not supported", what);
  if (entry.size > maxSize) throw new InputError(source, `member of ${entry.size} bytes exceeds the limit of ${maxSize}`, what);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = entry.localHeaderOffset;
  if (h + 30 > bytes.length || view.getUint32(h, true) !== LOCAL) throw new InputError(source, "local header missing: corrupt archive", what);
  const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new InputError(source, `data run past the end of the file (${end} > ${bytes.length}): truncated archive`, what);
  const raw = bytes.subarray(start, end);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new InputError(source, "stored member with different compressed and uncompressed sizes: corrupt archive", what);
    data = raw;
  } else if (entry.method === 8) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (err) {
      throw new InputError(source, `cannot inflate the member (${(err as Error).message}): corrupt archive`, what);
    }
    if (data.length !== entry.size) throw new InputError(source, `inflated to ${data.length} bytes, the directory says ${entry.size}: corrupt archive`, what);
  } else {
    throw new InputError(source, `compression method ${entry.method} is not supported (stored and deflate are)`, what);
  }
  if (crc32(data) !== entry.crc32) throw new InputError(source, "CRC-32 mismatch: corrupt archive", what);
  return data;
}

let CRC_TABLE: Uint32Array | null = null;

/** CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320) of `data`, as ZIP stores it. */
export function crc32(data: Uint8Array): number {
  if (CRC_TABLE === null) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The bytes of a ZIP archive holding `members` stored (method 0), as `np.savez` writes them:
 * local headers, data, central directory, end record (no ZIP64: each member and the whole
 * archive must stay below 4 GiB, else RangeError).
 */
export function encodeZip(members: ReadonlyArray<{ readonly name: string; readonly data: Uint8Array }>): Uint8Array {
  const enc = new TextEncoder();
  const names = members.map((m) => enc.encode(m.name));
  const localSize = members.reduce((s, m, i) => s + 30 + names[i].length + m.data.length, 0);
  const dirSize = names.reduce((s, n) => s + 46 + n.length, 0);
  if (localSize + dirSize + 22 >= 0xffffffff) throw new RangeError("encodeZip: archive of 4 GiB or more needs ZIP64, which is not written");
  const out = new Uint8Array(localSize + dirSize + 22);
  const view = new DataView(out.buffer);
  const offsets: number[] = [];
  const crcs = members.map((m) => crc32(m.data));
  let p = 0;
  members.forEach((m, i) => {
    offsets.push(p);
    view.setUint32(p, LOCAL, true);
    view.setUint16(p + 4, 20, true); // version needed 2.0
    view.setUint32(p + 14, crcs[i], true);
    view.setUint32(p + 18, m.data.length, true);
    view.setUint32(p + 22, m.data.length, true);
    view.setUint16(p + 26, names[i].length, true);
    out.set(names[i], p + 30);
    out.set(m.data, p + 30 + names[i].length);
    p += 30 + names[i].length + m.data.length;
  });
  const dirStart = p;
  members.forEach((m, i) => {
    view.setUint32(p, CENTRAL, true);
    view.setUint16(p + 4, 20, true);
    view.setUint16(p + 6, 20, true);
    view.setUint32(p + 16, crcs[i], true);
    view.setUint32(p + 20, m.data.length, true);
    view.setUint32(p + 24, m.data.length, true);
    view.setUint16(p + 28, names[i].length, true);
    view.setUint32(p + 42, offsets[i], true);
    out.set(names[i], p + 46);
    p += 46 + names[i].length;
  });
  view.setUint32(p, EOCD, true);
  view.setUint16(p + 8, members.length, true);
  view.setUint16(p + 10, members.length, true);
  view.setUint32(p + 12, p - dirStart, true);
  view.setUint32(p + 16, dirStart, true);
  return out;
}
