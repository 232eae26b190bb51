// Dormand–Prince 5(4) with FSAL, PI step-size control, Hairer's dense output and events.
// Reference: E. Hairer, S. P. Nørsett, G. Wanner, Solving Ordinary Differential Equations I,
// 2nd ed., Springer 1993: §II.4 (error norm, initial step size), §II.5 (Table 5.2, DOPRI5),
// §II.6 (dense output, continuous extension of order 4), and the Fortran code DOPRI5 (PI
// control with β = 0.04, routine HINIT, subroutine CONTD5).

import { nrm2 } from "../linalg/index.js";
import { crossing, illinois, type EventHit, type EventSpec, type RootBracket } from "./events.js";
import { fmt } from "./format.js";
import type { IntegrationStatus, StallCause, StallInfo, VectorField } from "./types.js";

// ---- Butcher tableau (Hairer–Nørsett–Wanner I, Table II.5.2) -------------------------------
const C2 = 1 / 5;
const C3 = 3 / 10;
const C4 = 4 / 5;
const C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40;
const A32 = 9 / 40;
const A41 = 44 / 45;
const A42 = -56 / 15;
const A43 = 32 / 9;
const A51 = 19372 / 6561;
const A52 = -25360 / 2187;
const A53 = 64448 / 6561;
const A54 = -212 / 729;
const A61 = 9017 / 3168;
const A62 = -355 / 33;
const A63 = 46732 / 5247;
const A64 = 49 / 176;
const A65 = -5103 / 18656;
const A71 = 35 / 384;
const A73 = 500 / 1113;
const A74 = 125 / 192;
const A75 = -2187 / 6784;
const A76 = 11 / 84;
// Error coefficients e = b − b̂ (5th minus 4th order weights).
const E1 = 71 / 57600;
const E3 = -71 / 16695;
const E4 = 71 / 1920;
const E5 = -17253 / 339200;
const E6 = 22 / 525;
const E7 = -1 / 40;
// Dense output (Hairer's DOPRI5, CONTD5): the 4th-order continuous extension.
const D1 = -12715105075 / 11282082432;
const D3 = 87487479700 / 32700410799;
const D4 = -10690763975 / 1880347072;
const D5 = 701980252875 / 199316789632;
const D6 = -1453857185 / 822651844;
const D7 = 69997945 / 29380423;

/** Preallocated vectors of one DOPRI5 integration (reusable across calls of the same size). */
export interface Dopri5Workspace {
  readonly n: number;
  /** Current state, proposed state and the stage argument. */
  y: Float64Array;
  y1: Float64Array;
  ysti: Float64Array;
  /** Stage derivatives; after an accepted step k1 = f(t, y) (FSAL). */
  k1: Float64Array;
  k2: Float64Array;
  k3: Float64Array;
  k4: Float64Array;
  k5: Float64Array;
  k6: Float64Array;
  k7: Float64Array;
  /** Coefficients of the continuous extension on the last accepted step. */
  r1: Float64Array;
  r2: Float64Array;
  r3: Float64Array;
  r4: Float64Array;
  r5: Float64Array;
  /** Scratch state for event location. */
  yEvent: Float64Array;
}

/**
 * Allocate the 16 vectors of length n that `integrateDopri5` works in (3 states, 7 stages, 5 dense-output coefficients, 1 event scratch).
 *
 * Pass it as `opts.workspace` to reuse the memory over many integrations of the same dimension.
 *
 * @param n - the dimension of the state (an integer ≥ 0)
 * @returns the workspace, for `Dopri5Options.workspace`
 * @example
 * ```ts
 * import { createDopri5Workspace, integrateDopri5 } from "splitscape";
 * const workspace = createDopri5Workspace(1);
 * for (const k of [0.5, 1, 2]) {
 *   const r = integrateDopri5((_t, y, dy) => { dy[0] = -k * y[0]; }, 0, Float64Array.of(1), { tEnd: 1, workspace });
 *   console.log(k, r.y[0]); // e^{−k}
 * }
 * ```
 */
