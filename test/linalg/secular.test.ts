/**
 * The secular problems of divide and conquer on the wasm kernel (assembly/gemm.ts secularJobs,
 * src/linalg/kernels/secular.ts) against the TypeScript engine (src/linalg/secular.ts), which
 * runs the same formulas in the same order: the same bits, on one thread, two, and with every
 * job left to the workers. Independently of both: each computed pair is an eigenpair of
 * D + ρ z zᵀ to ‖(D + ρzzᵀ)u − λu‖ ≤ 100kε(max|d| + ρ‖z‖²) and the vectors are orthonormal to
 * 100kε (Gu–Eisenstat: the vectors are exact for a nearby ẑ; the bounds leave a constant's room).
 */
import { afterEach, describe, expect, it } from "vitest";
import { arenaTesting, withArena } from "../../src/linalg/arena.js";
import { lastSecularRun, SECULAR_PARALLEL_MIN, type SecularRegions } from "../../src/linalg/kernels/secular.js";
import { poolTesting } from "../../src/linalg/kernels/pool.js";
import { testRng } from "../helpers/random.js";
import { bits, withThreads } from "../helpers/threads.js";

const EPS = 2 ** -52;

/** A secular problem with k poles: half spread, half in tight clusters (1e-9 apart), ρ = 0.7. */
function problem(k: number, seed: number): { d: Float64Array; z: Float64Array; rho: number } {
  const g = testRng(seed);
  const d = new Float64Array(k);
  for (let i = 0; i < k; i++) d[i] = i % 2 === 0 ? 4 * g.uniform() - 2 : 0.5 + Math.floor(i / 8) * 1e-3 + (i % 8) * 1e-9;
  d.sort();
  for (let i = 1; i < k; i++) if (d[i] <= d[i - 1]) d[i] = d[i - 1] + 1e-12;
  const z = Float64Array.from({ length: k }, () => g.normal());
  const zn = Math.hypot(...z);
  for (let i = 0; i < k; i++) z[i] /= zn;
  return { d, z, rho: 0.7 };
}

interface Solved { org: Float64Array; tau: Float64Array; zh: Float64Array; ut: Float64Array }

/** The problem on a fresh arena (wasm unless arenaTesting.forceTs), slots reversed. */
function solve(k: number, p: ReturnType<typeof problem>): Solved {
  return withArena(6 * k + k * k, 2, (ar) => {
    const v = ar.alloc(6 * k);
    const ut = ar.alloc(k * k);
    const r: SecularRegions = { d: v, z: v + k, slot: v + 2 * k, org: v + 3 * k, tau: v + 4 * k, zh: v + 5 * k, ut };
    const h = ar.heap;
    h.set(p.d, r.d);
    h.set(p.z, r.z);
    for (let j = 0; j < k; j++) h[r.slot + j] = k - 1 - j;
    ar.secular(k, p.rho, r);
    return {
      org: h.slice(r.org, r.org + k), tau: h.slice(r.tau, r.tau + k), zh: h.slice(r.zh, r.zh + k), ut: h.slice(ut, ut + k * k),
    };
  });
}

afterEach(() => {
  poolTesting.callerIdle = false;
  arenaTesting.forceTs = false;
});

describe("secular problems: wasm kernel = TypeScript engine, on any thread count", () => {
  const k = SECULAR_PARALLEL_MIN + 37;
  const p = problem(k, 41);

  it(`k = ${k}: the same bits on 1 and 2 threads, the workers alone, and the TS engine`, () => {
    const one = withThreads("1", () => solve(k, p));
    expect(lastSecularRun.threads).toBe(1);
    const two = withThreads("2", () => solve(k, p));
    expect(lastSecularRun).toMatchObject({ threads: 2, workers: 1 });
    poolTesting.callerIdle = true;
    const alone = withThreads("2", () => solve(k, p));
    expect(lastSecularRun.callerJobs).toBe(0);
    poolTesting.callerIdle = false;
    arenaTesting.forceTs = true;
    const ts = solve(k, p);
    for (const other of [two, alone, ts]) {
      for (const key of ["org", "tau", "zh", "ut"] as const) expect(bits(other[key])).toEqual(bits(one[key]));
    }
  });

  it(`k = ${k}: eigenpairs of D + ρzzᵀ, orthonormal (independent check)`, () => {
    const { org, tau, ut } = withThreads("2", () => solve(k, p));
    const { d, z, rho } = p;
    const scale = Math.max(...d.map(Math.abs)) + rho;
    let residual = 0;
    let orthogonality = 0;
    const u = (i: number, j: number): number => ut[i * k + (k - 1 - j)]; // component j of vector i
    for (let i = 0; i < k; i++) {
      const lambda = d[org[i]] + tau[i];
      let zu = 0;
      for (let j = 0; j < k; j++) zu += z[j] * u(i, j);
      for (let j = 0; j < k; j++) residual = Math.max(residual, Math.abs((d[j] - lambda) * u(i, j) + rho * z[j] * zu));
      if (i > 0) expect(lambda).toBeGreaterThan(d[org[i - 1]] + tau[i - 1]); // ascending, distinct
    }
    for (let i = 0; i < k; i += 7) {
      for (let q = 0; q < k; q++) {
        let dot = 0;
        for (let j = 0; j < k; j++) dot += u(i, j) * u(q, j);
        orthogonality = Math.max(orthogonality, Math.abs(dot - (i === q ? 1 : 0)));
      }
    }
    expect(residual).toBeLessThan(100 * k * EPS * scale);
    expect(orthogonality).toBeLessThan(100 * k * EPS);
  });
});
