// f64x2 SIMD GEMM for splitscape (AssemblyScript -> wasm, see scripts/build-wasm.mjs).
//
//   C[m×n] ← α · op(A)·op(B) + β · C,   row-major, op(X) = X or Xᵀ, all operands in this
//   module's linear memory (byte addresses, leading dimensions in elements).
//
// Goto/BLIS structure:
//   for jc (NC columns of C)             B block  kc×nc packed into NR-column micro-panels (L3)
//     for pc (KC of the inner dimension)
//       for ic (MC rows of C)            A block  mc×kc packed into MR-row micro-panels, × α (L2)
//         for jr, ir                     MR×NR micro-kernel over kc, 8 v128 accumulators (L1)
// Transposes are absorbed by the packing routines, so all four cases share one micro-kernel.
// Partial panels are zero-padded; the micro-kernel then writes only the valid mr×nr part.
// β is applied only by the first pc block (later blocks add with β = 1); β = 0 stores without
// reading C, so NaN/garbage in C never propagates (BLAS semantics).
//
// Measured on an AMD EPYC (Node 20): 4×4 with plain mul+add reaches ~28 GFLOP/s, about the
// 128-bit mul+add peak; 4×6, 6×4, 4×8, 8×4 and k-unrolled variants were 35–45 % slower (V8
// spills the extra accumulators), a fused multiply-add gave +5 % there. On an Intel Xeon
// (Sapphire Rapids class) mul+add is bound by its three vector ports at ≈ 20 GFLOP/s and the
// fused build (lib/fma.ts) reaches ≈ 25: every multiply-add here is `madd`.
import { madd } from "./lib/fma";

const MR: i32 = 4;
const NR: i32 = 4;
let KC: i32 = 512;
let MC: i32 = 64;
let NC: i32 = 1024;

/**
 * Bytes of the edge-tile scratch (MR×NR doubles) at the start of every workspace: per thread,
 * since several threads run the micro-kernel on one memory.
 */
const EDGE_BYTES: usize = <usize>(MR * NR * 8);

/** Override the cache blocking (for tuning); mc, nc are rounded up to MR, NR multiples. */
export function setBlocking(kc: i32, mc: i32, nc: i32): void {
  KC = max(kc, 1);
  MC = (max(mc, 1) + MR - 1) / MR * MR;
  NC = (max(nc, 1) + NR - 1) / NR * NR;
}

/** First free byte after the static data, 64-byte aligned: the start of the scratch area. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/**
 * Grow linear memory so that [heapBase(), heapBase() + bytes) is addressable.
 * Returns heapBase(), or 0 if the memory cannot grow that far.
 */
export function reserve(bytes: f64): usize {
  const base = heapBase();
  const end = <f64>base + bytes;
  if (!(end <= 4294967296.0)) return 0;
  const have = <f64>memory.size() * 65536.0;
  if (end > have) {
    const pages = <i32>Math.ceil((end - have) / 65536.0);
    if (memory.grow(pages) < 0) return 0;
  }
  return base;
}

/** Bytes of packing workspace gemm needs for an m×n×k product (both packed blocks). */
export function workBytes(m: i32, n: i32, k: i32): f64 {
  const kc = min(k, KC);
  const mc = (min(m, MC) + MR - 1) / MR * MR;
  const nc = (min(n, NC) + NR - 1) / NR * NR;
  return <f64>EDGE_BYTES + <f64>mc * <f64>kc * 8.0 + 64.0 + <f64>kc * <f64>nc * 8.0;
}

/** Write the valid mr×nr corner of the tile t (row stride NR) into C: c ← t + β·c. */
function storeEdge(t: usize, c: usize, ldc: i32, beta: f64, mr: i32, nr: i32): void {
  for (let i = 0; i < mr; i++) {
    const cr = c + (<usize>(i * ldc) << 3);
    const tr = t + (<usize>(i * NR) << 3);
    for (let j = 0; j < nr; j++) {
      const cp = cr + (<usize>j << 3);
      const v = load<f64>(tr + (<usize>j << 3));
      if (beta == 0.0) store<f64>(cp, v);
      else store<f64>(cp, beta * load<f64>(cp) + v);
    }
  }
}

/**
 * The micro-kernel of a tile with nr ≤ 2 valid columns: the left 4×2 half of microKernel's
 * product (accumulators c{row}0, the first f64x2 of each packed B row), each entry by the same
 * operations in the same order as in microKernel, at half its arithmetic. A product whose
 * column count is 2 mod 4 (d = 50 in the two-layer step's ∂W) spends 1/13 of its time there.
 */
function microKernelHalf(
  kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, beta: f64, mr: i32, nr: i32, edge: usize,
): void {
  let c00 = f64x2.splat(0.0);
  let c10 = f64x2.splat(0.0);
  let c20 = f64x2.splat(0.0);
  let c30 = f64x2.splat(0.0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb, 0);
    c00 = madd(v128.load64_splat(pa, 0), b0, c00);
    c10 = madd(v128.load64_splat(pa, 8), b0, c10);
    c20 = madd(v128.load64_splat(pa, 16), b0, c20);
    c30 = madd(v128.load64_splat(pa, 24), b0, c30);
    pa += 32;
    pb += 32;
  }
  v128.store(edge, c00, 0);
  v128.store(edge, c10, 32);
  v128.store(edge, c20, 64);
  v128.store(edge, c30, 96);
  storeEdge(edge, c, ldc, beta, mr, nr);
}

/**
 * Micro-kernel: T = Σ_{p<kc} Apanel[:, p] ⊗ Bpanel[p, :] (4×4, accumulators c{row}{pair}),
 * then C[0:mr, 0:nr] ← T + β·C (β = 0: C not read). pa: 4 doubles per p; pb: 4 doubles per p;
 * edge: EDGE_BYTES of scratch for a partial tile.
 */
// @ts-ignore: decorator
@inline function microKernel(
  kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, beta: f64, mr: i32, nr: i32, edge: usize,
): void {
  if (nr <= 2) {
    microKernelHalf(kc, pa, pb, c, ldc, beta, mr, nr, edge);
    return;
  }
  let c00 = f64x2.splat(0.0);
  let c01 = f64x2.splat(0.0);
  let c10 = f64x2.splat(0.0);
  let c11 = f64x2.splat(0.0);
  let c20 = f64x2.splat(0.0);
  let c21 = f64x2.splat(0.0);
  let c30 = f64x2.splat(0.0);
  let c31 = f64x2.splat(0.0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb, 0);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load64_splat(pa, 0);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load64_splat(pa, 8);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load64_splat(pa, 16);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load64_splat(pa, 24);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    pa += 32;
    pb += 32;
  }
  if (mr == MR && nr == NR) {
    const rs = <usize>ldc << 3;
    const r0 = c;
    const r1 = r0 + rs;
    const r2 = r1 + rs;
    const r3 = r2 + rs;
    if (beta == 0.0) {
      v128.store(r0, c00, 0);
      v128.store(r0, c01, 16);
      v128.store(r1, c10, 0);
      v128.store(r1, c11, 16);
      v128.store(r2, c20, 0);
      v128.store(r2, c21, 16);
      v128.store(r3, c30, 0);
      v128.store(r3, c31, 16);
    } else if (beta == 1.0) {
      v128.store(r0, f64x2.add(v128.load(r0, 0), c00), 0);
      v128.store(r0, f64x2.add(v128.load(r0, 16), c01), 16);
      v128.store(r1, f64x2.add(v128.load(r1, 0), c10), 0);
      v128.store(r1, f64x2.add(v128.load(r1, 16), c11), 16);
      v128.store(r2, f64x2.add(v128.load(r2, 0), c20), 0);
      v128.store(r2, f64x2.add(v128.load(r2, 16), c21), 16);
      v128.store(r3, f64x2.add(v128.load(r3, 0), c30), 0);
      v128.store(r3, f64x2.add(v128.load(r3, 16), c31), 16);
    } else {
      const bv = f64x2.splat(beta);
      v128.store(r0, f64x2.add(f64x2.mul(bv, v128.load(r0, 0)), c00), 0);
      v128.store(r0, f64x2.add(f64x2.mul(bv, v128.load(r0, 16)), c01), 16);
      v128.store(r1, f64x2.add(f64x2.mul(bv, v128.load(r1, 0)), c10), 0);
      v128.store(r1, f64x2.add(f64x2.mul(bv, v128.load(r1, 16)), c11), 16);
      v128.store(r2, f64x2.add(f64x2.mul(bv, v128.load(r2, 0)), c20), 0);
      v128.store(r2, f64x2.add(f64x2.mul(bv, v128.load(r2, 16)), c21), 16);
      v128.store(r3, f64x2.add(f64x2.mul(bv, v128.load(r3, 0)), c30), 0);
      v128.store(r3, f64x2.add(f64x2.mul(bv, v128.load(r3, 16)), c31), 16);
    }
    return;
  }
  const t = edge;
  v128.store(t, c00, 0);
  v128.store(t, c01, 16);
  v128.store(t, c10, 32);
  v128.store(t, c11, 48);
  v128.store(t, c20, 64);
  v128.store(t, c21, 80);
  v128.store(t, c30, 96);
  v128.store(t, c31, 112);
  storeEdge(t, c, ldc, beta, mr, nr);
}