export function createDopri5Workspace(n: number): Dopri5Workspace {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`createDopri5Workspace: bad dimension ${n}`);
  const v = () => new Float64Array(n);
  return {
    n,
    y: v(), y1: v(), ysti: v(),
    k1: v(), k2: v(), k3: v(), k4: v(), k5: v(), k6: v(), k7: v(),
    r1: v(), r2: v(), r3: v(), r4: v(), r5: v(),
    yEvent: v(),
  };
}

/**
 * What `onStep` sees after each accepted step (one object, updated in place — copy what you
 * keep). Contract: the most recent call of f was f(t, y), whose value is `dydt`; this lets a
 * caller that caches side results of f (a loss value) read them for the accepted point.
 */
export interface Dopri5Step {
  /** Accepted steps so far (0 at the initial point, reported once before the first step). */
  readonly step: number;
  readonly tPrev: number;
  readonly t: number;
  /** The current state: read only. */
  readonly y: Float64Array;
  /** f(t, y): read only. */
  readonly dydt: Float64Array;
  /** Size of the step just taken (0 at the initial point). */
  readonly h: number;
  /** Error ratio of the step just taken (≤ 1). */
  readonly errorRatio: number;
  readonly rejections: number;
  readonly evaluations: number;
  /**
   * Dense output on [tPrev, t]: the 4th-order continuous extension of DOPRI5 (Hairer–Nørsett–
   * Wanner I, §II.6), written into `out`. Valid until the next step.
   */
  interpolate(t: number, out: Float64Array): void;
}

export interface Dopri5Options {
  /** End time; may be ±Infinity (then stop through maxSteps, events or onStep). */
  tEnd: number;
  /** Relative tolerance (scalar or per component), default 1e-8. */
  rtol?: number | Float64Array;
  /**
   * Absolute tolerance (scalar or per component), default 1e-12. Choose it at the scale of y;
   * it must be > 0 for components that can be exactly 0 (the error scale is atol + rtol·|y|).
   */
  atol?: number | Float64Array;
  /** Initial step size (default: Hairer–Wanner's heuristic HINIT). */
  h0?: number;
  /** Maximum step size (default |tEnd − t0|). */
  hMax?: number;
  /** Stall when the step falls below hMinRel·|t| (default 1e-14). */
  hMinRel?: number;
  /** Cap on attempted steps, accepted + rejected (default 1e6). */
  maxSteps?: number;
  /** Stall after this many rejections in a row (default 40). */
  maxConsecutiveRejections?: number;
  /** Stall after this many rejections in total (default ∞). */
  maxRejections?: number;
  /**
   * Stagnation guard: stall when the last `window` accepted steps advanced t by less than
   * `minAdvance`·|t − t0| (defaults 1000 and 1e-6; false disables it). At that pace doubling the
   * elapsed time would take more than window/minAdvance = 1e9 steps: the typical picture is
   * accepted micro-steps chattering across a discontinuity of f (sliding along a ReLU kink),
   * whose error estimate shrinks with h so that no rejection cap fires.
   */
  stagnation?: { window: number; minAdvance: number } | false;
  /** Safety factor of the controller (default 0.9). */
  safety?: number;
  /** Bounds on hNew/h: at least facMin (default 0.2), at most facMax (default 10). */
  facMin?: number;
  facMax?: number;
  /** PI-control β (default 0.04, Hairer's DOPRI5; 0 gives the classical I-controller). */
  beta?: number;
  events?: readonly EventSpec[];
  /** Absolute tolerance in t for event location (default: a few ulps of t). */
  eventTol?: number;
  /** Called at the initial point and after every accepted step; return true to stop. */
  onStep?: (step: Dopri5Step) => boolean | void;
  workspace?: Dopri5Workspace;
  /** Where to write the final state (default: a new array). */
  out?: Float64Array;
}

