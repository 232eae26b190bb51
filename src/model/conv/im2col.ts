/**
 * Per-sample tensor primitives of the conv kernels, on a batch of nb samples whose C×H×W tensors
 * are stored as planes: plane (c, i) — channel c of sample i — is H·W contiguous entries starting
 * at off + c·cStride + i·iStride. Data rows (PyTorch's N,C,H,W) have cStride = H·W,
 * iStride = C·H·W; the kernels' internal tensors are "C,N,HW" (cStride = nb·H·W, iStride = H·W),
 * so that a convolution of the whole block is one GEMM (kernels.ts).
 *
 *   im2col:  Col[(c, dy, dx), i·P' + oy·W' + ox] = U[c, i, oy·sy + dy − py, ox·sx + dx − px]
 *            (0 outside the input: zero padding); Col is (C·kh·kw) × (nb·P'), P' = H'·W'.
 *            Then conv(U, K) = K·Col with K (C'×C·kh·kw) row-major — PyTorch's weight order.
 *   col2im:  its transpose, dU[c, i, iy, ix] += Σ over the (q, column) that read it.
 *   avgpool: V[c, i, oy, ox] = (1/(kh·kw)) Σ_{dy,dx} U[c, i, oy·sy + dy − py, ox·sx + dx − px]
 *            (PyTorch's AvgPool with count_include_pad = True), and its transpose.
 * No allocation; the ox ranges that read inside the input are precomputed per (d, stride, pad).
 */

/** A batch of C×H×W tensors stored as planes (see the file comment). */
export interface Planes {
  readonly data: Float64Array;
  readonly off: number;
  readonly cStride: number;
  readonly iStride: number;
}

/** Height, width, and the window of a conv or pooling stage. */
export interface Window {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

/** Output positions o ∈ [lo, hi) whose input index o·s + d − p lies in [0, n). */
function validRange(n: number, nOut: number, s: number, d: number, p: number): [number, number] {
  // o·s + d − p ≥ 0  ⇔  o ≥ (p − d)/s ;  o·s + d − p ≤ n − 1  ⇔  o ≤ (n − 1 + p − d)/s
  const lo = Math.max(0, Math.ceil((p - d) / s));
  const hi = Math.min(nOut, Math.floor((n - 1 + p - d) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Col ← im2col(U) for nb samples (C×H×W inputs, H'×W' outputs): Col has C·kh·kw rows of
 * nb·H'·W' entries (row stride ldc ≥ nb·H'·W'), starting at colOff.
 */
export function im2col(
  src: Planes, C: number, H: number, W: number, win: Window, Ho: number, Wo: number, nb: number,
  col: Float64Array, colOff: number, ldc: number,
): void {
  const [kh, kw] = win.kernel;
  const [sy, sx] = win.stride;
  const [py, px] = win.padding;
  const P = Ho * Wo;
  const data = src.data;
  for (let c = 0; c < C; c++) {
    for (let dy = 0; dy < kh; dy++) {
      const [oyLo, oyHi] = validRange(H, Ho, sy, dy, py);
      for (let dx = 0; dx < kw; dx++) {
        const [oxLo, oxHi] = validRange(W, Wo, sx, dx, px);
        const row = colOff + ((c * kh + dy) * kw + dx) * ldc;
        for (let i = 0; i < nb; i++) {
          const plane = src.off + c * src.cStride + i * src.iStride;
          const dst = row + i * P;
          if (oyLo > 0) col.fill(0, dst, dst + oyLo * Wo);
          if (oyHi < Ho) col.fill(0, dst + oyHi * Wo, dst + P);
          for (let oy = oyLo; oy < oyHi; oy++) {
            const d = dst + oy * Wo;
            const s = plane + (oy * sy + dy - py) * W + dx - px; // input index of ox = 0 (may be outside)
            for (let ox = 0; ox < oxLo; ox++) col[d + ox] = 0;
            if (sx === 1) {
              for (let ox = oxLo; ox < oxHi; ox++) col[d + ox] = data[s + ox];
            } else {
              for (let ox = oxLo; ox < oxHi; ox++) col[d + ox] = data[s + ox * sx];
            }
            for (let ox = oxHi; ox < Wo; ox++) col[d + ox] = 0;
          }
        }
      }
    }
  }
}

/** dst += col2im(Col): the transpose of im2col (dst is accumulated, not cleared). */
export function col2imAdd(
  col: Float64Array, colOff: number, ldc: number, C: number, H: number, W: number, win: Window, Ho: number, Wo: number,
  nb: number, dst: Planes,
): void {
  const [kh, kw] = win.kernel;
  const [sy, sx] = win.stride;
  const [py, px] = win.padding;
  const P = Ho * Wo;
  const data = dst.data;
  for (let c = 0; c < C; c++) {
    for (let dy = 0; dy < kh; dy++) {
      const [oyLo, oyHi] = validRange(H, Ho, sy, dy, py);
      for (let dx = 0; dx < kw; dx++) {
        const [oxLo, oxHi] = validRange(W, Wo, sx, dx, px);
        const row = colOff + ((c * kh + dy) * kw + dx) * ldc;
        for (let i = 0; i < nb; i++) {
          const plane = dst.off + c * dst.cStride + i * dst.iStride;
          const srcRow = row + i * P;
          for (let oy = oyLo; oy < oyHi; oy++) {
            const s = srcRow + oy * Wo;
            const d = plane + (oy * sy + dy - py) * W + dx - px;
            if (sx === 1) {
              for (let ox = oxLo; ox < oxHi; ox++) data[d + ox] += col[s + ox];
            } else {
              for (let ox = oxLo; ox < oxHi; ox++) data[d + ox * sx] += col[s + ox];
            }
          }
        }
      }
    }
  }
}

/** Windows that tile the input without overlap or padding (stride = kernel, padding 0). */
function tiling(win: Window): boolean {
  return win.stride[0] === win.kernel[0] && win.stride[1] === win.kernel[1] && win.padding[0] === 0 && win.padding[1] === 0;
}

/** dst ← avgpool(src) for nb samples of C channels (H×W → Ho×Wo). */
export function avgPool(
  src: Planes, C: number, H: number, W: number, win: Window, Ho: number, Wo: number, nb: number, dst: Planes,
): void {
  const [kh, kw] = win.kernel;
  const [sy, sx] = win.stride;
  const [py, px] = win.padding;
  const inv = 1 / (kh * kw);
  const a = src.data;
  const b = dst.data;
  if (tiling(win)) {
    // row by row: the output row accumulates kh input rows, each summed over kw columns
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < nb; i++) {
        const sp = src.off + c * src.cStride + i * src.iStride;
        const dp = dst.off + c * dst.cStride + i * dst.iStride;
        for (let oy = 0; oy < Ho; oy++) {
          const o = dp + oy * Wo;
          b.fill(0, o, o + Wo);
          for (let dy = 0; dy < kh; dy++) {
            const r = sp + (oy * kh + dy) * W;
            for (let ox = 0; ox < Wo; ox++) {
              let t = 0;
              for (let dx = 0; dx < kw; dx++) t += a[r + ox * kw + dx];
              b[o + ox] += t;
            }
          }
          for (let ox = 0; ox < Wo; ox++) b[o + ox] *= inv;
        }
      }
    }
    return;
  }
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < nb; i++) {
      const sp = src.off + c * src.cStride + i * src.iStride;
      const dp = dst.off + c * dst.cStride + i * dst.iStride;
      for (let oy = 0; oy < Ho; oy++) {
        const y0 = oy * sy - py;
        const yLo = Math.max(0, y0);
        const yHi = Math.min(H, y0 + kh);
        for (let ox = 0; ox < Wo; ox++) {
          const x0 = ox * sx - px;
          const xLo = Math.max(0, x0);
          const xHi = Math.min(W, x0 + kw);
          let s = 0;
          for (let y = yLo; y < yHi; y++) {
            const r = sp + y * W;
            for (let x = xLo; x < xHi; x++) s += a[r + x];
          }
          b[dp + oy * Wo + ox] = s * inv;
        }
      }
    }
  }
}