/**
 * Pack the mc×kc block of op(A) at `a` (already offset to the block's corner), scaled by α,
 * into MR-row micro-panels: dst[panel][p][r] = α·op(A)[i0 + r, p], rows past mc are 0.
 */
function packA(transA: i32, alpha: f64, a: usize, lda: i32, mc: i32, kc: i32, dst: usize): void {
  const ld = <usize>lda << 3;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const mr = min(MR, mc - i0);
    if (!transA) {
      // op(A)[i, p] = a[i·lda + p]: MR row streams.
      const src = a + <usize>i0 * ld;
      if (mr == MR) {
        const s1 = src + ld;
        const s2 = s1 + ld;
        const s3 = s2 + ld;
        for (let p = 0; p < kc; p++) {
          const o = <usize>p << 3;
          store<f64>(dst, alpha * load<f64>(src + o), 0);
          store<f64>(dst, alpha * load<f64>(s1 + o), 8);
          store<f64>(dst, alpha * load<f64>(s2 + o), 16);
          store<f64>(dst, alpha * load<f64>(s3 + o), 24);
          dst += MR << 3;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const s = src + (<usize>p << 3);
          for (let r = 0; r < MR; r++) {
            store<f64>(dst + (<usize>r << 3), r < mr ? alpha * load<f64>(s + <usize>r * ld) : 0.0);
          }
          dst += MR << 3;
        }
      }
    } else {
      // op(A)[i, p] = a[p·lda + i]: MR contiguous values per p.
      const src = a + (<usize>i0 << 3);
      if (mr == MR) {
        const av = f64x2.splat(alpha);
        for (let p = 0; p < kc; p++) {
          const s = src + <usize>p * ld;
          v128.store(dst, f64x2.mul(av, v128.load(s, 0)), 0);
          v128.store(dst, f64x2.mul(av, v128.load(s, 16)), 16);
          dst += MR << 3;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const s = src + <usize>p * ld;
          for (let r = 0; r < MR; r++) {
            store<f64>(dst + (<usize>r << 3), r < mr ? alpha * load<f64>(s + (<usize>r << 3)) : 0.0);
          }
          dst += MR << 3;
        }
      }
    }
  }
}

/**
 * Pack the kc×nc block of op(B) at `b` (already offset to the block's corner) into NR-column
 * micro-panels: dst[panel][p][j] = op(B)[p, j0 + j], columns past nc are 0.
 */
function packB(transB: i32, b: usize, ldb: i32, kc: i32, nc: i32, dst: usize): void {
  const ld = <usize>ldb << 3;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const nr = min(NR, nc - j0);
    if (!transB) {
      // op(B)[p, j] = b[p·ldb + j]: NR contiguous values per p.
      const src = b + (<usize>j0 << 3);
      if (nr == NR) {
        for (let p = 0; p < kc; p++) {
          const s = src + <usize>p * ld;
          v128.store(dst, v128.load(s, 0), 0);
          v128.store(dst, v128.load(s, 16), 16);
          dst += NR << 3;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const s = src + <usize>p * ld;
          for (let j = 0; j < NR; j++) {
            store<f64>(dst + (<usize>j << 3), j < nr ? load<f64>(s + (<usize>j << 3)) : 0.0);
          }
          dst += NR << 3;
        }
      }
    } else {
      // op(B)[p, j] = b[j·ldb + p]: NR row streams.
      const src = b + <usize>j0 * ld;
      if (nr == NR) {
        const s1 = src + ld;
        const s2 = s1 + ld;
        const s3 = s2 + ld;
        for (let p = 0; p < kc; p++) {
          const o = <usize>p << 3;
          store<f64>(dst, load<f64>(src + o), 0);
          store<f64>(dst, load<f64>(s1 + o), 8);
          store<f64>(dst, load<f64>(s2 + o), 16);
          store<f64>(dst, load<f64>(s3 + o), 24);
          dst += NR << 3;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const s = src + (<usize>p << 3);
          for (let j = 0; j < NR; j++) {
            store<f64>(dst + (<usize>j << 3), j < nr ? load<f64>(s + <usize>j * ld) : 0.0);
          }
          dst += NR << 3;
        }
      }
    }
  }
}

/** C ← β·C (β = 0 writes zeros without reading C). */
function scaleC(m: i32, n: i32, beta: f64, c: usize, ldc: i32): void {
  for (let i = 0; i < m; i++) {
    const cr = c + (<usize>(i * ldc) << 3);
    for (let j = 0; j < n; j++) {
      const cp = cr + (<usize>j << 3);
      store<f64>(cp, beta == 0.0 ? 0.0 : beta * load<f64>(cp));
    }
  }
}

/**
 * The macro-kernel: C[i0:i1, jc:jc+nc] ← α·op(A)[i0:i1, pc:pc+kc]·B̂ + be·C for one packed kc×nc
 * block B̂ of op(B) (at pb, NR-column micro-panels of kc rows): A blocks of MC rows are packed
 * (× α) into pa (preceded by EDGE_BYTES of edge scratch), then every MR×NR tile of C is one
 * micro-kernel call. Each entry of C sees the
 * same operations in the same order whichever rows [i0, i1) a call covers, so splitting the
 * rows over threads cannot change a bit of the result.
 */
function macroKernel(
  transA: i32, alpha: f64, a: usize, lda: i32, i0: i32, i1: i32, pc: i32, kc: i32,
  nc: i32, pb: usize, c: usize, ldc: i32, be: f64, pa: usize,
): void {
  for (let ic = i0; ic < i1; ic += MC) {
    const mc = min(MC, i1 - ic);
    const asrc = transA ? a + (<usize>(pc * lda + ic) << 3) : a + (<usize>(ic * lda + pc) << 3);
    packA(transA, alpha, asrc, lda, mc, kc, pa);
    const cblk = c + (<usize>(ic * ldc) << 3);
    for (let jr = 0; jr < nc; jr += NR) {
      const nr = min(NR, nc - jr);
      const pbj = pb + (<usize>(jr * kc) << 3);
      for (let ir = 0; ir < mc; ir += MR) {
        microKernel(
          kc, pa + (<usize>(ir * kc) << 3), pbj,
          cblk + (<usize>(ir * ldc + jr) << 3), ldc, be, min(MR, mc - ir), nr, pa - EDGE_BYTES,
        );
      }
    }
  }
}

/**
 * C ← α·op(A)·op(B) + β·C (row-major dgemm). a, b, c, work are byte addresses; lda, ldb, ldc
 * row strides in elements; `work` must hold workBytes(m, n, k) bytes, 16-byte aligned.
 * op(A) is m×k (stored k×m when transA), op(B) is k×n (stored n×k when transB).
 */
export function gemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f64,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f64, c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (alpha == 0.0 || k <= 0) {
    if (beta != 1.0) scaleC(m, n, beta, c, ldc);
    return;
  }
  const kcMax = min(k, KC);
  const mcMax = (min(m, MC) + MR - 1) / MR * MR;
  const pa = work + EDGE_BYTES;
  const pb = pa + (<usize>(mcMax * kcMax) << 3) + 64;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const bsrc = transB ? b + (<usize>(jc * ldb + pc) << 3) : b + (<usize>(pc * ldb + jc) << 3);
      packB(transB, bsrc, ldb, kc, nc, pb);
      macroKernel(transA, alpha, a, lda, 0, m, pc, kc, nc, pb, c + (<usize>jc << 3), ldc, pc == 0 ? beta : 1.0, pa);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The threaded GEMM (driven by src/linalg/kernels/gemmThreads.ts): every thread runs
// gemmThreaded on the same header. Phase 1 packs all of op(B) once into a shared area, in jobs
// of (one KC block of the inner dimension) × (PACK_COLS columns) taken from an atomic counter;
// phase 2, after every pack job is done, takes blocks of C from a second counter and runs the
// same macro-kernel as gemm on them: whole-width panels of T_ROWS rows while more than
// threads·T_ROWS rows are left, then each remaining panel in 2·threads column chunks. With
// whole-width jobs only, a thread on a slower (shared or descheduled) core finished its last
// panel up to a whole panel after the others (3–10 ms at n = 1024); thinner row panels cost about
// what they save, because every row panel streams all of the packed op(B) from L3 (≈ 0.35 ms per
// pass at n = 1024), whereas a column chunk streams only its share. The packed B of the inner block pc is a kc×n̄ region
// (n̄ = n rounded up to NR) at pb + 8·pc·n̄, laid out as gemm's packed block, so the columns
// jc.. of it are gemm's packed block for (jc, pc): each entry of C is computed exactly as gemm
// computes it, bitwise, whatever the number of threads or the blocks.

