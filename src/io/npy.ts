/**
 * NumPy's `.npy` format (numpy.lib.format, versions 1.0, 2.0 and 3.0):
 *
 *   "\x93NUMPY" major minor  HEADER_LEN (u16 LE in 1.0, u32 LE in 2.0/3.0)
 *   HEADER = "{'descr': '<f8', 'fortran_order': False, 'shape': (n, d), }" padded with spaces, '\n'
 *   then the raw elements, C order (row-major) or Fortran order (column-major).
 *
 * Arrays are read into ONE Float64Array in C order: float64/32/16, signed and unsigned integers of
 * 1–8 bytes and bool, either byte order; Fortran-order data are transposed while streaming.
 * `readNpy` streams the file in chunks (a little-endian float64 C-order array is read straight
 * into the result's memory; no intermediate copy, no text). The shape is checked against
 * `maxElements` and against the file size BEFORE anything is allocated; a truncated file, a
 * header length past the end, structured/object/complex/string dtypes and unparsable headers are
 * InputErrors naming the file (and `what`, e.g. the npz member).
 *
 * Why not the npm package npyjs: it parses an in-memory ArrayBuffer into a typed array of the
 * stored type (a second full-size copy to widen to float64), does not transpose Fortran order,
 * and brings a network-fetch dependency; here the point is streaming into float64.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InputError } from "../common/errors.js";
import { elementCount, formatShape, HOST_LITTLE_ENDIAN, widenInto, type ElementType, type Tensor } from "./tensor.js";

/** Default limit on the number of elements of one array (2²⁸: 2 GiB of float64). */
export const NPY_MAX_ELEMENTS = 2 ** 28;
/** Largest accepted header (NumPy itself refuses more than 10 000 bytes by default). */
const MAX_HEADER = 1_000_000;
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A parsed .npy header: element type, shape, order, and where the data start. */
export interface NpyHeader {
  readonly type: ElementType;
  /** The descr string as written, e.g. "<f8". */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly fortranOrder: boolean;
  /** Byte offset of the first element. */
  readonly dataOffset: number;
}

/** Options of the readers. */
export interface NpyReadOptions {
  /** Largest accepted number of elements (default NPY_MAX_ELEMENTS). */
  maxElements?: number;
  /** What the array is, for messages (e.g. "X" for an npz member); the file is `source`. */
  what?: string;
}

/**
 * Bytes of the header needed to know its full length: the 6-byte magic, 2 version bytes and the
 * length field (2 or 4 bytes). Returns the total prefix length (magic … end of header).
 */
function headerLength(prefix: Uint8Array, source: string, what?: string): number {
  if (prefix.length < 10 || !MAGIC.every((b, i) => prefix[i] === b)) {
    throw new InputError(source, "not a NumPy .npy array (the file does not start with \\x93NUMPY)", what);
  }
  const major = prefix[6];
  if (major === 1) return 10 + (prefix[8] | (prefix[9] << 8));
  if (major === 2 || major === 3) {
    if (prefix.length < 12) throw new InputError(source, "truncated .npy header", what);
    return 12 + new DataView(prefix.buffer, prefix.byteOffset).getUint32(8, true);
  }
  throw new InputError(source, `unsupported .npy format version ${major}.${prefix[7]} (known: 1.0, 2.0, 3.0)`, what);
}

/**
 * Parse the header at the start of `bytes` (which must hold the whole header).
 *
 * @param bytes - the start of a .npy file holding at least its whole header (magic, version,
 * header length, the Python-literal dict)
 * @param source - the file the InputErrors name (bad magic, unknown version, truncated or
 * unparsable header, unsupported dtype)
 * @param what - what the array is, for messages (e.g. the npz member), or undefined
 * @returns element type, descr string, shape, order and the byte offset where the data start
 * @example
 * ```ts
 * import { encodeNpy, parseNpyHeader } from "splitscape";
 * const h = parseNpyHeader(encodeNpy([2, 3], new Float64Array(6)), "in-memory");
 * console.log(h.dtype, h.shape, h.fortranOrder, h.dataOffset); // "<f8" [2, 3] false 128
 * ```
 */
