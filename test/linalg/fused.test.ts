/**
 * The fused and the plain builds of the wasm kernels (assembly/lib/fma.ts, preferFused in
 * src/linalg/kernels/wasm.ts):
 *  - that the loaded build is the one it claims to be, by a product whose value tells one
 *    rounding from two (fusedProbe: −2⁻⁶⁰ fused, 0 separate);
 *  - SPLITSCAPE_FUSED=0 loads the plain builds (a child process, since the choice is made once
 *    per process), and both builds' GEMM lie within the rounding bound kε(|A||B|)_ij of the
 *    accurate product (Dot2); both builds' two-layer gradient agrees with the TypeScript kernels
 *    to the 1e-13 of test/model/twoLayerWasm.test.ts;
 *  - the fused build gives the same bits in another process (nothing depends on the process);
 *  - a bad SPLITSCAPE_FUSED is exit 2 naming the variable.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { gemmRawWasm } from "../../src/linalg/gemm.js";
import { fusedKernels } from "../../src/linalg/kernels/wasm.js";
import { accurateProduct } from "../../src/linalg/reference.js";
import { paramCount } from "../../src/model/index.js";
import { createWorkspace, lossGradientInto } from "../../src/model/network.js";
import { fusedCaseGradient, fusedCaseProduct, fusedProbe, gradientCase, PRODUCT, productOperands } from "../helpers/fused.js";
import { runCli } from "../helpers/cli.js";
import { maxAbs, maxAbsDiff } from "../model/reference.js";

const EPS = 2 ** -52;
const child = new URL("../helpers/fusedChild.ts", import.meta.url).pathname;

interface ChildResult { fused: boolean; probe: number; product: number[]; gradient: number[] }

/** fusedChild.ts under SPLITSCAPE_FUSED = `fused`. */
function runChild(fused: string): ChildResult {
  const r = spawnSync(process.execPath, ["--import", "tsx", child], {
    env: { ...process.env, SPLITSCAPE_FUSED: fused }, encoding: "utf8", timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`fusedChild exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

/** max_ij |C − C*|_ij / (kε(|A||B|)_ij) for the product case (≤ 1: within the bound). */
function productError(c: ArrayLike<number>): number {
  const { m, n, k } = PRODUCT;
  const { a, b } = productOperands();
  const exact = accurateProduct(m, n, k, a, b);
  const absA = a.map(Math.abs);
  const absB = b.map(Math.abs);
  const bound = accurateProduct(m, n, k, absA, absB);
  let worst = 0;
  for (let t = 0; t < m * n; t++) worst = Math.max(worst, Math.abs(c[t] - exact[t]) / (k * EPS * bound[t]));
  return worst;
}

/** The TypeScript kernels' gradient of the two-layer case (the oracle of the wasm step). */
function tsGradient(): Float64Array {
  const { arch, n, X, Y, theta } = gradientCase();
  const g = new Float64Array(paramCount(arch));
  lossGradientInto(createWorkspace(arch, n), theta, X, Y, n, "logistic", true, 0, g);
  return g;
}

describe("fused and plain kernel builds", () => {
  // Node ≥ 20.16 has process.getBuiltinModule, through which Node 20's relaxed-SIMD flag is set;
  // every x86-64 with FMA3 (since 2013) and every AArch64 then fuses f64x2.relaxed_madd.
  const canFuse = typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === "function";

  it.runIf(canFuse)("this process runs the fused builds, and they fuse: the probe is −2⁻⁶⁰", () => {
    expect(fusedKernels()).toBe(true);
    expect(fusedProbe(gemmRawWasm)).toBe(-(2 ** -60));
  });

  it("SPLITSCAPE_FUSED=0 runs the plain builds; both builds are within the rounding bounds", () => {
    const plain = runChild("0");
    expect(plain.fused).toBe(false);
    expect(plain.probe).toBe(0);
    expect(productError(plain.product)).toBeLessThanOrEqual(1);
    expect(productError(fusedCaseProduct(gemmRawWasm))).toBeLessThanOrEqual(1);
    const ts = tsGradient();
    expect(maxAbsDiff(plain.gradient, ts)).toBeLessThanOrEqual(1e-13 * maxAbs(ts));
    expect(maxAbsDiff(fusedCaseGradient(), ts)).toBeLessThanOrEqual(1e-13 * maxAbs(ts));
  });

  it.runIf(canFuse)("the fused build gives the same bits in another process", () => {
    const other = runChild("1");
    expect(other.fused).toBe(true);
    expect(other.probe).toBe(-(2 ** -60));
    expect(other.product).toEqual(Array.from(fusedCaseProduct(gemmRawWasm)));
    expect(other.gradient).toEqual(Array.from(fusedCaseGradient()));
  });

  it("a bad SPLITSCAPE_FUSED is exit 2 naming the variable", async () => {
    const saved = process.env.SPLITSCAPE_FUSED;
    process.env.SPLITSCAPE_FUSED = "yes";
    try {
      const t = await runCli("data", "list", "--json");
      expect(t.code).toBe(2);
      expect(t.err).toMatch(/SPLITSCAPE_FUSED: expected 0 or 1, got "yes"/);
      expect(JSON.parse(t.out).error).toMatchObject({ code: 2, option: "SPLITSCAPE_FUSED" });
    } finally {
      if (saved === undefined) delete process.env.SPLITSCAPE_FUSED;
      else process.env.SPLITSCAPE_FUSED = saved;
    }
  });
});
