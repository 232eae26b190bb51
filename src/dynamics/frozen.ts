// A training loop whose step leaves θ bitwise unchanged: the float64 iteration has reached a
// fixed point and every further step only advances the counters (step, t). The loops stop there
// instead of reporting progress that did not happen, and say why θ no longer moves.

import { fmt } from "./format.js";
import type { Monitor, StopReason } from "./monitor.js";
import type { TrajectoryPoint } from "./trajectory.js";
import type { StallInfo } from "./types.js";

/**
 * log of the smallest positive normal float64 (2^−1022): a loss whose log lies below it is not
 * representable in linear scale (it underflows to a subnormal or to 0, and so does ∇ℒ).
 */
export const LOG_MIN_NORMAL = -1022 * Math.LN2;

/** The smallest positive normal float64, 2^−1022: below it a value keeps fewer than 53 bits. */
const MIN_NORMAL = 2 ** -1022;

/**
 * Has the linear-scale gradient of the point underflowed with the loss? log ℒ below the float64
 * range and ‖∇ℒ‖ subnormal or 0 (for the exponential and logistic losses ∇ℒ is of the size of ℒ;
 * for the square loss ℒ = ½Σr² underflows long before ∇ℒ = Jᵀr does, which then still steers).
 */
export function gradientUnderflowed(point: Readonly<TrajectoryPoint>): boolean {
  return Number.isFinite(point.logLoss) && point.logLoss < LOG_MIN_NORMAL && !(point.gradNorm >= MIN_NORMAL);
}

/**
 * θ ← θ − c·g in place; returns true if at least one component changed. A step whose update is
 * below half an ulp of every |θ_i| (or is exactly 0) changes nothing: θ is then a fixed point of
 * the float64 iteration.
 */
export function stepChanges(theta: Float64Array, g: Float64Array, c: number): boolean {
  let changed = false;
  const p = theta.length;
  for (let i = 0; i < p; i++) {
    const old = theta[i];
    const v = old - c * g[i];
    theta[i] = v;
    if (v !== old) changed = true;
  }
  return changed;
}

/** True if a and b hold the same values (NaN ≠ NaN, so a NaN state never counts as frozen). */
export function sameVector(a: Float64Array, b: Float64Array): boolean {
  const p = a.length;
  for (let i = 0; i < p; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Why a loop stopped at a point where its step left θ unchanged. */
export interface FrozenStop {
  stop: StopReason;
  reason: string;
  stall: StallInfo | null;
}

/**
 * The stop of a loop whose step (of size `h` in its time variable) left θ unchanged at `point`:
 * - a linear-scale iteration whose ∇ℒ underflowed with ℒ (gradientUnderflowed): "stalled" with
 *   cause "underflow" — the iteration can no longer move, although the mathematics still does
 *   (the loss-based step in log space is the remedy);
 * - otherwise "fixedPoint": ∇ℒ = 0 exactly (a stationary point), or the update is below half an
 *   ulp of every component (converged to rounding) — a genuine end of the float64 iteration.
 *   A log-space iteration (logSpace) always ends here: its gradient ∇log ℒ does not underflow.
 * Sets mon.detail to the reason.
 */
export function frozenStop(mon: Monitor, point: Readonly<TrajectoryPoint>, h: number, method: string, logSpace = false): FrozenStop {
  const where = `at step ${point.step}, t = ${fmt(point.t)}`;
  if (!logSpace && gradientUnderflowed(point)) {
    mon.detail =
      `θ frozen ${where}: log ℒ = ${fmt(point.logLoss)} is below the float64 range, so ℒ and ∇ℒ underflow ` +
      `(‖∇ℒ‖ = ${fmt(point.gradNorm)}) and no ${method} step changes θ — use the loss-based step, which works with ∇log ℒ`;
    const stall: StallInfo = {
      cause: "underflow", t: point.t, yNorm: Math.exp(point.logNorm), h, errorRatio: NaN,
      consecutiveRejections: 0, rejections: 0, reason: mon.detail,
    };
    return { stop: "stalled", reason: mon.detail, stall };
  }
  mon.detail = point.gradNorm === 0
    ? `‖∇ℒ‖ = 0 exactly ${where}: an exact stationary point, θ stays here`
    : `θ is a fixed point of the float64 ${method} iteration ${where}: the update (‖∇ℒ‖ = ${fmt(point.gradNorm)}, step ${fmt(h)}) is below half an ulp of every component`;
  return { stop: "fixedPoint", reason: mon.detail, stall: null };
}
