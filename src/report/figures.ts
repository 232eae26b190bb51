/**
 * Figure builders: pure functions from plain rows to Vega-Lite specs (JSON). The same spec is
 * rendered to SVG/PNG in Node (render.ts) and embedded live in the web lab, so a figure looks
 * the same in both places. Builders drop rows whose plotted values are not finite (and, on log
 * axes, not positive), so a spec is always valid JSON and never plots NaN.
 */

/** A Vega-Lite specification as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

/** One figure of a run: a file stem, a title and its Vega-Lite spec. */
export interface FigureSpec {
  /** File stem under figures/ (lowercase letters, digits, '-', '_'), e.g. "spectrum". */
  name: string;
  /** Title shown above the figure in reports. */
  title: string;
  /** Optional sentence under the figure saying what to look at. */
  caption?: string;
  /** The Vega-Lite spec. */
  vegaLite: VegaLiteSpec;
}

/** A data row: field name → number or string. */
export type Row = Record<string, number | string>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const WIDTH = 380;
const HEIGHT = 240;

/** Options shared by all builders. */
export interface BaseOptions {
  /** Chart title drawn inside the figure (optional; reports show FigureSpec.title anyway). */
  title?: string;
  width?: number;
  height?: number;
}

function base(opts: BaseOptions, square = false): VegaLiteSpec {
  const w = opts.width ?? (square ? HEIGHT + 40 : WIDTH);
  const h = opts.height ?? (square ? HEIGHT + 40 : HEIGHT);
  const spec: VegaLiteSpec = { $schema: SCHEMA, width: w, height: h, background: "white", config: { legend: { labelLimit: 400 }, scale: { continuousPadding: 6 } } };
  if (opts.title !== undefined) spec.title = opts.title;
  return spec;
}

/**
 * Rows whose `fields` are finite numbers (and positive for the fields in `positive`): what every
 * builder plots, so that a spec never holds NaN or a non-positive value on a log axis.
 *
 * @param rows - data rows (field → number or string)
 * @param fields - the fields that must be finite numbers
 * @param positive - the fields that must also be > 0 (those on log axes; default none)
 * @returns the rows kept, in order (the same objects)
 * @example
 * ```ts
 * import { cleanRows } from "splitscape";
 * console.log(cleanRows([{ t: 1, loss: 0.5 }, { t: 2, loss: NaN }, { t: 3, loss: 0 }], ["t", "loss"], ["loss"])); // [{ t: 1, loss: 0.5 }]
 * ```
 */
export function cleanRows(rows: readonly Row[], fields: readonly string[], positive: readonly string[] = []): Row[] {
  return rows.filter((r) =>
    fields.every((f) => {
      const v = r[f];
      if (typeof v !== "number") return typeof v === "string";
      return Number.isFinite(v) && (!positive.includes(f) || v > 0);
    }),
  ).map((r) => ({ ...r }));
}

/** A quantitative encoding; on a log axis the scale is {type: "log"} (zero does not apply). */
function quant(field: string, title: string | undefined, log: boolean | undefined, scale: Record<string, unknown> = {}): Record<string, unknown> {
  return { field, type: "quantitative", title: title ?? field, scale: log ? { type: "log", nice: false } : scale };
}

/** Options of linePlot. */
export interface LinePlotOptions extends BaseOptions {
  data: readonly Row[];
  x: string;
  y: string;
  /** Field naming the series (one line and colour per value). */
  series?: string;
  logX?: boolean;
  logY?: boolean;
  xTitle?: string;
  yTitle?: string;
  /** Draw a point at each row as well (default: when there are ≤ 60 rows per series). */
  points?: boolean;
}

/**
 * Line plot of y against x, one line per series, optionally with log axes.
 *
 * @param o - data rows, the x and y fields, optional series field, logX/logY, axis titles, points, title/width/height
 * @returns the Vega-Lite spec (render it with renderFigure, or embed it in a page)
 * @example
 * ```ts
 * import { linePlot, renderFigure } from "splitscape";
 * const data = [1, 2, 4, 8].map((t) => ({ t, loss: Math.exp(-t) }));
 * const { svg } = await renderFigure(linePlot({ data, x: "t", y: "loss", logY: true, title: "loss" }));
 * console.log(svg.length);
 * ```
 */
