// Euclidean projection onto the polyhedral cones of the ReLU program, K = {u : cs_k x_kᵀu ≥ 0},
// by the dual active-set method of Goldfarb & Idnani (1983, Math. Prog. 27) — the f64x2 port of
// projectActiveSetTs in src/convex/coneProx.ts (which stays the fallback and the test oracle;
// the two agree step by step up to the summation order of the dot products).
// Driven by src/convex/coneKernel.ts on resident operands in a shared memory:
//   X (n×d), ‖x_k‖ (n), X Xᵀ (n×n, or 0: dot products from A_S), CS (P×n cone signs ±1),
// and a batch of jobs (pattern p_i, z_i, warm active set S_i) that every thread drains through
// one atomic counter (a worker thread and the caller run projectBatch on the same batch).
//
// Per job: start from S_i, drop the most negative multiplier of the equality problem on S until
// λ_S ≥ 0; then repeat: most violated row k (among ≤ CANDIDATES rows from the last full scan of
// X u, or a full scan), step along λ_k with λ_S' = −r, r = (A_S A_Sᵀ)⁻¹A_S a_k: the full step
// adds k, a shorter one drops the row whose λ reaches 0 first. A_S A_Sᵀ = L Lᵀ is appended by a
// row and downdated by Givens rotations. Output: u = Π_K z, X u, and the rows with λ > 0, or
// −1 (degenerate step, iteration cap) for the caller's NNLS path.

/** Violated rows kept from a full scan as candidates (coneProx.ts CANDIDATES). */
const CANDIDATES: i32 = 64;

/** First free byte after the static data, 64-byte aligned. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/** Bytes of one thread's scratch for dimension d and n rows (see projectOne). */
export function workBytes(n: i32, d: i32): f64 {
  return 8.0 * <f64>(2 * (d + 1) * d + 3 * (d + 1) + 2 * d + n) + 4.0 * <f64>n + 64.0 * 8.0;
}

// @ts-ignore: decorator
@inline function f64at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline function setf64(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

// @ts-ignore: decorator
@inline function i32at(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function seti32(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}

/** Σ_j a_j b_j over len entries (two f64x2 accumulators). */
// @ts-ignore: decorator
@inline function dot(a: usize, b: usize, len: i32): f64 {
  let acc0 = f64x2.splat(0.0);
  let acc1 = f64x2.splat(0.0);
  let j = 0;
  for (; j + 4 <= len; j += 4) {
    const o = <usize>j << 3;
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(a + o), v128.load(b + o)));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
  }
  if (j + 2 <= len) {
    const o = <usize>j << 3;
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(a + o), v128.load(b + o)));
    j += 2;
  }
  acc0 = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
  if (j < len) s += f64at(a, j) * f64at(b, j);
  return s;
}

/** y += α x over len entries. */
// @ts-ignore: decorator
@inline function axpy(alpha: f64, x: usize, y: usize, len: i32): void {
  const av = f64x2.splat(alpha);
  let j = 0;
  for (; j + 2 <= len; j += 2) {
    const o = <usize>j << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(av, v128.load(x + o))));
  }
  if (j < len) setf64(y, j, f64at(y, j) + alpha * f64at(x, j));
}

/**
 * Append row m of L (stride d) for A_S A_Sᵀ: entries a_cᵀa_k (from X Xᵀ when gx ≠ 0, else from
 * the rows of A_S), forward substitution l = L⁻¹(A_S a_k); returns ‖a_k‖² − ‖l‖² (squared new
 * pivot; L[m, m] is left to the caller). linalg choleskyAppendRow.
 */