export function parseNpyHeader(bytes: Uint8Array, source: string, what?: string): NpyHeader {
  const end = headerLength(bytes, source, what);
  if (end > MAX_HEADER) throw new InputError(source, `.npy header of ${end} bytes exceeds the limit of ${MAX_HEADER}`, what);
  if (end > bytes.length) throw new InputError(source, `truncated .npy file: the header needs ${end} bytes, the file has ${bytes.length}`, what);
  const start = bytes[6] === 1 ? 10 : 12;
  const text = new TextDecoder(bytes[6] === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, end)).trim();
  const bad = (why: string): never => {
    throw new InputError(source, `malformed .npy header (${why}): ${JSON.stringify(text.length > 80 ? text.slice(0, 80) + "…" : text)}`, what);
  };
  if (!text.startsWith("{") || !text.endsWith("}")) bad("expected a Python dict literal");
  const descrList = /['"]descr['"]\s*:\s*\[/.test(text);
  if (descrList) throw new InputError(source, "structured (record) arrays are not supported; save a plain numeric array", what);
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1] ?? bad("no 'descr'");
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1] ?? bad("no 'fortran_order'");
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1] ?? bad("no 'shape'");
  const shape = shapeText.split(",").map((s) => s.trim().replace(/L$/, "")).filter((s) => s !== "").map((s) => {
    const v = /^\d+$/.test(s) ? Number(s) : NaN;
    return Number.isSafeInteger(v) ? v : bad(`shape entry ${JSON.stringify(s)} is not a non-negative integer`);
  });
  return { type: elementType(descr, source, what), dtype: descr, shape, fortranOrder: fortran === "True", dataOffset: end };
}

/** The element type of a NumPy descr such as "<f8", "|u1", ">i4", "|b1". */
function elementType(descr: string, source: string, what?: string): ElementType {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  const kinds = { f: "float", i: "int", u: "uint", b: "bool" } as const;
  if (m !== null) {
    const bytes = Number(m[3]);
    const kind = kinds[m[2] as keyof typeof kinds];
    const ok = kind === "float" ? [2, 4, 8].includes(bytes) : kind === "bool" ? bytes === 1 : [1, 2, 4, 8].includes(bytes);
    if (ok) {
      const littleEndian = m[1] === "<" || ((m[1] === "=" || m[1] === "" || m[1] === "|") && HOST_LITTLE_ENDIAN) || bytes === 1;
      return { kind, bytes: bytes as 1 | 2 | 4 | 8, littleEndian };
    }
  }
  const why = /[cO]/.test(descr) ? "complex and object arrays cannot be read as float64"
    : /[USVa]/.test(descr) ? "string and void arrays cannot be read as float64"
      : /[Mm]/.test(descr) ? "datetime arrays cannot be read as float64" : "not a numeric dtype";
  throw new InputError(source, `unsupported dtype ${JSON.stringify(descr)} (${why}); readable: float16/32/64, int8–64, uint8–64, bool`, what);
}

/** Element count of a header, checked against maxElements (before any allocation). */
function checkedCount(h: NpyHeader, source: string, opts: NpyReadOptions): number {
  const count = elementCount(h.shape);
  const max = opts.maxElements ?? NPY_MAX_ELEMENTS;
  if (!(count <= max)) throw new InputError(source, `array of shape ${formatShape(h.shape)} has more than ${max} elements`, opts.what);
  return count;
}

function sizeMismatch(h: NpyHeader, count: number, have: number, source: string, what?: string): InputError {
  const need = count * h.type.bytes;
  const why = have < need ? "truncated file" : "trailing bytes after the array";
  return new InputError(source, `${why}: shape ${formatShape(h.shape)} of ${h.dtype} needs ${need} bytes of data, the file has ${have}`, what);
}

/**
 * Decode a whole .npy held in memory (e.g. an npz member) into a C-order float64 tensor.
 *
 * @param bytes - the whole .npy file in memory (its size must match header + shape × element size)
 * @param source - the file the InputErrors name
 * @param opts - the largest accepted element count (default NPY_MAX_ELEMENTS) and what the array
 * is, for messages
 * @returns the array widened to float64 in C order, with its shape and stored dtype
 * @example
 * ```ts
 * import { encodeNpy, parseNpy } from "splitscape";
 * const t = parseNpy(encodeNpy([2, 2], Float64Array.of(1, 2, 3, 4)), "in-memory");
 * console.log(t.shape, Array.from(t.data)); // [2, 2] [1, 2, 3, 4]
 * ```
 */