/** Header slots (f64) of gemmThreaded. */
const T_TRANSA: i32 = 0;
const T_TRANSB: i32 = 1;
const T_M: i32 = 2;
const T_N: i32 = 3;
const T_K: i32 = 4;
const T_ALPHA: i32 = 5;
const T_A: i32 = 6;
const T_LDA: i32 = 7;
const T_B: i32 = 8;
const T_LDB: i32 = 9;
const T_BETA: i32 = 10;
const T_C: i32 = 11;
const T_LDC: i32 = 12;
const T_PB: i32 = 13;
/** Most rows of C per phase-2 job (a multiple of MR). */
const T_ROWS: i32 = 14;
/** Threads of the run (phase 2 cuts its last threads·T_ROWS rows into 2·threads column chunks). */
const T_THREADS: i32 = 15;

/** Control words (i32) of gemmThreaded: job counters, finished pack jobs, the abort flag. */
const C_PACK_NEXT: usize = 0;
const C_PACK_DONE: usize = 4;
const C_ROW_NEXT: usize = 8;
const C_ABORT: usize = 12;

/** Columns of op(B) per pack job (a multiple of NR). */
const PACK_COLS: i32 = 512;

/** Bytes of the shared packed op(B) of a k×n product: k × (n rounded up to NR) doubles. */
export function packedBBytes(n: i32, k: i32): f64 {
  return <f64>k * <f64>((n + NR - 1) / NR * NR) * 8.0;
}

/** Bytes of one thread's private workspace of gemmThreaded (a packed A block, MC×KC). */
export function threadWorkBytes(): f64 {
  return <f64>EDGE_BYTES + <f64>MC * <f64>KC * 8.0 + 64.0;
}

/** Slot i (an f64) of a header at h: how the threaded entry points read their arguments. */
// @ts-ignore: decorator
@inline export function slot(h: usize, i: i32): f64 {
  return load<f64>(h + (<usize>i << 3));
}

/**
 * Pack the columns [j0, j0 + cols) of the inner block pc of op(B) (k×n; the block's kc =
 * min(KC, k − pc) rows) into the shared packed layout of op(B): block pc is a kc×n̄ region at
 * pb + 8·pc·n̄ (n̄ = n rounded up to NR) laid out as gemm's packed block, so its columns jc.. are
 * gemm's packed block for (jc, pc).
 */
function packBColumns(
  transB: i32, b: usize, ldb: i32, k: i32, n: i32, pc: i32, j0: i32, cols: i32, pb: usize,
): void {
  const nbar = (n + NR - 1) / NR * NR;
  const kc = min(KC, k - pc);
  const bsrc = transB ? b + (<usize>(j0 * ldb + pc) << 3) : b + (<usize>(pc * ldb + j0) << 3);
  packB(transB, bsrc, ldb, kc, cols, pb + (<usize>(pc * nbar + j0 * kc) << 3));
}

/**
 * Rows [i0, i1) and columns [j0, j1) of C ← α·op(A)·op(B) + β·C (j0 a multiple of NR) with op(B)
 * (k×n) already in the shared packed layout at pb (packBColumns): gemm's loops over (jc, pc)
 * and its macro-kernel, so every entry of C is computed exactly as gemm computes it. pa: a
 * packed-A block (MC×KC doubles) preceded by EDGE_BYTES of edge scratch.
 */
function packedRows(
  transA: i32, alpha: f64, a: usize, lda: i32, i0: i32, i1: i32, j0: i32, j1: i32, n: i32, k: i32,
  pb: usize, beta: f64, c: usize, ldc: i32, pa: usize,
): void {
  const nbar = (n + NR - 1) / NR * NR;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const pbBlock = pb + (<usize>(pc * nbar + jc * kc) << 3);
      macroKernel(transA, alpha, a, lda, i0, i1, pc, kc, nc, pbBlock, c + (<usize>jc << 3), ldc, pc == 0 ? beta : 1.0, pa);
    }
  }
}

/**
 * Pack all of op(B) (k×n; stored n×k when transB) into the shared packed layout at pb
 * (packedBBytes(n, k) bytes), for a caller that multiplies many A's by one B (gemmPackedB).
 */
export function packOpB(transB: i32, b: usize, ldb: i32, k: i32, n: i32, pb: usize): void {
  for (let pc = 0; pc < k; pc += KC) packBColumns(transB, b, ldb, k, n, pc, 0, n, pb);
}

/**
 * C ← α·op(A)·op(B) + β·C (m×n) with op(B) packed by packOpB at pb: gemm without its B packing,
 * bitwise equal to gemm. work: threadWorkBytes() bytes, 16-byte aligned.
 */
export function gemmPackedB(
  transA: i32, m: i32, n: i32, k: i32, alpha: f64, a: usize, lda: i32, pb: usize, beta: f64,
  c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (alpha == 0.0 || k <= 0) {
    if (beta != 1.0) scaleC(m, n, beta, c, ldc);
    return;
  }
  packedRows(transA, alpha, a, lda, 0, m, 0, n, n, k, pb, beta, c, ldc, work + EDGE_BYTES);
}

/**
 * One thread's share of C ← α·op(A)·op(B) + β·C as described above (h: header, ctl: control
 * words, work: threadWorkBytes() bytes of private scratch). Returns the row jobs it ran, or −1
 * when it stopped because another thread set the abort flag.
 */
export function gemmThreaded(h: usize, ctl: usize, work: usize): i32 {
  const transA = <i32>slot(h, T_TRANSA);
  const transB = <i32>slot(h, T_TRANSB);
  const m = <i32>slot(h, T_M);
  const n = <i32>slot(h, T_N);
  const k = <i32>slot(h, T_K);
  const alpha = slot(h, T_ALPHA);
  const a = <usize>slot(h, T_A);
  const lda = <i32>slot(h, T_LDA);
  const b = <usize>slot(h, T_B);
  const ldb = <i32>slot(h, T_LDB);
  const beta = slot(h, T_BETA);
  const c = <usize>slot(h, T_C);
  const ldc = <i32>slot(h, T_LDC);
  const pb = <usize>slot(h, T_PB);
  const rows = <i32>slot(h, T_ROWS);
  const threads = <i32>slot(h, T_THREADS);
  const kBlocks = (k + KC - 1) / KC;
  const colChunks = (n + PACK_COLS - 1) / PACK_COLS;
  const packJobs = kBlocks * colChunks;
  // Phase 1: pack op(B).
  for (;;) {
    const j = atomic.add<i32>(ctl + C_PACK_NEXT, 1);
    if (j >= packJobs) break;
    const j0 = (j % colChunks) * PACK_COLS;
    packBColumns(transB, b, ldb, k, n, (j / colChunks) * KC, j0, min(PACK_COLS, n - j0), pb);
    atomic.add<i32>(ctl + C_PACK_DONE, 1);
    atomic.notify(ctl + C_PACK_DONE);
  }
  // Barrier: wait (1 ms at a time, watching the abort flag) until every pack job is done.
  for (;;) {
    const done = atomic.load<i32>(ctl + C_PACK_DONE);
    if (done >= packJobs) break;
    if (atomic.load<i32>(ctl + C_ABORT) != 0) return -1;
    atomic.wait<i32>(ctl + C_PACK_DONE, done, 1000000);
  }
  // Phase 2: blocks of C (see the section comment).
  const tailRows = min(m, threads * rows);
  const head = m - tailRows;
  const headJobs = (head + rows - 1) / rows;
  const chunks = 2 * threads;
  const width = ((n + chunks - 1) / chunks + NR - 1) / NR * NR;
  const jobs = headJobs + (tailRows + rows - 1) / rows * chunks;
  let ran = 0;
  for (;;) {
    const j = atomic.add<i32>(ctl + C_ROW_NEXT, 1);
    if (j >= jobs) break;
    // Job j: a whole-width panel of `rows` rows, or in the last threads·rows rows a column chunk.
    let i0 = j * rows;
    let i1 = min(head, i0 + rows);
    let j0 = 0;
    let j1 = n;
    if (j >= headJobs) {
      const t = j - headJobs;
      i0 = head + (t / chunks) * rows;
      i1 = min(m, i0 + rows);
      j0 = (t % chunks) * width;
      j1 = min(n, j0 + width);
      if (j0 >= n) continue;
    }
    packedRows(transA, alpha, a, lda, i0, i1, j0, j1, n, k, pb, beta, c, ldc, work + EDGE_BYTES);
    ran++;
  }
  return ran;
}

/** The inner-dimension block KC (gemmPackedA needs k ≤ kcBlock()). */
export function kcBlock(): i32 {
  return KC;
}

/**
 * C ← A·op(B) + β·C (α = 1) with the m×k matrix A, k ≤ KC, given already packed the way packA
 * lays it out, so a producer can write A straight into that layout and skip the packing pass:
 * ⌈m/MR⌉ micro-panels, panel t at pa + 8·t·MR·k holding A[t·MR + r, p] at [p][r], rows past m
 * zero. work: edge scratch and packing workspace for B (workBytes(m, n, k) suffices), 16-byte
 * aligned.
 */
