/**
 * The wasm SIMD loss + gradient step of the two-layer network (assembly/twolayer.ts) for the hot
 * case: scalar output (k = 1) and a piecewise-linear activation σ(z) = z·(lo + (1 − lo)[z > 0])
 * (relu, leaky_relu, linear), any biases, any loss. Same mathematics as twoLayerLossGradient
 * (twoLayerKernels.ts, which stays the fallback and the test oracle):
 *
 *   Z = X Wᵀ + 1bᵀ,  F = κ·(σ(Z) a + c),  ℒ = s·Σ_i ℓ(F_i; y_i),  r = ∂ℒ/∂F,
 *   dZ = (r aᵀ) ⊙ σ′(Z),  ∂W = dZᵀX,  ∂a = σ(Z)ᵀr,  ∂b = 1ᵀdZ,  ∂c = 1ᵀr,
 *
 * blocked over rows, on operands that live in the module's memory: X and Y are copied in once
 * and stay resident across calls (`twoLayerWasmBind`), Z/dZ never leave wasm memory, and per
 * call only θ (p doubles) goes in and ∂θ, F, ∂ℒ/∂F go out. d ≤ 8: fused f64x2 row loops (no
 * GEMM); d > 8: the packed 4×4 GEMM of assembly/gemm.ts for Z = X_b Wᵀ and ∂W = dZᵀX_b (dZᵀ
 * written straight into the GEMM's packed layout). The losses follow losses.ts lossSumRange
 * term by term, exp/log1p as f64x2 ports of fdlibm (V8's Math.exp/log1p; ≤ 1 ulp apart); log ℒ
 * is losses.ts finishLoss on the F computed here (the log-space path when ℒ < 1e-280).
 * Measured (bench/model.ts, relu, logistic): 4× the TS kernels at (n, d, m) = (200, 2, 20), 2×
 * at (1000, 20, 100), 1.5× at (10000, 50, 500), where the two GEMMs at the f64x2 peak
 * (~28 GFLOP/s) are ~90% of the step.
 *
 * Each step owns its instance and a memory sized for its capacity at creation, so it never
 * grows (growth detaches the buffer and slows every JS typed-array loop; see
 * linalg/kernels/wasm.ts) and independent workspaces never share resident data.
 *
 * Threads: a large batch is cut into slabs (twoLayerWasmSlabs: fixed by n, d, m alone); each
 * slab's loss sum and gradient go to a partial record, and the partials are added in slab order
 * (assembly/twolayer.ts lossGradientSlabs, reduceSlabs). Where the memory can be shared, the
 * slabs are claimed by the calling thread and up to SPLITSCAPE_THREADS − 1 workers of the
 * kernels' pool (linalg/kernels/pool.ts); else the caller runs them all. Either way the result
 * is bitwise the same.
 */
import { MAX_THREADS, parallelRun, sharedKernel, threadCount, type SharedKernel } from "../linalg/kernels/pool.js";
import { wasmBase64, wasmFusedBase64, wasmFusedSharedBase64, wasmSharedBase64 } from "../linalg/kernels/twolayer.wasm.generated.js";
import { align64, compileBase64, createMemory, instantiate, layoutFrom, preferFused, WASM_PAGE_BYTES } from "../linalg/kernels/wasm.js";
import { piecewiseLinearSlope } from "./activations.js";
import type { TwoLayerArchitecture, TwoLayerLayout } from "./architecture.js";
import { twoLayerLayout } from "./architecture.js";
import type { LossName } from "./losses.js";
import { finishLoss } from "./losses.js";
import type { LossValue } from "./objective.js";

/** Raw exports of twolayer.wasm (addresses are byte offsets into its memory). */
interface TwoLayerExports {
  heapBase(): number;
  stepWorkBytes(block: number, d: number, m: number): number;
  stepZRows(block: number, d: number): number;
  lossGradient(
    n: number, d: number, m: number, block: number, lo: number, loss: number, s: number, kappa: number,
    x: number, y: number, theta: number, bp: number, cp: number,
    grad: number, gbp: number, gcp: number,
    f: number, df: number, z: number, work: number,
  ): number;
  lossGradientSlabs(header: number, counter: number, thread: number): number;
  reduceSlabs(header: number, grad: number): number;
}

/** Loss codes of assembly/twolayer.ts. */
const LOSS_CODE: Record<LossName, number> = { logistic: 0, exponential: 1, square: 2 };