export function linePlot(o: LinePlotOptions): VegaLiteSpec {
  const positive = [...(o.logX ? [o.x] : []), ...(o.logY ? [o.y] : [])];
  const values = cleanRows(o.data, [o.x, o.y, ...(o.series ? [o.series] : [])], positive);
  const nSeries = o.series ? new Set(values.map((r) => r[o.series!])).size : 1;
  const points = o.points ?? values.length / Math.max(1, nSeries) <= 60;
  const encoding: Record<string, unknown> = {
    x: quant(o.x, o.xTitle, o.logX, { zero: false }),
    y: quant(o.y, o.yTitle, o.logY, { zero: false }),
  };
  if (o.series) {
    // Dashes as well as colours, so coinciding series stay visible.
    encoding.color = { field: o.series, type: "nominal", title: o.series };
    encoding.strokeDash = { field: o.series, type: "nominal", title: o.series };
  }
  return { ...base(o), data: { values }, mark: { type: "line", point: points, strokeWidth: 1.6 }, encoding };
}

/** Options of trajectoryPlot. */
export interface TrajectoryOptions extends BaseOptions {
  /** Points of the trajectories: x, y, the order field and, optionally, the series field. */
  data: readonly Row[];
  x: string;
  y: string;
  /** Field giving the order along a trajectory (time or step). */
  order: string;
  series?: string;
  xTitle?: string;
  yTitle?: string;
  /** Equal scales on both axes (default true): directions are not distorted. */
  equalAxes?: boolean;
}

/**
 * Trajectories in a plane (e.g. a neuron's weight vector over time): paths with start and end marked.
 *
 * @param o - data rows with the x, y and order (time or step) fields and an optional series field; equalAxes (default true), axis titles
 * @returns the Vega-Lite spec
 * @example
 * ```ts
 * import { trajectoryPlot } from "splitscape";
 * const data = [0, 1, 2, 3].map((t) => ({ t, w1: Math.cos(t / 2) * (1 + t), w2: Math.sin(t / 2) * (1 + t), neuron: "1" }));
 * const spec = trajectoryPlot({ data, x: "w1", y: "w2", order: "t", series: "neuron" });
 * console.log(JSON.stringify(spec).length);
 * ```
 */
export function trajectoryPlot(o: TrajectoryOptions): VegaLiteSpec {
  const fields = [o.x, o.y, o.order, ...(o.series ? [o.series] : [])];
  const values = cleanRows(o.data, fields);
  const color = o.series ? { color: { field: o.series, type: "nominal", title: o.series } } : {};
  const xs = values.map((r) => r[o.x] as number);
  const ys = values.map((r) => r[o.y] as number);
  const scaleFor = (v: number[]): Record<string, unknown> => ({ zero: false, ...(o.equalAxes === false ? {} : { domain: equalDomain(xs, ys, v === xs) }) });
  const x = { field: o.x, type: "quantitative", title: o.xTitle ?? o.x, scale: scaleFor(xs) };
  const y = { field: o.y, type: "quantitative", title: o.yTitle ?? o.y, scale: scaleFor(ys) };
  const groupBy = o.series ? [o.series] : [];
  return {
    ...base(o, o.equalAxes !== false),
    data: { values },
    layer: [
      { mark: { type: "line", strokeWidth: 1.4 }, encoding: { x, y, order: { field: o.order, type: "quantitative" }, ...color } },
      {
        transform: [{ joinaggregate: [{ op: "min", field: o.order, as: "_first" }], groupby: groupBy }, { filter: `datum['${o.order}'] === datum._first` }],
        mark: { type: "point", shape: "circle", filled: false, size: 50 },
        encoding: { x, y, ...color },
      },
      {
        transform: [{ joinaggregate: [{ op: "max", field: o.order, as: "_last" }], groupby: groupBy }, { filter: `datum['${o.order}'] === datum._last` }],
        mark: { type: "point", shape: "circle", filled: true, size: 50 },
        encoding: { x, y, ...color },
      },
    ],
  };
}

/** A square domain covering both coordinate ranges, centred on each axis' own midpoint. */
function equalDomain(xs: number[], ys: number[], isX: boolean): [number, number] {
  const span = (v: number[]): [number, number] => (v.length ? [Math.min(...v), Math.max(...v)] : [-1, 1]);
  const [x0, x1] = span(xs);
  const [y0, y1] = span(ys);
  const half = Math.max(x1 - x0, y1 - y0, 1e-12) * 0.55;
  const mid = isX ? (x0 + x1) / 2 : (y0 + y1) / 2;
  return [mid - half, mid + half];
}

