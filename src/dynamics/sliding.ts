/**
 * Event-located Filippov sliding for the DOPRI5 gradient flows (plain and rescaled). The flow
 * is integrated in segments with a fixed set of sliding surfaces (slidingField.ts); after each
 * accepted step the controller looks for
 *   - an exit: a sliding surface whose α_k left [0, 1] during the step — located where α_k
 *     reaches 0 or 1 on the dense output (Illinois), the surface released to the side it leaves;
 *   - an entry: a switching function z_k that changed sign during the step at an attractive
 *     point (r_jk > 0 and α_k ∈ (0, 1) there, slidingField.ts) — located where z_k = 0 on the
 *     dense output, the surface added to the sliding set;
 * and the integrator restarts from the located point. Transversal crossings need no restart
 * (the one-sided fields are smooth up to the kink; DOPRI5 steps across it). Without sliding a
 * flow through kinks chatters: each step crosses the surface and is rejected or shrunk, and the
 * default DOPRI5 stops at its 10⁶-step cap (issue 15, item 12).
 *
 * Cost per accepted step: the switching values at both ends of the step (about n·p each) when
 * the step had rejections, something slides or is held, or always for small problems
 * (n·p ≤ ALWAYS_CHECK); a field evaluation per Illinois iteration when a change is located.
 */
import { integrateDopri5, type Dopri5Options, type Dopri5Result, type Dopri5Step } from "./dopri5.js";
import { illinois, type RootBracket } from "./events.js";
import { MODE_AUTO, MODE_HIGH, MODE_LOW, MODE_SLIDE, type SlidingField } from "./slidingField.js";
import type { VectorField } from "./types.js";

/** Below this many multiply-adds for the switching values, check for crossings after every step. */
const ALWAYS_CHECK = 200_000;
/** α is accepted in [−ALPHA_SLACK, 1 + ALPHA_SLACK] (rounding of the Gram solve). */
const ALPHA_SLACK = 1e-12;
/** At most this many surface changes are listed in the report (the counts are exact). */
const MAX_LISTED = 50;
/**
 * A surface counts as reached when |z_k| is within this many integration tolerances
 * (SlidingField.tolerance): DOPRI5 can hover just off an attractive surface with tiny steps
 * whose stages straddle it while no accepted point crosses it.
 */
const REACH_TOLERANCES = 10;

/** What the run did about kinks (result.json `sliding`). */
export interface SlidingReport {
  /** "filippov": event-located switches to the Filippov sliding field (slidingField.ts). */
  readonly method: "filippov";
  /** Surfaces that entered / left sliding, and restarts of the integrator. */
  entries: number;
  exits: number;
  segments: number;
  /** Most surfaces sliding at once, and the time spent with at least one sliding. */
  maxSliding: number;
  slidingTime: number;
  /** Sliding surfaces at the end. */
  slidingAtEnd: number;
  /** The first changes: surface (neuron j, sample i), "enter" or "exit" (with the side), time. */
  changes: Array<{ neuron: number; sample: number; change: "enter" | "exit-high" | "exit-low"; t: number }>;
}

/** A located change of the sliding set: where to restart and what to change. */
export interface SlidingChange {
  readonly surface: number;
  readonly mode: number;
  readonly t: number;
  readonly y: Float64Array;
}

/** The state-space plumbing a flow gives the controller. */
export interface SlidingHooks {
  readonly field: SlidingField;
  /** The vector field being integrated (it must evaluate `field` with its current modes). */
  readonly f: VectorField;
  /** The network parameters inside a state y (θ itself, or u inside y = [s, u, …]). */
  params(y: Float64Array): Float64Array;
  /** Maps a local time of the segment to the run's time variable (for the report). */
  time?(t: number, y: Float64Array): number;
  /** The integration tolerances on the parameters (scalars; for the reach test). */
  readonly rtol: number;
  readonly atol: number;
}

/** Detects and locates sliding changes after accepted DOPRI5 steps (see the module comment). */
export class SlidingController {
  readonly report: SlidingReport = {
    method: "filippov", entries: 0, exits: 0, segments: 1, maxSliding: 0, slidingTime: 0, slidingAtEnd: 0, changes: [],
  };
  private readonly zOld: Float64Array;
  private readonly zNew: Float64Array;
  private readonly yTmp: Float64Array;
  private readonly dydt: Float64Array;
  private readonly always: boolean;
  private rejections = 0;
  private readonly bracket: RootBracket = { t: 0, width: 0 };

  constructor(private readonly hooks: SlidingHooks, stateSize: number) {
    const K = hooks.field.surfaces;
    this.zOld = new Float64Array(K);
    this.zNew = new Float64Array(K);
    this.yTmp = new Float64Array(stateSize);
    this.dydt = new Float64Array(stateSize);
    // the switching values cost about n·p multiply-adds (n samples, p ≈ m(d + 1) parameters)
    this.always = hooks.field.samples * hooks.field.dim <= ALWAYS_CHECK;
  }