/**
 * Target entries of the block×m buffer Z (512 KB, an L2-sized block as in the TS kernels); the
 * whole batch when n·m ≤ 2× this. The GEMM form (d > 8) caps blocks at the GEMM's KC = 256
 * rows. At (10000, 50, 500) blocks of 64–256 rows are within 2% of each other (CPU time).
 */
export const TWO_LAYER_WASM_BLOCK_ENTRIES = 65536;

/** Largest memory (bytes) a step may ask for; larger problems stay on the TS path. */
export const TWO_LAYER_WASM_MAX_BYTES = 1024 * 1024 * 1024;

/**
 * Work of one slab at least (n·m·max(d, 8) multiply-adds for its rows, ≈ one of its two GEMMs):
 * 2²⁰, ≈ 0.1 ms at the kernel's rate, so a slab outweighs a worker's round trip (38 µs median,
 * 71 µs at the 90th percentile, measured: linalg/gemm.ts GEMM_PARALLEL_MIN_WORK). The crossover
 * is the bench's `model-threads` rows (3, 3 and 8 slabs, all threads against one, side by side);
 * they need an idle machine — at a load average of 16 on 2 cores no thread count helps.
 */
export const TWO_LAYER_SLAB_MIN_WORK = 2 ** 20;

/** Most slabs of one step: enough to share 8 threads evenly, few enough that adding the partials is cheap. */
export const TWO_LAYER_MAX_SLABS = 8;

/**
 * The slabs of a step over n samples: `slabs` of `rows` rows (the last one shorter), with
 * slabs = min(TWO_LAYER_MAX_SLABS, ⌊n·m·max(d, 8) / TWO_LAYER_SLAB_MIN_WORK⌋, ⌊n/64⌋), at least
 * 1, and rows = ⌈n/slabs⌉ rounded up to a multiple of 8. A function of (n, d, m) only, never of
 * the thread count.
 */
export function twoLayerWasmSlabs(n: number, d: number, m: number): { slabs: number; rows: number } {
  const bySize = Math.floor((n * m * Math.max(d, 8)) / TWO_LAYER_SLAB_MIN_WORK);
  const want = Math.max(1, Math.min(TWO_LAYER_MAX_SLABS, bySize, Math.floor(n / 64)));
  if (want === 1) return { slabs: 1, rows: Math.max(n, 1) };
  const rows = Math.ceil(Math.ceil(n / want) / 8) * 8;
  return { slabs: Math.ceil(n / rows), rows };
}

/** Header slots (f64) of lossGradientSlabs (assembly/twolayer.ts S_*). */
const SLAB_HEADER = 25;

/** A step instance: the module, its memory layout and views, and what X/Y hold. */
export interface TwoLayerWasm {
  readonly arch: TwoLayerArchitecture;
  readonly layout: TwoLayerLayout;
  readonly capacity: number;
  readonly block: number;
  readonly lo: number;
  readonly exports: TwoLayerExports;
  /** The module on its shared memory for the worker pool, or null (the caller runs every slab). */
  readonly shared: SharedKernel | null;
  /** Threads with a Z buffer and workspace of their own (the caller is thread 0). */
  readonly threads: number;
  /**
   * Byte addresses of θ, ∂θ, X (capacity×d), Y, F, ∂ℒ/∂F (capacity each), the slab header and
   * control words, the partial records (partialStride bytes each), and the Z buffers
   * (stepZRows×(m + 1)) and workspaces of each thread (zStride, workStride bytes apart).
   */
  readonly addr: {
    theta: number; grad: number; X: number; Y: number; F: number; dF: number;
    header: number; ctl: number; partials: number; partialStride: number;
    Z: number; zStride: number; work: number; workStride: number;
  };
  /** Views of those regions (valid forever: the memory never grows). */
  readonly theta: Float64Array;
  readonly grad: Float64Array;
  readonly X: Float64Array;
  readonly Y: Float64Array;
  readonly F: Float64Array;
  readonly dF: Float64Array;
  /** The bound data set (see twoLayerWasmBind), or null. */
  bound: { X: Float64Array; Y: Float64Array; n: number } | null;
  /** True while the X, Y regions hold the bound data set. */
  holdsBound: boolean;
}

/** True when the wasm step covers this architecture: k = 1 and a piecewise-linear σ. */
export function twoLayerWasmApplies(arch: TwoLayerArchitecture): boolean {
  return arch.k === 1 && piecewiseLinearSlope(arch.activation) !== null;
}

