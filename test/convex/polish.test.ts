// The active-face Newton polish (polish.ts). Reference: a point certified by the column-generation
// solver to relative duality gap 1e-11 (the gap bounds its suboptimality whatever produced it). Given the optimal faces — either the rows on which w*_b is tight
// or the active rows of the exact projections Π_{K_b}(g_b(ν*)) — Newton from a scaled start must
// land on the optimum to within that gap; with a face guessed too large, the per-block clipping
// must still return a point feasible on every cone row.
import { describe, expect, it } from "vitest";
import { convexLoss, convexProblem, patternsFromGates, solveRelu, withBias } from "../../src/convex/index.js";
import { polishOnFace } from "../../src/convex/solvers/polish.js";
import { coneProxState, projectBlock } from "../../src/convex/solvers/coneProx.js";
import { adjoint, coneViolation, forward, groupNorm, reluOperator, spreadDual } from "../../src/convex/program/operator.js";
import { testRng } from "../helpers/random.js";

function instance() {
  const g = testRng(131);
  const X = withBias(g.randn(80, 4));
  const y = g.randnVec(80);
  const pr = convexProblem(X, y, 0.5, "square", patternsFromGates(X, g.randn(30, 5)));
  const op = reluOperator(pr.X, pr.patterns);
  const sol = solveRelu(pr, { tol: 1e-11, method: "atoms" });
  const W = new Float64Array(op.blocks * op.d);
  W.set(sol.U, 0);
  W.set(sol.V, sol.U.length);
  return { pr, op, sol, W };
}

function objective(op: ReturnType<typeof reluOperator>, y: Float64Array, beta: number, W: Float64Array): { value: number; Z: Float64Array } {
  const Z = new Float64Array(op.blocks * op.n);
  forward(op, W, Z);
  let r = 0;
  for (let k = 0; k < op.n; k++) {
    let s = 0;
    for (let b = 0; b < op.blocks; b++) s += op.signedMask[b * op.n + k] * Z[b * op.n + k];
    r += (s - y[k]) ** 2;
  }
  return { value: 0.5 * r + beta * groupNorm(W, op.blocks, op.d), Z };
}

describe("polishOnFace", () => {
  const { pr, op, sol, W } = instance();
  const loss = convexLoss("square");

  it("the reference is certified to 1e-11", () => {
    expect(sol.converged).toBe(true);
    expect(sol.relativeGap).toBeLessThanOrEqual(1e-11);
  });

  it("from 0.7·w*, on the tight-row faces of w*, returns the optimum", () => {
    const start = W.map((v) => 0.7 * v);
    const { value: f0, Z } = objective(op, pr.y, pr.beta, start);
    const Wp = polishOnFace(op, loss, pr.y, pr.beta, start, Z);
    expect(Wp).not.toBeNull();
    const { value, Z: Zp } = objective(op, pr.y, pr.beta, Wp!);
    expect(value).toBeLessThan(f0);
    expect(Math.abs(value - sol.primalValue)).toBeLessThanOrEqual(sol.gap + 1e-12 * sol.primalValue);
    expect(coneViolation(op, Wp!, Zp)).toBeLessThan(1e-12);
  });

  it("from 0.7·w*, on the faces of the exact projections at ν*, returns the optimum", () => {
    const { n, d, blocks: B } = op;
    const R = new Float64Array(B * n);
    const G = new Float64Array(B * d);
    spreadDual(op, sol.nu, R);
    adjoint(op, R, G);
    const GX = new Float64Array(B * n);
    forward(op, G, GX);
    const cone = coneProxState(op, false);
    for (let b = 0; b < B; b++) projectBlock(op, cone, b, { W: G, wOff: b * d, Zx: GX, zOff: b * n }, 1e-13);
    const start = W.map((v) => 0.7 * v);
    const { Z } = objective(op, pr.y, pr.beta, start);
    const Wp = polishOnFace(op, loss, pr.y, pr.beta, start, Z, cone.active);
    expect(Wp).not.toBeNull();
    const { value, Z: Zp } = objective(op, pr.y, pr.beta, Wp!);
    expect(Math.abs(value - sol.primalValue)).toBeLessThanOrEqual(sol.gap + 1e-12 * sol.primalValue);
    expect(coneViolation(op, Wp!, Zp)).toBeLessThan(1e-12);
  });

  it("with every face guessed as the whole space, clips each block back into its cone", () => {
    const start = W.map((v) => 0.7 * v);
    const { Z } = objective(op, pr.y, pr.beta, start);
    const none = Array.from({ length: op.blocks }, () => [] as number[]);
    const Wp = polishOnFace(op, loss, pr.y, pr.beta, start, Z, none);
    expect(Wp).not.toBeNull();
    const { Z: Zp } = objective(op, pr.y, pr.beta, Wp!);
    // The unconstrained Newton point leaves the cones; the clipped one is feasible to rounding.
    expect(coneViolation(op, Wp!, Zp)).toBeLessThan(1e-12);
  });
});
