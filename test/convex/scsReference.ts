// Independent reference for the ReLU/gated programs: their conic forms solved by SCS (scs-solver,
// wasm), built from the raw masks and sharing no code with src/convex. Blocks b = 0…B−1 are
// (pattern i = b mod P, sign s_b = +1 for b < P, −1 after), B = 2P for ReLU, P for gated.
//  * regularised (square loss): x = [w (B·d), t (B), r (n)], min ½‖r‖² + β Σ t s.t.
//    r = Σ_b s_b D_b X w_b − y (zero cone);
//  * minimum-norm interpolation: x = [w (B·d), t (B), s (d if skip)], min Σ t s.t.
//    Σ_b s_b D_b X w_b + X s = y (zero cone);
// both with (2D_b − I) X w_b ≥ 0 (ReLU; positive cone) and (t_b, w_b) ∈ SOC.
import createSCS from "scs-solver";
import { appendSocRows, squareLossP, toCsc, type Columns, type ScsResult } from "../helpers/scs.js";

export type { ScsResult };

type Objective = { kind: "regularised"; beta: number } | { kind: "interpolate"; skip: boolean };

async function solveReluCone(
  X: Float64Array, n: number, d: number, y: Float64Array, masks: Uint8Array, P: number, relu: boolean, objective: Objective,
): Promise<ScsResult> {
  const SCS = await createSCS();
  const B = relu ? 2 * P : P;
  const tOff = B * d;
  const rOff = B * d + B;
  const extra = objective.kind === "regularised" ? n : objective.skip ? d : 0;
  const nx = B * d + B + extra;
  const cols: Columns = Array.from({ length: nx }, () => []);
  const b: number[] = [];
  let row = 0;
  // Zero cone. Regularised: r_k − Σ_b s_b m_bk x_kᵀ w_b = −y_k. Interpolate: Σ_b s_b m_bk x_kᵀ w_b (+ x_kᵀ s) = y_k.
  const fitSign = objective.kind === "regularised" ? -1 : 1;
  for (let k = 0; k < n; k++) {
    if (objective.kind === "regularised") cols[rOff + k].push({ row, val: 1 });
    for (let bl = 0; bl < B; bl++) {
      const i = bl % P;
      const s = bl < P ? 1 : -1;
      if (!masks[i * n + k]) continue;
      for (let j = 0; j < d; j++) if (X[k * d + j] !== 0) cols[bl * d + j].push({ row, val: fitSign * s * X[k * d + j] });
    }
    if (objective.kind === "interpolate" && objective.skip) {
      for (let j = 0; j < d; j++) if (X[k * d + j] !== 0) cols[rOff + j].push({ row, val: X[k * d + j] });
    }
    b.push(fitSign * y[k]);
    row++;
  }
  const z = row;
  // Positive cone: −(2m−1) x_kᵀ w_b + slack = 0.
  let l = 0;
  if (relu) {
    for (let bl = 0; bl < B; bl++) {
      const i = bl % P;
      for (let k = 0; k < n; k++) {
        const sg = masks[i * n + k] ? 1 : -1;
        for (let j = 0; j < d; j++) if (X[k * d + j] !== 0) cols[bl * d + j].push({ row, val: -sg * X[k * d + j] });
        b.push(0);
        row++;
        l++;
      }
    }
  }
  // SOC: −(t_b, w_b) + slack = 0.
  const soc = appendSocRows(cols, b, row, { count: B, d, tOff });
  row = soc.row;
  const q = soc.q;
  const { A_x, A_i, A_p } = toCsc(cols);
  const cvec = new Array<number>(nx).fill(0);
  for (let bl = 0; bl < B; bl++) cvec[tOff + bl] = objective.kind === "regularised" ? objective.beta : 1;
  const settings = new SCS.ScsSettings();
  SCS.setDefaultSettings(settings);
  settings.epsAbs = 1e-10;
  settings.epsRel = 1e-10;
  settings.maxIters = objective.kind === "regularised" ? 200000 : 400000;
  settings.verbose = 0;
  let data: Record<string, unknown> = { m: row, n: nx, A_x, A_i, A_p, b, c: cvec };
  if (objective.kind === "regularised") {
    // P = diag(0…0, 1…1 on r): ½‖r‖².
    const { P_x, P_i, P_p } = squareLossP(nx, rOff);
    data = { ...data, P_x, P_i, P_p };
  }
  const sol = SCS.solve(data, { z, l, q, qsize: q.length }, settings);
  return { value: sol.info.pobj, status: String(sol.status), iterations: sol.info.iter };
}

/** The square-loss ReLU (relu = true) or gated program at β; masks: P×n 0/1 rows, X n×d row-major. */
export function scsReluValue(
  X: Float64Array, n: number, d: number, y: Float64Array, beta: number, masks: Uint8Array, P: number, relu: boolean,
): Promise<ScsResult> {
  return solveReluCone(X, n, d, y, masks, P, relu, { kind: "regularised", beta });
}

/** min Σ(‖u_i‖ + ‖v_i‖) s.t. Σ D_i X (u_i − v_i) (+ X s, free skip) = y, u_i, v_i ∈ K_i. */
export function scsMinNormValue(
  X: Float64Array, n: number, d: number, y: Float64Array, masks: Uint8Array, P: number, skip: boolean,
): Promise<ScsResult> {
  return solveReluCone(X, n, d, y, masks, P, true, { kind: "interpolate", skip });
}
