// The classical fixed-step Runge–Kutta method of order 4.

import type { IntegrationStatus, VectorField } from "./types.js";

/** Preallocated vectors of an RK4 integration. */
export interface Rk4Workspace {
  readonly n: number;
  y: Float64Array;
  ytmp: Float64Array;
  k1: Float64Array;
  k2: Float64Array;
  k3: Float64Array;
  k4: Float64Array;
}

/**
 * The preallocated vectors (state, scratch state, four stages) of `integrateRk4` for dimension n;
 * pass it as `opts.workspace` to reuse the memory over many integrations.
 *
 * @param n - the dimension of the state (an integer ≥ 0; RangeError otherwise)
 * @returns the workspace, for `Rk4Options.workspace`
 * @example
 * ```ts
 * import { createRk4Workspace, integrateRk4 } from "splitscape";
 * const workspace = createRk4Workspace(2);
 * const r = integrateRk4((_t, y, dy) => { dy[0] = y[1]; dy[1] = -y[0]; }, 0, Float64Array.of(1, 0), { h: 0.01, tEnd: 1, workspace });
 * console.log(r.y[0]); // ≈ cos 1
 * ```
 */
export function createRk4Workspace(n: number): Rk4Workspace {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`createRk4Workspace: bad dimension ${n}`);
  const v = () => new Float64Array(n);
  return { n, y: v(), ytmp: v(), k1: v(), k2: v(), k3: v(), k4: v() };
}

/**
 * Step grid: two of (h, steps, tEnd). With h and tEnd the number of steps is ⌈(tEnd − t0)/h⌉
 * and the last step is shortened to land on tEnd exactly; with tEnd and steps, h = (tEnd − t0)/steps.
 */
export interface Rk4Options {
  h?: number;
  steps?: number;
  tEnd?: number;
  /** Called at the initial point (step 0) and after every step with the current (t, y); return true to stop. */
  onStep?: (t: number, y: Float64Array, step: number) => boolean | void;
  workspace?: Rk4Workspace;
  out?: Float64Array;
}

export interface Rk4Result {
  status: IntegrationStatus;
  reason: string;
  t: number;
  y: Float64Array;
  steps: number;
  evaluations: number;
}

/**
 * Fixed-step classical Runge–Kutta (Kutta 1901; Hairer–Nørsett–Wanner I, §II.1, Table 1.2):
 * k1 = f(t, y), k2 = f(t + h/2, y + h/2·k1), k3 = f(t + h/2, y + h/2·k2), k4 = f(t + h, y + h·k3),
 * y ← y + h/6·(k1 + 2k2 + 2k3 + k4). Global error O(h⁴). Stops with status "stalled" if the
 * state becomes non-finite. No allocation per step.
 *
 * @param f - the vector field: writes f(t, y) into its third argument
 * @param t0 - initial time
 * @param y0 - initial state (not modified)
 * @param opts - the step grid (two of h, steps, tEnd), an `onStep` callback, an optional workspace and output array
 * @returns the status, reason, final (t, y), steps taken and evaluations of f
 * @example
 * ```ts
 * import { integrateRk4 } from "splitscape";
 * // y' = −y on [0, 1] in 100 steps: y(1) = e^{−1} up to O(h⁴)
 * const r = integrateRk4((_t, y, dy) => { dy[0] = -y[0]; }, 0, Float64Array.of(1), { tEnd: 1, steps: 100 });
 * console.log(r.y[0] - Math.exp(-1));
 * ```
 */
export function integrateRk4(f: VectorField, t0: number, y0: Float64Array, opts: Rk4Options): Rk4Result {
  const n = y0.length;
  const ws = opts.workspace ?? createRk4Workspace(n);
  if (ws.n !== n) throw new RangeError(`integrateRk4: workspace has dimension ${ws.n}, state ${n}`);
  let h: number;
  let steps: number;
  let tEnd: number;
  if (opts.h !== undefined && opts.tEnd !== undefined) {
    h = opts.h;
    tEnd = opts.tEnd;
    steps = Math.max(0, Math.ceil((tEnd - t0) / h - 1e-9));
    if (opts.steps !== undefined) steps = Math.min(steps, opts.steps);
  } else if (opts.tEnd !== undefined && opts.steps !== undefined) {
    steps = opts.steps;
    tEnd = opts.tEnd;
    h = steps > 0 ? (tEnd - t0) / steps : 0;
  } else if (opts.h !== undefined && opts.steps !== undefined) {
    h = opts.h;
    steps = opts.steps;
    tEnd = t0 + h * steps;
  } else {
    throw new RangeError("integrateRk4: give two of h, steps, tEnd");
  }
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`integrateRk4: bad number of steps ${steps}`);
  if (!Number.isFinite(h)) throw new RangeError(`integrateRk4: bad step ${h}`);

  const { y, ytmp, k1, k2, k3, k4 } = ws;
  y.set(y0);
  let t = t0;
  let nfev = 0;
  // t is passed in rather than captured: a captured, reassigned double is re-boxed on every write.
  const finish = (status: IntegrationStatus, reason: string, k: number, tNow: number): Rk4Result => {
    const out = opts.out ?? new Float64Array(n);
    out.set(y);
    return { status, reason, t: tNow, y: out, steps: k, evaluations: nfev };
  };
  if (opts.onStep?.(t, y, 0) === true) return finish("stopped", "stopped by onStep at the initial point", 0, t);
  for (let k = 0; k < steps; k++) {
    const lastStep = k === steps - 1;
    const hk = lastStep ? tEnd - t : h;
    const half = 0.5 * hk;
    f(t, y, k1);
    for (let i = 0; i < n; i++) ytmp[i] = y[i] + half * k1[i];
    f(t + half, ytmp, k2);
    for (let i = 0; i < n; i++) ytmp[i] = y[i] + half * k2[i];
    f(t + half, ytmp, k3);
    for (let i = 0; i < n; i++) ytmp[i] = y[i] + hk * k3[i];
    const tNext = lastStep ? tEnd : t + hk;
    f(tNext, ytmp, k4);
    nfev += 4;
    const c = hk / 6;
    let finite = true;
    for (let i = 0; i < n; i++) {
      const v = y[i] + c * (k1[i] + 2 * (k2[i] + k3[i]) + k4[i]);
      y[i] = v;
      if (!Number.isFinite(v)) finite = false;
    }
    t = tNext;
    if (!finite) return finish("stalled", `non-finite state after step ${k + 1} at t = ${t}: the step h = ${h} is unstable or f blew up`, k + 1, t);
    if (opts.onStep?.(t, y, k + 1) === true) return finish("stopped", `stopped by onStep at t = ${t}`, k + 1, t);
  }
  return finish("done", `took ${steps} steps to t = ${t}`, steps, t);
}