/** Options of heatmap. */
export interface HeatmapOptions extends BaseOptions {
  /** Grid abscissae (increasing, equally spaced). */
  xs: readonly number[];
  /** Grid ordinates (increasing, equally spaced). */
  ys: readonly number[];
  /** values[i][j] at (xs[j], ys[i]). */
  values: readonly (readonly number[])[];
  /** Optional data points drawn on top: x, y and a label field (shape and colour by label). */
  points?: readonly Row[];
  pointX?: string;
  pointY?: string;
  pointLabel?: string;
  valueTitle?: string;
  xTitle?: string;
  yTitle?: string;
  /** Colour the sign around 0 with a diverging scheme (decision boundaries); default true. */
  diverging?: boolean;
}

/**
 * Heat map of a function on a grid (e.g. a network's output over the input plane), with data
 * points overlaid; with a diverging scale centred at 0, the white band is the decision boundary.
 *
 * @param o - xs and ys (increasing, equally spaced), values[i][j] at (xs[j], ys[i]), optional points with pointX/pointY/pointLabel fields, diverging (default true), titles
 * @returns the Vega-Lite spec
 * @example
 * ```ts
 * import { heatmap } from "splitscape";
 * const xs = [-1, 0, 1], ys = [-1, 0, 1];
 * const values = ys.map((y) => xs.map((x) => x * y));
 * const spec = heatmap({ xs, ys, values, valueTitle: "x·y" });
 * console.log(Object.keys(spec));
 * ```
 */
export function heatmap(o: HeatmapOptions): VegaLiteSpec {
  const dx = o.xs.length > 1 ? (o.xs[1] - o.xs[0]) / 2 : 0.5;
  const dy = o.ys.length > 1 ? (o.ys[1] - o.ys[0]) / 2 : 0.5;
  const cells: Row[] = [];
  for (let i = 0; i < o.ys.length; i++) {
    for (let j = 0; j < o.xs.length; j++) {
      const v = o.values[i]?.[j];
      if (v === undefined || !Number.isFinite(v)) continue;
      cells.push({ x: o.xs[j] - dx, x2: o.xs[j] + dx, y: o.ys[i] - dy, y2: o.ys[i] + dy, value: v });
    }
  }
  const diverging = o.diverging ?? true;
  const layers: Record<string, unknown>[] = [
    {
      data: { values: cells },
      mark: { type: "rect", strokeWidth: 0 },
      encoding: {
        x: { field: "x", type: "quantitative", title: o.xTitle ?? "x₁", scale: { zero: false, nice: false } },
        x2: { field: "x2" },
        y: { field: "y", type: "quantitative", title: o.yTitle ?? "x₂", scale: { zero: false, nice: false } },
        y2: { field: "y2" },
        color: {
          field: "value",
          type: "quantitative",
          title: o.valueTitle ?? "f(x)",
          scale: diverging ? { scheme: "redblue", domainMid: 0, reverse: true } : { scheme: "viridis" },
        },
      },
    },
  ];
  if (o.points && o.points.length > 0) {
    const px = o.pointX ?? "x";
    const py = o.pointY ?? "y";
    const pl = o.pointLabel ?? "label";
    layers.push({
      data: { values: cleanRows(o.points, [px, py, pl]) },
      mark: { type: "point", filled: true, size: 28, stroke: "black", strokeWidth: 0.6 },
      encoding: {
        x: { field: px, type: "quantitative" },
        y: { field: py, type: "quantitative" },
        shape: { field: pl, type: "nominal", title: pl },
        fill: { field: pl, type: "nominal", title: pl, scale: { range: ["#222222", "#ffffff", "#e6a700", "#2ca02c"] } },
      },
    });
  }
  return { ...base(o, true), layer: layers, resolve: { scale: { color: "independent" } } };
}

/** One neuron for circleDirections: a direction in the plane and an output weight. */
export interface NeuronDirection {
  /** The input weight vector (w₁, w₂) (any norm; drawn at its direction). */
  w1: number;
  w2: number;
  /** The output weight a_j: its sign colours the neuron, |a_j|·‖w_j‖ sizes it. */
  a: number;
  /** Optional label, e.g. the unit index. */
  label?: string;
}

/** Options of circleDirections. */
export interface CircleDirectionsOptions extends BaseOptions {
  neurons: readonly NeuronDirection[];
  /** Optional reference directions (e.g. data points or KKT directions) drawn as grey ticks. */
  references?: readonly { x1: number; x2: number }[];
}

