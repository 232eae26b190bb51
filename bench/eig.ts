// Symmetric eigendecomposition and SVD workloads against NumPy (LAPACK dsyevd, dsyevd values
// only, dgesdd through OpenBLAS) at the same thread count, on matrices of the same distribution:
// eigh with vectors at n = 200, 500, 1000, eigvalsh at n = 1000, the thin SVD at n = 200, 500;
// the issue-22 sizes (eigvalsh and eigh at 1000, SVD at 500) also on all threads.
import { eigh, eigvalsh, svd, type Matrix } from "../src/linalg/index.js";
import { makeRow, runSeconds, sideBySide, threadsLabel, withThreads, type BenchContext, type Goal, type Row, type Workload } from "./harness.js";
import { numpyName, numpyRun } from "./numpy.js";

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

interface EigCase {
  label: string;
  n: number;
  ours: () => void;
  numpy: string;
  goal?: Goal;
  headline?: string;
}

function cases(threads: number): [EigCase, number][] {
  const out: [EigCase, number][] = [];
  const opt = { symmetryTol: Infinity };
  for (const n of [200, 500, 1000]) {
    const A = randomSymmetric(n, n);
    const c: EigCase = { label: `eigh n=${n} vectors`, n, ours: () => eigh(A, opt), numpy: SYM_SNIPPET(n) + "def run(): np.linalg.eigh(a)\n" };
    if (n === 1000) Object.assign(c, { goal: { ratio: 0.6, text: "≥ 0.6× NumPy" }, headline: "eigh with vectors n = 1000" });
    out.push([c, 1]);
    if (n === 1000 && threads > 1) out.push([c, threads]);
  }
  {
    const n = 1000;
    const A = randomSymmetric(n, n);
    const c: EigCase = {
      label: `eigvalsh n=${n}`, n, ours: () => eigvalsh(A, opt), numpy: SYM_SNIPPET(n) + "def run(): np.linalg.eigvalsh(a)\n",
      goal: { ratio: 0.5, text: "≥ 0.5× NumPy" }, headline: "eigvalsh n = 1000",
    };
    out.push([c, 1]);
    if (threads > 1) out.push([c, threads]);
  }
  for (const n of [200, 500]) {
    const A = randomGeneral(n, n, n);
    const c: EigCase = {
      label: `svd n=${n} thin`, n, ours: () => svd(A),
      numpy: `a = np.random.rand(${n}, ${n}) - 0.5\ndef run(): np.linalg.svd(a, full_matrices=False)\n`,
    };
    if (n === 500) Object.assign(c, { goal: { ratio: 0.6, text: "≥ 0.6× NumPy" }, headline: "thin SVD n = 500" });
    out.push([c, 1]);
    if (n === 500 && threads > 1) out.push([c, threads]);
  }
  return out;
}

/** eigh / eigvalsh / svd against NumPy (LAPACK dsyevd, dsyevd values-only, dgesdd). */
export const eigWorkload: Workload = {
  name: "eig",
  description: "eigh (with vectors), eigvalsh and thin svd, n×n float64, vs NumPy at the same thread count (ratio = t_numpy/t_ours)",
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    const opts = { warmupSeconds: 0.3, batchSeconds: 0.3 };
    for (const [c, t] of cases(ctx.threads)) {
      const r = sideBySide(ctx.runs, () => withThreads(t, () => runSeconds(c.ours, opts)), () => numpyRun(c.numpy, t));
      rows.push(makeRow({
        workload: "eig", case: `${c.label}, ${threadsLabel(t)}`, threads: t, runs: r.ours,
        reference: r.ref === null ? null : { name: numpyName(t), runs: r.ref },
        ...(c.goal !== undefined ? { goal: c.goal, headline: `${c.headline}, ${threadsLabel(t)}` } : {}),
      }));
    }
    return rows;
  },
};
