// Independent reference for the parallel three-layer convex program (C3) of
// src/convex/extensions/threeLayer/convexProgram.ts: its arrangement form (Ergen & Pilanci, ICML 2021),
// with every block indexed by a pair of patterns, written as a conic program from the raw masks and
// solved by SCS (scs-solver, wasm). It shares no code with src/convex. Groups g = (outer pattern D2,
// outer sign s) over all nonempty D2 ⊆ rows; in each group, variables v_{gj} ∈ ℝᵈ for j = (inner
// pattern i, inner sign σ). x = [v (G·J·d), t (G·J), r (n)]:
//   min ½‖r‖² + β Σ t
//   s.t. r = Σ_g s_g D2_g Σ_j σ_j D_i X v_{gj} − y                (zero cone)
//        (2D_i − I) X v_{gj} ≥ 0                                   (inner cones K_i)
//        (2D2_g − I) Σ_j σ_j D_i X v_{gj} ≥ 0                      (outer cone of the block)
//        (t_{gj}, v_{gj}) ∈ SOC.
import createSCS from "scs-solver";
import { appendSocRows, squareLossP, toCsc, type Columns, type ScsResult } from "../helpers/scs.js";

/** The optimum of (C3) by SCS; masks: P×n 0/1 rows of the inner patterns, X n×d row-major. */
export async function scsThreeLayerValue(X: Float64Array, n: number, d: number, y: Float64Array, beta: number, masks: Uint8Array, P: number): Promise<ScsResult> {
  const SCS = await createSCS();
  const groups: Array<{ outer: number[]; s: number }> = [];
  for (let bits = 1; bits < 1 << n; bits++) for (const s of [1, -1]) groups.push({ outer: Array.from({ length: n }, (_, q) => (bits >> q) & 1), s });
  const G = groups.length;
  const J = 2 * P;
  const V = G * J;
  const tOff = V * d;
  const rOff = tOff + V;
  const nx = rOff + n;
  const cols: Columns = Array.from({ length: nx }, () => []);
  const b: number[] = [];
  const x = (q: number, t: number): number => X[q * d + t];
  const inner = (j: number): { i: number; sg: number } => ({ i: j % P, sg: j < P ? 1 : -1 });
  let row = 0;
  // Zero cone: r_q − Σ s D2 σ D_i x_qᵀ v = −y_q.
  for (let q = 0; q < n; q++) {
    cols[rOff + q].push({ row, val: 1 });
    groups.forEach((g, gi) => {
      if (!g.outer[q]) return;
      for (let j = 0; j < J; j++) {
        const { i, sg } = inner(j);
        if (!masks[i * n + q]) continue;
        for (let t = 0; t < d; t++) if (x(q, t) !== 0) cols[(gi * J + j) * d + t].push({ row, val: -g.s * sg * x(q, t) });
      }
    });
    b.push(-y[q]);
    row++;
  }
  const z = row;
  // Positive cone, written −a v + slack = 0 (slack ≥ 0).
  let l = 0;
  for (let gi = 0; gi < G; gi++) {
    for (let j = 0; j < J; j++) {
      const { i } = inner(j);
      for (let q = 0; q < n; q++) {
        const e = masks[i * n + q] ? 1 : -1;
        for (let t = 0; t < d; t++) if (x(q, t) !== 0) cols[(gi * J + j) * d + t].push({ row, val: -e * x(q, t) });
        b.push(0);
        row++;
        l++;
      }
    }
    const g = groups[gi];
    for (let q = 0; q < n; q++) {
      const e = g.outer[q] ? 1 : -1;
      for (let j = 0; j < J; j++) {
        const { i, sg } = inner(j);
        if (!masks[i * n + q]) continue;
        for (let t = 0; t < d; t++) if (x(q, t) !== 0) cols[(gi * J + j) * d + t].push({ row, val: -e * sg * x(q, t) });
      }
      b.push(0);
      row++;
      l++;
    }
  }
  // SOC: −(t, v) + slack = 0.
  const cones = appendSocRows(cols, b, row, { count: V, d, tOff });
  row = cones.row;
  const soc = cones.q;
  const { A_x, A_i, A_p } = toCsc(cols);
  const c = new Array<number>(nx).fill(0);
  for (let k = 0; k < V; k++) c[tOff + k] = beta;
  const { P_x, P_i, P_p } = squareLossP(nx, rOff);
  const settings = new SCS.ScsSettings();
  SCS.setDefaultSettings(settings);
  settings.epsAbs = 1e-9;
  settings.epsRel = 1e-9;
  settings.maxIters = 200000;
  settings.verbose = 0;
  const sol = SCS.solve({ m: row, n: nx, A_x, A_i, A_p, b, c, P_x, P_i, P_p }, { z, l, q: soc, qsize: soc.length }, settings);
  return { value: sol.info.pobj, status: String(sol.status), iterations: sol.info.iter };
}
