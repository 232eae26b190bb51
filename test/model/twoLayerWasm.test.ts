/**
 * The wasm two-layer step (src/model/twoLayerWasm.ts, assembly/twolayer.ts) against the TS kernels
 * (lossGradientInto on a workspace without resident data), which are its oracle. Both compute
 * the same sums in different orders (f64x2 lanes, fused vs GEMM products, fdlibm exp/log1p in
 * SIMD vs V8's Math), so they agree to rounding: ℒ and log ℒ to 1e-13 relative, ∇ℒ and
 * ∂ℒ/∂F to 1e-13·max|·| (each is a sum of ≤ 10³ terms of one sign pattern: γ_n ≈ 1e-14).
 * Also: the f64x2 exp/log1p against Math.exp/Math.log1p (≤ 1 ulp apart), dispatch, resident
 * data across full and mini-batch calls, margins of 1e3 (log space), and that no wasm memory
 * grows.
 */
import { describe, expect, it } from "vitest";
import { gemmRaw } from "../../src/linalg/gemm.js";
import { wasmBase64 as twoLayerBase64 } from "../../src/linalg/kernels/twolayer.wasm.generated.js";
import { createMemory, GEMM_INITIAL_PAGES, instantiateBase64, wasmGemm, WASM_PAGE_BYTES } from "../../src/linalg/kernels/wasm.js";
import { makeActivation, makeObjective, paramCount, twoLayerArchitecture, type LossName } from "../../src/model/index.js";
import {
  createWorkspace, lossGradientInto, TWO_LAYER_WASM_MIN_ENTRIES, workspaceBackend, workspaceOutputGradient, workspaceOutputs,
} from "../../src/model/network.js";
import type { TwoLayerArchitecture } from "../../src/model/architecture.js";
import { createTwoLayerWasm, twoLayerWasmBind, twoLayerWasmLossGradient } from "../../src/model/twoLayerWasm.js";
import { lcg, maxAbs, maxAbsDiff } from "./reference.js";

const LOSSES: LossName[] = ["logistic", "exponential", "square"];

function data(n: number, d: number, seed: number, labels: boolean) {
  const u = lcg(seed);
  const X = Float64Array.from({ length: n * d }, () => u());
  const Y = Float64Array.from({ length: n }, () => (labels ? (u() < 0 ? -1 : 1) : u()));
  return { X, Y };
}

function randomTheta(arch: TwoLayerArchitecture, seed: number, scale = 1): Float64Array {
  const u = lcg(seed);
  return Float64Array.from({ length: paramCount(arch) }, () => (scale * u()) / Math.sqrt(arch.d));
}

/** Runs the wasm step and the TS kernels on the same problem and checks the agreement. */
function compare(
  arch: TwoLayerArchitecture, n: number, loss: LossName, mean: boolean, kappa: number, block: number | undefined,
  X: Float64Array, Y: Float64Array, theta: Float64Array, tol = 1e-13,
): { loss: number; logLoss: number } {
  const p = paramCount(arch);
  const w = createTwoLayerWasm(arch, n, block)!;
  expect(w).not.toBeNull();
  twoLayerWasmBind(w, X, Y, n);
  const g = new Float64Array(p).fill(NaN);
  const v = twoLayerWasmLossGradient(w, theta, X, Y, n, loss, mean, kappa, g);
  const ws = createWorkspace(arch, n, block === undefined ? {} : { block });
  const gr = new Float64Array(p);
  const r = lossGradientInto(ws, theta, X, Y, n, loss, mean, kappa, gr);
  if (r.loss === 0) expect(v.loss).toBeLessThanOrEqual(1e-300);
  else expect(Math.abs(v.loss - r.loss)).toBeLessThanOrEqual(tol * r.loss);
  expect(Math.abs(v.logLoss - r.logLoss)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(r.logLoss)));
  expect(maxAbsDiff(g, gr)).toBeLessThanOrEqual(tol * maxAbs(gr));
  expect(maxAbsDiff(w.F.subarray(0, n), workspaceOutputs(ws).subarray(0, n))).toBeLessThanOrEqual(tol * maxAbs(workspaceOutputs(ws).subarray(0, n)));
  const dF = workspaceOutputGradient(ws).subarray(0, n);
  expect(maxAbsDiff(w.dF.subarray(0, n), dF)).toBeLessThanOrEqual(tol * maxAbs(dF));
  // loss only: the same value
  expect(twoLayerWasmLossGradient(w, theta, X, Y, n, loss, mean, kappa, null).loss).toBe(v.loss);
  return r;
}

