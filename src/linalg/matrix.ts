/**
 * Dense float64 matrices, row-major: entry (i, j) of an r×c matrix is `data[i * cols + j]`.
 * Every linalg routine takes and returns this shape; vectors are plain `Float64Array`s.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/**
 * An r×c matrix of zeros.
 *
 * @param rows - number of rows (a non-negative integer; checked)
 * @param cols - number of columns (a non-negative integer; checked)
 * @returns a new rows×cols matrix of zeros, row-major
 * @example
 * ```ts
 * import { zeros } from "splitscape";
 * const A = zeros(2, 3);
 * A.data[1 * A.cols + 2] = 5; // A[1, 2] = 5
 * ```
 */
export function zeros(rows: number, cols: number): Matrix {
  checkShape(rows, cols);
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/**
 * The n×n identity.
 *
 * @param n - the order (a non-negative integer)
 * @returns a new n×n identity matrix
 * @example
 * ```ts
 * import { identity, toRows } from "splitscape";
 * console.log(toRows(identity(2))); // [[1, 0], [0, 1]]
 * ```
 */
export function identity(n: number): Matrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/**
 * Wrap existing row-major data (no copy); throws if the length does not match rows·cols.
 *
 * @param rows - number of rows
 * @param cols - number of columns
 * @param data - the entries in row-major order, A[i, j] = data[i·cols + j]; its length must be
 * rows·cols (RangeError otherwise). It is shared, not copied.
 * @returns the matrix record over `data`
 * @example
 * ```ts
 * import { matrix, transpose } from "splitscape";
 * const A = matrix(2, 3, Float64Array.of(1, 2, 3, 4, 5, 6));
 * console.log(transpose(A).data); // Float64Array [1, 4, 2, 5, 3, 6]
 * ```
 */
export function matrix(rows: number, cols: number, data: Float64Array): Matrix {
  checkShape(rows, cols);
  if (data.length !== rows * cols) {
    throw new RangeError(`matrix: data has length ${data.length}, expected ${rows}×${cols} = ${rows * cols}`);
  }
  return { rows, cols, data };
}

/**
 * Build a matrix from nested arrays (rows of equal length).
 *
 * @param rows - the rows, each an array of the same length (RangeError otherwise)
 * @returns a new matrix holding a copy of the entries
 * @example
 * ```ts
 * import { fromRows } from "splitscape";
 * const A = fromRows([[4, 1], [1, 3]]);
 * console.log(A.rows, A.cols); // 2 2
 * ```
 */
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

/**
 * Nested-array copy of a matrix (for JSON output).
 *
 * @param a - the matrix
 * @returns its rows as plain arrays (a copy)
 * @example
 * ```ts
 * import { fromRows, matmul, toRows } from "splitscape";
 * const A = fromRows([[1, 2], [3, 4]]);
 * console.log(JSON.stringify(toRows(matmul(A, A)))); // [[7,10],[15,22]]
 * ```
 */
export function toRows(a: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/**
 * A deep copy.
 *
 * @param a - the matrix
 * @returns a new matrix with a copy of its data
 * @example
 * ```ts
 * import { clone, fromRows } from "splitscape";
 * const A = fromRows([[1, 2], [3, 4]]);
 * const B = clone(A);
 * B.data[0] = 9; // A is unchanged
 * ```
 */
export function clone(a: Matrix): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() };
}

/**
 * Aᵀ as a new matrix.
 *
 * @param a - an r×c matrix
 * @returns the c×r matrix Aᵀ (new storage)
 * @example
 * ```ts
 * import { fromRows, toRows, transpose } from "splitscape";
 * console.log(toRows(transpose(fromRows([[1, 2, 3]])))); // [[1], [2], [3]]
 * ```
 */
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

/**
 * Column j of A as a new vector.
 *
 * @param a - the matrix
 * @param j - the column index, 0 ≤ j < cols (not checked)
 * @returns a new vector of length rows holding A[:, j]
 * @example
 * ```ts
 * import { column, fromRows } from "splitscape";
 * console.log(column(fromRows([[1, 2], [3, 4]]), 1)); // Float64Array [2, 4]
 * ```
 */
export function column(a: Matrix, j: number): Float64Array {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) out[i] = a.data[i * a.cols + j];
  return out;
}

/**
 * Row i of A as a view (no copy).
 *
 * @param a - the matrix
 * @param i - the row index, 0 ≤ i < rows (not checked)
 * @returns a subarray view of A[i, :]; writing to it writes into A
 * @example
 * ```ts
 * import { fromRows, rowView, scal } from "splitscape";
 * const A = fromRows([[1, 2], [3, 4]]);
 * scal(10, rowView(A, 1)); // A is now [[1, 2], [30, 40]]
 * ```
 */
export function rowView(a: Matrix, i: number): Float64Array {
  return a.data.subarray(i * a.cols, (i + 1) * a.cols);
}

function checkShape(rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`matrix shape must be non-negative integers, got ${rows}×${cols}`);
  }
}
