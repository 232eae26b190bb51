// Loading NumPy arrays: a 100 MB float64 .npy streamed into one Float64Array (target ≥ 200 MB/s),
// the same array in Fortran order (transposed while streaming) and as float32 (widened), and the
// .npy as a dataset (X and the label column split out), each against NumPy's `np.load` of the
// same file in the same run (float32 widened with .astype, Fortran made C-contiguous, so both
// sides deliver the same C-order float64 array). The files are written once to a temporary
// folder and read from the page cache by both sides.
//
// Every load returns NEW memory, and touching 100 MB of fresh pages (the kernel's page faults)
// costs more than the copy on a loaded VM. A CLI pays it on every load; so does NumPy the first
// time in a process, but a loop of np.load reuses the heap its previous result freed. The
// reference is therefore NumPy's FIRST np.load in a fresh python3 (one process per run, side by
// side with ours; medians over the runs), and the note also gives the steady-state loop (numpyRun)
// for comparison. NumPy asks the kernel for
// transparent huge pages on large arrays (madvise), which Node cannot; glibc ≥ 2.35 does the
// same for every large malloc with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, so the first case is
// also measured in a child process started with it.
//
// Standalone: `npx tsx bench/npy.ts`; the driver lists `npyWorkload`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadDataset } from "../src/data/index.js";
import { readNpy } from "../src/io/index.js";
import { encodeNpyRaw } from "../src/io/npy.js";
import { makeRow, median, runSeconds, sideBySide, type BenchContext, type Row, type Workload } from "./harness.js";
import { numpyInfo, numpyRun, UNSET_FOR_REFERENCE } from "./numpy.js";

/** Rows × columns of the benchmark array: 125 000 × 100 float64 = 100 MB of data. */
const ROWS = 125_000;
const COLS = 100;
/** Required throughput of the float64 C-order read (issue: ≥ 200 MB/s). */
export const NPY_TARGET_MB_PER_S = 200;

/** The benchmark arrays: A[i, j] = sin(i + 0.01 j) as float64 C, float64 Fortran, float32 C. */
function writeFiles(dir: string): Record<string, string> {
  const c = new Float64Array(ROWS * COLS);
  const f = new Float64Array(ROWS * COLS);
  for (let i = 0; i < ROWS; i++) {
    for (let j = 0; j < COLS; j++) {
      const v = Math.sin(i + 0.01 * j);
      c[i * COLS + j] = v;
      f[j * ROWS + i] = v;
    }
  }
  const files = fileNames(dir);
  writeFileSync(files.c8, encodeNpyRaw("<f8", false, [ROWS, COLS], new Uint8Array(c.buffer)));
  writeFileSync(files.f8, encodeNpyRaw("<f8", true, [ROWS, COLS], new Uint8Array(f.buffer)));
  writeFileSync(files.c4, encodeNpyRaw("<f4", false, [ROWS, COLS], new Uint8Array(Float32Array.from(c).buffer)));
  return files;
}

/**
 * Seconds of one `expr` (with p = path) in a fresh python3 after `import numpy` (one run); null
 * without python3/numpy. UNSET_FOR_REFERENCE (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE) are unset for it.
 */
function numpyFirstCall(path: string, expr: string): number | null {
  const env = { ...process.env };
  for (const k of UNSET_FOR_REFERENCE) delete env[k];
  const code = `import time, numpy as np\np = ${JSON.stringify(path)}\nt = time.perf_counter()\n${expr}\nprint(repr(time.perf_counter() - t))\n`;
  const out = spawnSync("python3", ["-c", code], { env, encoding: "utf8", timeout: 120_000 });
  if (out.error !== undefined || out.status !== 0) return null;
  const t = Number(out.stdout.trim());
  return Number.isFinite(t) && t > 0 ? t : null;
}

/**
 * Our cases in a child Node started with GLIBC_TUNABLES=glibc.malloc.hugetlb=1: per case, the
 * seconds of each of `runs` runs, or null.
 */