/** Rows per block for m hidden units and n samples (see TWO_LAYER_WASM_BLOCK_ENTRIES). */
export function twoLayerWasmBlockRows(n: number, m: number): number {
  if (n * m <= 2 * TWO_LAYER_WASM_BLOCK_ENTRIES) return Math.max(1, n);
  return Math.max(8, Math.min(n, Math.floor(TWO_LAYER_WASM_BLOCK_ENTRIES / m)));
}

/**
 * A step instance for up to `capacity` samples (rows per block: `block`, default
 * twoLayerWasmBlockRows), or null when the architecture is not covered, wasm/SIMD is
 * unavailable, or the memory would exceed TWO_LAYER_WASM_MAX_BYTES. Throws InputError for a bad
 * SPLITSCAPE_THREADS (read here: it sizes the per-thread buffers; at most MAX_THREADS).
 */
export function createTwoLayerWasm(arch: TwoLayerArchitecture, capacity: number, block?: number): TwoLayerWasm | null {
  if (!twoLayerWasmApplies(arch)) return null;
  const sharedModule = compileBase64(preferFused(wasmFusedSharedBase64, wasmSharedBase64));
  const unsharedBuild = preferFused(wasmFusedBase64, wasmBase64);
  const module = sharedModule ?? compileBase64(unsharedBuild);
  if (module === null) return null;
  const { d, m } = arch;
  const cap = Math.max(1, capacity);
  const B = Math.max(1, Math.min(block ?? twoLayerWasmBlockRows(cap, m), cap));
  const layout = twoLayerLayout(arch);
  const p = layout.size;
  const maxSlabs = twoLayerWasmSlabs(cap, d, m).slabs;
  const threads = sharedModule === null ? 1 : Math.min(threadCount(), maxSlabs, MAX_THREADS);
  // The layout needs heapBase and stepWorkBytes from an instance: probe with a one-page memory.
  const probe = instantiate(compileBase64(unsharedBuild) ?? module);
  if (probe === null) return null;
  const px = probe.exports as unknown as TwoLayerExports;
  const layout64 = layoutFrom(px.heapBase());
  const region = (doubles: number): number => layout64.region(8 * doubles);
  const partialStride = align64(8 * (p + 1));
  const zStride = align64(8 * px.stepZRows(B, d) * (m + 1));
  const workStride = align64(px.stepWorkBytes(B, d, m));
  const addr = {
    theta: region(p), grad: region(p), X: region(cap * d), Y: region(cap), F: region(cap), dF: region(cap),
    header: region(SLAB_HEADER), ctl: layout64.region(4 * (1 + MAX_THREADS)),
    partials: maxSlabs > 1 ? layout64.region(maxSlabs * partialStride) : 0, partialStride,
    Z: layout64.region(threads * zStride), zStride, work: layout64.region(threads * workStride), workStride,
  };
  const bytes = layout64.end;
  if (!(bytes <= TWO_LAYER_WASM_MAX_BYTES)) return null;
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES);
  let shared = sharedModule === null ? null : sharedKernel(sharedModule, pages);
  let memory: WebAssembly.Memory | null;
  let instance: WebAssembly.Instance | null;
  if (shared !== null) {
    memory = shared.memory;
    instance = shared.instance;
  } else {
    memory = createMemory(pages, pages);
    const unshared = compileBase64(unsharedBuild);
    instance = memory === null || unshared === null ? null : instantiate(unshared, memory);
  }
  if (memory === null || instance === null) return null;
  if (threads <= 1) shared = null;
  const buf = memory.buffer;
  const view = (a: number, len: number): Float64Array => new Float64Array(buf, a, len);
  return {
    arch, layout, capacity: cap, block: B, lo: piecewiseLinearSlope(arch.activation)!,
    exports: instance.exports as unknown as TwoLayerExports, shared, threads: shared === null ? 1 : threads,
    addr,
    theta: view(addr.theta, p), grad: view(addr.grad, p), X: view(addr.X, cap * d), Y: view(addr.Y, cap),
    F: view(addr.F, cap), dF: view(addr.dF, cap),
    bound: null, holdsBound: false,
  };
}

/**
 * Bind the data set (X: n×d, Y: n) to the step and copy it in: later calls with these same
 * arrays and n reuse the resident copy. The caller promises not to mutate X or Y while bound.
 */
export function twoLayerWasmBind(w: TwoLayerWasm, X: Float64Array, Y: Float64Array, n: number): void {
  checkCapacity(w, n);
  w.bound = { X, Y, n };
  w.holdsBound = false;
  loadData(w, X, Y, n);
}