  /** Start of a segment (the DOPRI5 rejection counter restarts at 0). */
  startSegment(): void {
    this.rejections = 0;
  }

  /**
   * After an accepted step (the FSAL contract: the field was last evaluated at (st.t, st.y)):
   * the earliest change inside the step, or null. Releases held sides whose z has the side's sign.
   */
  afterStep(st: Dopri5Step): SlidingChange | null {
    const field = this.hooks.field;
    const rejected = st.rejections > this.rejections;
    this.rejections = st.rejections;
    if (st.step === 0) return null;
    if (field.slidingCount > 0) this.report.slidingTime += st.t - st.tPrev;
    const exit = field.slidingCount > 0 ? this.locateExit(st) : null;
    if (!(this.always || rejected || field.active)) return exit;
    const entry = this.locateEntry(st, exit === null ? st.t : exit.t);
    if (entry !== null) return entry;
    if (exit !== null) return exit;
    this.releaseHeld();
    return null;
  }

  /** Apply a located change (the caller restarts the integrator at change.t, change.y). */
  apply(change: SlidingChange): void {
    const field = this.hooks.field;
    field.setMode(change.surface, change.mode);
    const r = this.report;
    if (change.mode === MODE_SLIDE) r.entries++;
    else r.exits++;
    r.segments++;
    r.maxSliding = Math.max(r.maxSliding, field.slidingCount);
    r.slidingAtEnd = field.slidingCount;
    if (r.changes.length < MAX_LISTED) {
      const n = field.samples;
      const j = Math.floor(change.surface / n);
      r.changes.push({
        neuron: j, sample: change.surface - j * n,
        change: change.mode === MODE_SLIDE ? "enter" : change.mode === MODE_HIGH ? "exit-high" : "exit-low",
        t: this.hooks.time ? this.hooks.time(change.t, change.y) : change.t,
      });
    }
  }

  /** A sliding surface whose α left [0, 1] during the step: the earliest such crossing. */
  private locateExit(st: Dopri5Step): SlidingChange | null {
    const field = this.hooks.field;
    let best: SlidingChange | null = null;
    for (let k = 0; k < field.surfaces; k++) {
      if (field.mode[k] !== MODE_SLIDE) continue;
      const a = this.alphaAt(k, st.t, st.y, false);
      if (a >= -ALPHA_SLACK && a <= 1 + ALPHA_SLACK) continue;
      // leaves high (into z > 0) when α passes 1, low when it passes 0 (or the solve failed)
      const bound = a > 1 ? 1 : 0;
      const phi = (tau: number): number => {
        st.interpolate(tau, this.yTmp);
        return this.alphaAt(k, tau, this.yTmp, true) - bound;
      };
      const g0 = phi(st.tPrev);
      const g1 = Number.isFinite(a) ? a - bound : 1;
      const tau = Math.sign(g0) === Math.sign(g1) ? st.tPrev : illinois(phi, st.tPrev, g0, st.t, g1, 0, this.bracket).t;
      if (best === null || tau < best.t) {
        const y = new Float64Array(st.y.length);
        st.interpolate(tau, y);
        best = { surface: k, mode: bound === 1 ? MODE_HIGH : MODE_LOW, t: tau, y };
      }
      // the field's α now reflect some interpolated state: re-evaluate at the step end
      this.hooks.f(st.t, st.y, this.dydt);
    }
    return best;
  }

  /** α_k at (t, y): re-evaluates the field when `evaluate` (else reads the last evaluation). */
  private alphaAt(k: number, t: number, y: Float64Array, evaluate: boolean): number {
    if (evaluate) this.hooks.f(t, y, this.dydt);
    return this.hooks.field.alpha[k];
  }

  /** The earliest sign change of an AUTO surface before tMax at which sliding is attractive. */
  private locateEntry(st: Dopri5Step, tMax: number): SlidingChange | null {
    const field = this.hooks.field;
    st.interpolate(st.tPrev, this.yTmp);
    field.switching(this.hooks.params(this.yTmp), this.zOld);
    field.switching(this.hooks.params(st.y), this.zNew);
    const crossings: Array<{ k: number; t: number }> = [];
    for (let k = 0; k < field.surfaces; k++) {
      if (field.mode[k] !== MODE_AUTO) continue;
      const a = this.zOld[k];
      const b = this.zNew[k];
      if (!((a < 0 && b >= 0) || (a > 0 && b <= 0))) continue;
      const phi = (tau: number): number => {
        st.interpolate(tau, this.yTmp);
        return field.switchingOne(this.hooks.params(this.yTmp), k);
      };
      const tau = illinois(phi, st.tPrev, a, st.t, b, 0, this.bracket).t;
      if (tau <= tMax) crossings.push({ k, t: tau });
    }
    crossings.sort((p, q) => p.t - q.t);
    let found: SlidingChange | null = null;
    for (const c of crossings) {
      const y = new Float64Array(st.y.length);
      st.interpolate(c.t, y);
      if (this.attractive(c.k, c.t, y)) {
        found = { surface: c.k, mode: MODE_SLIDE, t: c.t, y };
        break;
      }
    }
    if (found === null && tMax === st.t) found = this.hovering(st);
    this.hooks.f(st.t, st.y, this.dydt); // leave the field evaluated at the step end
    return found;
  }