/**
 * Neuron directions on the unit circle: each neuron j is drawn at w_j/‖w_j‖ with a spoke from
 * the origin, coloured by sign(a_j) and sized by |a_j|·‖w_j‖ (its contribution's scale).
 *
 * @param o - neurons (w1, w2, a, optional label) and optional grey reference directions (x1, x2)
 * @returns the Vega-Lite spec
 * @example
 * ```ts
 * import { circleDirections } from "splitscape";
 * const spec = circleDirections({ neurons: [{ w1: 1, w2: 0, a: 0.5 }, { w1: -1, w2: 1, a: -2 }], references: [{ x1: 0, x2: 1 }] });
 * console.log(JSON.stringify(spec).length);
 * ```
 */
export function circleDirections(o: CircleDirectionsOptions): VegaLiteSpec {
  const circle: Row[] = [];
  for (let k = 0; k <= 180; k++) {
    const t = (2 * Math.PI * k) / 180;
    circle.push({ k, cx: Math.cos(t), cy: Math.sin(t) });
  }
  const neurons: Row[] = [];
  for (const [j, n] of o.neurons.entries()) {
    const r = Math.hypot(n.w1, n.w2);
    if (!(r > 0) || !Number.isFinite(r) || !Number.isFinite(n.a)) continue;
    neurons.push({ x: n.w1 / r, y: n.w2 / r, x0: 0, y0: 0, scale: Math.abs(n.a) * r, sign: n.a >= 0 ? "a > 0" : "a < 0", label: n.label ?? String(j) });
  }
  const refs: Row[] = (o.references ?? [])
    .map((p) => ({ r: Math.hypot(p.x1, p.x2), p }))
    .filter(({ r }) => r > 0 && Number.isFinite(r))
    .map(({ r, p }) => ({ x: (1.08 * p.x1) / r, y: (1.08 * p.x2) / r, x0: p.x1 / r, y0: p.x2 / r }));
  const axis = (field: string, title: string): Record<string, unknown> => ({ field, type: "quantitative", title, scale: { domain: [-1.25, 1.25] } });
  const signColor = { field: "sign", type: "nominal", title: "sign of a", scale: { domain: ["a > 0", "a < 0"], range: ["#d62728", "#1f77b4"] } };
  const layers: Record<string, unknown>[] = [
    { data: { values: circle }, mark: { type: "line", color: "#999999", strokeWidth: 1 }, encoding: { x: axis("cx", "direction₁"), y: axis("cy", "direction₂"), order: { field: "k", type: "quantitative" } } },
  ];
  if (refs.length) {
    layers.push({ data: { values: refs }, mark: { type: "rule", color: "#555555", strokeWidth: 1 }, encoding: { x: { field: "x0", type: "quantitative" }, y: { field: "y0", type: "quantitative" }, x2: { field: "x" }, y2: { field: "y" } } });
  }
  layers.push(
    { data: { values: neurons }, mark: { type: "rule", strokeWidth: 1, opacity: 0.6 }, encoding: { x: { field: "x0", type: "quantitative" }, y: { field: "y0", type: "quantitative" }, x2: { field: "x" }, y2: { field: "y" }, color: signColor } },
    { data: { values: neurons }, mark: { type: "point", filled: true, opacity: 0.85 }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, size: { field: "scale", type: "quantitative", title: "|a|·‖w‖" }, color: signColor, tooltip: [{ field: "label" }, { field: "scale", type: "quantitative" }] } },
  );
  return { ...base(o, true), layer: layers };
}

/** Options of classMapLine. */
export interface ClassMapLineOptions extends BaseOptions {
  /** Sample points λ along the line (increasing) with the class found at each. */
  data: readonly { lambda: number; cls: string }[];
  lambdaTitle?: string;
  classTitle?: string;
}

/**
 * Class map along a line segment λ ∈ [λ₀, λ₁]: a colour strip, one colour per class.
 *
 * @param o - sample points {lambda, cls} with λ increasing, optional axis titles
 * @returns the Vega-Lite spec
 * @example
 * ```ts
 * import { classMapLine } from "splitscape";
 * const data = [0, 0.25, 0.5, 0.75, 1].map((lambda) => ({ lambda, cls: lambda < 0.5 ? "saddle" : "minimum" }));
 * console.log(JSON.stringify(classMapLine({ data })).length);
 * ```
 */