export function parseNpy(bytes: Uint8Array, source: string, opts: NpyReadOptions = {}): Tensor {
  const h = parseNpyHeader(bytes, source, opts.what);
  const count = checkedCount(h, source, opts);
  const have = bytes.length - h.dataOffset;
  if (have !== count * h.type.bytes) throw sizeMismatch(h, count, have, source, opts.what);
  const out = new Float64Array(count);
  const sink = orderSink(h, out);
  sink(bytes.subarray(h.dataOffset), 0, count, source, opts.what);
  return { shape: h.shape, data: out, dtype: h.dtype };
}

/** Chunk size of the streaming reader, bytes (a multiple of every element size). */
const CHUNK = 1 << 22;

/**
 * Stream a .npy file into one C-order Float64Array. The file size must equal header + shape ×
 * element size exactly (truncated files and trailing bytes are errors).
 *
 * @param path - the .npy file
 * @param opts - the largest accepted element count (default NPY_MAX_ELEMENTS, checked before
 * allocating) and what the array is, for messages
 * @returns the array widened to float64 in C order, with its shape and stored dtype
 * @example
 * ```ts
 * import { encodeNpy, readNpy } from "splitscape";
 * import { writeFileSync } from "node:fs";
 * writeFileSync("x.npy", encodeNpy([3], Float64Array.of(0.5, 1, 2)));
 * console.log(readNpy("x.npy").data); // Float64Array [0.5, 1, 2]
 * ```
 */
export function readNpy(path: string, opts: NpyReadOptions = {}): Tensor {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(path, code === "ENOENT" ? "no such file" : `cannot read the file (${(err as Error).message})`);
  }
  try {
    const size = fstatSync(fd).size;
    const prefix = new Uint8Array(Math.min(size, 12));
    readFully(fd, prefix, 0, prefix.length, 0);
    const hl = headerLength(prefix, path, opts.what);
    if (hl > MAX_HEADER) throw new InputError(path, `.npy header of ${hl} bytes exceeds the limit of ${MAX_HEADER}`, opts.what);
    if (hl > size) throw new InputError(path, `truncated .npy file: the header needs ${hl} bytes, the file has ${size}`, opts.what);
    const headerBytes = new Uint8Array(hl);
    readFully(fd, headerBytes, 0, hl, 0);
    const h = parseNpyHeader(headerBytes, path, opts.what);
    const count = checkedCount(h, path, opts);
    if (size - h.dataOffset !== count * h.type.bytes) throw sizeMismatch(h, count, size - h.dataOffset, path, opts.what);
    const out = new Float64Array(count);
    streamInto(fd, h, count, out, path, opts.what);
    return { shape: h.shape, data: out, dtype: h.dtype };
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, buf: Uint8Array, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const r = readSync(fd, buf, offset + done, length - done, position + done);
    if (r === 0) throw new RangeError("readNpy: unexpected end of file");
    done += r;
  }
}

function streamInto(fd: number, h: NpyHeader, count: number, out: Float64Array, source: string, what?: string): void {
  const direct = h.type.kind === "float" && h.type.bytes === 8 && h.type.littleEndian === HOST_LITTLE_ENDIAN;
  if (direct && (!h.fortranOrder || h.shape.length <= 1)) {
    // The file's bytes are the result's bytes: read them into place.
    const target = new Uint8Array(out.buffer, out.byteOffset, count * 8);
    for (let at = 0; at < target.length; at += CHUNK) readFully(fd, target, at, Math.min(CHUNK, target.length - at), h.dataOffset + at);
    return;
  }
  const sink = orderSink(h, out);
  const per = CHUNK / 8; // elements per chunk (CHUNK is a multiple of 8)
  const scratch = new Uint8Array(per * h.type.bytes);
  for (let t = 0; t < count; t += per) {
    const c = Math.min(per, count - t);
    readFully(fd, scratch, 0, c * h.type.bytes, h.dataOffset + t * h.type.bytes);
    sink(scratch, t, c, source, what);
  }
}

/**
 * A function that widens `c` stored elements (from the start of `bytes`), which are elements
 * t … t+c−1 in the file's order, into their C-order places in `out`.
 */