export interface Dopri5Result {
  status: IntegrationStatus;
  /** One sentence on why the integration ended. */
  reason: string;
  t: number;
  y: Float64Array;
  /** Accepted steps. */
  steps: number;
  /** Rejected step attempts. */
  rejections: number;
  /** Calls of f. */
  evaluations: number;
  /** Step size the controller proposes next (useful to resume). */
  hNext: number;
  /** All located events, in time order (the last one is the terminal event for status "event"). */
  events: EventHit[];
  /** Set when status is "stalled". */
  stall: StallInfo | null;
}

/** Component i of a tolerance given as a scalar (the same for every component) or per component. */
function scaleAt(tol: number | Float64Array, i: number): number {
  return typeof tol === "number" ? tol : tol[i];
}

/**
 * Adaptive Dormand–Prince 5(4) integration of y' = f(t, y), y(t0) = y0, up to tEnd.
 *
 * Step: the 7-stage explicit pair of Dormand & Prince (1980), Table II.5.2 of Hairer–Nørsett–
 * Wanner I, advanced with the 5th-order solution (local extrapolation) and FSAL (stage 7 is
 * f(t+h, y₁), reused as stage 1 of the next step: 6 evaluations per accepted step).
 * Error: err = √(1/n Σ (h·Σ_j e_j k_{j,i} / sc_i)²), sc_i = atol_i + rtol_i·max(|y_i|, |y₁_i|) (§II.4).
 * Control (PI, Hairer's DOPRI5): accept iff err ≤ 1; then h_new = h / clamp(err^{0.2−0.75β}·
 * err_old^{−β} / safety, 1/facMax, 1/facMin), not larger than the step just rejected if any;
 * after a rejection h_new = h / min(1/facMin, err^{0.2−0.75β}/safety).
 * Initial step: HINIT (§II.4, "Starting step size"), with the same RMS norm.
 * Dense output: y(t_old + θh) = r1 + θ(r2 + (1−θ)(r3 + θ(r4 + (1−θ) r5))) with r1 = y₀,
 * r2 = y₁ − y₀, r3 = h k₁ − r2, r4 = r2 − h k₇ − r3, r5 = h Σ d_j k_j (§II.6, CONTD5).
 * Events: after each accepted step every g is evaluated at the new point; a sign change
 * (filtered by direction) is located on the dense output by the Illinois method. Two sign
 * changes of g inside one step cancel and are missed (bound hMax if that matters).
 * Stalls: the step falls below hMinRel·|t|, or too many rejections (in a row or in total), or
 * non-finite values persist: the result says where (t, ‖y‖, h, error ratio) and why.
 * Allocation: none per step (all stages live in the workspace); event hits copy their state.
 * Structure: the run's state lives in one record (Dopri5Run); the loop below calls its named
 * steps — initialStepSize (HINIT), attemptStep (stages and error), acceptStep (dense output,
 * FSAL swap), stagnated, locateEvents, and the stall reports.
 *
 * @param f - the vector field: writes f(t, y) into its third argument
 * @param t0 - initial time
 * @param y0 - initial state (not modified; its length is the dimension n)
 * @param opts - tEnd, tolerances (rtol, atol), step controls, events, an `onStep` callback and an optional workspace
 * @returns the status ("done", "event", "stalled", …) with the reason, the final (t, y), steps, rejections, evaluations and the event hits
 * @example
 * ```ts
 * import { integrateDopri5 } from "splitscape";
 * // harmonic oscillator y'' = −y: after t = π the state is −y(0)
 * const r = integrateDopri5((_t, y, dy) => { dy[0] = y[1]; dy[1] = -y[0]; }, 0, Float64Array.of(1, 0), { tEnd: Math.PI, rtol: 1e-10, atol: 1e-12 });
 * console.log(r.status, r.y[0]); // "done", ≈ −1
 * ```
 */