describe("two-layer wasm step vs the TS kernels", () => {
  // (n, d, m, block): odd sizes, the fused forms (d = 1, 2 and d ≤ 8) and the GEMM form (d > 8),
  // one block and several (partial last block); d = 600 > KC = 512 packs Wᵀ in two inner blocks.
  const SIZES: [number, number, number, number | undefined][] = [
    [1, 1, 1, undefined], [7, 1, 3, undefined], [37, 3, 5, undefined], [97, 2, 13, 16], [200, 2, 20, undefined],
    [131, 7, 9, 16], [64, 11, 17, undefined], [203, 9, 33, 50], [150, 20, 10, 64], [41, 600, 7, 16],
  ];
  const ACTS = [makeActivation("relu"), makeActivation("leaky_relu", 0.1), makeActivation("leaky_relu", -0.5), makeActivation("linear")];
  let seed = 1;
  for (const [n, d, m, block] of SIZES) {
    for (const act of ACTS) {
      it(`n=${n} d=${d} m=${m}${block ? ` block=${block}` : ""}, ${act.name}${"slope" in act ? `(${act.slope})` : ""}: all losses, biases, sum/mean`, () => {
        for (const loss of LOSSES) {
          for (const [inputBias, outputBias] of [[false, false], [true, false], [false, true], [true, true]]) {
            const arch = twoLayerArchitecture({ d, m, activation: act, inputBias, outputBias });
            const { X, Y } = data(n, d, seed++, loss !== "square");
            const theta = randomTheta(arch, seed++, 2);
            compare(arch, n, loss, inputBias, 1, block, X, Y, theta);
          }
        }
      });
    }
  }

  it("κ-scaled outputs (evaluateScaled's path) agree", () => {
    const arch = twoLayerArchitecture({ d: 2, m: 21, activation: makeActivation("relu") });
    const { X, Y } = data(55, 2, 3, true);
    for (const loss of LOSSES) for (const kappa of [0.3, 1, 17.5]) compare(arch, 55, loss, false, kappa, undefined, X, Y, randomTheta(arch, 4));
  });

  // e^{−q} turns the rounding of a margin q (≈ |q|·ε absolute) into a relative error ≈ |q|·ε of
  // each term, so ℒ, ∇ℒ and ∂ℒ/∂F agree to 16ε·max|q| here (log ℒ still to 1e-13 relative).
  it("margins of 1e3: ℒ underflows, log ℒ from log space, and the |q| > 700 lanes", () => {
    for (const [d, m] of [[2, 9], [12, 7]]) {
      const arch = twoLayerArchitecture({ d, m, activation: makeActivation("relu") });
      const n = 41;
      const { X, Y } = data(n, d, 9, true);
      const u = randomTheta(arch, 10);
      // labels = sign of the outputs: every margin is positive; scale θ (degree 2) so that the
      // smallest margin is 1000, then so that the margins straddle 700 (scalar lanes) in the middle
      const ws = createWorkspace(arch, n);
      lossGradientInto(ws, u, X, Y, n, "logistic", false, 1, null);
      const F = workspaceOutputs(ws).slice(0, n);
      Y.set(F.map((f) => (f >= 0 ? 1 : -1)));
      const q = F.map((f) => Math.abs(f));
      const qmin = Math.min(...q);
      const qmid = q.slice().sort((a, b) => a - b)[n >> 1];
      for (const target of [1000 / qmin, 700 / qmid, 1]) {
        const theta = u.map((v) => v * Math.sqrt(target));
        for (const loss of ["logistic", "exponential"] as const) {
          for (const mean of [false, true]) {
            const r = compare(arch, n, loss, mean, 1, undefined, X, Y, theta, Math.max(1e-13, 16 * 2 ** -52 * Math.max(...q) * target));
            if (target === 1000 / qmin) {
              expect(r.loss).toBeLessThan(1e-280);
              expect(r.logLoss).toBeLessThan(-990);
            }
          }
        }
      }
    }
  });

  it("NaN in θ propagates to ℒ and ∇ℒ as in the TS kernels", () => {
    for (const [d, m] of [[2, 20], [12, 9]]) {
      for (const act of [makeActivation("relu"), makeActivation("leaky_relu", 0.1)]) {
        const arch = twoLayerArchitecture({ d, m, activation: act, inputBias: true });
        const n = 33;
        const { X, Y } = data(n, d, 61, true);
        for (const at of [0, m * d + 3, paramCount(arch) - 1]) {
          const theta = randomTheta(arch, 62);
          theta[at] = NaN;
          const w = createTwoLayerWasm(arch, n)!;
          twoLayerWasmBind(w, X, Y, n);
          const g = new Float64Array(paramCount(arch));
          const v = twoLayerWasmLossGradient(w, theta, X, Y, n, "logistic", false, 1, g);
          const gr = new Float64Array(paramCount(arch));
          const r = lossGradientInto(createWorkspace(arch, n), theta, X, Y, n, "logistic", false, 1, gr);
          expect(Number.isNaN(r.loss)).toBe(true);
          expect(Number.isNaN(v.loss)).toBe(true);
          expect(Array.from(g, Number.isNaN)).toEqual(Array.from(gr, Number.isNaN));
        }
      }
    }
  });

  it("f64x2 exp and log1p are within 1 ulp of Math.exp and Math.log1p", () => {
    const memory = createMemory(4)!;
    const inst = instantiateBase64(twoLayerBase64, memory)!;
    const ex = inst.exports as unknown as {
      heapBase(): number; vecExp(src: number, dst: number, n: number): void; vecLog1p(src: number, dst: number, n: number): void;
    };
    const N = 4096;
    const base = ex.heapBase();
    const src = new Float64Array(memory.buffer, base, N);
    const dst = new Float64Array(memory.buffer, base + 8 * N, N);
    const u = lcg(5);
    const ulps = (got: number, want: number): number => Math.abs(got - want) / Math.max(Math.abs(want) * 2 ** -52, 2 ** -1074);
    const special = [0, -0, 0.5 * Math.LN2, -0.5 * Math.LN2, 1.5 * Math.LN2, -1.5 * Math.LN2, 700, -700, 1e-300, -1e-20, 2 ** -30];
    for (let t = 0; t < N; t++) src[t] = t < special.length ? special[t] : t % 2 ? 700 * u() : 5 * u();
    ex.vecExp(base, base + 8 * N, N);
    let worst = 0;
    for (let t = 0; t < N; t++) worst = Math.max(worst, ulps(dst[t], Math.exp(src[t])));
    expect(worst).toBeLessThanOrEqual(1);
    const specialL = [0, 1, 0.41421997547149658, 0.4142199754714965, 2 ** -30, 2 ** -60, 1e-300, 5e-324, 1 - 2 ** -53, 0.5];
    for (let t = 0; t < N; t++) src[t] = t < specialL.length ? specialL[t] : t % 2 ? 0.5 * (u() + 1) : Math.exp(-40 * (u() + 1));
    ex.vecLog1p(base, base + 8 * N, N);
    worst = 0;
    for (let t = 0; t < N; t++) worst = Math.max(worst, ulps(dst[t], Math.log1p(src[t])));
    expect(dst[0]).toBe(0);
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe("dispatch and resident data", () => {
  const relu = makeActivation("relu");

  it("resident workspaces use the wasm step for k = 1 and relu/leaky_relu/linear above the size floor", () => {
    const n = 64;
    const { X, Y } = data(n, 3, 1, true);
    const resident = { X, Y, n };
    expect(workspaceBackend(createWorkspace(twoLayerArchitecture({ d: 3, m: 8, activation: relu }), n, { resident }))).toBe("wasm-simd");
    expect(workspaceBackend(createWorkspace(twoLayerArchitecture({ d: 3, m: 8, activation: makeActivation("linear") }), n, { resident }))).toBe("wasm-simd");
    expect(workspaceBackend(createWorkspace(twoLayerArchitecture({ d: 3, m: 8, activation: makeActivation("tanh") }), n, { resident }))).toBe("ts");
    const Y2 = new Float64Array(2 * n);
    expect(workspaceBackend(createWorkspace(twoLayerArchitecture({ d: 3, m: 8, k: 2, activation: relu }), n, { resident: { X, Y: Y2, n } }))).toBe("ts");
    expect(workspaceBackend(createWorkspace(twoLayerArchitecture({ d: 3, m: 8, activation: relu }), n))).toBe("ts");
    const mSmall = Math.max(1, Math.floor((TWO_LAYER_WASM_MIN_ENTRIES - 1) / n));
    expect(workspaceBackend(createWorkspace(twoLayerArchitecture({ d: 3, m: mSmall, activation: relu }), n, { resident }))).toBe("ts");
  });

  it("makeObjective: full batch, mini-batches (SGD) and full again, against the TS kernels", () => {
    const n = 300;
    const d = 5;
    const arch = twoLayerArchitecture({ d, m: 31, activation: makeActivation("leaky_relu", 0.2), inputBias: true, outputBias: true });
    const p = paramCount(arch);
    const { X, Y } = data(n, d, 21, true);
    const ds = { X: { rows: n, cols: d, data: X }, Y: { rows: n, cols: 1, data: Y } };
    const theta = randomTheta(arch, 22);
    for (const mean of [false, true]) {
      const obj = makeObjective(arch, ds, "logistic", { mean });
      const ws = createWorkspace(arch, n);
      const g = new Float64Array(p);
      const gr = new Float64Array(p);
      const full = obj.evaluate(theta, g);
      const ref = lossGradientInto(ws, theta, X, Y, n, "logistic", mean, 1, gr);
      expect(Math.abs(full.loss - ref.loss)).toBeLessThanOrEqual(1e-13 * ref.loss);
      expect(maxAbsDiff(g, gr)).toBeLessThanOrEqual(1e-13 * maxAbs(gr));
      const u = lcg(23);
      for (let step = 0; step < 3; step++) {
        const idx = Int32Array.from({ length: 17 + step * 40 }, () => Math.floor(((u() + 1) / 2) * n));
        const Xb = new Float64Array(idx.length * d);
        const Yb = new Float64Array(idx.length);
        idx.forEach((i, t) => {
          Xb.set(X.subarray(i * d, i * d + d), t * d);
          Yb[t] = Y[i];
        });
        const b = obj.evaluate(theta, g, idx);
        const rb = lossGradientInto(ws, theta, Xb, Yb, idx.length, "logistic", mean, 1, gr);
        expect(Math.abs(b.loss - rb.loss)).toBeLessThanOrEqual(1e-13 * rb.loss);
        expect(maxAbsDiff(g, gr)).toBeLessThanOrEqual(1e-13 * maxAbs(gr));
      }
      // the resident data set is restored after the batches: bitwise the first full result
      const again = new Float64Array(p);
      expect(obj.evaluate(theta, again).loss).toBe(full.loss);
      const g0 = new Float64Array(p);
      obj.evaluate(theta, g0);
      expect(maxAbsDiff(again, g0)).toBe(0);
      expect(obj.evaluateScaled).toBeUndefined(); // biases: not homogeneous
    }
  });

  it("lossGradientInto on a resident workspace: other arrays are copied per call; outputs are exposed", () => {
    const n = 120;
    const arch = twoLayerArchitecture({ d: 2, m: 10, activation: relu });
    const a = data(n, 2, 31, true);
    const b = data(n, 2, 32, true);
    const wsW = createWorkspace(arch, n, { resident: { X: a.X, Y: a.Y, n } });
    expect(workspaceBackend(wsW)).toBe("wasm-simd");
    const wsT = createWorkspace(arch, n);
    const theta = randomTheta(arch, 33);
    for (const src of [a, b, a, b]) {
      const g = new Float64Array(paramCount(arch));
      const gr = new Float64Array(paramCount(arch));
      const v = lossGradientInto(wsW, theta, src.X, src.Y, n - 3, "exponential", false, 1, g);
      const r = lossGradientInto(wsT, theta, src.X, src.Y, n - 3, "exponential", false, 1, gr);
      expect(Math.abs(v.loss - r.loss)).toBeLessThanOrEqual(1e-13 * r.loss);
      expect(maxAbsDiff(g, gr)).toBeLessThanOrEqual(1e-13 * maxAbs(gr));
      expect(maxAbsDiff(workspaceOutputs(wsW).subarray(0, n - 3), workspaceOutputs(wsT).subarray(0, n - 3))).toBeLessThanOrEqual(1e-13);
    }
  });
});

describe("wasm memories never grow", () => {
  it("the GEMM module starts at GEMM_INITIAL_PAGES and keeps it through products at and over the operand cap", () => {
    const w = wasmGemm()!;
    expect(w).not.toBeNull();
    const buffer = w.exports.memory.buffer;
    expect(buffer.byteLength).toBe(GEMM_INITIAL_PAGES * WASM_PAGE_BYTES);
    // rank-1 products: C is 2000² (32 MB, under the cap) and 3000² (72 MB, split in halves)
    for (const s of [2000, 3000]) {
      const a = new Float64Array(s).fill(0.5);
      const c = new Float64Array(s * s);
      gemmRaw(false, false, s, s, 1, 1, a, 0, 1, a, 0, s, 0, c, 0, s);
      expect(c[s * s - 1]).toBe(0.25);
    }
    expect(w.exports.memory.buffer).toBe(buffer); // same ArrayBuffer: never detached
  });

  it("a step's memory is sized at creation: its views stay attached across calls", () => {
    const arch = twoLayerArchitecture({ d: 12, m: 40, activation: makeActivation("relu") });
    const n = 500;
    const { X, Y } = data(n, 12, 41, true);
    const w = createTwoLayerWasm(arch, n, 64)!;
    twoLayerWasmBind(w, X, Y, n);
    const buffer = w.X.buffer;
    const g = new Float64Array(paramCount(arch));
    for (let t = 0; t < 3; t++) twoLayerWasmLossGradient(w, randomTheta(arch, t), X, Y, n, "logistic", false, 1, g);
    expect(w.X.length).toBe(n * 12);
    expect(w.grad.buffer).toBe(buffer);
    expect(buffer.byteLength).toBeGreaterThan(0);
  });
});
