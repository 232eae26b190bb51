import { cleanRows, type Row, type VegaLiteSpec } from "../report/index.js";

/**
 * Figures of reproductions: our curve drawn on the paper's axes (same quantities, same linear or
 * log scales), with the published numbers overlaid and a legend naming both, so a reader sees
 * at once where they agree.
 */

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const OURS_COLOUR = "#1f77b4";
const PUBLISHED_COLOUR = "#d62728";

/** Options of comparisonPlot. */
export interface ComparisonOptions {
  /** Our rows (fields x and y). */
  ours: readonly Row[];
  /** The published rows (fields x and y), if any. */
  published?: readonly Row[];
  x: string;
  y: string;
  logX?: boolean;
  logY?: boolean;
  xTitle: string;
  yTitle: string;
  /** Legend entries, e.g. "splitscape (float64)" and "published (figure vertices)". */
  oursLabel: string;
  publishedLabel?: string;
  /** Draw the published rows as points (few rows) or as a thin line (dense curves). */
  publishedMark?: "point" | "line";
  /** Vertical dotted marks with labels (e.g. the authors' plateau-exit marks). */
  marks?: ReadonlyArray<{ x: number; label: string }>;
  /** Fixed y domain (the paper's limits), e.g. [0, 0.045]. */
  yDomain?: [number, number];
  width?: number;
  height?: number;
}

function axis(field: string, title: string, log: boolean | undefined, domain?: [number, number]): Record<string, unknown> {
  const scale: Record<string, unknown> = log ? { type: "log", nice: false } : { zero: false, nice: false };
  if (domain) scale.domain = domain;
  return { field, type: "quantitative", title, scale, axis: log ? { format: "~e" } : {} };
}

/** Our curve against the published one on the paper's axes. */
export function comparisonPlot(o: ComparisonOptions): VegaLiteSpec {
  const positive = [...(o.logX ? [o.x] : []), ...(o.logY ? [o.y] : [])];
  const label = (rows: readonly Row[], series: string): Row[] => cleanRows(rows, [o.x, o.y], positive).map((r) => ({ ...r, series }));
  const ours = label(o.ours, o.oursLabel);
  const published = o.published && o.publishedLabel ? label(o.published, o.publishedLabel) : [];
  const domain = [o.oursLabel, ...(published.length > 0 ? [o.publishedLabel] : [])];
  const color = { field: "series", type: "nominal", title: null, scale: { domain, range: [OURS_COLOUR, PUBLISHED_COLOUR] }, legend: { orient: "top" } };
  const x = axis(o.x, o.xTitle, o.logX);
  const y = axis(o.y, o.yTitle, o.logY, o.yDomain);
  const layer: VegaLiteSpec[] = [{ data: { values: ours }, mark: { type: "line", strokeWidth: 1.6, clip: true }, encoding: { x, y, color } }];
  if (published.length > 0) {
    const mark = o.publishedMark === "line"
      ? { type: "line", strokeWidth: 1, strokeDash: [4, 2], clip: true }
      : { type: "point", shape: "circle", filled: false, size: 28, clip: true };
    layer.push({ data: { values: published }, mark, encoding: { x, y, color } });
  }
  if (o.marks && o.marks.length > 0) {
    const values = o.marks.map((m) => ({ [o.x]: m.x, label: m.label }));
    layer.push({ data: { values }, mark: { type: "rule", strokeDash: [2, 2], color: "black" }, encoding: { x } });
    layer.push({ data: { values }, mark: { type: "text", baseline: "bottom", dy: -2, fontSize: 10, color: "black" }, encoding: { x, y: { value: 0 }, text: { field: "label" } } });
  }
  return { $schema: SCHEMA, width: o.width ?? 460, height: o.height ?? 280, background: "white", layer };
}

/**
 * At most about `budget` indices of 0..n−1 for a figure: log-spaced near the start (so log-x
 * axes keep their early points) plus evenly spaced, always with the last.
 */
export function figureIndices(n: number, budget = 800): number[] {
  const keep = new Set<number>([0, n - 1]);
  const half = Math.max(1, Math.floor(budget / 2));
  for (let q = 0; q <= half; q++) keep.add(Math.min(n - 1, Math.round(Math.exp((q / half) * Math.log(Math.max(1, n - 1))))));
  const stride = Math.max(1, Math.floor(n / half));
  for (let i = 0; i < n; i += stride) keep.add(i);
  return [...keep].sort((a, b) => a - b);
}

/**
 * The upper envelope of a noisy series for a figure: for ~`budget` consecutive buckets of
 * indices, the index of the bucket's largest value (a rounding-level error curve drawn from its
 * maxima keeps its peaks, which thinning by stride would drop).
 */
export function envelopeIndices(values: ArrayLike<number>, from: number, budget = 1500): number[] {
  const n = values.length;
  const out: number[] = [];
  const size = Math.max(1, Math.ceil((n - from) / budget));
  for (let start = from; start < n; start += size) {
    let best = start;
    for (let i = start + 1; i < Math.min(n, start + size); i++) if (values[i] > values[best]) best = i;
    out.push(best);
  }
  return out;
}
