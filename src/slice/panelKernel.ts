/**
 * The row panels of a two-layer slice on the wasm kernel (assembly/slice.ts) and the worker pool:
 * the same mathematics as evaluate.ts (which stays the fallback and the test oracle) for
 * σ ∈ {relu, leaky_relu, linear} (the exact kink sweep) and σ ∈ {tanh, sigmoid} (the E = e^{−c|z|}
 * recurrence in f64x2), any number of outputs, any loss.
 *
 * The caller's products Z₀, Z_U, Z_V (n×m), the targets, the output weights of θ₀, U, V and the
 * axes are copied once into a memory sized for the whole run (it never grows), shared where the
 * host allows it. Every row panel is one job; jobs are claimed from an atomic counter by the
 * calling thread and up to SPLITSCAPE_THREADS − 1 workers of the kernels' pool
 * (linalg/kernels/pool.ts), each with a workspace of its own. A panel's numbers depend on the
 * panel alone, so the grid is bitwise the same on any number of threads (tested). Where the
 * memory cannot be shared the caller runs every panel; when a worker fails, the caller reruns
 * them all.
 *
 * Out: the unscaled loss sums Σ_s Σ_q ℓ(f_sq; Y_sq) per grid point, row-major (ny × nx).
 */
import { MAX_THREADS, parallelRun, sharedKernel, threadCount, type SharedKernel } from "../linalg/kernels/pool.js";
import { wasmBase64, wasmSharedBase64 } from "../linalg/kernels/slice.wasm.generated.js";
import { compileBase64, createMemory, instantiate, layoutFrom, WASM_PAGE_BYTES } from "../linalg/kernels/wasm.js";
import type { Activation, LossName } from "../model/index.js";
import { piecewiseLinearSlope } from "../model/index.js";

/** Raw exports of slice.wasm (addresses are byte offsets into its memory). */
interface SliceExports {
  heapBase(): number;
  panelWorkBytes(n: number, m: number, k: number, nx: number): number;
  slicePanels(header: number, counter: number, thread: number): number;
  sigmaRow(xs: number, nx: number, A0: number, B0: number, A1: number, B1: number, r0: number, r1: number, tanh: number, out: number): void;
}

/** Loss codes of assembly/slice.ts. */
const LOSS_CODE: Record<LossName, number> = { logistic: 0, exponential: 1, square: 2 };

/** Header slots (f64) of slicePanels (assembly/slice.ts H_*). */
const HEADER_SLOTS = 24;

/** Largest memory (bytes) the kernel may ask for; larger slices stay on the TS path. */
export const SLICE_KERNEL_MAX_BYTES = 1024 * 1024 * 1024;

/** The activation's code for the kernel and its slope below 0, or null when the kernel does not cover σ. */
function activationCode(act: Activation): { code: number; lo: number } | null {
  const lo = piecewiseLinearSlope(act);
  if (lo !== null) return { code: 0, lo };
  if (act.name === "tanh") return { code: 1, lo: 0 };
  if (act.name === "sigmoid") return { code: 2, lo: 0 };
  return null;
}

/** True when the kernel covers σ: relu, leaky_relu, linear, tanh, sigmoid. */
export function panelKernelApplies(act: Activation): boolean {
  return activationCode(act) !== null;
}

/** Operands of one run (see the file comment). */
export interface PanelKernelInput {
  readonly n: number;
  readonly m: number;
  readonly k: number;
  readonly activation: Activation;
  readonly loss: LossName;
  readonly Z0: Float64Array;
  readonly ZU: Float64Array;
  readonly ZV: Float64Array;
  /** Targets n×k. */
  readonly Y: Float64Array;
  /** Output weights (m×k) and biases (k) of θ₀, U, V. */
  readonly a: readonly Float64Array[];
  readonly c: readonly Float64Array[];
  readonly xs: Float64Array;
  readonly ys: Float64Array;
}

/** What the last run did (tests): threads used, workers posted to, panels the caller ran. */
export const lastPanelRun = { threads: 0, workers: 0, callerPanels: 0 };

/** A module instance on a memory of `pages` pages: shared (with its pool handle) when possible. */
function instanceOn(pages: number): { instance: WebAssembly.Instance; memory: WebAssembly.Memory; shared: SharedKernel | null } | null {
  const sharedModule = compileBase64(wasmSharedBase64);
  const shared = sharedModule === null ? null : sharedKernel(sharedModule, pages);
  if (shared !== null) return { instance: shared.instance, memory: shared.memory, shared };
  const plain = compileBase64(wasmBase64);
  const memory = plain === null ? null : createMemory(pages, pages);
  const instance = memory === null || plain === null ? null : instantiate(plain, memory);
  return instance === null || memory === null ? null : { instance, memory, shared: null };
}

/**
 * The unscaled loss sums of every grid point (ny × nx, row-major), or null when the kernel does
 * not cover σ, wasm/SIMD is unavailable or the memory would exceed SLICE_KERNEL_MAX_BYTES (the
 * caller then uses the TS panels). Throws InputError for a bad SPLITSCAPE_THREADS.
 */