export function classMapLine(o: ClassMapLineOptions): VegaLiteSpec {
  const pts = o.data.filter((p) => Number.isFinite(p.lambda));
  // One rect per run of equal classes (boundaries halfway between samples): no seams inside a run.
  const cells: Row[] = [];
  for (let i = 0; i < pts.length; i++) {
    const lo = i === 0 ? pts[i].lambda : (pts[i].lambda + pts[i - 1].lambda) / 2;
    const hi = i === pts.length - 1 ? pts[i].lambda : (pts[i].lambda + pts[i + 1].lambda) / 2;
    const last = cells[cells.length - 1];
    if (last && last.cls === pts[i].cls) last.hi = hi;
    else cells.push({ lo, hi, cls: pts[i].cls });
  }
  return {
    ...base({ ...o, height: o.height ?? 70 }),
    data: { values: cells },
    mark: { type: "rect" },
    encoding: {
      x: { field: "lo", type: "quantitative", title: o.lambdaTitle ?? "λ", scale: { zero: false, nice: false } },
      x2: { field: "hi" },
      color: { field: "cls", type: "nominal", title: o.classTitle ?? "class" },
      tooltip: [{ field: "cls", title: o.classTitle ?? "class" }, { field: "lo", title: "from" }, { field: "hi", title: "to" }],
    },
  };
}

/** Options of simplexClassMap. */
export interface SimplexClassMapOptions extends BaseOptions {
  /** Barycentric points (l1, l2, l3 ≥ 0, summing to 1) with the class found at each. */
  data: readonly { l1: number; l2: number; l3: number; cls: string }[];
  /** Names of the three vertices (default "e₁", "e₂", "e₃"). */
  vertices?: [string, string, string];
  classTitle?: string;
}

/**
 * Class map on the 2-simplex: barycentric points drawn in an equilateral triangle, coloured by class.
 *
 * @param o - barycentric points {l1, l2, l3, cls} (each ≥ 0, summing to 1), optional vertex names and class title
 * @returns the Vega-Lite spec
 * @example
 * ```ts
 * import { simplexClassMap } from "splitscape";
 * const data = [
 *   { l1: 1, l2: 0, l3: 0, cls: "a" },
 *   { l1: 0.5, l2: 0.5, l3: 0, cls: "b" },
 *   { l1: 1 / 3, l2: 1 / 3, l3: 1 / 3, cls: "b" },
 * ];
 * console.log(JSON.stringify(simplexClassMap({ data, vertices: ["c₁", "c₂", "c₃"] })).length);
 * ```
 */
export function simplexClassMap(o: SimplexClassMapOptions): VegaLiteSpec {
  const h = Math.sqrt(3) / 2;
  const pts: Row[] = o.data
    .filter((p) => [p.l1, p.l2, p.l3].every(Number.isFinite))
    .map((p) => {
      const s = p.l1 + p.l2 + p.l3 || 1;
      return { px: (p.l2 + p.l3 / 2) / s, py: (p.l3 * h) / s, cls: p.cls };
    });
  const names = o.vertices ?? ["e₁", "e₂", "e₃"];
  const outline: Row[] = [
    { k: 0, px: 0, py: 0 },
    { k: 1, px: 1, py: 0 },
    { k: 2, px: 0.5, py: h },
    { k: 3, px: 0, py: 0 },
  ];
  const labels: Row[] = [
    { px: -0.04, py: -0.05, name: names[0] },
    { px: 1.04, py: -0.05, name: names[1] },
    { px: 0.5, py: h + 0.05, name: names[2] },
  ];
  const ax = (field: string, domain: [number, number]): Record<string, unknown> => ({ field, type: "quantitative", axis: null, scale: { domain, nice: false } });
  // Plot area proportional to the domains, so the triangle is equilateral.
  const width = o.width ?? HEIGHT + 40;
  const height = o.height ?? Math.round((width * (h + 0.2)) / 1.2);
  // Points of a barycentric grid of resolution N number (N+1)(N+2)/2; squares one step wide.
  const steps = Math.max(1, Math.sqrt(2 * Math.max(1, pts.length)) - 1.5);
  const step = width / 1.2 / steps;
  const xDom: [number, number] = [-0.1, 1.1];
  const yDom: [number, number] = [-0.1, h + 0.1];
  return {
    ...base({ ...o, width, height }),
    layer: [
      { data: { values: pts }, mark: { type: "square", size: Math.max(4, step * step * 1.1), opacity: 1 }, encoding: { x: ax("px", xDom), y: ax("py", yDom), color: { field: "cls", type: "nominal", title: o.classTitle ?? "class" } } },
      { data: { values: outline }, mark: { type: "line", color: "black", strokeWidth: 1 }, encoding: { x: ax("px", xDom), y: ax("py", yDom), order: { field: "k", type: "quantitative" } } },
      { data: { values: labels }, mark: { type: "text", fontSize: 12 }, encoding: { x: ax("px", xDom), y: ax("py", yDom), text: { field: "name" } } },
    ],
    view: { stroke: null },
  };
}