function appendRow(L: usize, AS: usize, S: usize, m: i32, d: i32, k: i32, gx: usize, cs: usize, n: i32): f64 {
  const mo = L + (<usize>(m * d) << 3);
  const am = AS + (<usize>(m * d) << 3);
  const aa = dot(am, am, d);
  const sk = f64at(cs, k);
  for (let c = 0; c < m; c++) {
    const sc = i32at(S, c);
    setf64(mo, c, gx != 0
      ? f64at(cs, sc) * sk * load<f64>(gx + ((<usize>sc * <usize>n + <usize>k) << 3))
      : dot(AS + (<usize>(c * d) << 3), am, d));
  }
  let ll = 0.0;
  for (let c = 0; c < m; c++) {
    const co = L + (<usize>(c * d) << 3);
    const v = (f64at(mo, c) - dot(co, mo, c)) / f64at(co, c);
    setf64(mo, c, v);
    ll += v * v;
  }
  return aa - ll;
}

/** x ← L⁻¹x (forward substitution, L m×m lower, stride d). */
function forwardSolve(L: usize, d: i32, m: i32, x: usize): void {
  for (let i = 0; i < m; i++) {
    const li = L + (<usize>(i * d) << 3);
    setf64(x, i, (f64at(x, i) - dot(li, x, i)) / f64at(li, i));
  }
}

/** x ← L⁻ᵀx (back substitution by column axpys). */
function backSolveT(L: usize, d: i32, m: i32, x: usize): void {
  for (let k = m - 1; k >= 0; k--) {
    const lk = L + (<usize>(k * d) << 3);
    const xk = f64at(x, k) / f64at(lk, k);
    setf64(x, k, xk);
    if (xk != 0.0) axpy(-xk, lk, x, k);
  }
}

/** λ of the equality problem on the m rows of A_S: L Lᵀ λ = −A_S z. */
function solveEquality(L: usize, AS: usize, m: i32, d: i32, z: usize, lam: usize): void {
  for (let a = 0; a < m; a++) setf64(lam, a, -dot(AS + (<usize>(a * d) << 3), z, d));
  forwardSolve(L, d, m, lam);
  backSolveT(L, d, m, lam);
}

/** Delete row c of the m active rows: A_S, S, λ shift up; L by Givens rotations (linalg choleskyDeleteRow). */
function removeRow(L: usize, AS: usize, S: usize, lam: usize, m: i32, d: i32, c: i32): void {
  for (let i = c; i < m - 1; i++) {
    memory.copy(AS + (<usize>(i * d) << 3), AS + (<usize>((i + 1) * d) << 3), <usize>d << 3);
    setf64(lam, i, f64at(lam, i + 1));
    seti32(S, i, i32at(S, i + 1));
  }
  for (let a = c; a < m - 1; a++) memory.copy(L + (<usize>(a * d) << 3), L + (<usize>((a + 1) * d) << 3), <usize>(a + 2) << 3);
  for (let j = c; j < m - 1; j++) {
    const x0 = f64at(L, j * d + j);
    const y0 = f64at(L, j * d + j + 1);
    const h = Math.hypot(x0, y0);
    const cs = x0 / h;
    const sn = y0 / h;
    for (let a = j; a < m - 1; a++) {
      const p = L + (<usize>(a * d + j) << 3);
      const x = load<f64>(p);
      const y = load<f64>(p, 8);
      store<f64>(p, cs * x + sn * y);
      store<f64>(p, -sn * x + cs * y, 8);
    }
  }
}

/** Keep the `keep` entries of cand[0..count) with the smallest vals (quickselect, in place). */
function selectSmallest(cand: usize, vals: usize, count: i32, keep: i32): i32 {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const pivot = f64at(vals, (lo + hi) >> 1);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (f64at(vals, i) < pivot) i++;
      while (f64at(vals, j) > pivot) j--;
      if (i <= j) {
        const tv = f64at(vals, i); setf64(vals, i, f64at(vals, j)); setf64(vals, j, tv);
        const tc = i32at(cand, i); seti32(cand, i, i32at(cand, j)); seti32(cand, j, tc);
        i++;
        j--;
      }
    }
    if (keep - 1 <= j) hi = j;
    else if (keep - 1 >= i) lo = i;
    else break;
  }
  return keep;
}

