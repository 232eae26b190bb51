// The decision heatmap: f on a res×res grid coloured through viridis in the worker
// (shared/colormap.ts, greyscale-safe), copied here onto a res×res canvas; the data on top
// (+1: white discs, −1: black squares; regression targets: viridis discs).
import { viridisCss } from "../shared/colormap.js";

/** Copy finished RGBA pixels (res×res, row 0 at the top) onto the canvas. */
export function paintPixels(ctx: CanvasRenderingContext2D, rgba: Uint8ClampedArray<ArrayBuffer>, res: number): void {
  ctx.putImageData(new ImageData(rgba, res, res), 0, 0);
}

/** The view box of 2-D data: its bounding box padded by 10% (never empty). */
export function dataBounds(X: Float64Array): [number, number, number, number] {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < X.length; i += 2) {
    x0 = Math.min(x0, X[i]); x1 = Math.max(x1, X[i]);
    y0 = Math.min(y0, X[i + 1]); y1 = Math.max(y1, X[i + 1]);
  }
  const px = Math.max(1e-9, 0.1 * (x1 - x0)), py = Math.max(1e-9, 0.1 * (y1 - y0));
  return [x0 - px, x1 + px, y0 - py, y1 + py];
}

/** Draw the data points over a canvas of size w×h showing `bounds`. */
export function paintPoints(ctx: CanvasRenderingContext2D, X: Float64Array, Y: Float64Array, k: number, labels: boolean, bounds: [number, number, number, number]): void {
  const { width: w, height: h } = ctx.canvas;
  const [x0, x1, y0, y1] = bounds;
  ctx.clearRect(0, 0, w, h);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < Y.length; i += k) { lo = Math.min(lo, Y[i]); hi = Math.max(hi, Y[i]); }
  const r = Math.max(2.5, Math.min(5, 900 / Math.sqrt(Y.length * 40)));
  for (let i = 0, n = X.length / 2; i < n; i++) {
    const x = ((X[2 * i] - x0) / (x1 - x0)) * w;
    const y = ((y1 - X[2 * i + 1]) / (y1 - y0)) * h;
    const yv = Y[i * k];
    ctx.lineWidth = 1.2;
    if (labels) {
      ctx.fillStyle = yv > 0 ? "#ffffff" : "#000000";
      ctx.strokeStyle = yv > 0 ? "#000000" : "#ffffff";
      if (yv > 0) { ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke(); }
      else { ctx.fillRect(x - r, y - r, 2 * r, 2 * r); ctx.strokeRect(x - r, y - r, 2 * r, 2 * r); }
    } else {
      ctx.fillStyle = viridisCss((yv - lo) / (hi - lo || 1));
      ctx.strokeStyle = "#000000";
      ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }
  }
}
