// Independent reference for the square-loss ReLU/gated program: the conic form solved by SCS
// (scs-solver, wasm). Variables x = [w (B·d), t (B), r (n)]; minimise ½‖r‖² + β Σ t subject to
// r = Σ_b s_b D_b X w_b − y (zero cone), (2D_b − I) X w_b ≥ 0 (ReLU only; positive cone) and
// (t_b, w_b) ∈ SOC. Built from the raw masks, sharing no code with src/convex.
import createSCS from "scs-solver";

export interface ScsResult { value: number; status: string; iterations: number }

/** Solve with SCS to eps 1e-9; masks: P×n 0/1 rows, X n×d row-major. */
export async function scsReluValue(
  X: Float64Array, n: number, d: number, y: Float64Array, beta: number, masks: Uint8Array, P: number, relu: boolean,
): Promise<ScsResult> {
  const SCS = await createSCS();
  const B = relu ? 2 * P : P;
  const nx = B * d + B + n;
  const tOff = B * d;
  const rOff = B * d + B;
  // Dense column lists, then CSC.
  const cols: { row: number; val: number }[][] = Array.from({ length: nx }, () => []);
  const b: number[] = [];
  let row = 0;
  // Zero cone: r_k − Σ_b s_b m_bk x_kᵀ w_b = −y_k.
  for (let k = 0; k < n; k++) {
    cols[rOff + k].push({ row, val: 1 });
    for (let bl = 0; bl < B; bl++) {
      const i = bl % P;
      const s = bl < P ? 1 : -1;
      if (!masks[i * n + k]) continue;
      for (let j = 0; j < d; j++) cols[bl * d + j].push({ row, val: -s * X[k * d + j] });
    }
    b.push(-y[k]);
    row++;
  }
  const z = row;
  // Positive cone: −(2m−1) x_kᵀ w_b + s = 0.
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
  // SOC: −(t_b, w_b) + s = 0.
  const q: number[] = [];
  for (let bl = 0; bl < B; bl++) {
    cols[tOff + bl].push({ row, val: -1 });
    b.push(0);
    row++;
    for (let j = 0; j < d; j++) {
      cols[bl * d + j].push({ row, val: -1 });
      b.push(0);
      row++;
    }
    q.push(d + 1);
  }
  const A_x: number[] = [];
  const A_i: number[] = [];
  const A_p: number[] = [0];
  for (const c of cols) {
    c.sort((a, e) => a.row - e.row);
    for (const e of c) { A_x.push(e.val); A_i.push(e.row); }
    A_p.push(A_x.length);
  }
  const P_x: number[] = [];
  const P_i: number[] = [];
  const P_p: number[] = [0];
  for (let c = 0; c < nx; c++) {
    if (c >= rOff) { P_x.push(1); P_i.push(c); }
    P_p.push(P_x.length);
  }
  const cvec = new Array<number>(nx).fill(0);
  for (let bl = 0; bl < B; bl++) cvec[tOff + bl] = beta;
  const data = { m: row, n: nx, A_x, A_i, A_p, P_x, P_i, P_p, b, c: cvec };
  const cone = { z, l, q, qsize: q.length };
  const settings = new SCS.ScsSettings();
  SCS.setDefaultSettings(settings);
  settings.epsAbs = 1e-10;
  settings.epsRel = 1e-10;
  settings.maxIters = 200000;
  settings.verbose = 0;
  const sol = SCS.solve(data, cone, settings);
  // Objective ½‖y‖² offset: none (r carries y). pobj = ½‖r‖² + βΣt.
  return { value: sol.info.pobj, status: String(sol.status), iterations: sol.info.iter };
}