/** Options of spectrumPlot. */
export interface SpectrumOptions extends BaseOptions {
  /** Eigenvalues (any order; plotted ascending) or several named spectra. */
  spectra: readonly { name: string; values: ArrayLike<number> }[];
  /** Plot |λ| on a log axis instead of λ on a linear one. */
  logAbs?: boolean;
  yTitle?: string;
}

/**
 * Spectrum as a stem plot: eigenvalue index (ascending order) against λ, one colour per spectrum.
 *
 * @param o - spectra (name and eigenvalues, any order), logAbs (plot |λ| on a log axis), yTitle
 * @returns the Vega-Lite spec
 * @example
 * ```ts
 * import { spectrumPlot } from "splitscape";
 * const spec = spectrumPlot({ spectra: [{ name: "Hessian", values: new Float64Array([2, -0.5, 0, 1]) }] });
 * console.log(JSON.stringify(spec).length);
 * ```
 */
export function spectrumPlot(o: SpectrumOptions): VegaLiteSpec {
  const rows: Row[] = [];
  for (const s of o.spectra) {
    const sorted = Array.from(s.values).filter(Number.isFinite).sort((a, b) => a - b);
    sorted.forEach((v, i) => rows.push({ index: i, value: o.logAbs ? Math.abs(v) : v, spectrum: s.name }));
  }
  const values = o.logAbs ? cleanRows(rows, ["index", "value"], ["value"]) : rows;
  const multi = o.spectra.length > 1;
  const color = multi ? { color: { field: "spectrum", type: "nominal", title: "spectrum" } } : {};
  const y = quant("value", o.yTitle ?? (o.logAbs ? "|λ|" : "λ"), o.logAbs, { zero: true });
  const x = { field: "index", type: "quantitative", title: "index (ascending)" };
  const layers: Record<string, unknown>[] = [{ mark: { type: "point", filled: true, size: 22 }, encoding: { x, y, ...color } }];
  if (!o.logAbs) layers.unshift({ mark: { type: "rule", opacity: 0.5 }, encoding: { x, y, y2: { datum: 0 }, ...color } });
  return { ...base(o), data: { values }, layer: layers };
}

/** Options of scatterPlot. */
export interface ScatterOptions extends BaseOptions {
  data: readonly Row[];
  x: string;
  y: string;
  /** Field coloured (and shaped) as nominal classes. */
  label?: string;
  logX?: boolean;
  logY?: boolean;
  xTitle?: string;
  yTitle?: string;
}

/**
 * Scatter plot of rows, coloured by a label field (e.g. a 2-D dataset by class).
 *
 * @param o - data rows, the x and y fields, optional label field (colour and shape), logX/logY, axis titles
 * @returns the Vega-Lite spec
 * @example
 * ```ts
 * import { scatterPlot } from "splitscape";
 * const data = [{ x1: 0, x2: 1, y: "+1" }, { x1: 1, x2: -1, y: "-1" }];
 * console.log(JSON.stringify(scatterPlot({ data, x: "x1", y: "x2", label: "y" })).length);
 * ```
 */
export function scatterPlot(o: ScatterOptions): VegaLiteSpec {
  const positive = [...(o.logX ? [o.x] : []), ...(o.logY ? [o.y] : [])];
  const values = cleanRows(o.data, [o.x, o.y], positive);
  const encoding: Record<string, unknown> = {
    x: quant(o.x, o.xTitle, o.logX, { zero: false }),
    y: quant(o.y, o.yTitle, o.logY, { zero: false }),
  };
  if (o.label) {
    encoding.color = { field: o.label, type: "nominal", title: o.label };
    encoding.shape = { field: o.label, type: "nominal", title: o.label };
  }
  return { ...base(o), data: { values }, mark: { type: "point", filled: true, size: 30 }, encoding };
}