export function integrateDopri5(f: VectorField, t0: number, y0: Float64Array, opts: Dopri5Options): Dopri5Result {
  const r = startRun(f, t0, y0, opts);
  if (callStep(r, t0, t0, 0, 0)) return finish(r, "stopped", "stopped by onStep at the initial point", 0, null, t0, r.y);
  if (t0 === r.tEnd) return finish(r, "done", "tEnd equals t0", 0, null, t0, r.y);
  for (let e = 0; e < r.events.length; e++) r.gOld[e] = r.events[e].g(r.t, r.y);
  r.h = initialStepSize(r);
  for (;;) {
    if (r.attempts >= r.maxSteps) {
      return finish(r, "maxSteps", `reached the cap of ${r.maxSteps} attempted steps at t = ${fmt(r.t)}`, r.h, null, r.t, r.y);
    }
    let last = false;
    if ((r.t + 1.01 * r.h - r.tEnd) * r.posneg > 0) {
      r.h = r.tEnd - r.t;
      last = true;
    }
    if (!last && Math.abs(r.h) < r.hMinRel * Math.abs(r.t)) {
      if (r.lastRejected && !Number.isFinite(r.lastErr)) {
        return stalled(r, "nonFinite", r.h, r.lastErr, `the vector field returns non-finite values (NaN/∞) just past this point, down to a step below ${r.hMinRel}·|t|,`);
      }
      return stalled(r, "stepSize", r.h, r.lastErr, `step size below ${r.hMinRel}·|t|: the vector field is non-smooth here — ReLU kink? — or the solution blows up;`);
    }
    r.attempts++;
    const tph = last ? r.tEnd : r.t + r.h;
    const err = attemptStep(r, tph);
    if (!Number.isFinite(err)) {
      const out = rejectNonFinite(r, err);
      if (out) return out;
      continue;
    }
    const fac11 = err ** r.expo1;
    let fac = fac11 / r.facOld ** r.beta;
    fac = Math.max(r.facc2, Math.min(r.facc1, fac / r.safety));
    let hNew = r.h / fac;
    if (err > 1) {
      const out = rejectStep(r, err, fac11);
      if (out) return out;
      continue;
    }
    const h = r.h;
    acceptStep(r, err, tph);
    if (Math.abs(hNew) > r.hMax) hNew = r.posneg * r.hMax;
    if (r.lastRejected) hNew = r.posneg * Math.min(Math.abs(hNew), Math.abs(h));
    r.lastRejected = false;
    r.consecutive = 0;
    const stag = stagnated(r, h, err);
    if (stag) return stag;
    const hit = r.events.length > 0 ? locateEvents(r, hNew) : null;
    if (hit) return hit;
    if (callStep(r, r.t, r.tPrev, h, err)) return finish(r, "stopped", `stopped by onStep at t = ${fmt(r.t)}`, hNew, null, r.t, r.y);
    if (last) return finish(r, "done", `reached tEnd = ${fmt(r.tEnd)}`, hNew, null, r.t, r.y);
    r.h = hNew;
  }
}

/**
 * The state of one integration: resolved settings, the workspace vectors (y, y₁, k₁, k₇ swap
 * by reference at every accepted step), the controller's memory, counters, event memory, and
 * the objects handed to onStep. Doubles live in fields of this record, not in variables captured
 * by closures (those are re-boxed on every write in V8: a heap allocation per step).
 */
