// Synchronous loader for the AssemblyScript SIMD kernels (assembly/gemm.ts), embedded as base64
// by scripts/build-wasm.mjs. No fs, no fetch: the same code runs in Node, Vitest and a browser
// Web Worker. If WebAssembly (or its SIMD proposal) is unavailable the loader returns null and
// callers use their TypeScript path.
import { wasmBase64 } from "./gemm.wasm.generated.js";

/** The raw exports of gemm.wasm (addresses are byte offsets into `memory`). */
export interface GemmExports {
  readonly memory: WebAssembly.Memory;
  /** First free, 64-byte-aligned byte after the module's static data. */
  heapBase(): number;
  /** Grow memory so [heapBase, heapBase + bytes) is addressable; heapBase, or 0 on failure. */
  reserve(bytes: number): number;
  /** Packing workspace (bytes) that gemm needs for an m×n×k product. */
  workBytes(m: number, n: number, k: number): number;
  /** Cache blocking override (tuning only). */
  setBlocking(kc: number, mc: number, nc: number): void;
  /** C ← α·op(A)·op(B) + β·C on row-major operands in linear memory (see assembly/gemm.ts). */
  gemm(
    transA: number, transB: number, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
    work: number,
  ): void;
}

/** A loaded kernel module with its memory management. */
export interface WasmGemm {
  readonly exports: GemmExports;
  /**
   * Make `bytes` of scratch addressable and return its base byte address (64-byte aligned),
   * or 0 if the memory cannot grow (wasm32 stops at 4 GiB). Invalidates earlier heap views.
   */
  reserve(bytes: number): number;
  /** A Float64Array over the whole linear memory (re-created after growth). */
  heapF64(): Float64Array;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Decode standard base64 (RFC 4648, '=' padding, no whitespace) to bytes. Uses Buffer when the
 * host has it (Node), otherwise `decodeBase64Portable` (browser workers).
 */
export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  if (NodeBuffer !== undefined) return new Uint8Array(NodeBuffer.from(s, "base64"));
  return decodeBase64Portable(s);
}

/** Table-driven base64 decoder with no host dependencies: 4 characters → 3 bytes. */
export function decodeBase64Portable(s: string): Uint8Array<ArrayBuffer> {
  const table = new Uint8Array(128);
  for (let i = 0; i < B64.length; i++) table[B64.charCodeAt(i)] = i;
  let len = s.length;
  while (len > 0 && s.charCodeAt(len - 1) === 61 /* '=' */) len--;
  const out = new Uint8Array((len * 3) >> 2);
  let o = 0;
  for (let i = 0; i < len; i += 4) {
    const c0 = table[s.charCodeAt(i)];
    const c1 = i + 1 < len ? table[s.charCodeAt(i + 1)] : 0;
    const c2 = i + 2 < len ? table[s.charCodeAt(i + 2)] : 0;
    const c3 = i + 3 < len ? table[s.charCodeAt(i + 3)] : 0;
    const v = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (o < out.length) out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

/** Instantiate a module from its base64 bytes; null if WebAssembly or SIMD is unavailable. */
export function instantiateBase64(b64: string): WebAssembly.Instance | null {
  if (typeof WebAssembly !== "object") return null;
  try {
    const module = new WebAssembly.Module(decodeBase64(b64));
    return new WebAssembly.Instance(module, {
      env: {
        abort: (): never => {
          throw new Error("wasm kernel aborted");
        },
      },
    });
  } catch {
    // Compilation fails on engines without the SIMD proposal: the TS path takes over.
    return null;
  }
}

let loaded: WasmGemm | null | undefined;

/** The GEMM kernel module, instantiated once per realm (worker); null when unavailable. */
export function wasmGemm(): WasmGemm | null {
  if (loaded !== undefined) return loaded;
  const instance = instantiateBase64(wasmBase64);
  if (instance === null) {
    loaded = null;
    return null;
  }
  const exports = instance.exports as unknown as GemmExports;
  let view = new Float64Array(exports.memory.buffer);
  loaded = {
    exports,
    reserve(bytes: number): number {
      return exports.reserve(bytes);
    },
    heapF64(): Float64Array {
      if (view.buffer !== exports.memory.buffer) view = new Float64Array(exports.memory.buffer);
      return view;
    },
  };
  return loaded;
}