/**
 * One projection u = Π_K z (K of cone signs cs). S: warm active set (m0 rows) in, rows with
 * λ > 0 out (d + 1 slots). Writes u (d) and X u (n). Returns the number of rows kept, or −1.
 */
function projectOne(
  n: i32, d: i32, X: usize, rowNorm: usize, gx: usize, cs: usize,
  z: usize, tol: f64, S: usize, m0: i32, u: usize, xu: usize, work: usize,
): i32 {
  const AS = work;
  const L = AS + (<usize>((d + 1) * d) << 3);
  const lam = L + (<usize>((d + 1) * d) << 3);
  const r = lam + (<usize>(d + 1) << 3);
  const ak = r + (<usize>(d + 1) << 3);
  const vals = ak + (<usize>d << 3);
  const cand = vals + (<usize>n << 3);
  const zNorm = Math.sqrt(dot(z, z, d));
  let m = 0;
  // Warm start: the previous active set, made dual feasible by dropping negative multipliers.
  for (let idx = 0; idx < m0; idx++) {
    if (m >= d) break;
    const k = i32at(S, idx);
    const sg = f64at(cs, k);
    const xr = X + (<usize>(k * d) << 3);
    const am = AS + (<usize>(m * d) << 3);
    for (let j = 0; j < d; j++) setf64(am, j, sg * f64at(xr, j));
    seti32(S, m, k);
    const dd = appendRow(L, AS, S, m, d, k, gx, cs, n);
    const rn = f64at(rowNorm, k);
    if (!(dd > 1e-24 * rn * rn)) return -1;
    setf64(L, m * d + m, Math.sqrt(dd));
    m++;
  }
  for (;;) {
    solveEquality(L, AS, m, d, z, lam);
    let worst = -1;
    for (let c = 0; c < m; c++) if (f64at(lam, c) < 0.0 && (worst < 0 || f64at(lam, c) < f64at(lam, worst))) worst = c;
    if (worst < 0) break;
    removeRow(L, AS, S, lam, m, d, worst);
    m--;
  }
  memory.copy(u, z, <usize>d << 3);
  for (let c = 0; c < m; c++) axpy(f64at(lam, c), AS + (<usize>(c * d) << 3), u, d);
  const thr = -tol * zNorm;
  let nCand = 0;
  let fullScan = true;
  for (let step = 0; step < 4 * d + 40; step++) {
    let k = -1;
    let kv = thr;
    if (fullScan) {
      nCand = 0;
      for (let i = 0; i < n; i++) {
        const t = dot(X + (<usize>(i * d) << 3), u, d);
        setf64(xu, i, t);
        const rn = f64at(rowNorm, i);
        if (rn == 0.0) continue;
        const v = (f64at(cs, i) * t) / rn;
        if (v < thr) {
          seti32(cand, nCand, i);
          setf64(vals, nCand, v);
          nCand++;
          if (v < kv) { kv = v; k = i; }
        }
      }
      if (nCand > CANDIDATES) nCand = selectSmallest(cand, vals, nCand, CANDIDATES);
      if (k < 0) {
        // Optimal: λ_S ≥ 0, A_S u = 0, X u feasible. Keep the rows with λ > 0.
        let kept = 0;
        for (let c = 0; c < m; c++) if (f64at(lam, c) > 0.0) seti32(S, kept++, i32at(S, c));
        return kept;
      }
    } else {
      for (let c = 0; c < nCand; c++) {
        const i = i32at(cand, c);
        const v = (f64at(cs, i) * dot(X + (<usize>(i * d) << 3), u, d)) / f64at(rowNorm, i);
        if (v < kv) { kv = v; k = i; }
      }
      if (k < 0) { fullScan = true; continue; }
    }
    fullScan = false;
    // Add k, dropping rows whose multipliers reach 0 first.
    const sk = f64at(cs, k);
    const xk = X + (<usize>(k * d) << 3);
    for (let j = 0; j < d; j++) setf64(ak, j, sk * f64at(xk, j));
    const rnk = f64at(rowNorm, k);
    let lamK = 0.0;
    for (let guard = 0; ; guard++) {
      if (guard > d + 2 || m >= d) return -1;
      memory.copy(AS + (<usize>(m * d) << 3), ak, <usize>d << 3);
      seti32(S, m, k);
      const pp = appendRow(L, AS, S, m, d, k, gx, cs, n);
      // r = L⁻ᵀ l (l = L[m, 0..m)).
      memory.copy(r, L + (<usize>(m * d) << 3), <usize>m << 3);
      backSolveT(L, d, m, r);
      const aku = dot(ak, u, d);
      const degenerate = !(pp > 1e-24 * rnk * rnk);
      const tFull = degenerate ? Infinity : -aku / pp;
      let tPart = Infinity;
      let drop = -1;
      for (let c = 0; c < m; c++) {
        const rc = f64at(r, c);
        if (rc > 0.0) {
          const t = f64at(lam, c) / rc;
          if (t < tPart) { tPart = t; drop = c; }
        }
      }
      if (!isFinite(tFull) && drop < 0) return -1;
      const t = min(tFull, tPart);
      // u += t p, p = a_k − A_Sᵀ r; λ_S −= t r; λ_k += t.
      axpy(t, ak, u, d);
      for (let c = 0; c < m; c++) {
        const tr = t * f64at(r, c);
        axpy(-tr, AS + (<usize>(c * d) << 3), u, d);
        setf64(lam, c, f64at(lam, c) - tr);
      }
      lamK += t;
      if (tFull <= tPart) {
        setf64(L, m * d + m, Math.sqrt(pp));
        setf64(lam, m, lamK);
        m++;
        break;
      }
      setf64(lam, drop, 0.0);
      removeRow(L, AS, S, lam, m, d, drop);
      m--;
    }
  }
  return -1;
}