interface Dopri5Run {
  readonly f: VectorField;
  readonly opts: Dopri5Options;
  readonly n: number;
  readonly ws: Dopri5Workspace;
  readonly t0: number;
  readonly tEnd: number;
  readonly rtol: number | Float64Array;
  readonly atol: number | Float64Array;
  readonly safety: number;
  readonly facMin: number;
  readonly beta: number;
  readonly expo1: number;
  readonly facc1: number;
  readonly facc2: number;
  readonly hMinRel: number;
  readonly maxSteps: number;
  readonly maxConsec: number;
  readonly maxRej: number;
  readonly events: readonly EventSpec[];
  readonly eventTol: number;
  readonly stagnation: { window: number; minAdvance: number } | false;
  /** t of the last `window` accepted steps (stagnation guard), or null. */
  readonly ring: Float64Array | null;
  readonly posneg: number;
  readonly hMax: number;
  y: Float64Array;
  y1: Float64Array;
  k1: Float64Array;
  k7: Float64Array;
  t: number;
  tPrev: number;
  h: number;
  nfev: number;
  accepted: number;
  rejections: number;
  attempts: number;
  consecutive: number;
  lastErr: number;
  facOld: number;
  lastRejected: boolean;
  /** [t_old, h] of the last accepted step (h = 0: none yet), for the dense output. */
  readonly dense: Float64Array;
  readonly hits: EventHit[];
  readonly gOld: Float64Array;
  readonly tRoot: Float64Array;
  readonly dirHit: Int8Array;
  readonly widthHit: Float64Array;
  readonly bracket: RootBracket;
  evIdx: number;
  /** g of the event being located, on the dense output (for illinois). */
  readonly phi: (tau: number) => number;
  readonly interpolate: (x: number, out: Float64Array) => void;
  readonly info: {
    step: number; tPrev: number; t: number; y: Float64Array; dydt: Float64Array; h: number;
    errorRatio: number; rejections: number; evaluations: number; interpolate: (t: number, out: Float64Array) => void;
  };
}

/** Resolve the options, set up the workspace and evaluate f(t₀, y₀) (the first stage). */
function startRun(f: VectorField, t0: number, y0: Float64Array, opts: Dopri5Options): Dopri5Run {
  const n = y0.length;
  const ws = opts.workspace ?? createDopri5Workspace(n);
  if (ws.n !== n) throw new RangeError(`integrateDopri5: workspace has dimension ${ws.n}, state ${n}`);
  const tEnd = opts.tEnd;
  if (Number.isNaN(tEnd) || !Number.isFinite(t0)) throw new RangeError("integrateDopri5: t0 must be finite and tEnd not NaN");
  const beta = opts.beta ?? 0.04;
  const facMin = opts.facMin ?? 0.2;
  const stagnation = opts.stagnation === undefined ? { window: 1000, minAdvance: 1e-6 } : opts.stagnation;
  const events = opts.events ?? [];
  const nev = events.length;
  const dense = new Float64Array(2);
  dense[0] = t0;
  const r: Dopri5Run = {
    f, opts, n, ws, t0, tEnd,
    rtol: opts.rtol ?? 1e-8,
    atol: opts.atol ?? 1e-12,
    safety: opts.safety ?? 0.9,
    facMin,
    beta,
    expo1: 0.2 - beta * 0.75,
    facc1: 1 / facMin,
    facc2: 1 / (opts.facMax ?? 10),
    hMinRel: opts.hMinRel ?? 1e-14,
    maxSteps: opts.maxSteps ?? 1_000_000,
    maxConsec: opts.maxConsecutiveRejections ?? 40,
    maxRej: opts.maxRejections ?? Infinity,
    events,
    eventTol: opts.eventTol ?? 0,
    stagnation,
    ring: stagnation ? new Float64Array(Math.max(1, Math.floor(stagnation.window))).fill(t0) : null,
    posneg: tEnd >= t0 ? 1 : -1,
    hMax: Math.abs(opts.hMax ?? tEnd - t0),
    y: ws.y, y1: ws.y1, k1: ws.k1, k7: ws.k7,
    t: t0, tPrev: t0, h: 0, nfev: 0, accepted: 0, rejections: 0, attempts: 0, consecutive: 0, lastErr: 0,
    facOld: 1e-4, lastRejected: false,
    dense,
    hits: [],
    gOld: new Float64Array(nev), tRoot: new Float64Array(nev), dirHit: new Int8Array(nev), widthHit: new Float64Array(nev),
    bracket: { t: 0, width: 0 },
    evIdx: 0,
    phi: (tau) => {
      r.interpolate(tau, ws.yEvent);
      return r.events[r.evIdx].g(tau, ws.yEvent);
    },
    interpolate: (x, out) => {
      const hd = dense[1];
      if (hd === 0) {
        out.set(r.y);
        return;
      }
      const th = (x - dense[0]) / hd;
      const th1 = 1 - th;
      const { r1, r2, r3, r4, r5 } = ws;
      for (let i = 0; i < n; i++) out[i] = r1[i] + th * (r2[i] + th1 * (r3[i] + th * (r4[i] + th1 * r5[i])));
    },
    info: {
      step: 0, tPrev: t0, t: t0, y: ws.y, dydt: ws.k1, h: 0, errorRatio: 0, rejections: 0, evaluations: 0,
      interpolate: (x, out) => r.interpolate(x, out),
    },
  };
  r.y.set(y0);
  f(t0, r.y, r.k1);
  r.nfev++;
  return r;
}

