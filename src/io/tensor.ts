/**
 * Element types of the binary array formats (safetensors, NumPy .npy) and their conversion to
 * float64. Every supported type widens to float64 exactly: float16, bfloat16 and float32 are
 * subsets of float64, and integers are exact while |v| ≤ 2⁵³ (64-bit integers beyond that are an
 * error, never a silent rounding).
 */

/** An element type: float or integer of 1, 2, 4 or 8 bytes, or bool (1 byte). */
export type ElementKind = "float" | "int" | "uint" | "bool";

/** An element type as stored: its kind, size in bytes and byte order. */
export interface ElementType {
  readonly kind: ElementKind;
  readonly bytes: 1 | 2 | 4 | 8;
  /** bfloat16: the upper half of a float32 (kind "float", 2 bytes). */
  readonly bfloat?: boolean;
  readonly littleEndian: boolean;
}

/** A tensor widened to float64: row-major (C order) data of the given shape. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
  /** The stored type, e.g. "F32" (safetensors) or "<f4" (NumPy). */
  readonly dtype: string;
}

/** Product of a shape (1 for a scalar), or NaN when it is not a safe integer. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) {
    n *= s;
    if (!Number.isSafeInteger(n)) return NaN;
  }
  return n;
}

/** `[2, 3]` → "[2, 3]" for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** float16 bits → float64 (exact; subnormals, ±0, ±Inf, NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const F32_SCRATCH = new Float32Array(1);
const U32_SCRATCH = new Uint32Array(F32_SCRATCH.buffer);

/** bfloat16 bits → float64 (exact: the bits are the upper half of a float32). */
export function bfloatToFloat(h: number): number {
  U32_SCRATCH[0] = (h & 0xffff) << 16;
  return F32_SCRATCH[0];
}

/** True when this machine stores typed arrays little-endian (every platform Node runs on). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * out[outOffset + t] = element t of `bytes` (count elements of type `type`, starting at byte
 * `byteOffset`), widened to float64. Returns the index of the first 64-bit integer whose value
 * exceeds 2⁵³ in magnitude (not exactly representable), or −1.
 */
export function widenInto(
  type: ElementType, bytes: Uint8Array, byteOffset: number, count: number, out: Float64Array, outOffset: number,
): number {
  const abs = bytes.byteOffset + byteOffset;
  const native = type.littleEndian === HOST_LITTLE_ENDIAN || type.bytes === 1;
  if (native && abs % type.bytes === 0) return widenAligned(type, bytes.buffer, abs, count, out, outOffset);
  const view = new DataView(bytes.buffer, abs, count * type.bytes);
  const le = type.littleEndian;
  for (let t = 0; t < count; t++) {
    const at = t * type.bytes;
    let v: number;
    if (type.kind === "float") {
      if (type.bytes === 8) v = view.getFloat64(at, le);
      else if (type.bytes === 4) v = view.getFloat32(at, le);
      else v = type.bfloat ? bfloatToFloat(view.getUint16(at, le)) : halfToFloat(view.getUint16(at, le));
    } else if (type.bytes === 8) {
      const b = type.kind === "int" ? view.getBigInt64(at, le) : view.getBigUint64(at, le);
      if (b > 9007199254740992n || b < -9007199254740992n) return t;
      v = Number(b);
    } else if (type.kind === "int") {
      v = type.bytes === 4 ? view.getInt32(at, le) : type.bytes === 2 ? view.getInt16(at, le) : view.getInt8(at);
    } else {
      v = type.bytes === 4 ? view.getUint32(at, le) : type.bytes === 2 ? view.getUint16(at, le) : view.getUint8(at);
      if (type.kind === "bool") v = v === 0 ? 0 : 1;
    }
    out[outOffset + t] = v;
  }
  return -1;
}

/** widenInto for host byte order at an aligned offset: one typed-array view, one loop. */
function widenAligned(
  type: ElementType, buffer: ArrayBufferLike, abs: number, count: number, out: Float64Array, outOffset: number,
): number {
  if (type.kind === "float" && type.bytes === 8) {
    out.set(new Float64Array(buffer, abs, count), outOffset);
    return -1;
  }
  if (type.kind === "float" && type.bytes === 4) {
    out.set(new Float32Array(buffer, abs, count), outOffset);
    return -1;
  }
  if (type.kind === "float") {
    const h = new Uint16Array(buffer, abs, count);
    const f = type.bfloat ? bfloatToFloat : halfToFloat;
    for (let t = 0; t < count; t++) out[outOffset + t] = f(h[t]);
    return -1;
  }
  if (type.bytes === 8) {
    const b = type.kind === "int" ? new BigInt64Array(buffer, abs, count) : new BigUint64Array(buffer, abs, count);
    for (let t = 0; t < count; t++) {
      const x = b[t];
      if (x > 9007199254740992n || x < -9007199254740992n) return t;
      out[outOffset + t] = Number(x);
    }
    return -1;
  }
  const view = integerView(type, buffer, abs, count);
  if (type.kind === "bool") {
    for (let t = 0; t < count; t++) out[outOffset + t] = view[t] === 0 ? 0 : 1;
  } else {
    out.set(view, outOffset);
  }
  return -1;
}

function integerView(type: ElementType, buffer: ArrayBufferLike, abs: number, count: number): ArrayLike<number> & { [i: number]: number } {
  const signed = type.kind === "int";
  if (type.bytes === 4) return signed ? new Int32Array(buffer, abs, count) : new Uint32Array(buffer, abs, count);
  if (type.bytes === 2) return signed ? new Int16Array(buffer, abs, count) : new Uint16Array(buffer, abs, count);
  return signed ? new Int8Array(buffer, abs, count) : new Uint8Array(buffer, abs, count);
}

/** Index of the first NaN or ±Inf in `data`, or −1. */
export function firstNonFinite(data: Float64Array): number {
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x - x !== 0) return i;
  }
  return -1;
}

/** "entry 7 (index [1, 3])" for an element of a C-order array of the given shape. */
export function describeIndex(shape: readonly number[], flat: number): string {
  if (shape.length <= 1) return `entry ${flat}`;
  const idx: number[] = new Array<number>(shape.length);
  let r = flat;
  for (let a = shape.length - 1; a >= 0; a--) {
    idx[a] = r % shape[a];
    r = Math.floor(r / shape[a]);
  }
  return `entry ${flat} (index ${formatShape(idx)})`;
}