  /**
   * An AUTO surface within REACH_TOLERANCES integration tolerances of the step end at which
   * sliding is attractive: enter it there (the offset |z_k| is within the integration error, and
   * the sliding field keeps it constant).
   */
  private hovering(st: Dopri5Step): SlidingChange | null {
    const field = this.hooks.field;
    const params = this.hooks.params(st.y);
    for (let k = 0; k < field.surfaces; k++) {
      if (field.mode[k] !== MODE_AUTO) continue;
      if (!(Math.abs(this.zNew[k]) <= REACH_TOLERANCES * field.tolerance(params, k, this.hooks.rtol, this.hooks.atol))) continue;
      if (this.attractive(k, st.t, st.y)) return { surface: k, mode: MODE_SLIDE, t: st.t, y: Float64Array.from(st.y) };
    }
    return null;
  }

  /** Would surface k slide at (t, y)? r_jk > 0, α_k ∈ (0, 1) and the other α stay in [0, 1]. */
  private attractive(k: number, t: number, y: Float64Array): boolean {
    const field = this.hooks.field;
    field.setMode(k, MODE_SLIDE);
    this.hooks.f(t, y, this.dydt);
    let ok = field.feasible && field.coefficient[k] > 0 && field.alpha[k] > 0 && field.alpha[k] < 1;
    for (let q = 0; ok && q < field.surfaces; q++) {
      if (q !== k && field.mode[q] === MODE_SLIDE && !(field.alpha[q] >= -ALPHA_SLACK && field.alpha[q] <= 1 + ALPHA_SLACK)) ok = false;
    }
    field.setMode(k, MODE_AUTO);
    return ok;
  }

  /** Held sides (after an exit) go back to AUTO once z has the side's sign. */
  private releaseHeld(): void {
    const field = this.hooks.field;
    for (let k = 0; k < field.surfaces; k++) {
      const md = field.mode[k];
      if ((md === MODE_HIGH && this.zNew[k] > 0) || (md === MODE_LOW && this.zNew[k] < 0)) field.setMode(k, MODE_AUTO);
    }
  }
}

/** Where a DOPRI5 integration in segments ended. */
export interface SegmentedRun {
  /** The last segment's result (its y and status are the run's). */
  readonly res: Dopri5Result;
  /** Accepted steps and rejections over all segments (an interrupted step counts as accepted). */
  readonly steps: number;
  readonly rejections: number;
}

/**
 * DOPRI5 from (t₀, y₀) in segments between changes of the sliding set: after each accepted step
 * the controller looks for a change; if one is located, the segment stops, the change is applied
 * and a new segment starts at the located point. `onAccepted(st, base)` sees every other accepted
 * point (base = accepted steps of the earlier segments, so base + st.step counts the run; the
 * first point of a later segment is the restart point) and returns true to stop. opts.maxSteps
 * caps the attempted steps of the whole run. Without a controller: one integrateDopri5 call.
 */
export function integrateSegments(
  f: VectorField, t0: number, y0: Float64Array, opts: Omit<Dopri5Options, "onStep">,
  sliding: SlidingController | null, onAccepted: (st: Dopri5Step, base: number) => boolean,
): SegmentedRun {
  const cap = opts.maxSteps ?? 1_000_000;
  let t = t0;
  let y = y0;
  let base = 0;
  let rejections = 0;
  for (;;) {
    let change: SlidingChange | null = null;
    const stepsBefore = base;
    sliding?.startSegment();
    const res = integrateDopri5(f, t, y, {
      ...opts,
      maxSteps: Math.max(1, cap - base - rejections),
      onStep: (st) => {
        change = sliding?.afterStep(st) ?? null;
        return change !== null || onAccepted(st, stepsBefore);
      },
    });
    rejections += res.rejections;
    const located = change as SlidingChange | null;
    if (located === null || sliding === null) return { res, steps: base + res.steps, rejections };
    sliding.apply(located);
    t = located.t;
    y = located.y;
    base += res.steps;
  }
}
