// Synchronous loader for the AssemblyScript SIMD kernels (assembly/*.ts), embedded as base64
// by scripts/build-wasm.mjs. No fs, no fetch: the same code runs in Node, Vitest and a browser
// Web Worker. If WebAssembly (or its SIMD proposal) is unavailable the loader returns null and
// callers use their TypeScript path.
//
// Memory: every module imports its linear memory, which the loader creates at its final size.
// Growing a WebAssembly.Memory detaches its old ArrayBuffer, and the first detach in a process
// permanently invalidates a V8 protector: from then on every JS typed-array loop pays a detach
// check (~1.7× slower, measured in bench/model.ts). So the GEMM module gets GEMM_INITIAL_PAGES
// up front (the 128 MiB operand cap of one call, larger products are split, plus the packing
// workspace), and never grows in normal use. The same memory holds the resident arenas of the
// factorisations (linalg/arena.ts: eigh with vectors keeps ~5n² doubles there, n ≲ 1700). A large
// initial memory costs address space only: pages are committed when first touched.
//
// Threads: where shared memory exists (Node; a cross-origin-isolated browser page), the GEMM
// module is the build for a shared memory, so that large products can run on the worker pool
// (gemmThreads.ts, pool.ts); elsewhere the ordinary build, on the calling thread.
//
// Fused builds: gemm.ts and twolayer.ts also come built with relaxed SIMD, whose multiply-adds
// are single fused instructions (assembly/lib/fma.ts; ≈ +25 % on the micro-kernel of an Intel
// Xeon). preferFused picks them wherever the engine validates relaxed SIMD.
import { wasmBase64, wasmFusedBase64, wasmFusedSharedBase64, wasmSharedBase64 } from "./gemm.wasm.generated.js";
import { nodeBuiltin, sharedKernel, type SharedKernel } from "./pool.js";
import { InputError } from "../../common/errors.js";

/** Bytes per WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;

/**
 * Operand bytes (A, B and C together) of one wasm GEMM call; gemmRawWasm splits larger products
 * in halves. Exported as GEMM_WASM_MAX_BYTES by linalg/gemm.ts.
 */
export const GEMM_OPERAND_BYTES = 128 * 1024 * 1024;

/**
 * Memory beyond the operands: static data (~3 KB), alignment, and the packing workspace of the
 * default blocking, workBytes ≤ 8·(MC·KC + KC·NC) + 64 = 4.25 MiB (assembly/gemm.ts); or, for a
 * threaded product, its header and control words and one packed A block (8·MC·KC + 64 bytes,
 * 256 KiB) per thread, ≤ 2.1 MiB for MAX_THREADS = 8 (its packed B counts as an operand).
 */
export const GEMM_SCRATCH_BYTES = 8 * 1024 * 1024;

/** Initial (and, in normal use, final) pages of the GEMM module's memory: 2176 pages = 136 MiB. */
export const GEMM_INITIAL_PAGES = (GEMM_OPERAND_BYTES + GEMM_SCRATCH_BYTES) / WASM_PAGE_BYTES;