function finish(r: Dopri5Run, status: IntegrationStatus, reason: string, hNext: number, stall: StallInfo | null, tFinal: number, yFinal: Float64Array): Dopri5Result {
  const out = r.opts.out ?? new Float64Array(r.n);
  out.set(yFinal);
  return { status, reason, t: tFinal, y: out, steps: r.accepted, rejections: r.rejections, evaluations: r.nfev, hNext, events: r.hits, stall };
}

/** Report an accepted point to onStep (FSAL contract: the last f call was f(t, y)); true to stop. */
function callStep(r: Dopri5Run, tNow: number, tOld: number, h: number, err: number): boolean {
  const onStep = r.opts.onStep;
  if (!onStep) return false;
  const info = r.info;
  info.step = r.accepted;
  info.tPrev = tOld;
  info.t = tNow;
  info.y = r.y;
  info.dydt = r.k1;
  info.h = h;
  info.errorRatio = err;
  info.rejections = r.rejections;
  info.evaluations = r.nfev;
  return onStep(info) === true;
}

/** Initial step size: opts.h0, or HINIT (Hairer–Nørsett–Wanner I §II.4) with the same RMS norm. */
function initialStepSize(r: Dopri5Run): number {
  const { n, y, k1, hMax, posneg, rtol, atol } = r;
  if (r.opts.h0 !== undefined && r.opts.h0 !== 0) return Math.min(Math.abs(r.opts.h0), hMax) * posneg;
  const { ysti, k2 } = r.ws;
  let dnf = 0;
  let dny = 0;
  for (let i = 0; i < n; i++) {
    const sk = scaleAt(atol, i) + scaleAt(rtol, i) * Math.abs(y[i]);
    dnf += (k1[i] / sk) ** 2;
    dny += (y[i] / sk) ** 2;
  }
  dnf /= Math.max(n, 1);
  dny /= Math.max(n, 1);
  let hh = dnf <= 1e-10 || dny <= 1e-10 ? 1e-6 : Math.sqrt(dny / dnf) * 0.01;
  if (!Number.isFinite(hh)) hh = 1e-6;
  hh = Math.min(hh, hMax) * posneg;
  for (let i = 0; i < n; i++) ysti[i] = y[i] + hh * k1[i];
  r.f(r.t + hh, ysti, k2);
  r.nfev++;
  let der2 = 0;
  for (let i = 0; i < n; i++) {
    const sk = scaleAt(atol, i) + scaleAt(rtol, i) * Math.abs(y[i]);
    der2 += ((k2[i] - k1[i]) / sk) ** 2;
  }
  der2 = Math.sqrt(der2 / Math.max(n, 1)) / Math.abs(hh);
  const der12 = Math.max(Math.abs(der2), Math.sqrt(dnf));
  const h1 = der12 <= 1e-15 || !Number.isFinite(der12) ? Math.max(1e-6, Math.abs(hh) * 1e-3) : (0.01 / der12) ** (1 / 5);
  const h = Math.min(100 * Math.abs(hh), h1, hMax) * posneg;
  return Math.abs(h) > 0 ? h : 1e-6 * posneg;
}

