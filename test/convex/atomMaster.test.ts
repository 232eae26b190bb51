// The master problem of column generation, min_{c≥0} ½‖Σ c_j a_j − y‖² + β Σ c_j, against its
// KKT conditions (c ≥ 0, gains w_j = a_jᵀr − β ≤ 0, = 0 where c_j > 0: necessary and sufficient
// for this convex QP) and against a slow independent solver (accelerated projected gradient,
// 20 000 steps of 1/L). Tolerances: KKT to 1e-9·(β + ‖a‖‖y‖), the Cholesky solves' rounding on
// these well-conditioned draws; values to 1e-8 relative, the projected-gradient reference's
// own accuracy after 20 000 steps.
import { describe, expect, it } from "vitest";
import { addAtom, atomMaster, masterValue, pruneAtoms, resetPassive, solveMaster, type AtomMaster } from "../../src/convex/solvers/atomMaster.js";
import { testRng } from "../helpers/random.js";

function kktViolation(m: AtomMaster, beta: number): number {
  const yNorm = Math.hypot(...m.y);
  const r = m.y.slice();
  for (let j = 0; j < m.count; j++) for (let k = 0; k < m.n; k++) r[k] -= m.c[j] * m.A[j * m.n + k];
  let worst = 0;
  for (let j = 0; j < m.count; j++) {
    expect(m.c[j]).toBeGreaterThanOrEqual(0);
    let w = -beta;
    for (let k = 0; k < m.n; k++) w += m.A[j * m.n + k] * r[k];
    const scale = beta + Math.sqrt(m.aa[j]) * yNorm;
    worst = Math.max(worst, (m.c[j] > 0 ? Math.abs(w) : Math.max(0, w)) / scale);
  }
  return worst;
}

function projectedGradient(A: Float64Array[], y: Float64Array, beta: number): number {
  const n = y.length;
  const C = A.length;
  let L = 0;
  for (const a of A) L += a.reduce((s, v) => s + v * v, 0); // ≥ λ_max(AᵀA)
  let c = new Float64Array(C);
  let prev = c.slice();
  let t = 1;
  for (let it = 0; it < 20000; it++) {
    const tn = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const z = c.map((v, j) => v + ((t - 1) / tn) * (v - prev[j]));
    const r = y.slice();
    for (let j = 0; j < C; j++) for (let k = 0; k < n; k++) r[k] -= z[j] * A[j][k];
    prev = c;
    c = z.map((v, j) => {
      let g = beta;
      for (let k = 0; k < n; k++) g -= A[j][k] * r[k];
      return Math.max(0, v - g / L);
    });
    t = tn;
  }
  const r = y.slice();
  for (let j = 0; j < C; j++) for (let k = 0; k < n; k++) r[k] -= c[j] * A[j][k];
  return 0.5 * r.reduce((s, v) => s + v * v, 0) + beta * c.reduce((s, v) => s + v, 0);
}