/**
 * Drain the batch whose arguments are the f64 header `h` (layout: src/convex/coneKernel.ts
 * HEADER): jobs are taken one at a time through the atomic counter at `counter`, so any number
 * of threads may run this on the same batch, each with its own `work` (workBytes(n, d)).
 * Job i: pattern pat[i], z = Z[i·d..], warm set SS[i·(d+1)..] of size MM[i]; out: U[i·d..],
 * XU[i·n..], kept rows in SS and their count (or −1) in MM[i], then DONE[i] = 1. Returns the
 * jobs this thread ran.
 */
export function projectBatch(h: usize, counter: usize, work: usize): i32 {
  const n = <i32>f64at(h, 0);
  const d = <i32>f64at(h, 1);
  const X = <usize>f64at(h, 2);
  const rowNorm = <usize>f64at(h, 3);
  const gx = <usize>f64at(h, 4);
  const CS = <usize>f64at(h, 5);
  const count = <i32>f64at(h, 6);
  const pat = <usize>f64at(h, 7);
  const Z = <usize>f64at(h, 8);
  const U = <usize>f64at(h, 9);
  const XU = <usize>f64at(h, 10);
  const SS = <usize>f64at(h, 11);
  const MM = <usize>f64at(h, 12);
  const tol = f64at(h, 13);
  const DONE = <usize>f64at(h, 14);
  let ran = 0;
  for (;;) {
    const i = atomic.add<i32>(counter, 1);
    if (i >= count) break;
    const cs = CS + ((<usize>i32at(pat, i) * <usize>n) << 3);
    const S = SS + (<usize>(i * (d + 1)) << 2);
    const kept = projectOne(
      n, d, X, rowNorm, gx, cs, Z + (<usize>(i * d) << 3), tol, S, i32at(MM, i),
      U + (<usize>(i * d) << 3), XU + ((<usize>i * <usize>n) << 3), work,
    );
    seti32(MM, i, kept);
    atomic.store<i32>(DONE + (<usize>i << 2), 1);
    ran++;
  }
  return ran;
}
