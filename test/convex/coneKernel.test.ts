// The cone kernel on the worker pool when a worker fails (its own file: the pool is retired for
// the rest of the process). A job whose pattern index points outside the memory traps in whichever
// thread runs it; with the caller idle (poolTesting.callerIdle) that is a worker, which flags the
// failure. The caller must not wait forever: the pool retires, the caller runs the unfinished
// jobs itself (where the bad job traps again and the error surfaces), and later batches run on
// the caller alone.
import { describe, expect, it } from "vitest";
import { coneProxState, projectBlocks } from "../../src/convex/solvers/coneProx.js";
import { patternsFromGates } from "../../src/convex/index.js";
import { projectOntoConeNnls } from "../../src/convex/program/cone.js";
import { reluOperator } from "../../src/convex/program/operator.js";
import { runConeBatch } from "../../src/convex/solvers/coneKernel.js";
import { poolTesting } from "../../src/linalg/kernels/pool.js";
import { testRng } from "../helpers/random.js";

describe("coneKernel worker failure", () => {
  it("surfaces the error instead of hanging, then runs on the calling thread", () => {
    const r = testRng(3);
    const n = 50;
    const d = 5;
    const Xm = r.randn(n, d);
    const patterns = patternsFromGates(Xm, r.randn(8, d));
    const op = reluOperator(Xm, patterns);
    const st = coneProxState(op, false);
    const k = st.kernel!;
    expect(k).not.toBeNull();
    for (let t = 0; t < 8; t++) {
      k.pat[t] = op.pattern[t];
      k.Z.set(r.randnVec(d), t * d);
      k.M[t] = 0;
    }
    k.pat[3] = 12345678; // CS row at ~643 MB (mod 2³²), far outside the memory
    poolTesting.callerIdle = true;
    try {
      expect(() => runConeBatch(k, 8, 1e-13)).toThrow(/out of bounds/);
    } finally {
      poolTesting.callerIdle = false;
    }
    for (let t = 0; t < 3; t++) expect(k.done[t]).toBe(1);
    // Afterwards: the caller alone, and correct.
    const blocks = Array.from({ length: op.blocks }, (_, b) => b);
    const G = Float64Array.from(r.randnVec(op.blocks * d));
    const Z = new Float64Array(op.blocks * n);
    for (let b = 0; b < op.blocks; b++) for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) Z[b * n + i] += Xm.data[i * d + j] * G[b * d + j];
    const W = G.slice();
    projectBlocks(op, st, blocks, { W, wOff: 0, Zx: Z, zOff: 0 }, 1e-13);
    expect(k.lastBatch.workers).toBe(0);
    for (let b = 0; b < op.blocks; b++) {
      const p = op.pattern[b];
      const g = G.subarray(b * d, b * d + d);
      const ref = projectOntoConeNnls(Xm.data, n, d, patterns.masks.subarray(p * n, (p + 1) * n), g);
      for (let j = 0; j < d; j++) expect(Math.abs(W[b * d + j] - ref.projection[j])).toBeLessThan(1e-10 * Math.hypot(...g));
    }
  });
});
