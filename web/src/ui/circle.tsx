// Directions on the circle: neurons w_j/‖w_j‖ as rays whose length is their share of the
// largest mass |a_j|‖w_j‖ (solid: a_j > 0, dashed: a_j < 0 — distinguishable in greyscale),
// reference directions (KKT points, optimal directions) as ticks outside the circle, and
// optionally a function of the angle (the NCF) drawn as a radius profile around it.
import { useEffect, useRef } from "preact/hooks";

export interface Ray { w1: number; w2: number; a: number }
export interface Tick { angle: number; sign: number; label?: string }

export interface CircleProps {
  title: string;
  rays: Ray[];
  ticks?: Tick[];
  /** f(θ) around the circle: drawn at radius 1 + 0.3·|f|/max|f| (solid f > 0, dotted f < 0). */
  profile?: { angle: number; f: number }[];
  size?: number;
  /** Text alternative (the numbers behind the picture). */
  description: string;
}

export function CirclePlot(p: CircleProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const size = p.size ?? 260;
  useEffect(() => {
    const c = ref.current;
    if (c === null) return;
    const dpr = devicePixelRatio || 1;
    c.width = size * dpr;
    c.height = size * dpr;
    const ctx = c.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size, size);
    const cx = size / 2, cy = size / 2, R = size * 0.3;
    ctx.strokeStyle = "#999";
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.arc(cx, cy, R, 0, 2 * Math.PI); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(cx - R * 1.45, cy); ctx.lineTo(cx + R * 1.45, cy); ctx.moveTo(cx, cy - R * 1.45); ctx.lineTo(cx, cy + R * 1.45); ctx.stroke();
    if (p.profile && p.profile.length > 1) {
      const fMax = Math.max(...p.profile.map((q) => Math.abs(q.f))) || 1;
      for (const positive of [true, false]) {
        ctx.strokeStyle = "#21918c";
        ctx.lineWidth = 1.5;
        ctx.setLineDash(positive ? [] : [2, 3]);
        ctx.beginPath();
        let pen = false;
        for (const q of p.profile) {
          if ((q.f >= 0) !== positive) { pen = false; continue; }
          const r = R * (1 + 0.3 * Math.abs(q.f) / fMax);
          const x = cx + r * Math.cos(q.angle), y = cy - r * Math.sin(q.angle);
          if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
          pen = true;
        }
        ctx.stroke();
      }
      ctx.setLineDash([]);
    }
    for (const t of p.ticks ?? []) {
      const r0 = R * 1.38, r1 = R * 1.55;
      ctx.strokeStyle = "#000";
      ctx.lineWidth = t.sign > 0 ? 3 : 1.5;
      ctx.setLineDash(t.sign > 0 ? [] : [3, 2]);
      ctx.beginPath();
      ctx.moveTo(cx + r0 * Math.cos(t.angle), cy - r0 * Math.sin(t.angle));
      ctx.lineTo(cx + r1 * Math.cos(t.angle), cy - r1 * Math.sin(t.angle));
      ctx.stroke();
    }
    const mass = p.rays.map((n) => Math.abs(n.a) * Math.hypot(n.w1, n.w2));
    const mMax = Math.max(...mass, 0) || 1;
    p.rays.forEach((n, j) => {
      const len = R * 1.3 * Math.max(0.04, mass[j] / mMax);
      const th = Math.atan2(n.w2, n.w1);
      ctx.strokeStyle = n.a >= 0 ? "#1f1f1f" : "#3b528b";
      ctx.lineWidth = 2;
      ctx.setLineDash(n.a >= 0 ? [] : [5, 3]);
      ctx.beginPath(); ctx.moveTo(cx, cy); ctx.lineTo(cx + len * Math.cos(th), cy - len * Math.sin(th)); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = n.a >= 0 ? "#1f1f1f" : "#ffffff";
      ctx.beginPath(); ctx.arc(cx + len * Math.cos(th), cy - len * Math.sin(th), 3, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    });
  });
  return (
    <figure class="circle">
      <figcaption>{p.title}</figcaption>
      <canvas ref={ref} style={{ width: `${size}px`, height: `${size}px` }} role="img" aria-label={p.description} />
    </figure>
  );
}
