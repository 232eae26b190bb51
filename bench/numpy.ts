// NumPy as a reference in benchmarks: runs a Python snippet in a child `python3` with its BLAS
// pinned to a given number of threads and reports one run's seconds per call (the driver takes
// the median over ≥ 3 runs, side by side with ours). Missing python3 or numpy gives null.
//
// The machine's environment sets OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE, which make
// OpenBLAS run older (AVX2) kernels; the reference's own command runs without both, i.e. as
// `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 …`, so NumPy runs at its real speed
// (AVX-512 kernels where the CPU has them). Nothing else — tests, CI, our own process — changes
// them.
import { spawnSync } from "node:child_process";

/** Variables removed from the reference's environment (only there). */
export const UNSET_FOR_REFERENCE = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] as const;

/** The reference's environment: BLAS/OpenMP threads = `threads`, without UNSET_FOR_REFERENCE. */
function referenceEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of UNSET_FOR_REFERENCE) delete env[k];
  const t = String(threads);
  return {
    ...env,
    OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t, VECLIB_MAXIMUM_THREADS: t, NUMEXPR_NUM_THREADS: t,
  };
}

// The harness around a snippet: `np` is imported and seeded; the snippet defines run(); the
// harness warms up (≥ 0.2 s), doubles the repetitions until a batch lasts ≥ 0.2 s, and prints
// that batch's seconds per call — one run, as bench/harness.ts runSeconds does for ours.
const HARNESS = `
import sys, time
import numpy as np
np.random.seed(0)
exec(sys.stdin.read())
t0 = time.perf_counter()
while True:
    run()
    if time.perf_counter() - t0 >= 0.2: break
reps = 1
while True:
    t = time.perf_counter()
    for _ in range(reps): run()
    dt = time.perf_counter() - t
    if dt >= 0.2: break
    reps *= 2
print(repr(dt / reps))
`;

function python(args: string[], input: string, threads: number): string | null {
  const r = spawnSync("python3", args, {
    input, env: referenceEnv(threads), encoding: "utf8", timeout: 600_000,
  });
  if (r.error !== undefined || r.status !== 0) return null;
  return r.stdout.trim();
}

let info: string | null | undefined;

/** "numpy <version> (<BLAS> <version>)" of the reference, or null if unavailable. */
export function numpyInfo(): string | null {
  if (info !== undefined) return info;
  info = python(["-c", `
import numpy as np
blas = ""
try:
    cfg = np.show_config(mode="dicts")
    b = cfg["Build Dependencies"]["blas"]
    blas = " (" + b.get("name", "") + " " + b.get("version", "") + ")"
except Exception:
    pass
print("numpy " + np.__version__ + blas)
`], "", 1);
  return info;
}

/** The reference's label for a thread count: "numpy 2.4.6 (…), 1 thread". */
export function numpyName(threads: number): string {
  return `${numpyInfo() ?? "numpy"}, ${threads} thread${threads === 1 ? "" : "s"}`;
}

/**
 * Seconds per call of `run()` defined by `pythonSnippet` (with `np` = numpy already imported
 * and seeded) in one run, BLAS on `threads` threads. Example:
 *   numpyRun("a = np.random.rand(512, 512); b = np.random.rand(512, 512)\ndef run(): a @ b", 1)
 * Returns null when python3 or numpy is unavailable or the snippet fails.
 */
export function numpyRun(pythonSnippet: string, threads: number): number | null {
  if (numpyInfo() === null) return null;
  const out = python(["-c", HARNESS], pythonSnippet, threads);
  if (out === null) return null;
  const t = Number(out);
  return Number.isFinite(t) && t > 0 ? t : null;
}