/** The raw exports of gemm.wasm (addresses are byte offsets into `memory`). */
export interface GemmExports {
  readonly memory: WebAssembly.Memory;
  /** First free, 64-byte-aligned byte after the module's static data. */
  heapBase(): number;
  /**
   * Make [heapBase, heapBase + bytes) addressable, growing the memory only if it is too small
   * (abnormal use, see the header); heapBase, or 0 on failure.
   */
  reserve(bytes: number): number;
  /** Packing workspace (bytes) that gemm needs for an m×n×k product. */
  workBytes(m: number, n: number, k: number): number;
  /** Cache blocking override (tuning only). */
  setBlocking(kc: number, mc: number, nc: number): void;
  /** Bytes of the shared packed op(B) of a threaded k×n product. */
  packedBBytes(n: number, k: number): number;
  /** Bytes of one thread's private workspace of gemmThreaded. */
  threadWorkBytes(): number;
  /** Bytes of one thread's workspace of reflectorRows (chunks of `rows` rows, blocks of ≤ bmax, n columns). */
  reflectorWorkBytes(rows: number, bmax: number, n: number): number;
  /** One thread's share of the back-transformation by blocks of reflectors (kernels/reflectorRows.ts): chunks run. */
  reflectorRows(header: number, ctl: number, work: number): number;
  /** Bytes of one thread's workspace of secularJobs for k poles. */
  secularWorkBytes(k: number): number;
  /** One thread's share of a phase of a secular problem (kernels/secular.ts): jobs run. */
  secularJobs(header: number, ctl: number, work: number): number;
  /** One thread's share of a threaded product (header, control words, private workspace). */
  gemmThreaded(header: number, ctl: number, work: number): number;
  /** One worker's part of a reduction session (kernels/reductionSession.ts): jobs run, or −1. */
  reductionServe(header: number, ctl: number, work: number): number;
  /** The caller's part of the published reduction command (claim = 0: leave jobs to workers); jobs run, or −1. */
  reductionRun(header: number, ctl: number, work: number, claim: number): number;
  /** out[q] = Σ_{c∈[lo,n)} row_q[c]·x[c], q < count, rows at r0 + 8·q·n bytes. */
  panelDots(r0: number, n: number, count: number, x: number, lo: number, out: number): void;
  /** ta[c] −= Σ_q ca[q]·row_q[c] (and tb[c] −= Σ_q cb[q]·row_q[c] when tb ≠ 0), c ∈ [lo, n). */
  panelCombinations(r0: number, n: number, count: number, ca: number, ta: number, cb: number, tb: number, lo: number): void;
  /** a[i, j] ← ½a_ij + ½a_ji (j ≥ i) in place, n×n at a; out[0..3) = (max|a_ij|, max|a_ij − a_ji|, 1 if NaN else 0). */
  symmetrizeUpper(n: number, a: number, out: number): void;
  /** out[0..3) = (xᵀx, yᵀy, xᵀy) of n doubles at x, y. */
  dots3(x: number, y: number, n: number, out: number): void;
  /** (x, y) ← (c·x − s·y, s·x + c·y); out[0..2) = (‖x‖², ‖y‖²) when out ≠ 0. */
  rotatePair(x: number, y: number, n: number, c: number, s: number, out: number): void;
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
   * Bytes above heapBase held by resident arenas (linalg/arena.ts), a stack: scratch for a
   * product starts above them.
   */
  top: number;
  /**
   * Make `bytes` of scratch above `top` addressable and return its base byte address (64-byte
   * aligned), or 0 if the memory cannot grow (a shared memory never does; wasm32 stops at 4 GiB).
   * Invalidates earlier heap views after growth.
   */
  reserve(bytes: number): number;
  /** A Float64Array over the whole linear memory (re-created after growth). */
  heapF64(): Float64Array;
  /** The module on its shared memory, for the worker pool; null on an ordinary memory. */
  readonly shared: SharedKernel | null;
}

/** x rounded up to a multiple of 64 (a cache line; the kernels' regions start there). */
export function align64(x: number): number {
  return Math.ceil(x / 64) * 64;
}

/**
 * A bump allocator for a module's memory layout: regions of `bytes` bytes, each starting on a
 * 64-byte boundary at or after `start`; `end` is the first free (aligned) byte.
 */