function hugePageRuns(dir: string, runs: number): number[][] | null {
  const env = { ...process.env, GLIBC_TUNABLES: "glibc.malloc.hugetlb=1" };
  const args = [...process.execArgv, new URL(import.meta.url).pathname, "--child", dir, String(runs)];
  const out = spawnSync(process.execPath, args, { env, encoding: "utf8", timeout: 600_000 });
  if (out.error !== undefined || out.status !== 0) return null;
  const t = JSON.parse(out.stdout.trim()) as number[][];
  return t.every((c) => c.length === runs && c.every((x) => Number.isFinite(x) && x > 0)) ? t : null;
}

/** The measured cases: label, file, our load, NumPy's expression, bytes per element. */
function cases(files: Record<string, string>): [string, string, () => void, string, number][] {
  return [
    ["float64 C order, 100 MB", files.c8, () => readNpy(files.c8), "np.load(p)", 8],
    ["(fresh 100 MB Float64Array, touched)", files.c8, () => new Float64Array(ROWS * COLS).fill(1), "np.ones(12_500_000)", 8],
    ["float64 Fortran order, 100 MB", files.f8, () => readNpy(files.f8), "np.ascontiguousarray(np.load(p))", 8],
    ["float32 → float64, 50 MB", files.c4, () => readNpy(files.c4), "np.load(p).astype(np.float64)", 4],
    ["dataset: X | y split, 100 MB", files.c8, () => loadDataset(files.c8), "(lambda a: (np.ascontiguousarray(a[:, :-1]), a[:, -1].copy()))(np.load(p))", 8],
  ];
}

const OPTS = { warmupSeconds: 0.3, batchSeconds: 0.2 };

/** `runs` runs of each case's load, seconds per call (the child's job in the huge-page case). */
function ourRuns(files: Record<string, string>, runs: number): number[][] {
  return cases(files).map(([, , load]) => Array.from({ length: runs }, () => runSeconds(load, OPTS)));
}

function fileNames(dir: string): Record<string, string> {
  return { c8: join(dir, "c8.npy"), f8: join(dir, "f8.npy"), c4: join(dir, "c4.npy") };
}

/** Rows of the npy workload. */
export async function npyRows(ctx: BenchContext): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), "splitscape-bench-npy-"));
  try {
    const files = writeFiles(dir);
    const np = numpyInfo();
    const refName = `${np ?? "numpy"} first np.load (fresh process)`;
    const huge = hugePageRuns(dir, ctx.runs);
    const rows: Row[] = [];
    cases(files).forEach(([label, path, load, expr, bytes], c) => {
      const r = sideBySide(ctx.runs, () => runSeconds(load, OPTS), np === null ? null : () => numpyFirstCall(path, expr));
      const loop = np === null ? null : numpyRun(`p = ${JSON.stringify(path)}\ndef run(): ${expr}\n`, 1);
      const mb = (ROWS * COLS * bytes) / 1e6;
      const rate = (s: number | null): string => (s === null ? "—" : `${(mb / s).toFixed(0)} MB/s`);
      const target = c === 0 ? `, target ≥ ${NPY_TARGET_MB_PER_S}` : "";
      const reference = r.ref === null ? null : { name: refName, runs: r.ref };
      const note = `${rate(median(r.ours))}${target}; NumPy first load ${rate(r.ref === null ? null : median(r.ref))}, in a loop ${rate(loop)}`;
      rows.push(makeRow({ workload: "npy", case: label, threads: 1, runs: r.ours, reference, note }));
      if (huge !== null) {
        const h = median(huge[c]);
        rows.push(makeRow({ workload: "npy", case: `${label}, glibc huge pages`, threads: 1, runs: huge[c], reference, note: `${rate(h)}${target}` }));
      }
    });
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** .npy loading against NumPy's np.load. */
export const npyWorkload: Workload = {
  name: "npy",
  description: "NumPy .npy loading into one Float64Array (C, Fortran, float32; as a dataset) vs np.load (ratio = t_numpy/t_ours)",
  run: npyRows,
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === "--child") {
  console.log(JSON.stringify(ourRuns(fileNames(process.argv[3]), Number(process.argv[4]))));
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await npyRows({ runs: 3, threads: 1 })) console.log(`${r.case.padEnd(32)} ${(r.seconds * 1e3).toFixed(1).padStart(8)} ms  ${r.note ?? ""}  ratio ${r.ratio?.toFixed(2) ?? "—"}`);
}