/** The six new stages of a step of size r.h ending at tph, the 5th-order y₁, and the error ratio. */
function attemptStep(r: Dopri5Run, tph: number): number {
  const { n, f, t, h, y, y1, k1, k7, rtol, atol } = r;
  const { ysti, k2, k3, k4, k5, k6 } = r.ws;
  for (let i = 0; i < n; i++) ysti[i] = y[i] + h * A21 * k1[i];
  f(t + C2 * h, ysti, k2);
  for (let i = 0; i < n; i++) ysti[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
  f(t + C3 * h, ysti, k3);
  for (let i = 0; i < n; i++) ysti[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
  f(t + C4 * h, ysti, k4);
  for (let i = 0; i < n; i++) ysti[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
  f(t + C5 * h, ysti, k5);
  for (let i = 0; i < n; i++) ysti[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
  f(tph, ysti, k6);
  for (let i = 0; i < n; i++) y1[i] = y[i] + h * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i] + A76 * k6[i]);
  f(tph, y1, k7);
  r.nfev += 6;
  let err = 0;
  for (let i = 0; i < n; i++) {
    const sk = scaleAt(atol, i) + scaleAt(rtol, i) * Math.max(Math.abs(y[i]), Math.abs(y1[i]));
    const e = (h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i])) / sk;
    err += e * e;
  }
  err = n > 0 ? Math.sqrt(err / n) : 0;
  r.lastErr = err;
  return err;
}

/** Accept the step: dense-output coefficients, FSAL and state swap (buffers only), t advanced. */
function acceptStep(r: Dopri5Run, err: number, tph: number): void {
  const { n, h, y, y1, k1, k7 } = r;
  const { k3, k4, k5, k6, r1, r2, r3, r4, r5 } = r.ws;
  r.facOld = Math.max(err, 1e-4);
  r.accepted++;
  for (let i = 0; i < n; i++) {
    const yd = y1[i] - y[i];
    const bspl = h * k1[i] - yd;
    r1[i] = y[i];
    r2[i] = yd;
    r3[i] = bspl;
    r4[i] = yd - h * k7[i] - bspl;
    r5[i] = h * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i] + D6 * k6[i] + D7 * k7[i]);
  }
  r.k1 = k7;
  r.k7 = k1;
  r.y = y1;
  r.y1 = y;
  r.ws.k1 = r.k1;
  r.ws.k7 = r.k7;
  r.ws.y = r.y;
  r.ws.y1 = r.y1;
  r.tPrev = r.t;
  r.t = tph;
  r.dense[0] = r.tPrev;
  r.dense[1] = h;
}

/** A rejected step (err > 1): shrink h, or stall after too many rejections. */
function rejectStep(r: Dopri5Run, err: number, fac11: number): Dopri5Result | null {
  const hNew = r.h / Math.min(r.facc1, fac11 / r.safety);
  r.rejections++;
  r.consecutive++;
  r.lastRejected = true;
  if (r.consecutive >= r.maxConsec) {
    return stalled(r, "consecutiveRejections", r.h, err, `${r.consecutive} consecutive rejected steps: the error estimate does not shrink with the step — the vector field is non-smooth or discontinuous here (ReLU kink?);`);
  }
  if (r.rejections >= r.maxRej) {
    return stalled(r, "totalRejections", r.h, err, `cap of ${r.maxRej} rejected steps reached (${r.accepted} accepted): the steps keep failing — chattering across a discontinuity of the vector field (ReLU kink?);`);
  }
  r.h = hNew;
  return null;
}

/** Non-finite stage values (or a zero tolerance scale): shrink as much as allowed and retry, or stall. */
function rejectNonFinite(r: Dopri5Run, err: number): Dopri5Result | null {
  r.rejections++;
  r.consecutive++;
  r.lastRejected = true;
  const hTried = r.h;
  r.h *= r.facMin;
  if (r.consecutive < r.maxConsec && r.rejections < r.maxRej) return null;
  let finite = true;
  for (let i = 0; i < r.n; i++) if (!Number.isFinite(r.y1[i]) || !Number.isFinite(r.k7[i])) finite = false;
  const why = finite
    ? "the error ratio is infinite although all values are finite: atol = 0 for a component that is 0 (Hairer's norm needs atol > 0 there)"
    : `the vector field returned non-finite values (NaN/∞) ${r.consecutive} times in a row, even with ever smaller steps`;
  const cap = r.consecutive >= r.maxConsec ? "" : ` (cap of ${r.maxRej} rejected steps reached)`;
  return stalled(r, "nonFinite", hTried, err, `${why}${cap},`);
}

