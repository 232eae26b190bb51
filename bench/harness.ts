// Shared pieces of the benchmark driver: the row shape written to bench-results/latest.json,
// the timers (every time reported is the MEDIAN over ≥ 3 runs), side-by-side measurement with a
// reference, and the thread-count helpers. Workloads live in their own files and are listed in
// main.ts.
import { threadCount } from "../src/linalg/index.js";

/** A reference a row is compared with. */
export interface Reference {
  /** What ran, e.g. "numpy 2.4.6 (scipy-openblas 0.3.29), 1 thread" or "scnn R-FISTA (recorded)". */
  name: string;
  /** Median seconds (or the recorded figure). */
  seconds: number;
  /** The individual runs (empty for a recorded figure). */
  runs: number[];
  gflops: number | null;
  /** "measured" in this run, or "recorded" (a published/recorded figure, see its `source`). */
  kind: "measured" | "recorded";
  /** Where a recorded figure comes from (date, machine, origin). */
  source?: string;
}

/** An issue goal for a row: met when ratio ≥ `ratio`. */
export interface Goal {
  ratio: number;
  text: string;
}

/** One measured case of a workload. */
export interface Row {
  /** Workload name, e.g. "gemm". */
  workload: string;
  /** Case label within the workload, e.g. "n=1024, 2 threads". */
  case: string;
  /** Threads splitscape used (SPLITSCAPE_THREADS), null when not meaningful. */
  threads: number | null;
  /** Median wall time of one operation, seconds. */
  seconds: number;
  /** The individual runs, seconds each. */
  runs: number[];
  /** Throughput in GFLOP/s when a flop count is meaningful (GEMM: 2n³/t), else null. */
  gflops: number | null;
  reference: Reference | null;
  /** t_ref / t_ours (> 1: splitscape is faster), or null. */
  ratio: number | null;
  /** The goal of issue 22 for this row, and whether this run meets it. */
  goal?: Goal & { met: boolean | null };
  /** The row of the README table this row fills (headline rows only). */
  headline?: string;
  /** Free-form remark. */
  note?: string;
}

/** A benchmark family: measures its cases and returns rows; printing is the driver's job. */
export interface Workload {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

/** Settings of one bench run. */
export interface BenchContext {
  /** Runs per measurement (the median is reported); ≥ 1, default 3. */
  runs: number;
  /** Threads of the multi-threaded rows (threadCount() with SPLITSCAPE_THREADS as given). */
  threads: number;
}

/**
 * Seconds per call of `fn` in one run: warm up for ≥ `warmupSeconds` (lets V8 tier wasm/JS up),
 * then time a batch of repetitions lasting ≥ `batchSeconds` (doubling the count until it does).
 */
export function runSeconds(fn: () => void, { warmupSeconds = 0.2, batchSeconds = 0.2 } = {}): number {
  const start = performance.now();
  do fn(); while (performance.now() - start < warmupSeconds * 1000);
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    const dt = (performance.now() - t0) / 1000;
    if (dt >= batchSeconds) return dt / reps;
    reps *= 2;
  }
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/**
 * Ours and a reference measured side by side: `runs` rounds, each timing one run of ours then
 * one of the reference (so both see the same machine load), medians over the rounds. The
 * reference returns null when it cannot run (then only ours is timed).
 */
export function sideBySide(
  runs: number, ours: () => number, reference: (() => number | null) | null,
): { ours: number[]; ref: number[] | null } {
  const o: number[] = [];
  let r: number[] | null = reference === null ? null : [];
  for (let i = 0; i < runs; i++) {
    o.push(ours());
    if (r !== null && reference !== null) {
      const t = reference();
      if (t === null) r = null;
      else r.push(t);
    }
  }
  return { ours: o, ref: r };
}

/** Run `f` with SPLITSCAPE_THREADS = `threads` (restored afterwards). */
export function withThreads<T>(threads: number, f: () => T): T {
  const saved = process.env.SPLITSCAPE_THREADS;
  process.env.SPLITSCAPE_THREADS = String(threads);
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.SPLITSCAPE_THREADS;
    else process.env.SPLITSCAPE_THREADS = saved;
  }
}

/** The thread count of the multi-threaded rows: threadCount() (validates SPLITSCAPE_THREADS). */
export function benchThreads(): number {
  return threadCount();
}

/** "1 thread" / "2 threads". */
export function threadsLabel(t: number): string {
  return `${t} thread${t === 1 ? "" : "s"}`;
}

/** A row from our runs, an optional reference (measured runs or a recorded figure) and flops. */
export function makeRow(fields: {
  workload: string; case: string; threads: number | null; runs: number[]; flops?: number | null;
  reference?: { name: string; runs?: number[] | null; seconds?: number; kind?: "measured" | "recorded"; source?: string } | null;
  goal?: Goal; headline?: string; note?: string; seconds?: number;
}): Row {
  const seconds = fields.seconds ?? median(fields.runs);
  const flops = fields.flops ?? null;
  const gflops = flops === null ? null : flops / seconds / 1e9;
  let reference: Reference | null = null;
  const r = fields.reference;
  if (r !== undefined && r !== null) {
    const refSeconds = r.seconds ?? (r.runs !== undefined && r.runs !== null && r.runs.length > 0 ? median(r.runs) : null);
    if (refSeconds !== null) {
      reference = {
        name: r.name, seconds: refSeconds, runs: r.runs ?? [], gflops: flops === null ? null : flops / refSeconds / 1e9,
        kind: r.kind ?? "measured",
      };
      if (r.source !== undefined) reference.source = r.source;
    }
  }
  const ratio = reference === null || !(seconds > 0) ? null : reference.seconds / seconds;
  const row: Row = { workload: fields.workload, case: fields.case, threads: fields.threads, seconds, runs: fields.runs, gflops, reference, ratio };
  if (fields.goal !== undefined) row.goal = { ...fields.goal, met: ratio === null ? null : ratio >= fields.goal.ratio };
  if (fields.headline !== undefined) row.headline = fields.headline;
  if (fields.note !== undefined) row.note = fields.note;
  return row;
}