export function gemmPackedA(
  m: i32, n: i32, k: i32, pa: usize, transB: i32, b: usize, ldb: i32, beta: f64, c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (beta != 1.0) scaleC(m, n, beta, c, ldc);
    return;
  }
  const pb = work + EDGE_BYTES;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    packB(transB, transB ? b + (<usize>(jc * ldb) << 3) : b + (<usize>jc << 3), ldb, k, nc, pb);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min(MC, m - ic);
      const cblk = c + (<usize>(ic * ldc + jc) << 3);
      for (let jr = 0; jr < nc; jr += NR) {
        const nr = min(NR, nc - jr);
        const pbj = pb + (<usize>(jr * k) << 3);
        for (let ir = 0; ir < mc; ir += MR) {
          microKernel(
            k, pa + (<usize>((ic + ir) * k) << 3), pbj,
            cblk + (<usize>(ir * ldc + jr) << 3), ldc, beta, min(MR, mc - ir), nr, work,
          );
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Level-2 kernel of the tridiagonal reduction (src/linalg/tridiagonalize.ts on a resident arena).

/**
 * The part of the symmetric product y = A(s:n, s:n)·x (BLAS dsymv, uplo = 'U' read by rows; A's
 * upper triangle stored row-major at a, row stride lda elements) owed to the rows [s, rEnd) of
 * the stored triangle: y[s..n) ←
 * Σ_{r ∈ [s, rEnd)} (row r's contribution), where row r contributes Σ_{c ≥ r} a[r, c]·x[c] to y[r]
 * and a[r, c]·x[r] to y[c] for c > r. With rEnd = n that is the whole product A(s:n, s:n)·x.
 * Three rows per pass: each stored entry a[r, c] (c > r) is used twice, as y[r] += a·x[c]
 * (three f64x2 dot accumulators) and y[c] += a·x[r] (two columns per f64x2 step), so the rows
 * are streamed once. Three, not four: with four, V8 runs out of xmm registers and reloads the
 * splats of x[r] from the stack on every step (n = 1000: 40 ms for the n products, 36.5 with
 * three). a, x, y: byte addresses; x and y hold n doubles (entries < s unused).
 */
export function symvRows(n: i32, a: usize, lda: i32, s: i32, rEnd: i32, x: usize, y: usize): void {
  if (s >= n) return;
  memory.fill(y + (<usize>s << 3), 0, <usize>(n - s) << 3);
  const ld = <usize>lda << 3;
  let r = s;
  for (; r + 2 < rEnd; r += 3) {
    const r0 = a + <usize>r * ld;
    const r1 = r0 + ld;
    const r2 = r1 + ld;
    const ro = <usize>r << 3;
    const x0 = load<f64>(x + ro);
    const x1 = load<f64>(x + ro, 8);
    const x2 = load<f64>(x + ro, 16);
    const a01 = load<f64>(r0 + ro, 8);
    const a02 = load<f64>(r0 + ro, 16);
    const a12 = load<f64>(r1 + ro, 16);
    let t0 = load<f64>(r0 + ro) * x0 + a01 * x1 + a02 * x2;
    let t1 = a01 * x0 + load<f64>(r1 + ro, 8) * x1 + a12 * x2;
    let t2 = a02 * x0 + a12 * x1 + load<f64>(r2 + ro, 16) * x2;
    const xs0 = f64x2.splat(x0);
    const xs1 = f64x2.splat(x1);
    const xs2 = f64x2.splat(x2);
    let v0 = f64x2.splat(0.0);
    let v1 = f64x2.splat(0.0);
    let v2 = f64x2.splat(0.0);
    let c = r + 3;
    for (; c + 1 < n; c += 2) {
      const o = <usize>c << 3;
      const b0 = v128.load(r0 + o);
      const b1 = v128.load(r1 + o);
      const b2 = v128.load(r2 + o);
      const xc = v128.load(x + o);
      v0 = madd(b0, xc, v0);
      v1 = madd(b1, xc, v1);
      v2 = madd(b2, xc, v2);
      v128.store(y + o, f64x2.add(v128.load(y + o), madd(b2, xs2, madd(b1, xs1, f64x2.mul(b0, xs0)))));
    }
    if (c < n) {
      const o = <usize>c << 3;
      const b0 = load<f64>(r0 + o);
      const b1 = load<f64>(r1 + o);
      const b2 = load<f64>(r2 + o);
      const xc = load<f64>(x + o);
      t0 += b0 * xc;
      t1 += b1 * xc;
      t2 += b2 * xc;
      store<f64>(y + o, load<f64>(y + o) + (b0 * x0 + b1 * x1 + b2 * x2));
    }
    store<f64>(y + ro, load<f64>(y + ro) + t0 + (f64x2.extract_lane(v0, 0) + f64x2.extract_lane(v0, 1)));
    store<f64>(y + ro, load<f64>(y + ro, 8) + t1 + (f64x2.extract_lane(v1, 0) + f64x2.extract_lane(v1, 1)), 8);
    store<f64>(y + ro, load<f64>(y + ro, 16) + t2 + (f64x2.extract_lane(v2, 0) + f64x2.extract_lane(v2, 1)), 16);
  }
  for (; r < rEnd; r++) {
    const rr = a + <usize>r * ld;
    const ro = <usize>r << 3;
    const xr = load<f64>(x + ro);
    let t = load<f64>(rr + ro) * xr;
    for (let c = r + 1; c < n; c++) {
      const o = <usize>c << 3;
      const arc = load<f64>(rr + o);
      t += arc * load<f64>(x + o);
      store<f64>(y + o, load<f64>(y + o) + arc * xr);
    }
    store<f64>(y + ro, load<f64>(y + ro) + t);
  }
}

// ---------------------------------------------------------------------------------------------
// The symmetric part of eigh's input (src/linalg/eigh.ts, through the arena).

/** Side of the square tiles of symmetrizeUpper (a tile's transposed reads stay in L1). */
const SYM_TILE: i32 = 32;

/**
 * The symmetric part's upper triangle, in place: a[i, j] ← ½a_ij + ½a_ji for j ≥ i on the n×n
 * row-major matrix at a (the lower triangle is read, never written), by SYM_TILE×SYM_TILE tiles;
 * out[0] = max|a_ij| and out[1] = max|a_ij − a_ji| over all i, j, out[2] = 1 when some
 * a_ij − a_ji is NaN (an entry is NaN, or a_ij and a_ji are the same infinity), else 0.
 * Each entry is computed as the TypeScript arena computes it (½x + ½y), so both give the same bits.
 */
export function symmetrizeUpper(n: i32, a: usize, out: usize): void {
  const half = f64x2.splat(0.5);
  let amax = f64x2.splat(0.0);
  let asym = f64x2.splat(0.0);
  let nan = f64x2.splat(0.0);
  let smax = 0.0;
  let ssym = 0.0;
  let snan = false;
  const ld = <usize>n << 3;
  for (let i0 = 0; i0 < n; i0 += SYM_TILE) {
    const i1 = min(i0 + SYM_TILE, n);
    for (let j0 = i0; j0 < n; j0 += SYM_TILE) {
      const j1 = min(j0 + SYM_TILE, n);
      for (let i = i0; i < i1; i++) {
        const row = a + <usize>i * ld;
        const col = a + (<usize>i << 3);
        let j = max(i, j0);
        for (; j + 1 < j1; j += 2) {
          const p = row + (<usize>j << 3);
          const x = v128.load(p);
          const y = v128.load64_lane(col + <usize>(j + 1) * ld, v128.load64_zero(col + <usize>j * ld), 1);
          amax = f64x2.pmax(f64x2.pmax(amax, f64x2.abs(x)), f64x2.abs(y));
          const d = f64x2.abs(f64x2.sub(x, y));
          asym = f64x2.pmax(asym, d);
          nan = v128.or(nan, f64x2.ne(d, d));
          v128.store(p, f64x2.add(f64x2.mul(half, x), f64x2.mul(half, y)));
        }
        if (j < j1) {
          const p = row + (<usize>j << 3);
          const x = load<f64>(p);
          const y = load<f64>(col + <usize>j * ld);
          const ax = abs(x);
          const ay = abs(y);
          if (ax > smax) smax = ax;
          if (ay > smax) smax = ay;
          const d = abs(x - y);
          if (d > ssym) ssym = d;
          else if (d != d) snan = true;
          store<f64>(p, 0.5 * x + 0.5 * y);
        }
      }
    }
  }
  // As in the TypeScript loop, a NaN never enters a maximum (pmax and > keep the old value): it
  // is reported by the flag.
  const m = f64x2.pmax(amax, f64x2.splat(f64x2.extract_lane(amax, 1)));
  const e = f64x2.pmax(asym, f64x2.splat(f64x2.extract_lane(asym, 1)));
  store<f64>(out, f64x2.extract_lane(m, 0) > smax ? f64x2.extract_lane(m, 0) : smax);
  store<f64>(out, f64x2.extract_lane(e, 0) > ssym ? f64x2.extract_lane(e, 0) : ssym, 8);
  store<f64>(out, snan || v128.any_true(nan) ? 1.0 : 0.0, 16);
}

// ---------------------------------------------------------------------------------------------
// The back-transformation of eigh (src/linalg/tridiagonalize.ts applyQTransposeRight through
// kernels/reflectorRows.ts): Zt ← Zt·Q_{B−1}ᵀ⋯ for blocks of reflectors in compact WY form,
// Q_blk = I − Y T Yᵀ, applied to the rows of Zt in chunks of QR_ROWS rows, each chunk through
// every block before the next chunk: a chunk (R_ROWS × n doubles) stays in L2 across the
// blocks, where block after block over all rows streams the whole of Zt from memory three times
// a block. Chunks are claimed from an atomic counter by the calling thread and the workers; a
// row's result does not depend on its chunk (gemm computes each entry of C alone), so it is
// bitwise the same on any thread count.

/** Header slots (f64) of reflectorRows. */
const QR_ROWS: i32 = 0; // rows of Zt per job (a multiple of MR)
const QR_R: i32 = 1; // rows of Zt
const QR_N: i32 = 2; // columns of Zt (its row stride)
const QR_Z: i32 = 3; // byte address of Zt
const QR_COUNT: i32 = 4; // blocks
const QR_TABLE: i32 = 5; // byte address of the block table: per block (k0, b, Yt, T) as f64
const QR_BMAX: i32 = 6; // largest block size b

/** Control words (i32) of reflectorRows: the job counter. */
const QR_NEXT: usize = 0;

/**
 * Bytes of one thread's workspace of reflectorRows for chunks of `rows` rows, blocks of ≤ bmax
 * reflectors and n columns: M1 and M2 (rows × bmax each) and gemm's workspace for the three
 * products of a block.
 */
export function reflectorWorkBytes(rows: i32, bmax: i32, n: i32): f64 {
  const products = max(max(workBytes(rows, bmax, n), workBytes(rows, bmax, bmax)), workBytes(rows, n, bmax));
  return 2.0 * <f64>rows * <f64>bmax * 8.0 + 128.0 + products;
}

/**
 * One thread's share of the back-transformation described above (h: header, ctl: control
 * words, work: reflectorWorkBytes of private scratch, 16-byte aligned). Block q of the table
 * has its first reflector k0, b reflectors, Yt (b × len row-major, len = n − k0 − 1: row p is
 * v_{k0+p} on the columns k0+1.., zero left of its unit entry) and T (b × b upper triangular);
 * for each claimed chunk of rows, every block in table order does
 *   M1 = Zt(:, k0+1:)·Ytᵀ,  M2 = M1·Tᵀ,  Zt(:, k0+1:) −= M2·Yt   (LAPACK dlarfb, side = right).
 * Returns the chunks it ran.
 */
export function reflectorRows(h: usize, ctl: usize, work: usize): i32 {
  const rowsPerJob = <i32>slot(h, QR_ROWS);
  const r = <i32>slot(h, QR_R);
  const n = <i32>slot(h, QR_N);
  const z = <usize>slot(h, QR_Z);
  const count = <i32>slot(h, QR_COUNT);
  const table = <usize>slot(h, QR_TABLE);
  const bmax = <i32>slot(h, QR_BMAX);
  const m1 = (work + 63) & ~(<usize>63);
  const m2 = m1 + ((<usize>(rowsPerJob * bmax) << 3) + 63 & ~(<usize>63));
  const gw = m2 + ((<usize>(rowsPerJob * bmax) << 3) + 63 & ~(<usize>63));
  const jobs = (r + rowsPerJob - 1) / rowsPerJob;
  let ran = 0;
  for (;;) {
    const j = atomic.add<i32>(ctl + QR_NEXT, 1);
    if (j >= jobs) break;
    const i0 = j * rowsPerJob;
    const rows = min(rowsPerJob, r - i0);
    const zc = z + (<usize>i0 * <usize>n << 3);
    for (let q = 0; q < count; q++) {
      const e = table + (<usize>q << 5);
      const k0 = <i32>load<f64>(e);
      const b = <i32>load<f64>(e, 8);
      const yt = <usize>load<f64>(e, 16);
      const t = <usize>load<f64>(e, 24);
      const len = n - k0 - 1;
      const zk = zc + (<usize>(k0 + 1) << 3);
      gemm(0, 1, rows, b, len, 1.0, zk, n, yt, len, 0.0, m1, b, gw);
      gemm(0, 1, rows, b, b, 1.0, m1, b, t, b, 0.0, m2, b, gw);
      gemm(0, 0, rows, len, b, -1.0, m2, b, yt, len, 1.0, zk, n, gw);
    }
    ran++;
  }
  return ran;
}

// ---------------------------------------------------------------------------------------------
// The secular problems of divide and conquer (src/linalg/tridiagonal.ts merge, through
// kernels/secular.ts): the k eigenpairs of D + ρ z zᵀ (d ascending, z_j ≠ 0, ρ > 0), in three
// phases over index ranges claimed by the calling thread and the workers — roots, then ẑ by
// Löwner's formula, then the eigenvectors — each index computed alone, the same bits on any
// thread count. The formulas and their sources are at the TypeScript reference
// (src/linalg/secular.ts secularRoots, src/linalg/tridiagonal.ts secularVectors).

/** Header slots (f64) of secularJobs. */
const SQ_PHASE: i32 = 0; // 0 roots, 1 ẑ, 2 eigenvectors
const SQ_K: i32 = 1;
const SQ_RHO: i32 = 2;
const SQ_D: i32 = 3; // d (k)
const SQ_Z: i32 = 4; // z (k)
const SQ_ORG: i32 = 5; // origin pole of each root, as f64 (k)
const SQ_TAU: i32 = 6; // offset from it (k)
const SQ_ZH: i32 = 7; // ẑ (k)
const SQ_SLOT: i32 = 8; // column of Uᵀ of each j, as f64 (k)
const SQ_UT: i32 = 9; // Uᵀ (k×k): row i = the unit eigenvector of root i, entry slot[j] its j-th component
const SQ_CHUNK: i32 = 10; // indices per job

/** Control words (i32) of secularJobs: the job counter. */
const SQ_NEXT: usize = 0;

/** Bytes of one thread's workspace of secularJobs for k poles (the roots' shifted poles, two sums). */
export function secularWorkBytes(k: i32): f64 {
  return <f64>k * 8.0 + 16.0 + 64.0;
}

/**
 * One thread's share of the current phase of a secular problem (h: header, ctl: control words,
 * work: secularWorkBytes(k) of private scratch). Returns the jobs it ran.
 */
export function secularJobs(h: usize, ctl: usize, work: usize): i32 {
  const phase = <i32>slot(h, SQ_PHASE);
  const k = <i32>slot(h, SQ_K);
  const chunk = <i32>slot(h, SQ_CHUNK);
  const jobs = (k + chunk - 1) / chunk;
  let ran = 0;
  for (;;) {
    const j = atomic.add<i32>(ctl + SQ_NEXT, 1);
    if (j >= jobs) break;
    const i0 = j * chunk;
    const i1 = min(k, i0 + chunk);
    if (phase == 0) secularRootRange(h, i0, i1, work);
    else if (phase == 1) lownerRange(h, i0, i1);
    else secularVectorRange(h, i0, i1);
    ran++;
  }
  return ran;
}

// @ts-ignore: decorator
@inline function f64at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/**
 * out[0] = Σ_{j∈[lo,hi)} z_j²/(δ_j − t) and out[1] = Σ z_j²/(δ_j − t)², in two f64x2 lanes (the
 * terms j − lo even and odd), added, then the last term when hi − lo is odd: two divisions per
 * instruction. src/linalg/secular.ts poleSums sums in the same order.
 */
function poleSums(z: usize, delta: usize, lo: i32, hi: i32, t: f64, out: usize): void {
  const one = f64x2.splat(1.0);
  const tv = f64x2.splat(t);
  let s = f64x2.splat(0.0);
  let ds = f64x2.splat(0.0);
  let j = lo;
  for (; j + 1 < hi; j += 2) {
    const o = <usize>j << 3;
    const zv = v128.load(z + o);
    const r = f64x2.div(one, f64x2.sub(v128.load(delta + o), tv));
    const q = f64x2.mul(f64x2.mul(zv, zv), r);
    s = f64x2.add(s, q);
    ds = f64x2.add(ds, f64x2.mul(q, r));
  }
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let dsum = f64x2.extract_lane(ds, 0) + f64x2.extract_lane(ds, 1);
  if (j < hi) {
    const r = 1.0 / (f64at(delta, j) - t);
    const zj = f64at(z, j);
    const q = zj * zj * r;
    sum += q;
    dsum += q * r;
  }
  store<f64>(out, sum);
  store<f64>(out, dsum, 8);
}

/** Roots i ∈ [i0, i1) of g(λ) = 1/ρ + Σ_j z_j²/(d_j − λ) (src/linalg/secular.ts secularRoots). */
function secularRootRange(h: usize, i0: i32, i1: i32, work: usize): void {
  const k = <i32>slot(h, SQ_K);
  const delta = work;
  const sums = work + (<usize>k << 3);
  const rho = slot(h, SQ_RHO);
  const d = <usize>slot(h, SQ_D);
  const z = <usize>slot(h, SQ_Z);
  const org = <usize>slot(h, SQ_ORG);
  const tau = <usize>slot(h, SQ_TAU);
  const EPS = 2.220446049250313e-16;
  let zz = 0.0;
  for (let j = 0; j < k; j++) zz += f64at(z, j) * f64at(z, j);
  if (k == 1) {
    store<f64>(org, 0.0);
    store<f64>(tau, rho * f64at(z, 0) * f64at(z, 0));
    return;
  }
  const rhoinv = 1.0 / rho;
  for (let i = i0; i < i1; i++) {
    let o: i32;
    let lo: f64;
    let hi: f64;
    let t: f64;
    const last = i == k - 1;
    if (!last) {
      const di = f64at(d, i);
      const mid = 0.5 * (f64at(d, i + 1) - di);
      for (let j = 0; j < k; j++) store<f64>(delta + (<usize>j << 3), f64at(d, j) - di);
      poleSums(z, delta, 0, k, mid, sums);
      const g = rhoinv + load<f64>(sums);
      if (g >= 0.0) {
        o = i;
        lo = 0.0;
        hi = mid;
        t = 0.5 * mid;
      } else {
        o = i + 1;
        const dn = f64at(d, i + 1);
        for (let j = 0; j < k; j++) store<f64>(delta + (<usize>j << 3), f64at(d, j) - dn);
        lo = f64at(delta, i);
        hi = 0.0;
        t = 0.5 * f64at(delta, i);
      }
    } else {
      o = k - 1;
      const dl = f64at(d, k - 1);
      for (let j = 0; j < k; j++) store<f64>(delta + (<usize>j << 3), f64at(d, j) - dl);
      lo = 0.0;
      hi = rho * zz * (1.0 + 8.0 * EPS);
      // lastRootGuess: the last pole exact, the others at the bracket's right end.
      poleSums(z, delta, 0, k - 1, hi, sums);
      const den = rhoinv + load<f64>(sums);
      const zl = f64at(z, k - 1);
      const guess = den > 0.0 ? (zl * zl) / den : 0.5 * hi;
      t = guess > 0.0 && guess < hi ? guess : 0.5 * hi;
    }
    const pl = last ? k - 2 : i;
    const pr = last ? k - 1 : i + 1;
    for (let it = 0; it < 100; it++) {
      poleSums(z, delta, 0, pl + 1, t, sums);
      const psi = load<f64>(sums);
      const dpsi = load<f64>(sums, 8);
      poleSums(z, delta, pl + 1, k, t, sums);
      const phi = load<f64>(sums);
      const dphi = load<f64>(sums, 8);
      const g = rhoinv + psi + phi;
      const err = 8.0 * (Math.abs(phi) + Math.abs(psi) + rhoinv) + Math.abs(t) * (dpsi + dphi);
      if (Math.abs(g) <= EPS * err) break;
      if (g < 0.0) lo = t;
      else hi = t;
      if (hi - lo <= 4.0 * EPS * max(Math.abs(lo), Math.abs(hi))) break;
      const a = f64at(delta, pl) - t;
      const b = f64at(delta, pr) - t;
      const s = a * a * dpsi;
      const S = b * b * dphi;
      const c = g - s / a - S / b;
      const B = c * (a + b) + s + S;
      const C = c * a * b + s * b + S * a;
      let eta = NaN;
      if (c == 0.0) {
        eta = C / B;
      } else {
        const disc = max(B * B - 4.0 * c * C, 0.0);
        const q = 0.5 * (B + (B >= 0.0 ? 1.0 : -1.0) * Math.sqrt(disc));
        const e1 = q / c;
        const e2 = q == 0.0 ? NaN : C / q;
        const lo2 = last ? b : a;
        const hi2 = last ? Infinity : b;
        if (e1 > lo2 && e1 < hi2) eta = e1;
        else if (e2 > lo2 && e2 < hi2) eta = e2;
      }
      let tn = t + eta;
      if (!(tn > lo && tn < hi)) {
        tn = 0.5 * (lo + hi);
        if (!(tn > lo && tn < hi)) break;
      }
      if (tn == t) break;
      t = tn;
    }
    store<f64>(org + (<usize>i << 3), <f64>o);
    store<f64>(tau + (<usize>i << 3), t);
  }
}

/** d_j − λ_i to full relative accuracy: (d_j − d_{org_i}) − τ_i. */
// @ts-ignore: decorator
@inline function poleGap(d: usize, org: usize, tau: usize, j: i32, i: i32): f64 {
  return f64at(d, j) - f64at(d, <i32>f64at(org, i)) - f64at(tau, i);
}

/**
 * ẑ_j for j ∈ [i0, i1) by Löwner's formula, ẑ_j² = (λ_{k−1} − d_j)/ρ · Π_{i<j} (λ_i − d_j)/(d_i − d_j)
 * · Π_{i>j} (λ_{i−1} − d_j)/(d_i − d_j), sign(ẑ_j) = sign(z_j) (src/linalg/tridiagonal.ts).
 */
function lownerRange(h: usize, i0: i32, i1: i32): void {
  const k = <i32>slot(h, SQ_K);
  const rho = slot(h, SQ_RHO);
  const d = <usize>slot(h, SQ_D);
  const z = <usize>slot(h, SQ_Z);
  const org = <usize>slot(h, SQ_ORG);
  const tau = <usize>slot(h, SQ_TAU);
  const zh = <usize>slot(h, SQ_ZH);
  for (let j = i0; j < i1; j++) {
    const dj = f64at(d, j);
    let p = -poleGap(d, org, tau, j, k - 1) / rho;
    for (let i = 0; i < j; i++) p *= -poleGap(d, org, tau, j, i) / (f64at(d, i) - dj);
    for (let i = j + 1; i < k; i++) p *= -poleGap(d, org, tau, j, i - 1) / (f64at(d, i) - dj);
    const a = Math.sqrt(max(p, 0.0));
    store<f64>(zh + (<usize>j << 3), f64at(z, j) >= 0.0 ? a : -a);
  }
}

/** Rows i ∈ [i0, i1) of Uᵀ: u_i = (D − λ_i)⁻¹ ẑ / ‖·‖, component j at column slot[j]. */
function secularVectorRange(h: usize, i0: i32, i1: i32): void {
  const k = <i32>slot(h, SQ_K);
  const d = <usize>slot(h, SQ_D);
  const org = <usize>slot(h, SQ_ORG);
  const tau = <usize>slot(h, SQ_TAU);
  const zh = <usize>slot(h, SQ_ZH);
  const slots = <usize>slot(h, SQ_SLOT);
  const ut = <usize>slot(h, SQ_UT);
  for (let i = i0; i < i1; i++) {
    const row = ut + (<usize>i * <usize>k << 3);
    const di = f64at(d, <i32>f64at(org, i));
    const ti = f64at(tau, i);
    let norm = 0.0;
    for (let j = 0; j < k; j++) {
      const x = f64at(zh, j) / (f64at(d, j) - di - ti);
      store<f64>(row + (<usize>(<i32>f64at(slots, j)) << 3), x);
      norm += x * x;
    }
    const inv = 1.0 / Math.sqrt(norm);
    for (let c = 0; c < k; c++) store<f64>(row + (<usize>c << 3), inv * load<f64>(row + (<usize>c << 3)));
  }
}

// ---------------------------------------------------------------------------------------------
// Level-1 kernels of one-sided Jacobi (src/linalg/svd.ts on a resident arena).

/**
 * out[0] = xᵀx, out[1] = yᵀy, out[2] = xᵀy for the n doubles at x and y: four interleaved partial
 * sums s_r = Σ_{k ≡ r (mod 4), k < n − n mod 4} (two f64x2 accumulators), added as
 * (s0 + s2) + (s1 + s3), then the last n mod 4 terms left to right — the order of the TypeScript
 * loops (src/linalg/arena.ts), so both engines give the same bits (out: 3 doubles). Four chains
 * instead of one: a dot product of 500 entries waits on 125 dependent adds, not 500.
 */
export function dots3(x: usize, y: usize, n: i32, out: usize): void {
  let aa0 = f64x2.splat(0.0);
  let aa1 = f64x2.splat(0.0);
  let bb0 = f64x2.splat(0.0);
  let bb1 = f64x2.splat(0.0);
  let ab0 = f64x2.splat(0.0);
  let ab1 = f64x2.splat(0.0);
  let k = 0;
  for (; k + 3 < n; k += 4) {
    const o = <usize>k << 3;
    const a0 = v128.load(x + o);
    const a1 = v128.load(x + o, 16);
    const b0 = v128.load(y + o);
    const b1 = v128.load(y + o, 16);
    aa0 = f64x2.add(aa0, f64x2.mul(a0, a0));
    aa1 = f64x2.add(aa1, f64x2.mul(a1, a1));
    bb0 = f64x2.add(bb0, f64x2.mul(b0, b0));
    bb1 = f64x2.add(bb1, f64x2.mul(b1, b1));
    ab0 = f64x2.add(ab0, f64x2.mul(a0, b0));
    ab1 = f64x2.add(ab1, f64x2.mul(a1, b1));
  }
  let a2 = sumLanes(f64x2.add(aa0, aa1));
  let b2 = sumLanes(f64x2.add(bb0, bb1));
  let ab = sumLanes(f64x2.add(ab0, ab1));
  for (; k < n; k++) {
    const o = <usize>k << 3;
    const a = load<f64>(x + o);
    const b = load<f64>(y + o);
    a2 += a * a;
    b2 += b * b;
    ab += a * b;
  }
  store<f64>(out, a2);
  store<f64>(out, b2, 8);
  store<f64>(out, ab, 16);
}

/** v[0] + v[1]. */
// @ts-ignore: decorator
@inline function sumLanes(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * The plane rotation (x, y) ← (c·x − s·y, s·x + c·y) of the n doubles at x and y (BLAS drot
 * with s negated), four entries per step; when out ≠ 0, out[0] = ‖x‖², out[1] = ‖y‖² of the
 * results, summed as dots3 sums (four interleaved partial sums, then the tail): the TypeScript
 * loops' order, the same bits.
 */
export function rotatePair(x: usize, y: usize, n: i32, c: f64, s: f64, out: usize): void {
  const cv = f64x2.splat(c);
  const sv = f64x2.splat(s);
  let aa0 = f64x2.splat(0.0);
  let aa1 = f64x2.splat(0.0);
  let bb0 = f64x2.splat(0.0);
  let bb1 = f64x2.splat(0.0);
  let k = 0;
  for (; k + 3 < n; k += 4) {
    const o = <usize>k << 3;
    const a0 = v128.load(x + o);
    const a1 = v128.load(x + o, 16);
    const b0 = v128.load(y + o);
    const b1 = v128.load(y + o, 16);
    const an0 = f64x2.sub(f64x2.mul(cv, a0), f64x2.mul(sv, b0));
    const an1 = f64x2.sub(f64x2.mul(cv, a1), f64x2.mul(sv, b1));
    const bn0 = f64x2.add(f64x2.mul(sv, a0), f64x2.mul(cv, b0));
    const bn1 = f64x2.add(f64x2.mul(sv, a1), f64x2.mul(cv, b1));
    v128.store(x + o, an0);
    v128.store(x + o, an1, 16);
    v128.store(y + o, bn0);
    v128.store(y + o, bn1, 16);
    aa0 = f64x2.add(aa0, f64x2.mul(an0, an0));
    aa1 = f64x2.add(aa1, f64x2.mul(an1, an1));
    bb0 = f64x2.add(bb0, f64x2.mul(bn0, bn0));
    bb1 = f64x2.add(bb1, f64x2.mul(bn1, bn1));
  }
  let a2 = sumLanes(f64x2.add(aa0, aa1));
  let b2 = sumLanes(f64x2.add(bb0, bb1));
  for (; k < n; k++) {
    const o = <usize>k << 3;
    const a = load<f64>(x + o);
    const b = load<f64>(y + o);
    const an = c * a - s * b;
    const bn = s * a + c * b;
    store<f64>(x + o, an);
    store<f64>(y + o, bn);
    a2 += an * an;
    b2 += bn * bn;
  }
  if (out != 0) {
    store<f64>(out, a2);
    store<f64>(out, b2, 8);
  }
}

// ---------------------------------------------------------------------------------------------
// The reduction session (driven by src/linalg/kernels/reductionSession.ts): the workers of the
// pool stay inside reductionServe for a whole tridiagonal reduction, and the caller hands them
// one command at a time — a symmetric product split into fixed row chunks, or the trailing
// rank-2k update split into fixed row tiles — through a header published under a sequence
// lock (SEQ odd while the caller writes the header, even once it is published). Jobs are
// claimed from one counter that runs on across commands (command c owns [BASE, BASE + JOBS)),
// by compare-and-swap against the claimer's own snapshot of the header, so a worker that is
// late for a command can never take a job of the next one. The partition of every command
// depends on the problem only, each job writes only its own outputs, and the chunks of a
// product are summed in chunk order by the caller: the results are the same bits for every
// thread count, whichever thread runs which job.

/** Header slots (f64) of a reduction command. */
const R_CMD: i32 = 0;
const R_BASE: i32 = 1;
const R_JOBS: i32 = 2;
const R_N: i32 = 3;
const R_A: i32 = 4;
const R_LDA: i32 = 5;
const R_S: i32 = 6;
const R_X: i32 = 7;
const R_Y: i32 = 8;
const R_PART: i32 = 9;
const R_VW: i32 = 10;
const R_SW: i32 = 11;
const R_K: i32 = 12;
const R_TILE: i32 = 13;
/** Nonzero: the workers take no job of this command (the caller's stall fallback). */
const R_SOLO: i32 = 14;
/** Row bounds of the chunks of a product: slots R_BOUNDS … R_BOUNDS + JOBS. */
const R_BOUNDS: i32 = 16;

/** Commands. */
const CMD_SYMV: i32 = 1;
const CMD_UPDATE: i32 = 2;
const CMD_STOP: i32 = 3;

/**
 * Control words (i32): the sequence lock, the job counter, jobs finished, the abort flag, and
 * the caller's stalls (waits for a worker's job that lasted a whole WAIT_NS).
 */
const Q_SEQ: usize = 0;
const Q_NEXT: usize = 4;
const Q_DONE: usize = 8;
const Q_ABORT: usize = 12;
const Q_STALLS: usize = 16;

/** Longest single sleep of a waiting thread (ns) before it looks at the flags again. */
const WAIT_NS: i64 = 1000000;

/**
 * Polls of a control word before a thread sleeps on it: ≈ 0.1 ms on the dev machine, longer than
 * the caller's work between two commands (a panel column's level-1 passes). At 20,000 polls
 * (≈ 11 µs) a worker fell asleep between most commands and woke ~50 µs late, and two threads
 * reduced n = 1000 no faster than one (tridiagonalize: 93 ms against 96 ms; 73 ms now).
 */
const SPIN_POLLS: i32 = 200000;

/**
 * Job j of the published command. A product chunk j adds the rows [bound_j, bound_{j+1}) to its
 * own partial vector (part + 8·j·n bytes; straight into y when the product has one chunk); an
 * update tile j is C −= Xᵀ·Y on the rows [s + j·tile, +tile) of the upper triangle, from their
 * diagonal on (gemms of one thread, with this thread's workspace: the diagonal block in strips,
 * then the rectangle right of it; each entry's sum is one micro-kernel's, whatever the tiling).
 */
function reductionJob(h: usize, j: i32, work: usize): void {
  const n = <i32>slot(h, R_N);
  const a = <usize>slot(h, R_A);
  const lda = <i32>slot(h, R_LDA);
  const s = <i32>slot(h, R_S);
  if (<i32>slot(h, R_CMD) == CMD_SYMV) {
    const r0 = <i32>slot(h, R_BOUNDS + j);
    const r1 = <i32>slot(h, R_BOUNDS + j + 1);
    const jobs = <i32>slot(h, R_JOBS);
    const out = jobs == 1 ? <usize>slot(h, R_Y) : <usize>slot(h, R_PART) + (<usize>j * <usize>n << 3);
    symvRows(n, a, lda, r0, r1, <usize>slot(h, R_X), out);
    return;
  }
  const k = <i32>slot(h, R_K);
  const tile = <i32>slot(h, R_TILE);
  const r0 = s + j * tile;
  const rows = min(tile, n - r0);
  const vw = <usize>slot(h, R_VW);
  const sw = <usize>slot(h, R_SW);
  const len = n - s;
  // The tile's diagonal block in strips of UPDATE_STRIP rows from their own diagonal on, then the
  // rectangle right of the block: the entries below the diagonal that a single gemm of the whole
  // tile would compute and discard shrink from tile²/2 to tile·UPDATE_STRIP/2.
  for (let q = 0; q < rows; q += UPDATE_STRIP) {
    const r = r0 + q;
    updateBlock(n, a, lda, k, vw, sw, len, s, r, min(UPDATE_STRIP, rows - q), r, r0 + rows - r, work);
  }
  if (r0 + rows < n) updateBlock(n, a, lda, k, vw, sw, len, s, r0, rows, r0 + rows, n - r0 - rows, work);
}

/** Rows of the strips of an update tile's diagonal block (a multiple of the micro-kernel's MR). */
const UPDATE_STRIP: i32 = 16;

/**
 * A[r : r + rows, c : c + cols] −= Xᵀ·Y on those rows and columns (X = VW: k×n, row stride n;
 * Y = SW: k×len, compact, its column 0 being column s): one gemm of inner dimension k.
 */
function updateBlock(
  n: i32, a: usize, lda: i32, k: i32, vw: usize, sw: usize, len: i32, s: i32,
  r: i32, rows: i32, c: i32, cols: i32, work: usize,
): void {
  gemm(
    1, 0, rows, cols, k, -1.0, vw + (<usize>r << 3), n,
    sw + (<usize>(c - s) << 3), len, 1.0, a + (<usize>(r * lda + c) << 3), lda, work,
  );
}

/** Claim and run jobs [base, end) of the counter until none is left; the number run. */
function reductionClaim(h: usize, ctl: usize, work: usize, base: i32, end: i32): i32 {
  let ran = 0;
  for (;;) {
    const g = atomic.load<i32>(ctl + Q_NEXT);
    if (g >= end) break;
    if (atomic.cmpxchg<i32>(ctl + Q_NEXT, g, g + 1) != g) continue;
    reductionJob(h, g - base, work);
    atomic.add<i32>(ctl + Q_DONE, 1);
    atomic.notify(ctl + Q_DONE);
    ran++;
  }
  return ran;
}

/**
 * A worker's part of a session (h: header, ctl: control words, work: this thread's gemm
 * workspace): wait for each published command, take jobs of it, until CMD_STOP or the abort
 * flag. Returns the jobs it ran, or −1 when aborted.
 */
export function reductionServe(h: usize, ctl: usize, work: usize): i32 {
  let seen = 0;
  let ran = 0;
  for (;;) {
    const seq = atomic.load<i32>(ctl + Q_SEQ);
    if (seq == seen || (seq & 1) != 0) {
      if (atomic.load<i32>(ctl + Q_ABORT) != 0) return -1;
      let polls = 0;
      while (atomic.load<i32>(ctl + Q_SEQ) == seq && polls < SPIN_POLLS) polls++;
      if (polls == SPIN_POLLS) atomic.wait<i32>(ctl + Q_SEQ, seq, WAIT_NS);
      continue;
    }
    const cmd = <i32>slot(h, R_CMD);
    const base = <i32>slot(h, R_BASE);
    const end = base + <i32>slot(h, R_JOBS);
    const solo = slot(h, R_SOLO) != 0.0;
    if (atomic.load<i32>(ctl + Q_SEQ) != seq) continue;
    seen = seq;
    if (cmd == CMD_STOP) break;
    if (!solo) ran += reductionClaim(h, ctl, work, base, end);
  }
  return ran;
}

/**
 * The caller's part of the published command: take jobs until none is left, wait until every
 * job is finished, and for a product of several chunks sum the partial vectors into y in chunk
 * order (y[c] = Σ_j part_j[c] over the chunks j whose rows start at or before c). claim = 0
 * leaves every job to the workers (a test hook). Returns the jobs the caller ran, or −1 when a
 * worker raised the abort flag.
 */
export function reductionRun(h: usize, ctl: usize, work: usize, claim: i32): i32 {
  const base = <i32>slot(h, R_BASE);
  const jobs = <i32>slot(h, R_JOBS);
  const end = base + jobs;
  const ran = claim != 0 ? reductionClaim(h, ctl, work, base, end) : 0;
  for (;;) {
    const done = atomic.load<i32>(ctl + Q_DONE);
    if (done >= end) break;
    if (atomic.load<i32>(ctl + Q_ABORT) != 0) return -1;
    let polls = 0;
    while (atomic.load<i32>(ctl + Q_DONE) == done && polls < SPIN_POLLS) polls++;
    // A whole WAIT_NS without a finished job: a worker holding a job is not running (more
    // threads than free cores). Counted, so that the driver can stop offering jobs.
    if (polls == SPIN_POLLS && atomic.wait<i32>(ctl + Q_DONE, done, WAIT_NS) == 2) atomic.add<i32>(ctl + Q_STALLS, 1);
  }
  if (<i32>slot(h, R_CMD) == CMD_SYMV && jobs > 1) {
    const n = <i32>slot(h, R_N);
    const y = <usize>slot(h, R_Y);
    const part = <usize>slot(h, R_PART);
    const stride = <usize>n << 3;
    for (let j = 0; j < jobs; j++) {
      const r0 = <i32>slot(h, R_BOUNDS + j);
      const src = part + <usize>j * stride;
      if (j == 0) {
        memory.copy(y + (<usize>r0 << 3), src + (<usize>r0 << 3), <usize>(n - r0) << 3);
        continue;
      }
      let c = r0;
      for (; c + 1 < n; c += 2) {
        const o = <usize>c << 3;
        v128.store(y + o, f64x2.add(v128.load(y + o), v128.load(src + o)));
      }
      if (c < n) {
        const o = <usize>c << 3;
        store<f64>(y + o, load<f64>(y + o) + load<f64>(src + o));
      }
    }
  }
  return ran;
}

// ---------------------------------------------------------------------------------------------
// Level-2 kernels of the reduction's panel (src/linalg/tridiagonalize.ts columnPasses on a
// resident arena): several dot products, or two combinations, of a block of equal-stride rows
// (row q at r0 + 8·q·n bytes) over the columns [lo, n). The TypeScript ones are rowops.ts.

/** out[q] = Σ_{c ∈ [lo, n)} row_q[c]·x[c] for q < count (two f64x2 accumulators per row pair). */
export function panelDots(r0: usize, n: i32, count: i32, x: usize, lo: i32, out: usize): void {
  const stride = <usize>n << 3;
  let q = 0;
  for (; q + 1 < count; q += 2) {
    const a = r0 + <usize>q * stride;
    const b = a + stride;
    let va = f64x2.splat(0.0);
    let vb = f64x2.splat(0.0);
    let c = lo;
    for (; c + 1 < n; c += 2) {
      const o = <usize>c << 3;
      const xc = v128.load(x + o);
      va = madd(v128.load(a + o), xc, va);
      vb = madd(v128.load(b + o), xc, vb);
    }
    let sa = f64x2.extract_lane(va, 0) + f64x2.extract_lane(va, 1);
    let sb = f64x2.extract_lane(vb, 0) + f64x2.extract_lane(vb, 1);
    if (c < n) {
      const o = <usize>c << 3;
      const xc = load<f64>(x + o);
      sa += load<f64>(a + o) * xc;
      sb += load<f64>(b + o) * xc;
    }
    store<f64>(out + (<usize>q << 3), sa);
    store<f64>(out + (<usize>q << 3), sb, 8);
  }
  if (q < count) {
    const a = r0 + <usize>q * stride;
    let s = 0.0;
    for (let c = lo; c < n; c++) s += load<f64>(a + (<usize>c << 3)) * load<f64>(x + (<usize>c << 3));
    store<f64>(out + (<usize>q << 3), s);
  }
}

/**
 * ta[c] −= Σ_{q<count} ca[q]·row_q[c] and, when tb ≠ 0, tb[c] −= Σ_{q<count} cb[q]·row_q[c],
 * for c in [lo, n): two combinations of the same rows in one sweep, two rows per pass.
 */
export function panelCombinations(r0: usize, n: i32, count: i32, ca: usize, ta: usize, cb: usize, tb: usize, lo: i32): void {
  const stride = <usize>n << 3;
  let q = 0;
  for (; q + 1 < count; q += 2) {
    const a = r0 + <usize>q * stride;
    const b = a + stride;
    const qa = <usize>q << 3;
    const a0 = load<f64>(ca + qa);
    const a1 = load<f64>(ca + qa, 8);
    const va0 = f64x2.splat(a0);
    const va1 = f64x2.splat(a1);
    if (tb == 0) {
      let c = lo;
      for (; c + 1 < n; c += 2) {
        const o = <usize>c << 3;
        const u = madd(v128.load(b + o), va1, f64x2.mul(v128.load(a + o), va0));
        v128.store(ta + o, f64x2.sub(v128.load(ta + o), u));
      }
      if (c < n) {
        const o = <usize>c << 3;
        store<f64>(ta + o, load<f64>(ta + o) - (load<f64>(a + o) * a0 + load<f64>(b + o) * a1));
      }
      continue;
    }
    const b0 = load<f64>(cb + qa);
    const b1 = load<f64>(cb + qa, 8);
    const vb0 = f64x2.splat(b0);
    const vb1 = f64x2.splat(b1);
    let c = lo;
    for (; c + 1 < n; c += 2) {
      const o = <usize>c << 3;
      const x0 = v128.load(a + o);
      const x1 = v128.load(b + o);
      v128.store(ta + o, f64x2.sub(v128.load(ta + o), madd(x1, va1, f64x2.mul(x0, va0))));
      v128.store(tb + o, f64x2.sub(v128.load(tb + o), madd(x1, vb1, f64x2.mul(x0, vb0))));
    }
    if (c < n) {
      const o = <usize>c << 3;
      const x0 = load<f64>(a + o);
      const x1 = load<f64>(b + o);
      store<f64>(ta + o, load<f64>(ta + o) - (x0 * a0 + x1 * a1));
      store<f64>(tb + o, load<f64>(tb + o) - (x0 * b0 + x1 * b1));
    }
  }
  if (q < count) {
    const a = r0 + <usize>q * stride;
    const a0 = load<f64>(ca + (<usize>q << 3));
    const b0 = tb == 0 ? 0.0 : load<f64>(cb + (<usize>q << 3));
    for (let c = lo; c < n; c++) {
      const o = <usize>c << 3;
      const x0 = load<f64>(a + o);
      store<f64>(ta + o, load<f64>(ta + o) - x0 * a0);
      if (tb != 0) store<f64>(tb + o, load<f64>(tb + o) - x0 * b0);
    }
  }
}
