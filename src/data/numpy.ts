/**
 * Datasets in NumPy's formats (io/npy.ts, io/npz.ts):
 *  - `.npz`: arrays X (n × …) and y (n, or n × k) by name, "X" and "y" unless `xKey`/`yKey` say
 *    otherwise; an X of more than two dimensions (images n × C × H × W) is flattened per sample in
 *    C order, as torch.flatten(x, 1) does;
 *  - `.npy`: one 2-D array [n, d + K] whose last K = `labelCols` (default 1) columns are y, as in
 *    a CSV file.
 * Any element type NumPy saves as numbers (float16/32/64, integers, bool) is widened to float64;
 * NaN/±Inf are InputErrors naming the file, the array and the entry.
 */
import { InputError } from "../common/errors.js";
import { encodeNpy, encodeNpz, readNpy, readNpz, type NpzArchive, type Tensor } from "../io/index.js";
import { describeIndex, firstNonFinite, formatShape } from "../io/tensor.js";
import type { Matrix } from "../linalg/index.js";
import { makeDataset } from "./build.js";
import type { Dataset } from "./dataset.js";

/** Options of the NumPy dataset readers. */
export interface NumpyDatasetOptions {
  /** .npy: trailing columns that are targets (default 1). */
  labelCols?: number;
  /** .npz: name of the input array (default "X"). */
  xKey?: string;
  /** .npz: name of the target array (default "y"). */
  yKey?: string;
}

function checkFinite(t: Tensor, source: string, what: string): void {
  const bad = firstNonFinite(t.data);
  if (bad >= 0) throw new InputError(source, `${describeIndex(t.shape, bad)} is ${t.data[bad]}, expected finite numbers`, what);
}

/**
 * Read an .npz dataset: X and y by name.
 *
 * @param path - the .npz file
 * @param opts - the names of the input and target arrays (`xKey`, default "X"; `yKey`, default "y")
 * @returns the dataset: X from the [n, d] array, Y from the [n] or [n, k] array
 * @example
 * ```ts
 * import { loadNpzDataset } from "splitscape";
 * const data = loadNpzDataset("examples/iris.npz");
 * console.log(data.X.rows, data.X.cols);
 * ```
 */
export function loadNpzDataset(path: string, opts: NumpyDatasetOptions = {}): Dataset {
  return npzDataset(readNpz(path), opts);
}

/**
 * The dataset held by an opened .npz (file or bytes: `parseNpz`): X and y by name.
 *
 * @param archive - an opened .npz (from readNpz, or parseNpz for bytes in memory)
 * @param opts - the names of the input and target arrays (`xKey`, default "X"; `yKey`, default "y")
 * @returns the dataset held by the archive
 * @example
 * ```ts
 * import { encodeNpz, npzDataset, parseNpz } from "splitscape";
 * const bytes = encodeNpz([
 *   { key: "X", shape: [2, 2], data: Float64Array.of(0, 1, 1, 0) },
 *   { key: "y", shape: [2], data: Float64Array.of(1, -1) },
 * ]);
 * console.log(npzDataset(parseNpz(bytes, "upload.npz")).Y.data); // Float64Array [1, -1]
 * ```
 */
export function npzDataset(archive: NpzArchive, opts: NumpyDatasetOptions = {}): Dataset {
  const path = archive.source;
  const xKey = opts.xKey ?? "X";
  const yKey = opts.yKey ?? "y";
  const hint = (key: string, flag: string): string => `no array named ${JSON.stringify(key)}; the archive holds ${archive.keys.map((k) => JSON.stringify(k)).join(", ") || "no arrays"} (choose with ${flag})`;
  if (!archive.keys.includes(xKey)) throw new InputError(path, hint(xKey, "--x-key"));
  if (!archive.keys.includes(yKey)) throw new InputError(path, hint(yKey, "--y-key"));
  const X = archive.read(xKey);
  const y = archive.read(yKey);
  checkFinite(X, path, xKey);
  checkFinite(y, path, yKey);
  if (X.shape.length < 1 || X.shape[0] < 1) throw new InputError(path, `has shape ${formatShape(X.shape)}, expected n ≥ 1 samples along the first axis`, xKey);
  const n = X.shape[0];
  const d = X.shape.length === 1 ? 1 : X.data.length / n;
  if (d < 1) throw new InputError(path, `has shape ${formatShape(X.shape)}: no input features`, xKey);
  if (y.shape.length > 2 || y.shape[0] !== n || (y.shape.length === 2 && y.shape[1] < 1)) {
    throw new InputError(path, `has shape ${formatShape(y.shape)}, expected [${n}] or [${n}, k] (one row per sample of ${xKey} ${formatShape(X.shape)})`, yKey);
  }
  const k = y.shape.length === 2 ? y.shape[1] : 1;
  return makeDataset({ rows: n, cols: d, data: X.data }, { rows: n, cols: k, data: y.data }, path);
}

