/**
 * Dense float64 matrices, row-major: entry (i, j) of an r×c matrix is `data[i * cols + j]`.
 * Every linalg routine takes and returns this shape; vectors are plain `Float64Array`s.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** An r×c matrix of zeros. */
export function zeros(rows: number, cols: number): Matrix {
  checkShape(rows, cols);
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** The n×n identity. */
export function identity(n: number): Matrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Wrap existing row-major data (no copy); throws if the length does not match rows·cols. */
export function matrix(rows: number, cols: number, data: Float64Array): Matrix {
  checkShape(rows, cols);
  if (data.length !== rows * cols) {
    throw new RangeError(`matrix: data has length ${data.length}, expected ${rows}×${cols} = ${rows * cols}`);
  }
  return { rows, cols, data };
}

/** Build a matrix from nested arrays (rows of equal length). */
export function fromRows(rows: ArrayLike<ArrayLike<number>>): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const out = zeros(r, c);
  for (let i = 0; i < r; i++) {
    const row = rows[i];
    if (row.length !== c) throw new RangeError(`fromRows: row ${i} has ${row.length} entries, expected ${c}`);
    for (let j = 0; j < c; j++) out.data[i * c + j] = row[j];
  }
  return out;
}

/** Nested-array copy of a matrix (for JSON output). */
export function toRows(a: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/** A deep copy. */
export function clone(a: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() };
}

/** Aᵀ as a new matrix. */
export function transpose(a: Matrix): Matrix {
  const { rows: r, cols: c, data } = a;
  const out = new Float64Array(r * c);
  transposeRaw(data, 0, r, c, out, 0);
  return { rows: c, cols: r, data: out };
}

/**
 * dst[dOff + j·rows + i] = α·src[sOff + i·cols + j] for i < rows, j < cols: the transpose of a
 * compact rows×cols block (scaled by α), by 32×32 tiles so that both sides stay in cache —
 * a plain double loop misses the cache on every strided access once the matrix outgrows it.
 */
export function transposeRaw(
  src: Float64Array, sOff: number, rows: number, cols: number, dst: Float64Array, dOff: number, alpha = 1,
): void {
  const T = 32;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(i0 + T, rows);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(j0 + T, cols);
      for (let i = i0; i < i1; i++) {
        const s = sOff + i * cols;
        for (let j = j0; j < j1; j++) dst[dOff + j * rows + i] = alpha * src[s + j];
      }
    }
  }
}

/** Column j of A as a new vector. */
export function column(a: Matrix, j: number): Float64Array {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) out[i] = a.data[i * a.cols + j];
  return out;
}

/** Row i of A as a view (no copy). */
export function rowView(a: Matrix, i: number): Float64Array {
  return a.data.subarray(i * a.cols, (i + 1) * a.cols);
}

function checkShape(rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`matrix shape must be non-negative integers, got ${rows}×${cols}`);
  }
}