describe("atomMaster", () => {
  it("solves the nonnegative lasso exactly, warm after new atoms (more atoms than samples)", () => {
    const g = testRng(5);
    const n = 30;
    const beta = 0.2;
    const y = g.randnVec(n);
    const atoms = Array.from({ length: 90 }, () => g.randnVec(n));
    const m = atomMaster(y, 1);
    const one = new Float64Array([1]);
    for (let j = 0; j < 45; j++) addAtom(m, j, one, 0, atoms[j], 0);
    solveMaster(m, beta);
    expect(kktViolation(m, beta)).toBeLessThan(1e-9);
    const first = masterValue(m, beta);
    for (let j = 45; j < 90; j++) addAtom(m, j, one, 0, atoms[j], 0);
    solveMaster(m, beta);
    expect(kktViolation(m, beta)).toBeLessThan(1e-9);
    const value = masterValue(m, beta);
    expect(value).toBeLessThanOrEqual(first);
    const ref = projectedGradient(atoms, y, beta);
    expect(Math.abs(value - ref)).toBeLessThan(1e-8 * ref);
    // Pruning the zero atoms changes nothing.
    pruneAtoms(m);
    expect(m.count).toBe(m.passive.length);
    expect(Math.abs(masterValue(m, beta) - value)).toBeLessThan(1e-14 * value);
    solveMaster(m, beta);
    expect(Math.abs(masterValue(m, beta) - value)).toBeLessThan(1e-12 * value);
    // Fresh atoms after the prune: the compacted Gram rows and the new ones must match A Aᵀ, and
    // the warm solve must reach the optimum over the atoms it holds (kept + fresh).
    const more = Array.from({ length: 20 }, () => g.randnVec(n));
    for (const a of more) addAtom(m, 0, one, 0, a, 0);
    solveMaster(m, beta);
    expect(kktViolation(m, beta)).toBeLessThan(1e-9);
    const ld = m.block.length;
    for (let i = 0; i < m.count; i++) {
      for (let j = 0; j < m.count; j++) {
        let t = 0;
        for (let k = 0; k < n; k++) t += m.A[i * n + k] * m.A[j * n + k];
        expect(Math.abs(m.G[i * ld + j] - t)).toBeLessThan(1e-12 * Math.sqrt(m.aa[i] * m.aa[j]));
      }
    }
    const held = Array.from({ length: m.count }, (_, j) => m.A.slice(j * n, (j + 1) * n));
    const ref2 = projectedGradient(held, y, beta);
    expect(Math.abs(masterValue(m, beta) - ref2)).toBeLessThan(1e-8 * ref2);
  });

  it("pivots in a merged (exactly dependent) atom and lowers the value", () => {
    // One block of 3-D directions mapped by a random n×3 matrix M: atoms a = M u. With y near
    // M(e₁ + e₂) the master uses both atoms e₁ and e₂ at cost c₁ + c₂; the merged direction
    // w/‖w‖ (w = c₁e₁ + c₂e₂) is a dependent atom of cost ‖w‖ < c₁ + c₂.
    const g = testRng(6);
    const n = 40;
    const d = 3;
    const beta = 0.05;
    const M = g.randn(n, d).data;
    const image = (u: ArrayLike<number>): Float64Array => {
      const a = new Float64Array(n);
      for (let k = 0; k < n; k++) for (let i = 0; i < d; i++) a[k] += M[k * d + i] * u[i];
      return a;
    };
    const y = image([3, 2, 0]);
    const noise = g.randnVec(n);
    for (let k = 0; k < n; k++) y[k] += 0.01 * noise[k];
    const m = atomMaster(y, d);
    addAtom(m, 0, new Float64Array([1, 0, 0]), 0, image([1, 0, 0]), 0);
    addAtom(m, 0, new Float64Array([0, 1, 0]), 0, image([0, 1, 0]), 0);
    solveMaster(m, beta);
    expect(m.c[0]).toBeGreaterThan(0);
    expect(m.c[1]).toBeGreaterThan(0);
    const before = masterValue(m, beta);
    const w = [m.c[0], m.c[1], 0];
    const s = Math.hypot(...w);
    const u = Float64Array.from(w, (v) => v / s);
    addAtom(m, 0, u, 0, image(u), 0);
    solveMaster(m, beta);
    const after = masterValue(m, beta);
    // The pivot alone saves β(c₁ + c₂ − ‖w‖); the re-solve may save more.
    expect(after).toBeLessThanOrEqual(before - beta * (w[0] + w[1] - s) * (1 - 1e-9));
    expect(m.c[2]).toBeGreaterThan(0);
    expect(kktViolation(m, beta)).toBeLessThan(1e-9);
  });

  it("resetPassive jumps to given coefficients (value, residual, factor) and refuses dependent atoms", () => {
    const g = testRng(7);
    const n = 25;
    const beta = 0.1;
    const y = g.randnVec(n);
    const atoms = Array.from({ length: 12 }, () => g.randnVec(n));
    const m = atomMaster(y, 1);
    const one = new Float64Array([1]);
    for (const a of atoms) addAtom(m, 0, one, 0, a, 0);
    // Any c ≥ 0: the value is ½‖y − Σ c_j a_j‖² + β Σ c_j computed from scratch here.
    const c = Float64Array.from({ length: 12 }, (_, j) => (j % 3 === 0 ? 0 : 0.05 * (j + 1)));
    expect(resetPassive(m, c)).toBe(true);
    expect(m.passive.slice().sort((a, b) => a - b)).toEqual([...c.keys()].filter((j) => c[j] > 0));
    const r = y.slice();
    for (let j = 0; j < 12; j++) for (let k = 0; k < n; k++) r[k] -= c[j] * atoms[j][k];
    const direct = 0.5 * r.reduce((t, v) => t + v * v, 0) + beta * c.reduce((t, v) => t + v, 0);
    expect(Math.abs(masterValue(m, beta) - direct)).toBeLessThan(1e-13 * direct);
    // The rebuilt factor is that of A_P A_Pᵀ: the solve from here reaches the reference optimum.
    solveMaster(m, beta);
    expect(kktViolation(m, beta)).toBeLessThan(1e-9);
    const ref = projectedGradient(atoms, y, beta);
    expect(Math.abs(masterValue(m, beta) - ref)).toBeLessThan(1e-8 * ref);
    // A duplicate of a positive atom makes P dependent: refused, master unchanged.
    const value = masterValue(m, beta);
    const passive = m.passive.slice();
    const dup = addAtom(m, 0, one, 0, m.A.slice(passive[0] * n, passive[0] * n + n), 0);
    const c2 = m.c.slice(0, m.count);
    c2[dup] = 0.5 * c2[passive[0]];
    c2[passive[0]] *= 0.5;
    expect(resetPassive(m, c2)).toBe(false);
    expect(m.passive).toEqual(passive);
    expect(m.c[dup]).toBe(0);
    expect(masterValue(m, beta)).toBe(value);
    solveMaster(m, beta);
    expect(Math.abs(masterValue(m, beta) - value)).toBeLessThan(1e-12 * value);
  });

  it("stays exact when batches of near-duplicate atoms enter (pivots, deferred atoms, atoms leaving at once)", () => {
    // The late rounds of column generation: every passive atom gets a slightly moved copy (the
    // next pricing direction of its block) and the copies enter 64 at a time. Copies within
    // 1e-7 of their original are numerically dependent (pivoted in, or deferred and then tabu),
    // coarser ones enter and often make the original leave at once. The KKT conditions, computed
    // here from A and y, are necessary and sufficient for this convex QP (the projected-gradient
    // reference converges too slowly on such nearly dependent atoms to judge 1e-8).
    const g = testRng(8);
    const n = 60;
    const beta = 0.05;
    const y = g.randnVec(n);
    const m = atomMaster(y, 1);
    const one = new Float64Array([1]);
    for (let j = 0; j < 80; j++) addAtom(m, j, one, 0, g.randnVec(n), 0);
    solveMaster(m, beta);
    let value = masterValue(m, beta);
    for (const eps of [1e-7, 1e-3, 1e-2]) {
      for (const j of m.passive.slice()) {
        const a = m.A.slice(j * n, j * n + n);
        const e = g.randnVec(n);
        const s = Math.hypot(...a);
        for (let k = 0; k < n; k++) a[k] += eps * s * e[k];
        addAtom(m, j, one, 0, a, 0);
      }
      solveMaster(m, beta);
      // A copy closer than √DEPENDENT = 1e-5 cannot enter: its gain differs from the original's
      // (≤ 0) by about eps·‖a‖‖r‖, so for eps = 1e-7 KKT holds to 10·eps only.
      expect(kktViolation(m, beta)).toBeLessThan(eps < 1e-5 ? 10 * eps : 1e-9);
      const next = masterValue(m, beta);
      expect(next).toBeLessThanOrEqual(value * (1 + 1e-14));
      value = next;
      pruneAtoms(m); // as the solver does after every round (the unused copies go)
    }
  });

  it("re-solves the passive system until it is optimal when many atoms leave after a batch (bug: stale coefficient)", () => {
    // The master of the three-layer convex program (solveThreeLayerConvex, no bias) on the five
    // points at angles [3.2796, 3.9212, 5.597, 5.6638, 5.8499], y = [−0.2, 0.9, 0.7, 0.4, 0.8],
    // β = 0.2: its ten first-round atoms, then the three of the second pricing round (atom images
    // recorded from that run, 13×5). The second batch pivots in two dependent atoms, then three of
    // the four passive atoms leave one after another; the inner loop's bound shrank with |P|, so it
    // stopped before the last solve on P = {12} and left c₁₂ stale (a₁₂ᵀr − β = 9.3e-3, 4.6% of β).
    const beta = 0.2;
    const y = Float64Array.from([-0.2, 0.9, 0.7, 0.4, 0.8]);
    const atoms = [
      [1.1102230246251565e-16, 0.44667291637011763, 0, 0, 0],
      [0.7339997123836438, 0.9944921777635609, 1.6653345369377348e-16, 0, 0],
      [1.5265566588595568e-14, 0.45870394799107855, 0.031076143115054355, 0, 0],
      [0.6870292069506847, 0.9852780142352302, 0.06675033147760517, 2.220446049250313e-16, 0],
      [0, 0, 0.20966042062788656, 0.15503995547129112, 2.7755575615628914e-17],
      [0, 0.49206061076224317, 0.13144936311361896, 0.09720434282651808, 2.333024245673795e-16],
      [0.5407198838987692, 0.9366332486126132, 0.25021276100609813, 0.18502765189804493, 3.3306690738754696e-16],
      [0, 0, 0, 0.06675033147760484, 0.25021276100609774],
      [0, 0, 0.9927489666612674, 0.9985586403195372, 0.9912475748154292],
      [0, 0.25149246311246276, 0.9361693283399137, 0.9106153590612841, 0.8184284541254749],
      [0, 0.47589429489417673, 0.07991336608163697, 0.04723092022393778, 0],
      [0.6165417225245569, 0.965130814892902, 0.15917012072996295, 0.09291578227678765, 0],
      [0, 0.5984780296174408, 0.733999712383644, 0.687029206950685, 0.5407198838987697],
    ].map((a) => Float64Array.from(a));
    const m = atomMaster(y, 1);
    const one = new Float64Array([1]);
    for (let j = 0; j < 10; j++) addAtom(m, 0, one, 0, atoms[j], 0);
    solveMaster(m, beta);
    expect(kktViolation(m, beta)).toBeLessThan(1e-9);
    for (let j = 10; j < 13; j++) addAtom(m, 0, one, 0, atoms[j], 0);
    solveMaster(m, beta);
    expect(kktViolation(m, beta)).toBeLessThan(1e-9);
  });

  it("a warm start off the optimum on P reaches the optimum although only duplicates could enter", () => {
    // resetPassive to coefficients that are not optimal on their passive set, every other atom an
    // exact duplicate of a passive one (dependent, and a pivot gains nothing: 1ᵀz = 1): no atom can
    // enter, so the solve must re-solve the passive system itself. KKT computed here from A and y.
    const g = testRng(9);
    const n = 12;
    const beta = 0.1;
    const y = g.randnVec(n);
    const one = new Float64Array([1]);
    const atoms = Array.from({ length: 4 }, () => g.randnVec(n));
    const m = atomMaster(y, 1);
    for (const a of atoms) addAtom(m, 0, one, 0, a, 0);
    for (const a of atoms) addAtom(m, 0, one, 0, a, 0);
    const c = new Float64Array(8);
    for (let j = 0; j < 4; j++) c[j] = 0.1 + 0.2 * j;
    expect(resetPassive(m, c)).toBe(true);
    solveMaster(m, beta);
    expect(kktViolation(m, beta)).toBeLessThan(1e-9);
    // Every atom passive (none left to enter), coefficients off the optimum.
    const m2 = atomMaster(y, 1);
    for (const a of atoms) addAtom(m2, 0, one, 0, a, 0);
    expect(resetPassive(m2, Float64Array.from([0.3, 0.3, 0.3, 0.3]))).toBe(true);
    solveMaster(m2, beta);
    expect(kktViolation(m2, beta)).toBeLessThan(1e-9);
  });
});