/**
 * Read an .npy dataset: one [n, d + K] array, the last K = labelCols columns are y.
 *
 * @param path - the .npy file holding one [n, d + K] array
 * @param opts - `labelCols`: the K trailing columns that are targets (default 1)
 * @returns the dataset: X the first d columns, Y the last K
 * @example
 * ```ts
 * import { datasetToNpy, loadNpyDataset, makeBuiltin } from "splitscape";
 * import { writeFileSync } from "node:fs";
 * writeFileSync("xor.npy", datasetToNpy(makeBuiltin("builtin:xor?n=8&seed=1")));
 * console.log(loadNpyDataset("xor.npy").X.cols); // 2
 * ```
 */
export function loadNpyDataset(path: string, opts: NumpyDatasetOptions = {}): Dataset {
  return npyDataset(readNpy(path), path, opts);
}

/**
 * The dataset held by one decoded [n, d + K] array (`readNpy` or `parseNpy`) read from `path`.
 *
 * @param A - one decoded [n, d + K] array (from readNpy or parseNpy)
 * @param path - where it was read from (the dataset's source and the InputErrors' file)
 * @param opts - `labelCols`: the K trailing columns that are targets (default 1)
 * @returns the dataset: X the first d columns, Y the last K
 * @example
 * ```ts
 * import { encodeNpy, npyDataset, parseNpy } from "splitscape";
 * const A = parseNpy(encodeNpy([2, 3], Float64Array.of(0, 1, 1, 1, 0, -1)), "upload.npy");
 * console.log(npyDataset(A, "upload.npy").Y.data); // Float64Array [1, -1]
 * ```
 */
export function npyDataset(A: Tensor, path: string, opts: NumpyDatasetOptions = {}): Dataset {
  const K = opts.labelCols ?? 1;
  if (A.shape.length !== 2 || A.shape[0] < 1 || A.shape[1] < K + 1) {
    throw new InputError(path, `has shape ${formatShape(A.shape)}, expected a 2-D array [n, d + ${K}] whose last ${K} column${K === 1 ? " is" : "s are"} the target${K === 1 ? "" : "s"} (for separate X and y use an .npz)`);
  }
  checkFinite(A, path, "array");
  const [n, cols] = A.shape;
  const d = cols - K;
  const X = new Float64Array(n * d);
  const Y = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    X.set(A.data.subarray(i * cols, i * cols + d), i * d);
    Y.set(A.data.subarray(i * cols + d, (i + 1) * cols), i * K);
  }
  return makeDataset({ rows: n, cols: d, data: X }, { rows: n, cols: K, data: Y }, path);
}

/**
 * The bytes of an .npz holding X (n×d) and y (n, or n×k for k > 1), as np.savez writes them.
 *
 * @param ds - the dataset (or any record with n×d X and n×k Y)
 * @returns the bytes of an .npz with arrays X [n, d] and y [n] (or [n, k])
 * @example
 * ```ts
 * import { datasetToNpz, makeBuiltin } from "splitscape";
 * import { writeFileSync } from "node:fs";
 * writeFileSync("moons.npz", datasetToNpz(makeBuiltin("builtin:moons?n=50&seed=3")));
 * ```
 */
export function datasetToNpz(ds: { readonly X: Matrix; readonly Y: Matrix }): Uint8Array {
  const { X, Y } = ds;
  return encodeNpz([
    { key: "X", shape: [X.rows, X.cols], data: X.data },
    { key: "y", shape: Y.cols === 1 ? [Y.rows] : [Y.rows, Y.cols], data: Y.data },
  ]);
}

/**
 * The bytes of an .npy holding [X | Y] (n × (d + k)), the layout loadNpyDataset reads with labelCols = k.
 *
 * @param ds - the dataset (or any record with n×d X and n×k Y)
 * @returns the bytes of an .npy holding the [n, d + k] array [X | Y] (float64, C order)
 * @example
 * ```ts
 * import { datasetToNpy, makeBuiltin } from "splitscape";
 * import { writeFileSync } from "node:fs";
 * writeFileSync("blobs.npy", datasetToNpy(makeBuiltin("builtin:blobs?n=40&seed=1"))); // np.load: shape (40, 3)
 * ```
 */
export function datasetToNpy(ds: { readonly X: Matrix; readonly Y: Matrix }): Uint8Array {
  const { X, Y } = ds;
  const cols = X.cols + Y.cols;
  const A = new Float64Array(X.rows * cols);
  for (let i = 0; i < X.rows; i++) {
    A.set(X.data.subarray(i * X.cols, (i + 1) * X.cols), i * cols);
    A.set(Y.data.subarray(i * Y.cols, (i + 1) * Y.cols), i * cols + X.cols);
  }
  return encodeNpy([X.rows, cols], A);
}
