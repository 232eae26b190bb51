import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeSafetensors, parseSafetensors, readSafetensors } from "../../src/io/index.js";
import { inputError } from "./helpers.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/torch");

/** A safetensors file built byte by byte from a header object and raw data (independent of the writer). */
function build(header: unknown, data: Uint8Array, lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function bytesOf(...parts: ArrayBufferView[]): Uint8Array {
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return out;
}

describe("safetensors reader", () => {
  it("reads PyTorch's files: keys, shapes, dtypes, metadata; F32 values are the F64 ones rounded to float32", () => {
    const f64 = readSafetensors(join(FIXTURES, "two-layer-tanh-bias.safetensors"));
    const f32 = readSafetensors(join(FIXTURES, "two-layer-tanh-bias.f32.safetensors"));
    expect([...f64.tensors.keys()]).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(f64.tensors.get("0.weight")!.shape).toEqual([5, 3]);
    expect(f64.tensors.get("2.weight")!.shape).toEqual([1, 5]);
    expect(f64.metadata).toEqual({ format: "pt" });
    expect(f32.tensors.get("0.bias")!.dtype).toBe("F32");
    for (const [key, t] of f64.tensors) {
      expect(Array.from(f32.tensors.get(key)!.data)).toEqual(Array.from(t.data, Math.fround));
    }
  });

  it("widens F16, BF16, integers and bool exactly (hand-built bytes)", () => {
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7bff]); // 1, −2, 2⁻²⁴ (subnormal), 65504
    const bf16 = new Uint16Array([0x3f80, 0x4049, 0xc2f7]); // 1, 3.140625, −123.5
    const i64 = new BigInt64Array([-(2n ** 53n), 7n]);
    const u8 = new Uint8Array([0, 255, 1, 1]);
    const header = {
      a: { dtype: "F16", shape: [2, 2], data_offsets: [0, 8] },
      b: { dtype: "BF16", shape: [3], data_offsets: [8, 14] },
      c: { dtype: "I64", shape: [2], data_offsets: [16, 32] },
      d: { dtype: "U8", shape: [2], data_offsets: [32, 34] },
      e: { dtype: "BOOL", shape: [2], data_offsets: [34, 36] },
      pad: { dtype: "U8", shape: [2], data_offsets: [14, 16] },
    };
    const f = parseSafetensors(build(header, bytesOf(f16, bf16, new Uint8Array(2), i64, u8)), "mem");
    expect(Array.from(f.tensors.get("a")!.data)).toEqual([1, -2, 2 ** -24, 65504]);
    expect(Array.from(f.tensors.get("b")!.data)).toEqual([1, 3.140625, -123.5]);
    expect(Array.from(f.tensors.get("c")!.data)).toEqual([-(2 ** 53), 7]);
    expect(Array.from(f.tensors.get("d")!.data)).toEqual([0, 255]);
    expect(Array.from(f.tensors.get("e")!.data)).toEqual([1, 1]);
  });

  it("writes what it reads back bit-exactly, header padded to 8 bytes, tensors tiling the data", () => {
    const W = Float64Array.from([0.1, -2.5e-300, 1e300, Math.PI, -0, 5]);
    const bytes = encodeSafetensors([{ key: "0.weight", shape: [2, 3], data: W }, { key: "0.bias", shape: [2], data: Float64Array.of(1, 2) }], { k: "v" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const back = parseSafetensors(bytes, "mem");
    expect(Buffer.from(back.tensors.get("0.weight")!.data.buffer).equals(Buffer.from(W.buffer))).toBe(true);
    expect(back.metadata).toEqual({ k: "v" });
    const f32 = parseSafetensors(encodeSafetensors([{ key: "w", shape: [6], data: W.map((x) => (Math.abs(x) > 1e30 ? 1 : x)) }], {}, "F32"), "m");
    expect(f32.tensors.get("w")!.dtype).toBe("F32");
    expect(Array.from(f32.tensors.get("w")!.data)).toEqual(Array.from(W.map((x) => (Math.abs(x) > 1e30 ? 1 : x)), Math.fround));
    expect(() => encodeSafetensors([{ key: "w", shape: [1], data: Float64Array.of(NaN) }], {})).toThrow(RangeError);
  });

  const good = (): { header: Record<string, unknown>; data: Uint8Array } => ({
    header: { "0.weight": { dtype: "F64", shape: [2], data_offsets: [0, 16] }, "0.bias": { dtype: "F64", shape: [1], data_offsets: [16, 24] } },
    data: bytesOf(Float64Array.of(1, 2, 3)),
  });

  it.each([
    ["a file shorter than the length field", () => new Uint8Array(5), /truncated safetensors file: 5 bytes/],
    ["a header length past the end", () => build(good().header, good().data, 10_000n), /header length 10000 runs past the end/],
    ["a header that is not JSON", () => build("x", new Uint8Array(0)).map((b, i) => (i === 8 ? 0x7b : b)), /not valid JSON/],
    ["an unknown dtype", () => build({ w: { dtype: "F8_E4M3", shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /w: unknown dtype "F8_E4M3"/],
    ["a byte range that does not match dtype × shape", () => build({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), /w: data_offsets \[0, 8\] hold 8 bytes, but F32 \[3\] needs 12/],
    ["overlapping ranges", () => build({ a: { dtype: "F64", shape: [2], data_offsets: [0, 16] }, b: { dtype: "F64", shape: [1], data_offsets: [8, 16] } }, new Uint8Array(16)), /b: data_offsets \[8, 16\] overlap/],
    ["a range past the end (truncated data)", () => { const g = good(); return build(g.header, g.data.subarray(0, 20)); }, /0.bias: data_offsets \[16, 24\] run past the end of the data \(20 bytes\)/],
    ["a gap", () => build({ a: { dtype: "F64", shape: [1], data_offsets: [8, 16] } }, new Uint8Array(16)), /a: .*gap of 8 bytes/],
    ["trailing bytes", () => { const g = good(); return build(g.header, bytesOf(g.data, new Uint8Array(3))); }, /3 bytes after the last tensor/],
    ["NaN in the weights", () => build(good().header, bytesOf(Float64Array.of(1, NaN, 3))), /0.weight: entry 1 is NaN: weights must be finite/],
    ["Inf in float32 weights", () => build({ w: { dtype: "F32", shape: [2, 1], data_offsets: [0, 8] } }, bytesOf(Float32Array.of(0, -Infinity))), /w: entry 1 \(index \[1, 0\]\) is -Infinity/],
    ["a 64-bit integer beyond 2^53", () => build({ i: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, bytesOf(BigInt64Array.of(2n ** 53n + 1n))), /i: entry 0 does not fit a float64 exactly/],
    ["a negative shape", () => build({ w: { dtype: "F64", shape: [-1], data_offsets: [0, 0] } }, new Uint8Array(0)), /w: shape must be a list of non-negative integers/],
    ["non-string metadata", () => build({ __metadata__: { a: 1 } }, new Uint8Array(0)), /__metadata__.a: expected a string/],
  ])("refuses %s with an InputError naming the file and the tensor", (_what, make, message) => {
    const e = inputError(() => parseSafetensors(make(), "net.safetensors"));
    expect(e.message).toMatch(/^net\.safetensors: /);
    expect(e.message).toMatch(message);
  });

  it("accepts the well-formed file the error cases start from", () => {
    const g = good();
    expect(Array.from(parseSafetensors(build(g.header, g.data), "x").tensors.get("0.bias")!.data)).toEqual([3]);
  });

  it("reads real bytes from disk and names a missing file", () => {
    const bytes = readFileSync(join(FIXTURES, "mlp-relu-nobias.f32.safetensors"));
    expect(parseSafetensors(bytes, "x").tensors.size).toBe(3);
    expect(inputError(() => readSafetensors(join(FIXTURES, "nope.safetensors"))).message).toMatch(/no such file/);
  });
});