/** dst += avgpoolᵀ(g): each input in a window of output (oy, ox) gets g/(kh·kw). */
export function avgPoolTransposeAdd(
  g: Planes, C: number, H: number, W: number, win: Window, Ho: number, Wo: number, nb: number, dst: Planes,
): void {
  const [kh, kw] = win.kernel;
  const [sy, sx] = win.stride;
  const [py, px] = win.padding;
  const inv = 1 / (kh * kw);
  const a = g.data;
  const b = dst.data;
  if (tiling(win)) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < nb; i++) {
        const gp = g.off + c * g.cStride + i * g.iStride;
        const dp = dst.off + c * dst.cStride + i * dst.iStride;
        for (let oy = 0; oy < Ho; oy++) {
          const o = gp + oy * Wo;
          for (let dy = 0; dy < kh; dy++) {
            const r = dp + (oy * kh + dy) * W;
            for (let ox = 0; ox < Wo; ox++) {
              const v = a[o + ox] * inv;
              for (let dx = 0; dx < kw; dx++) b[r + ox * kw + dx] += v;
            }
          }
        }
      }
    }
    return;
  }
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < nb; i++) {
      const gp = g.off + c * g.cStride + i * g.iStride;
      const dp = dst.off + c * dst.cStride + i * dst.iStride;
      for (let oy = 0; oy < Ho; oy++) {
        const y0 = oy * sy - py;
        const yLo = Math.max(0, y0);
        const yHi = Math.min(H, y0 + kh);
        for (let ox = 0; ox < Wo; ox++) {
          const x0 = ox * sx - px;
          const xLo = Math.max(0, x0);
          const xHi = Math.min(W, x0 + kw);
          const v = a[gp + oy * Wo + ox] * inv;
          for (let y = yLo; y < yHi; y++) {
            const r = dp + y * W;
            for (let x = xLo; x < xHi; x++) b[r + x] += v;
          }
        }
      }
    }
  }
}

/**
 * Between the kernels' C,N,HW layout and per-sample rows (N, C·HW — PyTorch's flatten order):
 * rows[i·ld + c·P + p] = planes[c·nb·P + i·P + p] (toRows) or the reverse (fromRows).
 */
export function planesToRows(planes: Float64Array, C: number, P: number, nb: number, rows: Float64Array, ld: number): void {
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < nb; i++) {
      const s = (c * nb + i) * P;
      const d = i * ld + c * P;
      for (let t = 0; t < P; t++) rows[d + t] = planes[s + t];
    }
  }
}

/** planes[c·nb·P + i·P + p] = rows[i·ld + c·P + p] (the inverse of planesToRows). */
export function rowsToPlanes(rows: Float64Array, ld: number, C: number, P: number, nb: number, planes: Float64Array): void {
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < nb; i++) {
      const s = i * ld + c * P;
      const d = (c * nb + i) * P;
      for (let t = 0; t < P; t++) planes[d + t] = rows[s + t];
    }
  }
}