function checkCapacity(w: TwoLayerWasm, n: number): void {
  if (n > w.capacity) throw new RangeError(`two-layer wasm step holds ${w.capacity} samples, got ${n}`);
}

/** Make the X, Y regions hold the first n rows of X, Y (no copy when they are the bound data). */
function loadData(w: TwoLayerWasm, X: Float64Array, Y: Float64Array, n: number): void {
  const b = w.bound;
  const isBound = b !== null && b.X === X && b.Y === Y && b.n === n;
  if (isBound && w.holdsBound) return;
  const d = w.arch.d;
  w.X.set(X.subarray(0, n * d));
  w.Y.set(Y.subarray(0, n));
  w.holdsBound = isBound;
}

/**
 * ℒ(F) with F = κ·f(X; θ) over the first n rows of X, Y, and (grad given) grad ← Σ_i
 * (∂ℒ/∂F_i) ∂f(x_i)/∂θ (= ∇ℒ for κ = 1); the contract of twoLayerLossGradient for k = 1.
 * Afterwards w.F and w.dF hold F and ∂ℒ/∂F (first n entries).
 */
export function twoLayerWasmLossGradient(
  w: TwoLayerWasm, theta: Float64Array, X: Float64Array, Y: Float64Array, n: number,
  loss: LossName, mean: boolean, kappa: number, grad: Float64Array | null,
): LossValue {
  checkCapacity(w, n);
  loadData(w, X, Y, n);
  const { d, m } = w.arch;
  const L = w.layout;
  const A = w.addr;
  w.theta.set(theta);
  const wantGrad = grad !== null;
  const { slabs, rows } = twoLayerWasmSlabs(n, d, m);
  let total: number;
  if (slabs === 1) {
    total = w.exports.lossGradient(
      n, d, m, w.block, w.lo, LOSS_CODE[loss], mean ? 1 / n : 1, kappa,
      A.X, A.Y, A.theta, L.b >= 0 ? A.theta + 8 * L.b : 0, L.c >= 0 ? A.theta + 8 * L.c : 0,
      wantGrad ? A.grad : 0, wantGrad && L.b >= 0 ? A.grad + 8 * L.b : 0, wantGrad && L.c >= 0 ? A.grad + 8 * L.c : 0,
      A.F, A.dF, A.Z, A.work,
    );
  } else {
    const heap = new Float64Array(w.theta.buffer);
    heap.set([
      n, d, m, w.block, w.lo, LOSS_CODE[loss], mean ? 1 / n : 1, kappa, A.X, A.Y, A.theta, L.b, L.c,
      wantGrad ? 1 : 0, A.F, A.dF, slabs, rows, A.partials, A.partialStride, L.size, A.Z, A.zStride, A.work, A.workStride,
    ], A.header / 8);
    runSlabs(w, slabs);
    total = w.exports.reduceSlabs(A.header, wantGrad ? A.grad : 0);
  }
  if (grad) grad.set(w.grad);
  return finishLoss(loss, total, w.F, w.Y, n, 1, mean);
}

/**
 * Run every slab of the step whose header is set: on min(threadCount(), slabs, w.threads)
 * threads when the memory is shared, else on the caller; a failed worker's slabs are all rerun
 * here (their records are outputs only, so a rerun overwrites any half-written one).
 */
function runSlabs(w: TwoLayerWasm, slabs: number): void {
  const A = w.addr;
  const counter = new Int32Array(w.theta.buffer, A.ctl, 1 + MAX_THREADS);
  Atomics.store(counter, 0, 0);
  const threads = w.shared === null ? 1 : Math.min(threadCount(), slabs, w.threads);
  if (w.shared !== null && threads > 1) {
    const outcome = parallelRun(w.shared, "lossGradientSlabs", threads, (t) => [A.header, A.ctl, t], {
      flags: A.ctl + 4, abort: -1, wake: -1,
    });
    lastSlabRun.threads = threads;
    lastSlabRun.workers = outcome.workers;
    lastSlabRun.callerSlabs = outcome.callerResult;
    if (!outcome.failed) return;
    Atomics.store(counter, 0, 0);
  }
  lastSlabRun.threads = 1;
  lastSlabRun.workers = 0;
  lastSlabRun.callerSlabs = w.exports.lossGradientSlabs(A.header, A.ctl, 0);
}

/** The last slabbed step: threads used, workers posted to, slabs the caller ran (tests). */
export const lastSlabRun = { threads: 0, workers: 0, callerSlabs: 0 };
