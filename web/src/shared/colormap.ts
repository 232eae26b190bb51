// Viridis, the perceptually uniform colour scale of matplotlib: its lightness rises
// monotonically, so a heatmap reads the same in greyscale. The polynomial fit below is Matt
// Zucker's (public domain, "Polynomial approximations to matplotlib colormaps").
const C = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

/** Viridis at t ∈ [0, 1] as [r, g, b] bytes. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  const out: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let v = C[6][c];
    for (let k = 5; k >= 0; k--) v = v * x + C[k][c];
    out[c] = Math.round(255 * Math.min(1, Math.max(0, v)));
  }
  return out;
}

/** 256 entries of viridis packed as little-endian RGBA words (for a Uint32Array image). */
export const VIRIDIS_LUT: Uint32Array = (() => {
  const lut = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = viridis(i / 255);
    lut[i] = (255 << 24) | (b << 16) | (g << 8) | r;
  }
  return lut;
})();

/** CSS colour of viridis at t. */
export function viridisCss(t: number): string {
  const [r, g, b] = viridis(t);
  return `rgb(${r}, ${g}, ${b})`;
}

/** How a value maps to [0, 1]: classification through (tanh f + 1)/2, regression by a range. */
export type ValueScale = { kind: "tanh" } | { kind: "range"; lo: number; hi: number };

/**
 * Colour `values` through viridis into `out` (RGBA words, one per value; NaN/±∞ grey). Runs in
 * the worker, so the page only copies the finished pixels to its canvas.
 */
export function valuesToRgba(values: Float64Array, scale: ValueScale, out: Uint32Array): Uint32Array {
  const n = values.length;
  if (scale.kind === "tanh") {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      // (tanh v + 1)/2 = 1/(1 + e^{−2v}): one exp instead of a tanh.
      out[i] = Number.isFinite(v) ? VIRIDIS_LUT[(255 / (1 + Math.exp(-2 * v)) + 0.5) | 0] : 0xff808080;
    }
  } else {
    const f = 255 / (scale.hi - scale.lo || 1);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      out[i] = Number.isFinite(v) ? VIRIDIS_LUT[Math.max(0, Math.min(255, Math.round((v - scale.lo) * f)))] : 0xff808080;
    }
  }
  return out;
}