export function layoutFrom(start: number): { region(bytes: number): number; readonly end: number } {
  let at = align64(start);
  return {
    region(bytes: number): number {
      const a = at;
      at = align64(at + bytes);
      return a;
    },
    get end(): number {
      return at;
    },
  };
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

const compiled = new Map<string, WebAssembly.Module | null>();

/**
 * Compile a module from its base64 bytes, once per realm (cached by the string); null if
 * WebAssembly or SIMD is unavailable.
 */
export function compileBase64(b64: string): WebAssembly.Module | null {
  const hit = compiled.get(b64);
  if (hit !== undefined) return hit;
  let module: WebAssembly.Module | null = null;
  if (typeof WebAssembly === "object") {
    try {
      module = new WebAssembly.Module(decodeBase64(b64));
    } catch {
      // Compilation fails on engines without the SIMD proposal: the TS path takes over.
      module = null;
    }
  }
  compiled.set(b64, module);
  return module;
}

/**
 * A memory of `pages` pages (no maximum), or of `fallbackPages` when the engine refuses that
 * much (32-bit hosts, memory-capped workers); null when neither can be created.
 */
export function createMemory(pages: number, fallbackPages = 1): WebAssembly.Memory | null {
  for (const initial of [pages, Math.min(pages, fallbackPages)]) {
    try {
      return new WebAssembly.Memory({ initial });
    } catch {
      // RangeError: out of address space; try the fallback size.
    }
  }
  return null;
}

/**
 * Instantiate `module` with `memory` as its imported env.memory (a fresh one-page memory when
 * omitted); null if instantiation fails.
 */
export function instantiate(module: WebAssembly.Module, memory?: WebAssembly.Memory): WebAssembly.Instance | null {
  try {
    return new WebAssembly.Instance(module, {
      env: {
        memory: memory ?? new WebAssembly.Memory({ initial: 1 }),
        abort: (): never => {
          throw new Error("wasm kernel aborted");
        },
      },
    });
  } catch {
    return null;
  }
}

/**
 * Compile and instantiate a module from its base64 bytes (see compileBase64, instantiate); null
 * if WebAssembly or SIMD is unavailable.
 */
export function instantiateBase64(b64: string, memory?: WebAssembly.Memory): WebAssembly.Instance | null {
  const module = compileBase64(b64);
  return module === null ? null : instantiate(module, memory);
}

/**
 * The smallest module that uses relaxed SIMD: (func (param v128 v128 v128) (result v128)
 * f64x2.relaxed_madd), opcode 0xfd 0x107. It validates exactly where the fused builds can run.
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) → v128
  0x03, 0x02, 0x01, 0x00, // function 0 of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x87, 0x02, 0x0b, // code
]);

let fused: boolean | undefined;

/**
 * Whether this realm runs the fused (relaxed-SIMD) kernel builds: not when SPLITSCAPE_FUSED=0
 * (fusedRequested), otherwise when the engine validates RELAXED_SIMD_PROBE. Node 20's V8 has
 * relaxed SIMD behind `--experimental-wasm-relaxed-simd` (on by default from Node 22 and Chrome
 * 114): when the probe fails there, that flag is set through node:v8 (process-wide, so the
 * pool's workers see it too) and the probe is tried once more. Decided once per realm.
 *
 * @returns true when preferFused returns the fused build
 */
export function fusedKernels(): boolean {
  fused ??= fusedRequested() && typeof WebAssembly === "object" && relaxedSimdValidates();
  return fused;
}

/**
 * SPLITSCAPE_FUSED: "0" asks for the plain builds (a multiply then an add, e.g. to reproduce a
 * host without relaxed SIMD bit for bit), "1" or unset for the fused ones where they run.
 *
 * @returns false when SPLITSCAPE_FUSED=0
 * @throws InputError when SPLITSCAPE_FUSED is set to anything else
 */
export function fusedRequested(): boolean {
  const env = typeof process === "object" ? process.env?.SPLITSCAPE_FUSED : undefined;
  if (env === undefined || env === "" || env === "1") return true;
  if (env === "0") return false;
  throw new InputError("SPLITSCAPE_FUSED", `expected 0 or 1, got ${JSON.stringify(env)}`);
}

/** RELAXED_SIMD_PROBE validates, after enabling Node 20's flag if needed. */
function relaxedSimdValidates(): boolean {
  if (WebAssembly.validate(RELAXED_SIMD_PROBE)) return true;
  const v8 = nodeBuiltin<{ setFlagsFromString(flags: string): void }>("node:v8");
  if (v8 === null) return false;
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** `fusedBuild` when this realm runs the fused kernels (fusedKernels), else `plainBuild`. */
export function preferFused(fusedBuild: string, plainBuild: string): string {
  return fusedKernels() ? fusedBuild : plainBuild;
}

let loaded: WasmGemm | null | undefined;

/**
 * The GEMM kernel module, instantiated once per realm (worker) with a GEMM_INITIAL_PAGES memory
 * (shared where possible, see the header); null when unavailable.
 */
export function wasmGemm(): WasmGemm | null {
  if (loaded !== undefined) return loaded;
  const sharedModule = compileBase64(preferFused(wasmFusedSharedBase64, wasmSharedBase64));
  const shared = sharedModule === null ? null : sharedKernel(sharedModule, GEMM_INITIAL_PAGES);
  let instance: WebAssembly.Instance | null = shared?.instance ?? null;
  if (instance === null) {
    const memory = typeof WebAssembly === "object" ? createMemory(GEMM_INITIAL_PAGES) : null;
    instance = memory === null ? null : instantiateBase64(preferFused(wasmFusedBase64, wasmBase64), memory);
  }
  if (instance === null) {
    loaded = null;
    return null;
  }
  const exports = instance.exports as unknown as GemmExports;
  let view = new Float64Array(exports.memory.buffer);
  loaded = {
    exports,
    shared,
    top: 0,
    reserve(bytes: number): number {
      const base = exports.reserve(this.top + bytes);
      return base === 0 ? 0 : base + this.top;
    },
    heapF64(): Float64Array {
      if (view.buffer !== exports.memory.buffer) view = new Float64Array(exports.memory.buffer);
      return view;
    },
  };
  return loaded;
}