type Sink = (bytes: Uint8Array, t: number, c: number, source: string, what?: string) => void;

function orderSink(h: NpyHeader, out: Float64Array): Sink {
  const tooBig = (bad: number, source: string, what?: string): never => {
    throw new InputError(source, `element ${bad} does not fit a float64 exactly (|v| > 2^53)`, what);
  };
  if (!h.fortranOrder || h.shape.length <= 1) {
    return (bytes, t, c, source, what) => {
      const bad = widenInto(h.type, bytes, 0, c, out, t);
      if (bad >= 0) tooBig(t + bad, source, what);
    };
  }
  const scatter = fortranScatter(h.shape, out);
  let tmp = new Float64Array(0);
  return (bytes, t, c, source, what) => {
    if (tmp.length < c) tmp = new Float64Array(c);
    const bad = widenInto(h.type, bytes, 0, c, tmp, 0);
    if (bad >= 0) tooBig(t + bad, source, what);
    scatter(tmp, c);
  };
}

/**
 * Place Fortran-order elements, delivered in file order chunk by chunk, at their C-order indices:
 * F-order element t has multi-index (i₀, …, i_k) with i₀ fastest; its C index is Σ i_a·s_a with
 * C strides s_k = 1, s_a = s_{a+1}·shape[a+1]. The multi-index advances like an odometer.
 */
function fortranScatter(shape: readonly number[], out: Float64Array): (vals: Float64Array, c: number) => void {
  const k = shape.length;
  const stride = new Array<number>(k);
  stride[k - 1] = 1;
  for (let a = k - 2; a >= 0; a--) stride[a] = stride[a + 1] * shape[a + 1];
  const idx = new Array<number>(k).fill(0);
  let at = 0;
  if (k === 2) {
    // Matrices: column j of the file is column j of the result, written with stride cols.
    const [rows, cols] = shape;
    let i = 0;
    let j = 0;
    return (vals, c) => {
      for (let t = 0; t < c; t++) {
        out[i * cols + j] = vals[t];
        if (++i === rows) {
          i = 0;
          j++;
        }
      }
    };
  }
  return (vals, c) => {
    for (let t = 0; t < c; t++) {
      out[at] = vals[t];
      let a = 0;
      idx[0]++;
      at += stride[0];
      while (a < k - 1 && idx[a] === shape[a]) {
        at -= idx[a] * stride[a];
        idx[a] = 0;
        a++;
        idx[a]++;
        at += stride[a];
      }
    }
  };
}

/**
 * The bytes of a .npy file (format 1.0) with the given descr (e.g. "<f4"), order and shape around
 * `raw`, the element bytes as stored; the header is padded so the data start at a multiple of 64
 * bytes, as NumPy writes it. The caller vouches that `raw` matches descr × shape.
 */
export function encodeNpyRaw(descr: string, fortranOrder: boolean, shape: readonly number[], raw: Uint8Array): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? "True" : "False"}, 'shape': ${shapeText}, }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  if (total - 10 > 0xffff) throw new RangeError(`encodeNpyRaw: header of ${total - 10} bytes needs format 2.0`);
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const out = new Uint8Array(total + raw.length);
  out.set(MAGIC, 0);
  out.set([1, 0, header.length & 0xff, header.length >> 8], 6);
  out.set(new TextEncoder().encode(header), 10);
  out.set(raw, total);
  return out;
}

/**
 * The bytes of a .npy file ('<f8', C order) holding `data` with the given shape.
 *
 * @param shape - the array's shape (its product must equal `data.length`)
 * @param data - the elements in C (row-major) order
 * @returns the bytes of the file, as `np.save` writes a float64 array
 * @example
 * ```ts
 * import { encodeNpy } from "splitscape";
 * import { writeFileSync } from "node:fs";
 * writeFileSync("X.npy", encodeNpy([2, 3], Float64Array.of(1, 2, 3, 4, 5, 6))); // np.load("X.npy").shape == (2, 3)
 * ```
 */
export function encodeNpy(shape: readonly number[], data: Float64Array): Uint8Array {
  if (elementCount(shape) !== data.length) throw new RangeError(`encodeNpy: ${data.length} values for shape ${formatShape(shape)}`);
  const raw = new Uint8Array(data.length * 8);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i], true);
  return encodeNpyRaw("<f8", false, shape, raw);
}
