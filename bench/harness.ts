// Shared pieces of the benchmark driver: the row and workload shapes, and a best-of timer.
// Workloads live in their own files (gemm.ts, eig.ts, ...) and are listed in main.ts.

/** One measured case of a workload, with an optional reference (e.g. NumPy) and their ratio. */
export interface Row {
  /** Workload name, e.g. "gemm". */
  workload: string;
  /** Case label within the workload, e.g. "n=512". */
  case: string;
  /** Best wall time of one operation, seconds. */
  seconds: number;
  /** Throughput in GFLOP/s when a flop count is meaningful (GEMM: 2n³/t), else null. */
  gflops: number | null;
  /** Reference implementation measured in the same run, or null if unavailable. */
  reference: { name: string; seconds: number; gflops: number | null } | null;
  /** Our speed relative to the reference: t_ref / t_ours (> 1 means we are faster). */
  ratio: number | null;
  /** Free-form remark (e.g. why a reference is missing). */
  note?: string;
}

/** A benchmark family: measures its cases and returns rows; printing is the driver's job. */
export interface Workload {
  name: string;
  description: string;
  run(): Promise<Row[]>;
}

/**
 * Best seconds per call of `fn`: warm up for ≥ `warmupSeconds` (lets V8 tier wasm/JS up to the
 * optimising compiler), pick a repetition count so one batch lasts ≥ `batchSeconds`, then
 * return min over `batches` batches of (batch time / repetitions).
 */
export function bestSeconds(
  fn: () => void,
  { warmupSeconds = 0.2, batchSeconds = 0.05, batches = 5 } = {},
): number {
  const start = performance.now();
  do fn(); while (performance.now() - start < warmupSeconds * 1000);
  let reps = 1;
  let best = Infinity;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    const dt = (performance.now() - t0) / 1000;
    best = Math.min(best, dt / reps);
    if (dt >= batchSeconds) break;
    reps *= 2;
  }
  for (let b = 1; b < batches; b++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    best = Math.min(best, (performance.now() - t0) / 1000 / reps);
  }
  return best;
}

/** A row with throughput and ratio filled in from a flop count and optional reference time. */
export function makeRow(
  workload: string, label: string, seconds: number, flops: number | null,
  reference: { name: string; seconds: number | null } | null, note?: string,
): Row {
  const gflops = flops === null ? null : flops / seconds / 1e9;
  const ref = reference !== null && reference.seconds !== null
    ? {
      name: reference.name,
      seconds: reference.seconds,
      gflops: flops === null ? null : flops / reference.seconds / 1e9,
    }
    : null;
  const row: Row = {
    workload, case: label, seconds, gflops, reference: ref,
    ratio: ref === null ? null : ref.seconds / seconds,
  };
  if (note !== undefined) row.note = note;
  return row;
}
