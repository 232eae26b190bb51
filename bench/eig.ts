// Symmetric eigendecomposition and SVD workloads: `eigh` with vectors at n = 200, 500, 1000
// against NumPy's `numpy.linalg.eigh` (LAPACK dsyevd, single-threaded OpenBLAS) on matrices of
// the same distribution, plus eigenvalues only and the thin SVD.
//
// Standalone: `npx tsx bench/eig.ts` prints the rows; the driver can list `eigWorkload`.
import { pathToFileURL } from "node:url";
import { eigh, eigvalsh, svd, type Matrix } from "../src/linalg/index.js";
import { bestSeconds, makeRow, type Row, type Workload } from "./harness.js";
import { numpyInfo, numpyTime } from "./numpy.js";

const EIGH_SIZES = [200, 500, 1000];
const SVD_SIZES = [200, 500];

/** Symmetric n×n with entries uniform in (−½, ½) (the distribution of the NumPy snippet). */
function randomSymmetric(n: number, seed: number): Matrix {
  const a = new Float64Array(n * n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const x = s / 2147483648 - 0.5;
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
  return { rows: n, cols: n, data: a };
}

function randomGeneral(m: number, n: number, seed: number): Matrix {
  const a = new Float64Array(m * n);
  let s = seed;
  for (let i = 0; i < a.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = s / 2147483648 - 0.5;
  }
  return { rows: m, cols: n, data: a };
}

const SYM_SNIPPET = (n: number): string =>
  `a = np.random.rand(${n}, ${n}) - 0.5; a = np.triu(a) + np.triu(a, 1).T\n`;

/** Rows of the eig workload (eigh with vectors, eigvalsh, svd), each with NumPy's time. */
export async function eigRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const np = numpyInfo();
  const refName = np ?? "numpy";
  const note = np === null ? "python3/numpy unavailable: no ratio" : undefined;
  const opts = { warmupSeconds: 0.3, batchSeconds: 0.05, batches: 5 };
  for (const n of EIGH_SIZES) {
    const A = randomSymmetric(n, n);
    const t = bestSeconds(() => eigh(A), opts);
    const ref = np === null ? null : numpyTime(SYM_SNIPPET(n) + "def run(): np.linalg.eigh(a)\n");
    rows.push(makeRow("eig", `eigh n=${n} vectors`, t, null, { name: refName, seconds: ref }, note));
  }
  {
    const n = 1000;
    const A = randomSymmetric(n, n);
    const t = bestSeconds(() => eigvalsh(A), opts);
    const ref = np === null ? null : numpyTime(SYM_SNIPPET(n) + "def run(): np.linalg.eigvalsh(a)\n");
    rows.push(makeRow("eig", `eigvalsh n=${n}`, t, null, { name: refName, seconds: ref }, note));
  }
  for (const n of SVD_SIZES) {
    const A = randomGeneral(n, n, n);
    const t = bestSeconds(() => svd(A), opts);
    const ref = np === null ? null : numpyTime(
      `a = np.random.rand(${n}, ${n}) - 0.5\ndef run(): np.linalg.svd(a, full_matrices=False)\n`,
    );
    rows.push(makeRow("eig", `svd n=${n} thin`, t, null, { name: refName, seconds: ref }, note));
  }
  return rows;
}

/** eigh / eigvalsh / svd against NumPy (LAPACK dsyevd, dsyevd values-only, dgesdd). */
export const eigWorkload: Workload = {
  name: "eig",
  description: "eigh (with vectors), eigvalsh and thin svd, n×n float64, vs NumPy single thread (ratio = t_numpy/t_ours)",
  run: eigRows,
};

/** Standalone run: measures and prints one line per case (time, NumPy time, slowdown). */
export async function runEigBench(): Promise<Row[]> {
  const rows = await eigRows();
  for (const r of rows) {
    const ref = r.reference === null ? "—" : `${(r.reference.seconds * 1e3).toFixed(2)} ms`;
    const slow = r.ratio === null ? "—" : `${(1 / r.ratio).toFixed(2)}× NumPy's time`;
    console.log(`${r.case.padEnd(22)} ${(r.seconds * 1e3).toFixed(2).padStart(9)} ms   numpy ${ref.padStart(10)}   ${slow}${r.note !== undefined ? `  (${r.note})` : ""}`);
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runEigBench();
}
