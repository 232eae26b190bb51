/**
 * Figures of a slice as Vega-Lite specs (rendered by report/render.ts in Node, live in the lab):
 *  - a line: F along t, the second-order model's parabola over it, the class of each split point
 *    for plateau lines (a strip underneath), the endpoints of to:MODEL2, projected networks;
 *  - a plane: heat map with contour lines (marching squares, contour.ts) and projected networks
 *    (a trajectory drawn in order), linear or logarithmic colour;
 *  - a path: F along the convex family's non-increasing path with its certified optimum.
 */
import type { FigureSpec, Row, VegaLiteSpec } from "../report/index.js";
import { classMapLine, cleanRows } from "../report/index.js";
import { contourLevels, contourSegments } from "./contour.js";
import type { GridSlice, PathSlice, SliceResult } from "./slice.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Options of the slice figures. */
export interface SliceFigureOptions {
  /** Logarithmic F axis / colour scale (needs F > 0). */
  readonly log?: boolean;
  /** Number of contour levels (plane). Default 12. */
  readonly levels?: number;
  /** Which values: the objective F (default) or the loss alone. */
  readonly quantity?: "objective" | "loss";
}

function base(width: number, height: number): VegaLiteSpec {
  return { $schema: SCHEMA, width, height, background: "white", config: { legend: { labelLimit: 400 } } };
}

function axisTitle(s: GridSlice, a: 0 | 1): string {
  const d = s.directions[a];
  return d ? `${a === 0 ? "t" : "s"} along ${d.spec}` : "";
}

function lineFigure(s: GridSlice, o: SliceFigureOptions): FigureSpec[] {
  const q = o.quantity ?? "objective";
  const vals = s.values[q];
  const nx = s.xs.length;
  const iy = Math.max(0, s.ys.indexOf(0));
  const Q = s.overlays.quadratic;
  // A slice flat to rounding (a plateau) is drawn as F − F(θ), so its scale is the rounding's.
  const line = Array.from({ length: nx }, (_, i) => vals[iy * nx + i]);
  const F0 = Q.value;
  const flat = Math.max(...line.map((v) => Math.abs(v - F0))) <= 1e-9 * Math.max(Math.abs(F0), Number.MIN_VALUE) && !o.log;
  const shift = flat ? F0 : 0;
  const rows: Row[] = [];
  for (let i = 0; i < nx; i++) {
    const t = s.xs[i];
    rows.push({ t, F: line[i] - shift, curve: "slice" });
    if (q === "objective") rows.push({ t, F: F0 - shift + Q.slope[0] * t + 0.5 * Q.curvature[0][0] * t * t, curve: "second-order model at θ" });
  }
  const positive = o.log ? ["F"] : [];
  const data = cleanRows(rows, ["t", "F", "curve"], positive);
  const title = (q === "objective" ? "F = L + (β/2)‖θ‖²" : "L") + (flat ? " − F(θ)" : "");
  const y = { field: "F", type: "quantitative", title, scale: o.log ? { type: "log", nice: false } : { zero: false }, ...(flat ? { axis: { format: ".1e" } } : {}) };
  const x = { field: "t", type: "quantitative", title: axisTitle(s, 0), scale: { zero: false, nice: false } };
  // The parabola can leave the slice's range by orders of magnitude: clip it to the slice's y-range.
  const sliceVals = data.filter((r) => r.curve === "slice").map((r) => r.F as number);
  const lo = Math.min(...sliceVals);
  const hi = Math.max(...sliceVals);
  const pad = 0.1 * (hi - lo || Math.abs(hi) || 1);
  const clipped = data.filter((r) => r.curve === "slice" || ((r.F as number) >= lo - pad && (r.F as number) <= hi + pad));
  const curves = { domain: ["slice", "second-order model at θ"] };
  const layers: Record<string, unknown>[] = [
    { data: { values: clipped }, mark: { type: "line", strokeWidth: 1.6 }, encoding: { x, y, color: { field: "curve", type: "nominal", title: null, scale: curves }, strokeDash: { field: "curve", type: "nominal", title: null, scale: curves } } },
  ];
  const marks: Row[] = [];
  if (s.overlays.to) {
    marks.push({ t: 0, F: s.overlays.to.start - shift, label: "model" }, { t: 1, F: s.overlays.to.end - shift, label: "MODEL2" });
  }
  for (const p of s.projections) marks.push({ t: p.x, F: NaN, label: p.label });
  const shown = cleanRows(marks, ["t", "F", "label"], positive);
  if (shown.length > 0) {
    layers.push({ data: { values: shown }, mark: { type: "point", filled: true, size: 60, color: "black" }, encoding: { x, y, shape: { field: "label", type: "nominal", title: null } } });
  }
  const figs: FigureSpec[] = [{
    name: "slice", title: `F along ${s.directions[0].spec}`,
    caption: `${s.directions[0].normalization}. Dashed: F + t·gᵀU + ½t²·UᵀHU from the exact gradient and Hessian–vector product at θ${s.baseNote ? `; ${s.baseNote}` : ""}.`,
    vegaLite: { ...base(460, 260), layer: layers },
  }];
  const pc = s.overlays.plateau;
  if (pc && pc.applies) {
    figs.push({
      name: "plateau-classes", title: "Class of each split point along the plateau",
      caption: "From In(H_red), In(H_j) and λ(t) (plateau/classify.ts); F is flat along the line while the class changes where λ crosses 0.",
      vegaLite: classMapLine({ data: pc.rows.map((r) => ({ lambda: r.lambda, cls: r.cls })), lambdaTitle: `λ_${s.directions[0].spec.split(":")[1]}`, width: 460 }),
    });
  }
  return figs;
}

