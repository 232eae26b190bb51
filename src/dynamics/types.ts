// Shared records of the integrators: the vector field, the outcome of an integration and the
// diagnosis of a stall.

/**
 * An autonomous or time-dependent vector field y' = f(t, y). Writes f(t, y) into `dydt`
 * (preallocated, same length as y) and must not keep references to `y` or `dydt`, nor modify y.
 */
export type VectorField = (t: number, y: Float64Array, dydt: Float64Array) => void;

/**
 * How an integration ended:
 * - "done": reached tEnd (or, for fixed-step methods, took all requested steps);
 * - "event": a terminal event fired (t, y are at the located root);
 * - "stalled": the step-size controller gave up (see StallInfo for where and why);
 * - "maxSteps": the cap on attempted steps was reached;
 * - "stopped": a callback asked to stop.
 */
export type IntegrationStatus = "done" | "event" | "stalled" | "maxSteps" | "stopped";

/**
 * What made an integrator or training loop stall: the step size, rejections (in a row or in
 * total), non-finite values, stagnating time, or "underflow": ℒ fell below the float64 range, so
 * ∇ℒ underflowed to 0 and the linear-scale step left θ unchanged (see dynamics/frozen.ts).
 */
export type StallCause = "stepSize" | "consecutiveRejections" | "totalRejections" | "nonFinite" | "stagnation" | "underflow";

/** Where and why an adaptive integration stalled: enough to find the kink in a report. */
export interface StallInfo {
  readonly cause: StallCause;
  /** Time of the last accepted point (the integration never got past it). */
  readonly t: number;
  /** Euclidean norm of y at that point. */
  readonly yNorm: number;
  /** The step size that was about to be tried (or was just rejected). */
  readonly h: number;
  /** Error ratio ‖err‖/tol of the last attempted step (NaN/∞ for non-finite values). */
  readonly errorRatio: number;
  readonly consecutiveRejections: number;
  readonly rejections: number;
  /** A sentence for humans, e.g. "step size below 1e-14·|t| …: the vector field is non-smooth here — ReLU kink?". */
  readonly reason: string;
}
