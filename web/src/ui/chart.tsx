// A live line chart on uPlot (canvas; it redraws thousands of points well inside a frame).
// Series share one x column; non-positive values on a log axis are not drawn. Vertical marks
// (e.g. a predicted escape time) and a horizontal reference line are drawn by a hook.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  /** Dash pattern (greyscale-safe distinction between series). */
  dash?: number[];
  stroke?: string;
}

export interface ChartData {
  x: ArrayLike<number>;
  ys: ArrayLike<number | null>[];
}

export interface ChartProps {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  data: ChartData;
  logX?: boolean;
  logY?: boolean;
  /** Vertical marks at x with a label. */
  marks?: { x: number; label: string }[];
  /** A horizontal dashed line at y with a label. */
  hline?: { y: number; label: string } | null;
  width?: number;
  height?: number;
}

const STROKES = ["#1f1f1f", "#3b528b", "#21918c", "#5ec962"];

/** An axis tick: plain below 10⁴ and above 10⁻³, else 1e-15 style (log axes reach 1e-300). */
function tick(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "";
  const a = Math.abs(v);
  if (a === 0) return "0";
  return a >= 1e-3 && a < 1e4 ? String(Number(v.toPrecision(4))) : v.toExponential(0);
}

function clean(a: ArrayLike<number | null>, log: boolean): (number | null)[] {
  const out = new Array<number | null>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    out[i] = v === null || !Number.isFinite(v) || (log && v <= 0) ? null : v;
  }
  return out;
}

/** The chart; it keeps one uPlot instance and feeds it new data on every render. */
export function Chart(p: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const extras = useRef({ marks: p.marks, hline: p.hline });
  extras.current = { marks: p.marks, hline: p.hline };
  const shape = `${p.series.map((s) => s.label).join("|")}|${p.logX}|${p.logY}|${p.width}|${p.height}`;

  useEffect(() => {
    if (host.current === null) return;
    const opts: uPlot.Options = {
      width: p.width ?? 420,
      height: p.height ?? 220,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false, distr: p.logX ? 3 : 1 }, y: { distr: p.logY ? 3 : 1 } },
      axes: [
        { label: p.xLabel, stroke: "#222", values: (_u: uPlot, splits: number[]) => splits.map(tick) },
        { label: p.yLabel, stroke: "#222", size: 70, values: (_u: uPlot, splits: number[]) => splits.map(tick) },
      ],
      series: [{ label: p.xLabel }, ...p.series.map((s, i) => ({ label: s.label, stroke: s.stroke ?? STROKES[i % STROKES.length], dash: s.dash, width: 1.5, points: { show: false } }))],
      hooks: {
        draw: [(u: uPlot) => {
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          ctx.save();
          ctx.strokeStyle = "#444";
          ctx.fillStyle = "#222";
          ctx.setLineDash([6, 4]);
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.font = `${11 * devicePixelRatio}px sans-serif`;
          for (const m of extras.current.marks ?? []) {
            const x = u.valToPos(m.x, "x", true);
            if (!(x >= left && x <= left + width)) continue;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.fillText(m.label, Math.min(x + 4, left + width - 120 * devicePixelRatio), top + 14 * devicePixelRatio);
          }
          const h = extras.current.hline;
          if (h) {
            const y = u.valToPos(h.y, "y", true);
            if (y >= top && y <= top + height) {
              ctx.setLineDash([2, 3]);
              ctx.beginPath();
              ctx.moveTo(left, y);
              ctx.lineTo(left + width, y);
              ctx.stroke();
              ctx.fillText(h.label, left + 6, y - 4);
            }
          }
          ctx.restore();
        }],
      },
    };
    const u = new uPlot(opts, [[], ...p.series.map(() => [])] as unknown as uPlot.AlignedData, host.current);
    plot.current = u;
    return () => {
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    const u = plot.current;
    if (u === null) return;
    const x = clean(p.data.x, p.logX === true);
    u.setData([x, ...p.data.ys.map((y) => clean(y, p.logY === true))] as unknown as uPlot.AlignedData);
  });

  return (
    <figure class="chart">
      <figcaption>{p.title}</figcaption>
      <div ref={host} role="img" aria-label={`${p.title}: ${p.yLabel} against ${p.xLabel}`} />
    </figure>
  );
}
