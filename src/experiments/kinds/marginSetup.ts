/**
 * Data, initialisations and figure sampling shared by the margin family's kinds
 * (marginCommutation.ts, marginKktEmbedding.ts).
 */
import { paramCount, type Architecture, type ModelData } from "../../model/index.js";
import { normal, type Rng } from "../../random/index.js";

/**
 * Two Gaussian blobs: x = ±μ + std·z, μ = centre·(1, −1), labels ±1 alternating (the setting of
 * arXiv 2505.12419's margin experiments: centres (2, −2) → +1, (−2, 2) → −1).
 */
export function blobsData(rng: Rng, n: number, std: number, centre: number): ModelData {
  const X = new Float64Array(2 * n);
  const Y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % 2 === 0 ? 1 : -1;
    X[2 * i] = y * centre + std * normal(rng);
    X[2 * i + 1] = -y * centre + std * normal(rng);
    Y[i] = y;
  }
  return { X: { rows: n, cols: 2, data: X }, Y: { rows: n, cols: 1, data: Y } };
}

/** θ ~ N(0, scale²) in the architecture's layout. */
export function randomTheta(rng: Rng, arch: Architecture, scale: number): Float64Array {
  return Float64Array.from({ length: paramCount(arch) }, () => scale * normal(rng));
}

/** Is `step` one of the ~log-spaced steps whose values become figure rows (all ≤ 10, then 10 per decade)? */
export function sampled(step: number): boolean {
  if (step <= 10) return true;
  const e = Math.floor(Math.log10(step));
  const unit = Math.max(1, 10 ** e / 10);
  return step % unit === 0;
}
