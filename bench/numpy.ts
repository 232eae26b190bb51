// NumPy as a reference in benchmarks: runs a Python snippet in a child `python3` pinned to one
// BLAS/OpenMP thread and reports its best time per call. Missing python3 or numpy gives null.
import { spawnSync } from "node:child_process";

/** Environment that pins OpenBLAS, MKL and OpenMP to a single thread. */
const SINGLE_THREAD_ENV = {
  ...process.env,
  OPENBLAS_NUM_THREADS: "1",
  OMP_NUM_THREADS: "1",
  MKL_NUM_THREADS: "1",
  VECLIB_MAXIMUM_THREADS: "1",
  NUMEXPR_NUM_THREADS: "1",
};

// The harness around a snippet: `np` is imported and seeded; the snippet defines run(); the
// harness warms up, doubles the repetitions until a batch lasts ≥ 50 ms, and prints
// min over 5 batches of (batch time / repetitions).
const HARNESS = `
import sys, time
import numpy as np
np.random.seed(0)
exec(sys.stdin.read())
run()
reps, best = 1, float("inf")
while True:
    t = time.perf_counter()
    for _ in range(reps): run()
    dt = time.perf_counter() - t
    best = min(best, dt / reps)
    if dt >= 0.05: break
    reps *= 2
for _ in range(4):
    t = time.perf_counter()
    for _ in range(reps): run()
    best = min(best, (time.perf_counter() - t) / reps)
print(repr(best))
`;

function python(args: string[], input: string): string | null {
  const r = spawnSync("python3", args, {
    input, env: SINGLE_THREAD_ENV, encoding: "utf8", timeout: 600_000,
  });
  if (r.error !== undefined || r.status !== 0) return null;
  return r.stdout.trim();
}

let info: string | null | undefined;

/** "numpy <version> (<BLAS>)" for the single-threaded reference, or null if unavailable. */
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
`], "");
  return info;
}

/**
 * Best seconds per call of `run()` defined by `pythonSnippet` (with `np` = numpy already
 * imported and seeded), single-threaded BLAS. Example:
 *   numpyTime("a = np.random.rand(512, 512); b = np.random.rand(512, 512)\ndef run(): a @ b")
 * Returns null when python3 or numpy is unavailable or the snippet fails.
 */
export function numpyTime(pythonSnippet: string): number | null {
  if (numpyInfo() === null) return null;
  const out = python(["-c", HARNESS], pythonSnippet);
  if (out === null) return null;
  const t = Number(out);
  return Number.isFinite(t) && t > 0 ? t : null;
}