/** Stagnation guard: the last `window` accepted steps advanced t by less than minAdvance·|t − t₀|. */
function stagnated(r: Dopri5Run, h: number, err: number): Dopri5Result | null {
  const { ring, stagnation } = r;
  if (!ring || !stagnation) return null;
  const slot = r.accepted % ring.length;
  if (r.accepted >= ring.length) {
    const advance = Math.abs(r.t - ring[slot]);
    if (advance < stagnation.minAdvance * Math.abs(r.t - r.t0)) {
      return stalled(
        r, "stagnation", h, err,
        `stagnating: the last ${ring.length} accepted steps advanced t by only ${fmt(advance)}: accepted micro-steps chattering across a discontinuity — the vector field is non-smooth here (sliding along a ReLU kink?) — or an extremely stiff problem;`,
      );
    }
  }
  ring[slot] = r.t;
  return null;
}

/**
 * Events after an accepted step: every g at the new point; sign changes (filtered by direction)
 * located on the dense output by the Illinois method and recorded in time order; the result
 * "event" at the first terminal one, else null.
 */
function locateEvents(r: Dopri5Run, hNew: number): Dopri5Result | null {
  const { events, gOld, dirHit, tRoot, widthHit, posneg } = r;
  const nev = events.length;
  let anyHit = false;
  for (let e = 0; e < nev; e++) {
    const ev = events[e];
    const gn = ev.g(r.t, r.y);
    const dir = crossing(gOld[e], gn, ev.direction ?? 0);
    dirHit[e] = dir;
    if (dir !== 0) {
      anyHit = true;
      r.evIdx = e;
      illinois(r.phi, r.tPrev, gOld[e], r.t, gn, r.eventTol, r.bracket);
      tRoot[e] = r.bracket.t;
      widthHit[e] = r.bracket.width;
    }
    gOld[e] = gn;
  }
  if (!anyHit) return null;
  // Report hits in time order; stop at the first terminal one.
  for (;;) {
    let best = -1;
    for (let e = 0; e < nev; e++) {
      if (dirHit[e] !== 0 && (best < 0 || (tRoot[e] - tRoot[best]) * posneg < 0)) best = e;
    }
    if (best < 0) return null;
    const ev = events[best];
    const yHit = new Float64Array(r.n);
    r.interpolate(tRoot[best], yHit);
    const hit: EventHit = {
      index: best,
      name: ev.name ?? `event${best}`,
      t: tRoot[best],
      y: yHit,
      direction: dirHit[best] as 1 | -1,
      terminal: ev.terminal === true,
      bracket: widthHit[best],
    };
    r.hits.push(hit);
    dirHit[best] = 0;
    if (hit.terminal) return finish(r, "event", `terminal event "${hit.name}" at t = ${fmt(hit.t)}`, hNew, null, hit.t, yHit);
  }
}

/** A stall at the last accepted point: where (t, ‖y‖, h, error ratio) and why. */
function stalled(r: Dopri5Run, cause: StallCause, hNow: number, err: number, detail: string): Dopri5Result {
  const yNorm = nrm2(r.y);
  const where = `at t = ${fmt(r.t)} (‖y‖ = ${fmt(yNorm)}, h = ${fmt(hNow)}, error ratio ${fmt(err)})`;
  const reason = `${detail} ${where}`;
  const stall: StallInfo = { cause, t: r.t, yNorm, h: hNow, errorRatio: err, consecutiveRejections: r.consecutive, rejections: r.rejections, reason };
  return finish(r, "stalled", reason, hNow, stall, r.t, r.y);
}
