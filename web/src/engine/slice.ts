// Slice panels of the Train and Plateau views: the library's `sliceLandscape` (the code of
// `splitscape slice`) through the network the view holds, with the view's loss, and the CLI's
// figures (slice/figures.ts) and self-checks (slice/checks.ts). Directions use the CLI's grammar
// (`--along`/`--plane`), except that `to:` can only name the view's own initial network θ(0)
// (`to:init`): the page has no model files to point at.
import { InputError } from "../../../src/common/errors.js";
import type { ObjectiveSpec } from "../../../src/inspect/index.js";
import type { Model, ModelData } from "../../../src/model/index.js";
import type { Verdict, VegaLiteSpec } from "../../../src/report/index.js";
import {
  defaultAxis, parseDirectionSpec, sliceChecks, sliceFigures, sliceLandscape, type DirectionRequest, type GridAxis, type SliceResult,
} from "../../../src/slice/index.js";

/** The settings of a slice panel (URL fields slicealong, sliceplane, sliceext, slicen, slicelog). */
export interface SliceConfig {
  /** First direction (the CLI's --along grammar, `to:init` for θ(0)). */
  along: string;
  /** Second direction ("" for a 1-D slice). */
  plane: string;
  /** Half-width of an axis along a non-`to` direction: t ∈ [−extent, extent]. */
  extent: number;
  /** Grid points per axis. */
  points: number;
  /** Logarithmic F axis / colour scale. */
  log: boolean;
}

/** What a slice panel shows. */
export interface SliceView {
  kind: SliceResult["kind"];
  /** F(θ) at the base and the grid's value there. */
  center: { objective: number; grid: number | null } | null;
  /** One line per direction: its spec, norm and normalisation. */
  directions: string[];
  /** Facts beside the picture (name → value), as `splitscape slice` prints them. */
  facts: [string, string][];
  checks: Verdict[];
  figures: { title: string; caption: string; spec: VegaLiteSpec }[];
  /** The projected networks (training checkpoints) in the plane: coordinates and distance off the plane. */
  projections: { label: string; x: number; y: number; offPlane: number }[];
  /** Why the slice is of another network than the view's (plateau directions split the unit first). */
  baseNote: string | null;
}

/** Largest grid per axis in the page (the CLI allows more; the page keeps a slice under a second). */
export const SLICE_PANEL_MAX_POINTS = 121;

function direction(text: string, option: string, init: Model | null): DirectionRequest {
  const spec = parseDirectionSpec(text.trim(), option);
  if (spec.kind !== "to") return spec;
  if (spec.source !== "init" || init === null) throw new InputError(option, `in the lab, to: names the view's initial network only (to:init), got ${JSON.stringify(text)}`);
  return { kind: "to", source: "θ(0)", target: init };
}

function axis(r: DirectionRequest, c: SliceConfig): GridAxis {
  return r.kind === "to" ? defaultAxis("to", c.points) : { lo: -c.extent, hi: c.extent, count: c.points };
}

function e3(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(6) : String(x);
}

/** The facts of a grid slice beside its figure (the analytic overlays). */
function facts(s: SliceResult): [string, string][] {
  if (s.kind === "path") return [["certified optimum", e3(s.optimum.value)], ["end class", s.finalClass], ["max rise", e3(s.maxIncrease)]];
  const out: [string, string][] = [];
  const Q = s.overlays.quadratic;
  out.push(["UᵀHU (exact Hessian–vector product)", e3(Q.curvature[0][0])]);
  if (s.kind === "plane") out.push(["VᵀHV", e3(Q.curvature[1][1])]);
  if (s.overlays.secondDifference) out.push([`grid second difference at 0 along x (h = ${e3(s.overlays.secondDifference.h)})`, e3(s.overlays.secondDifference.value)]);
  s.overlays.hessian.forEach((h, a) => { if (h) out.push([`Hessian eigenvalue (${a === 0 ? "x" : "y"})`, `${e3(h.eigenvalue)} (Lanczos residual ${h.residual.toExponential(2)})`]); });
  s.overlays.across.forEach((c, a) => { if (c) out.push([`inner-Hessian prediction of the curvature (${a === 0 ? "x" : "y"})`, e3(c.predictedCurvature)]); });
  if (s.overlays.to) out.push(["F(θ), F(θ(0))", `${e3(s.overlays.to.start)}, ${e3(s.overlays.to.end)}`]);
  const pc = s.overlays.plateau;
  if (pc) out.push(["plateau classes along x", pc.applies ? [...new Set(pc.rows.map((r) => r.cls))].join(", ") : `none: ${pc.reason}`]);
  if (s.cosine !== null) out.push(["cos∠(U, V)", e3(s.cosine)]);
  return out;
}

/**
 * The slice of `model` on `data` asked for by `c` (see the file comment); `project` are networks
 * placed in a plane (the training checkpoints: the trajectory over the contour).
 */
export function slicePanel(
  model: Model, data: ModelData, spec: ObjectiveSpec, c: SliceConfig, init: Model | null, project: { label: string; model: Model }[] = [],
): SliceView {
  if (!Number.isInteger(c.points) || c.points < 3 || c.points > SLICE_PANEL_MAX_POINTS) throw new InputError("slice points", `expected an integer in [3, ${SLICE_PANEL_MAX_POINTS}], got ${c.points}`);
  if (!(c.extent > 0 && Number.isFinite(c.extent))) throw new InputError("slice extent", `expected a positive number, got ${c.extent}`);
  const along = direction(c.along, "along", init);
  const plane = c.plane.trim() === "" ? undefined : direction(c.plane, "plane", init);
  const s = sliceLandscape(model, data, {
    ...spec, along, plane, x: along.kind === "path" ? undefined : axis(along, c), y: plane ? axis(plane, c) : undefined, project: plane ? project : [],
  });
  return {
    kind: s.kind,
    center: s.kind === "path" ? null : s.center,
    directions: s.kind === "path" ? ["the convex family's non-increasing path"] : s.directions.map((d) => `${d.spec}: ‖·‖ = ${e3(d.norm)}, ${d.normalization}`),
    facts: facts(s),
    checks: sliceChecks(s),
    figures: sliceFigures(s, { log: c.log }).map((f) => ({ title: f.title, caption: f.caption ?? "", spec: f.vegaLite })),
    projections: s.kind === "path" ? [] : s.projections.map((p) => ({ label: p.label, x: p.x, y: p.y, offPlane: p.offPlane })),
    baseNote: s.kind === "path" ? null : s.baseNote,
  };
}
