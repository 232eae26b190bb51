// The pieces the SCS references (test/convex/scsReference.ts, scsThreeLayer.ts) share when they
// write a conic program for scs-solver: the result, the second-order-cone rows of the blocks, the
// column lists in SCS's compressed sparse column form, and the quadratic term ½‖r‖².

/** What an SCS reference returns: the primal objective, SCS's status and its iteration count. */
export interface ScsResult { value: number; status: string; iterations: number }

/** Column lists of the constraint matrix: cols[c] holds the (row, value) entries of column c. */
export type Columns = { row: number; val: number }[][];

/**
 * Appends the rows −(t_k, w_k) + slack = 0 of the cones (t_k, w_k) ∈ SOC for blocks k < count,
 * t_k at column tOff + k and w_k at columns k·d … k·d + d − 1, starting at `row`.
 * Returns the next free row and the cone sizes (d + 1 each), in SCS's `q` order.
 */
export function appendSocRows(cols: Columns, b: number[], row: number, blocks: { count: number; d: number; tOff: number }): { row: number; q: number[] } {
  const { count, d, tOff } = blocks;
  const q: number[] = [];
  for (let k = 0; k < count; k++) {
    cols[tOff + k].push({ row, val: -1 });
    b.push(0);
    row++;
    for (let t = 0; t < d; t++) {
      cols[k * d + t].push({ row, val: -1 });
      b.push(0);
      row++;
    }
    q.push(d + 1);
  }
  return { row, q };
}

/** The columns in SCS's compressed sparse column arrays (rows sorted within each column). */
export function toCsc(cols: Columns): { A_x: number[]; A_i: number[]; A_p: number[] } {
  const A_x: number[] = [];
  const A_i: number[] = [];
  const A_p: number[] = [0];
  for (const c of cols) {
    c.sort((a, e) => a.row - e.row);
    for (const e of c) { A_x.push(e.val); A_i.push(e.row); }
    A_p.push(A_x.length);
  }
  return { A_x, A_i, A_p };
}

/** P = diag(0 … 0, 1 … 1) with the ones on columns ≥ rOff: the quadratic term ½‖r‖² of x = […, r]. */
export function squareLossP(nx: number, rOff: number): { P_x: number[]; P_i: number[]; P_p: number[] } {
  const P_x: number[] = [];
  const P_i: number[] = [];
  const P_p: number[] = [0];
  for (let k = 0; k < nx; k++) {
    if (k >= rOff) { P_x.push(1); P_i.push(k); }
    P_p.push(P_x.length);
  }
  return { P_x, P_i, P_p };
}
