/**
 * Figure of a non-increasing path to a global optimum (convex/path.ts,
 * docs/science/convex.md §6, the non-increasing path to a global optimum): objective, loss and penalty along the path, with the
 * stages marked. A pure function from plain rows (PathReport.series has this shape) to a
 * Vega-Lite spec, like the builders in figures.ts; report/ does not depend on convex/.
 */
import { linePlot, type BaseOptions, type Row, type VegaLiteSpec } from "./figures.js";

/** One sampled point of the path: what PathReport.series rows carry. */
export interface PathFigureRow {
  /** Stage index and kind ("rebalance", "merge", "prune", "convex segment", "optimal set"). */
  readonly stage: number;
  readonly kind: string;
  readonly t: number;
  /** stage + t. */
  readonly position: number;
  /** Cumulative parameter-space length of the sampled polyline. */
  readonly arclength: number;
  readonly objective: number;
  readonly loss: number;
  readonly penalty: number;
}

/** The quantities pathPlot can draw. */
export type PathQuantity = "objective" | "loss" | "penalty";

/** Options of pathPlot. */
export interface PathPlotOptions extends BaseOptions {
  data: readonly PathFigureRow[];
  /** Abscissa: "position" (stage index + t, every stage has length 1; default) or "arclength". */
  x?: "position" | "arclength";
  /** Curves to draw. Default all three. */
  quantities?: readonly PathQuantity[];
  /** Log y axis. Default: when every drawn value is positive. */
  logY?: boolean;
}

/** A run of consecutive stages of one kind: [from, to] on the abscissa and a label. */
interface Band {
  from: number;
  to: number;
  label: string;
}

function bands(rows: readonly PathFigureRow[], x: "position" | "arclength"): Band[] {
  const out: (Band & { kind: string; stages: Set<number> })[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last !== undefined && last.kind === r.kind) {
      last.to = r[x];
      last.stages.add(r.stage);
    } else out.push({ from: r[x], to: r[x], label: r.kind, kind: r.kind, stages: new Set([r.stage]) });
  }
  return out.map((b) => ({ from: b.from, to: b.to, label: b.stages.size > 1 ? `${b.label} ×${b.stages.size}` : b.label }));
}

/**
 * Objective, loss and penalty along the path (one line each), stage boundaries as dashed rules
 * and the stage kinds written above the plot (consecutive stages of one kind are one band).
 *
 * @param o - data: the path's sampled rows (PathReport.series); x ("position", default, or "arclength"); quantities (default all three); logY (default when every drawn value is positive); title/width/height
 * @returns the Vega-Lite spec
 * @example
 * ```ts
 * import { pathPlot, type PathFigureRow } from "splitscape";
 * const data: PathFigureRow[] = [0, 0.5, 1].map((t) => ({
 *   stage: 0, kind: "rebalance", t, position: t, arclength: t, objective: 1 - 0.1 * t, loss: 0.5 - 0.1 * t, penalty: 0.5,
 * }));
 * console.log(JSON.stringify(pathPlot({ data, quantities: ["objective", "loss"] })).length);
 * ```
 */
export function pathPlot(o: PathPlotOptions): VegaLiteSpec {
  const x = o.x ?? "position";
  const quantities = o.quantities ?? ["objective", "loss", "penalty"];
  const long: Row[] = [];
  for (const r of o.data) for (const q of quantities) long.push({ [x]: r[x], value: r[q], quantity: q, stage: r.stage, kind: r.kind });
  const logY = o.logY ?? long.every((r) => (r.value as number) > 0);
  const line = linePlot({
    ...o, data: long, x, y: "value", series: "quantity", logY, points: false,
    xTitle: x === "position" ? "stage + t" : "parameter-space arclength", yTitle: "value",
  });
  const { data, mark, encoding, ...frame } = line;
  const bs = bands(o.data, x);
  const rules = bs.slice(1).map((b) => ({ at: b.from }));
  // Two staggered rows of labels, so short neighbouring bands do not overwrite each other.
  const labels = bs.map((b, i) => ({ at: (b.from + b.to) / 2, label: b.label, row: i % 2 }));
  const layers: Record<string, unknown>[] = [{ data, mark, encoding }];
  if (rules.length > 0) {
    layers.push({ data: { values: rules }, mark: { type: "rule", strokeDash: [3, 3], color: "#888888" }, encoding: { x: { field: "at", type: "quantitative" } } });
  }
  for (const row of [0, 1]) {
    layers.push({
      data: { values: labels.filter((l) => l.row === row) },
      mark: { type: "text", fontSize: 9, color: "#555555", baseline: "bottom" },
      encoding: { x: { field: "at", type: "quantitative" }, y: { value: row === 0 ? -2 : -13 }, text: { field: "label", type: "nominal" } },
    });
  }
  const spec: VegaLiteSpec = { ...frame, layer: layers };
  if (o.title !== undefined) spec.title = { text: o.title, offset: 16 };
  return spec;
}