function planeFigure(s: GridSlice, o: SliceFigureOptions): FigureSpec[] {
  const q = o.quantity ?? "objective";
  const vals = s.values[q];
  const { xs, ys } = s;
  const nx = xs.length;
  const dx = (xs[1] - xs[0]) / 2;
  const dy = (ys[1] - ys[0]) / 2;
  const cells: Row[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < ys.length; j++) {
    for (let i = 0; i < nx; i++) {
      const v = vals[j * nx + i];
      if (!Number.isFinite(v) || (o.log && !(v > 0))) continue;
      cells.push({ x: xs[i] - dx, x2: xs[i] + dx, y: ys[j] - dy, y2: ys[j] + dy, F: v });
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const levels = contourLevels(lo, hi, o.levels ?? 12, o.log ?? false);
  const segs = contourSegments(xs, ys, vals, levels).map((c) => ({ ...c }));
  const colour = { scheme: "viridis", ...(o.log ? { type: "log" } : {}) };
  const xEnc = { field: "x", type: "quantitative", title: axisTitle(s, 0), scale: { zero: false, nice: false, domain: [xs[0], xs[nx - 1]] } };
  const yEnc = { field: "y", type: "quantitative", title: axisTitle(s, 1), scale: { zero: false, nice: false, domain: [ys[0], ys[ys.length - 1]] } };
  const layers: Record<string, unknown>[] = [
    {
      data: { values: cells }, mark: { type: "rect", strokeWidth: 0.5, clip: true },
      encoding: {
        x: xEnc, x2: { field: "x2" }, y: yEnc, y2: { field: "y2" },
        color: { field: "F", type: "quantitative", title: q === "objective" ? "F" : "L", scale: colour },
        // Each cell stroked in its own colour: no anti-aliasing seams between cells.
        stroke: { field: "F", type: "quantitative", scale: colour, legend: null },
      },
    },
  ];
  if (segs.length > 0) {
    layers.push({ data: { values: segs }, mark: { type: "rule", color: "white", strokeWidth: 0.8, opacity: 0.85 }, encoding: { x: { ...xEnc, field: "x1" }, y: { ...yEnc, field: "y1" }, x2: { field: "x2" }, y2: { field: "y2" } } });
  }
  const pts = s.projections.map((p, i) => ({ x: p.x, y: p.y, order: i, label: p.label }));
  if (pts.length > 0) {
    layers.push(
      { data: { values: pts }, mark: { type: "line", color: "#e6550d", strokeWidth: 1.6, point: { filled: true, color: "#e6550d", size: 30 } }, encoding: { x: xEnc, y: yEnc, order: { field: "order", type: "quantitative" } } },
    );
  }
  layers.push({ data: { values: [{ x: 0, y: 0 }] }, mark: { type: "point", shape: "cross", size: 90, color: "red", strokeWidth: 2 }, encoding: { x: xEnc, y: yEnc } });
  return [{
    name: "slice", title: `F over the plane (${s.directions[0].spec}, ${s.directions[1].spec})`,
    caption: `Heat map${o.log ? " (log colour)" : ""} with ${levels.length} contour levels; the cross is θ${pts.length ? ", the orange line the projected networks in order (off-plane distances in the JSON)" : ""}; cos∠(U, V) = ${s.cosine?.toFixed(3)}${s.baseNote ? `; ${s.baseNote}` : ""}.`,
    vegaLite: { ...base(400, 400), layer: layers, resolve: { scale: { color: "independent" } } },
  }];
}

function pathFigure(s: PathSlice): FigureSpec[] {
  const rows: Row[] = [];
  s.positions.forEach((t, i) => {
    rows.push({ position: t, F: s.objective[i], curve: "F along the path (model's loss)" });
    rows.push({ position: t, F: s.pathObjective[i], curve: "the path's own bookkeeping" });
  });
  const x = { field: "position", type: "quantitative", title: "stage + t", scale: { zero: false, nice: false } };
  const y = { field: "F", type: "quantitative", title: "F = L + (β/2)‖θ‖²", scale: { zero: false } };
  return [{
    name: "slice", title: "F along the non-increasing path to a global optimum",
    caption: `Stages: ${s.stages.map((st) => st.name).join("; ")}. The dashed rule is the certified optimum ${s.optimum.value.toPrecision(8)} (relative gap ${s.optimum.relativeGap.toExponential(1)}${s.optimum.exact ? ", exact patterns" : ", sampled patterns"}).`,
    vegaLite: {
      ...base(460, 260),
      layer: [
        { data: { values: cleanRows(rows, ["position", "F", "curve"]) }, mark: { type: "line", strokeWidth: 1.6, point: false }, encoding: { x, y, color: { field: "curve", type: "nominal", title: null }, strokeDash: { field: "curve", type: "nominal", title: null } } },
        { data: { values: [{ F: s.optimum.value }] }, mark: { type: "rule", color: "#b00020", strokeDash: [5, 3] }, encoding: { y: { field: "F", type: "quantitative" } } },
      ],
    },
  }];
}

/**
 * The figures of a slice: a line plot with the second-order model drawn over it (lines), a heat
 * map with contour lines and projected networks (planes), the plateau class strip along a plateau
 * line, or the objective along the convex path.
 *
 * @param s - a slice (sliceLandscape)
 * @param o - log (logarithmic F axis / colour scale, needs F > 0), levels (contour levels, default 12), quantity ("objective", default, or "loss")
 * @returns the figure specs; render them with renderFigure
 * @example
 * ```ts
 * import { initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture, renderFigure, sliceFigures, sliceLandscape } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 2 });
 * const s = sliceLandscape(net, data, { loss: "logistic", along: { kind: "hessian", index: 1 } });
 * for (const f of sliceFigures(s, { log: true })) console.log(f.name, (await renderFigure(f.vegaLite)).png.length);
 * ```
 */
export function sliceFigures(s: SliceResult, o: SliceFigureOptions = {}): FigureSpec[] {
  if (s.kind === "path") return pathFigure(s);
  return s.kind === "line" ? lineFigure(s, o) : planeFigure(s, o);
}
