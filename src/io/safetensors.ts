/**
 * safetensors, the weight format of the PyTorch ecosystem (huggingface/safetensors, "Format"):
 *
 *   [ N: u64 little-endian ][ N bytes: JSON header ][ data section ]
 *   header = { KEY: { "dtype": "F32", "shape": [out, in], "data_offsets": [begin, end] }, …,
 *              "__metadata__"?: { string: string } }
 *
 * Offsets are relative to the data section; the tensors tile it exactly (sorted by begin, the
 * first at 0, each starting where the previous ends, the last ending at the file's end), which
 * is what the reference implementation enforces too. Data are little-endian, row-major.
 *
 * Reading is strict: a truncated file, a header length past the end, malformed JSON, an unknown
 * dtype, a byte range that does not match dtype × shape or overlaps another, and NaN/±Inf
 * anywhere in the weights are InputErrors naming the file and the tensor key. Every tensor is
 * widened to float64 (F64, F32, F16, BF16 exactly; I8…I64, U8…U64 and BOOL exactly while
 * |v| ≤ 2⁵³).
 */
import { writeFileAtomic } from "../common/atomic.js";
import { InputError } from "../common/errors.js";
import { readFileBytes } from "./readBytes.js";
import { describeIndex, elementCount, firstNonFinite, formatShape, widenInto, type ElementType, type Tensor } from "./tensor.js";

/** Element types of safetensors that splitscape reads (F8 and complex types are not). */
export const SAFETENSORS_DTYPES: Readonly<Record<string, ElementType>> = {
  F64: { kind: "float", bytes: 8, littleEndian: true },
  F32: { kind: "float", bytes: 4, littleEndian: true },
  F16: { kind: "float", bytes: 2, littleEndian: true },
  BF16: { kind: "float", bytes: 2, bfloat: true, littleEndian: true },
  I64: { kind: "int", bytes: 8, littleEndian: true },
  I32: { kind: "int", bytes: 4, littleEndian: true },
  I16: { kind: "int", bytes: 2, littleEndian: true },
  I8: { kind: "int", bytes: 1, littleEndian: true },
  U64: { kind: "uint", bytes: 8, littleEndian: true },
  U32: { kind: "uint", bytes: 4, littleEndian: true },
  U16: { kind: "uint", bytes: 2, littleEndian: true },
  U8: { kind: "uint", bytes: 1, littleEndian: true },
  BOOL: { kind: "bool", bytes: 1, littleEndian: true },
};

/** Largest accepted JSON header (the reference implementation's limit, 100 MB). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** The metadata key under which splitscape stores the architecture (ARCH string). */
export const METADATA_ARCH = "splitscape.arch";
/** The metadata key of a convolutional model's input shape ("C,H,W" or "C,L", as --input-shape). */
export const METADATA_INPUT_SHAPE = "splitscape.input_shape";