export function panelKernelLossSums(p: PanelKernelInput): Float64Array | null {
  const act = activationCode(p.activation);
  if (act === null) return null;
  const plain = compileBase64(wasmBase64);
  const probe = plain === null ? null : instantiate(plain);
  if (probe === null) return null;
  const px = probe.exports as unknown as SliceExports;
  const { n, m, k } = p;
  const nx = p.xs.length;
  const ny = p.ys.length;
  const threads = Math.min(threadCount(), ny, MAX_THREADS);
  const L = layoutFrom(px.heapBase());
  const region = (doubles: number): number => L.region(8 * doubles);
  const workStride = Math.ceil(px.panelWorkBytes(n, m, k, nx) / 64) * 64;
  const m2 = m + (m % 2);
  const addr = {
    header: region(HEADER_SLOTS), ctl: L.region(4 * (1 + MAX_THREADS)),
    Z0: region(n * m2), ZU: region(n * m2), ZV: region(n * m2), rates: region(n * m2), xs: region(nx + 1), ys: region(ny), Y: region(n * k),
    a: [region(m * k), region(m * k), region(m * k)], c: [region(k), region(k), region(k)],
    out: region(nx * ny), work: L.region(threads * workStride),
  };
  if (!(L.end <= SLICE_KERNEL_MAX_BYTES)) return null;
  const inst = instanceOn(Math.ceil(L.end / WASM_PAGE_BYTES));
  if (inst === null) return null;
  const heap = new Float64Array(inst.memory.buffer);
  const put = (at: number, v: Float64Array): void => heap.set(v, at / 8);
  for (const [at, Z] of [[addr.Z0, p.Z0], [addr.ZU, p.ZU], [addr.ZV, p.ZV]] as const) {
    for (let s = 0; s < n; s++) heap.set(Z.subarray(s * m, (s + 1) * m), at / 8 + s * m2);
  }
  if (act.code !== 0) stepRates(heap.subarray(addr.rates / 8, addr.rates / 8 + n * m2), heap.subarray(addr.ZU / 8, addr.ZU / 8 + n * m2), act.code === 1 ? 2 : 1, p.xs);
  put(addr.xs, p.xs);
  put(addr.ys, p.ys);
  put(addr.Y, p.Y);
  for (let t = 0; t < 3; t++) {
    put(addr.a[t], p.a[t]);
    put(addr.c[t], p.c[t]);
  }
  heap.set([
    n, m, k, nx, ny, act.code, act.lo, LOSS_CODE[p.loss], addr.Z0, addr.ZU, addr.ZV, addr.xs, addr.ys, addr.Y,
    addr.a[0], addr.a[1], addr.a[2], addr.c[0], addr.c[1], addr.c[2], addr.out, addr.work, workStride, addr.rates,
  ], addr.header / 8);
  runPanels(inst.instance.exports as unknown as SliceExports, inst.memory, inst.shared, addr.header, addr.ctl, threads);
  return heap.slice(addr.out / 8, addr.out / 8 + nx * ny);
}

/** The grid step h = (x_last − x_0)/(nx − 1) the kernel's recurrence assumes (1 for a single point). */
function gridStep(xs: Float64Array): number {
  return xs.length > 1 ? (xs[xs.length - 1] - xs[0]) / (xs.length - 1) : 1;
}

/** rates ← e^{−c·Z_U·h}: the factor of G = e^{−cz} from one grid point to the next (assembly/slice.ts unitPairRow). */
function stepRates(rates: Float64Array, ZU: Float64Array, c: number, xs: Float64Array): void {
  const h = gridStep(xs);
  for (let t = 0; t < rates.length; t++) rates[t] = Math.exp(-c * ZU[t] * h);
}

/** Every panel, on `threads` threads when the memory is shared, else on the caller (see the file comment). */
function runPanels(x: SliceExports, memory: WebAssembly.Memory, shared: SharedKernel | null, header: number, ctl: number, threads: number): void {
  const counter = new Int32Array(memory.buffer, ctl, 1 + MAX_THREADS);
  Atomics.store(counter, 0, 0);
  if (shared !== null && threads > 1) {
    const outcome = parallelRun(shared, "slicePanels", threads, (t) => [header, ctl, t], { flags: ctl + 4, abort: -1, wake: -1 });
    Object.assign(lastPanelRun, { threads, workers: outcome.workers, callerPanels: outcome.callerResult });
    if (!outcome.failed) return;
    Atomics.store(counter, 0, 0);
  }
  Object.assign(lastPanelRun, { threads: 1, workers: 0, callerPanels: x.slicePanels(header, ctl, 0) });
}

/**
 * σ(A_l + xs[i]·B_l) along one row for two units l = 0, 1 by the kernel's own recurrence (σ = tanh,
 * or the sigmoid): out[2i + l]. The test hook of its accuracy; null when wasm is unavailable.
 */
export function kernelSigmaRow(xs: Float64Array, A: [number, number], B: [number, number], sigma: "tanh" | "sigmoid"): Float64Array | null {
  const plain = compileBase64(wasmBase64);
  const memory = plain === null ? null : createMemory(Math.ceil((24 * xs.length + 4096) / WASM_PAGE_BYTES) + 1);
  const inst = plain === null || memory === null ? null : instantiate(plain, memory);
  if (inst === null || memory === null) return null;
  const x = inst.exports as unknown as SliceExports;
  const L = layoutFrom(x.heapBase());
  const at = L.region(8 * xs.length);
  const out = L.region(16 * xs.length);
  const heap = new Float64Array(memory.buffer);
  heap.set(xs, at / 8);
  const c = sigma === "tanh" ? 2 : 1;
  const r = (b: number): number => Math.exp(-c * b * gridStep(xs));
  x.sigmaRow(at, xs.length, A[0], B[0], A[1], B[1], r(B[0]), r(B[1]), sigma === "tanh" ? 1 : 0, out);
  return heap.slice(out / 8, out / 8 + 2 * xs.length);
}