/** A decoded safetensors file: tensors in header order and the `__metadata__` strings. */
export interface SafetensorsFile {
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** One header entry after validation. */
interface Entry {
  readonly key: string;
  readonly type: ElementType;
  readonly dtype: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/**
 * Decode and validate a safetensors byte buffer; `source` (the file) names it in errors.
 *
 * @param bytes - the whole file: 8-byte little-endian header length, JSON header, tensor data
 * @param source - the file (or other name) the InputErrors name; the header length, the JSON, the
 * dtypes and the byte ranges (which must tile the data exactly) are checked
 * @returns the tensors in header order, each widened to a float64 C-order Tensor (its stored dtype
 * kept in `dtype`), and the `__metadata__` strings
 * @example
 * ```ts
 * import { encodeSafetensors, parseSafetensors } from "splitscape";
 * const bytes = encodeSafetensors([{ key: "w", shape: [2, 2], data: Float64Array.of(1, 2, 3, 4) }], { note: "demo" });
 * const file = parseSafetensors(bytes, "in-memory");
 * console.log(file.tensors.get("w")!.shape, file.metadata.note); // [2, 2] "demo"
 * ```
 */
export function parseSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  if (bytes.length < 8) throw new InputError(source, `truncated safetensors file: ${bytes.length} bytes, the 8-byte header length alone needs 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) {
    throw new InputError(source, `header length ${n} runs past the end of the file (${bytes.length} bytes): truncated or not a safetensors file`);
  }
  if (n > SAFETENSORS_MAX_HEADER) throw new InputError(source, `header length ${n} exceeds the limit of ${SAFETENSORS_MAX_HEADER} bytes`);
  const header = decodeHeader(bytes.subarray(8, 8 + n), source);
  const dataStart = 8 + n;
  const entries = headerEntries(header, source);
  checkTiling(entries, bytes.length - dataStart, source);
  const tensors = new Map<string, Tensor>();
  for (const e of entries) tensors.set(e.key, readTensor(e, bytes, dataStart, source));
  return { tensors, metadata: readMetadata(header.__metadata__, source) };
}

/**
 * Read and decode a safetensors file (InputError for a missing or unreadable file).
 *
 * @param path - the .safetensors file
 * @returns the decoded file, as parseSafetensors returns it
 * @example
 * ```ts
 * import { readSafetensors } from "splitscape";
 * const file = readSafetensors("examples/iris-relu.safetensors");
 * for (const [key, t] of file.tensors) console.log(key, t.shape, t.dtype);
 * ```
 */
export function readSafetensors(path: string): SafetensorsFile {
  return parseSafetensors(readFileBytes(path), path);
}

function decodeHeader(raw: Uint8Array, source: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new InputError(source, "the header is not UTF-8 text: not a safetensors file");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(source, `the header is not valid JSON (${(err as Error).message}): not a safetensors file`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new InputError(source, "the header is not a JSON object of tensors");
  }
  return json as Record<string, unknown>;
}

function headerEntries(header: Record<string, unknown>, source: string): Entry[] {
  const entries: Entry[] = [];
  for (const [key, v] of Object.entries(header)) {
    if (key === "__metadata__") continue;
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new InputError(source, "expected {dtype, shape, data_offsets}", key);
    const o = v as Record<string, unknown>;
    const dtype = o.dtype;
    if (typeof dtype !== "string" || !(dtype in SAFETENSORS_DTYPES)) {
      throw new InputError(source, `unknown dtype ${JSON.stringify(dtype)}; readable: ${Object.keys(SAFETENSORS_DTYPES).join(", ")}`, key);
    }
    const shape = o.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && (s as number) >= 0)) {
      throw new InputError(source, `shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`, key);
    }
    const off = o.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && (x as number) >= 0) || off[0] > off[1]) {
      throw new InputError(source, `data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(off)}`, key);
    }
    const type = SAFETENSORS_DTYPES[dtype];
    const count = elementCount(shape as number[]);
    if (!(count * type.bytes === off[1] - off[0])) {
      throw new InputError(source, `data_offsets [${off[0]}, ${off[1]}] hold ${off[1] - off[0]} bytes, but ${dtype} ${formatShape(shape as number[])} needs ${count * type.bytes}`, key);
    }
    entries.push({ key, type, dtype, shape: shape as number[], begin: off[0] as number, end: off[1] as number });
  }
  return entries;
}

/** The byte ranges must tile [0, size) in order: no gap, no overlap, nothing past the end. */
function checkTiling(entries: Entry[], size: number, source: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.end > size) {
      throw new InputError(source, `data_offsets [${e.begin}, ${e.end}] run past the end of the data (${size} bytes): truncated file`, e.key);
    }
    if (e.begin < at) throw new InputError(source, `data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (which ends at ${at})`, e.key);
    if (e.begin > at) throw new InputError(source, `data_offsets [${e.begin}, ${e.end}] leave a gap of ${e.begin - at} bytes before this tensor`, e.key);
    at = e.end;
  }
  if (at !== size) throw new InputError(source, `${size - at} bytes after the last tensor are not described by the header`);
}

function readTensor(e: Entry, bytes: Uint8Array, dataStart: number, source: string): Tensor {
  const count = elementCount(e.shape);
  const data = new Float64Array(count);
  const bad = widenInto(e.type, bytes, dataStart + e.begin, count, data, 0);
  if (bad >= 0) throw new InputError(source, `${describeIndex(e.shape, bad)} does not fit a float64 exactly (|v| > 2^53)`, e.key);
  const nf = firstNonFinite(data);
  if (nf >= 0) throw new InputError(source, `${describeIndex(e.shape, nf)} is ${data[nf]}: weights must be finite`, e.key);
  return { shape: e.shape, data, dtype: e.dtype };
}

function readMetadata(v: unknown, source: string): Record<string, string> {
  if (v === undefined) return {};
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new InputError(source, "expected an object of strings", "__metadata__");
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== "string") throw new InputError(source, `expected a string, got ${JSON.stringify(x)}`, `__metadata__.${k}`);
    out[k] = x;
  }
  return out;
}

/** A tensor to write: row-major float64 data of the given shape. */
export interface TensorToWrite {
  readonly key: string;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Stored precision when writing: F64 (exact) or F32 (rounded to nearest). */
export type WriteDtype = "F64" | "F32";

/**
 * The bytes of a safetensors file holding `tensors` (in the given order) stored as `dtype`, with
 * `metadata` as `__metadata__`. The header is padded with spaces to a multiple of 8 bytes, as the
 * reference writer does, so every tensor starts 8-byte aligned. RangeError for a key given twice,
 * data that do not match their shape, a non-finite value, or (F32) a value beyond float32's range.
 *
 * @param tensors - key, shape and C-order float64 data of each tensor, in the order to store them
 * @param metadata - the `__metadata__` strings (e.g. METADATA_ARCH for the architecture)
 * @param dtype - the stored precision: F64 (default, exact) or F32 (rounded to nearest)
 * @returns the bytes of the file
 * @example
 * ```ts
 * import { encodeSafetensors } from "splitscape";
 * const bytes = encodeSafetensors([{ key: "0.weight", shape: [3, 2], data: new Float64Array(6).fill(0.5) }], {}, "F32");
 * console.log(bytes.length % 8 === 0);
 * ```
 */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata: Readonly<Record<string, string>>, dtype: WriteDtype = "F64"): Uint8Array {
  const size = dtype === "F64" ? 8 : 4;
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const t of tensors) {
    if (t.key in header || t.key === "__metadata__") throw new RangeError(`encodeSafetensors: key ${JSON.stringify(t.key)} given twice or reserved`);
    if (elementCount(t.shape) !== t.data.length) throw new RangeError(`encodeSafetensors: ${t.key}: ${t.data.length} values for shape ${formatShape(t.shape)}`);
    header[t.key] = { dtype, shape: [...t.shape], data_offsets: [at, at + t.data.length * size] };
    at += t.data.length * size;
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded > json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + at);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, pos += size) {
      const x = t.data[i];
      if (!Number.isFinite(x)) throw new RangeError(`encodeSafetensors: ${t.key}: entry ${i} is ${x}`);
      if (size === 8) view.setFloat64(pos, x, true);
      else {
        if (!Number.isFinite(Math.fround(x))) throw new RangeError(`encodeSafetensors: ${t.key}: entry ${i} = ${x} overflows float32`);
        view.setFloat32(pos, x, true);
      }
    }
  }
  return out;
}

/**
 * Write a safetensors file atomically (nothing is written if encoding fails).
 *
 * @param path - the file to write (a temporary sibling is renamed into place)
 * @param tensors - key, shape and C-order float64 data of each tensor, in the order to store them
 * @param metadata - the `__metadata__` strings
 * @param dtype - the stored precision: F64 (default, exact) or F32 (rounded to nearest)
 * @example
 * ```ts
 * import { METADATA_ARCH, writeSafetensors } from "splitscape";
 * writeSafetensors("tiny.safetensors", [
 *   { key: "0.weight", shape: [1, 2], data: Float64Array.of(1, -1) },
 *   { key: "2.weight", shape: [1, 1], data: Float64Array.of(2) },
 * ], { [METADATA_ARCH]: "linear,relu,linear" });
 * ```
 */
export function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata: Readonly<Record<string, string>>, dtype: WriteDtype = "F64"): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata, dtype));
}

/** "0.weight [5, 3] F64, 0.bias [5] F64, …" — a state_dict's keys and shapes for messages. */
export function describeTensors(tensors: ReadonlyMap<string, Tensor>): string {
  if (tensors.size === 0) return "(no tensors)";
  return [...tensors].map(([k, t]) => `${k} ${formatShape(t.shape)} ${t.dtype}`).join(", ");
}
